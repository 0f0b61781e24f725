//! End-to-end tests of `dimap run` and `dimap runs` on a temporary workspace
//! over the contoso caches: each status and its exit code, upsert then update
//! by key, defaults and value maps both ways, filters, bad records reported
//! with their positions, JSON / JSON Lines / CSV sources, `--rerun`, JUnit,
//! a damaged store, and a million generated records streamed.

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use dimap::store::Store;
use serde_json::{json, Value};

const MAPS: &str = r#"connection_set contoso {
  finance_and_operations fo "contoso-prod"
  dataverse              dv "contoso-sales"
  organization fo "USMF" = dv "USMF"
}

project "Customer master" dual_write contoso {
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

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_fixture_caches(dir.path());
    std::fs::write(dir.path().join("dimap.toml"), "").unwrap();
    std::fs::write(dir.path().join("maps.dimap"), MAPS).unwrap();
    dir
}

fn dimap(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dimap")).args(args).current_dir(dir).output().expect("the binary runs")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Runs `args` with `--format json` and returns the exit code and report.
fn run_json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = dimap(dir, &all);
    (out.status.code().unwrap(), json_of(&out))
}

fn customer(account: &str, name: &str, onhold: &str) -> Value {
    json!({
        "dataAreaId": "USMF", "CUSTOMERACCOUNT": account, "ORGANIZATIONNAME": name,
        "SALESCURRENCYCODE": "USD", "CUSTOMERGROUPID": "10", "PARTYTYPE": "Organization",
        "ONHOLDSTATUS": onhold, "EMPLOYEECOUNT": 12
    })
}

fn stored(dir: &Path, environment: &str, entity: &str, key: Value) -> Option<Value> {
    let store = Store::open(&dir.join(".dimap/runs.sqlite")).unwrap();
    store.record(environment, entity, &key.to_string()).unwrap()
}

