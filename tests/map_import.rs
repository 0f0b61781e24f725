//! End-to-end tests of `dimap import` and `dimap export` on fixtures shaped
//! after the published dual-write templates: the text they print, the round
//! trip JSON → `.dimap` → JSON for every field the language holds, losses on
//! standard error, the workspace cache's entity sets, and clear errors (exit
//! status 2, never a panic) for inputs that are not what they claim.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

const FIXTURES: [&str; 4] = [
    "customersv3-accounts.json",
    "customersv3-contacts.json",
    "customer-groups.json",
    "released-distinct-products.json",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mapjson").join(name)
}

fn dimap(args: &[&str], dir: &Path) -> Output {
    dimap_with_stdin(args, dir, None)
}

fn dimap_with_stdin(args: &[&str], dir: &Path, stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dimap"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Imports `inputs` in an empty folder (no workspace cache) and returns the
/// text, asserting success.
fn import(inputs: &[&Path], extra: &[&str], dir: &Path) -> (String, String) {
    let mut args: Vec<&str> = vec!["import"];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    args.extend(extra);
    let output = dimap(&args, dir);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (stdout(&output), stderr(&output))
}

/// Exports a `.dimap` text through a file in `dir`.
fn export(text: &str, extra: &[&str], dir: &Path) -> Value {
    let path = dir.join("imported.dimap");
    std::fs::write(&path, text).unwrap();
    let mut args = vec!["export", path.to_str().unwrap()];
    args.extend(extra);
    let output = dimap(&args, dir);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("export prints JSON")
}

/// The documents of an export, whether it printed one or an array.
fn documents(exported: Value) -> Vec<Value> {
    match exported {
        Value::Array(documents) => documents,
        document => vec![document],
    }
}

/// What the language holds of a stored document, leg by leg, in the form
/// export writes: sides as strings or `null`, directions as strings,
/// transform values as text except booleans and `null`. Keys the language
/// cannot hold (environment types, `isSystemGenerated`, lookup entities,
/// unknown keys) are left out.
fn held(document: &Value) -> Vec<Value> {
    let side = |v: Option<&Value>| match v {
        Some(Value::String(s)) if !s.is_empty() => json!(s),
        _ => Value::Null,
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let value = |v: &Value| match v {
        Value::Number(n) => json!(n.to_string()),
        other => other.clone(),
    };
    let legs = document["legs"].as_array().expect("legs");
    legs.iter()
        .map(|leg| {
            let mappings: Vec<Value> = leg["fieldMappings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    let direction = match &m["syncDirection"] {
                        Value::Number(n) => n.to_string(),
                        Value::String(s) => s.clone(),
                        other => panic!("syncDirection {other}"),
                    };
                    let transforms: Vec<Value> = m["valueTransforms"]
                        .as_array()
                        .map(|t| t.as_slice())
                        .unwrap_or(&[])
                        .iter()
                        .map(|t| match t["transformType"].as_str() {
                            Some("Default") => json!({"Default": value(&t["defaultValue"])}),
                            Some("ValueMap") => {
                                let map: serde_json::Map<String, Value> = t["valueMap"]
                                    .as_object()
                                    .unwrap()
                                    .iter()
                                    .map(|(k, v)| (k.clone(), value(v)))
                                    .collect();
                                json!({ "ValueMap": map })
                            }
                            other => panic!("transform {other:?}"),
                        })
                        .collect();
                    json!([side(m.get("sourceField")), side(m.get("destinationField")), direction, transforms])
                })
                .collect();
            json!({
                "source": leg["sourceSchema"],
                "destination": leg["destinationSchema"],
                "sourceFilter": text(leg.get("sourceFilter")),
                "reversedSourceFilter": text(leg.get("reversedSourceFilter")),
                "fieldMappings": mappings,
            })
        })
        .collect()
}

