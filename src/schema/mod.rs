//! Cached entity schemas (`schema-cache.md`): loading the JSON files of a
//! workspace's schema folder once, indexing entities and fields by name for
//! constant-time lookups, and reporting unreadable caches as problems rather
//! than failing. Finance and operations names are indexed case-insensitively.

mod index;
mod load;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

pub use index::INDEX_FOLDER;
pub use load::{load_folder, CacheProblem};

/// The app of a connection or a cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum App {
    FinanceAndOperations,
    Dataverse,
    Sales,
    Salesforce,
    Sql,
}

impl App {
    pub const ALL: [App; 5] = [App::FinanceAndOperations, App::Dataverse, App::Sales, App::Salesforce, App::Sql];

    pub fn from_keyword(keyword: &str) -> Option<App> {
        App::ALL.into_iter().find(|app| app.keyword() == keyword)
    }

    pub fn keyword(self) -> &'static str {
        match self {
            App::FinanceAndOperations => "finance_and_operations",
            App::Dataverse => "dataverse",
            App::Sales => "sales",
            App::Salesforce => "salesforce",
            App::Sql => "sql",
        }
    }

    /// Finance and operations names are matched without regard to case
    /// (the product shows them upper-cased, the metadata in Pascal case).
    pub fn ignores_case(self) -> bool {
        self == App::FinanceAndOperations
    }

    /// Dataverse-based apps take OData `$filter` source filters.
    pub fn is_dataverse(self) -> bool {
        matches!(self, App::Dataverse | App::Sales)
    }

    /// The key under which a name of this app is indexed and looked up.
    pub fn name_key<'n>(self, name: &'n str) -> std::borrow::Cow<'n, str> {
        if self.ignores_case() && name.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(name.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(name)
        }
    }
}

/// The type of a cached field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    String,
    Memo,
    Integer,
    Bigint,
    Decimal,
    Money,
    Double,
    Boolean,
    Datetime,
    Date,
    Guid,
    Enum,
    Choice,
    Multichoice,
    Lookup,
    Image,
    File,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Memo => "memo",
            FieldType::Integer => "integer",
            FieldType::Bigint => "bigint",
            FieldType::Decimal => "decimal",
            FieldType::Money => "money",
            FieldType::Double => "double",
            FieldType::Boolean => "boolean",
            FieldType::Datetime => "datetime",
            FieldType::Date => "date",
            FieldType::Guid => "guid",
            FieldType::Enum => "enum",
            FieldType::Choice => "choice",
            FieldType::Multichoice => "multichoice",
            FieldType::Lookup => "lookup",
            FieldType::Image => "image",
            FieldType::File => "file",
        }
    }

    pub fn is_text(self) -> bool {
        matches!(self, FieldType::String | FieldType::Memo)
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Integer | FieldType::Bigint | FieldType::Decimal | FieldType::Money | FieldType::Double
        )
    }

    /// Enums, choices and multi-select choices: fields with named members.
    pub fn has_members(self) -> bool {
        matches!(self, FieldType::Enum | FieldType::Choice | FieldType::Multichoice)
    }
}

/// The last known state of an environment's connection.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConnectionState {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ConnectionState {
    /// A cache without a connection block is taken as connected: it was
    /// pulled, so the environment answered.
    pub fn is_connected(&self) -> bool {
        self.status.as_deref().is_none_or(|s| s == "connected")
    }
}

/// A key of an entity: an alternate key (Dataverse) or entity key.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CachedKey {
    #[serde(default)]
    pub name: String,
    pub fields: Vec<String>,
}

/// One field of a cached entity.
#[derive(Debug, Clone, Deserialize)]
pub struct CachedField {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default)]
    pub max_length: Option<u32>,
    #[serde(default)]
    pub precision: Option<u32>,
    #[serde(default)]
    pub scale: Option<u32>,
    /// Enum members (name to value), in the cache's order.
    #[serde(default)]
    pub values: Option<IndexMap<String, i64>>,
    /// Choice options (label to value), in the cache's order.
    #[serde(default)]
    pub options: Option<IndexMap<String, i64>>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub read_only: bool,
}

