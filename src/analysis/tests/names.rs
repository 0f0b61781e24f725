//! Names, connections and sides: DIMAP0002, DIMAP0004, DIMAP0005, DIPV1000,
//! DIPV1005, DIPV1007, DIPV1008, DIPV1018, DIPV1020.

use expect_test::expect;

use super::*;

#[test]
fn connection_problems() {
    let connections = r#"connection_set contoso {
  finance_and_operations fo  "contoso-prod"
  dataverse              dv  "contoso-sales"
  dataverse              old "contoso-old"
  dataverse              gone "contoso-archive"
  dataverse              none2
  sales                  wrong "contoso-prod"
  organization fo "USMF" = dv "USMF"
  organization fo "usmf" = dv "DEMF"
  organization fo "USMX" = dv "Fabrikam"
  organization fo "DEMF" = crm "DEMF"
  organization fo "DEMF" = old "USMF"
}
"#;
    expect![[r#"
        connections.dimap:4:3 DIPV1000 connection `old` to "contoso-old" failed validation (status error): The access token has expired; sign in again
        connections.dimap:5:3 DIPV1005 no cached schema for environment "contoso-archive" of connection `gone` in .dimap/schemas
        connections.dimap:6:3 DIPV1005 connection `none2` (dataverse) names no environment
        connections.dimap:7:3 DIPV1005 environment "contoso-prod" is cached as a finance_and_operations environment, but connection `wrong` is sales
        connections.dimap:10:19 DIPV1008 legal entity "USMX" is not an organization of environment "contoso-prod" (it has USMF, DEMF, USRT); did you mean `USMF` or `USRT`?
        connections.dimap:10:31 DIPV1008 business unit "Fabrikam" is not an organization of environment "contoso-sales" (it has USMF, DEMF, Contoso)
        connections.dimap:11:28 DIPV1007 alias `crm` is not declared in connection set `contoso`; declared: fo, dv, old, gone, none2, wrong
    "#]]
    .assert_eq(&render(&[("connections.dimap", connections)]));
}

#[test]
fn duplicate_names_report_the_later_declaration() {
    let connections = format!("{CONNECTIONS}connection_set contoso {{\n}}\n");
    let maps = r#"project "P" dual_write contoso {
  map currencies fo.Currencies = dv.transactioncurrency {
    CURRENCYCODE = isocurrencycode
  }
  map currencies fo.Currencies = dv.transactioncurrency {
    CURRENCYCODE = isocurrencycode
  }
}
project "P" dual_write contoso {
}
"#;
    expect![[r#"
        connections.dimap:6:16 DIMAP0004 connection set `contoso` is already declared at connections.dimap:1
        3:5 DIMAP0009 isocurrencycode holds up to 5 characters but CURRENCYCODE only 3: longer values may be cut
        5:7 DIMAP0004 map `currencies` of project "P" is already declared at maps.dimap:2
        6:5 DIMAP0009 isocurrencycode holds up to 5 characters but CURRENCYCODE only 3: longer values may be cut
        9:9 DIMAP0004 project "P" is already declared at maps.dimap:1
    "#]]
    .assert_eq(&render(&[("connections.dimap", &connections), ("maps.dimap", maps)]));
}

#[test]
fn unknown_sets_aliases_and_entities() {
    check(
        r#"project "Other" dual_write contoso_test {
  map groups fo.CustomerGroups = dv.msdyn_customergroup {
    CUSTOMERGROUPID = msdyn_groupid
  }
}
project "P" dual_write contoso {
  map a fo.CustomerGroups = crm.msdyn_customergroup {
    CUSTOMERGROUPID = msdyn_groupid
  }
  map b fo.CustomerGroup = dv.msdyn_customergroups {
    CUSTOMERGROUPID = msdyn_groupid
  }
  map c fo.customergroups = fo.CustomerGroups {
    filter crm "x eq 1"
    CUSTOMERGROUPID = CUSTOMERGROUPID
  }
}
"#,
        expect![[r#"
            1:28 DIMAP0002 project "Other" names connection set `contoso_test`, which no file of the workspace declares; did you mean `contoso`?
            7:29 DIPV1007 alias `crm` is not declared in connection set `contoso` (declared: fo, dv)
            10:12 DIPV1018 left entity `CustomerGroup` is not in the cached schema of "contoso-prod"; did you mean `CustomerGroups`?
            10:31 DIPV1020 right entity `msdyn_customergroups` is not in the cached schema of "contoso-sales"; did you mean `msdyn_customergroup`?
            13:29 DIMAP0005 map `c` uses alias `fo` on both sides; a map connects two different connections
            14:12 DIMAP0005 filter names alias `crm`, which is not a side of map `c` (its sides are fo and fo)
        "#]],
    );
}

#[test]
fn a_connection_without_a_cache_silences_its_side() {
    let connections = CONNECTIONS.replace("\"contoso-sales\"", "\"contoso-archive\"");
    let maps = r#"project "P" dual_write contoso {
  map groups fo.CustomerGroups = dv.nosuchentity {
    NOSUCHFIELD = nosuchfield
  }
}
"#;
    expect![[r#"
        connections.dimap:3:3 DIPV1005 no cached schema for environment "contoso-archive" of connection `dv` in .dimap/schemas
    "#]]
    .assert_eq(&render(&[("connections.dimap", &connections), ("maps.dimap", maps)]));
}
