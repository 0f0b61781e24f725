//! Turning what an environment publishes into a cached schema
//! (`schema-cache.md`): the cache document that an import writes, the report
//! of what was left out and why, and the errors of unreadable metadata. The
//! readers themselves live in `csdl` (OData CSDL `$metadata` XML) and
//! `entity_definitions` (Dataverse `EntityDefinitions` JSON); both are pure,
//! taking a reader and giving a document, so that the command line only
//! supplies bytes, a progress bar and a place to write.

pub mod csdl;
pub mod entity_definitions;

use std::fmt;

use indexmap::IndexMap;
use serde::Serialize;

use crate::schema::{App, CachedField, CachedKey, FieldType};

/// The cache format an import writes (`schema-cache.md`).
pub const FORMAT: u32 = 1;

/// What an import is told rather than reads from the metadata.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub environment: String,
    pub app: App,
    pub organizations: Vec<String>,
    /// When the metadata was pulled, RFC 3339 in UTC; given by the caller so
    /// that the conversion stays a pure function of its input.
    pub refreshed: String,
}

/// One entity of the cache as an import writes it. It mirrors
/// `schema::CachedEntity` key for key; it is a type of its own because that
/// one carries an index that only loading builds.
#[derive(Debug, Clone)]
pub struct ImportedEntity {
    pub name: String,
    /// `standard`, `virtual` or `elastic`.
    pub kind: String,
    pub entity_set: Option<String>,
    pub company_field: Option<String>,
    pub keys: Vec<CachedKey>,
    pub fields: Vec<CachedField>,
}

/// A whole cache document, ready to be written.
#[derive(Debug, Clone)]
pub struct CacheDocument {
    pub environment: String,
    pub app: App,
    pub refreshed: String,
    pub organizations: Vec<String>,
    pub entities: Vec<ImportedEntity>,
}

impl CacheDocument {
    /// A document of `entities` with the environment facts of `options`.
    pub fn new(options: &ImportOptions, entities: Vec<ImportedEntity>) -> CacheDocument {
        CacheDocument {
            environment: options.environment.clone(),
            app: options.app,
            refreshed: options.refreshed.clone(),
            organizations: options.organizations.clone(),
            entities,
        }
    }
}

/// The result of an import: the document, and everything of the metadata
/// that did not make it into the document, with the reason.
#[derive(Debug, Clone)]
pub struct Import {
    pub document: CacheDocument,
    pub skipped: Vec<Skipped>,
}

/// One thing of the metadata that the cache leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The entity (as named in the cache) or, for a type that became no
    /// entity, the type's name as published.
    pub entity: String,
    /// The property or attribute, when it is one rather than the whole type.
    pub item: Option<String>,
    pub reason: SkipReason,
}

/// Why something was left out of the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// An entity type that no entity set of the container exposes: nothing
    /// can read or write it, so no map can name it.
    NoEntitySet,
    /// A navigation property to many records: a map field holds one value.
    CollectionNavigation { target: String },
    /// A single-valued navigation property whose target type no entity set
    /// exposes, so the lookup would name an entity absent from the cache.
    TargetWithoutEntitySet { target: String },
    /// A property of a type the cache has no field type for (an unknown Edm
    /// type, a complex type, a collection of values).
    UnsupportedType { type_name: String },
    /// A Dataverse attribute that only accompanies another (`AttributeOf`),
    /// such as the name of a lookup's record: it is written by its owner.
    CompanionAttribute { of: String },
    /// A Dataverse lookup that can point to several tables (`Customer`,
    /// `Owner`, polymorphic lookups): a cached lookup has one target.
    PolymorphicLookup { targets: Vec<String> },
    /// A Dataverse lookup that names no target table.
    LookupWithoutTarget,
    /// A second enum member or option with a label already seen in the same
    /// field: the cache maps each label to one value.
    DuplicateMember { label: String, value: i64 },
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.item {
            Some(item) => write!(f, "{}.{item}: {}", self.entity, self.reason),
            None => write!(f, "{}: {}", self.entity, self.reason),
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NoEntitySet => write!(f, "entity type not exposed by any entity set"),
            SkipReason::CollectionNavigation { target } => {
                write!(f, "navigation to many records ({target}); a field holds one value")
            }
            SkipReason::TargetWithoutEntitySet { target } => {
                write!(f, "navigation to {target}, which no entity set exposes")
            }
            SkipReason::UnsupportedType { type_name } => write!(f, "type {type_name} has no cached field type"),
            SkipReason::CompanionAttribute { of } => write!(f, "companion attribute of {of}"),
            SkipReason::PolymorphicLookup { targets } => {
                write!(f, "lookup to several tables ({}); a cached lookup has one target", targets.join(", "))
            }
            SkipReason::LookupWithoutTarget => write!(f, "lookup without a target table"),
            SkipReason::DuplicateMember { label, value } => {
                write!(f, "member \"{label}\" = {value} repeats a label; the first one is kept")
            }
        }
    }
}