impl CachedField {
    /// The members of an enum or choice field, in order.
    pub fn members(&self) -> impl Iterator<Item = (&str, i64)> {
        self.values.iter().chain(self.options.iter()).flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), *v)))
    }

    /// A short description of the type: `string(20)`, `decimal(32,6)`,
    /// `lookup → account`, `enum`.
    pub fn type_label(&self) -> String {
        match (self.ty, self.max_length, self.precision, &self.target) {
            (FieldType::String | FieldType::Memo, Some(len), _, _) => format!("{}({len})", self.ty.name()),
            (FieldType::Decimal | FieldType::Money, _, Some(p), _) => {
                format!("{}({p},{})", self.ty.name(), self.scale.unwrap_or(0))
            }
            (FieldType::Lookup, _, _, Some(target)) => format!("lookup to {target}"),
            (ty, ..) => ty.name().to_string(),
        }
    }
}

/// One cached entity with its fields indexed by name.
#[derive(Debug, Clone, Deserialize)]
pub struct CachedEntity {
    pub name: String,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub entity_set: Option<String>,
    #[serde(default)]
    pub company_field: Option<String>,
    #[serde(default)]
    pub cross_company_sharing: bool,
    #[serde(default)]
    pub keys: Vec<CachedKey>,
    #[serde(default)]
    pub fields: Vec<CachedField>,
    #[serde(skip)]
    field_index: HashMap<Box<str>, usize>,
}

impl CachedEntity {
    fn index(&mut self, app: App) {
        self.field_index = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (app.name_key(&f.name).into_owned().into_boxed_str(), i))
            .collect();
    }

    pub fn field_id(&self, app: App, name: &str) -> Option<usize> {
        self.field_index.get(app.name_key(name).as_ref()).copied()
    }

    pub fn field(&self, app: App, name: &str) -> Option<&CachedField> {
        self.field_id(app, name).map(|i| &self.fields[i])
    }

    /// True when `name` is this entity's company field.
    pub fn is_company_field(&self, app: App, name: &str) -> bool {
        self.company_field.as_deref().is_some_and(|c| app.name_key(c) == app.name_key(name))
    }

    pub fn has_version_number(&self, app: App) -> bool {
        self.field_id(app, "versionnumber").is_some()
    }
}

#[derive(Debug, Clone, Deserialize)]
struct RawSchema<E> {
    format: serde_json::Value,
    environment: String,
    app: App,
    #[serde(default)]
    refreshed: Option<String>,
    #[serde(default)]
    connection: ConnectionState,
    #[serde(default)]
    organizations: Vec<String>,
    #[serde(default = "Vec::new")]
    entities: Vec<E>,
}

/// What a cache says of an entity without its fields: enough to list,
/// complete and find entities without reading thousands of field lists.
#[derive(Debug)]
pub struct EntityHead {
    pub name: String,
    pub kind: Option<String>,
    pub entity_set: Option<String>,
    pub field_count: usize,
    /// The whole entity, read on first use.
    entity: OnceLock<Option<CachedEntity>>,
}

impl EntityHead {
    fn of(entity: &CachedEntity) -> EntityHead {
        EntityHead {
            name: entity.name.clone(),
            kind: entity.kind.clone(),
            entity_set: entity.entity_set.clone(),
            field_count: entity.fields.len(),
            entity: OnceLock::new(),
        }
    }
}

/// The cached schema of one environment. Entities are listed up front;
/// each entity's fields are read when first asked for, from the cache's
/// index (see [`index`]) when it has one, so that opening a workspace with
/// caches of thousands of entities reads only the entities its maps name.
#[derive(Debug)]
pub struct CachedSchema {
    /// The file it was read from.
    pub path: PathBuf,
    pub environment: String,
    pub app: App,
    pub refreshed: Option<String>,
    pub connection: ConnectionState,
    pub organizations: Vec<String>,
    entities: Vec<EntityHead>,
    entity_index: HashMap<Box<str>, usize>,
    /// Where entities not yet read come from; `None` when every entity was
    /// read with the file.
    store: Option<Mutex<index::Store>>,
}

impl CachedSchema {
    /// A schema whose entities are all in memory already.
    fn from_raw(raw: RawSchema<CachedEntity>, path: PathBuf) -> CachedSchema {
        let heads = raw.entities.iter().map(EntityHead::of).collect();
        let schema = CachedSchema::with_heads(raw.clone_header(), heads, path, None);
        let app = schema.app;
        for (head, mut entity) in schema.entities.iter().zip(raw.entities) {
            entity.index(app);
            let _ = head.entity.set(Some(entity));
        }
        schema
    }

