//! The bodies of the fuzz targets (`fuzz/`), kept in the library so that
//! the seed corpus is replayed by `cargo test` on the stable toolchain and a
//! crash found by fuzzing becomes a regression test by adding its input to
//! the corpus. Each body panics only when an invariant breaks.

use std::sync::{Arc, OnceLock};

use crate::analysis::{check, SourceInput, Workspace};
use crate::schema::{CachedSchema, SchemaSet};

/// The parser never fails, and its errors lie within the text.
pub fn parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parse = crate::syntax::parse(text);
    for error in parse.errors() {
        assert!(error.range.start <= error.range.end && error.range.end <= text.len());
        assert!(text.is_char_boundary(error.range.start) && text.is_char_boundary(error.range.end));
    }
    let _ = parse.highlights();
    let _ = parse.folding_ranges();
}

/// The fixed caches every whole-check input is checked against.
fn caches() -> Arc<SchemaSet> {
    static CACHES: OnceLock<Arc<SchemaSet>> = OnceLock::new();
    CACHES
        .get_or_init(|| {
            let sources = [
                ("contoso-prod.json", include_str!("../tests/fixtures/schemas/contoso-prod.json")),
                ("contoso-sales.json", include_str!("../tests/fixtures/schemas/contoso-sales.json")),
                ("contoso-old.json", include_str!("../tests/fixtures/schemas/contoso-old.json")),
            ];
            let schemas =
                sources.iter().filter_map(|(name, text)| CachedSchema::from_json(text, name.into()).ok()).collect();
            Arc::new(SchemaSet::new(schemas))
        })
        .clone()
}

/// The whole check of a one-file workspace: findings lie within the text,
/// fixes apply, and formatting keeps every token.
pub fn check_one_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let input = SourceInput { path: "maps.dimap".into(), text: text.into(), invalid_utf8_at: None };
    let file = Arc::new(crate::analysis::WorkspaceFile::new(input));
    let ws = Workspace::from_parts(vec![file], caches(), ".dimap/schemas".into());
    let found = check(&ws);
    for d in &found {
        assert!(d.location.range.end <= text.len(), "{d:?}");
        for edit in d.fixes.iter().flat_map(|f| &f.edits) {
            assert!(edit.location.range.end <= text.len(), "{edit:?}");
        }
    }
    let _ =
        crate::ide::fixes::apply(text, crate::ide::fixes::unambiguous_fixes(&found).into_values().flatten().collect());
    if let Some(formatted) = crate::ide::format::format(&ws.files[0].parse) {
        let tokens = |t: &str| {
            t.split_whitespace()
                .map(|w| w.replace("><", "=").replace(">>", ">").replace("<<", "<"))
                .collect::<Vec<_>>()
                .concat()
        };
        assert_eq!(tokens(&formatted), tokens(text), "formatting keeps every token");
        let again = crate::ide::format::format(&crate::syntax::parse(&formatted));
        assert_eq!(again.as_deref(), Some(formatted.as_str()), "formatting is idempotent");
    }
    let end = text.len();
    for offset in [0, end / 3, end / 2, end] {
        let offset = crate::text::floor_char_boundary(text, offset);
        let _ = crate::ide::completion::complete(&ws, crate::analysis::FileId(0), offset);
        let _ = crate::ide::hover::hover(&ws, crate::analysis::FileId(0), offset);
    }
}

/// The cache loader reports a problem or gives a schema; it never panics.
pub fn cache(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(schema) = CachedSchema::from_json(text, "fuzz.json".into()) {
        for entity in schema.entities() {
            let _ = schema.entity(&entity.name);
        }
    }
}

/// Both filter parsers: errors and columns lie within the text.
pub fn filters(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let within = |r: &std::ops::Range<usize>| {
        r.start <= r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
    };
    match crate::analysis::filters::odata::parse(text) {
        Ok(expr) => assert!(expr.columns().iter().all(|c| within(&c.range))),
        Err(err) => assert!(within(&err.range), "{err:?}"),
    }
    match crate::analysis::filters::xpp::parse(text) {
        Ok(expr) => assert!(expr.columns().iter().all(|c| within(&c.range))),
        Err(err) => assert!(within(&err.range), "{err:?}"),
    }
}

/// A sequence of edits applied incrementally gives the same tree as a
/// fresh parse. The input is a start text, then edits of 4 bytes each
/// (start, length, and which replacement) after a NUL byte.
pub fn incremental_edits(data: &[u8]) {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let Ok(start) = std::str::from_utf8(&data[..split]) else { return };
    const PIECES: [&str; 12] = ["", "a", " = ", " > ", "\n", "{", "}", "none", "default 3", "'x'", "ü", "😀"];
    let mut parse = crate::syntax::parse(start);
    for edit in data.get(split + 1..).unwrap_or_default().chunks_exact(4) {
        let text = parse.text();
        let at = crate::text::floor_char_boundary(
            text,
            usize::from(u16::from_le_bytes([edit[0], edit[1]])) % (text.len() + 1),
        );
        let end = crate::text::floor_char_boundary(text, (at + usize::from(edit[2] % 16)).min(text.len()));
        let piece = PIECES[usize::from(edit[3]) % PIECES.len()];
        let mut expected = text.to_string();
        expected.replace_range(at..end, piece);
        parse = parse.apply_edit(&crate::syntax::TextEdit { range: at..end, new_text: piece.to_string() });
        assert_eq!(parse.text(), expected);
        assert_eq!(parse.sexp(), crate::syntax::parse(&expected).sexp());
    }
}
