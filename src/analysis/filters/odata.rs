//! The OData `$filter` subset that dual-write accepts as the source filter of
//! a Dataverse side: its lexer, its recursive-descent parser and its AST.
//!
//! Supported: `eq ne gt ge lt le`, `and` / `or` / `not` (precedence
//! not > and > or), parentheses, column names, strings in `'` (`''` escapes a
//! quote), numbers, `true`, `false`, `null`, bare GUIDs, ISO dates and date
//! times, and `startswith(column, 'text')` / `endswith(column, 'text')`.
//! Any other function (notably `contains`) and nested lookups (`a/b`) are
//! reported as errors, because dual-write rejects them.

use std::ops::Range;

use super::lex::{Parsed, TokenKind as _};
use super::{
    check_date, empty_filter, error, is_blank, is_ident_continue, lex, quote, shorten, unexpected_character, ColumnRef,
    FilterError, Literal, Operand, Scanner,
};

/// A comparison operator of OData.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    /// The operator as OData writes it.
    pub fn keyword(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    fn from_keyword(word: &str) -> Option<Self> {
        let op = match word {
            "eq" => CompareOp::Eq,
            "ne" => CompareOp::Ne,
            "gt" => CompareOp::Gt,
            "ge" => CompareOp::Ge,
            "lt" => CompareOp::Lt,
            "le" => CompareOp::Le,
            _ => return None,
        };
        Some(op)
    }
}

/// A string function that dual-write supports in a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFunction {
    StartsWith,
    EndsWith,
}

impl StringFunction {
    /// The function's name as OData writes it.
    pub fn name(self) -> &'static str {
        match self {
            StringFunction::StartsWith => "startswith",
            StringFunction::EndsWith => "endswith",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "startswith" => Some(StringFunction::StartsWith),
            "endswith" => Some(StringFunction::EndsWith),
            _ => None,
        }
    }
}

/// A parsed OData filter. Every node keeps the byte range of its text; a
/// node written in parentheses has a range that includes them.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `left op right`, e.g. `isocurrencycode eq 'USD'`.
    Compare { left: Operand, op: CompareOp, op_range: Range<usize>, right: Operand, range: Range<usize> },
    /// Two or more conditions joined by `and`, in text order.
    And { operands: Vec<Expr>, range: Range<usize> },
    /// Two or more conditions joined by `or`, in text order.
    Or { operands: Vec<Expr>, range: Range<usize> },
    /// `not operand`.
    Not { operand: Box<Expr>, range: Range<usize> },
    /// `startswith(column, 'argument')` or `endswith(column, 'argument')`.
    Call {
        function: StringFunction,
        function_range: Range<usize>,
        column: ColumnRef,
        argument: String,
        argument_range: Range<usize>,
        range: Range<usize>,
    },
}

impl Expr {
    /// Where the expression is in the filter text.
    pub fn range(&self) -> Range<usize> {
        match self {
            Expr::Compare { range, .. }
            | Expr::And { range, .. }
            | Expr::Or { range, .. }
            | Expr::Not { range, .. }
            | Expr::Call { range, .. } => range.clone(),
        }
    }

    /// Every column the filter names, in text order, so that the caller can
    /// check each one against the entity's schema.
    pub fn columns(&self) -> Vec<ColumnRef> {
        let mut columns = Vec::new();
        self.collect_columns(&mut columns);
        columns
    }

    fn collect_columns(&self, columns: &mut Vec<ColumnRef>) {
        match self {
            Expr::Compare { left, right, .. } => {
                columns.extend(left.column().cloned());
                columns.extend(right.column().cloned());
            }
            Expr::And { operands, .. } | Expr::Or { operands, .. } => {
                operands.iter().for_each(|e| e.collect_columns(columns));
            }
            Expr::Not { operand, .. } => operand.collect_columns(columns),
            Expr::Call { column, .. } => columns.push(column.clone()),
        }
    }

    fn range_mut(&mut self) -> &mut Range<usize> {
        match self {
            Expr::Compare { range, .. }
            | Expr::And { range, .. }
            | Expr::Or { range, .. }
            | Expr::Not { range, .. }
            | Expr::Call { range, .. } => range,
        }
    }
}