/// Metadata that cannot be read. Positions are one-based; a column counts
/// bytes of the line, which is what an editor's go-to-column expects for
/// the ASCII that metadata is written in.
#[derive(Debug)]
pub enum MetadataError {
    /// Not well-formed XML, or XML that is not a CSDL document.
    Xml {
        line: u64,
        column: u64,
        message: String,
    },
    /// XML whose position could no longer be turned into a line (it was
    /// further back than the reader remembers): the byte offset is given.
    XmlAtOffset {
        offset: u64,
        message: String,
    },
    /// Not well-formed JSON, or JSON not shaped like `EntityDefinitions`.
    Json {
        line: usize,
        column: usize,
        message: String,
    },
    Io(std::io::Error),
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetadataError::Xml { line, column, message } => {
                write!(f, "invalid CSDL at line {line}, column {column}: {message}")
            }
            MetadataError::XmlAtOffset { offset, message } => {
                write!(f, "invalid CSDL at byte {offset}: {message}")
            }
            MetadataError::Json { line, column, message } => {
                write!(f, "invalid EntityDefinitions JSON at line {line}, column {column}: {message}")
            }
            MetadataError::Io(err) => write!(f, "cannot read the metadata: {err}"),
        }
    }
}

impl std::error::Error for MetadataError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MetadataError::Io(err) => Some(err),
            _ => None,
        }
    }
}

/// A field of one of the simple types: no length, members or target.
pub(crate) fn plain_field(name: &str, ty: FieldType) -> CachedField {
    CachedField {
        name: name.to_string(),
        ty,
        max_length: None,
        precision: None,
        scale: None,
        values: None,
        options: None,
        target: None,
        required: false,
        read_only: false,
    }
}

/// A field as written: keys that say nothing (absent values, `false`) are
/// left out, so a cache reads like the examples of `schema-cache.md`.
#[derive(Serialize)]
struct FieldOut<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    ty: FieldType,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    precision: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scale: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<&'a IndexMap<String, i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<&'a IndexMap<String, i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    required: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    read_only: bool,
}

impl<'a> From<&'a CachedField> for FieldOut<'a> {
    fn from(f: &'a CachedField) -> Self {
        FieldOut {
            name: &f.name,
            ty: f.ty,
            max_length: f.max_length,
            precision: f.precision,
            scale: f.scale,
            values: f.values.as_ref(),
            options: f.options.as_ref(),
            target: f.target.as_deref(),
            required: f.required,
            read_only: f.read_only,
        }
    }
}

