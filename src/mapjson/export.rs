//! `.dimap` to JSON: each selected map becomes a document with one leg, in
//! the key order of the export model, with what JSON cannot hold reported.

use anyhow::bail;
use indexmap::IndexMap;
use serde_json::Value;

use super::document::{ExportDocument, ExportFieldMapping, ExportLeg, ExportTransform};
use super::{environment_type, Context, Loss, DEFAULT_LEFT_TYPE, DEFAULT_RIGHT_TYPE};
use crate::analysis::model::{self, Direction, LineDecl, MapDecl, ProjectDecl, ValueDecl, ValueKind};
use crate::syntax::Parse;

/// What export prints and what it could not carry over.
#[derive(Debug, Clone)]
pub struct ExportOutput {
    /// Pretty JSON: one document, or an array of documents for several maps.
    pub json: String,
    pub documents: Vec<ExportDocument>,
    pub losses: Vec<Loss>,
}

/// The JSON of the maps of `parse` (named `file` in messages): every map, or
/// only `selection` (`MAP` or `PROJECT/MAP`).
pub fn from_dimap(
    parse: &Parse,
    file: &str,
    selection: Option<&str>,
    context: Context<'_>,
) -> anyhow::Result<ExportOutput> {
    let text = parse.text();
    if !parse.errors().is_empty() {
        let shown: Vec<String> = parse
            .errors()
            .iter()
            .take(5)
            .map(|e| {
                let (line, column) = line_column(text, e.range.start);
                format!("{file}:{line}:{column}: {}", e.message)
            })
            .collect();
        bail!("{file} has syntax errors; fix them before exporting:\n{}", shown.join("\n"));
    }
    let file_model = model::lower(parse);
    let mut selected: Vec<(&ProjectDecl, &MapDecl)> = Vec::new();
    for project in &file_model.projects {
        for map in &project.maps {
            let wanted = match selection {
                None => true,
                Some(sel) => {
                    sel == map.name.text
                        || sel.rsplit_once('/').is_some_and(|(p, m)| p == project.name.text && m == map.name.text)
                }
            };
            if wanted {
                selected.push((project, map));
            }
        }
    }
    let all: Vec<String> = file_model
        .projects
        .iter()
        .flat_map(|p| p.maps.iter().map(move |m| format!("{}/{}", p.name.text, m.name.text)))
        .collect();
    match (selection, selected.len()) {
        (_, 0) if all.is_empty() => bail!("{file} holds no maps"),
        (Some(sel), 0) => bail!("{file} has no map `{sel}`; its maps are: {}", all.join(", ")),
        (Some(sel), n) if n > 1 => {
            let names: Vec<String> = selected.iter().map(|(p, m)| format!("{}/{}", p.name.text, m.name.text)).collect();
            bail!("`{sel}` names {n} maps ({}); give PROJECT/MAP", names.join(", "))
        }
        _ => {}
    }
    let mut losses = Vec::new();
    let documents: Vec<ExportDocument> =
        selected.iter().map(|(project, map)| document(project, map, file, text, context, &mut losses)).collect();
    let json = if documents.len() == 1 {
        serde_json::to_string_pretty(&documents[0])?
    } else {
        serde_json::to_string_pretty(&documents)?
    };
    Ok(ExportOutput { json, documents, losses })
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn document(
    project: &ProjectDecl,
    map: &MapDecl,
    file: &str,
    text: &str,
    context: Context<'_>,
    losses: &mut Vec<Loss>,
) -> ExportDocument {
    let map_at = |offset: usize| format!("{file}:{}: map {}", line_column(text, offset).0, map.name.text);
    let mut loss = |offset: usize, message: String| losses.push(Loss { location: map_at(offset), message });
    let left_alias = map.left.as_ref().map_or("", |l| l.alias.text.as_str());
    let right_alias = map.right.as_ref().map_or("", |r| r.alias.text.as_str());
    let left_entity = map.left.as_ref().map_or(String::new(), |l| l.entity.text.clone());
    let right_logical = map.right.as_ref().map_or(String::new(), |r| r.entity.text.clone());
    let right_entity = context.entity_set(&right_logical).unwrap_or_else(|| right_logical.clone());
    let set = project.connection_set.as_ref().map_or("", |s| s.text.as_str());
    let env_type = |alias: &str, default: &str| {
        context.app_of(set, alias).map_or_else(|| default.to_string(), |app| environment_type(app).to_string())
    };

    let (mut source_filter, mut reversed_filter) = (None::<String>, None::<String>);
    for filter in &map.filters {
        let slot = if filter.alias.text == left_alias {
            &mut source_filter
        } else if filter.alias.text == right_alias {
            &mut reversed_filter
        } else {
            loss(
                filter.range.start,
                format!("filter of `{}`, which is neither side of the map, is not exported", filter.alias.text),
            );
            continue;
        };
        if slot.is_some() {
            loss(filter.range.start, format!("a second filter of `{}` is not exported", filter.alias.text));
            continue;
        }
        *slot = Some(filter.expression.as_ref().map_or(String::new(), |e| e.value.clone()));
    }
    for key in &map.keys {
        let paths: Vec<String> = key.paths.iter().map(model::PathDecl::text).collect();
        loss(key.range.start, format!("key {} is not part of the map JSON and is not exported", paths.join(", ")));
    }
    let field_mappings = map.lines.iter().map(|line| field_mapping(line, &right_logical, context, &mut loss)).collect();
    ExportDocument {
        left_environment_type: env_type(left_alias, DEFAULT_LEFT_TYPE),
        right_environment_type: env_type(right_alias, DEFAULT_RIGHT_TYPE),
        legs: vec![ExportLeg {
            source_schema: left_entity,
            destination_schema: right_entity,
            source_filter: source_filter.unwrap_or_default(),
            reversed_source_filter: reversed_filter.unwrap_or_default(),
            field_mappings,
        }],
    }
}

fn field_mapping(
    line: &LineDecl,
    right_entity: &str,
    context: Context<'_>,
    loss: &mut impl FnMut(usize, String),
) -> ExportFieldMapping {
    let mut value_transforms = Vec::new();
    if let Some(default) = &line.default {
        value_transforms.push(ExportTransform::Default { default_value: json_value(default) });
    }
    if let Some(entries) = &line.value_map {
        let mut map = IndexMap::new();
        for entry in entries {
            let key = match &entry.left.kind {
                ValueKind::Ident(s) | ValueKind::Number(s) | ValueKind::String(s) => s.clone(),
                ValueKind::Bool(_) | ValueKind::Null => {
                    let shown = entry.left.display();
                    loss(
                        entry.left.range.start,
                        format!("{}: the value map key {shown} is exported as the string \"{shown}\"", line.summary()),
                    );
                    shown
                }
            };
            if map.contains_key(&key) {
                loss(
                    entry.left.range.start,
                    format!("{}: a second value map entry for \"{key}\" is not exported", line.summary()),
                );
                continue;
            }
            map.insert(key, json_value(&entry.right));
        }
        value_transforms.push(ExportTransform::ValueMap { value_map: map });
    }
    let right = line.right.path().map(model::PathDecl::text);
    ExportFieldMapping {
        source_field: line.left.path().map(model::PathDecl::text),
        destination_lookup_field_related_entity: right
            .as_deref()
            .and_then(|path| context.lookup_related_entity(right_entity, path)),
        destination_field: right,
        sync_direction: match line.direction.direction {
            Direction::LeftToRight => "1",
            Direction::RightToLeft => "2",
            Direction::Both => "3",
        },
        is_system_generated: false,
        value_transforms,
    }
}

/// A transform value as the stored document keeps it: text, except
/// booleans and `null`.
fn json_value(value: &ValueDecl) -> Value {
    match &value.kind {
        ValueKind::Ident(s) | ValueKind::Number(s) | ValueKind::String(s) => Value::String(s.clone()),
        ValueKind::Bool(b) => Value::Bool(*b),
        ValueKind::Null => Value::Null,
    }
}
