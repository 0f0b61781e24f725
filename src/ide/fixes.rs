//! Applying fixes: edits of one file sorted from the end, so earlier offsets
//! stay valid, and overlapping edits refused instead of corrupting text.

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
