//! The one meeting point of the core and the protocol: byte offsets to and
//! from LSP positions in the negotiated encoding, and the core's plain data
//! (findings, fixes, hovers, completions, symbols) to `ls_types`.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use tower_lsp_server::ls_types as lsp;

use crate::analysis::{self, Severity, Workspace, WorkspaceFile};
use crate::ide;
use crate::text::{LineCol, PositionEncoding, TextRange};

pub fn encoding_kind(encoding: PositionEncoding) -> lsp::PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => lsp::PositionEncodingKind::UTF32,
    }
}

/// The first encoding the client offers that we speak; UTF-16 otherwise.
pub fn negotiate(offered: Option<&[lsp::PositionEncodingKind]>) -> PositionEncoding {
    for kind in offered.unwrap_or_default() {
        if *kind == lsp::PositionEncodingKind::UTF8 {
            return PositionEncoding::Utf8;
        }
        if *kind == lsp::PositionEncodingKind::UTF16 {
            return PositionEncoding::Utf16;
        }
        if *kind == lsp::PositionEncodingKind::UTF32 {
            return PositionEncoding::Utf32;
        }
    }
    PositionEncoding::Utf16
}

/// Converts positions of one file.
pub struct Positions<'a> {
    pub file: &'a WorkspaceFile,
    pub encoding: PositionEncoding,
}

impl Positions<'_> {
    pub fn position(&self, offset: usize) -> lsp::Position {
        let LineCol { line, col } = self.file.line_index().line_col(self.file.text(), offset, self.encoding);
        lsp::Position { line, character: col }
    }

    pub fn range(&self, range: &TextRange) -> lsp::Range {
        lsp::Range { start: self.position(range.start), end: self.position(range.end) }
    }

    pub fn offset(&self, position: lsp::Position) -> usize {
        self.file.line_index().offset(
            self.file.text(),
            LineCol { line: position.line, col: position.character },
            self.encoding,
        )
    }
}

pub fn uri_for(root: &Path, path: &str) -> Option<lsp::Uri> {
    let full = if Path::new(path).is_absolute() { Path::new(path).to_path_buf() } else { root.join(path) };
    lsp::Uri::from_file_path(full)
}

fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// Findings converted, by workspace path.
pub fn diagnostics(
    ws: &Workspace,
    root: &Path,
    found: &[analysis::Diagnostic],
    encoding: PositionEncoding,
    overrides: &HashMap<String, Option<Severity>>,
) -> HashMap<String, Vec<lsp::Diagnostic>> {
    let mut out: HashMap<String, Vec<lsp::Diagnostic>> = HashMap::new();
    for d in found {
        let severity_of = overrides.get(d.code.as_str()).copied().unwrap_or(Some(d.severity));
        let Some(level) = severity_of else { continue };
        let file = ws.file(d.location.file);
        let positions = Positions { file, encoding };
        let related = d
            .related
            .iter()
            .filter_map(|r| {
                let other = ws.file(r.location.file);
                Some(lsp::DiagnosticRelatedInformation {
                    location: lsp::Location {
                        uri: uri_for(root, &other.path)?,
                        range: Positions { file: other, encoding }.range(&r.location.range),
                    },
                    message: r.message.clone(),
                })
            })
            .collect::<Vec<_>>();
        out.entry(file.path.clone()).or_default().push(lsp::Diagnostic {
            range: positions.range(&d.location.range),
            severity: Some(severity(level)),
            code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
            code_description: d
                .code
                .documentation_url()
                .and_then(|u| lsp::Uri::from_str(u).ok())
                .map(|href| lsp::CodeDescription { href }),
            source: Some("dimap".into()),
            message: d.message.clone(),
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        });
    }
    out
}

/// The quick-fixes of findings in a file that touch `range`.
pub fn code_actions(
    ws: &Workspace,
    root: &Path,
    found: &[analysis::Diagnostic],
    file_id: analysis::FileId,
    range: &TextRange,
    encoding: PositionEncoding,
) -> Vec<lsp::CodeActionOrCommand> {
    let mut out = Vec::new();
    let no_overrides = HashMap::new();
    for d in found.iter().filter(|d| d.location.file == file_id) {
        let touches = d.location.range.start <= range.end && range.start <= d.location.range.end;
        if !touches {
            continue;
        }
        let diagnostic =
            diagnostics(ws, root, std::slice::from_ref(d), encoding, &no_overrides).into_values().flatten().next();
        for fix in &d.fixes {
            let mut action = fix_action(ws, root, fix, lsp::CodeActionKind::QUICKFIX, encoding);
            if let lsp::CodeActionOrCommand::CodeAction(action) = &mut action {
                action.diagnostics = diagnostic.clone().map(|d| vec![d]);
            }
            out.push(action);
        }
    }
    out
}

