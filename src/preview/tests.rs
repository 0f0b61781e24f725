//! Plan tests on an inline map over the contoso caches: lines both ways,
//! defaults, value maps, lookups, filters, the company fill and the
//! integration key, one record at a time.

use serde_json::json;

use super::*;
use crate::analysis::query::Index;
use crate::analysis::tests::{schemas, CONNECTIONS};
use crate::analysis::{SourceInput, Workspace};

const MAPS: &str = r#"project "P" dual_write contoso {
  map customers fo.CustomersV3 = dv.account {
    filter fo '((PartyType == "Organization"))'
    filter dv 'customertypecode eq 3'
    key accountnumber, msdyn_company
    CUSTOMERACCOUNT   = accountnumber
    ORGANIZATIONNAME  = name
    SALESCURRENCYCODE = transactioncurrencyid.isocurrencycode
    CUSTOMERGROUPID   = msdyn_customergroupid.msdyn_groupid
    LANGUAGEID        << none default "en-us"
    none              >> customertypecode default 3
    ONHOLDSTATUS      >< msdyn_onholdstatus value_map { No = 192350000, All = 192350002 }
    EMPLOYEECOUNT     = numberofemployees
  }
}
"#;

fn workspace() -> Workspace {
    let inputs = [("connections.dimap", CONNECTIONS), ("maps.dimap", MAPS)]
        .iter()
        .map(|(path, text)| SourceInput { path: path.to_string(), text: text.to_string(), invalid_utf8_at: None })
        .collect();
    Workspace::new(inputs, schemas(), ".dimap/schemas".into())
}

fn run(flow: Flow, record: Value) -> Outcome {
    let ws = workspace();
    let index = Index::new(&ws);
    let scope = index.maps().find(|m| m.map.name.text == "customers").unwrap();
    let plan = Plan::new(&scope, flow).unwrap();
    plan.apply(record.as_object().unwrap())
}

fn ready(outcome: Outcome) -> DestinationRecord {
    match outcome {
        Outcome::Ready(record) => record,
        other => panic!("not ready: {other:?}"),
    }
}

fn customer() -> Value {
    json!({
        "dataAreaId": "USMF", "CUSTOMERACCOUNT": "C1", "ORGANIZATIONNAME": "Contoso",
        "SALESCURRENCYCODE": "USD", "CUSTOMERGROUPID": "10", "PARTYTYPE": "Organization",
        "ONHOLDSTATUS": "All", "EMPLOYEECOUNT": 12
    })
}

#[test]
fn left_to_right_writes_lookups_defaults_value_maps_and_the_company() {
    let out = ready(run(Flow::LeftToRight, customer()));
    assert_eq!(
        Value::Object(out.values),
        json!({
            "accountnumber": "C1", "name": "Contoso",
            "transactioncurrencyid": "isocurrencycode=USD",
            "msdyn_customergroupid": "msdyn_groupid=10",
            "customertypecode": 3, "msdyn_onholdstatus": 192350002, "numberofemployees": 12,
            "msdyn_company": "cdm_companycode=USMF"
        })
    );
    assert_eq!(out.key, r#"["C1","cdm_companycode=USMF"]"#);
}

#[test]
fn right_to_left_reads_lookups_back_and_maps_values_the_other_way() {
    let account = json!({
        "accountnumber": "C1", "name": "Contoso", "customertypecode": 3,
        "transactioncurrencyid": "isocurrencycode=USD",
        "msdyn_customergroupid": { "msdyn_groupid": "10" },
        "msdyn_onholdstatus": 192350000, "msdyn_company": "cdm_companycode=USMF"
    });
    let out = ready(run(Flow::RightToLeft, account));
    assert_eq!(
        Value::Object(out.values),
        json!({
            "CUSTOMERACCOUNT": "C1", "ORGANIZATIONNAME": "Contoso", "SALESCURRENCYCODE": "USD",
            "CUSTOMERGROUPID": "10", "LANGUAGEID": "en-us", "ONHOLDSTATUS": "No",
            "EMPLOYEECOUNT": null, "dataAreaId": "USMF"
        })
    );
    assert_eq!(out.key, r#"["USMF","C1"]"#);
}

#[test]
fn filters_exclude_records_on_each_side() {
    let mut person = customer();
    person["PARTYTYPE"] = json!("Person");
    assert_eq!(run(Flow::LeftToRight, person), Outcome::FilteredOut);
    let competitor = json!({ "accountnumber": "C1", "customertypecode": 1 });
    assert_eq!(run(Flow::RightToLeft, competitor), Outcome::FilteredOut);
}

#[test]
fn bad_values_fail_with_every_reason() {
    let mut bad = customer();
    bad["ONHOLDSTATUS"] = json!("Invoice");
    bad["EMPLOYEECOUNT"] = json!("many");
    bad["SALESCURRENCYCODE"] = json!("DOLLAR");
    bad.as_object_mut().unwrap().remove("ORGANIZATIONNAME");
    let Outcome::Failed(reason) = run(Flow::LeftToRight, bad) else { panic!("should fail") };
    assert!(reason.contains(r#""Invoice" of ONHOLDSTATUS has no entry in the value map"#), "{reason}");
    assert!(reason.contains(r#""many" does not fit numberofemployees (integer)"#), "{reason}");
    assert!(reason.contains("isocurrencycode holds") || reason.contains("6 characters long"), "{reason}");
    assert!(reason.contains("name is required"), "{reason}");
}

#[test]
fn an_incomplete_key_fails_the_record() {
    let mut keyless = customer();
    keyless["CUSTOMERACCOUNT"] = json!("");
    let Outcome::Failed(reason) = run(Flow::LeftToRight, keyless) else { panic!("should fail") };
    assert!(
        reason.contains("the integration key (accountnumber, msdyn_company) is incomplete: no value for accountnumber")
    );
}

#[test]
fn unmapped_required_fields_are_notes_of_the_plan() {
    let ws = workspace();
    let index = Index::new(&ws);
    let scope = index.maps().next().unwrap();
    let plan = Plan::new(&scope, Flow::LeftToRight).unwrap();
    assert_eq!(plan.notes, ["msdyn_salesregion of account is required and no line writes it left-to-right"]);
    assert_eq!(plan.source_field("salescurrencycode").map(|f| f.name.as_str()), Some("SALESCURRENCYCODE"));
}

#[test]
fn statuses_follow_the_product() {
    let counts = |read, filtered_out, inserted, failed| Counts { read, filtered_out, inserted, updated: 0, failed };
    assert_eq!(counts(0, 0, 0, 0).status(false), Status::Completed);
    assert_eq!(counts(0, 0, 0, 0).note().as_deref(), Some("the source holds no records"));
    assert_eq!(counts(3, 1, 2, 0).status(false), Status::Completed);
    assert_eq!(counts(3, 0, 2, 1).status(false), Status::Warning);
    assert_eq!(counts(3, 1, 0, 2).status(false), Status::Error);
    assert_eq!(counts(3, 3, 0, 0).status(false), Status::Completed);
    assert_eq!(counts(3, 0, 2, 1).status(true), Status::Warning);
    assert_eq!(counts(3, 0, 0, 1).status(true), Status::Error);
}
