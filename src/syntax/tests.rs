//! Parser tests on inline fixtures: the tree shape of each construct lives in
//! `grammar/test/corpus`; these check the Rust side (typed accessors, error
//! messages, recovery and incremental re-parsing).

use super::*;

fn errors(text: &str) -> Vec<(String, String)> {
    let parse = parse(text);
    parse.errors().iter().map(|e| (text[e.range.clone()].to_string(), e.message.clone())).collect()
}

#[test]
fn a_broken_line_is_one_error_and_the_next_line_parses() {
    let text = "project p dual_write c {\n  map m a.X = b.y {\n    A = b\n    B   c\n    C > d\n  }\n}\n";
    let parse = parse(text);
    assert_eq!(parse.errors().len(), 1, "{:?}", parse.errors());
    let err = &parse.errors()[0];
    assert_eq!(parse.root().text().lines().nth(3).unwrap(), "    B   c");
    assert!(err.message.contains("direction"), "{}", err.message);
    let map = parse.root().items().next().and_then(|i| match i {
        ast::Item::Project(p) => p.maps().next(),
        _ => None,
    });
    let lines: Vec<_> = map.unwrap().statements().collect();
    assert_eq!(lines.len(), 3);
}

#[test]
fn unexpected_tokens_name_what_was_expected() {
    let got = errors("connection_set c {\n  dataverse dv \"x\" extra\n}\n");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "extra");
    assert!(got[0].1.starts_with("unexpected `extra`; expected "), "{}", got[0].1);
    assert!(got[0].1.contains("the end of the line"), "{}", got[0].1);
}

#[test]
fn a_transform_may_appear_once() {
    let got = errors("project p dual_write c {\n  map m a.X = b.y {\n    none > y default 1 default 2\n  }\n}\n");
    assert_eq!(got, vec![("default 2".to_string(), "a field mapping takes at most one `default`".to_string())]);
}

#[test]
fn keywords_are_field_names_where_a_field_is_expected() {
    let text = "project p dual_write c {\n  map m a.X = b.y {\n    key = default\n    key key, filter\n    filter >> none\n  }\n}\n";
    let parse = parse(text);
    assert!(parse.errors().is_empty(), "{:?}\n{}", parse.errors(), parse.sexp());
}

#[test]
fn crlf_and_comments_parse() {
    let text = "# head\r\nconnection_set c { # x\r\n  dataverse dv 'env' # y\r\n}\r\n";
    assert!(parse(text).errors().is_empty(), "{}", parse(text).sexp());
}

#[test]
fn anything_parses_without_panicking() {
    for text in
        ["", "\0\u{1}", "}}}}", "{{{{", "project", "map m a.b = c.d {", "'unterminated", "\u{FEFF}connection_set"]
    {
        let _ = parse(text).errors().len();
    }
}

#[test]
fn incremental_reparse_equals_a_fresh_parse() {
    let text = "project p dual_write c {\n  map m a.X = b.y {\n    A = b\n  }\n}\n";
    let old = parse(text);
    let at = text.find("A = b").unwrap();
    let edited = old.apply_edit(&TextEdit { range: at..at + 1, new_text: "AB".into() });
    let fresh = parse(edited.text());
    assert_eq!(edited.text(), text.replacen("A = b", "AB = b", 1));
    assert_eq!(edited.sexp(), fresh.sexp());
}

#[test]
fn highlights_come_from_the_shared_query() {
    let text = "project \"P\" dual_write c {\n  map m fo.A = dv.b {\n    X >> y default 3 # note\n  }\n}\n";
    let found: Vec<(&str, &str)> = parse(text).highlights().into_iter().map(|(r, name)| (&text[r], name)).collect();
    assert!(found.contains(&("project", "keyword")), "{found:?}");
    assert!(found.contains(&("A", "type")), "{found:?}");
    assert!(found.contains(&("X", "property")), "{found:?}");
    assert!(found.contains(&(">>", "operator")), "{found:?}");
    assert!(found.contains(&("3", "number")), "{found:?}");
    assert!(found.contains(&("# note", "comment")), "{found:?}");
}

#[test]
fn a_parse_past_its_time_limit_is_reported_not_hung() {
    let text = "connection_set c {\n  dataverse dv 'x'\n}\n".repeat(20_000);
    let parse = parse_with_limit(&text, std::time::Duration::ZERO);
    assert_eq!(parse.errors().len(), 1);
    assert!(parse.errors()[0].message.starts_with("parsing this file took longer than 0 s"), "{:?}", parse.errors());
    assert_eq!(parse.root().items().count(), 0);
    assert_eq!(parse.text(), text);
}
