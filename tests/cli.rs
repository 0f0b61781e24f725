//! End-to-end tests of `dimap check` on real folders: the JSON contract of
//! cli.md, exit statuses, `--fix`, and inputs that must give findings or
//! clear errors and never a panic (exit status 101).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::CONNECTIONS;

fn dimap(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dimap")).args(args).current_dir(dir).output().expect("the binary runs")
}

/// A workspace with the test caches and the given files.
fn workspace(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_fixture_caches(dir.path());
    std::fs::write(dir.path().join("connections.dimap"), CONNECTIONS).unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn json_ranges_are_utf16_and_paths_relative() {
    let maps = "project \"Kunden 😀 ü\" dual_write nosuchset {\n}\n";
    let dir = workspace(&[("maps/customers.dimap", maps.as_bytes())]);
    let out = dimap(&["check", "--format", "json", "."], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    let d = &report["diagnostics"][0];
    assert_eq!(d["path"], "maps/customers.dimap");
    assert_eq!(d["code"], "DIMAP0002");
    assert_eq!(d["severity"], "error");
    // `project "Kunden 😀 ü" dual_write ` is 33 UTF-16 code units (the emoji is two).
    assert_eq!(d["range"]["start"], serde_json::json!({ "line": 0, "character": 33 }));
    assert_eq!(d["range"]["end"], serde_json::json!({ "line": 0, "character": 42 }));
    assert_eq!(report["summary"], serde_json::json!({ "files": 2, "errors": 1, "warnings": 0 }));
    assert_eq!(report["version"], 1);
}

#[test]
fn text_output_and_a_clean_workspace() {
    let maps = "project \"P\" dual_write contoso {\n  map currencies fo.Currencies = dv.transactioncurrency {\n    CURRENCYCODE = isocurrencycode\n  }\n}\n";
    let dir = workspace(&[("maps.dimap", maps.as_bytes())]);
    let out = dimap(&["check"], dir.path());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("maps.dimap:3:5: warning DIMAP0009 isocurrencycode holds up to 5 characters"), "{stdout}");
    assert!(stdout.ends_with("checked: 0 errors, 1 warning in 2 files\n"), "{stdout}");
}

#[test]
fn fix_applies_unambiguous_fixes() {
    let maps = "project \"P\" dual_write contoso {\n  map groups fo.CustomerGroups = dv.msdyn_customergroup {\n    CUSTOMERGROUPID = msdyn_groupid\n    DESCRIPTION     > msdyn_description\n    none            >> msdyn_issalestaxincludedinprice\n  }\n}\n";
    let dir = workspace(&[("maps.dimap", maps.as_bytes())]);
    let before = dimap(&["check", "--format", "json"], dir.path());
    assert_eq!(before.status.code(), Some(1));
    let report = json(&before);
    let finding = report["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "DIPV1021").expect("DIPV1021");
    assert_eq!(report["summary"]["errors"], 1);
    let fixes = &finding["fixes"][0];
    assert_eq!(fixes["title"], "Add `default false`");
    let after = dimap(&["check", "--fix", "--format", "json"], dir.path());
    assert_eq!(after.status.code(), Some(0), "{}", String::from_utf8_lossy(&after.stdout));
    let text = std::fs::read_to_string(dir.path().join("maps.dimap")).unwrap();
    assert!(text.contains("none            >> msdyn_issalestaxincludedinprice default false\n"), "{text}");
}

#[test]
fn bad_inputs_give_findings_not_panics() {
    let mut big = String::from(
        "project \"Big\" dual_write contoso {\n  map currencies fo.Currencies = dv.transactioncurrency {\n",
    );
    while big.len() < 5 * 1024 * 1024 {
        big.push_str("    NAME = currencyname   # a long map of repeated lines\n");
    }
    big.push_str("  }\n}\n");
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    let dir = workspace(&[
        ("binary.dimap", &binary),
        ("latin1.dimap", b"project \"Caf\xe9\" dual_write contoso {\n}\n"),
        ("empty.dimap", b""),
        ("big.dimap", big.as_bytes()),
        (".dimap/schemas/broken.json", b"{ \"format\": 1,\n  \"environment\": \"x\", oops }"),
        (".dimap/schemas/future.json", b"{ \"format\": 2, \"environment\": \"y\" }"),
    ]);
    let out = dimap(&["check", "--format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json(&out);
    let found: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap().to_string(), d["code"].as_str().unwrap().to_string()))
        .collect();
    assert!(found.contains(&("latin1.dimap".into(), "DIMAP0001".into())), "{found:?}");
    assert!(found.contains(&("binary.dimap".into(), "DIMAP0001".into())), "{found:?}");
    assert!(found.contains(&(".dimap/schemas/broken.json".into(), "DIMAP0010".into())), "{found:?}");
    assert!(found.contains(&(".dimap/schemas/future.json".into(), "DIMAP0010".into())), "{found:?}");
    assert!(found.iter().all(|(path, _)| path != "empty.dimap"), "{found:?}");
    // The 5 MB map maps one field many times: DIPV1029 on every later line.
    assert!(found.iter().filter(|(p, c)| p == "big.dimap" && c == "DIPV1029").count() > 50_000);
    let broken =
        report["diagnostics"].as_array().unwrap().iter().find(|d| d["path"] == ".dimap/schemas/broken.json").unwrap();
    // serde_json's position: the column after it read the first bad byte.
    assert_eq!(broken["range"]["start"], serde_json::json!({ "line": 1, "character": 22 }));
}

#[test]
fn unusable_arguments_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dimap(&["check", "no/such/folder"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("dimap: cannot read no/such/folder"));
    std::fs::write(dir.path().join("dimap.toml"), "schemas = [").unwrap();
    let out = dimap(&["check"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let out = dimap(&["check", "--format", "yaml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn symlink_loops_many_files_and_odd_caches() {
    let dir = workspace(&[]);
    // A link back to the root: not followed, so no endless walk.
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    for i in 0..10_000 {
        let text = format!("# generated map file {i}\n");
        std::fs::write(dir.path().join(format!("m{i:05}.dimap")), text).unwrap();
    }
    let cache = std::fs::read_to_string(dir.path().join(".dimap/schemas/contoso-sales.json")).unwrap();
    let duplicated = cache.replacen(
        "\"entities\": [",
        "\"entities\": [\n    { \"name\": \"uom\", \"kind\": \"standard\", \"keys\": [], \"fields\": [ { \"name\": \"x\", \"type\": \"lookup\", \"target\": \"nowhere\" } ] },",
        1,
    );
    std::fs::write(dir.path().join(".dimap/schemas/contoso-sales.json"), duplicated).unwrap();
    let maps =
        "project \"P\" dual_write contoso {\n  map u fo.DistinctProducts > dv.uom {\n    PRODUCTNUMBER > x.y\n  }\n}\n";
    std::fs::write(dir.path().join("maps.dimap"), maps).unwrap();
    let started = std::time::Instant::now();
    let out = dimap(&["check", "--format", "json"], dir.path());
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(report["summary"]["files"], 10_002);
    let messages: Vec<String> =
        report["diagnostics"].as_array().unwrap().iter().map(|d| format!("{} {}", d["code"], d["message"])).collect();
    assert!(
        messages.iter().any(|m| m.contains("DIMAP0010") && m.contains("`uom` appears more than once")),
        "{messages:?}"
    );
    eprintln!("10,002 files checked in {:?} (debug build)", started.elapsed());
}
