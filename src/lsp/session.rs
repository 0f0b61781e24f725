//! The server's state: settings, the negotiated encoding, every workspace
//! file (open documents as the editor has them, the rest as on disk), the
//! caches, and what was last published. It is changed only synchronously,
//! under one lock, in the order notifications arrive; analysis runs on
//! snapshots taken from it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use crate::analysis::{CheckMemo, Severity, Workspace, WorkspaceFile};
use crate::schema::{CacheProblem, SchemaSet};
use crate::syntax::{self, Changed, Parse, TextEdit};
use crate::text::PositionEncoding;

/// Settings from `initializationOptions` and `workspace/didChangeConfiguration`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub schemas: Option<String>,
    pub debounce: Duration,
    /// A code's severity, or `None` for "off".
    pub severity: HashMap<String, Option<Severity>>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { schemas: None, debounce: Duration::from_millis(50), severity: HashMap::new() }
    }
}

impl Settings {
    /// Applies the keys `cli.md` names; unknown keys and bad values are
    /// ignored (and keep the previous value) rather than failing the server.
    pub fn update(&mut self, value: &serde_json::Value) {
        let value = value.get("dimap").unwrap_or(value);
        if let Some(schemas) = value.get("schemas").and_then(|v| v.as_str()) {
            self.schemas = Some(schemas.to_string());
        }
        let diagnostics = value.get("diagnostics");
        if let Some(ms) = diagnostics.and_then(|d| d.get("debounceMs")).and_then(|v| v.as_u64()) {
            self.debounce = Duration::from_millis(ms.min(10_000));
        }
        if let Some(map) = diagnostics.and_then(|d| d.get("severity")).and_then(|v| v.as_object()) {
            for (code, level) in map {
                let level = match level.as_str() {
                    Some("error") => Some(Severity::Error),
                    Some("warning") => Some(Severity::Warning),
                    Some("information") => Some(Severity::Information),
                    Some("hint") => Some(Severity::Hint),
                    Some("off") => None,
                    _ => continue,
                };
                self.severity.insert(code.clone(), level);
            }
        }
    }
}

/// An open document.
pub struct Document {
    pub version: i32,
    pub rope: Rope,
    pub parse: Parse,
}

/// A consistent view of the workspace for one analysis.
pub struct Snapshot {
    pub workspace: Workspace,
    pub root: PathBuf,
    pub encoding: PositionEncoding,
    pub generation: u64,
    pub versions: HashMap<String, i32>,
    pub cache_problems: Vec<CacheProblem>,
    pub severity: HashMap<String, Option<Severity>>,
    pub loaded: bool,
    memo: Arc<std::sync::Mutex<CheckMemo>>,
}

impl Snapshot {
    /// Every finding of the snapshot, re-running the rules only on maps
    /// whose inputs changed since the session's last check.
    pub fn check(&self) -> Vec<crate::analysis::Diagnostic> {
        self.check_only(None)
    }

    /// The findings of some files only (see [`crate::analysis::check_files`]).
    pub fn check_only(&self, only: Option<&[crate::analysis::FileId]>) -> Vec<crate::analysis::Diagnostic> {
        let mut memo = lock(&self.memo);
        crate::analysis::check_files(&self.workspace, &mut memo, only)
    }
}

