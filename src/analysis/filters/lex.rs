//! What the OData and X++ lexers and parsers share: the token type, the loop
//! that splits a filter into tokens, the scanning of strings and numbers,
//! which the two languages write the same way apart from the quote character,
//! and the parser's token cursor, nesting cap and "expected X, found Y" error.

use std::ops::Range;

use super::{error, is_ident_continue, quote, too_deep, FilterError, Literal, Scanner, MAX_NESTING};

/// A token of a filter: what it is and where it is in the filter text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token<K> {
    pub(super) kind: K,
    pub(super) range: Range<usize>,
}

/// The token kinds of one filter language, as far as the shared lexing and
/// parsing code needs them.
/// Implements [`TokenKind`] for a language's token enum, which names its
/// variants `End`, `Literal(Literal)` and `Invalid(String)` in both
/// languages, so the two lexers do not each spell the same five methods.
macro_rules! impl_token_kind {
    ($kind:ident) => {
        impl $crate::analysis::filters::lex::TokenKind for $kind {
            fn end() -> Self {
                $kind::End
            }

            fn is_end(&self) -> bool {
                matches!(self, $kind::End)
            }

            fn invalid_message(&self) -> Option<&str> {
                match self {
                    $kind::Invalid(message) => Some(message),
                    _ => None,
                }
            }

            fn literal(literal: $crate::analysis::filters::Literal) -> Self {
                $kind::Literal(literal)
            }

            fn invalid(message: String) -> Self {
                $kind::Invalid(message)
            }
        }
    };
}
pub(super) use impl_token_kind;

pub(super) trait TokenKind {
    /// The kind of the empty token at the end of the filter.
    fn end() -> Self;

    fn is_end(&self) -> bool;

    /// The message of text that is no token, where lexing stops.
    fn invalid_message(&self) -> Option<&str>;

    /// Whether this is text that is no token, where lexing stops.
    fn is_invalid(&self) -> bool {
        self.invalid_message().is_some()
    }

    fn literal(literal: Literal) -> Self;

    /// Text that is no token, with the message that says why.
    fn invalid(message: String) -> Self;

    /// A literal, or why the text is not one.
    fn literal_or_invalid(result: Result<Literal, String>) -> Self
    where
        Self: Sized,
    {
        match result {
            Ok(literal) => Self::literal(literal),
            Err(message) => Self::invalid(message),
        }
    }
}

/// Splits the whole filter into tokens, calling `lex_token` with the first
/// character of each one. The last token is always `End` or `Invalid`, so
/// the parser never runs off the end of the list.
pub(super) fn tokenize<K: TokenKind>(text: &str, lex_token: impl Fn(&mut Scanner, char) -> K) -> Vec<Token<K>> {
    let mut scanner = Scanner::new(text);
    let mut tokens = Vec::new();
    loop {
        scanner.skip_whitespace();
        let start = scanner.pos;
        let Some(c) = scanner.peek() else {
            tokens.push(Token { kind: K::end(), range: start..start });
            return tokens;
        };
        let kind = lex_token(&mut scanner, c);
        let stop = kind.is_invalid();
        tokens.push(Token { kind, range: start..scanner.pos });
        if stop {
            return tokens;
        }
    }
}

/// Lexes a string in `quote`s, where `escape` followed by `quote` stands for
/// one quote (OData doubles the quote, X++ puts a backslash before it); any
/// other `escape` is an ordinary character.
pub(super) fn lex_string<K: TokenKind>(scanner: &mut Scanner, quote: char, escape: char) -> K {
    scanner.bump();
    let mut value = String::new();
    loop {
        match scanner.bump() {
            None => return K::invalid(format!("this string is never closed: a closing `{quote}` is missing")),
            Some(c) if c == escape && scanner.eat(quote) => value.push(quote),
            Some(c) if c == quote => return K::literal(Literal::String(value)),
            Some(c) => value.push(c),
        }
    }
}

/// Lexes `-?[0-9]+(\.[0-9]+)?`. Letters glued to the number make the whole
/// word invalid rather than a number followed by a name; `name` says what
/// such a name would be (`column name`, `field name`) in the message.
pub(super) fn lex_number<K: TokenKind>(scanner: &mut Scanner, name: &str) -> K {
    let start = scanner.pos;
    scanner.eat('-');
    scanner.eat_while(|c| c.is_ascii_digit());
    if scanner.peek() == Some('.') && scanner.peek_second().is_some_and(|c| c.is_ascii_digit()) {
        scanner.bump();
        scanner.eat_while(|c| c.is_ascii_digit());
    }
    let number = &scanner.text[start..scanner.pos];
    if scanner.peek().is_some_and(is_ident_continue) {
        scanner.eat_while(is_ident_continue);
        let word = &scanner.text[start..scanner.pos];
        return K::invalid(format!("{} is neither a number nor a {name}", quote(word)));
    }
    K::literal_or_invalid(match number.parse() {
        Ok(value) => Ok(Literal::Number(value)),
        Err(_) => Err(format!("{} is not a number", quote(number))),
    })
}

/// The result of a parsing step.
pub(super) type Parsed<T> = Result<T, FilterError>;

/// The token list of a filter with the parser's place in it, and what both
/// recursive-descent parsers do with it; each parser adds its grammar in an
/// `impl` of its own instance.
pub(super) struct Parser<'t, K> {
    pub(super) text: &'t str,
    pub(super) tokens: Vec<Token<K>>,
    pub(super) pos: usize,
    pub(super) depth: usize,
}

impl<'t, K: TokenKind + Clone> Parser<'t, K> {
    pub(super) fn new(text: &'t str, lex_token: impl Fn(&mut Scanner, char) -> K) -> Self {
        Parser { text, tokens: tokenize(text, lex_token), pos: 0, depth: 0 }
    }

    pub(super) fn peek(&self) -> &Token<K> {
        &self.tokens[self.pos]
    }

    /// Moves to the next token, staying on the last one (`End` or `Invalid`).
    pub(super) fn advance(&mut self) -> Token<K> {
        let token = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    /// Counts one more level of nesting at `token`, failing past the cap.
    pub(super) fn enter(&mut self, token: &Token<K>) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(too_deep(token.range.clone()));
        }
        Ok(())
    }

    /// "expected X after `prev`, found Y" at the current token, followed by
    /// `hint`, or the lexer's own error if the current token is not a token
    /// at all.
    pub(super) fn unexpected_with_hint(&self, expected: &str, hint: &str) -> FilterError {
        let token = self.peek();
        if let Some(message) = token.kind.invalid_message() {
            return error(token.range.clone(), message);
        }
        let after = match self.pos.checked_sub(1) {
            Some(i) => format!(" after {}", quote(&self.text[self.tokens[i].range.clone()])),
            None => String::new(),
        };
        let found = match token.kind.is_end() {
            true => "the end of the filter".to_string(),
            false => quote(&self.text[token.range.clone()]),
        };
        error(token.range.clone(), format!("expected {expected}{after}, found {found}{hint}"))
    }
}
