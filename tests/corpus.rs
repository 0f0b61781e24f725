//! Runs the grammar's corpus (`grammar/test/corpus/*.txt`, the format of
//! `tree-sitter test`) through the parser linked into dimap, so `cargo test`
//! checks every construct's tree without the tree-sitter CLI.

use std::path::Path;

/// Collapses whitespace so trees compare by structure, not layout.
fn normalize(sexp: &str) -> String {
    let spaced = sexp.split_whitespace().collect::<Vec<_>>().join(" ");
    spaced.replace(" )", ")").replace("( ", "(")
}

struct Case {
    file: String,
    title: String,
    input: String,
    expected: String,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar/test/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut i = 0;
        while i < lines.len() {
            if !lines[i].starts_with("===") {
                i += 1;
                continue;
            }
            let title = lines[i + 1].trim().to_string();
            i += 3;
            let mut input = String::new();
            while i < lines.len() && !lines[i].starts_with("---") {
                input.push_str(lines[i]);
                i += 1;
            }
            i += 1;
            let mut expected = String::new();
            while i < lines.len() && !lines[i].starts_with("===") {
                expected.push_str(lines[i]);
                i += 1;
            }
            // The corpus format ends an input with one newline before `---`.
            let input = input.strip_suffix("\r\n\r\n").map(|s| format!("{s}\r\n")).unwrap_or_else(|| {
                input.strip_suffix("\n\n").map(|s| format!("{s}\n")).unwrap_or(input.trim_end_matches('\n').to_string())
            });
            cases.push(Case { file: path.file_name().unwrap().to_string_lossy().into_owned(), title, input, expected });
        }
    }
    cases
}

#[test]
fn every_corpus_case_parses_to_its_tree() {
    let cases = cases();
    assert!(cases.len() >= 50, "found only {} corpus cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = normalize(&dimap::syntax::parse(&case.input).sexp());
        let want = normalize(&case.expected);
        if got != want {
            failures.push(format!("{} / {}:\n  want {want}\n  got  {got}", case.file, case.title));
        }
    }
    assert!(failures.is_empty(), "{} of {} corpus cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
