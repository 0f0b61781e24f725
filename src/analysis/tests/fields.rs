//! Field-mapping rules: DIPV1011, DIPV1021, DIPV1022, DIPV1023, DIPV1024,
//! DIPV1025, DIPV1026, DIPV1027, DIPV1028, DIPV1029, DIPV1030, DIPV1031,
//! DIMAP0006, DIMAP0007, DIMAP0009, and the no-cascade rules.

use expect_test::expect;

use super::*;

const LINE_CODES: &[&str] = &[
    "DIPV1011",
    "DIPV1021",
    "DIPV1022",
    "DIPV1023",
    "DIPV1024",
    "DIPV1025",
    "DIPV1026",
    "DIPV1027",
    "DIPV1028",
    "DIPV1029",
    "DIPV1030",
    "DIPV1031",
    "DIMAP0006",
    "DIMAP0007",
    "DIMAP0009",
    "DIPV1010",
    "DIPV1014",
    "DIMAP0001",
];

#[test]
fn none_sides() {
    check_codes(
        &customers(
            r#"
    none             > description
    PAYMENTTERMS     > none
    none             = msdyn_creditlimitismandatory default true
    CUSTOMERNOTE     << none default "Imported"
    none             >> numberofemployees
"#,
        ),
        LINE_CODES,
        expect![[r#"
            4:5 DIMAP0009 name holds up to 160 characters but ORGANIZATIONNAME only 100: longer values may be cut
            5:5 DIMAP0009 transactioncurrencyid.isocurrencycode holds up to 5 characters but SALESCURRENCYCODE only 3: longer values may be cut
            6:5 DIMAP0009 msdyn_customergroupid.msdyn_groupid holds up to 30 characters but CUSTOMERGROUPID only 10: longer values may be cut
            9:5 DIPV1021 the source of description (memo) is `none` and the line has no default: give the value to write
            10:5 DIPV1024 a flow of this line writes into `none`: name a field of account to write to
            11:5 DIPV1024 a flow of this line writes into `none`: name a field of CustomersV3 to write to
            13:5 DIPV1021 the source of numberofemployees (integer) is `none` and the line has no default: give the value to write
        "#]],
    );
}

#[test]
fn unknown_fields_take_part_in_nothing_else() {
    check_codes(
        &customers(
            r#"
    DESCRIPTON       = description
    PAYMENTTERMS     = msdyn_paymentterm.msdyn_nam
    ADDRESSCITY      < address1_cty
    ISSALESTAX       > fax
    ORGANIZATIONNAME = name.first
    ADDRESSCITY      > fax
"#,
        ),
        LINE_CODES,
        expect![[r#"
            4:5 DIMAP0009 name holds up to 160 characters but ORGANIZATIONNAME only 100: longer values may be cut
            5:5 DIMAP0009 transactioncurrencyid.isocurrencycode holds up to 5 characters but SALESCURRENCYCODE only 3: longer values may be cut
            6:5 DIMAP0009 msdyn_customergroupid.msdyn_groupid holds up to 30 characters but CUSTOMERGROUPID only 10: longer values may be cut
            9:5 DIPV1022 source path `DESCRIPTON`: CustomersV3 has no field `DESCRIPTON`
            10:24 DIPV1025 destination path `msdyn_paymentterm.msdyn_nam`: msdyn_paymentterm has no field `msdyn_nam`; did you mean `msdyn_name`?
            11:24 DIPV1022 source path `address1_cty`: account has no field `address1_cty`; did you mean `address1_city`?
            12:5 DIPV1022 source path `ISSALESTAX`: CustomersV3 has no field `ISSALESTAX`
            13:24 DIPV1025 destination path `name.first`: `name` of account is a string, not a lookup, so `.first` cannot follow it
            14:5 DIMAP0009 ADDRESSCITY holds up to 60 characters but fax only 50: longer values may be cut
        "#]],
    );
}

#[test]
fn read_only_destinations() {
    check_codes(
        &customers(
            r#"
    CREATEDDATETIME  >  createdon
    RECORDID         <  numberofemployees
    RECORDID         >  revenue
    CREATEDDATETIME  =  createdon
"#,
        ),
        LINE_CODES,
        expect![[r#"
            4:5 DIMAP0009 name holds up to 160 characters but ORGANIZATIONNAME only 100: longer values may be cut
            5:5 DIMAP0009 transactioncurrencyid.isocurrencycode holds up to 5 characters but SALESCURRENCYCODE only 3: longer values may be cut
            6:5 DIMAP0009 msdyn_customergroupid.msdyn_groupid holds up to 30 characters but CUSTOMERGROUPID only 10: longer values may be cut
            9:5 DIPV1011 createdon of account is read-only and cannot be written: no flow may have it as its destination
            10:5 DIPV1011 RECORDID of CustomersV3 is read-only and cannot be written: no flow may have it as its destination
            12:5 DIPV1011 createdon of account is read-only and cannot be written: no flow may have it as its destination
            12:5 DIPV1029 this line maps the same pair of fields as line 9 (CREATEDDATETIME > createdon)
        "#]],
    );
}

#[test]
fn duplicates() {
    check_codes(
        &customers(
            r#"
    PRIMARYCONTACTFAX >  address1_city
    ADDRESSCITY       >  address1_city
    EMPLOYEECOUNT     =  numberofemployees
    SALESREVENUE      >  numberofemployees
    PARTYNUMBER       =  msdyn_partynumber
    PARTYNUMBER       =  fax
    CREDITLIMIT       =  creditlimit
    CREDITLIMIT       =  creditlimit
    CREDITLIMIT       >  creditlimit
"#,
        ),
        &["DIPV1023", "DIPV1026", "DIPV1029"],
        expect![[r#"
            10:5 DIPV1026 address1_city is already the destination of line 9 (PRIMARYCONTACTFAX > address1_city)
            12:5 DIPV1026 numberofemployees is already the destination of line 11 (EMPLOYEECOUNT = numberofemployees)
            14:5 DIPV1023 PARTYNUMBER is already used by the bidirectional line 13 (PARTYNUMBER = msdyn_partynumber)
            16:5 DIPV1029 this line maps the same pair of fields as line 15 (CREDITLIMIT = creditlimit)
            17:5 DIPV1029 this line maps the same pair of fields as line 15 (CREDITLIMIT = creditlimit)
        "#]],
    );
}

#[test]
fn types() {
    check_codes(
        &customers(
            r#"
    ONHOLDSTATUS     =  msdyn_onholdstatus
    ADDRESSCITY      >  numberofemployees
    BIRTHDATE        <  createdon
    SALESREVENUE     >  revenue
    CUSTOMERNOTE     =  description
    EMPLOYEECOUNT    >  revenue
    PARTYTYPE        >  msdyn_partytype
    CREDITLIMITISMANDATORY = msdyn_creditlimitismandatory
"#,
        ),
        &["DIPV1030"],
        expect![[r#"
            9:5 DIPV1030 ONHOLDSTATUS (enum) cannot flow into msdyn_onholdstatus (choice); add a value_map pairing their values
            10:5 DIPV1030 ADDRESSCITY (string(60)) cannot flow into numberofemployees (integer)
            11:5 DIPV1030 createdon (datetime) cannot flow into BIRTHDATE (date)
            15:5 DIPV1030 PARTYTYPE (enum) cannot flow into msdyn_partytype (choice); add a value_map pairing their values
            16:5 DIPV1030 CREDITLIMITISMANDATORY (enum) cannot flow into msdyn_creditlimitismandatory (boolean); add a value_map pairing their values
        "#]],
    );
}

#[test]
fn required_destinations_need_a_default() {
    check_codes(
        &customers("").replace(
            r#"ORGANIZATIONNAME       >< name                                    default "Unknown""#,
            "ORGANIZATIONNAME = name",
        ),
        &["DIPV1031"],
        expect![[r#"
            4:5 DIPV1031 name is required in account but its source ORGANIZATIONNAME is not: add a default for records where ORGANIZATIONNAME is empty
        "#]],
    );
}

#[test]
fn value_maps_and_defaults() {
    check_codes(
        &customers(
            r#"
    ONHOLDSTATUS     >< msdyn_onholdstatus value_map { No = 192350000, All = 192350002, Never = Never, Maybe = 1 }
    CREDITLIMITISMANDATORY >< msdyn_creditlimitismandatory value_map { No = false, Yes = true, Yes = false }
    CREDITLIMITISMANDATORY >  msdyn_creditlimitismandatory value_map { No = "false", Yes = "true", All = "yes" }
    PARTYTYPE        >> msdyn_partytype value_map { Person = Person, Organization = Organization, None = Person }
    none             >> customertypecode  default "Friend"
    none             >> address1_addresstypecode default "Ship To"
    none             >> numberofemployees default 1.5
    none             >> fax default "a very long fax number that is surely longer than fifty characters"
    none             >> msdyn_invoiceaddress default null
"#,
        ),
        &["DIMAP0006", "DIMAP0007", "DIPV1030"],
        expect![[r#"
            9:104 DIMAP0006 Maybe is not a member of ONHOLDSTATUS (enum: No, Invoice, All, Payment, Requisition, Never)
            9:112 DIMAP0006 1 is not the value of a member of msdyn_onholdstatus (choice: No, Invoice, All, Payment, Requisition, Never)
            10:96 DIMAP0006 Yes appears twice on the side this value map reads from, so the value to write is ambiguous
            10:102 DIMAP0006 false appears twice on the side this value map reads from, so the value to write is ambiguous
            11:100 DIMAP0006 All is not a member of CREDITLIMITISMANDATORY (enum: No, Yes)
            11:106 DIMAP0006 msdyn_creditlimitismandatory is a boolean: use true or false, not "yes"
            13:51 DIMAP0007 default "Friend": "Friend" is not a member of customertypecode (choice: Competitor, Consultant, Customer, Investor)
            15:51 DIMAP0007 default 1.5: 1.5 is not a whole number that fits numberofemployees (integer)
            16:37 DIMAP0007 default "a very long fax number that is surely longer than fifty characters": "a very long fax number that is surely longer than fifty characters" is 66 characters long, longer than fax (string(50))
        "#]],
    );
}

#[test]
fn lookups() {
    check_codes(
        &customers(
            r#"
    INVOICEACCOUNT   =  msdyn_billingaccount
    PAYMENTTERMS     <  msdyn_paymentterm
    VENDORACCOUNT    =  msdyn_vendor.msdyn_vendoraccountnumber
    CONTACTPERSONID  >  primarycontactid.firstname
"#,
        )
        .replace(
            "CUSTOMERGROUPID        =  msdyn_customergroupid.msdyn_groupid",
            "CUSTOMERGROUPID        =  msdyn_customergroupid",
        ),
        &["DIPV1027", "DIPV1028", "DIPV1010", "DIPV1030"],
        expect![[r#"
            6:5 DIPV1027 lookup msdyn_customergroupid to msdyn_customergroup is mapped bare (data flows into it); map the integration key of msdyn_customergroup instead, e.g. `msdyn_customergroupid.msdyn_groupid`
            9:5 DIPV1027 lookup msdyn_billingaccount to account is mapped bare (data flows into it); map the integration key of account instead, e.g. `msdyn_billingaccount.accountnumber`
            10:5 DIPV1028 lookup msdyn_paymentterm to msdyn_paymentterm is mapped bare (data flows out of it); map the integration key of msdyn_paymentterm instead, e.g. `msdyn_paymentterm.msdyn_name`
            12:5 DIPV1027 lookup primarycontactid to contact is not mapped with its related key (data flows into it); also map primarycontactid.msdyn_contactpersonid
        "#]],
    );
}

#[test]
fn text_lengths_warn() {
    check_codes(
        &customers(
            "    PRIMARYCONTACTFAX > fax\n    ADDRESSSTREET > description\n    CUSTOMERNOTE > msdyn_invoiceaddress",
        ),
        &["DIMAP0009"],
        expect![[r#"
        4:5 DIMAP0009 name holds up to 160 characters but ORGANIZATIONNAME only 100: longer values may be cut
        5:5 DIMAP0009 transactioncurrencyid.isocurrencycode holds up to 5 characters but SALESCURRENCYCODE only 3: longer values may be cut
        6:5 DIMAP0009 msdyn_customergroupid.msdyn_groupid holds up to 30 characters but CUSTOMERGROUPID only 10: longer values may be cut
        9:5 DIMAP0009 PRIMARYCONTACTFAX holds up to 255 characters but fax only 50: longer values may be cut
        11:5 DIMAP0009 CUSTOMERNOTE holds any number of characters but msdyn_invoiceaddress only 100: longer values may be cut
    "#]],
    );
}

#[test]
fn a_broken_line_is_only_a_syntax_error() {
    check_codes(
        &customers("    ADDRESSCITY   address1_city\n    PARTYNUMBER = msdyn_partynumber"),
        LINE_CODES,
        expect![[r#"
        4:5 DIMAP0009 name holds up to 160 characters but ORGANIZATIONNAME only 100: longer values may be cut
        5:5 DIMAP0009 transactioncurrencyid.isocurrencycode holds up to 5 characters but SALESCURRENCYCODE only 3: longer values may be cut
        6:5 DIMAP0009 msdyn_customergroupid.msdyn_groupid holds up to 30 characters but CUSTOMERGROUPID only 10: longer values may be cut
        9:16 DIMAP0001 missing a direction (`=`, `>`, `<`, `><`, `>>`, `<<`)
    "#]],
    );
}
