//! A fault inside one map's rules stays in that map: it becomes DIPV1001
//! (dual-write) or DIPV1006 (Data Integrator) on the map header, and every
//! other map is still checked. The fault is injected with a fail point, so
//! this test only runs with `--features failpoints` (`cargo test
//! --all-features`, as the README and CI run it).
#![cfg(feature = "failpoints")]

use dimap::analysis::{check, Code, SourceInput, Workspace};
use dimap::schema::SchemaSet;

fn workspace() -> Workspace {
    let text = r#"connection_set c {
  finance_and_operations fo "contoso-prod"
  dataverse dv "nowhere"
}
project "P" dual_write c {
  map a fo.X = dv.y {
    A = b
  }
}
project "Q" data_integrator c {
  map b fo.X > dv.y {
    A > b
    C = d
  }
}
"#;
    let input = SourceInput { path: "maps.dimap".into(), text: text.into(), invalid_utf8_at: None };
    Workspace::new(vec![input], SchemaSet::default(), ".dimap/schemas".into())
}

#[test]
fn a_panicking_rule_becomes_a_finding_on_its_map() {
    let scenario = fail::FailScenario::setup();
    let ws = workspace();
    let before = check(&ws);
    assert!(before.iter().any(|d| d.code == Code::Dipv1005), "the connection is checked: {before:?}");

    fail::cfg("check_map", "panic(a rule failed)").unwrap();
    let after = check(&ws);
    fail::remove("check_map");
    scenario.teardown();

    let codes: Vec<&str> = after.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"DIPV1001"), "{codes:?}");
    assert!(codes.contains(&"DIPV1006"), "{codes:?}");
    // Findings outside the maps are all still there.
    assert!(codes.contains(&"DIPV1005"), "{codes:?}");
    let fault = after.iter().find(|d| d.code == Code::Dipv1001).unwrap();
    assert_eq!(
        fault.message,
        "validation of map `a` failed inside dimap: a rule failed; the rest of the workspace was checked; please report this"
    );
    assert_eq!(&ws.files[0].text()[fault.location.range.clone()], "map a fo.X = dv.y");
}
