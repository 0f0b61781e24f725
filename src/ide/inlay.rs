//! Inlay hints and code lenses: the type of each mapped field after its path
//! (`: string(20)`), and over each map header a summary of its lines,
//! required fields left unmapped and findings.

use crate::analysis::model::{FieldSideDecl, Side};
use crate::analysis::query::Index;
use crate::analysis::{Code, Diagnostic, FileId, Workspace};
use crate::text::TextRange;

/// A label shown after `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
}

/// A line of text shown over `range`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLens {
    pub range: TextRange,
    pub title: String,
}

pub fn inlay_hints(ws: &Workspace, file: FileId) -> Vec<InlayHint> {
    let index = Index::new(ws);
    let mut out = Vec::new();
    for scope in index.maps().filter(|s| s.project.file == file) {
        for line in &scope.map.lines {
            for side in [Side::Left, Side::Right] {
                let (Some(resolved), FieldSideDecl::Path(path)) = (scope.side(side), line.side(side)) else { continue };
                if let Some((_, field)) = resolved.walk(path.segments.iter().map(|s| s.text.as_str())) {
                    out.push(InlayHint { offset: path.range.end, label: format!(": {}", field.type_label()) });
                }
            }
        }
    }
    out.sort_by_key(|h| h.offset);
    out
}

pub fn code_lenses(ws: &Workspace, file: FileId, findings: &[Diagnostic]) -> Vec<CodeLens> {
    let source = ws.file(file);
    let mut out = Vec::new();
    for project in &source.model.projects {
        for map in &project.maps {
            let inside: Vec<&Diagnostic> = findings
                .iter()
                .filter(|d| {
                    d.location.file == file
                        && d.location.range.start >= map.range.start
                        && d.location.range.start < map.range.end
                })
                .collect();
            let unmapped = inside.iter().filter(|d| d.code == Code::Dipv1010).count();
            let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
            out.push(CodeLens {
                range: map.header.clone(),
                title: format!(
                    "{} · {} required unmapped · {}",
                    plural(map.lines.len(), "line"),
                    unmapped,
                    plural(inside.len(), "finding")
                ),
            });
        }
    }
    out
}
