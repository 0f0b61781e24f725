//! Completion from the cached schemas: entity names after `ALIAS.` in a map
//! header, the side's field names on each side of a line (required unmapped
//! fields first, mapped ones last), related fields after `lookup.`, and
//! members after `default`. The context is read from the line's text before
//! the cursor, so it works on half-typed lines the parser cannot use.

use crate::analysis::model::Side;
use crate::analysis::query::{Index, MapScope};
use crate::analysis::{FileId, Workspace};
use crate::schema::{App, CachedEntity, CachedField, CachedSchema};
use crate::text::TextRange;

/// What a completion item names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Entity,
    Field,
    Member,
    Keyword,
}

/// One completion, replacing `replace` with `label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    pub sort_text: String,
    pub replace: TextRange,
}

const DIRECTIONS: [&str; 6] = ["><", ">>", "<<", "=", ">", "<"];

pub fn complete(ws: &Workspace, file: FileId, offset: usize) -> Vec<CompletionItem> {
    let source = ws.file(file);
    let text = source.text();
    let offset = crate::text::floor_char_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let word_start = offset
        - before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .map(char::len_utf8)
            .sum::<usize>();
    let word = &text[word_start..offset];
    let segment_start = word_start + word.rfind('.').map_or(0, |i| i + 1);
    let replace = segment_start..offset;
    let index = Index::new(ws);
    let Some(scope) = index.map_at(file, offset) else {
        return keywords(
            &["connection_set", "project", "map", "organization", "dual_write", "data_integrator"],
            replace,
        );
    };
    if offset <= scope.map.header.end {
        return header_entities(&index, &scope, word, replace);
    }
    let head = &before[..before.len() - word.len()];
    if head.split_whitespace().any(|t| t == "default") {
        return default_members(&scope, head, replace);
    }
    let side = if head.split_whitespace().any(|t| DIRECTIONS.contains(&t)) { Side::Right } else { Side::Left };
    let Some(resolved) = scope.side(side) else { return Vec::new() };
    let (schema, app) = (resolved.schema, resolved.app());
    // Walk `lookup.lookup.` to the entity whose fields complete here.
    let mut entity = resolved.entity;
    let segments: Vec<&str> = word.split('.').collect();
    for name in &segments[..segments.len() - 1] {
        let Some(target) = entity.field(app, name).and_then(|f| f.target.as_deref()).and_then(|t| schema.entity(t))
        else {
            return Vec::new();
        };
        entity = target;
    }
    let mut items = fields(schema, entity, replace.clone());
    if segments.len() == 1 {
        rank_by_mapping(&scope, side, app, &mut items);
        if side == Side::Left && head.trim().is_empty() {
            items.extend(keywords(&["none", "filter", "key"], replace));
        } else if side == Side::Right {
            items.extend(keywords(&["none"], replace));
        }
    }
    items
}

fn keywords(words: &[&str], replace: TextRange) -> Vec<CompletionItem> {
    words
        .iter()
        .map(|w| CompletionItem {
            label: w.to_string(),
            kind: CompletionKind::Keyword,
            detail: None,
            documentation: None,
            sort_text: format!("9{w}"),
            replace: replace.clone(),
        })
        .collect()
}

fn header_entities(index: &Index<'_>, scope: &MapScope<'_>, word: &str, replace: TextRange) -> Vec<CompletionItem> {
    let Some((alias, _)) = word.split_once('.') else { return Vec::new() };
    let side =
        [Side::Left, Side::Right].into_iter().find(|s| scope.map.side(*s).is_some_and(|d| d.alias.text == alias));
    let Some(schema) = side.and_then(|s| index.side_schema(scope, s)) else { return Vec::new() };
    schema
        .entities
        .iter()
        .map(|e| CompletionItem {
            label: e.name.clone(),
            kind: CompletionKind::Entity,
            detail: Some(format!("{} · {} fields", e.kind.as_deref().unwrap_or("standard"), e.fields.len())),
            documentation: Some(super::hover::entity_markdown(schema, e)),
            sort_text: format!("1{}", e.name.to_lowercase()),
            replace: replace.clone(),
        })
        .collect()
}

fn fields(schema: &CachedSchema, entity: &CachedEntity, replace: TextRange) -> Vec<CompletionItem> {
    entity
        .fields
        .iter()
        .map(|f| CompletionItem {
            label: f.name.clone(),
            kind: CompletionKind::Field,
            detail: Some(detail(f)),
            documentation: Some(super::hover::field_markdown(schema, entity, f, false)),
            sort_text: format!("1{}", f.name.to_lowercase()),
            replace: replace.clone(),
        })
        .collect()
}

fn detail(field: &CachedField) -> String {
    let mut out = field.type_label();
    if field.required {
        out.push_str(" · required");
    }
    if field.read_only {
        out.push_str(" · read-only");
    }
    out
}

/// Required fields not yet written by any line first, written ones last.
fn rank_by_mapping(scope: &MapScope<'_>, side: Side, app: App, items: &mut [CompletionItem]) {
    let written: Vec<String> = scope
        .map
        .lines
        .iter()
        .filter(|l| l.direction.direction.flows().iter().any(|f| f.destination() == side))
        .filter_map(|l| l.side(side).path()?.segments.first().map(|s| app.name_key(&s.text).into_owned()))
        .collect();
    for item in items.iter_mut() {
        let key = app.name_key(&item.label).into_owned();
        let required = item.detail.as_deref().is_some_and(|d| d.contains("required"));
        let rank = if written.contains(&key) {
            '2'
        } else if required {
            '0'
        } else {
            '1'
        };
        item.sort_text = format!("{rank}{}", item.label.to_lowercase());
    }
}

/// Members of the destination field after `default`.
fn default_members(scope: &MapScope<'_>, head: &str, replace: TextRange) -> Vec<CompletionItem> {
    let tokens: Vec<&str> = head.split_whitespace().collect();
    let Some(at) = tokens.iter().position(|t| DIRECTIONS.contains(t)) else { return Vec::new() };
    let (left, symbol, right) = (tokens.get(at.wrapping_sub(1)).copied(), tokens[at], tokens.get(at + 1).copied());
    let (side, name) = if symbol.starts_with('<') { (Side::Left, left) } else { (Side::Right, right) };
    let (Some(resolved), Some(name)) = (scope.side(side), name) else { return Vec::new() };
    let Some(field) = resolved.entity.field(resolved.app(), name.split('.').next().unwrap_or(name)) else {
        return Vec::new();
    };
    field
        .members()
        .enumerate()
        .map(|(i, (member, value))| CompletionItem {
            label: crate::analysis::member_literal(member),
            kind: CompletionKind::Member,
            detail: Some(format!("{} = {value}", field.name)),
            documentation: None,
            sort_text: format!("{i:04}"),
            replace: replace.clone(),
        })
        .collect()
}