#[test]
fn every_template_round_trips_what_the_language_holds() {
    let dir = tempfile::tempdir().unwrap();
    for name in FIXTURES {
        let path = fixture(name);
        let original: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let (text, _) = import(&[&path], &[], dir.path());
        let exported = documents(export(&text, &[], dir.path()));
        let back: Vec<Value> = exported.iter().flat_map(held).collect();
        assert_eq!(back, held(&original), "{name}:\n{text}");
        for document in &exported {
            for mapping in document["legs"][0]["fieldMappings"].as_array().unwrap() {
                assert!(mapping["syncDirection"].is_string(), "{name}: {mapping}");
            }
        }
    }
}

#[test]
fn the_canonical_document_round_trips_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("roundtrip.json");
    let (text, losses) = import(&[&path], &[], dir.path());
    assert_eq!(losses, "", "the canonical document loses nothing");
    std::fs::write(dir.path().join("imported.dimap"), &text).unwrap();
    let output = dimap(&["export", "imported.dimap"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), std::fs::read_to_string(&path).unwrap());
}

#[test]
fn accounts_import_prints_formatted_text_with_filters_and_transforms() {
    let dir = tempfile::tempdir().unwrap();
    let (text, losses) = import(&[&fixture("customersv3-accounts.json")], &[], dir.path());
    assert!(text.starts_with("project \"Imported\" dual_write imported {\n"), "{text}");
    assert!(text.contains("  map customersv3_to_accounts fo.CustomersV3 = dv.accounts {\n"), "{text}");
    assert!(text.contains("    filter fo '((PartyType == \"Organization\"))'\n"), "{text}");
    assert!(text.contains("    filter dv 'customertypecode eq 3'\n"), "{text}");
    let compact: Vec<String> = text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    for line in [
        "CUSTOMERACCOUNT = accountnumber",
        "INVOICEADDRESSLATITUDE > address2_latitude",
        "SALESCURRENCYCODE = transactioncurrencyid.isocurrencycode",
        "LANGUAGEID << none default \"en-us\"",
        "none >> customertypecode default 3",
        "PARTYTYPE << none default Organization",
        "CREDITLIMITISMANDATORY >< msdyn_creditlimitismandatory value_map { No = \"false\", Yes = \"true\" }",
    ] {
        assert!(compact.iter().any(|l| l == line), "missing `{line}` in\n{text}");
    }
    // Formatting is a fixed point: the printed text is already formatted.
    let formatted = dimap::ide::format::format(&dimap::syntax::parse(&text)).unwrap();
    assert_eq!(formatted, text);
    // Without a cache the lookups' related entities cannot be derived.
    assert!(losses.contains("destinationLookupFieldRelatedEntity \"transactioncurrencies\" is not kept"), "{losses}");
}

#[test]
fn losses_go_to_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_, losses) = import(&[&fixture("customersv3-contacts.json")], &[], dir.path());
    assert!(
        losses.contains(
            "unknown keys are ignored: name, legs[].id, legs[].sourceEnvironmentType, legs[].destinationEnvironmentType"
        ),
        "{losses}"
    );
    assert_eq!(losses.matches("unknown keys").count(), 1, "{losses}");
}

