//! The syntax layer: the only code that knows tree-sitter. It turns text into
//! a [`Parse`] (a concrete tree plus syntax errors, never a failure), offers
//! typed accessors over the tree in [`ast`], and re-parses incrementally after
//! an edit.

pub mod ast;
mod errors;
mod strings;

use std::sync::Arc;

use crate::text::{LineIndex, TextRange};

pub use strings::{decode_string, DecodedString};

extern "C" {
    fn tree_sitter_dimap() -> *const tree_sitter::ffi::TSLanguage;
}

/// The tree-sitter language of `.dimap` files.
pub(crate) fn language() -> tree_sitter::Language {
    // SAFETY: the generated parser exports a function returning a pointer to a
    // static language definition that lives as long as the program.
    unsafe { tree_sitter::Language::from_raw(tree_sitter_dimap()) }
}

/// The highlight query shared by every editor integration.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../grammar/queries/highlights.scm");
/// The folding query shared by every editor integration.
pub const FOLDS_QUERY: &str = include_str!("../../grammar/queries/folds.scm");

/// The compiled highlight query, built once.
fn highlights_query() -> &'static tree_sitter::Query {
    static QUERY: std::sync::OnceLock<tree_sitter::Query> = std::sync::OnceLock::new();
    QUERY.get_or_init(|| {
        tree_sitter::Query::new(&language(), HIGHLIGHTS_QUERY).expect("the shared highlight query compiles")
    })
}

/// A syntax error: where it is and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: TextRange,
    pub message: String,
    /// The whole node the error stands for, which may run past `range` (an
    /// error is shown on its first line): an edit anywhere in it redoes it.
    pub(crate) extent: TextRange,
}

/// The result of parsing one document: the tree and its errors. Parsing never
/// fails; broken text gives ERROR and MISSING nodes and an error for each.
#[derive(Clone)]
pub struct Parse {
    /// A `String` behind the `Arc` (not a `str`), so that an edited text
    /// is shared as built instead of being copied once more.
    text: Arc<String>,
    tree: tree_sitter::Tree,
    errors: Vec<SyntaxError>,
    /// The text's line starts, patched by each edit rather than rebuilt:
    /// the parser's edit points and every later position come from it.
    lines: Arc<LineIndex>,
}

impl std::fmt::Debug for Parse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parse").field("errors", &self.errors).finish_non_exhaustive()
    }
}

/// How long one parse may take before it is abandoned. The grammar parses
/// in linear time (20 MB in about a second), so only a pathological input
/// or a starved machine gets near it; the editor must stay responsive.
pub const PARSE_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Parses a document.
pub fn parse(text: &str) -> Parse {
    parse_with(Arc::new(text.to_string()), None, PARSE_LIMIT)
}

/// Parses with a time limit; past it the document is treated as empty and
/// one error says why, so the rest of the workspace is still checked.
pub fn parse_with_limit(text: &str, limit: std::time::Duration) -> Parse {
    parse_with(Arc::new(text.to_string()), None, limit)
}

fn parse_with(text: Arc<String>, old: Option<&tree_sitter::Tree>, limit: std::time::Duration) -> Parse {
    let lines = Arc::new(LineIndex::new(&text));
    match parse_tree(&text, old, limit) {
        Ok(tree) => {
            let errors = errors::collect(&tree, &text);
            Parse { text, tree, errors, lines }
        }
        Err(stopped) => stopped.into_parse(text, lines, limit),
    }
}

/// A parse that ran past its limit: an empty tree stands in for it.
struct Stopped(tree_sitter::Tree);

impl Stopped {
    fn into_parse(self, text: Arc<String>, lines: Arc<LineIndex>, limit: std::time::Duration) -> Parse {
        let message =
            format!("parsing this file took longer than {} s and was stopped; it was not checked", limit.as_secs_f64());
        Parse { text, tree: self.0, errors: vec![SyntaxError { range: 0..0, message, extent: 0..0 }], lines }
    }
}

fn parse_tree(
    text: &str,
    old: Option<&tree_sitter::Tree>,
    limit: std::time::Duration,
) -> Result<tree_sitter::Tree, Stopped> {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&language()).expect("the generated grammar matches the linked tree-sitter ABI");
    let started = std::time::Instant::now();
    let bytes = text.as_bytes();
    let mut read = |offset: usize, _: tree_sitter::Point| bytes.get(offset..).unwrap_or_default();
    let mut progress = |_: &tree_sitter::ParseState| {
        if started.elapsed() > limit {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
    match parser.parse_with_options(&mut read, old, Some(options)) {
        Some(tree) => Ok(tree),
        None => {
            parser.reset();
            Err(Stopped(parser.parse("", None).expect("an empty text parses")))
        }
    }
}

/// Where a text differs from what it was before a series of edits: one
/// range of the new text, with the text before it unchanged in place and
/// the text after it unchanged but moved by `delta` bytes. The lowering
/// reuses every map outside it without comparing any text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    range: Option<TextRange>,
    delta: isize,
}

impl Changed {
    /// Records that `range` of the current text was replaced by `new_len`
    /// bytes.
    pub fn add(&mut self, range: TextRange, new_len: usize) {
        let delta = new_len as isize - range.len() as isize;
        let (start, end) = match &self.range {
            Some(changed) => (changed.start.min(range.start), changed.end.max(range.end)),
            None => (range.start, range.end),
        };
        self.range = Some(start..end.wrapping_add_signed(delta));
        self.delta += delta;
    }

