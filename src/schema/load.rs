//! Reading cache files: every `*.json` file of the schema folder is parsed
//! once, in parallel, and matched to connections by its `environment` value.
//! A file that cannot be read or parsed, or declares an unknown `format`,
//! becomes a [`CacheProblem`] with the parser's line and column.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use serde_json::value::RawValue;

use super::{index, CachedEntity, CachedSchema, EntityHead, RawSchema, SchemaSet};

/// The only cache format this version reads.
pub const FORMAT: u32 = 1;

/// A cache file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheProblem {
    pub path: PathBuf,
    /// One-based line and column, when the problem has a place in the file.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Loads every cache of `folder`. A missing folder holds no caches (each
/// connection then reports its own missing cache).
pub fn load_folder(folder: &Path) -> (SchemaSet, Vec<CacheProblem>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return (SchemaSet::default(), Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && p.is_file())
        .collect();
    paths.sort();
    let results: Vec<Result<CachedSchema, CacheProblem>> = paths.into_par_iter().map(|path| load_file(&path)).collect();
    let mut schemas: Vec<CachedSchema> = Vec::new();
    let mut problems = Vec::new();
    for result in results {
        match result {
            Ok(schema) => {
                problems.extend(duplicate_entities(&schema));
                if let Some(first) = schemas.iter().find(|s| s.environment == schema.environment) {
                    problems.push(CacheProblem {
                        path: schema.path.clone(),
                        line: 1,
                        column: 1,
                        message: format!(
                            "environment \"{}\" is already described by {}; this file is ignored",
                            schema.environment,
                            first.path.file_name().unwrap_or_default().to_string_lossy()
                        ),
                    });
                } else {
                    schemas.push(schema);
                }
            }
            Err(problem) => problems.push(problem),
        }
    }
    (SchemaSet::new(schemas), problems)
}

/// Entities named twice in one cache: the first is used, the others are
/// reported so the cache can be refreshed.
fn duplicate_entities(schema: &CachedSchema) -> Vec<CacheProblem> {
    let mut seen = std::collections::HashSet::new();
    schema
        .entities()
        .iter()
        .filter(|e| !seen.insert(schema.app.name_key(&e.name).into_owned()))
        .map(|e| CacheProblem {
            path: schema.path.clone(),
            line: 1,
            column: 1,
            message: format!("entity `{}` appears more than once; the first is used", e.name),
        })
        .collect()
}

/// Loads one cache: through its index when the index is current, else by
/// parsing the file (which also writes the index for next time).
fn load_file(path: &Path) -> Result<CachedSchema, CacheProblem> {
    if let Some(indexed) = index::open(path) {
        return Ok(CachedSchema::with_heads(indexed.header, indexed.heads, path.to_path_buf(), Some(indexed.store)));
    }
    let text = read_text(path)?;
    let Some((header, heads)) = validate(&text) else {
        // Something is wrong with the file: the full parse says what.
        return parse_schema(&text, path.to_path_buf());
    };
    let pairs: Vec<(&EntityHead, &RawValue)> = heads.iter().zip(header.entities.iter().copied()).collect();
    match index::build(path, &header, &pairs) {
        Ok(store) => Ok(CachedSchema::with_heads(header.clone_header(), heads, path.to_path_buf(), Some(store))),
        Err(err) => {
            eprintln!("dimap: cannot write the index of {} ({err:#}); the cache is kept in memory", path.display());
            parse_schema(&text, path.to_path_buf())
        }
    }
}

/// Parses a cache with each entity decoded once, to check it, and kept only
/// as its JSON text and its head. `None` when anything does not parse.
fn validate(text: &str) -> Option<(RawSchema<&RawValue>, Vec<EntityHead>)> {
    let raw: RawSchema<&RawValue> = serde_json::from_str(text).ok()?;
    if raw.format.as_u64() != Some(FORMAT as u64) {
        return None;
    }
    let heads = raw
        .entities
        .par_iter()
        .map(|json| serde_json::from_str::<CachedEntity>(json.get()).map(|entity| EntityHead::of(&entity)))
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some((raw, heads))
}

fn read_text(path: &Path) -> Result<String, CacheProblem> {
    let bytes = std::fs::read(path).map_err(|err| CacheProblem {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("cannot read the cached schema: {err}"),
    })?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let (line, column) = line_col_of(&err.as_bytes()[..err.utf8_error().valid_up_to()]);
        CacheProblem { path: path.to_path_buf(), line, column, message: "the cached schema is not UTF-8 text".into() }
    })?;
    Ok(text)
}

fn line_col_of(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = prefix.len() - prefix.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Parses one cache document in a single pass. Only when that fails is the
/// `format` read on its own, so that a future format is reported as such
/// rather than as a confusing field error.
pub(super) fn parse_schema(text: &str, path: PathBuf) -> Result<CachedSchema, CacheProblem> {
    let problem =
        |line: usize, column: usize, message: String| CacheProblem { path: path.clone(), line, column, message };
    let format_problem = |format: &serde_json::Value| {
        let (line, column) = find_key(text, "format");
        problem(line, column, format!("unknown cache format {format}; this dimap reads format {FORMAT}"))
    };
    match serde_json::from_str::<RawSchema<CachedEntity>>(text) {
        Ok(raw) if raw.format.as_u64() == Some(FORMAT as u64) => Ok(CachedSchema::from_raw(raw, path)),
        Ok(raw) => Err(format_problem(&raw.format)),
        Err(err) => {
            #[derive(serde::Deserialize)]
            struct Header {
                format: Option<serde_json::Value>,
            }
            match serde_json::from_str::<Header>(text) {
                Ok(Header { format: Some(format) }) if format.as_u64() != Some(FORMAT as u64) => {
                    Err(format_problem(&format))
                }
                Ok(Header { format: None }) => {
                    Err(problem(1, 1, format!("the cached schema has no \"format\" key; expected {FORMAT}")))
                }
                Ok(_) => Err(problem(err.line().max(1), err.column().max(1), format!("invalid cached schema: {err}"))),
                Err(_) => Err(problem(
                    err.line().max(1),
                    err.column().max(1),
                    format!("the cached schema is not valid JSON: {err}"),
                )),
            }
        }
    }
}

fn find_key(text: &str, key: &str) -> (usize, usize) {
    let needle = format!("\"{key}\"");
    text.find(&needle).map_or((1, 1), |i| line_col_of(&text.as_bytes()[..i]))
}
