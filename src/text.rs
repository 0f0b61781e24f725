//! Text positions: byte ranges as every layer speaks them, and the line index
//! that turns a byte offset into a line and a column in UTF-8, UTF-16 or
//! UTF-32 code units for the protocol and the JSON output.

use std::ops::Range;

/// A range of bytes in one document's text.
pub type TextRange = Range<usize>;

/// How a column is counted, as negotiated with an editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

/// A zero-based line and column, the column in the units of an encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// The start offset of every line of a text, built once per text so that
/// converting many findings costs a binary search each.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { line_starts, len: text.len() }
    }

    /// Patches the index for an edit that replaced `range` of the old text
    /// with `new_text`, so that a keystroke in a long file does not scan
    /// the whole file again: the lines of the replaced text go, those of
    /// the new text come in, and the starts after the edit move.
    pub fn apply_edit(&mut self, range: TextRange, new_text: &str) {
        let range = range.start.min(self.len)..range.end.clamp(range.start.min(self.len), self.len);
        let delta = new_text.len() as isize - range.len() as isize;
        // A line start `s` follows a newline at `s - 1`; the replaced
        // newlines are those with `range.start <= s - 1 < range.end`.
        let first = self.line_starts.partition_point(|&s| s <= range.start);
        let last = self.line_starts.partition_point(|&s| s <= range.end);
        let inserted: Vec<usize> =
            memchr::memchr_iter(b'\n', new_text.as_bytes()).map(|i| range.start + i + 1).collect();
        let after = first + inserted.len();
        self.line_starts.splice(first..last, inserted);
        for start in &mut self.line_starts[after..] {
            *start = start.wrapping_add_signed(delta);
        }
        self.len = self.len.wrapping_add_signed(delta);
    }

    /// The zero-based line of `offset` and its column in bytes.
    pub fn point(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        (line, offset.min(self.len) - self.line_start(line))
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The zero-based line that holds `offset` (offsets past the end clamp).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// The byte offset where `line` starts, or the end of the text.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// Converts a byte offset into a line and a column in `encoding` units.
    /// An offset inside a multi-byte character counts as that character's
    /// start, so a bad offset can never produce a position past the text.
    pub fn line_col(&self, text: &str, offset: usize, encoding: PositionEncoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let prefix = &text[self.line_start(line)..offset];
        let col = match encoding {
            PositionEncoding::Utf8 => prefix.len(),
            PositionEncoding::Utf16 => prefix.encode_utf16().count(),
            PositionEncoding::Utf32 => prefix.chars().count(),
        };
        LineCol { line: line as u32, col: col as u32 }
    }

    /// Converts a line and column back into a byte offset, clamping a column
    /// past the end of its line to the line's end (before its newline), and a
    /// column inside a character to that character's start.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: PositionEncoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        let start = self.line_start(line);
        let end = self.line_starts.get(line + 1).map_or(text.len(), |&next| next - 1);
        let line_text = &text[start..end.max(start)];
        let mut units = 0usize;
        for (i, ch) in line_text.char_indices() {
            let width = match encoding {
                PositionEncoding::Utf8 => ch.len_utf8(),
                PositionEncoding::Utf16 => ch.len_utf16(),
                PositionEncoding::Utf32 => 1,
            };
            if units + width > pos.col as usize {
                return start + i;
            }
            units += width;
        }
        start + line_text.len()
    }
}

/// The largest char boundary at or before `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_in_the_negotiated_units() {
        let text = "ab\nx😀y\n";
        let index = LineIndex::new(text);
        let y = text.find('y').unwrap();
        assert_eq!(index.line_col(text, y, PositionEncoding::Utf8), LineCol { line: 1, col: 5 });
        assert_eq!(index.line_col(text, y, PositionEncoding::Utf16), LineCol { line: 1, col: 3 });
        assert_eq!(index.line_col(text, y, PositionEncoding::Utf32), LineCol { line: 1, col: 2 });
        for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32] {
            let pos = index.line_col(text, y, enc);
            assert_eq!(index.offset(text, pos, enc), y);
        }
    }

    /// An index patched edit by edit equals one built from the text.
    #[test]
    fn patched_index_equals_a_fresh_one() {
        let mut next = crate::testing::random(0x1e5);
        let pieces = ["", "a", "\n", "\n\n", "x\ny", "😀", "\r\n"];
        let mut text = String::from("one\ntwo\n\nthree");
        let mut index = LineIndex::new(&text);
        for _ in 0..2000 {
            let start = floor_char_boundary(&text, next(text.len() + 1));
            let end = floor_char_boundary(&text, (start + next(8)).min(text.len()));
            let piece = pieces[next(pieces.len())];
            index.apply_edit(start..end, piece);
            text.replace_range(start..end, piece);
            let fresh = LineIndex::new(&text);
            assert_eq!((&index.line_starts, index.len), (&fresh.line_starts, fresh.len));
        }
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, LineCol { line: 0, col: 99 }, PositionEncoding::Utf16), 2);
        assert_eq!(index.offset(text, LineCol { line: 9, col: 0 }, PositionEncoding::Utf16), 5);
        // Inside the surrogate pair of an emoji: the character's start.
        let text = "😀x";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, LineCol { line: 0, col: 1 }, PositionEncoding::Utf16), 0);
        assert_eq!(index.line_col(text, 2, PositionEncoding::Utf16), LineCol { line: 0, col: 0 });
    }
}