#[test]
fn options_name_the_project_connection_set_and_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _) = import(
        &[&fixture("customer-groups.json"), &fixture("released-distinct-products.json")],
        &["--project", "Customer master", "--connection-set", "contoso", "--aliases", "ax,ce"],
        dir.path(),
    );
    assert!(text.starts_with("project \"Customer master\" dual_write contoso {\n"), "{text}");
    assert!(text.contains("map customergroups_to_msdyn_customergroups ax.CustomerGroups = ce.msdyn_customergroups {"));
    // Every line of the products template is one-way, so the map is too.
    assert!(text.contains("map cdsreleaseddistinctproducts_to_products ax.CDSReleasedDistinctProducts > ce.products {"));
    assert!(text.contains("SALESUNITDECIMALPRECISION >> quantitydecimal"), "{text}");

    let output = dimap(&["import", fixture("customer-groups.json").to_str().unwrap(), "--aliases", "fo"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--aliases takes two names"), "{}", stderr(&output));
}

#[test]
fn standard_input_and_output_files_work() {
    let dir = tempfile::tempdir().unwrap();
    let json = std::fs::read_to_string(fixture("customer-groups.json")).unwrap();
    let output = dimap_with_stdin(&["import", "-", "--output", "groups.dimap"], dir.path(), Some(&json));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    let written = std::fs::read_to_string(dir.path().join("groups.dimap")).unwrap();
    assert!(written.contains("map customergroups_to_msdyn_customergroups"), "{written}");

    let output = dimap_with_stdin(
        &["export", "-", "--map", "Imported/customergroups_to_msdyn_customergroups"],
        dir.path(),
        Some(&written),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let exported: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(exported["legs"][0]["sourceSchema"], "CustomerGroups");
}

#[test]
fn a_workspace_cache_turns_entity_sets_into_logical_names_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join(".dimap/schemas");
    std::fs::create_dir_all(&schemas).unwrap();
    std::fs::copy(fixture("schemas/contoso-sales-sets.json"), schemas.join("contoso-sales.json")).unwrap();
    std::fs::write(dir.path().join("dimap.toml"), "").unwrap();
    let vendors = json!({
        "leftEnvironmentType": "AX", "rightEnvironmentType": "CRM",
        "legs": [{"sourceSchema": "Vendors", "destinationSchema": "msdyn_vendors", "sourceFilter": "",
          "reversedSourceFilter": "", "fieldMappings": [
            {"sourceField": "VENDORACCOUNTNUMBER", "destinationField": "msdyn_vendoraccountnumber", "syncDirection": "3",
             "isSystemGenerated": false, "valueTransforms": []}]}]
    });
    std::fs::write(dir.path().join("vendors.json"), vendors.to_string()).unwrap();
    let sub = dir.path().join("maps");
    std::fs::create_dir_all(&sub).unwrap();
    // Run from a subfolder: the workspace is found upward through dimap.toml.
    let (text, losses) = import(&[Path::new("../vendors.json"), &fixture("customersv3-accounts.json")], &[], &sub);
    assert!(text.contains("map vendors_to_msdyn_vendor fo.Vendors = dv.msdyn_vendor {"), "{text}");
    assert!(text.contains("map customersv3_to_account fo.CustomersV3 = dv.account {"), "{text}");
    // The cache gives back the related entities of the lookups it knows.
    assert!(!losses.contains("\"transactioncurrencies\""), "{losses}");
    assert!(losses.contains("\"msdyn_paymentterms\" is not kept"), "{losses}");

    let exported = export(&text, &["--map", "vendors_to_msdyn_vendor"], &sub);
    assert_eq!(exported, vendors);
    let exported = export(&text, &["--map", "customersv3_to_account"], &sub);
    assert_eq!(exported["legs"][0]["destinationSchema"], "accounts");
    let currency = exported["legs"][0]["fieldMappings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["sourceField"] == "SALESCURRENCYCODE")
        .unwrap();
    assert_eq!(currency["destinationLookupFieldRelatedEntity"], "transactioncurrencies");
}

#[test]
fn bad_inputs_are_clear_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "{ \"legs\": [ ").unwrap();
    std::fs::write(dir.path().join("wrong.json"), "{ \"legs\": 3 }").unwrap();
    std::fs::write(dir.path().join("broken.dimap"), "project \"P\" dual_write c {\n  map m fo.A = {\n").unwrap();
    for (args, expected) in [
        (vec!["import", "bad.json"], "bad.json is not a dual-write map document"),
        (vec!["import", "wrong.json"], "wrong.json is not a dual-write map document"),
        (vec!["import", "missing.json"], "cannot read missing.json"),
        (vec!["export", "broken.dimap"], "broken.dimap has syntax errors"),
        (vec!["import", "-", "-"], "can be read only once"),
    ] {
        let output = dimap(&args, dir.path());
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(expected), "{args:?}: {}", stderr(&output));
    }
    let (text, _) = import(&[&fixture("customer-groups.json")], &[], dir.path());
    std::fs::write(dir.path().join("ok.dimap"), text).unwrap();
    let output = dimap(&["export", "ok.dimap", "--map", "nope"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("has no map `nope`"), "{}", stderr(&output));
}
