//! The execution preview behind `dimap run`: one map, one direction, applied
//! to sample records of its source entity, as the product would. This module
//! is pure (no IO): a [`Plan`] is built once from a map whose sides resolved,
//! then each source record goes in and a destination record (with its
//! integration key) or a failure reason comes out. Reading source files,
//! the SQLite store and printing live in `cli::run` and `crate::store`.
//!
//! Decisions, also written down in the README ("Previewing a run"):
//!
//! - **Status**, as the product's execution history defines it: *Completed*
//!   when every record that passed the filter was upserted (a run that read
//!   no record, or whose records were all filtered out, is Completed with a
//!   note); *Warning* when some were upserted and some failed; *Error* when
//!   records passed the filter and none was upserted. A source that cannot
//!   be read to its end (a JSON array cut short) counts as a failure too, so
//!   such a run is never Completed.
//! - **Lines** taken are those whose direction flows the run's way. A source
//!   value that is missing or `null` takes the line's `default`; with no
//!   default the destination gets `null`. A `value_map` is read left to right
//!   when the run goes left to right and right to left otherwise; a present
//!   value with no entry fails its record (the product cannot write it). A
//!   `null` entry on the source side of a value map is used for a missing
//!   value before the `default`.
//! - **Lookups**: a destination path `lookup.keyfield` writes the related
//!   record's key into the `lookup` column as `keyfield=value`; several
//!   lines writing keys of one lookup are joined with `,` in line order
//!   (`msdyn_groupid=10,msdyn_company=USMF`), like an alternate-key
//!   reference. A source path `lookup.keyfield` reads, in order, a record
//!   property named `lookup.keyfield`, a nested object `{"lookup":
//!   {"keyfield": ...}}`, or that same `keyfield=value` text.
//! - **Company**: when the destination has a company field that no line
//!   writes and the source record has its own company field, the value is
//!   copied (into a lookup as `keyfield=value` of the company entity's
//!   key), as dual-write fills it from the legal entity.
//! - **Validation** of each destination value: its type, `max_length` for
//!   text, members for enums and choices. Enum members are written by name
//!   (finance and operations), choice options by number (Dataverse). Every
//!   required field a line writes must get a value; a required field that no
//!   line writes is a note for the run (`dimap check` reports it), not a
//!   failure of every record.
//! - **Integration key**: the map's `key` paths when the destination is the
//!   right side, else the first cached key of the destination entity. A
//!   record whose key column is missing, null or empty fails.
//! - **CSV** cells are strings converted by the source field's cached type
//!   ([`value::from_csv`]): an empty cell is null, and a cell that does not
//!   convert fails its record. JSON values are taken as written.
//! - **Source hash** (recorded by `cli::run`): SHA-256 of the file's bytes
//!   from the `sha2` crate, stable across builds and platforms, unlike std's
//!   `DefaultHasher`.

pub mod filter;
pub mod value;

use std::fmt;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use self::filter::SourceFilter;
use crate::analysis::model::{FieldSideDecl, Flow, PathDecl, ValueDecl};
use crate::analysis::query::{MapScope, ResolvedSide};
use crate::schema::{App, CachedEntity, CachedField, CachedSchema, FieldType};

/// Where a record was in its source: its 1-based number, and its 1-based
/// line for line-based formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub record: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "record {} (line {line})", self.record),
            None => write!(f, "record {}", self.record),
        }
    }
}

/// The status of a run, as the product's execution history shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    Completed,
    Warning,
    Error,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Completed => "Completed",
            Status::Warning => "Warning",
            Status::Error => "Error",
        }
    }

    pub fn from_name(name: &str) -> Option<Status> {
        [Status::Completed, Status::Warning, Status::Error].into_iter().find(|s| s.name() == name)
    }
}

/// What happened to the records of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub read: u64,
    pub filtered_out: u64,
    pub inserted: u64,
    pub updated: u64,
    pub failed: u64,
}