pub struct Session {
    pub encoding: PositionEncoding,
    pub root: PathBuf,
    pub settings: Settings,
    pub schemas: Arc<SchemaSet>,
    pub schema_folder: String,
    pub cache_problems: Vec<CacheProblem>,
    pub files: BTreeMap<String, Arc<WorkspaceFile>>,
    pub documents: HashMap<String, Document>,
    /// Bumped by every change; an analysis of an older generation is stale
    /// and is not published.
    pub generation: u64,
    pub published: HashMap<String, Vec<lsp::Diagnostic>>,
    pub shut_down: bool,
    /// False until the workspace and caches are read: findings before that
    /// would be wrong (every cross-file name unknown), so none are published.
    pub loaded: bool,
    /// The client pulls diagnostics (`textDocument/diagnostic`), so none
    /// are pushed.
    pub pull_diagnostics: bool,
    /// The client can be asked to pull diagnostics again
    /// (`workspace/diagnostic/refresh`).
    pub refresh_pulled: bool,
    /// The client watches files for us (`workspace/didChangeWatchedFiles`
    /// with dynamic registration); otherwise the server does.
    pub client_watches_files: bool,
    /// The last semantic tokens sent per document, for deltas.
    pub semantic_tokens: HashMap<String, (String, Vec<u32>)>,
    pub next_result_id: u64,
    /// Each map's findings from earlier checks, so a keystroke re-runs the
    /// rules only on the maps it touched. Shared with the snapshots'
    /// analyses, which take turns with it.
    pub memo: Arc<std::sync::Mutex<CheckMemo>>,
    /// The paths of the open documents, including one still being parsed:
    /// the workspace load asks it, without waiting for the session's lock,
    /// whether to leave a file to the editor.
    pub open_paths: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

/// A document parsed and lowered, ready to join the session: the work is
/// done before the session's lock is taken, so a large file being opened
/// does not hold up the workspace load or other requests.
pub struct OpenedDocument {
    path: String,
    document: Document,
    file: WorkspaceFile,
}

impl OpenedDocument {
    pub fn new(path: String, version: i32, text: &str) -> OpenedDocument {
        let parse = syntax::parse(text);
        let file = WorkspaceFile::from_parse(path.clone(), parse.clone());
        OpenedDocument { path, document: Document { version, rope: Rope::from_str(text), parse }, file }
    }
}

impl Session {
    pub fn new() -> Session {
        Session {
            encoding: PositionEncoding::Utf16,
            root: PathBuf::from("."),
            settings: Settings::default(),
            schemas: Arc::new(SchemaSet::default()),
            schema_folder: ".dimap/schemas".into(),
            cache_problems: Vec::new(),
            files: BTreeMap::new(),
            documents: HashMap::new(),
            generation: 0,
            published: HashMap::new(),
            shut_down: false,
            loaded: false,
            pull_diagnostics: false,
            refresh_pulled: false,
            client_watches_files: false,
            semantic_tokens: HashMap::new(),
            next_result_id: 1,
            memo: Arc::default(),
            open_paths: Arc::default(),
        }
    }

    /// The workspace path of a document: relative to the root when under
    /// it, else absolute.
    pub fn path_of(&self, uri: &lsp::Uri) -> Option<String> {
        let path = uri.to_file_path()?;
        Some(match path.strip_prefix(&self.root) {
            Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
            Err(_) => path.to_string_lossy().into_owned(),
        })
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            workspace: Workspace::from_parts(
                self.files.values().cloned().collect(),
                self.schemas.clone(),
                self.schema_folder.clone(),
            ),
            root: self.root.clone(),
            encoding: self.encoding,
            generation: self.generation,
            versions: self.documents.iter().map(|(p, d)| (p.clone(), d.version)).collect(),
            cache_problems: self.cache_problems.clone(),
            severity: self.settings.severity.clone(),
            loaded: self.loaded,
            memo: self.memo.clone(),
        }
    }

    pub fn open(&mut self, path: String, version: i32, text: &str) {
        self.open_prepared(OpenedDocument::new(path, version, text));
    }

    pub fn open_prepared(&mut self, opened: OpenedDocument) {
        let OpenedDocument { path, document, file } = opened;
        lock(&self.open_paths).insert(path.clone());
        self.files.insert(path.clone(), Arc::new(file));
        self.documents.insert(path, document);
        self.generation += 1;
    }

    /// Applies changes in order. A version that does not move forward is
    /// refused, so a late or repeated notification cannot roll text back.
    pub fn change(&mut self, path: &str, version: i32, changes: Vec<lsp::TextDocumentContentChangeEvent>) -> bool {
        let encoding = self.encoding;
        if self.documents.get(path).is_none_or(|doc| version <= doc.version) {
            return false;
        }
        // The file leaves the workspace first: the document's text is then
        // held by the document alone and is edited in place, and the old
        // model's maps can be moved rather than copied.
        let old = self.files.remove(path).map(WorkspaceFile::into_model);
        let Some(doc) = self.documents.get_mut(path) else { return false };
        let mut changed = Changed::default();
        for change in changes {
            apply_change(doc, change, encoding, &mut changed);
        }
        doc.version = version;
        let parse = doc.parse.clone();
        let file = match old {
            Some(old) => WorkspaceFile::from_parse_reusing(path.to_string(), parse, old, &changed),
            None => WorkspaceFile::from_parse(path.to_string(), parse),
        };
        self.files.insert(path.to_string(), Arc::new(file));
        self.generation += 1;
        true
    }

