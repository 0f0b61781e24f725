//! Applying fixes: edits of one file sorted from the end, so earlier offsets
//! stay valid, and overlapping edits refused instead of corrupting text.

use std::collections::BTreeMap;

use crate::analysis::{Code, Diagnostic, FileId};
use crate::text::TextRange;

/// One replacement in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextReplacement {
    pub range: TextRange,
    pub new_text: String,
}

/// Applies replacements that do not overlap. Returns the new text and how
/// many were applied; a replacement overlapping an earlier-accepted one, or
/// out of bounds, is skipped.
pub fn apply(text: &str, mut edits: Vec<TextReplacement>) -> (String, usize) {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut accepted: Vec<TextReplacement> = Vec::new();
    for edit in edits {
        let in_bounds = edit.range.start <= edit.range.end
            && edit.range.end <= text.len()
            && text.is_char_boundary(edit.range.start)
            && text.is_char_boundary(edit.range.end);
        let overlaps = accepted.last().is_some_and(|last| {
            edit.range.start < last.range.end
                || (edit.range.start == last.range.start && edit.range.is_empty() && last.range.is_empty())
        });
        if in_bounds && !overlaps {
            accepted.push(edit);
        }
    }
    let mut out = text.to_string();
    for edit in accepted.iter().rev() {
        out.replace_range(edit.range.clone(), &edit.new_text);
    }
    (out, accepted.len())
}

/// The edits of every finding's one preferred fix, by file, as `--fix`
/// and "fix all" apply them. A fix is taken whole or not at all: one whose
/// edits overlap an already-taken fix is left for the next run, and files
/// with syntax errors are not touched (the parser may have misread them).
pub fn unambiguous_fixes(diagnostics: &[Diagnostic]) -> BTreeMap<FileId, Vec<TextReplacement>> {
    let broken: Vec<FileId> =
        diagnostics.iter().filter(|d| d.code == Code::Dimap0001).map(|d| d.location.file).collect();
    let mut per_file: BTreeMap<FileId, Vec<TextReplacement>> = BTreeMap::new();
    for d in diagnostics {
        let preferred: Vec<_> = d.fixes.iter().filter(|f| f.preferred).collect();
        let [fix] = preferred.as_slice() else { continue };
        let overlaps = fix.edits.iter().any(|e| {
            broken.contains(&e.location.file)
                || per_file
                    .get(&e.location.file)
                    .is_some_and(|taken| taken.iter().any(|t| overlap(&t.range, &e.location.range)))
        });
        if overlaps {
            continue;
        }
        for edit in &fix.edits {
            per_file
                .entry(edit.location.file)
                .or_default()
                .push(TextReplacement { range: edit.location.range.clone(), new_text: edit.new_text.clone() });
        }
    }
    per_file
}

/// Two ranges overlap, or are insertions at the same place (whose order
/// would be a guess).
fn overlap(a: &TextRange, b: &TextRange) -> bool {
    (a.start < b.end && b.start < a.end) || a.start == b.start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_from_the_end_and_overlaps_are_skipped() {
        let edits = vec![
            TextReplacement { range: 0..1, new_text: "X".into() },
            TextReplacement { range: 4..4, new_text: "!".into() },
            TextReplacement { range: 0..2, new_text: "overlap".into() },
        ];
        assert_eq!(apply("abcd", edits), ("Xbcd!".to_string(), 2));
    }
}
