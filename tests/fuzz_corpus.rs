//! Replays the fuzz targets' seed corpus (and every crash kept as a
//! regression input) through the same bodies the fuzzers run, so `cargo
//! test` on the stable toolchain checks them all.

use std::path::Path;

fn replay(target: &str, body: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| body(&data));
        assert!(result.is_ok(), "{target}: {} breaks an invariant", path.display());
        count += 1;
    }
    assert!(count > 0, "{target} has no seed corpus");
}

#[test]
fn parse_corpus() {
    replay("parse", dimap::fuzzing::parse);
}

#[test]
fn check_corpus() {
    replay("check", dimap::fuzzing::check_one_file);
}

#[test]
fn cache_corpus() {
    replay("cache", dimap::fuzzing::cache);
}

#[test]
fn filters_corpus() {
    replay("filters", dimap::fuzzing::filters);
}

#[test]
fn edits_corpus() {
    replay("edits", dimap::fuzzing::incremental_edits);
}
