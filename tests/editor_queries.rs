//! The editor plugins ship copies of the grammar's queries, since an editor
//! loads them from its own plugin folder. The copies must stay byte-identical
//! to `grammar/queries/`, and every query must compile against the grammar
//! (so a renamed node is caught by `cargo test`, not in someone's editor).

use std::path::{Path, PathBuf};

extern "C" {
    // Compiled into the dimap library by build.rs.
    fn tree_sitter_dimap() -> *const tree_sitter::ffi::TSLanguage;
}

fn language() -> tree_sitter::Language {
    // Keeps the dimap library, which holds the parser's object code, linked.
    let _ = dimap::syntax::HIGHLIGHTS_QUERY;
    // SAFETY: the generated parser returns a pointer to a static language
    // definition that lives as long as the program.
    unsafe { tree_sitter::Language::from_raw(tree_sitter_dimap()) }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The queries every editor gets.
const QUERIES: [&str; 3] = ["highlights.scm", "folds.scm", "indents.scm"];

/// Plugin folders holding copies of the queries.
const COPIES: [&str; 1] = ["editors/nvim/queries/dimap"];

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

#[test]
fn editor_query_copies_are_identical_to_the_grammars() {
    let root = root();
    let mut stale = Vec::new();
    for folder in COPIES {
        for name in QUERIES {
            let original = read(&root.join("grammar/queries").join(name));
            let copy = read(&root.join(folder).join(name));
            if copy != original {
                stale.push(format!("{folder}/{name}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these copies differ from grammar/queries/ (copy the grammar's files over them): {}",
        stale.join(", ")
    );
}

#[test]
fn every_query_compiles_against_the_grammar() {
    let language = language();
    for name in QUERIES {
        let path = root().join("grammar/queries").join(name);
        let text = String::from_utf8(read(&path)).expect("queries are UTF-8");
        if let Err(e) = tree_sitter::Query::new(&language, &text) {
            panic!("grammar/queries/{name} does not compile: {e}");
        }
    }
}

#[test]
fn indents_query_uses_only_nvim_treesitter_captures() {
    // The captures of nvim-treesitter's indent module (and of
    // editors/nvim/lua/dimap/indent.lua, which reads the first three).
    const KNOWN: [&str; 8] = [
        "indent.begin",
        "indent.end",
        "indent.branch",
        "indent.dedent",
        "indent.align",
        "indent.auto",
        "indent.ignore",
        "indent.zero",
    ];
    let text = String::from_utf8(read(&root().join("grammar/queries/indents.scm"))).unwrap();
    let query = tree_sitter::Query::new(&language(), &text).expect("indents.scm compiles");
    for capture in query.capture_names() {
        assert!(KNOWN.contains(capture), "indents.scm: unknown capture @{capture}");
    }
    for needed in ["indent.begin", "indent.branch", "indent.end"] {
        assert!(query.capture_names().contains(&needed), "indents.scm: no @{needed}");
    }
}