    /// Closes a document; the file goes back to its content on disk (or
    /// leaves the workspace when it is not on disk).
    pub fn close(&mut self, path: &str) -> Option<i32> {
        let doc = self.documents.remove(path)?;
        lock(&self.open_paths).remove(path);
        let full = self.full_path(path);
        match std::fs::read_to_string(&full) {
            Ok(text) if path.ends_with(".dimap") => {
                self.files.insert(
                    path.to_string(),
                    Arc::new(WorkspaceFile::from_parse(path.to_string(), syntax::parse(&text))),
                );
            }
            _ => {
                self.files.remove(path);
            }
        }
        self.generation += 1;
        Some(doc.version)
    }

    pub fn full_path(&self, path: &str) -> PathBuf {
        if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else {
            self.root.join(path)
        }
    }
}

/// Takes a lock of the server's state. A handler that panicked while holding
/// it leaves consistent data behind (every change is applied whole), so a
/// poisoned lock is taken over rather than killing the server.
pub(super) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Default for Session {
    fn default() -> Session {
        Session::new()
    }
}

/// Applies one change to the rope and, incrementally, to the tree, and
/// records where the text changed.
fn apply_change(
    doc: &mut Document,
    change: lsp::TextDocumentContentChangeEvent,
    encoding: PositionEncoding,
    changed: &mut Changed,
) {
    let Some(range) = change.range else {
        changed.add(0..doc.rope.len_bytes(), change.text.len());
        doc.rope = Rope::from_str(&change.text);
        doc.parse = syntax::parse(&change.text);
        return;
    };
    let start = rope_offset(&doc.rope, range.start, encoding);
    let end = rope_offset(&doc.rope, range.end, encoding).max(start);
    let (start_char, end_char) = (doc.rope.byte_to_char(start), doc.rope.byte_to_char(end));
    doc.rope.remove(start_char..end_char);
    doc.rope.insert(start_char, &change.text);
    doc.parse.edit(&TextEdit { range: start..end, new_text: change.text }, changed);
}

