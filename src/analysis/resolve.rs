//! Resolution inside a map: each side's alias to its connection and cached
//! entity, and each path through lookups to the field it ends at. Finance and
//! operations names resolve without regard to case.

use super::model::PathDecl;
use crate::schema::{App, CachedEntity, CachedField, CachedSchema, FieldType};

/// A map side that reached its cached entity.
#[derive(Debug, Clone, Copy)]
pub struct ResolvedSide<'w> {
    pub alias: &'w str,
    pub schema: &'w CachedSchema,
    pub entity: &'w CachedEntity,
}

impl<'w> ResolvedSide<'w> {
    pub fn app(&self) -> App {
        self.schema.app
    }

    /// Walks field names through lookups from this side's entity: the
    /// entity holding the last field, and that field. For the editor
    /// features and the preview, which need no reasons when a name is
    /// unknown (the rules use [`resolve_path`]).
    pub fn walk<'n>(&self, names: impl IntoIterator<Item = &'n str>) -> Option<(&'w CachedEntity, &'w CachedField)> {
        let mut entity = self.entity;
        let mut field: Option<&'w CachedField> = None;
        for (i, name) in names.into_iter().enumerate() {
            if i > 0 {
                entity = self.schema.entity(field?.target.as_deref()?)?;
            }
            field = Some(entity.field(self.app(), name)?);
        }
        Some((entity, field?))
    }
}

/// One step of a path: the field it names.
#[derive(Debug, Clone, Copy)]
pub struct Step<'w> {
    pub field: &'w CachedField,
}

/// A path that resolved to a field.
#[derive(Debug, Clone)]
pub struct ResolvedPath<'w> {
    pub decl: &'w PathDecl,
    pub steps: Vec<Step<'w>>,
    /// The normalized names of the steps, for comparing paths.
    pub key: Vec<String>,
}

impl<'w> ResolvedPath<'w> {
    /// The field of the side's own entity the path starts with.
    pub fn first(&self) -> &'w CachedField {
        self.steps[0].field
    }

    /// The field the path ends at: its type is the path's type.
    pub fn last(&self) -> &'w CachedField {
        self.steps[self.steps.len() - 1].field
    }

    /// A path is required only when every field along it is.
    pub fn required(&self) -> bool {
        self.steps.iter().all(|s| s.field.required)
    }

    /// A path is read-only when its first field is.
    pub fn read_only(&self) -> bool {
        self.first().read_only
    }

    /// A lookup mapped without a field of its related entity.
    pub fn is_bare_lookup(&self) -> bool {
        self.steps.len() == 1 && self.first().ty == FieldType::Lookup
    }

    pub fn ty(&self) -> FieldType {
        self.last().ty
    }

    pub fn text(&self) -> String {
        self.decl.text()
    }
}

/// Why a path did not resolve, with the segment at fault.
#[derive(Debug, Clone)]
pub struct PathError {
    pub segment: usize,
    pub message: String,
    pub suggestions: Vec<String>,
}

/// Resolves a path against an entity of a schema.
pub fn resolve_path<'w>(
    schema: &'w CachedSchema,
    entity: &'w CachedEntity,
    path: &'w PathDecl,
) -> Result<ResolvedPath<'w>, PathError> {
    let app = schema.app;
    let mut steps = Vec::with_capacity(path.segments.len());
    let mut key = Vec::with_capacity(path.segments.len());
    let mut current = entity;
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            let previous: &CachedField = steps.last().map(|s: &Step<'w>| s.field).expect("a step per earlier segment");
            if previous.ty != FieldType::Lookup {
                return Err(PathError {
                    segment: i - 1,
                    message: format!(
                        "`{}` of {} is a {}, not a lookup, so `.{}` cannot follow it",
                        previous.name,
                        current.name,
                        previous.ty.name(),
                        segment.text
                    ),
                    suggestions: Vec::new(),
                });
            }
            let target = previous.target.as_deref().unwrap_or("");
            let Some(related) = schema.entity(target) else {
                return Err(PathError {
                    segment: i - 1,
                    message: format!(
                        "lookup `{}` points to {target}, which is not in the cache of \"{}\"",
                        previous.name, schema.environment
                    ),
                    suggestions: Vec::new(),
                });
            };
            current = related;
        }
        let Some(field) = current.field(app, &segment.text) else {
            let suggestions = super::suggest::closest(&segment.text, current.fields.iter().map(|f| f.name.as_str()));
            return Err(PathError {
                segment: i,
                message: format!(
                    "{} has no field `{}`{}",
                    current.name,
                    segment.text,
                    super::suggest::did_you_mean(&suggestions)
                ),
                suggestions: suggestions.into_iter().map(String::from).collect(),
            });
        };
        steps.push(Step { field });
        key.push(app.name_key(&field.name).into_owned());
    }
    if steps.is_empty() {
        return Err(PathError { segment: 0, message: "empty path".into(), suggestions: Vec::new() });
    }
    Ok(ResolvedPath { decl: path, steps, key })
}