    fn with_heads(
        header: RawSchema<CachedEntity>,
        entities: Vec<EntityHead>,
        path: PathBuf,
        store: Option<index::Store>,
    ) -> CachedSchema {
        let app = header.app;
        let mut entity_index = HashMap::with_capacity(entities.len());
        for (i, entity) in entities.iter().enumerate() {
            // The first of two same-named entities wins, as a reader of the
            // file would expect; later ones stay reachable by position only.
            entity_index.entry(app.name_key(&entity.name).into_owned().into_boxed_str()).or_insert(i);
        }
        CachedSchema {
            path,
            environment: header.environment,
            app,
            refreshed: header.refreshed,
            connection: header.connection,
            organizations: header.organizations,
            entities,
            entity_index,
            store: store.map(Mutex::new),
        }
    }

    /// Parses one cache document, reading every entity.
    pub fn from_json(text: &str, path: PathBuf) -> Result<CachedSchema, CacheProblem> {
        load::parse_schema(text, path)
    }

    /// Every entity, in the cache's order, without fields.
    pub fn entities(&self) -> &[EntityHead] {
        &self.entities
    }

    pub fn entity_id(&self, name: &str) -> Option<usize> {
        self.entity_index.get(self.app.name_key(name).as_ref()).copied()
    }

    pub fn entity(&self, name: &str) -> Option<&CachedEntity> {
        self.entity_id(name).and_then(|i| self.entity_at(i))
    }

    /// The entity at a position of [`CachedSchema::entities`], read from the
    /// index on first use. An index that fails to give it back (damaged
    /// since it was opened) is reported on stderr and the entity is taken
    /// as absent, rather than failing the caller.
    pub fn entity_at(&self, index: usize) -> Option<&CachedEntity> {
        let head = self.entities.get(index)?;
        head.entity
            .get_or_init(|| {
                // Only the read holds the lock; entities are decoded in
                // parallel by the rules that ask for them.
                let json = {
                    let store = self.store.as_ref()?;
                    let store = store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    store.entity_json(index)
                };
                match json.and_then(|json| index::decode(&json)) {
                    Ok(mut entity) => {
                        entity.index(self.app);
                        Some(entity)
                    }
                    Err(err) => {
                        eprintln!(
                            "dimap: reading entity `{}` from the index of {}: {err:#}",
                            head.name,
                            self.path.display()
                        );
                        None
                    }
                }
            })
            .as_ref()
    }

    /// True when `name` is one of the environment's organizations. Legal
    /// entities of finance and operations are matched without case.
    pub fn has_organization(&self, name: &str) -> bool {
        self.organizations
            .iter()
            .any(|o| if self.app.ignores_case() { o.eq_ignore_ascii_case(name) } else { o == name })
    }
}

impl<E> RawSchema<E> {
    /// The document's header, without entities.
    fn clone_header<F>(&self) -> RawSchema<F> {
        RawSchema {
            format: self.format.clone(),
            environment: self.environment.clone(),
            app: self.app,
            refreshed: self.refreshed.clone(),
            connection: self.connection.clone(),
            organizations: self.organizations.clone(),
            entities: Vec::new(),
        }
    }
}

/// Every cached schema of a workspace, by environment name.
#[derive(Debug, Default)]
pub struct SchemaSet {
    schemas: Vec<CachedSchema>,
    by_environment: HashMap<String, usize>,
}

impl SchemaSet {
    pub fn new(schemas: Vec<CachedSchema>) -> SchemaSet {
        let by_environment = schemas.iter().enumerate().map(|(i, s)| (s.environment.clone(), i)).collect();
        SchemaSet { schemas, by_environment }
    }

    pub fn get(&self, environment: &str) -> Option<&CachedSchema> {
        self.by_environment.get(environment).map(|&i| &self.schemas[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &CachedSchema> {
        self.schemas.iter()
    }

    pub fn len(&self) -> usize {
        self.schemas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.schemas.is_empty()
    }
}

#[cfg(test)]
mod tests;
