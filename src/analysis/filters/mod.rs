//! Source filters of `filter` statements: the OData `$filter` parser for
//! Dataverse sides (`odata`), the X++ query range parser for finance and
//! operations sides (`xpp`), and what both share: errors, column references,
//! literals, operands and the character scanner.
//!
//! Parsing is pure: a filter's text goes in, an AST with byte ranges (relative
//! to that text) or the first error comes out. Checking the named columns
//! against a schema is the caller's job (`columns()` lists them).

mod lex;
pub mod odata;
pub mod xpp;

use std::fmt;
use std::ops::Range;

/// A problem in a filter, in byte offsets of the filter text given to `parse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub range: Range<usize>,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterError {}

/// A column (OData) or field (X++) named by a filter, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRef {
    pub name: String,
    pub range: Range<usize>,
}

/// A literal of a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// The string's value, with escapes resolved.
    String(String),
    Number(f64),
    Bool(bool),
    Null,
    /// A bare GUID (OData), as written.
    Guid(String),
    /// A calendar date: ISO `2021-06-23` in OData, `23\06\2021` in X++.
    Date {
        year: u16,
        month: u8,
        day: u8,
    },
    /// An ISO date and time (OData), as written, e.g. `2021-06-23T10:00:00Z`.
    DateTime(String),
    /// An X++ enum value `EnumName::Member`.
    Enum {
        enum_name: String,
        member: String,
    },
}

/// One side of a comparison: a column of the entity or a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Column(ColumnRef),
    Literal { value: Literal, range: Range<usize> },
}

impl Operand {
    /// Where the operand is in the filter text.
    pub fn range(&self) -> Range<usize> {
        match self {
            Operand::Column(column) => column.range.clone(),
            Operand::Literal { range, .. } => range.clone(),
        }
    }

    /// The column this operand names, if it names one.
    pub fn column(&self) -> Option<&ColumnRef> {
        match self {
            Operand::Column(column) => Some(column),
            Operand::Literal { .. } => None,
        }
    }
}

/// How deep parentheses and negations may nest before the parser gives up
/// with an error; the parsers recurse once per level, so this keeps a
/// hostile filter from overflowing the stack.
const MAX_NESTING: usize = 256;

/// The message for a filter that nests deeper than `MAX_NESTING`.
fn too_deep(range: Range<usize>) -> FilterError {
    error(range, format!("the filter nests more than {MAX_NESTING} levels deep"))
}

fn error(range: Range<usize>, message: impl Into<String>) -> FilterError {
    FilterError { range, message: message.into() }
}

/// The error for a filter with nothing but whitespace in it.
fn empty_filter(text: &str) -> FilterError {
    error(0..text.len(), "the filter is empty")
}

/// Whether a filter holds nothing but whitespace, so both parsers reject it
/// the same way before lexing.
fn is_blank(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_whitespace())
}

/// Cuts a piece of filter text short (on a character boundary) so that a
/// long string literal or name does not swamp a message.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Quotes a piece of filter text for a message, shortened.
fn quote(text: &str) -> String {
    format!("`{}`", shorten(text))
}

/// The message for a character that cannot start a token, with control
/// characters escaped so that the message stays readable.
fn unexpected_character(c: char) -> String {
    format!("unexpected character `{}`", c.escape_debug())
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Checks that a calendar date exists, so that `31\02\2021` is caught here
/// rather than by the product at run time.
fn check_date(year: u32, month: u32, day: u32) -> Result<(), String> {
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} is not between 1 and 12"));
    }
    let last = days_in_month(year, month);
    if !(1..=last).contains(&day) {
        return Err(format!("day {day} is not between 1 and {last} in that month"));
    }
    Ok(())
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_leap_year(year: u32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// A cursor over filter text that only ever stops on character boundaries,
/// so every range the lexers build from it can slice the text safely.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner { text, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, expected: char) -> bool {
        let found = self.peek() == Some(expected);
        if found {
            self.pos += expected.len_utf8();
        }
        found
    }

    /// Consumes characters while `keep` holds and returns them.
    fn eat_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.bump();
        }
        &self.text[start..self.pos]
    }

    fn skip_whitespace(&mut self) {
        self.eat_while(|c| c.is_ascii_whitespace());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_cuts_long_text_on_a_char_boundary() {
        let long = "é".repeat(50);
        let quoted = quote(&long);
        assert_eq!(quoted, format!("`{}…`", "é".repeat(40)));
        assert_eq!(quote("abc"), "`abc`");
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert!(check_date(2020, 2, 29).is_ok());
        assert!(check_date(2021, 2, 29).is_err());
        assert!(check_date(1900, 2, 29).is_err());
        assert!(check_date(2000, 2, 29).is_ok());
        assert!(check_date(2021, 13, 1).is_err());
        assert!(check_date(2021, 4, 31).is_err());
        assert!(check_date(2021, 6, 0).is_err());
    }

    #[test]
    fn scanner_steps_over_multibyte_characters() {
        let mut scanner = Scanner::new("é1");
        assert_eq!(scanner.bump(), Some('é'));
        assert_eq!(scanner.pos, 2);
        assert_eq!(scanner.eat_while(|c| c.is_ascii_digit()), "1");
        assert_eq!(scanner.bump(), None);
    }
}
