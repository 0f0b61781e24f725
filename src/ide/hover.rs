//! Hover: what a field or entity under the cursor is, from the cache: type,
//! length, requiredness, members, lookup target, key membership, and when
//! the cache was refreshed. Markdown out, byte ranges in.

use crate::analysis::query::{Index, Symbol};
use crate::analysis::{Code, FileId, Workspace};
use crate::schema::{CachedEntity, CachedField, CachedSchema};
use crate::text::TextRange;

/// A hover's text and the range it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverInfo {
    pub range: TextRange,
    pub markdown: String,
}

pub fn hover(ws: &Workspace, file: FileId, offset: usize) -> Option<HoverInfo> {
    if let Some(info) = code_hover(ws.file(file).text(), offset) {
        return Some(info);
    }
    let index = Index::new(ws);
    match index.symbol_at(file, offset)? {
        Symbol::Entity { schema, entity, range } => {
            Some(HoverInfo { range, markdown: entity_markdown(schema, entity) })
        }
        Symbol::Field { schema, entity, field, range, key } => {
            Some(HoverInfo { range, markdown: field_markdown(schema, entity, field, key) })
        }
    }
}

/// A finding code under the cursor (in a comment such as `#~ DIPV1010`):
/// its title, severity and where it is explained.
fn code_hover(text: &str, offset: usize) -> Option<HoverInfo> {
    let offset = crate::text::floor_char_boundary(text, offset);
    let is_word = |c: char| c.is_ascii_alphanumeric();
    let start = offset - text[..offset].chars().rev().take_while(|c| is_word(*c)).map(char::len_utf8).sum::<usize>();
    let end = offset + text[offset..].chars().take_while(|c| is_word(*c)).map(char::len_utf8).sum::<usize>();
    let code = Code::parse(&text[start..end])?;
    let link =
        code.documentation_url().map(|u| format!("\n\nSee the product's [error codes]({u}).")).unwrap_or_default();
    Some(HoverInfo {
        range: start..end,
        markdown: format!("**{}** · {}\n\n{}{link}", code.as_str(), code.severity().as_str(), code.title()),
    })
}

fn refreshed(schema: &CachedSchema) -> String {
    format!(
        "environment `{}` ({}), cache refreshed {}",
        schema.environment,
        schema.app.keyword(),
        schema.refreshed.as_deref().unwrap_or("at an unknown time")
    )
}

pub fn field_markdown(schema: &CachedSchema, entity: &CachedEntity, field: &CachedField, key: bool) -> String {
    let mut facts = vec![format!("`{}`", field.type_label())];
    if field.required {
        facts.push("required".into());
    }
    if field.read_only {
        facts.push("read-only".into());
    }
    if key {
        facts.push("integration key".into());
    }
    if entity.is_company_field(schema.app, &field.name) {
        facts.push("company field (filled by dual-write)".into());
    }
    let mut out = format!("**{}** · {}\n\nField of `{}`", field.name, facts.join(" · "), entity.name);
    if let Some(target) = &field.target {
        out.push_str(&format!("; lookup to `{target}`"));
    }
    let members: Vec<String> = field.members().map(|(name, value)| format!("`{name}` = {value}")).collect();
    if !members.is_empty() {
        out.push_str(&format!("\n\nValues: {}", members.join(", ")));
    }
    out.push_str(&format!("\n\n{}", refreshed(schema)));
    out
}

pub fn entity_markdown(schema: &CachedSchema, entity: &CachedEntity) -> String {
    let scope = match (&entity.company_field, entity.cross_company_sharing) {
        (_, true) => "cross-company data sharing on".to_string(),
        (Some(field), false) => format!("company-specific (`{field}`)"),
        (None, false) => "global (cross-company)".to_string(),
    };
    let keys: Vec<String> = entity.keys.iter().map(|k| format!("`{}` ({})", k.name, k.fields.join(", "))).collect();
    let required = entity.fields.iter().filter(|f| f.required).count();
    format!(
        "**{}** · {} · {}\n\nKeys: {}\n\n{} fields, {required} required\n\n{}",
        entity.name,
        entity.kind.as_deref().unwrap_or("standard"),
        scope,
        if keys.is_empty() { "none".to_string() } else { keys.join("; ") },
        entity.fields.len(),
        refreshed(schema)
    )
}