/// A fix as a code action of `kind`.
pub fn fix_action(
    ws: &Workspace,
    root: &Path,
    fix: &analysis::Fix,
    kind: lsp::CodeActionKind,
    encoding: PositionEncoding,
) -> lsp::CodeActionOrCommand {
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for edit in &fix.edits {
        let file = ws.file(edit.location.file);
        let Some(uri) = uri_for(root, &file.path) else { continue };
        changes.entry(uri).or_default().push(lsp::TextEdit {
            range: Positions { file, encoding }.range(&edit.location.range),
            new_text: edit.new_text.clone(),
        });
    }
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: fix.title.clone(),
        kind: Some(kind),
        edit: Some(lsp::WorkspaceEdit { changes: Some(changes), ..Default::default() }),
        is_preferred: Some(fix.preferred),
        ..Default::default()
    })
}

pub fn hover(info: ide::hover::HoverInfo, positions: &Positions<'_>) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: info.markdown,
        }),
        range: Some(positions.range(&info.range)),
    }
}

pub fn completion(completions: ide::completion::Completions, positions: &Positions<'_>) -> lsp::CompletionResponse {
    let incomplete = completions.incomplete;
    let items = completions.items;
    use ide::completion::CompletionKind;
    let items = items
        .into_iter()
        .map(|item| lsp::CompletionItem {
            kind: Some(match item.kind {
                CompletionKind::Entity => lsp::CompletionItemKind::CLASS,
                CompletionKind::Field => lsp::CompletionItemKind::FIELD,
                CompletionKind::Member => lsp::CompletionItemKind::ENUM_MEMBER,
                CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
            }),
            detail: item.detail,
            documentation: item.documentation.map(|value| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value })
            }),
            sort_text: Some(item.sort_text),
            filter_text: Some(item.label.clone()),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                range: positions.range(&item.replace),
                new_text: item.label.clone(),
            })),
            label: item.label,
            ..Default::default()
        })
        .collect();
    lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: incomplete, items })
}

#[allow(deprecated)]
pub fn document_symbols(
    symbols: Vec<ide::symbols::DocumentSymbol>,
    positions: &Positions<'_>,
) -> Vec<lsp::DocumentSymbol> {
    use ide::symbols::SymbolKind;
    symbols
        .into_iter()
        .map(|s| lsp::DocumentSymbol {
            name: if s.name.is_empty() { "(unnamed)".into() } else { s.name },
            detail: s.detail,
            kind: match s.kind {
                SymbolKind::ConnectionSet => lsp::SymbolKind::NAMESPACE,
                SymbolKind::Connection => lsp::SymbolKind::VARIABLE,
                SymbolKind::Project => lsp::SymbolKind::PACKAGE,
                SymbolKind::Map => lsp::SymbolKind::CLASS,
                SymbolKind::FieldMapping => lsp::SymbolKind::FIELD,
            },
            tags: None,
            deprecated: None,
            range: positions.range(&s.range),
            selection_range: positions.range(&s.selection),
            children: Some(document_symbols(s.children, positions)),
        })
        .collect()
}

pub fn folding_ranges(ranges: Vec<TextRange>, positions: &Positions<'_>) -> Vec<lsp::FoldingRange> {
    ranges
        .into_iter()
        .map(|r| positions.range(&r))
        .filter(|r| r.end.line > r.start.line)
        .map(|r| lsp::FoldingRange {
            start_line: r.start.line,
            end_line: r.end.line.saturating_sub(1).max(r.start.line),
            kind: Some(lsp::FoldingRangeKind::Region),
            ..Default::default()
        })
        .collect()
}

/// A whole-document replacement, the simplest edit that keeps every
/// client's undo history whole.
pub fn whole_document_edit(old: &Positions<'_>, new_text: String) -> lsp::TextEdit {
    lsp::TextEdit { range: old.range(&(0..old.file.text().len())), new_text }
}