/// The byte offset of a position; a line past the end is the end, a column
/// past the line's end is the line's end, and a column inside a character
/// (half a surrogate pair) is that character's start.
pub fn rope_offset(rope: &Rope, position: lsp::Position, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let mut offset = rope.line_to_byte(line);
    let mut units = 0usize;
    for ch in rope.line(line).chars() {
        if ch == '\n' || ch == '\r' {
            break;
        }
        let width = match encoding {
            PositionEncoding::Utf8 => ch.len_utf8(),
            PositionEncoding::Utf16 => ch.len_utf16(),
            PositionEncoding::Utf32 => 1,
        };
        if units + width > position.character as usize {
            break;
        }
        units += width;
        offset += ch.len_utf8();
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(range: Option<((u32, u32), (u32, u32))>, text: &str) -> lsp::TextDocumentContentChangeEvent {
        lsp::TextDocumentContentChangeEvent {
            range: range.map(|((a, b), (c, d))| lsp::Range {
                start: lsp::Position { line: a, character: b },
                end: lsp::Position { line: c, character: d },
            }),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn edits_apply_in_order_and_versions_only_go_forward() {
        let mut session = Session::new();
        session.open("a.dimap".into(), 1, "x😀y\nline two\n");
        assert!(session.change(
            "a.dimap",
            2,
            vec![change(Some(((0, 3), (0, 4))), "Y"), change(Some(((1, 0), (1, 4))), "LINE")]
        ));
        let doc = &session.documents["a.dimap"];
        assert_eq!(doc.parse.text(), "x😀Y\nLINE two\n");
        assert_eq!(doc.rope.to_string(), doc.parse.text());
        assert!(!session.change("a.dimap", 2, vec![change(None, "rolled back")]));
        assert_eq!(session.documents["a.dimap"].parse.text(), "x😀Y\nLINE two\n");
    }

    #[test]
    fn positions_past_the_end_or_inside_a_pair_are_clamped() {
        let rope = Rope::from_str("a😀b\nc");
        let at = |line, character| rope_offset(&rope, lsp::Position { line, character }, PositionEncoding::Utf16);
        assert_eq!(at(0, 2), 1, "inside the surrogate pair");
        assert_eq!(at(0, 99), 6);
        assert_eq!(at(9, 0), 8);
    }

    /// Thousands of random edits, applied incrementally as an editor sends
    /// them: after each, the tree equals a fresh parse of the same text, and
    /// now and then the findings equal those of a fresh workspace.
    #[test]
    fn random_incremental_edits_match_a_fresh_parse() {
        let base = include_str!("../../examples/broken/maps/customers.dimap");
        let pieces = [
            "",
            "a",
            " = ",
            " > ",
            "\n",
            "{",
            "}",
            "none",
            "default 3",
            "'x'",
            "\"",
            "ü",
            "😀",
            "value_map { A = 1 }",
            "#",
            ".x",
        ];
        let mut session = Session::new();
        session.open("m.dimap".into(), 0, base);
        let mut next = crate::testing::random(0x5eed);
        for version in 1..=3000 {
            let text = session.documents["m.dimap"].parse.text().to_string();
            let index = crate::text::LineIndex::new(&text);
            let pick = |n: usize| crate::text::floor_char_boundary(&text, n);
            let start = pick(next(text.len() + 1));
            let end = pick((start + next(12)).min(text.len()));
            let to_position = |offset: usize| {
                let at = index.line_col(&text, offset, PositionEncoding::Utf16);
                lsp::Position { line: at.line, character: at.col }
            };
            let new_text = pieces[next(pieces.len())];
            let edit = lsp::TextDocumentContentChangeEvent {
                range: Some(lsp::Range { start: to_position(start), end: to_position(end) }),
                range_length: None,
                text: new_text.to_string(),
            };
            let mut expected = text.clone();
            expected.replace_range(start..end, new_text);
            let mut edits = vec![edit];
            // Now and then a second edit in the same notification, before
            // or after the first, as editors send for multi-cursor typing.
            if next(4) == 0 {
                let index = crate::text::LineIndex::new(&expected);
                let at = crate::text::floor_char_boundary(&expected, next(expected.len() + 1));
                let position = index.line_col(&expected, at, PositionEncoding::Utf16);
                let position = lsp::Position { line: position.line, character: position.col };
                let piece = pieces[next(pieces.len())];
                edits.push(lsp::TextDocumentContentChangeEvent {
                    range: Some(lsp::Range { start: position, end: position }),
                    range_length: None,
                    text: piece.to_string(),
                });
                expected.insert_str(at, piece);
            }
            assert!(session.change("m.dimap", version, edits));
            let doc = &session.documents["m.dimap"];
            assert_eq!(doc.parse.text(), expected, "edit {version}");
            assert_eq!(doc.rope.to_string(), expected);
            assert_eq!(
                format!("{:?}", doc.parse.line_index()),
                format!("{:?}", crate::text::LineIndex::new(&expected)),
                "line index after edit {version}"
            );
            assert_eq!(doc.parse.sexp(), syntax::parse(&expected).sexp(), "tree after edit {version}");
            assert_eq!(doc.parse.errors(), syntax::parse(&expected).errors(), "syntax errors after edit {version}");
            assert_eq!(
                format!("{:?}", session.files["m.dimap"].model),
                format!("{:?}", crate::analysis::model::lower(&syntax::parse(&expected))),
                "the model reused across edit {version}"
            );
            if version % 100 == 0 {
                let incremental = session.snapshot().check();
                let fresh = crate::analysis::check(&Workspace::new(
                    vec![crate::analysis::SourceInput {
                        path: "m.dimap".into(),
                        text: expected,
                        invalid_utf8_at: None,
                    }],
                    SchemaSet::default(),
                    ".dimap/schemas".into(),
                ));
                assert_eq!(incremental, fresh, "findings after edit {version}");
            }
        }
    }

    #[test]
    fn settings_follow_cli_md() {
        let mut settings = Settings::default();
        settings.update(&serde_json::json!({ "dimap": { "schemas": "caches", "diagnostics": { "debounceMs": 0, "severity": { "DIMAP0009": "off", "DIPV1031": "warning", "X": "loud" } } } }));
        assert_eq!(settings.schemas.as_deref(), Some("caches"));
        assert_eq!(settings.debounce, Duration::ZERO);
        assert_eq!(settings.severity.get("DIMAP0009"), Some(&None));
        assert_eq!(settings.severity.get("DIPV1031"), Some(&Some(Severity::Warning)));
        assert!(!settings.severity.contains_key("X"));
    }
}