#[test]
fn completed_then_updated_by_key() {
    let ws = workspace();
    let dir = ws.path();
    let first = json!([customer("C1", "Contoso", "No"), customer("C2", "Fabrikam", "All")]);
    std::fs::write(dir.join("customers.json"), first.to_string()).unwrap();
    let (code, report) = run_json(dir, &["customers", "--source", "customers.json"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["run"]["status"], "Completed");
    assert_eq!(
        report["run"]["counts"],
        json!({ "read": 2, "filtered_out": 0, "inserted": 2, "updated": 0, "failed": 0 })
    );
    assert_eq!(report["run"]["direction"], "left-to-right");
    let key = json!(["C2", "cdm_companycode=USMF"]);
    let c2 = stored(dir, "contoso-sales", "account", key.clone()).unwrap();
    assert_eq!(c2["name"], "Fabrikam");
    assert_eq!(c2["msdyn_onholdstatus"], 192350002, "value map left to right");
    assert_eq!(c2["customertypecode"], 3, "default of a `none` source");
    assert_eq!(c2["transactioncurrencyid"], "isocurrencycode=USD", "lookup key written as keyfield=value");

    // The same keys again, with a new name: both are updates, by key.
    let second = json!([customer("C2", "Fabrikam Inc", "No"), customer("C3", "Litware", "No")]);
    std::fs::write(dir.join("customers.json"), second.to_string()).unwrap();
    let (code, report) =
        run_json(dir, &["Customer master/customers", "--source", "customers.json", "--direction", "left-to-right"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        report["run"]["counts"],
        json!({ "read": 2, "filtered_out": 0, "inserted": 1, "updated": 1, "failed": 0 })
    );
    let c2 = stored(dir, "contoso-sales", "account", key).unwrap();
    assert_eq!((c2["name"].as_str(), c2["msdyn_onholdstatus"].as_i64()), (Some("Fabrikam Inc"), Some(192350000)));

    // The history lists both runs, newest first.
    let out = dimap(dir, &["runs", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let runs = json_of(&out);
    assert_eq!(runs["runs"].as_array().unwrap().len(), 2);
    assert_eq!(runs["runs"][0]["id"], 2);
    let text = String::from_utf8(dimap(dir, &["runs"]).stdout).unwrap();
    assert!(text.contains("Customer master/customers") && text.contains("Completed"), "{text}");
}

#[test]
fn right_to_left_applies_defaults_value_maps_and_the_other_filter() {
    let ws = workspace();
    let dir = ws.path();
    let accounts = [
        json!({ "accountnumber": "C1", "name": "Contoso", "customertypecode": 3, "msdyn_onholdstatus": 192350000,
                "transactioncurrencyid": "isocurrencycode=EUR", "msdyn_customergroupid": { "msdyn_groupid": "20" },
                "msdyn_company": "cdm_companycode=USMF", "numberofemployees": 7 }),
        json!({ "accountnumber": "C2", "name": "Rival", "customertypecode": 1, "msdyn_company": "cdm_companycode=USMF" }),
    ];
    let lines: String = accounts.iter().map(|a| format!("{a}\n")).collect();
    std::fs::write(dir.join("accounts.jsonl"), lines).unwrap();
    let (code, report) = run_json(dir, &["customers", "--source", "accounts.jsonl", "--direction", "right-to-left"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(
        report["run"]["counts"],
        json!({ "read": 2, "filtered_out": 1, "inserted": 1, "updated": 0, "failed": 0 })
    );
    let c1 = stored(dir, "contoso-prod", "CustomersV3", json!(["USMF", "C1"])).unwrap();
    assert_eq!(
        c1,
        json!({ "CUSTOMERACCOUNT": "C1", "ORGANIZATIONNAME": "Contoso", "SALESCURRENCYCODE": "EUR",
                "CUSTOMERGROUPID": "20", "LANGUAGEID": "en-us", "ONHOLDSTATUS": "No", "EMPLOYEECOUNT": 7,
                "dataAreaId": "USMF" })
    );
}

#[test]
fn bad_records_are_reported_with_their_position_and_the_run_warns() {
    let ws = workspace();
    let dir = ws.path();
    let csv = "dataAreaId,CUSTOMERACCOUNT,ORGANIZATIONNAME,SALESCURRENCYCODE,CUSTOMERGROUPID,PARTYTYPE,ONHOLDSTATUS,EMPLOYEECOUNT\n\
               USMF,C1,Contoso,USD,10,Organization,No,12\n\
               USMF,C2,Person,USD,10,Person,No,1\n\
               USMF,C3,Fabrikam,USD,10,Organization,Invoice,3\n\
               USMF,C4,Bad,USD,10,Organization,No,many\n\
               USMF,C5,,USD,10,Organization,No,5\n\
               USMF,,Keyless,USD,10,Organization,No,5\n";
    std::fs::write(dir.join("customers.csv"), csv).unwrap();
    let junit = dir.join("report.xml");
    let (code, report) = run_json(dir, &["customers", "--source", "customers.csv", "--junit", junit.to_str().unwrap()]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["run"]["status"], "Warning");
    assert_eq!(
        report["run"]["counts"],
        json!({ "read": 6, "filtered_out": 1, "inserted": 1, "updated": 0, "failed": 4 })
    );
    let failures: Vec<(u64, u64, String)> = report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["record"].as_u64().unwrap(), f["line"].as_u64().unwrap(), f["reason"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(failures.iter().map(|f| (f.0, f.1)).collect::<Vec<_>>(), [(3, 4), (4, 5), (5, 6), (6, 7)]);
    assert!(failures[0].2.contains(r#""Invoice" of ONHOLDSTATUS has no entry in the value map"#), "{failures:?}");
    assert!(failures[1].2.contains("`many` in column EMPLOYEECOUNT is not a whole number"), "{failures:?}");
    assert!(failures[2].2.contains("name is required and the record gives it no value"), "{failures:?}");
    assert!(failures[3].2.contains("the integration key (accountnumber, msdyn_company) is incomplete"), "{failures:?}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 4, "{xml}");
    assert!(xml.contains(r#"tests="4" failures="4""#) && xml.contains(r#"name="record 4 (line 5)""#), "{xml}");

    // The text summary and `runs show` drill down to the failed records.
    let out = dimap(dir, &["runs", "show", "1"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("status        Warning"), "{text}");
    assert!(text.contains("record 4 (line 5): `many` in column EMPLOYEECOUNT"), "{text}");
}

#[test]
fn error_when_nothing_passing_the_filter_is_upserted() {
    let ws = workspace();
    let dir = ws.path();
    let mut wrong = customer("C1", "Contoso", "No");
    wrong["EMPLOYEECOUNT"] = json!("twelve");
    std::fs::write(dir.join("bad.json"), json!([wrong, customer("", "Keyless", "No")]).to_string()).unwrap();
    let (code, report) = run_json(dir, &["customers", "--source", "bad.json"]);
    assert_eq!((code, report["run"]["status"].as_str()), (1, Some("Error")), "{report}");
    assert_eq!(report["failures"][0]["record"], 1);
    assert!(report["failures"][0]["reason"].as_str().unwrap().contains(r#""twelve" does not fit numberofemployees"#));
}

#[test]
fn no_records_and_all_filtered_out_are_completed_with_a_note() {
    let ws = workspace();
    let dir = ws.path();
    std::fs::write(dir.join("empty.json"), "[]").unwrap();
    let (code, report) = run_json(dir, &["customers", "--source", "empty.json"]);
    assert_eq!((code, report["run"]["status"].as_str()), (0, Some("Completed")));
    assert!(report["run"]["notes"].as_array().unwrap().iter().any(|n| n == "the source holds no records"), "{report}");
    let mut person = customer("C1", "Someone", "No");
    person["PARTYTYPE"] = json!("Person");
    std::fs::write(dir.join("people.json"), person.to_string()).unwrap();
    let (code, report) = run_json(dir, &["customers", "--source", "people.json"]);
    assert_eq!((code, report["run"]["status"].as_str()), (0, Some("Completed")));
    assert_eq!(report["run"]["counts"]["filtered_out"], 1);
    assert!(report["run"]["notes"].as_array().unwrap().iter().any(|n| n == "every record was filtered out"));
}

#[test]
fn a_source_cut_short_is_never_completed() {
    let ws = workspace();
    let dir = ws.path();
    let text = format!("[{}, {{\"CUSTOMERACCOUNT\": ", customer("C1", "Contoso", "No"));
    std::fs::write(dir.join("cut.json"), text).unwrap();
    let (code, report) = run_json(dir, &["customers", "--source", "cut.json"]);
    assert_eq!((code, report["run"]["status"].as_str()), (1, Some("Warning")), "{report}");
    assert_eq!(report["run"]["counts"]["inserted"], 1);
    assert!(report["failures"][0]["reason"].as_str().unwrap().starts_with("the source cannot be read from here on"));
}

#[test]
fn rerun_runs_the_same_input_and_refuses_a_changed_one() {
    let ws = workspace();
    let dir = ws.path();
    std::fs::write(dir.join("one.json"), json!([customer("C1", "Contoso", "No")]).to_string()).unwrap();
    let (code, _) = run_json(dir, &["customers", "--source", "one.json"]);
    assert_eq!(code, 0);
    let (code, report) = run_json(dir, &["--rerun", "1"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!((report["run"]["id"].as_i64(), report["run"]["rerun_of"].as_i64()), (Some(2), Some(1)));
    assert_eq!(report["run"]["counts"]["updated"], 1);
    std::fs::write(dir.join("one.json"), json!([customer("C9", "Other", "No")]).to_string()).unwrap();
    let out = dimap(dir, &["run", "--rerun", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has changed since run 1"));
}

#[test]
fn a_damaged_store_is_reported_clearly() {
    let ws = workspace();
    let dir = ws.path();
    std::fs::write(dir.join("one.json"), json!([customer("C1", "Contoso", "No")]).to_string()).unwrap();
    std::fs::write(dir.join(".dimap/runs.sqlite"), "not a database at all, only some words in a file".repeat(40))
        .unwrap();
    for args in [&["run", "customers", "--source", "one.json"][..], &["runs"][..]] {
        let out = dimap(dir, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("runs.sqlite is damaged or is not a dimap run store (file is not a database)"),
            "{stderr}"
        );
        assert!(stderr.contains("move it aside"), "{stderr}");
    }
}

#[test]
fn unknown_maps_and_directions_are_refused() {
    let ws = workspace();
    let dir = ws.path();
    std::fs::write(dir.join("one.json"), "[]").unwrap();
    let out = dimap(dir, &["run", "nosuch", "--source", "one.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no map `nosuch` in the workspace (maps: Customer master/customers)"));
}

/// A million records stream through in bounded memory: the input (about
/// 200 MB) is written here, and the peak resident size of the run is read
/// from `/usr/bin/time -v` where it is installed.
#[test]
fn a_million_records_stream() {
    const RECORDS: u64 = 1_000_000;
    let ws = workspace();
    let dir = ws.path();
    let path = dir.join("million.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..RECORDS {
        let party = if i % 10 == 0 { "Person" } else { "Organization" };
        let onhold = if i % 100_000 == 1 { "Invoice" } else { "No" };
        writeln!(
            file,
            r#"{{"dataAreaId":"USMF","CUSTOMERACCOUNT":"C{i}","ORGANIZATIONNAME":"Org {i}","SALESCURRENCYCODE":"USD","CUSTOMERGROUPID":"10","PARTYTYPE":"{party}","ONHOLDSTATUS":"{onhold}","EMPLOYEECOUNT":{}}}"#,
            i % 1000
        )
        .unwrap();
    }
    file.flush().unwrap();
    drop(file);
    let time = Path::new("/usr/bin/time");
    let bin = env!("CARGO_BIN_EXE_dimap");
    let args = ["run", "customers", "--source", "million.jsonl", "--format", "json"];
    let out = if time.exists() {
        Command::new(time).arg("-v").arg(bin).args(args).current_dir(dir).output().unwrap()
    } else {
        Command::new(bin).args(args).current_dir(dir).output().unwrap()
    };
    let report = json_of(&out);
    assert_eq!(out.status.code(), Some(1), "ten records are not in the value map: {}", report["run"]);
    assert_eq!(
        report["run"]["counts"],
        json!({ "read": RECORDS, "filtered_out": 100_000, "inserted": 899_990, "updated": 0, "failed": 10 })
    );
    assert_eq!(report["failures"][0]["line"], 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Some(line) = stderr.lines().find(|l| l.contains("Maximum resident set size (kbytes)")) {
        let kib: u64 = line.rsplit(':').next().unwrap().trim().parse().unwrap();
        // The input is ~200 MB; a run that held it, or its records, would
        // be far above this.
        assert!(kib < 100 * 1024, "peak RSS {kib} KiB");
        eprintln!("a million records: peak RSS {kib} KiB");
    }
}
