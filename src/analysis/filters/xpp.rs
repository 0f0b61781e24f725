//! X++ query range expressions, the source filter of a finance and operations
//! side: their lexer, their recursive-descent parser and their AST.
//!
//! The product only accepts the fully parenthesized form: the whole
//! expression in parentheses, every operand of `&&`, `||` and `!` a
//! parenthesized expression, and `&&` / `||` not mixed at one level. This
//! module enforces exactly that, so that `(A == 1 && B == 2)` is caught
//! before the product rejects it at run time.

use std::ops::Range;

use super::lex::{Parsed, TokenKind as _};
use super::{
    check_date, empty_filter, error, is_blank, is_ident_continue, is_ident_start, lex, quote, unexpected_character,
    ColumnRef, FilterError, Literal, Operand, Scanner,
};

/// A comparison operator of X++ query ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`, or a single `=`, which the product accepts too.
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `like`, whose right operand is a string pattern with `*` and `?`.
    Like,
}

impl CompareOp {
    /// The operator as X++ writes it (`==` for both `=` and `==`).
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Like => "like",
        }
    }
}

/// A parsed X++ query range. Every node keeps the byte range of its text; a
/// node written in parentheses (which in X++ is every node) has a range that
/// includes them.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `left op right`, e.g. `CURRENCYCODE == "USD"` or `Name like "Con*"`.
    Compare { left: Operand, op: CompareOp, op_range: Range<usize>, right: Operand, range: Range<usize> },
    /// Two or more parenthesized expressions joined by `&&`, in text order.
    And { operands: Vec<Expr>, range: Range<usize> },
    /// Two or more parenthesized expressions joined by `||`, in text order.
    Or { operands: Vec<Expr>, range: Range<usize> },
    /// `!(operand)`.
    Not { operand: Box<Expr>, range: Range<usize> },
}

impl Expr {
    /// Where the expression is in the filter text.
    pub fn range(&self) -> Range<usize> {
        match self {
            Expr::Compare { range, .. }
            | Expr::And { range, .. }
            | Expr::Or { range, .. }
            | Expr::Not { range, .. } => range.clone(),
        }
    }

    /// Every field the filter names, in text order and in the case written,
    /// so that the caller can check each one (without regard to case)
    /// against the entity's schema.
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
        }
    }

    fn range_mut(&mut self) -> &mut Range<usize> {
        match self {
            Expr::Compare { range, .. }
            | Expr::And { range, .. }
            | Expr::Or { range, .. }
            | Expr::Not { range, .. } => range,
        }
    }
}

/// Parses an X++ query range expression, reporting the first problem in text
/// order.
pub fn parse(text: &str) -> Result<Expr, FilterError> {
    if is_blank(text) {
        return Err(empty_filter(text));
    }
    let mut parser = Parser::new(text, lex_token);
    parser.start()?;
    let expr = parser.group()?;
    parser.finish()?;
    Ok(expr)
}

// ---------------------------------------------------------------------------
// Lexer

/// `&&` or `||`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Junction {
    And,
    Or,
}

