//! Conversions between the JSON that dual-write keeps for each table map
//! (the `msdyn_mapping` document) and `.dimap` text, with everything the
//! other side cannot hold reported as a [`Loss`] rather than dropped. The
//! conversions are pure: the caller reads files and passes in the cached
//! schemas and connection sets of the workspace, if any.
//!
//! Decisions, where the stored format leaves room:
//!
//! - Sides. The language puts finance and operations on the left, and the
//!   stored document names finance and operations as its
//!   `leftEnvironmentType` (`AX`) with each leg flowing from it, so a leg's
//!   `sourceSchema` and every `sourceField` are the left side and
//!   `destinationSchema` / `destinationField` the right side. `syncDirection`
//!   `"1"` (source to destination) is therefore `>`, `"2"` is `<` and `"3"`
//!   is `=`; the transform forms are written when a line has a transform.
//!   A document that names Dataverse on its left is kept as written (its
//!   source stays on the left) and the orientation is reported.
//! - Filters. `sourceFilter` filters the leg's source entity, so it becomes
//!   `filter LEFT_ALIAS '...'`; `reversedSourceFilter` filters the other
//!   entity when data flows back, so it becomes `filter RIGHT_ALIAS '...'`.
//!   An empty or missing filter writes no line, and export writes `""`.
//! - Constants. A missing side given as `null`, `""` or no key at all is
//!   `none`; export writes `null`.
//! - Values. Transform values (defaults, value map keys and values) are text
//!   in the stored document. A string is written bare when it is an
//!   identifier, as a number when it reads as one, else quoted; `true`,
//!   `false`, `null` and `none` as strings are quoted, so the string `"null"`
//!   stays distinct from JSON `null`. Export writes identifiers, numbers and
//!   strings back as JSON strings, `true`/`false` as JSON booleans and
//!   `null` as JSON `null`; a JSON number therefore comes back as a string,
//!   which is reported.
//! - Names. Each leg becomes one map named after its entities
//!   (`customersv3_to_account`), made unique within the project. Where a
//!   cached Dataverse entity has the right side's name as its `entity_set`,
//!   the table's logical name is written, and export writes the entity set
//!   back; without a cache the name is kept as given. Field paths must be
//!   identifiers joined by `.`; a line with any other field name is left out
//!   and reported.
//! - Not held by the language, so reported on import: `isSystemGenerated:
//!   true`, a `destinationLookupFieldRelatedEntity` that the cache does not
//!   give back (export derives it from the lookup field's target), transform
//!   types other than `Default` and `ValueMap`, a second transform of one
//!   kind, environment types other than `AX`/`CRM`, several legs in one
//!   document (each leg is its own map, exported as its own document), and
//!   unknown keys (each path once per document).
//! - Export writes one document for one map, and a JSON array of documents
//!   (one per map, each with one leg) for several, keys in the order of
//!   [`document::ExportDocument`]. What JSON cannot hold (`key` lines, a
//!   second filter of one side) is reported.

pub mod document;
mod export;
mod import;

use crate::analysis::model::ConnectionSetDecl;
use crate::schema::{EntityHead, SchemaSet};

pub use export::{from_dimap, ExportOutput};
pub use import::{parse_documents, to_dimap, ImportOptions, SourceDocument};

/// Something one side holds that the other cannot, reported to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    /// Where: the input and the place inside it (`map.json: legs[0].fieldMappings[3]`).
    pub location: String,
    pub message: String,
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// What the workspace knows that both conversions consult: the cached
/// schemas (entity sets and lookup targets) and the connection sets (the apps
/// of each alias, for the environment types).
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub schemas: &'a SchemaSet,
    pub connection_sets: &'a [ConnectionSetDecl],
}

impl<'a> Context<'a> {
    /// Dataverse-side entities of every cache, in cache order: the stored
    /// document names Dataverse tables, so only those caches are consulted.
    fn dataverse_entities(&self) -> impl Iterator<Item = &'a EntityHead> {
        self.schemas.iter().filter(|s| s.app.is_dataverse()).flat_map(|s| s.entities().iter())
    }

    /// The logical name of the table whose entity set is `name`, unless a
    /// table is itself called `name` (then the name is already logical).
    fn logical_name(&self, name: &str) -> Option<String> {
        if self.dataverse_entities().any(|e| e.name == name) {
            return None;
        }
        self.dataverse_entities().find(|e| e.entity_set.as_deref() == Some(name)).map(|e| e.name.clone())
    }

    /// The entity set of the table `name`, when a cache gives one.
    fn entity_set(&self, name: &str) -> Option<String> {
        self.dataverse_entities().find(|e| e.name == name).and_then(|e| e.entity_set.clone())
    }

    /// The related entity of the lookup that a right-side path steps through
    /// (its first segment), as the stored document names it: the target's
    /// entity set when the cache gives one, else its logical name.
    fn lookup_related_entity(&self, entity: &str, path: &str) -> Option<String> {
        let (first, _) = path.split_once('.')?;
        let entity = self.schemas.iter().filter(|s| s.app.is_dataverse()).find_map(|s| {
            s.entity_id(entity).filter(|&i| s.entities()[i].name == entity).and_then(|i| s.entity_at(i))
        })?;
        let field = entity.fields.iter().find(|f| f.name == first)?;
        let target = field.target.as_deref()?;
        Some(self.entity_set(target).unwrap_or_else(|| target.to_string()))
    }

    /// The app keyword of `alias` in the connection set `set`.
    fn app_of(&self, set: &str, alias: &str) -> Option<crate::schema::App> {
        self.connection_sets
            .iter()
            .filter(|s| s.name.text == set)
            .flat_map(|s| s.connections.iter())
            .find(|c| c.alias.text == alias)
            .map(|c| c.app)
    }
}

/// The environment type the stored document gives an app.
fn environment_type(app: crate::schema::App) -> &'static str {
    use crate::schema::App;
    match app {
        App::FinanceAndOperations => "AX",
        App::Dataverse | App::Sales => "CRM",
        App::Salesforce => "Salesforce",
        App::Sql => "SQL",
    }
}

/// The environment types export writes when the connection set is unknown.
const DEFAULT_LEFT_TYPE: &str = "AX";
const DEFAULT_RIGHT_TYPE: &str = "CRM";

/// `-?[0-9]+(\.[0-9]+)?`, the language's numbers.
fn is_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

#[cfg(test)]
mod tests;