/// Parses an OData `$filter` expression, reporting the first problem in text
/// order.
pub fn parse(text: &str) -> Result<Expr, FilterError> {
    if is_blank(text) {
        return Err(empty_filter(text));
    }
    let mut parser = Parser::new(text, lex_token);
    let expr = parser.or_expr()?;
    parser.finish()?;
    Ok(expr)
}

// ---------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    /// A name: a column, a function, or a keyword such as `and` or `eq`
    /// (keywords are not reserved by the lexer, the parser tells them apart).
    Ident,
    /// A name with `/` in it: a nested lookup, which dual-write rejects.
    Path,
    Literal(Literal),
    LParen,
    RParen,
    Comma,
    End,
    /// Text that is no token; lexing stops here, so the parser reports it
    /// only if nothing before it is wrong.
    Invalid(String),
}

type Token = lex::Token<TokenKind>;

lex::impl_token_kind!(TokenKind);

fn lex_token(scanner: &mut Scanner, c: char) -> TokenKind {
    match c {
        '(' | ')' | ',' => {
            scanner.bump();
            match c {
                '(' => TokenKind::LParen,
                ')' => TokenKind::RParen,
                _ => TokenKind::Comma,
            }
        }
        '\'' => lex_string(scanner),
        '-' if scanner.peek_second().is_some_and(|d| d.is_ascii_digit()) => lex_number(scanner),
        c if is_ident_continue(c) => lex_word(scanner, c),
        '"' => {
            scanner.bump();
            TokenKind::Invalid("OData strings are written in single quotes, as in 'USD'".into())
        }
        _ => {
            scanner.bump();
            TokenKind::Invalid(unexpected_character(c))
        }
    }
}

/// Lexes a string in single quotes, where `''` stands for one quote.
fn lex_string(scanner: &mut Scanner) -> TokenKind {
    lex::lex_string(scanner, '\'', '\'')
}

/// Lexes a token that starts with a letter, digit or `_`: a GUID, a date,
/// a number, a name or a path. GUIDs and dates are tried first because they
/// start like numbers or names.
fn lex_word(scanner: &mut Scanner, first: char) -> TokenKind {
    if let Some(guid) = guid_prefix(scanner.rest()) {
        scanner.pos += guid.len();
        return TokenKind::Literal(Literal::Guid(guid.to_string()));
    }
    if starts_like_date(scanner.rest()) {
        return lex_date(scanner);
    }
    if first.is_ascii_digit() {
        return lex_number(scanner);
    }
    lex_name(scanner)
}

/// The bare GUID (`8-4-4-4-12` hex digits) at the start of `rest`, if any.
fn guid_prefix(rest: &str) -> Option<&str> {
    const LEN: usize = 36;
    let bytes = rest.as_bytes();
    let shape_ok = bytes.len() >= LEN
        && bytes[..LEN].iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    let ends_there = bytes.get(LEN).is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-'));
    // All 36 bytes are ASCII, so `LEN` is a character boundary.
    (shape_ok && ends_there).then(|| &rest[..LEN])
}

/// Whether `rest` starts with four digits and a `-`, the start of an ISO
/// date (OData has no subtraction, so nothing else looks like this).
fn starts_like_date(rest: &str) -> bool {
    let bytes = rest.as_bytes();
    bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-'
}

fn lex_date(scanner: &mut Scanner) -> TokenKind {
    let word = scanner.eat_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '.' | '+' | '_'));
    TokenKind::literal_or_invalid(parse_iso(word))
}

/// Reads `yyyy-mm-dd` or `yyyy-mm-ddThh:mm[:ss[.fff]][Z|±hh:mm]` and checks
/// that the date exists and the time is a time of day.
fn parse_iso(word: &str) -> Result<Literal, String> {
    let (date, time) = match word.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (word, None),
    };
    let Some((year, month, day)) = split_ymd(date) else {
        return Err(format!("{} is not an ISO date such as `2021-06-23` or `2021-06-23T10:00:00Z`", quote(word)));
    };
    check_date(year, month, day).map_err(|why| format!("{} is not a valid date: {why}", quote(word)))?;
    match time {
        None => Ok(Literal::Date { year: year as u16, month: month as u8, day: day as u8 }),
        Some(time) if is_iso_time(time) => Ok(Literal::DateTime(word.to_string())),
        Some(_) => Err(format!("{} is not a valid ISO date and time such as `2021-06-23T10:00:00Z`", quote(word))),
    }
}