impl Junction {
    fn symbol(self) -> &'static str {
        match self {
            Junction::And => "&&",
            Junction::Or => "||",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum TokenKind {
    /// A field name, or `like` (which the parser recognizes by position).
    Ident,
    Literal(Literal),
    Compare(CompareOp),
    Junction(Junction),
    Bang,
    LParen,
    RParen,
    End,
    /// Text that is no token; lexing stops here, so the parser reports it
    /// only if nothing before it is wrong.
    Invalid(String),
}

type Token = lex::Token<TokenKind>;

lex::impl_token_kind!(TokenKind);

fn lex_token(scanner: &mut Scanner, c: char) -> TokenKind {
    match c {
        '(' | ')' => {
            scanner.bump();
            if c == '(' {
                TokenKind::LParen
            } else {
                TokenKind::RParen
            }
        }
        '"' => lex_string(scanner),
        '=' | '!' | '<' | '>' => lex_operator(scanner, c),
        '&' | '|' => lex_junction(scanner, c),
        '-' if scanner.peek_second().is_some_and(|d| d.is_ascii_digit()) => lex_number(scanner),
        c if c.is_ascii_digit() => lex_number_or_date(scanner),
        c if is_ident_start(c) => lex_name_or_enum(scanner),
        '\'' => {
            scanner.bump();
            TokenKind::Invalid("X++ range strings are written in double quotes, as in \"USD\"".into())
        }
        _ => {
            scanner.bump();
            TokenKind::Invalid(unexpected_character(c))
        }
    }
}

/// Lexes a string in double quotes. Backslash is an ordinary character
/// except in `\"`, which stands for a quote, as X++ ranges treat it.
fn lex_string(scanner: &mut Scanner) -> TokenKind {
    lex::lex_string(scanner, '"', '\\')
}

/// Lexes `==`, `=`, `!=`, `!`, `<`, `<=`, `>` and `>=`.
fn lex_operator(scanner: &mut Scanner, first: char) -> TokenKind {
    scanner.bump();
    let equals = scanner.eat('=');
    let op = match (first, equals) {
        ('=', _) => CompareOp::Eq,
        ('!', true) => CompareOp::Ne,
        ('!', false) => return TokenKind::Bang,
        ('<', true) => CompareOp::Le,
        ('<', false) => CompareOp::Lt,
        ('>', true) => CompareOp::Ge,
        _ => CompareOp::Gt,
    };
    TokenKind::Compare(op)
}

/// Lexes `&&` or `||`; a single `&` or `|` is not an X++ operator.
fn lex_junction(scanner: &mut Scanner, first: char) -> TokenKind {
    scanner.bump();
    if scanner.eat(first) {
        let junction = if first == '&' { Junction::And } else { Junction::Or };
        return TokenKind::Junction(junction);
    }
    TokenKind::Invalid(format!("`{first}` is not an X++ operator; write `{first}{first}`"))
}

/// Lexes a token that starts with a digit: a date `dd\mm\yyyy` if a
/// backslash follows the digits, a number otherwise.
fn lex_number_or_date(scanner: &mut Scanner) -> TokenKind {
    let rest = scanner.rest();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if rest.as_bytes().get(digits) == Some(&b'\\') {
        return lex_date(scanner);
    }
    lex_number(scanner)
}

fn lex_date(scanner: &mut Scanner) -> TokenKind {
    let word = scanner.eat_while(|c| c.is_ascii_digit() || c == '\\');
    if scanner.peek().is_some_and(is_ident_continue) {
        scanner.eat_while(is_ident_continue);
        return TokenKind::Invalid(invalid_date_shape(word));
    }
    TokenKind::literal_or_invalid(parse_date(word))
}

fn invalid_date_shape(word: &str) -> String {
    format!("{} is not a date written dd\\mm\\yyyy, such as `23\\06\\2021`", quote(word))
}

/// Reads `dd\mm\yyyy` (day and month may have one digit) and checks that the
/// date exists.
fn parse_date(word: &str) -> Result<Literal, String> {
    let mut parts = word.split('\\');
    let fields = (parts.next(), parts.next(), parts.next(), parts.next());
    let (Some(day), Some(month), Some(year), None) = fields else {
        return Err(invalid_date_shape(word));
    };
    let short = |part: &str| (1..=2).contains(&part.len()).then(|| part.parse::<u32>().ok()).flatten();
    let year_number = (year.len() == 4).then(|| year.parse::<u32>().ok()).flatten();
    let (Some(day), Some(month), Some(year)) = (short(day), short(month), year_number) else {
        return Err(invalid_date_shape(word));
    };
    check_date(year, month, day).map_err(|why| format!("{} is not a valid date: {why}", quote(word)))?;
    Ok(Literal::Date { year: year as u16, month: month as u8, day: day as u8 })
}

/// Lexes a number, or a number with letters glued to it, which is invalid.
fn lex_number(scanner: &mut Scanner) -> TokenKind {
    lex::lex_number(scanner, "field name")
}

/// Lexes a field name, or an enum value `EnumName::Member`.
fn lex_name_or_enum(scanner: &mut Scanner) -> TokenKind {
    let name = scanner.eat_while(is_ident_continue);
    if !scanner.rest().starts_with("::") {
        return TokenKind::Ident;
    }
    scanner.pos += 2;
    let member = scanner.eat_while(is_ident_continue);
    if member.is_empty() || !member.starts_with(is_ident_start) {
        return TokenKind::Invalid(format!("expected an enum member after `{name}::`"));
    }
    TokenKind::Literal(Literal::Enum { enum_name: name.to_string(), member: member.to_string() })
}

// ---------------------------------------------------------------------------
// Parser

type Parser<'t> = lex::Parser<'t, TokenKind>;

const COMPARISON_OPERATORS: &str = "a comparison operator (`==`, `!=`, `<`, `<=`, `>`, `>=` or `like`)";

impl<'t> Parser<'t> {
    // --- token access -----------------------------------------------------

    fn slice(&self, range: Range<usize>) -> &'t str {
        &self.text[range]
    }

    fn peek_junction(&self) -> Option<Junction> {
        match self.peek().kind {
            TokenKind::Junction(junction) => Some(junction),
            _ => None,
        }
    }

    // --- errors -----------------------------------------------------------

    /// "expected X after `prev`, found Y" at the current token, or the
    /// lexer's own error if the current token is not a token at all.
    fn unexpected(&self, expected: &str) -> FilterError {
        self.unexpected_with_hint(expected, "")
    }

    // --- grammar ----------------------------------------------------------

    /// The filter must open with `(`: the whole expression is in
    /// parentheses. Otherwise the error covers the whole expression, since
    /// that is what needs wrapping.
    fn start(&self) -> Parsed<()> {
        let token = self.peek();
        match token.kind {
            TokenKind::LParen => Ok(()),
            TokenKind::Invalid(_) => Err(self.unexpected("`(`")),
            _ => {
                let start = token.range.start;
                let end = self.text.trim_end_matches(|c: char| c.is_ascii_whitespace()).len();
                Err(error(start..end, "the whole expression must be in parentheses, as in `(FIELD == value)`"))
            }
        }
    }

    /// After the outer group only the end of the filter may follow.
    fn finish(&self) -> Parsed<()> {
        let token = self.peek();
        match token.kind {
            TokenKind::End => Ok(()),
            TokenKind::RParen => Err(error(token.range.clone(), "this `)` has no matching `(`")),
            TokenKind::Junction(junction) => Err(error(
                token.range.clone(),
                format!(
                    "the whole expression must be in one pair of parentheses: write `((A) {} (B))`, not `(A) {} (B)`",
                    junction.symbol(),
                    junction.symbol()
                ),
            )),
            _ => Err(self.unexpected("the end of the filter")),
        }
    }

    /// `'(' body ')'`, where the current token is the `(`.
    fn group(&mut self) -> Parsed<Expr> {
        let open = self.advance();
        self.enter(&open)?;
        let (mut inner, expected) = self.body()?;
        self.depth -= 1;
        let close = self.expect_close(&open, expected)?;
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

    /// What sits inside a pair of parentheses: a chain of parenthesized
    /// terms, or one comparison. Also returns what may come next, for the
    /// error when the `)` is missing.
    fn body(&mut self) -> Parsed<(Expr, &'static str)> {
        if matches!(self.peek().kind, TokenKind::LParen | TokenKind::Bang) {
            return self.chain();
        }
        let comparison = self.comparison()?;
        if let Some(junction) = self.peek_junction() {
            return Err(self.bare_operand(junction.symbol(), comparison.range()));
        }
        Ok((comparison, "`)`"))
    }

    /// `term (op term)*` with one operator `op` throughout.
    fn chain(&mut self) -> Parsed<(Expr, &'static str)> {
        let first = self.term()?;
        let Some(junction) = self.peek_junction() else {
            return Ok((first, "`&&`, `||` or `)`"));
        };
        if matches!(first, Expr::Not { .. }) {
            return Err(self.bare_operand(junction.symbol(), first.range()));
        }
        let start = first.range().start;
        let mut operands = vec![first];
        while self.peek_junction() == Some(junction) {
            self.advance();
            operands.push(self.operand_of(junction.symbol())?);
        }
        if let Some(other) = self.peek_junction() {
            return Err(self.mixed(junction, other));
        }
        let end = operands.last().map_or(start, |e| e.range().end);
        Ok(match junction {
            Junction::And => (Expr::And { operands, range: start..end }, "`&&` or `)`"),
            Junction::Or => (Expr::Or { operands, range: start..end }, "`||` or `)`"),
        })
    }

    fn mixed(&self, first: Junction, second: Junction) -> FilterError {
        error(
            self.peek().range.clone(),
            format!(
                "`{}` cannot follow `{}` at the same level: put the operands of one of them in their own parentheses",
                second.symbol(),
                first.symbol()
            ),
        )
    }

    /// `'(' body ')' | '!' '(' body ')'`: a term of a chain, whose first
    /// token the caller has checked.
    fn term(&mut self) -> Parsed<Expr> {
        if self.peek().kind == TokenKind::LParen {
            return self.group();
        }
        let bang = self.advance();
        self.enter(&bang)?;
        let operand = self.operand_of("!")?;
        self.depth -= 1;
        Ok(Expr::Not { range: bang.range.start..operand.range().end, operand: Box::new(operand) })
    }

    /// The operand of `&&`, `||` or `!`, which must be a parenthesized
    /// expression: a negation is one only inside its own parentheses, as in
    /// `((A == 1) && (!(B == 2)))`.
    fn operand_of(&mut self, operator: &str) -> Parsed<Expr> {
        match self.peek().kind {
            TokenKind::LParen => self.group(),
            TokenKind::Bang => {
                let negation = self.term()?;
                Err(self.bare_operand(operator, negation.range()))
            }
            _ => Err(self.unparenthesized(operator)),
        }
    }

    /// The error for an operand of `operator` that lacks its parentheses:
    /// over the whole comparison if one is there, else at the token.
    fn unparenthesized(&mut self, operator: &str) -> FilterError {
        let saved = self.pos;
        let comparison = self.comparison();
        self.pos = saved;
        match comparison {
            Ok(comparison) => self.bare_operand(operator, comparison.range()),
            Err(_) => self.unexpected("a parenthesized expression such as `(FIELD == value)`"),
        }
    }

    fn bare_operand(&self, operator: &str, range: Range<usize>) -> FilterError {
        let text = self.slice(range.clone());
        let message =
            format!("each operand of `{operator}` must be in parentheses: write {}", quote(&format!("({text})")));
        error(range, message)
    }

    /// `operand op operand`, where `like` takes a string pattern.
    fn comparison(&mut self) -> Parsed<Expr> {
        let left = self.operand("a comparison or a parenthesized expression")?;
        let (op, op_range) = self.compare_op()?;
        let right = if op == CompareOp::Like { self.pattern()? } else { self.operand("a value")? };
        Ok(Expr::Compare { range: left.range().start..right.range().end, left, op, op_range, right })
    }

    fn compare_op(&mut self) -> Parsed<(CompareOp, Range<usize>)> {
        let token = self.peek();
        let op = match token.kind {
            TokenKind::Compare(op) => op,
            TokenKind::Ident if self.slice(token.range.clone()).eq_ignore_ascii_case("like") => CompareOp::Like,
            _ => return Err(self.unexpected(COMPARISON_OPERATORS)),
        };
        Ok((op, self.advance().range))
    }

    /// The string after `like`.
    fn pattern(&mut self) -> Parsed<Operand> {
        let token = self.peek().clone();
        match token.kind {
            TokenKind::Literal(value @ Literal::String(_)) => {
                self.advance();
                Ok(Operand::Literal { value, range: token.range })
            }
            _ => Err(self.unexpected("a string pattern in double quotes")),
        }
    }

    /// A field or a literal; `expected` names what the error should say was
    /// expected here.
    fn operand(&mut self, expected: &str) -> Parsed<Operand> {
        let token = self.peek().clone();
        match token.kind {
            TokenKind::Ident => {
                self.advance();
                let name = self.slice(token.range.clone()).to_string();
                Ok(Operand::Column(ColumnRef { name, range: token.range }))
            }
            TokenKind::Literal(value) => {
                self.advance();
                Ok(Operand::Literal { value, range: token.range })
            }
            _ => Err(self.unexpected(expected)),
        }
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

    fn right_literal(text: &str) -> Literal {
        match parse_ok(text) {
            Expr::Compare { right: Operand::Literal { value, .. }, .. } => value,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn language_md_examples_parse() {
        parse_ok("((PartyType == \"Organization\"))");
        parse_ok("((PARTYTYPE == \"Organization\"))");
        parse_ok("((A == 1) && (B == 2))");
        parse_ok("((A == 1) || (B == 2) || (C == 3))");
        parse_ok("((CURRENCYCODE == \"USD\") || (CURRENCYCODE == \"EUR\"))");
        parse_ok("(CURRENCYCODE = \"USD\")");
        parse_ok("(CURRENCY == \"USD\")");
        parse_ok("((CustomerGroupId == \"10\"))");
        parse_ok("(TransDate > 23\\06\\2021)");
        parse_ok("(PartyType == DirPartyType::Organization)");
        parse_ok("(Name like \"Con*\")");
    }

    #[test]
    fn redundant_parentheses_widen_the_range() {
        let text = "((PartyType == \"Organization\"))";
        assert_eq!(
            parse_ok(text),
            Expr::Compare {
                left: Operand::Column(column("PartyType", 2..11)),
                op: CompareOp::Eq,
                op_range: 12..14,
                right: Operand::Literal { value: Literal::String("Organization".into()), range: 15..29 },
                range: 0..31,
            }
        );
    }

    #[test]
    fn single_equals_means_double_equals() {
        let Expr::Compare { op, op_range, .. } = parse_ok("(CURRENCYCODE = \"USD\")") else { panic!() };
        assert_eq!((op, op_range), (CompareOp::Eq, 14..15));
    }

    #[test]
    fn chains_hold_any_number_of_operands() {
        let text = "((A == 1) || (B == 2) || (C == 3))";
        let Expr::Or { operands, range } = parse_ok(text) else { panic!("expected or") };
        assert_eq!(range, 0..text.len());
        assert_eq!(operands.iter().map(Expr::range).collect::<Vec<_>>(), [1..9, 13..21, 25..33]);
        let Expr::And { operands, .. } = parse_ok("((A == 1) && (!(B == 2)) && ((C == 3) || (D == 4)))") else {
            panic!()
        };
        assert!(matches!(operands[1], Expr::Not { ref range, .. } if *range == (13..24)));
        assert!(matches!(operands[2], Expr::Or { .. }));
    }

    #[test]
    fn negation_takes_a_parenthesized_operand() {
        let Expr::Not { operand, range } = parse_ok("(!(A == 1))") else { panic!() };
        assert_eq!(range, 0..11);
        assert_eq!(operand.range(), 2..10);
        let e = parse_err("((A == 1) && !(B == 2))");
        assert_eq!(
            (e.range, e.message.as_str()),
            (13..22, "each operand of `&&` must be in parentheses: write `(!(B == 2))`")
        );
        assert_eq!(parse_err("(!(A == 1) || (B == 2))").range, 1..10);
    }

    #[test]
    fn columns_are_listed_in_text_order_with_case_kept() {
        let text = "((CurrencyCode == \"USD\") || (\"EUR\" == CURRENCYCODE) || (Amount > Limit))";
        assert_eq!(
            parse_ok(text).columns(),
            vec![
                column("CurrencyCode", 2..14),
                column("CURRENCYCODE", 38..50),
                column("Amount", 56..62),
                column("Limit", 65..70),
            ]
        );
        assert!(parse_ok("(PartyType == DirPartyType::Organization)").columns().len() == 1);
    }

    #[test]
    fn literals_of_every_kind() {
        assert_eq!(right_literal("(A == \"x\")"), Literal::String("x".into()));
        assert_eq!(right_literal(r#"(A == "C:\temp\x")"#), Literal::String("C:\\temp\\x".into()));
        assert_eq!(right_literal(r#"(A == "say \"hi\"")"#), Literal::String("say \"hi\"".into()));
        assert_eq!(right_literal("(A == -3.25)"), Literal::Number(-3.25));
        assert_eq!(right_literal("(A == 42)"), Literal::Number(42.0));
        assert_eq!(right_literal("(TransDate > 23\\06\\2021)"), Literal::Date { year: 2021, month: 6, day: 23 });
        assert_eq!(right_literal("(TransDate > 1\\2\\2020)"), Literal::Date { year: 2020, month: 2, day: 1 });
        assert_eq!(right_literal("(D == 29\\02\\2024)"), Literal::Date { year: 2024, month: 2, day: 29 });
        assert_eq!(
            right_literal("(PartyType == DirPartyType::Organization)"),
            Literal::Enum { enum_name: "DirPartyType".into(), member: "Organization".into() }
        );
    }

    #[test]
    fn every_comparison_operator() {
        for (symbol, op) in [
            ("==", CompareOp::Eq),
            ("=", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<", CompareOp::Lt),
            ("<=", CompareOp::Le),
            (">", CompareOp::Gt),
            (">=", CompareOp::Ge),
            ("like", CompareOp::Like),
            ("LIKE", CompareOp::Like),
        ] {
            let text = format!("(Name {symbol} \"Con*\")");
            let Expr::Compare { op: parsed, .. } = parse_ok(&text) else { panic!() };
            assert_eq!(parsed, op, "{text}");
        }
        assert_eq!(right_literal("(Name like \"C?n*\")"), Literal::String("C?n*".into()));
    }

    #[test]
    fn unclosed_parenthesis_points_at_it() {
        let e = parse_err("(CURRENCYCODE == \"USD\"");
        assert_eq!((e.range, e.message.as_str()), (0..1, "this `(` is never closed"));
        assert_eq!(parse_err("((A == 1) && (B == 2)").range, 0..1);
        assert_eq!(parse_err("((A == 1) && (B == 2").range, 13..14);
    }

    #[test]
    fn operands_of_junctions_must_be_parenthesized() {
        let e = parse_err("(A == 1 && B == 2)");
        assert_eq!(
            (e.range, e.message.as_str()),
            (1..7, "each operand of `&&` must be in parentheses: write `(A == 1)`")
        );
        let e = parse_err("((A == 1) || B == 2)");
        assert_eq!(
            (e.range, e.message.as_str()),
            (13..19, "each operand of `||` must be in parentheses: write `(B == 2)`")
        );
        let e = parse_err("(!A == 1)");
        assert_eq!(
            (e.range, e.message.as_str()),
            (2..8, "each operand of `!` must be in parentheses: write `(A == 1)`")
        );
        let e = parse_err("((A == 1) && B)");
        assert_eq!(
            (e.range, e.message.as_str()),
            (13..14, "expected a parenthesized expression such as `(FIELD == value)` after `&&`, found `B`")
        );
        let e = parse_err("(!!(A == 1))");
        assert_eq!(
            (e.range, e.message.as_str()),
            (2..11, "each operand of `!` must be in parentheses: write `(!(A == 1))`")
        );
    }

    #[test]
    fn junctions_are_not_mixed_without_grouping() {
        let e = parse_err("((A == 1) && (B == 2) || (C == 3))");
        assert_eq!(
            (e.range, e.message.as_str()),
            (
                22..24,
                "`||` cannot follow `&&` at the same level: put the operands of one of them in their own parentheses"
            )
        );
        parse_ok("(((A == 1) && (B == 2)) || (C == 3))");
    }

    #[test]
    fn whole_expression_must_be_parenthesized() {
        let text = "CURRENCYCODE == \"USD\"";
        let e = parse_err(text);
        assert_eq!(
            (e.range, e.message.as_str()),
            (0..text.len(), "the whole expression must be in parentheses, as in `(FIELD == value)`")
        );
        assert_eq!(parse_err("  !(A == 1)  ").range, 2..11);
        let e = parse_err("(A == 1) && (B == 2)");
        assert_eq!(e.range, 9..11);
        assert!(e.message.starts_with("the whole expression must be in one pair of parentheses"));
        let e = parse_err("(A == 1))");
        assert_eq!((e.range, e.message.as_str()), (8..9, "this `)` has no matching `(`"));
    }

    #[test]
    fn empty_filter_is_an_error() {
        assert_eq!(parse_err("").range, 0..0);
        let e = parse_err(" \n ");
        assert_eq!((e.range, e.message.as_str()), (0..3, "the filter is empty"));
    }

    #[test]
    fn errors_say_what_was_expected_and_found() {
        let cases: &[(&str, Range<usize>, &str)] = &[
            ("()", 1..2, "expected a comparison or a parenthesized expression after `(`, found `)`"),
            (
                "(A)",
                2..3,
                "expected a comparison operator (`==`, `!=`, `<`, `<=`, `>`, `>=` or `like`) after `A`, found `)`",
            ),
            ("(A ==)", 5..6, "expected a value after `==`, found `)`"),
            ("(A == 1 B)", 8..9, "expected `)` after `1`, found `B`"),
            ("((A == 1) B)", 10..11, "expected `&&`, `||` or `)` after `)`, found `B`"),
            ("(Name like Con)", 11..14, "expected a string pattern in double quotes after `like`, found `Con`"),
            ("(A == 'x')", 6..7, "X++ range strings are written in double quotes, as in \"USD\""),
            ("(A == \"x)", 6..9, "this string is never closed: a closing `\"` is missing"),
            ("(A == \"x\\\")", 6..11, "this string is never closed: a closing `\"` is missing"),
            ("((A == 1) & (B == 2))", 10..11, "`&` is not an X++ operator; write `&&`"),
            ("(A == 1) (B == 2)", 9..10, "expected the end of the filter after `)`, found `(`"),
            (
                "(D > 32\\01\\2021)",
                5..15,
                "`32\\01\\2021` is not a valid date: day 32 is not between 1 and 31 in that month",
            ),
            ("(D > 01\\13\\2021)", 5..15, "`01\\13\\2021` is not a valid date: month 13 is not between 1 and 12"),
            (
                "(D > 29\\02\\2021)",
                5..15,
                "`29\\02\\2021` is not a valid date: day 29 is not between 1 and 28 in that month",
            ),
            ("(D > 23\\06\\21)", 5..13, "`23\\06\\21` is not a date written dd\\mm\\yyyy, such as `23\\06\\2021`"),
            ("(D > 23\\06)", 5..10, "`23\\06` is not a date written dd\\mm\\yyyy, such as `23\\06\\2021`"),
            ("(E == DirPartyType::)", 6..20, "expected an enum member after `DirPartyType::`"),
            ("(A == 3x)", 6..8, "`3x` is neither a number nor a field name"),
            ("(A == 1 #)", 8..9, "unexpected character `#`"),
        ];
        for (text, range, message) in cases {
            let e = parse_err(text);
            assert_eq!((&e.range, e.message.as_str()), (range, *message), "for {text:?}");
        }
    }

    #[test]
    fn non_ascii_input_gives_char_boundary_ranges() {
        for text in
            ["é", "(é == 1)", "(A == \"é", "(A == 1 && Ä == 2)", "((A == 1) ∧ (B == 2))", "(A == 1) 🦀", "\u{0}"]
        {
            let e = parse_err(text);
            assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end), "{text:?}: {e:?}");
            assert!(e.range.start <= e.range.end && e.range.end <= text.len());
        }
        assert_eq!(right_literal("(Name == \"Ünïcödé ✓\")"), Literal::String("Ünïcödé ✓".into()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}A == 1{}", "(".repeat(100_000), ")".repeat(100_000));
        let e = parse_err(&deep);
        assert_eq!(e.range, 256..257);
        assert!(e.message.contains("256"));
        let bangs = format!("({}(A == 1){})", "!(".repeat(100_000), ")".repeat(100_000));
        assert!(parse_err(&bangs).message.contains("256"));
        let fine = format!("{}A == 1{}", "(".repeat(200), ")".repeat(200));
        assert_eq!(parse_ok(&fine).range(), 0..fine.len());
        let long_chain = format!("({})", vec!["(A == 1)"; 50_000].join(" || "));
        assert!(matches!(parse_ok(&long_chain), Expr::Or { operands, .. } if operands.len() == 50_000));
    }

    #[test]
    fn never_panics_on_prefixes_of_valid_filters() {
        let text = "(((PartyType == DirPartyType::Organization) && (Name like \"Cön*\")) || (!(TransDate >= 23\\06\\2021)) || (A != -1.5))";
        parse_ok(text);
        for (end, _) in text.char_indices() {
            let prefix = &text[..end];
            if let Err(e) = parse(prefix) {
                assert!(e.range.end <= prefix.len());
                assert!(prefix.is_char_boundary(e.range.start) && prefix.is_char_boundary(e.range.end));
            }
        }
    }
}
