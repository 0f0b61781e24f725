//! JSON to `.dimap`: one project holding one map per leg of every document,
//! written as plain text, checked line by line against the grammar (a line
//! the grammar would misread is reported, never written), then formatted.

use std::collections::HashSet;
use std::fmt::Write as _;

use anyhow::{bail, Context as _};
use indexmap::IndexSet;
use serde_json::Value;

use super::document::{FieldMapping, Leg, MapDocument, SyncDirection, UnknownKeys};
use super::{is_number, Context, Loss, DEFAULT_LEFT_TYPE, DEFAULT_RIGHT_TYPE};
use crate::analysis::is_identifier;
use crate::analysis::model::Direction;

/// One document with the name of the input it came from, for messages.
#[derive(Debug, Clone)]
pub struct SourceDocument {
    pub name: String,
    pub document: MapDocument,
}

/// What the written project is called and how its sides are named.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub project: String,
    pub connection_set: String,
    pub left_alias: String,
    pub right_alias: String,
}

impl Default for ImportOptions {
    fn default() -> ImportOptions {
        ImportOptions {
            project: "Imported".to_string(),
            connection_set: "imported".to_string(),
            left_alias: "fo".to_string(),
            right_alias: "dv".to_string(),
        }
    }
}

/// Reads one input: a map document, or a JSON array of them (what export
/// prints for several maps).
pub fn parse_documents(name: &str, text: &str) -> anyhow::Result<Vec<SourceDocument>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let documents: Vec<MapDocument> = if text.trim_start().starts_with('[') {
        serde_json::from_str(text)
    } else {
        serde_json::from_str(text).map(|d| vec![d])
    }
    .with_context(|| format!("{name} is not a dual-write map document"))?;
    // Documents of an array are told apart in messages by their index.
    let indexed = documents.len() > 1;
    Ok(documents
        .into_iter()
        .enumerate()
        .map(|(i, document)| SourceDocument {
            name: if indexed { format!("{name}[{i}]") } else { name.to_string() },
            document,
        })
        .collect())
}

/// The `.dimap` text of `documents`, formatted, and what it could not hold.
pub fn to_dimap(
    documents: &[SourceDocument],
    options: &ImportOptions,
    context: Context<'_>,
) -> anyhow::Result<(String, Vec<Loss>)> {
    for (what, name) in [
        ("connection set", &options.connection_set),
        ("left alias", &options.left_alias),
        ("right alias", &options.right_alias),
    ] {
        if !is_identifier(name) {
            bail!("the {what} `{name}` is not an identifier ([A-Za-z_][A-Za-z0-9_]*)");
        }
    }
    if options.left_alias == options.right_alias {
        bail!("the two aliases must differ, both are `{}`", options.left_alias);
    }
    let mut writer = Writer { options, context, losses: Vec::new(), names: HashSet::new() };
    let mut text =
        format!("project {} dual_write {} {{\n", quote(&options.project, '"', &mut Vec::new()), options.connection_set);
    let mut first = true;
    for document in documents {
        writer.document_losses(document);
        for (index, leg) in document.document.legs.iter().enumerate() {
            let location = format!("{}: legs[{index}]", document.name);
            if let Some(map) = writer.map(leg, &location) {
                if !first {
                    text.push('\n');
                }
                first = false;
                text.push_str(&map);
            }
        }
    }
    text.push_str("}\n");
    let parse = crate::syntax::parse(&text);
    if let Some(error) = parse.errors().first() {
        bail!("internal error: the imported text does not parse ({}) at byte {}", error.message, error.range.start);
    }
    let formatted = crate::ide::format::format(&parse).unwrap_or(text);
    Ok((formatted, writer.losses))
}

struct Writer<'a> {
    options: &'a ImportOptions,
    context: Context<'a>,
    losses: Vec<Loss>,
    names: HashSet<String>,
}