/// The semantic token types, in legend order, and the highlight captures
/// of the shared query that map to each.
pub const TOKEN_TYPES: &[(lsp::SemanticTokenType, &[&str])] = &[
    (lsp::SemanticTokenType::COMMENT, &["comment"]),
    (lsp::SemanticTokenType::KEYWORD, &["keyword", "keyword.operator", "constant.builtin", "boolean"]),
    (lsp::SemanticTokenType::TYPE, &["type", "type.builtin"]),
    (lsp::SemanticTokenType::NAMESPACE, &["namespace"]),
    (lsp::SemanticTokenType::CLASS, &["title"]),
    (lsp::SemanticTokenType::FUNCTION, &["function"]),
    (lsp::SemanticTokenType::PARAMETER, &["variable.parameter"]),
    (lsp::SemanticTokenType::PROPERTY, &["property"]),
    (lsp::SemanticTokenType::OPERATOR, &["operator"]),
    (lsp::SemanticTokenType::STRING, &["string"]),
    (lsp::SemanticTokenType::NUMBER, &["number"]),
    (lsp::SemanticTokenType::ENUM_MEMBER, &["constant"]),
];

pub fn semantic_legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TOKEN_TYPES.iter().map(|(t, _)| t.clone()).collect(),
        token_modifiers: Vec::new(),
    }
}

/// The file's highlights as the protocol's relative token encoding.
pub fn semantic_tokens(positions: &Positions<'_>) -> Vec<u32> {
    let mut data = Vec::new();
    let (mut line, mut start) = (0u32, 0u32);
    for (range, capture) in positions.file.parse.highlights() {
        let Some(kind) = TOKEN_TYPES.iter().position(|(_, names)| names.contains(&capture)) else { continue };
        let (from, to) = (positions.position(range.start), positions.position(range.end));
        if from.line != to.line || to.character <= from.character {
            continue;
        }
        let delta_line = from.line - line;
        let delta_start = if delta_line == 0 { from.character - start } else { from.character };
        data.extend([delta_line, delta_start, to.character - from.character, kind as u32, 0]);
        (line, start) = (from.line, from.character);
    }
    data
}

/// One edit turning `old` tokens into `new` ones: the changed middle, cut
/// at whole tokens (five numbers each).
pub fn semantic_delta(old: &[u32], new: &[u32]) -> Vec<lsp::SemanticTokensEdit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count() / 5 * 5;
    let suffix = old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count() / 5 * 5;
    if prefix == old.len() && prefix == new.len() {
        return Vec::new();
    }
    vec![lsp::SemanticTokensEdit {
        start: prefix as u32,
        delete_count: (old.len() - prefix - suffix) as u32,
        data: Some(to_semantic_tokens(&new[prefix..new.len() - suffix])),
    }]
}

pub fn to_semantic_tokens(data: &[u32]) -> Vec<lsp::SemanticToken> {
    data.chunks_exact(5)
        .map(|c| lsp::SemanticToken {
            delta_line: c[0],
            delta_start: c[1],
            length: c[2],
            token_type: c[3],
            token_modifiers_bitset: c[4],
        })
        .collect()
}

pub fn location(
    ws: &Workspace,
    root: &Path,
    at: &analysis::Location,
    encoding: PositionEncoding,
) -> Option<lsp::Location> {
    let file = ws.file(at.file);
    Some(lsp::Location { uri: uri_for(root, &file.path)?, range: Positions { file, encoding }.range(&at.range) })
}

/// Where `"name": "<name>"` stands in a cache document, from `from` on.
pub fn find_cache_name(text: &str, from: usize, name: &str) -> Option<usize> {
    let mut at = from;
    while let Some(i) = text.get(at..)?.find("\"name\"") {
        let key = at + i;
        let rest = text[key + 6..].trim_start();
        if let Some(value) = rest.strip_prefix(':').map(str::trim_start) {
            if value.strip_prefix('"').is_some_and(|v| v.starts_with(name) && v[name.len()..].starts_with('"')) {
                return Some(key);
            }
        }
        at = key + 6;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_cut_at_whole_tokens() {
        let old = [0, 0, 3, 1, 0, 1, 2, 4, 2, 0, 0, 5, 1, 1, 0];
        let new = [0, 0, 3, 1, 0, 1, 2, 5, 2, 0, 0, 5, 1, 1, 0];
        let edits = semantic_delta(&old, &new);
        assert_eq!(edits.len(), 1);
        assert_eq!((edits[0].start, edits[0].delete_count), (5, 5));
        assert_eq!(edits[0].data.as_ref().unwrap()[0].length, 5);
        assert!(semantic_delta(&old, &old).is_empty());
    }
}
