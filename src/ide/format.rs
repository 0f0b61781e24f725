//! Formatting: indentation by block depth, and within each map the columns
//! of field mappings aligned as the product's mapping tables are laid out
//! (left field, direction, right field, transforms), with the transform form
//! of the symbol written exactly when the line has a transform. Comments and
//! every token are kept; a file with syntax errors is not formatted.

use crate::analysis::model::{FieldSideDecl, LineDecl};
use crate::syntax::Parse;

const INDENT: &str = "  ";

/// The formatted text, or `None` when the text does not parse (formatting
/// it could move tokens the parser misread).
pub fn format(parse: &Parse) -> Option<String> {
    if !parse.errors().is_empty() {
        return None;
    }
    let text = parse.text();
    let model = crate::analysis::model::lower(parse);
    let crlf = text.contains("\r\n");
    let braces = parse.braces();
    // Aligned replacements of field-mapping lines, by their line's start.
    let mut aligned: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    for project in &model.projects {
        for map in &project.maps {
            let lines: Vec<&LineDecl> = map.lines.iter().filter(|l| starts_line(text, l.range.start)).collect();
            let left_width = lines.iter().map(|l| side_text(text, &l.left).chars().count()).max().unwrap_or(0);
            let right_width = lines
                .iter()
                .filter(|l| has_transform(l))
                .map(|l| side_text(text, &l.right).chars().count())
                .max()
                .unwrap_or(0);
            for line in lines {
                let line_start = text[..line.range.start].rfind('\n').map_or(0, |i| i + 1);
                aligned.insert(line_start, aligned_line(text, line, left_width, right_width));
            }
        }
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let content = raw.trim_end_matches(['\n', '\r']).trim();
        if !content.is_empty() {
            let opened = braces.iter().filter(|(at, open)| *at < start && *open).count();
            let closed = braces.iter().filter(|(at, open)| *at < start && !*open).count();
            let mut depth = opened.saturating_sub(closed);
            if content.starts_with('}') {
                depth = depth.saturating_sub(1);
            }
            out.push_str(&INDENT.repeat(depth));
            out.push_str(aligned.get(&start).map_or(content, String::as_str));
        }
        if raw.ends_with('\n') {
            out.push_str(if crlf { "\r\n" } else { "\n" });
        }
    }
    Some(out)
}

fn starts_line(text: &str, offset: usize) -> bool {
    text[..offset].rsplit('\n').next().is_some_and(|before| before.trim().is_empty())
}

fn has_transform(line: &LineDecl) -> bool {
    line.default.is_some() || line.value_map.is_some()
}

fn side_text<'t>(text: &'t str, side: &FieldSideDecl) -> &'t str {
    &text[side.range()]
}

/// One field-mapping line laid out in columns; what follows the right side
/// on the same physical line (transforms, a comment) is kept as written.
fn aligned_line(text: &str, line: &LineDecl, left_width: usize, right_width: usize) -> String {
    let left = side_text(text, &line.left);
    let right = side_text(text, &line.right);
    let symbol = line.direction.direction.symbol(has_transform(line));
    let rest_end = text[line.right.range().end..].find('\n').map_or(text.len(), |i| line.right.range().end + i);
    let rest = text[line.right.range().end..rest_end].trim();
    let mut out = format!("{left:<left_width$} {symbol:<2} {right}");
    if rest.starts_with('#') {
        out.push_str("  ");
        out.push_str(rest);
    } else if !rest.is_empty() {
        let pad = right_width.saturating_sub(right.chars().count());
        out.push_str(&" ".repeat(pad + 1));
        out.push_str(rest);
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn check(text: &str, expect: expect_test::Expect) {
        let parse = crate::syntax::parse(text);
        let formatted = format(&parse).expect("the fixture parses");
        expect.assert_eq(&formatted);
        let again = format(&crate::syntax::parse(&formatted)).unwrap();
        assert_eq!(again, formatted, "formatting is idempotent");
        let tokens = |t: &str| {
            t.split_whitespace().map(|w| w.replace("><", "=").replace(">>", ">").replace("<<", "<")).collect::<Vec<_>>()
        };
        assert_eq!(tokens(&formatted), tokens(text), "every token and comment is kept");
    }

    #[test]
    fn columns_align_within_a_map() {
        check(
            "# contoso\nproject \"P\" dual_write c {\nmap m fo.A = dv.b {\n      filter fo '((X == 1))'\nCUSTOMERACCOUNT = accountnumber   # the key\n  NAME >< name default \"x\"\n none > msdyn_salesregion default \"EAST\"\n    ONHOLD = msdyn_onhold value_map {\n No = 1,\n   Yes = 2\n }\n}\n}\n",
            expect![[r#"
                # contoso
                project "P" dual_write c {
                  map m fo.A = dv.b {
                    filter fo '((X == 1))'
                    CUSTOMERACCOUNT =  accountnumber  # the key
                    NAME            >< name              default "x"
                    none            >> msdyn_salesregion default "EAST"
                    ONHOLD          >< msdyn_onhold      value_map {
                      No = 1,
                      Yes = 2
                    }
                  }
                }
            "#]],
        );
    }

    #[test]
    fn crlf_is_kept_and_broken_files_are_refused() {
        let parse = crate::syntax::parse("connection_set c {\r\ndataverse dv 'x'\r\n}\r\n");
        assert_eq!(format(&parse).unwrap(), "connection_set c {\r\n  dataverse dv 'x'\r\n}\r\n");
        assert!(format(&crate::syntax::parse("project {\n")).is_none());
    }
}
