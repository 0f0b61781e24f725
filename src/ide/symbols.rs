//! Document symbols: connection sets with their connections, projects with
//! their maps, and each map's field-mapping lines.

use crate::analysis::model::FileModel;
use crate::text::TextRange;

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    ConnectionSet,
    Connection,
    Project,
    Map,
    FieldMapping,
}

/// A symbol and its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: TextRange,
    pub selection: TextRange,
    pub children: Vec<DocumentSymbol>,
}

pub fn document_symbols(model: &FileModel) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    for set in &model.connection_sets {
        let children = set
            .connections
            .iter()
            .map(|c| DocumentSymbol {
                name: c.alias.text.clone(),
                detail: Some(format!("{} {}", c.app.keyword(), c.environment.as_ref().map_or("", |e| e.text.as_str()))),
                kind: SymbolKind::Connection,
                range: c.range.clone(),
                selection: c.alias.range.clone(),
                children: Vec::new(),
            })
            .collect();
        let end =
            set.connections.iter().map(|c| c.range.end).chain(set.organizations.iter().map(|o| o.range.end)).max();
        out.push(DocumentSymbol {
            name: set.name.text.clone(),
            detail: Some("connection set".into()),
            kind: SymbolKind::ConnectionSet,
            range: set.name.range.start..end.unwrap_or(set.name.range.end),
            selection: set.name.range.clone(),
            children,
        });
    }
    for project in &model.projects {
        let maps: Vec<DocumentSymbol> = project
            .maps
            .iter()
            .map(|m| DocumentSymbol {
                name: m.name.text.clone(),
                detail: Some(
                    [&m.left, &m.right]
                        .iter()
                        .map(|s| s.as_ref().map_or("?".to_string(), |s| format!("{}.{}", s.alias.text, s.entity.text)))
                        .collect::<Vec<_>>()
                        .join(" ↔ "),
                ),
                kind: SymbolKind::Map,
                range: m.range.clone(),
                selection: m.name.range.clone(),
                children: m
                    .lines
                    .iter()
                    .map(|l| DocumentSymbol {
                        name: l.summary(),
                        detail: None,
                        kind: SymbolKind::FieldMapping,
                        range: l.range.clone(),
                        selection: l.range.clone(),
                        children: Vec::new(),
                    })
                    .collect(),
            })
            .collect();
        let end = maps.iter().map(|m| m.range.end).max().unwrap_or(project.header.end);
        out.push(DocumentSymbol {
            name: project.name.text.clone(),
            detail: Some("project".into()),
            kind: SymbolKind::Project,
            range: project.header.start..end,
            selection: project.name.range.clone(),
            children: maps,
        });
    }
    out
}