impl CacheDocument {
    /// The cache as JSON text. The layout is fixed by hand rather than by a
    /// pretty printer: one line per field keeps a cache of thousands of
    /// entities readable and makes a refresh show up as a small diff.
    pub fn to_json(&self) -> String {
        fn json<T: Serialize + ?Sized>(value: &T) -> String {
            // Serializing plain strings, numbers and maps with string keys
            // cannot fail.
            serde_json::to_string(value).expect("cache values serialize")
        }
        let fields: usize = self.entities.iter().map(|e| e.fields.len()).sum();
        let mut out = String::with_capacity(512 + self.entities.len() * 256 + fields * 96);
        out.push_str("{\n");
        out.push_str(&format!("  \"format\": {FORMAT},\n"));
        out.push_str(&format!("  \"environment\": {},\n", json(&self.environment)));
        out.push_str(&format!("  \"app\": {},\n", json(&self.app)));
        out.push_str(&format!("  \"refreshed\": {},\n", json(&self.refreshed)));
        out.push_str("  \"connection\": { \"status\": \"connected\" },\n");
        out.push_str(&format!("  \"organizations\": {},\n", json(&self.organizations)));
        out.push_str("  \"entities\": [");
        for (i, entity) in self.entities.iter().enumerate() {
            out.push_str(if i == 0 { "\n" } else { ",\n" });
            out.push_str("    {\n");
            out.push_str(&format!("      \"name\": {},\n", json(&entity.name)));
            out.push_str(&format!("      \"kind\": {},\n", json(&entity.kind)));
            if let Some(set) = &entity.entity_set {
                out.push_str(&format!("      \"entity_set\": {},\n", json(set)));
            }
            if let Some(company) = &entity.company_field {
                out.push_str(&format!("      \"company_field\": {},\n", json(company)));
            }
            out.push_str("      \"keys\": [");
            for (k, key) in entity.keys.iter().enumerate() {
                out.push_str(if k == 0 { "\n        " } else { ",\n        " });
                out.push_str(&json(key));
            }
            out.push_str(if entity.keys.is_empty() { "],\n" } else { "\n      ],\n" });
            out.push_str("      \"fields\": [");
            for (k, field) in entity.fields.iter().enumerate() {
                out.push_str(if k == 0 { "\n        " } else { ",\n        " });
                out.push_str(&json(&FieldOut::from(field)));
            }
            out.push_str(if entity.fields.is_empty() { "]\n" } else { "\n      ]\n" });
            out.push_str("    }");
        }
        out.push_str(if self.entities.is_empty() { "]\n" } else { "\n  ]\n" });
        out.push_str("}\n");
        out
    }
}

pub use crate::clock::rfc3339_utc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(1_795_168_800), "2026-11-20T10:00:00Z");
        assert_eq!(rfc3339_utc(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn metadata_cache_text_leaves_out_empty_keys_and_loads_back() {
        let mut name = plain_field("name", FieldType::String);
        name.max_length = Some(160);
        name.required = true;
        let document = CacheDocument {
            environment: "contoso \"sales\"".to_string(),
            app: App::Dataverse,
            refreshed: rfc3339_utc(0),
            organizations: vec!["USMF".to_string()],
            entities: vec![
                ImportedEntity {
                    name: "account".to_string(),
                    kind: "standard".to_string(),
                    entity_set: Some("accounts".to_string()),
                    company_field: None,
                    keys: vec![CachedKey { name: "k".to_string(), fields: vec!["name".to_string()] }],
                    fields: vec![name],
                },
                ImportedEntity {
                    name: "empty".to_string(),
                    kind: "virtual".to_string(),
                    entity_set: None,
                    company_field: None,
                    keys: Vec::new(),
                    fields: Vec::new(),
                },
            ],
        };
        let text = document.to_json();
        assert!(text.contains(r#"{"name":"name","type":"string","max_length":160,"required":true}"#), "{text}");
        let schema = crate::schema::CachedSchema::from_json(&text, "x.json".into()).expect("loads back");
        assert_eq!(schema.environment, "contoso \"sales\"");
        assert_eq!(schema.entities().len(), 2);
        assert_eq!(schema.entity("account").unwrap().field(App::Dataverse, "name").unwrap().max_length, Some(160));
    }
}
