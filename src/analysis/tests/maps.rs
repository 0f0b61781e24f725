//! Map-level and key rules: DIPV1002, DIPV1003, DIPV1004, DIPV1010,
//! DIPV1014, DIPV1015, DIPV1016, DIPV1017, DIPV1019, DIMAP0003, and the
//! filters (DIPV1012, DIMAP0008).

use expect_test::expect;

use super::*;

#[test]
fn a_clean_customer_map_has_no_error() {
    check_codes(
        &customers(""),
        &[
            "DIPV",
            "DIMAP0001",
            "DIMAP0002",
            "DIMAP0003",
            "DIMAP0004",
            "DIMAP0005",
            "DIMAP0006",
            "DIMAP0007",
            "DIMAP0008",
        ],
        expect![[r#""#]],
    );
}

#[test]
fn company_scope() {
    check(
        r#"project "P" dual_write contoso {
  map global_to_company fo.Currencies = dv.msdyn_customergroup {
    CURRENCYCODE = msdyn_groupid
  }
  map shared fo.SharedCustomerGroups = dv.msdyn_customergroup {
    CUSTOMERGROUPID = msdyn_groupid
  }
  map both_global fo.Currencies = dv.transactioncurrency {
    CURRENCYCODE = isocurrencycode
  }
}
"#,
        expect![[r#"
            2:3 DIPV1002 msdyn_customergroup is company-specific but Currencies is global (cross-company); both entities of a map must be company-specific, or both global
            3:5 DIMAP0009 msdyn_groupid holds up to 30 characters but CURRENCYCODE only 3: longer values may be cut
            5:3 DIPV1002 SharedCustomerGroups has cross-company data sharing turned on, which dual-write does not support; turn it off or map another entity
            6:5 DIMAP0009 msdyn_groupid holds up to 30 characters but CUSTOMERGROUPID only 10: longer values may be cut
            9:5 DIMAP0009 isocurrencycode holds up to 5 characters but CURRENCYCODE only 3: longer values may be cut
        "#]],
    );
}

#[test]
fn integration_keys() {
    check_codes(
        &customers("").replace("    CUSTOMERACCOUNT        =  accountnumber\n", ""),
        &["DIPV1010", "DIPV1014"],
        expect![[r#"
            2:3 DIPV1010 required field CUSTOMERACCOUNT (string(20)) of CustomersV3 is not mapped, and data flows into CustomersV3
            2:3 DIPV1010 required field accountnumber (string(20)) of account is not mapped, and data flows into account
            2:3 DIPV1014 integration key field accountnumber of account is not mapped by any line
        "#]],
    );
    check_codes(
        &customers("").replace("CUSTOMERACCOUNT        =  accountnumber", "CUSTOMERACCOUNT        >  accountnumber"),
        &["DIPV1004", "DIPV1010"],
        expect![[r#"
            2:3 DIPV1010 required field CUSTOMERACCOUNT (string(20)) of CustomersV3 is not mapped, and data flows into CustomersV3
            3:5 DIPV1004 integration key field accountnumber is mapped one way only, but map `customers` has bidirectional lines: dual-write must find each record from both sides
        "#]],
    );
    check_codes(
        &customers("").replace("CUSTOMERACCOUNT        =  accountnumber", "key accountnumber, transactioncurrencyid\n    CUSTOMERACCOUNT = accountnumber\n    SALESCURRENCYCODE = transactioncurrencyid"),
        &["DIPV1015", "DIPV1027", "DIPV1026"],
        expect![[r#"
            3:5 DIPV1015 integration key field transactioncurrencyid is a lookup to transactioncurrency and is mapped bare; map it through its related key (transactioncurrencyid.KEYFIELD)
        "#]],
    );
}

#[test]
fn keys_from_key_lines_and_missing_keys() {
    check(
        r#"project "P" dual_write contoso {
  map notes fo.Currencies = dv.msdyn_note {
    CURRENCYCODE = msdyn_notecode
  }
  map notes_keyed fo.Currencies = dv.msdyn_note {
    key msdyn_notecode
    CURRENCYCODE = msdyn_notecode
  }
  map notes_bad_key fo.Currencies = dv.msdyn_note {
    key msdyn_notecod
    CURRENCYCODE = msdyn_notecode
  }
}
"#,
        expect![[r#"
            2:3 DIPV1003 msdyn_note has no integration key in the cache of "contoso-sales" and map `notes` has no `key` line: records cannot be matched
            3:5 DIMAP0009 msdyn_notecode holds up to 20 characters but CURRENCYCODE only 3: longer values may be cut
            7:5 DIMAP0009 msdyn_notecode holds up to 20 characters but CURRENCYCODE only 3: longer values may be cut
            10:9 DIPV1025 key field `msdyn_notecod`: msdyn_note has no field `msdyn_notecod`; did you mean `msdyn_notecode`?
            11:5 DIMAP0009 msdyn_notecode holds up to 20 characters but CURRENCYCODE only 3: longer values may be cut
        "#]],
    );
}

#[test]
fn organizations_and_version_numbers() {
    let connections = CONNECTIONS.replace("  organization fo \"USMF\" = dv \"USMF\"\n", "");
    let maps = r#"project "P" dual_write contoso {
  map groups fo.CustomerGroups = dv.msdyn_customergroup {
    CUSTOMERGROUPID  = msdyn_groupid
    PAYMENTTERMID    = msdyn_paymenttermid.msdyn_name
  }
  map products fo.DistinctProducts > dv.product {
    PRODUCTNUMBER    >  msdyn_productnumber
    PRODUCTNAME      >> name   default "Unnamed product"
    SALESUNITSYMBOL  >  defaultuomid.msdyn_symbol
  }
  map external fo.Currencies = dv.msdyn_externalcurrency {
    CURRENCYCODE = msdyn_code
  }
  map external_out fo.Currencies > dv.msdyn_externalcurrency {
    CURRENCYCODE > msdyn_code
  }
}
"#;
    expect![[r#"
        2:3 DIPV1016 data flows into msdyn_customergroup, which is company-specific, but connection set `contoso` has no organization line mapping legal entities to business units
        3:5 DIMAP0009 msdyn_groupid holds up to 30 characters but CUSTOMERGROUPID only 10: longer values may be cut
        4:5 DIPV1017 lookup msdyn_paymenttermid points to msdyn_paymentterm, which is company-specific, but connection set `contoso` has no organization line
        4:5 DIMAP0009 msdyn_paymenttermid.msdyn_name holds up to 100 characters but PAYMENTTERMID only 10: longer values may be cut
        11:3 DIPV1019 data flows out of msdyn_externalcurrency (virtual), which has no versionnumber field, so changes cannot be exported from it; make the map one-way into it
    "#]].assert_eq(&render(&[("connections.dimap", &connections), ("maps.dimap", maps)]));
}

#[test]
fn directions_bound_by_map_and_project_kind() {
    check(
        r#"project "P" dual_write contoso {
  map products fo.DistinctProducts > dv.product {
    PRODUCTNUMBER    >  msdyn_productnumber
    PRODUCTNAME      >> name   default "Unnamed product"
    SALESPRICE       <  price
  }
}
project "I" data_integrator contoso {
  map currencies fo.Currencies = dv.transactioncurrency {
    CURRENCYCODE > isocurrencycode
    NAME         = currencyname
  }
}
"#,
        expect![[r#"
            5:22 DIMAP0003 direction `<` is not allowed here: map `products` is declared `>`, so its lines run that way only
            9:32 DIMAP0003 map `currencies` is in a Data Integrator project, whose maps run one way, left to right: use `>`
            11:18 DIMAP0003 direction `=` is not allowed here: lines of a Data Integrator map run left to right only
        "#]],
    );
}

#[test]
fn filters_are_parsed_and_resolved() {
    check_codes(
        r#"project "P" dual_write contoso {
  map a fo.Currencies = dv.transactioncurrency {
    filter fo '((currencycode == "USD") || (CURRENCYCODE == "EUR"))'
    filter dv "isocurrencycode eq 'USD' or (isocurrencycode eq 'EUR' and not (currencyname eq null))"
    CURRENCYCODE = isocurrencycode
  }
  map b fo.Currencies = dv.transactioncurrency {
    filter fo '(CURRENCY == "USD")'
    filter dv 'isocurrencycode eq'
    CURRENCYCODE = isocurrencycode
  }
  map c fo.Currencies = dv.transactioncurrency {
    filter fo '(CURRENCYCODE == "USD"'
    filter dv "contains(currencyname, 'dollar')"
    CURRENCYCODE = isocurrencycode
  }
  map d fo.Currencies = dv.transactioncurrency {
    filter dv 'transactioncurrencyid/isocurrencycode eq 1'
    filter dv "IsoCurrencyCode eq 'USD'"
    CURRENCYCODE = isocurrencycode
  }
}
"#,
        &["DIPV1012", "DIMAP0008"],
        expect![[r#"
            8:17 DIMAP0008 X++ query range: Currencies has no field `CURRENCY`; did you mean `CURRENCYCODE`?
            9:34 DIPV1012 OData filter of transactioncurrency: expected a value after `eq`, found the end of the filter
            13:16 DIMAP0008 X++ query range of Currencies: this `(` is never closed
            14:16 DIPV1012 OData filter of transactioncurrency: contains is not supported by dual-write filters; use startswith or endswith
            18:16 DIPV1012 OData filter of transactioncurrency: nested lookups (a/b) are not supported by dual-write filters
            19:16 DIPV1012 OData filter: transactioncurrency has no column `IsoCurrencyCode`; did you mean `isocurrencycode`?
        "#]],
    );
}
