//! `dimap check`: runs the analysis on each workspace and prints findings as
//! text or as the JSON document of `cli.md` (0-based UTF-16 ranges, paths
//! relative to the root), with `--fix` applying the unambiguous fixes.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use super::{CheckArgs, Format};
use crate::analysis::{self, Code, FileId, Severity};
use crate::disk::{find_root, load_workspace, relative, write_atomically, LoadedWorkspace};
use crate::ide::fixes::{apply, unambiguous_fixes};
use crate::text::{LineCol, PositionEncoding};

#[derive(Serialize)]
struct JsonReport {
    version: u32,
    diagnostics: Vec<JsonDiagnostic>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize, Clone, Copy)]
struct JsonPosition {
    line: u32,
    character: u32,
}

#[derive(Serialize, Clone, Copy)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonDiagnostic {
    path: String,
    range: JsonRange,
    severity: &'static str,
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<JsonFix>,
}

#[derive(Serialize)]
struct JsonRelated {
    path: String,
    range: JsonRange,
    message: String,
}

#[derive(Serialize)]
struct JsonFix {
    title: String,
    edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
struct JsonEdit {
    path: String,
    range: JsonRange,
    #[serde(rename = "newText")]
    new_text: String,
}

/// A finding with every place resolved to a path and a UTF-16 range.
struct Located {
    severity: Severity,
    json: JsonDiagnostic,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let mut roots: Vec<PathBuf> = Vec::new();
    for path in &args.paths {
        let root = find_root(path)?;
        if !roots.contains(&root) {
            roots.push(root);
        }
    }
    let mut located = Vec::new();
    let mut files = 0;
    for root in &roots {
        let mut loaded = load_workspace(root)?;
        if args.fix {
            let changed = apply_fixes(&loaded)?;
            if changed > 0 {
                eprintln!("dimap: applied fixes to {changed} file(s) under {}", root.display());
                loaded = load_workspace(root)?;
            }
        }
        files += loaded.workspace.files.len();
        located.extend(locate(&loaded));
    }
    let errors = located.iter().filter(|l| l.severity == Severity::Error).count();
    let warnings = located.iter().filter(|l| l.severity == Severity::Warning).count();
    // Standard output is line-buffered; a large report is written in blocks.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            let report = JsonReport {
                version: 1,
                diagnostics: located.into_iter().map(|l| l.json).collect(),
                summary: JsonSummary { files, errors, warnings },
            };
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Text => print_text(&mut out, &located, files, errors, warnings)?,
    }
    out.flush()?;
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Checks a workspace and turns byte ranges into 0-based UTF-16 ranges.
fn locate(loaded: &LoadedWorkspace) -> Vec<Located> {
    let ws = &loaded.workspace;
    let range = |file: FileId, bytes: &std::ops::Range<usize>| {
        let (text, index) = (ws.file(file).text(), ws.file(file).line_index());
        let start = index.line_col(text, bytes.start, PositionEncoding::Utf16);
        let end = index.line_col(text, bytes.end, PositionEncoding::Utf16);
        json_range(start, end)
    };
    let path = |file: FileId| ws.file(file).path.clone();
    let mut out: Vec<Located> = analysis::check(ws)
        .into_iter()
        .map(|d| Located {
            severity: d.severity,
            json: JsonDiagnostic {
                path: path(d.location.file),
                range: range(d.location.file, &d.location.range),
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                related: d
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        path: path(r.location.file),
                        range: range(r.location.file, &r.location.range),
                        message: r.message.clone(),
                    })
                    .collect(),
                fixes: d
                    .fixes
                    .iter()
                    .map(|f| JsonFix {
                        title: f.title.clone(),
                        edits: f
                            .edits
                            .iter()
                            .map(|e| JsonEdit {
                                path: path(e.location.file),
                                range: range(e.location.file, &e.location.range),
                                new_text: e.new_text.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
                message: d.message,
            },
        })
        .collect();
    for problem in &loaded.cache_problems {
        let at = LineCol { line: problem.line.saturating_sub(1) as u32, col: problem.column.saturating_sub(1) as u32 };
        out.push(Located {
            severity: Code::Dimap0010.severity(),
            json: JsonDiagnostic {
                path: relative(&loaded.root, &problem.path),
                range: json_range(at, at),
                severity: Code::Dimap0010.severity().as_str(),
                code: Code::Dimap0010.as_str(),
                message: problem.message.clone(),
                related: Vec::new(),
                fixes: Vec::new(),
            },
        });
    }
    out
}

fn json_range(start: LineCol, end: LineCol) -> JsonRange {
    JsonRange {
        start: JsonPosition { line: start.line, character: start.col },
        end: JsonPosition { line: end.line, character: end.col },
    }
}

fn print_text(
    out: &mut impl Write,
    located: &[Located],
    files: usize,
    errors: usize,
    warnings: usize,
) -> anyhow::Result<()> {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let paint = |code: &str, text: &str| if colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    for l in located {
        let d = &l.json;
        let severity = match l.severity {
            Severity::Error => paint("1;31", "error"),
            Severity::Warning => paint("1;33", "warning"),
            other => paint("1;36", other.as_str()),
        };
        writeln!(
            out,
            "{}:{}:{}: {severity} {} {}",
            d.path,
            d.range.start.line + 1,
            d.range.start.character + 1,
            paint("1", d.code),
            d.message
        )?;
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "{}: {}, {} in {}",
        if errors > 0 { "failed" } else { "checked" },
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(files, "file")
    )?;
    Ok(())
}

/// Applies, per file, the preferred fix of every finding that has exactly
/// one, skipping files with syntax errors (a fix there could land on text
/// the parser misread). Files are written to a temporary file and renamed.
fn apply_fixes(loaded: &LoadedWorkspace) -> anyhow::Result<usize> {
    let ws = &loaded.workspace;
    let diagnostics = analysis::check(ws);
    let per_file = unambiguous_fixes(&diagnostics);
    let mut changed = 0;
    for (file, edits) in per_file {
        let source = ws.file(file);
        let (text, applied) = apply(source.text(), edits);
        if applied == 0 || text == source.text() {
            continue;
        }
        write_atomically(&loaded.root.join(&source.path), &text)?;
        changed += 1;
    }
    Ok(changed)
}