impl Writer<'_> {
    fn loss(&mut self, location: &str, message: impl Into<String>) {
        self.losses.push(Loss { location: location.to_string(), message: message.into() });
    }

    /// What a whole document holds that no map can: its environment types,
    /// its grouping of legs, and keys the model does not know.
    fn document_losses(&mut self, source: &SourceDocument) {
        let document = &source.document;
        let left = document.left_environment_type.as_deref().unwrap_or("");
        let right = document.right_environment_type.as_deref().unwrap_or("");
        if left != DEFAULT_LEFT_TYPE || right != DEFAULT_RIGHT_TYPE {
            self.loss(
                &source.name,
                format!(
                    "environment types \"{left}\" (left) and \"{right}\" (right) are not kept: export writes them \
                     from the apps of the connection set ({DEFAULT_LEFT_TYPE} for finance and operations, \
                     {DEFAULT_RIGHT_TYPE} for Dataverse)"
                ),
            );
        }
        let dataverse = ["CRM", "CDS", "Dataverse"];
        if dataverse.iter().any(|t| left.eq_ignore_ascii_case(t)) {
            self.loss(
                &source.name,
                "the document names Dataverse on its left; its legs' sources are still written on the left",
            );
        }
        if document.legs.is_empty() {
            self.loss(&source.name, "the document has no legs: no map is written for it");
        }
        if document.legs.len() > 1 {
            self.loss(
                &source.name,
                format!(
                    "the document's {} legs become separate maps, and export writes each as its own document",
                    document.legs.len()
                ),
            );
        }
        let mut unknown = IndexSet::new();
        collect_unknown(&document.unknown, "", &mut unknown);
        for leg in &document.legs {
            collect_unknown(&leg.unknown, "legs[].", &mut unknown);
            for mapping in &leg.field_mappings {
                collect_unknown(&mapping.unknown, "legs[].fieldMappings[].", &mut unknown);
                for transform in &mapping.value_transforms {
                    collect_unknown(&transform.unknown, "legs[].fieldMappings[].valueTransforms[].", &mut unknown);
                }
            }
        }
        if !unknown.is_empty() {
            let list: Vec<&str> = unknown.iter().map(String::as_str).collect();
            self.loss(&source.name, format!("unknown keys are ignored: {}", list.join(", ")));
        }
    }

    /// One map, or `None` (reported) when the leg names no entities.
    fn map(&mut self, leg: &Leg, location: &str) -> Option<String> {
        let source = leg.source_schema.as_deref().map(str::trim).unwrap_or("");
        let destination = leg.destination_schema.as_deref().map(str::trim).unwrap_or("");
        if source.is_empty() || destination.is_empty() {
            self.loss(location, "the leg lacks a sourceSchema or destinationSchema: no map is written for it");
            return None;
        }
        let left_entity = self.entity_name(source, location, "sourceSchema");
        let logical = self.context.logical_name(destination);
        let right_entity = self.entity_name(logical.as_deref().unwrap_or(destination), location, "destinationSchema");

        let mut lines = Vec::new();
        let mut directions: Vec<Direction> = Vec::new();
        for (index, mapping) in leg.field_mappings.iter().enumerate() {
            let at = format!("{location}.fieldMappings[{index}]");
            if let Some((line, direction)) = self.line(mapping, &right_entity, &at) {
                lines.push(line);
                if !directions.contains(&direction) {
                    directions.push(direction);
                }
            }
        }
        let map_direction = match directions.as_slice() {
            [only] => *only,
            _ => Direction::Both,
        };
        let name = self.map_name(&left_entity, &right_entity);
        let (left_alias, right_alias) = (&self.options.left_alias, &self.options.right_alias);
        let comment: String = format!("{location}: {source} to {destination}")
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut text = format!(
            "# {comment}\nmap {name} {left_alias}.{left_entity} {} {right_alias}.{right_entity} {{\n",
            map_direction.symbol(false)
        );
        for (alias, filter, key) in [
            (left_alias, &leg.source_filter, "sourceFilter"),
            (right_alias, &leg.reversed_source_filter, "reversedSourceFilter"),
        ] {
            let Some(filter) = filter.as_deref().filter(|f| !f.trim().is_empty()) else { continue };
            let preferred = if filter.contains('\'') && !filter.contains('"') { '"' } else { '\'' };
            let mut problems = Vec::new();
            let literal = quote(filter, preferred, &mut problems);
            for problem in problems {
                self.loss(location, format!("{key}: {problem}"));
            }
            let _ = writeln!(text, "filter {alias} {literal}");
        }
        for line in lines {
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str("}\n");
        Some(text)
    }

    /// An entity name as an identifier; any other name is written with `_`
    /// for each character an identifier cannot hold, and reported.
    fn entity_name(&mut self, name: &str, location: &str, key: &str) -> String {
        if is_identifier(name) {
            return name.to_string();
        }
        let mut cleaned: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        if !cleaned.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            cleaned.insert(0, '_');
        }
        self.loss(location, format!("{key} \"{name}\" is not an identifier: written as {cleaned}"));
        cleaned
    }

    /// `left_to_right`, lower-cased, made unique within the project.
    fn map_name(&mut self, left: &str, right: &str) -> String {
        let mut base = String::new();
        for c in format!("{left}_to_{right}").chars() {
            let c = if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' };
            if !(c == '_' && base.ends_with('_')) {
                base.push(c);
            }
        }
        let base = base.trim_matches('_').to_string();
        let base = if base.starts_with(|c: char| c.is_ascii_alphabetic()) { base } else { format!("map_{base}") };
        let mut name = base.clone();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }

    /// One field mapping line and its direction, or `None` (reported) when
    /// the line cannot be written.
    fn line(&mut self, mapping: &FieldMapping, right_entity: &str, at: &str) -> Option<(String, Direction)> {
        let left = self.side(mapping.source_field.as_deref(), at, "sourceField")?;
        let right = self.side(mapping.destination_field.as_deref(), at, "destinationField")?;
        if left.is_none() && right.is_none() {
            self.loss(at, "the mapping names neither a sourceField nor a destinationField: it is left out");
            return None;
        }
        let direction = match mapping.direction() {
            Ok(SyncDirection::SourceToDestination) => Direction::LeftToRight,
            Ok(SyncDirection::DestinationToSource) => Direction::RightToLeft,
            Ok(SyncDirection::Both) => Direction::Both,
            Err(written) => {
                self.loss(at, format!("syncDirection {written} is not \"1\", \"2\" or \"3\": the mapping is left out"));
                return None;
            }
        };
        let summary = format!(
            "{} {} {}",
            left.as_deref().unwrap_or("none"),
            direction.symbol(false),
            right.as_deref().unwrap_or("none")
        );
        if mapping.is_system_generated() {
            self.loss(at, format!("{summary}: isSystemGenerated is not kept (export writes false)"));
        }
        if let Some(related) = mapping.destination_lookup_field_related_entity.as_deref().filter(|r| !r.is_empty()) {
            let derived = right.as_deref().and_then(|path| self.context.lookup_related_entity(right_entity, path));
            if derived.as_deref() != Some(related) {
                let why = match derived {
                    Some(derived) => format!("the cache gives {derived}"),
                    None => "no cached lookup gives it back".to_string(),
                };
                self.loss(
                    at,
                    format!("{summary}: destinationLookupFieldRelatedEntity \"{related}\" is not kept ({why})"),
                );
            }
        }
        let mut transforms = String::new();
        let (mut has_default, mut has_value_map) = (false, false);
        for (index, transform) in mapping.value_transforms.iter().enumerate() {
            let here = format!("{at}.valueTransforms[{index}]");
            match transform.transform_type.as_deref() {
                Some("Default") => {
                    if has_default {
                        self.loss(&here, format!("{summary}: a second Default transform is not kept"));
                        continue;
                    }
                    let Some(value) = &transform.default_value else {
                        self.loss(&here, format!("{summary}: a Default transform without defaultValue is not kept"));
                        continue;
                    };
                    let Some(text) = self.value(value, &here, &summary) else { continue };
                    has_default = true;
                    let _ = write!(transforms, " default {text}");
                }
                Some("ValueMap") => {
                    if has_value_map {
                        self.loss(&here, format!("{summary}: a second ValueMap transform is not kept"));
                        continue;
                    }
                    let Some(map) = &transform.value_map else {
                        self.loss(&here, format!("{summary}: a ValueMap transform without valueMap is not kept"));
                        continue;
                    };
                    let mut entries = Vec::new();
                    for (key, value) in map {
                        let key_text = self.value(&Value::String(key.clone()), &here, &summary);
                        let value_text = self.value(value, &here, &summary);
                        if let (Some(k), Some(v)) = (key_text, value_text) {
                            entries.push(format!("{k} = {v}"));
                        }
                    }
                    has_value_map = true;
                    let inline = entries.join(", ");
                    if entries.is_empty() {
                        transforms.push_str(" value_map {}");
                    } else if entries.len() <= 4 && inline.len() <= 60 {
                        let _ = write!(transforms, " value_map {{ {inline} }}");
                    } else {
                        let _ = write!(transforms, " value_map {{\n{}\n}}", entries.join("\n"));
                    }
                }
                other => {
                    let shown = other.map_or_else(|| "without a transformType".to_string(), |t| format!("\"{t}\""));
                    self.loss(&here, format!("{summary}: the transform {shown} is not kept"));
                }
            }
        }
        let symbol = direction.symbol(has_default || has_value_map);
        let line = format!(
            "{} {symbol} {}{transforms}",
            left.as_deref().unwrap_or("none"),
            right.as_deref().unwrap_or("none")
        );
        if !parses_as_one_line(&line) {
            self.loss(at, format!("{summary}: cannot be written as a .dimap line; it is left out"));
            return None;
        }
        Some((line, direction))
    }

    /// A side: `Some(None)` for `none`, `Some(Some(path))` for a field, and
    /// `None` (reported) for a name the language cannot hold.
    fn side(&mut self, field: Option<&str>, at: &str, key: &str) -> Option<Option<String>> {
        let Some(field) = field.map(str::trim).filter(|f| !f.is_empty()) else { return Some(None) };
        let holdable = field.split('.').all(is_identifier) && field.split('.').next() != Some("none");
        if holdable {
            Some(Some(field.to_string()))
        } else {
            self.loss(at, format!("{key} \"{field}\" is not a path of identifiers: the mapping is left out"));
            None
        }
    }

    /// A transform value as `.dimap` text, or `None` (reported).
    fn value(&mut self, value: &Value, at: &str, summary: &str) -> Option<String> {
        match value {
            Value::Null => Some("null".to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::String(s) => {
                if is_identifier(s) && !["true", "false", "null", "none"].contains(&s.as_str()) {
                    return Some(s.clone());
                }
                if is_number(s) {
                    return Some(s.clone());
                }
                let mut problems = Vec::new();
                let text = quote(s, '"', &mut problems);
                for problem in problems {
                    self.loss(at, format!("{summary}: {problem}"));
                }
                Some(text)
            }
            Value::Number(n) => {
                let text = n.to_string();
                if is_number(&text) {
                    self.loss(at, format!("{summary}: the number {text} is exported back as the string \"{text}\""));
                    Some(text)
                } else {
                    self.loss(at, format!("{summary}: the number {text} is written and exported as a string"));
                    Some(quote(&text, '"', &mut Vec::new()))
                }
            }
            Value::Array(_) | Value::Object(_) => {
                self.loss(at, format!("{summary}: the value {value} is not a single value and is left out"));
                None
            }
        }
    }
}