fn split_ymd(date: &str) -> Option<(u32, u32, u32)> {
    let mut parts = date.split('-');
    let year = fixed_digits(parts.next()?, 4)?;
    let month = fixed_digits(parts.next()?, 2)?;
    let day = fixed_digits(parts.next()?, 2)?;
    parts.next().is_none().then_some((year, month, day))
}

/// Reads exactly `len` ASCII digits.
fn fixed_digits(part: &str, len: usize) -> Option<u32> {
    if part.len() != len || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// Checks `hh:mm[:ss[.fff]]` followed by an optional `Z` or `±hh:mm`.
fn is_iso_time(time: &str) -> bool {
    if let Some(clock) = time.strip_suffix('Z') {
        return is_clock(clock);
    }
    match time.find(['+', '-']) {
        // The date word is ASCII only, so `i` and `i + 1` are boundaries.
        Some(i) => is_clock(&time[..i]) && is_offset(&time[i + 1..]),
        None => is_clock(time),
    }
}

fn is_clock(clock: &str) -> bool {
    let mut parts = clock.split(':');
    let hour_minute = matches!(
        (parts.next().and_then(|h| fixed_digits(h, 2)), parts.next().and_then(|m| fixed_digits(m, 2))),
        (Some(h), Some(m)) if h < 24 && m < 60
    );
    let seconds_ok = parts.next().is_none_or(is_seconds);
    hour_minute && seconds_ok && parts.next().is_none()
}

fn is_seconds(seconds: &str) -> bool {
    let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, "0"));
    let fraction_ok = !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit());
    fixed_digits(whole, 2).is_some_and(|s| s < 60) && fraction_ok
}

fn is_offset(offset: &str) -> bool {
    match offset.split_once(':') {
        Some((h, m)) => fixed_digits(h, 2).is_some_and(|h| h < 24) && fixed_digits(m, 2).is_some_and(|m| m < 60),
        None => false,
    }
}

/// Lexes a number, or a number with letters glued to it, which is invalid.
fn lex_number(scanner: &mut Scanner) -> TokenKind {
    lex::lex_number(scanner, "column name")
}

/// Lexes a name, and any `/segment`s glued to it, which make it a path.
fn lex_name(scanner: &mut Scanner) -> TokenKind {
    scanner.eat_while(is_ident_continue);
    let mut path = false;
    while scanner.eat('/') {
        path = true;
        scanner.eat_while(is_ident_continue);
    }
    if path {
        TokenKind::Path
    } else {
        TokenKind::Ident
    }
}

// ---------------------------------------------------------------------------
// Parser

/// Words that are operators wherever they appear, so never column names.
const OPERATOR_WORDS: [&str; 9] = ["and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le"];
/// Words that are literals in value position.
const LITERAL_WORDS: [&str; 3] = ["true", "false", "null"];

/// The lower-case keyword that `word` spells in another case (`AND`,
/// `Null`), since OData keywords are case-sensitive and this is a common
/// slip.
fn miscased_keyword(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let is_keyword = OPERATOR_WORDS.contains(&lower.as_str()) || LITERAL_WORDS.contains(&lower.as_str());
    (is_keyword && lower != word).then_some(lower)
}

fn nested_lookup(range: Range<usize>) -> FilterError {
    error(range, "nested lookups (a/b) are not supported by dual-write filters")
}

type Parser<'t> = lex::Parser<'t, TokenKind>;

impl<'t> Parser<'t> {
    // --- token access -----------------------------------------------------

    fn next_is_lparen(&self) -> bool {
        self.tokens.get(self.pos + 1).is_some_and(|t| t.kind == TokenKind::LParen)
    }