impl Counts {
    /// The run's status; `aborted` when the source could not be read to its
    /// end, which leaves records unread and so is never Completed.
    pub fn status(&self, aborted: bool) -> Status {
        let upserted = self.inserted + self.updated;
        if aborted && upserted > 0 {
            Status::Warning
        } else if aborted || (self.failed > 0 && upserted == 0) {
            Status::Error
        } else if self.failed > 0 {
            Status::Warning
        } else {
            Status::Completed
        }
    }

    /// Why a Completed run upserted nothing, when it did not.
    pub fn note(&self) -> Option<String> {
        if self.read == 0 {
            Some("the source holds no records".into())
        } else if self.read == self.filtered_out {
            Some("every record was filtered out".into())
        } else {
            None
        }
    }
}

/// The name of a flow on the command line and in the history.
pub fn flow_name(flow: Flow) -> &'static str {
    match flow {
        Flow::LeftToRight => "left-to-right",
        Flow::RightToLeft => "right-to-left",
    }
}

pub fn flow_from_name(name: &str) -> Option<Flow> {
    match name {
        "left-to-right" => Some(Flow::LeftToRight),
        "right-to-left" => Some(Flow::RightToLeft),
        _ => None,
    }
}

/// A record ready to be upserted into the destination.
#[derive(Debug, Clone, PartialEq)]
pub struct DestinationRecord {
    /// The key's values as a JSON array, the store's key.
    pub key: String,
    pub values: Map<String, Value>,
}

/// What became of one source record.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    FilteredOut,
    Ready(DestinationRecord),
    /// Every reason the record cannot be written, joined with `; `.
    Failed(String),
}

/// The value of a property of a record, by a field name of `app` (finance
/// and operations names without regard to case).
pub fn record_value<'r>(record: &'r Map<String, Value>, app: App, name: &str) -> Option<&'r Value> {
    record.get(name).or_else(|| {
        if app.ignores_case() {
            record.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
        } else {
            None
        }
    })
}

/// A source side of a line: its path and the field it ends at.
#[derive(Debug)]
struct SourcePath<'w> {
    segments: Vec<String>,
    field: &'w CachedField,
}

/// A destination side of a line: the column written (the path's first
/// field) and, for a path through a lookup, the related key field's path.
#[derive(Debug)]
struct DestinationPath<'w> {
    column: &'w CachedField,
    key_path: Option<String>,
    last: &'w CachedField,
}

#[derive(Debug)]
struct LinePlan<'w> {
    summary: String,
    source: Option<SourcePath<'w>>,
    destination: DestinationPath<'w>,
    default: Option<&'w ValueDecl>,
    /// The entries as (source side, destination side) for this flow.
    value_map: Option<Vec<(&'w ValueDecl, &'w ValueDecl)>>,
}

/// The destination's company field, filled from the source's.
#[derive(Debug)]
struct CompanyFill<'w> {
    source: &'w CachedField,
    destination: &'w CachedField,
    /// The company entity's key field, when the destination field is a lookup.
    key_field: Option<String>,
}

/// One map, one direction, ready to run records through.
#[derive(Debug)]
pub struct Plan<'w> {
    pub flow: Flow,
    source: ResolvedSide<'w>,
    destination: ResolvedSide<'w>,
    filter: Option<SourceFilter>,
    lines: Vec<LinePlan<'w>>,
    key: Vec<&'w CachedField>,
    required: Vec<&'w CachedField>,
    company: Option<CompanyFill<'w>>,
    /// What the run should tell its reader about the plan itself.
    pub notes: Vec<String>,
}