    /// Where a range of the new text was before the edits, when its text
    /// is the same as it was then.
    pub fn old_range(&self, range: &TextRange) -> Option<TextRange> {
        match &self.range {
            None => Some(range.clone()),
            Some(changed) if range.end <= changed.start => Some(range.clone()),
            Some(changed) if range.start >= changed.end => {
                Some(range.start.wrapping_add_signed(-self.delta)..range.end.wrapping_add_signed(-self.delta))
            }
            Some(_) => None,
        }
    }
}

/// One edit of a document, in byte offsets of the text before the edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

impl Parse {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// The line index of the text.
    pub fn line_index(&self) -> &LineIndex {
        &self.lines
    }

    pub fn root(&self) -> ast::SourceFile<'_> {
        ast::SourceFile::new(self.tree.root_node(), &self.text)
    }

    /// Every `{` and `}` token (not those inside strings or comments) with
    /// its offset and whether it opens: the formatter's block depths.
    pub fn braces(&self) -> Vec<(usize, bool)> {
        let mut out = Vec::new();
        let mut cursor = self.tree.walk();
        let mut stack = vec![self.tree.root_node()];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "{" if !node.is_named() => out.push((node.start_byte(), true)),
                "}" if !node.is_named() => out.push((node.start_byte(), false)),
                _ => stack.extend(node.children(&mut cursor).collect::<Vec<_>>()),
            }
        }
        out.sort();
        out
    }

    /// Highlight captures of the shared query, in document order, without
    /// overlaps (the first capture of a range wins, as editors resolve them).
    pub fn highlights(&self) -> Vec<(TextRange, &'static str)> {
        use tree_sitter::StreamingIterator;
        let query = highlights_query();
        let mut cursor = tree_sitter::QueryCursor::new();
        let mut captures = cursor.captures(query, self.tree.root_node(), self.text.as_bytes());
        let mut out: Vec<(TextRange, &'static str)> = Vec::new();
        while let Some((found, index)) = captures.next() {
            let capture = found.captures()[*index];
            let range = capture.node.byte_range();
            let name = query.capture_names()[capture.index as usize];
            if out.iter().any(|(r, _)| r.start < range.end && range.start < r.end) {
                continue;
            }
            out.push((range, name));
        }
        out.sort_by_key(|(r, _)| r.start);
        out
    }

    /// The ranges an editor folds: every braced block.
    pub fn folding_ranges(&self) -> Vec<TextRange> {
        let mut out = Vec::new();
        let mut cursor = self.tree.walk();
        let mut stack = vec![self.tree.root_node()];
        while let Some(node) = stack.pop() {
            if matches!(node.kind(), "connection_set_body" | "project_body" | "map_body" | "value_map") {
                out.push(node.byte_range());
            }
            stack.extend(node.children(&mut cursor).collect::<Vec<_>>());
        }
        out.sort_by_key(|r| r.start);
        out
    }

    /// The tree as an S-expression, for tests and debugging.
    pub fn sexp(&self) -> String {
        self.tree.root_node().to_sexp()
    }

    /// Applies an edit and re-parses incrementally, reusing the unchanged
    /// parts of the old tree. Ranges outside the text or off a character
    /// boundary are clamped rather than trusted.
    pub fn apply_edit(&self, edit: &TextEdit) -> Parse {
        let mut edited = self.clone();
        edited.edit(edit, &mut Changed::default());
        edited
    }

    /// Applies an edit in place and records where the text changed in
    /// `changed`. When nothing else shares the text, it is edited where it
    /// is: a keystroke in a long file then allocates no new copy of it.
    pub fn edit(&mut self, edit: &TextEdit, changed: &mut Changed) {
        let start = crate::text::floor_char_boundary(&self.text, edit.range.start);
        let end = crate::text::floor_char_boundary(&self.text, edit.range.end.max(start));
        let new_end = start + edit.new_text.len();
        let point = |(row, column): (usize, usize)| tree_sitter::Point { row, column };
        let (start_position, old_end_position) = (point(self.lines.point(start)), point(self.lines.point(end)));
        let lines = Arc::make_mut(&mut self.lines);
        lines.apply_edit(start..end, &edit.new_text);
        let input = tree_sitter::InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position: point(lines.point(new_end)),
        };
        Arc::make_mut(&mut self.text).replace_range(start..end, &edit.new_text);
        changed.add(start..end, edit.new_text.len());
        self.tree.edit(&input);
        let tree = match parse_tree(&self.text, Some(&self.tree), PARSE_LIMIT) {
            Ok(tree) => tree,
            Err(stopped) => {
                *self = stopped.into_parse(self.text.clone(), self.lines.clone(), PARSE_LIMIT);
                return;
            }
        };
        // Only the part of the tree the edit changed is searched for errors;
        // the old errors elsewhere are kept, moved by the edit.
        let mut region = start..new_end;
        for changed in self.tree.changed_ranges(&tree) {
            region.start = region.start.min(changed.start_byte);
            region.end = region.end.max(changed.end_byte);
        }
        let delta = new_end as isize - end as isize;
        let shift = |r: &TextRange| r.start.wrapping_add_signed(delta)..r.end.wrapping_add_signed(delta);
        let moved = std::mem::take(&mut self.errors).into_iter().filter_map(|e| {
            if e.extent.end < start {
                Some(e)
            } else if e.extent.start > end {
                Some(SyntaxError { range: shift(&e.range), message: e.message, extent: shift(&e.extent) })
            } else {
                None
            }
        });
        self.errors = errors::collect_after_edit(&tree, &self.text, region, moved);
        self.tree = tree;
    }
}

#[cfg(test)]
mod tests;
