//! Criterion benchmarks of dimap's core at the size of a real estate: parsing
//! the 20,000-line file, checking the whole workspace, loading both caches,
//! and completion and hover at the positions the LSP driver uses. The
//! workspace comes from `bench/gen` through `DIMAP_BENCH_WORKSPACE`; without
//! it every benchmark is skipped with a message, so `cargo bench` never
//! fails on a machine that has not generated one.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use dimap::analysis::Workspace;

/// The generated workspace, or `None` (with a message) when the variable is
/// unset or does not name a generated workspace.
fn workspace_root() -> Option<PathBuf> {
    let Some(root) = std::env::var_os("DIMAP_BENCH_WORKSPACE") else {
        eprintln!(
            "dimap benches: DIMAP_BENCH_WORKSPACE is not set; skipping. Generate a workspace with \
             `cargo run --release --manifest-path bench/gen/Cargo.toml -- --out bench/out/scale-1` and set \
             DIMAP_BENCH_WORKSPACE to that folder."
        );
        return None;
    };
    let root = PathBuf::from(root);
    if !root.join("scenario-dimap.json").is_file() {
        eprintln!("dimap benches: {} holds no scenario-dimap.json (not made by bench/gen); skipping.", root.display());
        return None;
    }
    Some(root)
}

/// The byte offset of a 0-based line and character; the generated text is
/// ASCII, so characters are bytes.
fn offset(text: &str, line: usize, character: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    start + character
}

struct Position {
    what: String,
    path: String,
    line: usize,
    character: usize,
}

/// The completion or hover positions of the scenario, with the big file's
/// path relative to the root as the workspace names files.
fn positions(root: &Path, kind: &str) -> Vec<Position> {
    let scenario: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("scenario-dimap.json")).unwrap()).unwrap();
    let canonical = root.canonicalize().unwrap();
    scenario[kind]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let file = p["file"].as_str().unwrap();
            let abs = PathBuf::from(scenario[file]["path"].as_str().unwrap());
            Position {
                what: p["what"].as_str().unwrap_or(kind).to_string(),
                path: abs.strip_prefix(&canonical).unwrap().to_string_lossy().replace('\\', "/"),
                line: p["line"].as_u64().unwrap() as usize,
                character: p["character"].as_u64().unwrap() as usize,
            }
        })
        .collect()
}

fn load(root: &Path) -> Workspace {
    dimap::disk::load_workspace(root).expect("the generated workspace loads").workspace
}

fn benches(c: &mut Criterion) {
    let Some(root) = workspace_root() else { return };
    let big = std::fs::read_to_string(root.join("big/bulk.dimap")).unwrap();
    let mut group = c.benchmark_group("core");
    // Whole-workspace runs take seconds at 1x; few samples keep the run
    // within minutes on the 2-core machine.
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("parse 20,000-line file", |b| b.iter(|| dimap::syntax::parse(black_box(&big))));
    group.bench_function("schema::load_folder (both caches)", |b| {
        b.iter(|| dimap::schema::load_folder(black_box(&root.join(".dimap/schemas"))))
    });
    let ws = load(&root);
    group.bench_function("analysis::check (whole workspace)", |b| b.iter(|| dimap::analysis::check(black_box(&ws))));
    group.finish();

    let mut group = c.benchmark_group("ide");
    for p in positions(&root, "completion") {
        let id = ws.file_id(&p.path).expect("the scenario's file is in the workspace");
        let at = offset(ws.file(id).text(), p.line, p.character);
        group.bench_function(format!("completion: {}", p.what), |b| {
            b.iter(|| dimap::ide::completion::complete(black_box(&ws), id, at))
        });
    }
    for p in positions(&root, "hover") {
        let id = ws.file_id(&p.path).expect("the scenario's file is in the workspace");
        let at = offset(ws.file(id).text(), p.line, p.character);
        group.bench_function(format!("hover: {}", p.what), |b| {
            b.iter(|| dimap::ide::hover::hover(black_box(&ws), id, at))
        });
    }
    group.finish();
}

/// One keystroke as the server handles it, without the protocol: the
/// incremental parse, the lowering that reuses unchanged maps, and the
/// memoized check of the whole workspace. The edit alternates between
/// inserting a character after a field name and deleting it again, at the
/// scenario's position in the 20,000-line file and in the 100-line file, so
/// the two figures show what the size of the edited file adds.
fn keystrokes(c: &mut Criterion) {
    let Some(root) = workspace_root() else { return };
    let scenario: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("scenario-dimap.json")).unwrap()).unwrap();
    let canonical = root.canonicalize().unwrap();
    let mut ws = load(&root);
    let mut memo = dimap::analysis::CheckMemo::default();
    dimap::analysis::check_incremental(&ws, &mut memo);
    let mut group = c.benchmark_group("keystroke");
    let placeholder = Arc::new(dimap::analysis::WorkspaceFile::from_parse(String::new(), dimap::syntax::parse("")));
    for which in ["small", "big"] {
        let abs = PathBuf::from(scenario[which]["path"].as_str().unwrap());
        let path = abs.strip_prefix(&canonical).unwrap().to_string_lossy().replace('\\', "/");
        let id = ws.file_id(&path).expect("the scenario's file is in the workspace").0 as usize;
        let edit = &scenario[which]["edit"];
        let at = offset(
            ws.files[id].text(),
            edit["line"].as_u64().unwrap() as usize,
            edit["character"].as_u64().unwrap() as usize,
        );
        let mut inserted = false;
        group.bench_function(format!("{which} file: edit, lower, check"), |b| {
            b.iter(|| {
                let range = if inserted { at..at + 1 } else { at..at };
                let new_text = if inserted { String::new() } else { "X".to_string() };
                inserted = !inserted;
                // The workspace holds the only reference, as the server's
                // session does between keystrokes.
                let old = std::mem::replace(&mut ws.files[id], placeholder.clone());
                let mut parse = old.parse.clone();
                let model = dimap::analysis::WorkspaceFile::into_model(old);
                let mut changed = dimap::syntax::Changed::default();
                parse.edit(&dimap::syntax::TextEdit { range, new_text }, &mut changed);
                ws.files[id] =
                    Arc::new(dimap::analysis::WorkspaceFile::from_parse_reusing(path.clone(), parse, model, &changed));
                black_box(dimap::analysis::check_incremental(&ws, &mut memo))
            })
        });
    }
    group.finish();
}

criterion_group!(core, benches, keystrokes);
criterion_main!(core);