fn collect_unknown(unknown: &UnknownKeys, prefix: &str, into: &mut IndexSet<String>) {
    for key in unknown.keys() {
        into.insert(format!("{prefix}{key}"));
    }
}

/// A string literal in `quote` quotes. A backslash is doubled only where it
/// would otherwise start an escape, so X++ dates (`23\06\2021`) stay as
/// written. A carriage return cannot be written in a literal: it is dropped
/// and a problem is returned.
pub(super) fn quote(s: &str, quote: char, problems: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let escapes = matches!(chars.peek(), None | Some('\\' | '"' | '\'' | 'n' | 't'));
                out.push_str(if escapes { "\\\\" } else { "\\" });
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => {
                if !problems.iter().any(|p| p.contains("carriage")) {
                    problems.push("a carriage return cannot be written in a .dimap string and is dropped".into());
                }
            }
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// True when `line` parses as exactly one field mapping inside a map.
fn parses_as_one_line(line: &str) -> bool {
    let text = format!("project p dual_write c {{\nmap m a.b = c.d {{\n{line}\n}}\n}}\n");
    let parse = crate::syntax::parse(&text);
    parse.errors().is_empty()
        && crate::analysis::model::lower(&parse)
            .projects
            .first()
            .and_then(|p| p.maps.first())
            .is_some_and(|m| m.lines.len() == 1 && m.filters.is_empty() && m.keys.is_empty())
}