impl<'w> Plan<'w> {
    /// Builds the plan of `scope`'s map for `flow`; an error names what
    /// keeps the map from running (`dimap check` says more).
    pub fn new(scope: &MapScope<'w>, flow: Flow) -> Result<Plan<'w>, String> {
        let map = scope.map;
        let unresolved = |side: crate::analysis::model::Side| {
            let written = map.side(side).map_or("?".into(), |s| format!("{}.{}", s.alias.text, s.entity.text));
            format!("the map's side {written} does not resolve to a cached entity; run `dimap check`")
        };
        let source = *scope.side(flow.source()).ok_or_else(|| unresolved(flow.source()))?;
        let destination = *scope.side(flow.destination()).ok_or_else(|| unresolved(flow.destination()))?;
        if let Some(direction) = &map.direction {
            if !direction.direction.flows().contains(&flow) {
                return Err(format!("map `{}` does not run {}", map.name.text, flow_name(flow)));
            }
        }
        let mut notes = Vec::new();
        let mut filter = None;
        if let Some(decl) = map.filters.iter().find(|f| f.alias.text == source.alias) {
            let text = decl.expression.as_ref().map(|e| e.value.as_str()).unwrap_or("");
            match SourceFilter::parse(source.app(), text) {
                Some(Ok(parsed)) => filter = Some(parsed),
                Some(Err(err)) => return Err(format!("the filter of {} does not parse: {err}", source.alias)),
                None => notes.push(format!(
                    "the filter of {} ({}) is not evaluated: only X++ and OData filters are",
                    source.alias,
                    source.app().keyword()
                )),
            }
        }
        let mut lines = Vec::new();
        for line in map.lines.iter().filter(|l| l.direction.direction.flows().contains(&flow)) {
            let FieldSideDecl::Path(dest) = line.side(flow.destination()) else { continue };
            let summary = line.summary();
            let at = |err: String| format!("line `{summary}`: {err}; run `dimap check`");
            let fields = walk(destination.schema, destination.entity, dest).map_err(at)?;
            let key_path =
                (fields.len() > 1).then(|| fields[1..].iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join("."));
            let destination_path = DestinationPath { column: fields[0], key_path, last: fields[fields.len() - 1] };
            let source_path = match line.side(flow.source()) {
                FieldSideDecl::None(_) => None,
                FieldSideDecl::Path(path) => {
                    let fields = walk(source.schema, source.entity, path).map_err(at)?;
                    Some(SourcePath {
                        segments: path.segments.iter().map(|s| s.text.clone()).collect(),
                        field: fields[fields.len() - 1],
                    })
                }
            };
            if source_path.is_none() && line.default.is_none() {
                continue;
            }
            let value_map = line.value_map.as_ref().map(|entries| {
                entries
                    .iter()
                    .map(|e| match flow {
                        Flow::LeftToRight => (&e.left, &e.right),
                        Flow::RightToLeft => (&e.right, &e.left),
                    })
                    .collect()
            });
            lines.push(LinePlan {
                summary,
                source: source_path,
                destination: destination_path,
                default: line.default.as_ref(),
                value_map,
            });
        }
        let dest_app = destination.app();
        let written =
            |name: &str| lines.iter().any(|l| dest_app.name_key(&l.destination.column.name) == dest_app.name_key(name));
        let company = company_fill(&source, &destination).filter(|c| !written(&c.destination.name));
        let key = key_columns(scope, flow, &destination)?;
        let mut required: Vec<&CachedField> = Vec::new();
        for line in &lines {
            let column = line.destination.column;
            if column.required && !required.iter().any(|f| std::ptr::eq(*f, column)) {
                required.push(column);
            }
        }
        for field in destination.entity.fields.iter().filter(|f| f.required && !f.read_only) {
            let filled = company.as_ref().is_some_and(|c| std::ptr::eq(c.destination, field));
            if !written(&field.name) && !filled {
                notes.push(format!(
                    "{} of {} is required and no line writes it {}",
                    field.name,
                    destination.entity.name,
                    flow_name(flow)
                ));
            }
        }
        Ok(Plan { flow, source, destination, filter, lines, key, required, company, notes })
    }

    /// The source's field for a column name of a source file (a dotted name
    /// follows lookups), so that CSV text can be read as its type.
    pub fn source_field(&self, column: &str) -> Option<&'w CachedField> {
        self.source.walk(column.split('.')).map(|(_, field)| field)
    }