    fn slice(&self, token: &Token) -> &'t str {
        &self.text[token.range.clone()]
    }

    /// The current token's text if it is a name.
    fn word(&self) -> Option<&'t str> {
        let token = self.peek();
        (token.kind == TokenKind::Ident).then(|| self.slice(token))
    }

    fn at_word(&self, word: &str) -> bool {
        self.word() == Some(word)
    }

    // --- errors -----------------------------------------------------------

    /// "expected X after `prev`, found Y" at the current token, or the
    /// lexer's own error if the current token is not a token at all.
    fn unexpected(&self, expected: &str) -> FilterError {
        let hint = match self.word().and_then(miscased_keyword) {
            Some(lower) => format!("; OData keywords are lower case: write `{lower}`"),
            None => String::new(),
        };
        self.unexpected_with_hint(expected, &hint)
    }

    fn miscased(&self, token: &Token, lower: &str) -> FilterError {
        error(token.range.clone(), format!("OData keywords are lower case: write `{lower}`"))
    }

    // --- grammar ----------------------------------------------------------

    /// After the whole expression only the end of the filter may follow.
    fn finish(&self) -> Parsed<()> {
        let token = self.peek();
        match token.kind {
            TokenKind::End => Ok(()),
            TokenKind::RParen => Err(error(token.range.clone(), "this `)` has no matching `(`")),
            _ => Err(self.unexpected("`and`, `or` or the end of the filter")),
        }
    }

    /// `and_expr ('or' and_expr)*`
    fn or_expr(&mut self) -> Parsed<Expr> {
        let first = self.and_expr()?;
        if !self.at_word("or") {
            return Ok(first);
        }
        let start = first.range().start;
        let mut operands = vec![first];
        while self.at_word("or") {
            self.advance();
            operands.push(self.and_expr()?);
        }
        let end = operands.last().map_or(start, |e| e.range().end);
        Ok(Expr::Or { operands, range: start..end })
    }

    /// `unary ('and' unary)*`
    fn and_expr(&mut self) -> Parsed<Expr> {
        let first = self.unary()?;
        if !self.at_word("and") {
            return Ok(first);
        }
        let start = first.range().start;
        let mut operands = vec![first];
        while self.at_word("and") {
            self.advance();
            operands.push(self.unary()?);
        }
        let end = operands.last().map_or(start, |e| e.range().end);
        Ok(Expr::And { operands, range: start..end })
    }

    /// `'not' unary | primary`
    fn unary(&mut self) -> Parsed<Expr> {
        if !self.at_word("not") {
            return self.primary();
        }
        let not = self.advance();
        self.enter(&not)?;
        let operand = self.unary()?;
        self.depth -= 1;
        Ok(Expr::Not { range: not.range.start..operand.range().end, operand: Box::new(operand) })
    }

    /// `'(' or_expr ')' | call | comparison`
    fn primary(&mut self) -> Parsed<Expr> {
        match self.peek().kind {
            TokenKind::LParen => self.group(),
            TokenKind::Ident if self.next_is_lparen() => self.call(),
            TokenKind::Ident if !self.word().is_some_and(|w| OPERATOR_WORDS.contains(&w)) => self.comparison(),
            TokenKind::Literal(_) | TokenKind::Path => self.comparison(),
            _ => Err(self.unexpected("a condition")),
        }
    }

    fn group(&mut self) -> Parsed<Expr> {
        let open = self.advance();
        self.enter(&open)?;
        let mut inner = self.or_expr()?;
        self.depth -= 1;
        let close = self.expect_close(&open, "`and`, `or` or `)`")?;
        *inner.range_mut() = open.range.start..close.range.end;
        Ok(inner)
    }

    /// Takes the `)` that closes `open`; at the end of the filter the error
    /// points at `open`, the parenthesis that is never closed.
    fn expect_close(&mut self, open: &Token, expected: &str) -> Parsed<Token> {
        match self.peek().kind {
            TokenKind::RParen => Ok(self.advance()),
            TokenKind::End => Err(error(open.range.clone(), "this `(` is never closed")),
            _ => Err(self.unexpected(expected)),
        }
    }

    /// `startswith(column, 'text')` or `endswith(column, 'text')`.
    fn call(&mut self) -> Parsed<Expr> {
        let name = self.advance();
        let function = self.function(&name)?;
        let open = self.advance();
        let column = self.call_column()?;
        if self.peek().kind != TokenKind::Comma {
            return Err(self.unexpected("`,`"));
        }
        self.advance();
        let (argument, argument_range) = self.string_argument()?;
        let close = self.expect_close(&open, "`)`")?;
        Ok(Expr::Call {
            function,
            function_range: name.range.clone(),
            column,
            argument,
            argument_range,
            range: name.range.start..close.range.end,
        })
    }

    /// The supported function that `name` names, or why it is refused.
    fn function(&self, name: &Token) -> Parsed<StringFunction> {
        let text = self.slice(name);
        if let Some(function) = StringFunction::from_name(text) {
            return Ok(function);
        }
        if let Some(lower) = miscased_keyword(text) {
            return Err(self.miscased(name, &lower));
        }
        Err(error(
            name.range.clone(),
            format!("{} is not supported by dual-write filters; use startswith or endswith", shorten(text)),
        ))
    }

    fn call_column(&mut self) -> Parsed<ColumnRef> {
        let operand = match self.peek().kind {
            TokenKind::Ident | TokenKind::Path => self.operand("a column name")?,
            _ => return Err(self.unexpected("a column name")),
        };
        match operand {
            Operand::Column(column) => Ok(column),
            Operand::Literal { range, .. } => {
                Err(error(range.clone(), format!("expected a column name, found {}", quote(&self.text[range]))))
            }
        }
    }

    fn string_argument(&mut self) -> Parsed<(String, Range<usize>)> {
        let token = self.peek().clone();
        match token.kind {
            TokenKind::Literal(Literal::String(value)) => {
                self.advance();
                Ok((value, token.range))
            }
            _ => Err(self.unexpected("a string in single quotes")),
        }
    }

    /// `operand op operand`
    fn comparison(&mut self) -> Parsed<Expr> {
        let left = self.operand("a condition")?;
        let Some(op) = self.word().and_then(CompareOp::from_keyword) else {
            return Err(self.unexpected("a comparison operator (`eq`, `ne`, `gt`, `ge`, `lt` or `le`)"));
        };
        let op_range = self.advance().range;
        let right = self.operand("a value")?;
        Ok(Expr::Compare { range: left.range().start..right.range().end, left, op, op_range, right })
    }

    /// A column or a literal; `expected` names what the error should say
    /// was expected here.
    fn operand(&mut self, expected: &str) -> Parsed<Operand> {
        let token = self.peek().clone();
        match token.kind {
            TokenKind::Path => Err(nested_lookup(token.range)),
            TokenKind::Literal(value) => {
                self.advance();
                Ok(Operand::Literal { value, range: token.range })
            }
            TokenKind::Ident if self.next_is_lparen() => Err(match self.function(&token) {
                Ok(_) => self.unexpected(expected),
                Err(refused) => refused,
            }),
            TokenKind::Ident => self.word_operand(&token, expected),
            _ => Err(self.unexpected(expected)),
        }
    }

    /// A name in operand position: `true`, `false`, `null` or a column.
    fn word_operand(&mut self, token: &Token, expected: &str) -> Parsed<Operand> {
        let word = self.slice(token);
        let literal = match word {
            "true" => Some(Literal::Bool(true)),
            "false" => Some(Literal::Bool(false)),
            "null" => Some(Literal::Null),
            _ => None,
        };
        if let Some(value) = literal {
            self.advance();
            return Ok(Operand::Literal { value, range: token.range.clone() });
        }
        if OPERATOR_WORDS.contains(&word) {
            return Err(self.unexpected(expected));
        }
        if let Some(lower) = miscased_keyword(word) {
            return Err(self.miscased(token, &lower));
        }
        self.advance();
        Ok(Operand::Column(ColumnRef { name: word.to_string(), range: token.range.clone() }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, range: Range<usize>) -> ColumnRef {
        ColumnRef { name: name.to_string(), range }
    }

    fn parse_ok(text: &str) -> Expr {
        match parse(text) {
            Ok(expr) => expr,
            Err(e) => panic!("{text:?} should parse, got {e:?}"),
        }
    }

    fn parse_err(text: &str) -> FilterError {
        match parse(text) {
            Ok(expr) => panic!("{text:?} should not parse, got {expr:?}"),
            Err(e) => e,
        }
    }

    fn names(text: &str) -> Vec<String> {
        parse_ok(text).columns().into_iter().map(|c| c.name).collect()
    }

    fn literal(text: &str) -> Literal {
        match parse_ok(&format!("x eq {text}")) {
            Expr::Compare { right: Operand::Literal { value, .. }, .. } => value,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn language_md_examples_parse() {
        parse_ok("customertypecode eq 3");
        parse_ok("isocurrencycode eq 'USD' or (isocurrencycode eq 'EUR' and not (currencyname eq null))");
        parse_ok("msdyn_groupid eq '10'");
        parse_ok("currencycode eq 'USD'");
        parse_ok("startswith(name, 'Con')");
    }

    #[test]
    fn comparison_keeps_operands_operator_and_ranges() {
        let expr = parse_ok("customertypecode eq 3");
        assert_eq!(
            expr,
            Expr::Compare {
                left: Operand::Column(column("customertypecode", 0..16)),
                op: CompareOp::Eq,
                op_range: 17..19,
                right: Operand::Literal { value: Literal::Number(3.0), range: 20..21 },
                range: 0..21,
            }
        );
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let text = "isocurrencycode eq 'USD' or (isocurrencycode eq 'EUR' and not (currencyname eq null))";
        let Expr::Or { operands, range } = parse_ok(text) else { panic!("expected or") };
        assert_eq!(range, 0..text.len());
        assert_eq!(operands.len(), 2);
        let Expr::And { operands: inner, range: and_range } = &operands[1] else { panic!("expected and") };
        assert_eq!(*and_range, 28..text.len(), "a parenthesized node includes its parentheses");
        assert!(matches!(inner[1], Expr::Not { .. }));

        let Expr::Or { operands, .. } = parse_ok("a eq 1 or b eq 2 and c eq 3 or d eq 4") else { panic!() };
        assert_eq!(operands.len(), 3);
        assert!(matches!(operands[1], Expr::And { ref operands, .. } if operands.len() == 2));

        let Expr::And { operands, .. } = parse_ok("not a eq 1 and b eq 2") else { panic!() };
        assert!(matches!(operands[0], Expr::Not { ref range, .. } if *range == (0..10)));
    }

    #[test]
    fn columns_are_listed_in_text_order_with_ranges() {
        let text = "isocurrencycode eq 'USD' or (isocurrencycode eq 'EUR' and not (currencyname eq null))";
        assert_eq!(
            parse_ok(text).columns(),
            vec![column("isocurrencycode", 0..15), column("isocurrencycode", 29..44), column("currencyname", 63..75),]
        );
        assert_eq!(names("'x' eq a and startswith(b, 'y') and c eq d"), ["a", "b", "c", "d"]);
    }

    #[test]
    fn startswith_and_endswith_are_calls() {
        let expr = parse_ok("startswith(name, 'Con')");
        assert_eq!(
            expr,
            Expr::Call {
                function: StringFunction::StartsWith,
                function_range: 0..10,
                column: column("name", 11..15),
                argument: "Con".into(),
                argument_range: 17..22,
                range: 0..23,
            }
        );
        assert!(matches!(
            parse_ok("not endswith(name,'x')"),
            Expr::Not { operand, .. } if matches!(*operand, Expr::Call { function: StringFunction::EndsWith, .. })
        ));
    }

    #[test]
    fn literals_of_every_kind() {
        assert_eq!(literal("'it''s'"), Literal::String("it's".into()));
        assert_eq!(literal("''"), Literal::String(String::new()));
        assert_eq!(literal("-12.5"), Literal::Number(-12.5));
        assert_eq!(literal("007"), Literal::Number(7.0));
        assert_eq!(literal("true"), Literal::Bool(true));
        assert_eq!(literal("false"), Literal::Bool(false));
        assert_eq!(literal("null"), Literal::Null);
        assert_eq!(
            literal("8d4b2e7a-1c3f-4e5a-9b6d-0a1b2c3d4e5f"),
            Literal::Guid("8d4b2e7a-1c3f-4e5a-9b6d-0a1b2c3d4e5f".into())
        );
        assert_eq!(
            literal("ABCDEF12-1C3F-4E5A-9B6D-0A1B2C3D4E5F"),
            Literal::Guid("ABCDEF12-1C3F-4E5A-9B6D-0A1B2C3D4E5F".into())
        );
        assert_eq!(literal("2021-06-23"), Literal::Date { year: 2021, month: 6, day: 23 });
        assert_eq!(literal("2024-02-29"), Literal::Date { year: 2024, month: 2, day: 29 });
        for datetime in [
            "2021-06-23T10:00:00Z",
            "2021-06-23T10:00Z",
            "2021-06-23T23:59:59.123Z",
            "2021-06-23T10:00:00+02:00",
            "2021-06-23T10:00:00-05:30",
            "2021-06-23T10:00:00",
        ] {
            assert_eq!(literal(datetime), Literal::DateTime(datetime.into()));
        }
    }

    #[test]
    fn guid_and_date_ranges_cover_the_literal() {
        let text =
            "_parentaccountid_value eq 8d4b2e7a-1c3f-4e5a-9b6d-0a1b2c3d4e5f and createdon gt 2021-06-23T10:00:00Z";
        let Expr::And { operands, .. } = parse_ok(text) else { panic!() };
        let Expr::Compare { right, .. } = &operands[0] else { panic!() };
        assert_eq!(&text[right.range()], "8d4b2e7a-1c3f-4e5a-9b6d-0a1b2c3d4e5f");
        let Expr::Compare { right, .. } = &operands[1] else { panic!() };
        assert_eq!(&text[right.range()], "2021-06-23T10:00:00Z");
    }

    #[test]
    fn missing_value_is_reported_at_the_end() {
        let text = "isocurrencycode eq";
        let e = parse_err(text);
        assert_eq!(e.range, 18..18);
        assert_eq!(e.message, "expected a value after `eq`, found the end of the filter");
    }

    #[test]
    fn contains_is_refused_at_the_function_name() {
        let e = parse_err("contains(currencyname, 'dollar')");
        assert_eq!(e.range, 0..8);
        assert_eq!(e.message, "contains is not supported by dual-write filters; use startswith or endswith");
        let e = parse_err("a eq 1 and substringof('x', name)");
        assert_eq!(e.range, 11..22);
        let e = parse_err("a eq tolower(b)");
        assert_eq!(e.range, 5..12);
        assert!(e.message.starts_with("tolower is not supported"));
    }

    #[test]
    fn nested_lookup_is_refused_over_the_whole_path() {
        let e = parse_err("transactioncurrencyid/isocurrencycode eq 1");
        assert_eq!(e.range, 0..37);
        assert_eq!(e.message, "nested lookups (a/b) are not supported by dual-write filters");
        assert_eq!(parse_err("a eq b/c/d").range, 5..10);
        assert_eq!(parse_err("startswith(a/b, 'x')").range, 11..14);
    }

    #[test]
    fn unbalanced_parentheses() {
        let e = parse_err("(a eq 1");
        assert_eq!((e.range, e.message.as_str()), (0..1, "this `(` is never closed"));
        let e = parse_err("((a eq 1) and (b eq 2)");
        assert_eq!(e.range, 0..1);
        let e = parse_err("startswith(name, 'x'");
        assert_eq!(e.range, 10..11);
        let e = parse_err("a eq 1)");
        assert_eq!((e.range, e.message.as_str()), (6..7, "this `)` has no matching `(`"));
        let e = parse_err("()");
        assert_eq!((e.range, e.message.as_str()), (1..2, "expected a condition after `(`, found `)`"));
    }

    #[test]
    fn empty_filter_is_an_error() {
        assert_eq!(parse_err("").range, 0..0);
        let e = parse_err("  \t");
        assert_eq!((e.range, e.message.as_str()), (0..3, "the filter is empty"));
    }

    #[test]
    fn errors_say_what_was_expected_and_found() {
        let cases: &[(&str, Range<usize>, &str)] = &[
            ("a", 1..1, "expected a comparison operator (`eq`, `ne`, `gt`, `ge`, `lt` or `le`) after `a`, found the end of the filter"),
            ("a eq 1 and", 10..10, "expected a condition after `and`, found the end of the filter"),
            ("a eq 1 b eq 2", 7..8, "expected `and`, `or` or the end of the filter after `1`, found `b`"),
            ("(a eq 1 b", 8..9, "expected `and`, `or` or `)` after `1`, found `b`"),
            ("a == 1", 2..3, "unexpected character `=`"),
            ("a eq \"USD\"", 5..6, "OData strings are written in single quotes, as in 'USD'"),
            ("a eq 'USD", 5..9, "this string is never closed: a closing `'` is missing"),
            ("a eq 1 AND b eq 2", 7..10, "expected `and`, `or` or the end of the filter after `1`, found `AND`; OData keywords are lower case: write `and`"),
            ("a eq NULL", 5..9, "OData keywords are lower case: write `null`"),
            ("NOT (a eq 1)", 0..3, "OData keywords are lower case: write `not`"),
            ("startswith('x', name)", 11..14, "expected a column name after `(`, found `'x'`"),
            ("startswith(name 'x')", 16..19, "expected `,` after `name`, found `'x'`"),
            ("startswith(name, 3)", 17..18, "expected a string in single quotes after `,`, found `3`"),
            ("a eq and", 5..8, "expected a value after `eq`, found `and`"),
            ("a eq 3abc", 5..9, "`3abc` is neither a number nor a column name"),
            ("a eq 2021-13-01", 5..15, "`2021-13-01` is not a valid date: month 13 is not between 1 and 12"),
            ("a eq 2021-02-29", 5..15, "`2021-02-29` is not a valid date: day 29 is not between 1 and 28 in that month"),
            ("a eq 2021-06", 5..12, "`2021-06` is not an ISO date such as `2021-06-23` or `2021-06-23T10:00:00Z`"),
            ("a eq 2021-06-23T25:00:00Z", 5..25, "`2021-06-23T25:00:00Z` is not a valid ISO date and time such as `2021-06-23T10:00:00Z`"),
        ];
        for (text, range, message) in cases {
            let e = parse_err(text);
            assert_eq!((&e.range, e.message.as_str()), (range, *message), "for {text:?}");
        }
    }

    #[test]
    fn lexing_errors_come_after_earlier_parse_errors() {
        let e = parse_err("a eq eq 'unterminated");
        assert_eq!(e.range, 5..7);
    }

    #[test]
    fn non_ascii_input_gives_char_boundary_ranges() {
        for text in ["é eq 1", "a eq 1 é", "a eq 'é", "nàme eq 'x'", "a eq 'ü' and ∂", "\u{0} eq 1", "a eq 1 or 🦀"]
        {
            let e = parse_err(text);
            assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end), "{text:?}: {e:?}");
            assert!(e.range.start <= e.range.end && e.range.end <= text.len());
        }
        assert_eq!(literal("'naïve ✓'"), Literal::String("naïve ✓".into()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}a eq 1{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = parse_err(&deep);
        assert_eq!(e.range, 256..257);
        assert!(e.message.contains("256"));
        let nots = format!("{}a eq 1", "not ".repeat(100_000));
        assert!(parse_err(&nots).message.contains("256"));
        let fine = format!("{}a eq 1{}", "(".repeat(200), ")".repeat(200));
        assert_eq!(parse_ok(&fine).range(), 0..fine.len());
        let long_chain = vec!["a eq 1"; 50_000].join(" and ");
        assert!(matches!(parse_ok(&long_chain), Expr::And { operands, .. } if operands.len() == 50_000));
    }

    #[test]
    fn never_panics_on_prefixes_of_valid_filters() {
        let text = "isocurrencycode eq 'US''D' or (not startswith(a, 'é') and b ne 8d4b2e7a-1c3f-4e5a-9b6d-0a1b2c3d4e5f and c ge 2021-06-23T10:00:00+02:00)";
        for (end, _) in text.char_indices() {
            let prefix = &text[..end];
            if let Err(e) = parse(prefix) {
                assert!(e.range.end <= prefix.len());
                assert!(prefix.is_char_boundary(e.range.start) && prefix.is_char_boundary(e.range.end));
            }
        }
    }
}
