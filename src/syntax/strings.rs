//! String literals: decoding the two quote styles and their escapes, and
//! mapping each byte of the decoded value back to the document, so that a
//! finding inside a filter lands on the right characters of the literal.

use crate::text::TextRange;

/// A string literal's value, with the document offset of each value byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedString {
    pub value: String,
    /// `source[i]` is the document offset of value byte `i`; one more entry
    /// holds the offset just after the last byte (the closing quote).
    source: Vec<usize>,
}

impl DecodedString {
    /// Moves the string's document offsets by `delta` bytes, for a string
    /// whose text moved but did not change.
    pub fn shift(&mut self, delta: isize) {
        for offset in &mut self.source {
            *offset = offset.wrapping_add_signed(delta);
        }
    }

    /// Maps a range of the decoded value to the document.
    pub fn to_source(&self, range: TextRange) -> TextRange {
        let last = self.source.len() - 1;
        let start = self.source[range.start.min(last)];
        let end = if range.end > range.start {
            // The end is just after the last byte of the range.
            self.source[(range.end - 1).min(last)] + 1
        } else {
            start
        };
        start..end.max(start)
    }
}

/// Decodes a literal written with `"` or `'` starting at `offset` in the
/// document. Escapes `\\`, `\"`, `\'`, `\n`, `\t` are decoded; any other
/// backslash pair is kept as written (X++ dates are `23\06\2021`).
pub fn decode_string(literal: &str, offset: usize) -> DecodedString {
    let mut value = String::with_capacity(literal.len());
    let mut source = Vec::with_capacity(literal.len() + 1);
    let quote = literal.chars().next().filter(|c| *c == '"' || *c == '\'');
    let body_start = quote.map_or(0, |q| q.len_utf8());
    let mut body_end = literal.len();
    if let Some(q) = quote {
        if literal.len() > 1 && literal.ends_with(q) {
            body_end -= 1;
        }
    }
    let body = &literal[body_start..body_end.max(body_start)];
    let mut chars = body.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        let at = offset + body_start + i;
        if ch == '\\' {
            if let Some(&(_, next)) = chars.peek() {
                let decoded = match next {
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    '\'' => Some('\''),
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    _ => None,
                };
                if let Some(decoded) = decoded {
                    chars.next();
                    push(&mut value, &mut source, decoded, at);
                    continue;
                }
            }
        }
        push(&mut value, &mut source, ch, at);
    }
    source.push(offset + body_start + body.len());
    DecodedString { value, source }
}

fn push(value: &mut String, source: &mut Vec<usize>, ch: char, at: usize) {
    for k in 0..ch.len_utf8() {
        source.push(at + k);
    }
    value.push(ch);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_and_others_stay() {
        let d = decode_string(r#"'it\'s 23\06\2021 \\ \t'"#, 10);
        assert_eq!(d.value, "it's 23\\06\\2021 \\ \t");
        // "s" of "it's" is value byte 3 and document offset 10 + 1 + 4.
        assert_eq!(d.to_source(3..4), 15..16);
    }

    #[test]
    fn ranges_map_to_the_literal() {
        let d = decode_string("\"abc\"", 0);
        assert_eq!(d.to_source(0..3), 1..4);
        assert_eq!(d.to_source(3..3), 4..4);
        let unterminated = decode_string("'ab", 0);
        assert_eq!(unterminated.value, "ab");
    }
}