    /// The destination's environment and entity, the store's namespace.
    pub fn destination(&self) -> (&'w str, &'w str) {
        (&self.destination.schema.environment, &self.destination.entity.name)
    }

    /// The names of the key columns, for messages.
    pub fn key_names(&self) -> Vec<&'w str> {
        self.key.iter().map(|f| f.name.as_str()).collect()
    }

    /// Runs one source record through the filter and the lines.
    pub fn apply(&self, record: &Map<String, Value>) -> Outcome {
        let source_app = self.source.app();
        let dest_app = self.destination.app();
        if let Some(filter) = &self.filter {
            if !filter.matches(record, self.source.entity, source_app) {
                return Outcome::FilteredOut;
            }
        }
        let mut failures: Vec<String> = Vec::new();
        let mut values = Map::new();
        let mut lookups: IndexMap<&str, Vec<String>> = IndexMap::new();
        for line in &self.lines {
            let given =
                line.source.as_ref().and_then(|s| path_value(record, source_app, &s.segments)).filter(|v| !v.is_null());
            let source_field = line.source.as_ref().map(|s| s.field);
            let mapped = match (given, &line.value_map) {
                (Some(v), Some(entries)) => {
                    match entries.iter().find(|(from, _)| value::value_map_matches(&v, from, source_field, source_app))
                    {
                        Some((_, to)) => value::from_decl(to),
                        None => {
                            let from = line.source.as_ref().map_or("the source", |s| s.field.name.as_str());
                            failures.push(format!(
                                "{} of {from} has no entry in the value map of `{}`",
                                value::show(&v),
                                line.summary
                            ));
                            continue;
                        }
                    }
                }
                (Some(v), None) => v,
                (None, entries) => {
                    let null_entry = entries
                        .iter()
                        .flatten()
                        .find(|(from, _)| matches!(from.kind, crate::analysis::model::ValueKind::Null));
                    match (null_entry, line.default) {
                        (Some((_, to)), _) => value::from_decl(to),
                        (None, Some(default)) => value::from_decl(default),
                        (None, None) => Value::Null,
                    }
                }
            };
            let checked = match value::check(line.destination.last, dest_app, &mapped) {
                Ok(v) => v,
                Err(err) => {
                    failures.push(err);
                    continue;
                }
            };
            let column = line.destination.column.name.as_str();
            match &line.destination.key_path {
                Some(key_path) if !checked.is_null() => {
                    lookups.entry(column).or_default().push(format!("{key_path}={}", text_of(&checked)));
                }
                Some(_) => {
                    values.entry(column.to_string()).or_insert(Value::Null);
                }
                None => {
                    values.insert(column.to_string(), checked);
                }
            }
        }
        for (column, pairs) in lookups {
            values.insert(column.to_string(), Value::String(pairs.join(",")));
        }
        if let Some(company) = &self.company {
            if let Some(text) = record_value(record, source_app, &company.source.name).and_then(company_text) {
                let written = match &company.key_field {
                    Some(key) => format!("{key}={text}"),
                    None => text,
                };
                values.insert(company.destination.name.clone(), Value::String(written));
            }
        }
        for field in &self.required {
            if values.get(&field.name).is_none_or(Value::is_null) {
                failures.push(format!("{} is required and the record gives it no value", field.name));
            }
        }
        let mut key = Vec::with_capacity(self.key.len());
        let mut missing = Vec::new();
        for field in &self.key {
            match values.get(&field.name) {
                None | Some(Value::Null) => missing.push(field.name.as_str()),
                Some(Value::String(s)) if s.is_empty() => missing.push(field.name.as_str()),
                Some(v) => key.push(v.clone()),
            }
        }
        if !missing.is_empty() {
            failures.push(format!(
                "the integration key ({}) is incomplete: no value for {}",
                self.key_names().join(", "),
                missing.join(", ")
            ));
        }
        if !failures.is_empty() {
            return Outcome::Failed(failures.join("; "));
        }
        Outcome::Ready(DestinationRecord { key: Value::Array(key).to_string(), values })
    }
}

/// A value as the text of a `keyfield=value` pair.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The organization a source company value names: the value itself, or the
/// key value of a company lookup (`cdm_companycode=USMF` or a nested object).
fn company_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.split_once('=').map_or(s.as_str(), |(_, v)| v).to_string()),
        Value::Object(related) => related.values().find_map(company_text),
        other => Some(text_of(other)),
    }
}

/// The value at a source path (see the module comment for lookups).
fn path_value(record: &Map<String, Value>, app: App, segments: &[String]) -> Option<Value> {
    if segments.len() == 1 {
        return record_value(record, app, &segments[0]).cloned();
    }
    let rest = segments[1..].join(".");
    if let Some(v) = record_value(record, app, &segments.join(".")) {
        return Some(v.clone());
    }
    match record_value(record, app, &segments[0])? {
        Value::Object(related) => path_value(related, app, &segments[1..]),
        Value::String(reference) => reference.split(',').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let same = if app.ignores_case() { k.trim().eq_ignore_ascii_case(&rest) } else { k.trim() == rest };
            same.then(|| Value::String(v.to_string()))
        }),
        _ => None,
    }
}

/// The fields along a path, through lookups, or why it does not resolve.
fn walk<'w>(
    schema: &'w CachedSchema,
    entity: &'w CachedEntity,
    path: &PathDecl,
) -> Result<Vec<&'w CachedField>, String> {
    let mut fields: Vec<&'w CachedField> = Vec::with_capacity(path.segments.len());
    let mut current = entity;
    for segment in &path.segments {
        if let Some(previous) = fields.last() {
            let target = previous.target.as_deref().filter(|_| previous.ty == FieldType::Lookup);
            current = target
                .and_then(|t| schema.entity(t))
                .ok_or_else(|| format!("`{}` is not a lookup to a cached entity", previous.name))?;
        }
        let field = current
            .field(schema.app, &segment.text)
            .ok_or_else(|| format!("{} has no field `{}`", current.name, segment.text))?;
        fields.push(field);
    }
    if fields.is_empty() {
        return Err("empty path".into());
    }
    Ok(fields)
}

fn key_columns<'w>(
    scope: &MapScope<'w>,
    flow: Flow,
    destination: &ResolvedSide<'w>,
) -> Result<Vec<&'w CachedField>, String> {
    let app = destination.app();
    let mut columns: Vec<&'w CachedField> = Vec::new();
    let map_key = scope.map.keys.first().filter(|_| flow.destination() == crate::analysis::model::Side::Right);
    if let Some(key) = map_key {
        for path in &key.paths {
            let fields = walk(destination.schema, destination.entity, path)
                .map_err(|err| format!("key `{}`: {err}; run `dimap check`", path.text()))?;
            columns.push(fields[0]);
        }
    } else if let Some(key) = destination.entity.keys.first() {
        for name in &key.fields {
            let field = destination.entity.field(app, name).ok_or_else(|| {
                format!("the cached key {} names `{name}`, which {} does not have", key.name, destination.entity.name)
            })?;
            columns.push(field);
        }
    }
    columns.dedup_by(|a, b| std::ptr::eq(*a, *b));
    if columns.is_empty() {
        return Err(format!(
            "{} has no integration key: the cache gives none and the map has no `key` line for it",
            destination.entity.name
        ));
    }
    Ok(columns)
}

fn company_fill<'w>(source: &ResolvedSide<'w>, destination: &ResolvedSide<'w>) -> Option<CompanyFill<'w>> {
    let source_field = source.entity.field(source.app(), source.entity.company_field.as_deref()?)?;
    let dest_field = destination.entity.field(destination.app(), destination.entity.company_field.as_deref()?)?;
    let key_field = if dest_field.ty == FieldType::Lookup {
        let company = destination.schema.entity(dest_field.target.as_deref()?)?;
        Some(company.keys.first()?.fields.first()?.clone())
    } else {
        None
    };
    Some(CompanyFill { source: source_field, destination: dest_field, key_field })
}

#[cfg(test)]
mod tests;
