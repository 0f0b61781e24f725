//! Reading OData v4 CSDL `$metadata` XML, as finance and operations apps and
//! Dataverse serve it, into a cache document. The document is read in one
//! streaming pass of `quick-xml` events: a finance and operations
//! `$metadata` is tens of megabytes, so no tree of it is ever built. What
//! the pass keeps is only what the cache needs (entity types, their keys,
//! properties and navigation properties, enum members, entity sets and the
//! access annotations); entity sets come last in a published document, so
//! types are resolved against them once the pass is over, through hash
//! maps, in time linear in the document.

use std::collections::{HashMap, VecDeque};
use std::io::BufRead;

use indexmap::IndexMap;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::{plain_field, CacheDocument, Import, ImportOptions, ImportedEntity, MetadataError, SkipReason, Skipped};
use crate::schema::{CachedField, CachedKey, FieldType};

/// The vocabulary of the finance and operations access annotations.
const DYNAMICS_TERMS: &str = "Microsoft.Dynamics.OData.Core.V1";

/// The name of the one key a CSDL entity type has.
const ENTITY_KEY: &str = "EntityKey";

/// Reads a CSDL document and converts it. Errors carry the line and column
/// of the offending markup.
pub fn import<R: BufRead>(input: R, options: &ImportOptions) -> Result<Import, MetadataError> {
    Ok(parse(input)?.resolve(options))
}

/// The access annotations of a property; `None` where the document is silent.
#[derive(Debug, Default, Clone, Copy)]
struct Access {
    is_required: Option<bool>,
    allow_edit: Option<bool>,
    allow_edit_on_create: Option<bool>,
}

#[derive(Debug, Clone, Copy)]
enum Term {
    IsRequired,
    AllowEdit,
    AllowEditOnCreate,
}

impl Access {
    fn set(&mut self, term: Term, value: bool) {
        match term {
            Term::IsRequired => self.is_required = Some(value),
            Term::AllowEdit => self.allow_edit = Some(value),
            Term::AllowEditOnCreate => self.allow_edit_on_create = Some(value),
        }
    }

    /// Fills in what `other` says and `self` does not: inline annotations
    /// win over an `Annotations` block aimed at the same property.
    fn or(self, other: Access) -> Access {
        Access {
            is_required: self.is_required.or(other.is_required),
            allow_edit: self.allow_edit.or(other.allow_edit),
            allow_edit_on_create: self.allow_edit_on_create.or(other.allow_edit_on_create),
        }
    }

    /// A value can be given on create unless `AllowEditOnCreate` says no;
    /// `AllowEdit="false"` alone only forbids updates.
    fn settable_on_create(self) -> bool {
        self.allow_edit_on_create != Some(false)
    }

    fn read_only(self) -> bool {
        self.allow_edit == Some(false) && self.allow_edit_on_create == Some(false)
    }
}

#[derive(Debug)]
struct RawProperty {
    name: String,
    type_name: String,
    max_length: Option<String>,
    precision: Option<String>,
    scale: Option<String>,
    access: Access,
}

#[derive(Debug)]
struct RawNavigation {
    name: String,
    type_name: String,
    access: Access,
}

#[derive(Debug)]
struct RawEntityType {
    /// The namespace-qualified name, as other types refer to it.
    qualified: String,
    name: String,
    base_type: Option<String>,
    key: Option<Vec<String>>,
    properties: Vec<RawProperty>,
    navigations: Vec<RawNavigation>,
}

#[derive(Debug)]
struct RawEnum {
    qualified: String,
    members: IndexMap<String, i64>,
    duplicates: Vec<(String, i64)>,
    /// The value of a member that gives none: one more than the last one,
    /// as CSDL defines it.
    next: i64,
}

/// Which member of the entity type being read is open.
#[derive(Debug, Clone, Copy)]
enum Member {
    Property(usize),
    Navigation(usize),
}

/// Where an open `Annotation` applies.
#[derive(Debug, Clone)]
enum AnnotationTarget {
    Member(Member),
    /// The `Target` of an enclosing `Annotations` block.
    External(String),
}

#[derive(Debug)]
struct PendingAnnotation {
    term: Term,
    target: AnnotationTarget,
    depth: usize,
    /// A `Bool` attribute's value, or the text of a nested `<Bool>`. An
    /// annotation of a Boolean term without a value means true.
    value: Option<bool>,
}

/// The state of the streaming pass. Each open construct remembers the depth
/// it was opened at, so an element closes exactly what it opened, however
/// deeply unrelated markup with the same names nests.
#[derive(Debug, Default)]
struct Parser {
    depth: usize,
    saw_csdl: bool,
    aliases: HashMap<String, String>,
    schema: Option<(String, usize)>,
    entity: Option<(RawEntityType, usize)>,
    key_depth: Option<usize>,
    member: Option<(Member, usize)>,
    external: Option<(String, usize)>,
    annotation: Option<PendingAnnotation>,
    bool_text: Option<(String, usize)>,
    enum_type: Option<(RawEnum, usize)>,
    container_depth: Option<usize>,
    types: Vec<RawEntityType>,
    enums: Vec<RawEnum>,
    sets: Vec<(String, String)>,
    external_access: HashMap<String, Access>,
}

/// Reads the values of the attributes `names` of an element in one pass
/// over its attributes.
fn attributes<const N: usize>(e: &BytesStart, names: [&[u8]; N]) -> Result<[Option<String>; N], String> {
    let mut values: [Option<String>; N] = std::array::from_fn(|_| None);
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|err| err.to_string())?;
        if let Some(i) = names.iter().position(|n| *n == attribute.key.as_ref()) {
            let value = attribute.normalized_value(XmlVersion::Implicit1_0).map_err(|err| err.to_string())?;
            values[i] = Some(value.into_owned());
        }
    }
    Ok(values)
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn element_name(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.name().as_ref()).into_owned()
}

impl Parser {
    fn opened_at(slot: &Option<(impl Sized, usize)>, depth: usize) -> bool {
        matches!(slot, Some((_, d)) if *d == depth)
    }

    fn start(&mut self, e: &BytesStart) -> Result<(), String> {
        self.depth += 1;
        let depth = self.depth;
        let parent = depth - 1;
        match e.local_name().as_ref() {
            b"Edmx" => self.saw_csdl = true,
            b"Include" => {
                // `edmx:Reference/edmx:Include` may give a vocabulary an
                // alias that annotation terms then use.
                if let [Some(namespace), Some(alias)] = attributes(e, [b"Namespace", b"Alias"])? {
                    self.aliases.insert(alias, namespace);
                }
            }
            b"Schema" if self.schema.is_none() => {
                let [namespace, alias] = attributes(e, [b"Namespace", b"Alias"])?;
                let namespace = namespace.ok_or("a Schema without a Namespace")?;
                if let Some(alias) = alias {
                    self.aliases.insert(alias, namespace.clone());
                }
                self.saw_csdl = true;
                self.schema = Some((namespace, depth));
            }
            b"EntityType" if self.schema.is_some() && self.entity.is_none() => {
                let [name, base_type] = attributes(e, [b"Name", b"BaseType"])?;
                let name = name.ok_or("an EntityType without a Name")?;
                let namespace = self.schema.as_ref().map(|(n, _)| n.as_str()).unwrap_or_default();
                let entity = RawEntityType {
                    qualified: format!("{namespace}.{name}"),
                    name,
                    base_type,
                    key: None,
                    properties: Vec::new(),
                    navigations: Vec::new(),
                };
                self.entity = Some((entity, depth));
            }
            b"Key" if Self::opened_at(&self.entity, parent) => {
                self.key_depth = Some(depth);
                if let Some((entity, _)) = &mut self.entity {
                    entity.key.get_or_insert_with(Vec::new);
                }
            }
            b"PropertyRef" if self.key_depth == Some(parent) => {
                let [name] = attributes(e, [b"Name"])?;
                let name = name.ok_or("a PropertyRef without a Name")?;
                if let Some((RawEntityType { key: Some(key), .. }, _)) = &mut self.entity {
                    key.push(name);
                }
            }
            b"Property" if Self::opened_at(&self.entity, parent) => {
                let [name, type_name, max_length, precision, scale] =
                    attributes(e, [b"Name", b"Type", b"MaxLength", b"Precision", b"Scale"])?;
                let name = name.ok_or("a Property without a Name")?;
                let type_name = type_name.ok_or_else(|| format!("the Property {name} has no Type"))?;
                if let Some((entity, _)) = &mut self.entity {
                    entity.properties.push(RawProperty {
                        name,
                        type_name,
                        max_length,
                        precision,
                        scale,
                        access: Access::default(),
                    });
                    self.member = Some((Member::Property(entity.properties.len() - 1), depth));
                }
            }
            b"NavigationProperty" if Self::opened_at(&self.entity, parent) => {
                let [name, type_name] = attributes(e, [b"Name", b"Type"])?;
                let name = name.ok_or("a NavigationProperty without a Name")?;
                let type_name = type_name.ok_or_else(|| format!("the NavigationProperty {name} has no Type"))?;
                if let Some((entity, _)) = &mut self.entity {
                    entity.navigations.push(RawNavigation { name, type_name, access: Access::default() });
                    self.member = Some((Member::Navigation(entity.navigations.len() - 1), depth));
                }
            }
            b"Annotation" if self.annotation.is_none() => {
                let target = match (&self.member, &self.external) {
                    (Some((member, d)), _) if *d == parent => Some(AnnotationTarget::Member(*member)),
                    (_, Some((target, d))) if *d == parent => Some(AnnotationTarget::External(target.clone())),
                    _ => None,
                };
                if let Some(target) = target {
                    let [term, value] = attributes(e, [b"Term", b"Bool"])?;
                    if let Some(term) = term.as_deref().and_then(|t| self.term(t)) {
                        let value = value.as_deref().and_then(parse_bool);
                        self.annotation = Some(PendingAnnotation { term, target, depth, value });
                    }
                }
            }
            b"Bool" if self.annotation.as_ref().is_some_and(|a| a.depth == parent) => {
                self.bool_text = Some((String::new(), depth));
            }
            b"EnumType" if self.schema.is_some() && self.enum_type.is_none() => {
                let [name] = attributes(e, [b"Name"])?;
                let name = name.ok_or("an EnumType without a Name")?;
                let namespace = self.schema.as_ref().map(|(n, _)| n.as_str()).unwrap_or_default();
                let qualified = format!("{namespace}.{name}");
                let enum_type = RawEnum { qualified, members: IndexMap::new(), duplicates: Vec::new(), next: 0 };
                self.enum_type = Some((enum_type, depth));
            }
            b"Member" if Self::opened_at(&self.enum_type, parent) => {
                let [name, value] = attributes(e, [b"Name", b"Value"])?;
                let name = name.ok_or("an enum Member without a Name")?;
                if let Some((enum_type, _)) = &mut self.enum_type {
                    let value = match value {
                        Some(v) => v
                            .trim()
                            .parse::<i64>()
                            .map_err(|_| format!("the enum member {name} has the value \"{v}\", not an integer"))?,
                        None => enum_type.next,
                    };
                    enum_type.next = value.saturating_add(1);
                    if enum_type.members.contains_key(&name) {
                        enum_type.duplicates.push((name, value));
                    } else {
                        enum_type.members.insert(name, value);
                    }
                }
            }
            b"EntityContainer" if self.schema.is_some() => self.container_depth = Some(depth),
            b"EntitySet" if self.container_depth == Some(parent) => {
                let [name, entity_type] = attributes(e, [b"Name", b"EntityType"])?;
                let name = name.ok_or("an EntitySet without a Name")?;
                let entity_type = entity_type.ok_or_else(|| format!("the EntitySet {name} has no EntityType"))?;
                self.sets.push((name, entity_type));
            }
            b"Annotations" if self.schema.is_some() && self.external.is_none() => {
                if let [Some(target)] = attributes(e, [b"Target"])? {
                    self.external = Some((target, depth));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The access term an annotation's `Term` names, if any.
    fn term(&self, term: &str) -> Option<Term> {
        let (namespace, name) = term.rsplit_once('.')?;
        let namespace = self.aliases.get(namespace).map_or(namespace, String::as_str);
        if namespace != DYNAMICS_TERMS {
            return None;
        }
        match name {
            "IsRequired" => Some(Term::IsRequired),
            "AllowEdit" => Some(Term::AllowEdit),
            "AllowEditOnCreate" => Some(Term::AllowEditOnCreate),
            _ => None,
        }
    }

    fn text(&mut self, text: &str) {
        if let Some((collected, _)) = &mut self.bool_text {
            collected.push_str(text);
        }
    }

    fn end(&mut self) {
        let depth = self.depth;
        self.depth = self.depth.saturating_sub(1);
        if Self::opened_at(&self.bool_text, depth) {
            let (text, _) = self.bool_text.take().unwrap_or_default();
            if let Some(annotation) = &mut self.annotation {
                annotation.value = parse_bool(&text);
            }
        } else if self.annotation.as_ref().is_some_and(|a| a.depth == depth) {
            if let Some(annotation) = self.annotation.take() {
                self.apply(annotation);
            }
        } else if Self::opened_at(&self.member, depth) {
            self.member = None;
        } else if self.key_depth == Some(depth) {
            self.key_depth = None;
        } else if Self::opened_at(&self.entity, depth) {
            if let Some((entity, _)) = self.entity.take() {
                self.types.push(entity);
            }
        } else if Self::opened_at(&self.enum_type, depth) {
            if let Some((enum_type, _)) = self.enum_type.take() {
                self.enums.push(enum_type);
            }
        } else if self.container_depth == Some(depth) {
            self.container_depth = None;
        } else if Self::opened_at(&self.external, depth) {
            self.external = None;
        } else if Self::opened_at(&self.schema, depth) {
            self.schema = None;
        }
    }

    fn apply(&mut self, annotation: PendingAnnotation) {
        let value = annotation.value.unwrap_or(true);
        match annotation.target {
            AnnotationTarget::Member(member) => {
                let Some((entity, _)) = &mut self.entity else { return };
                let access = match member {
                    Member::Property(i) => entity.properties.get_mut(i).map(|p| &mut p.access),
                    Member::Navigation(i) => entity.navigations.get_mut(i).map(|n| &mut n.access),
                };
                if let Some(access) = access {
                    access.set(annotation.term, value);
                }
            }
            AnnotationTarget::External(target) => {
                self.external_access.entry(target).or_default().set(annotation.term, value);
            }
        }
    }
}

/// A `BufRead` that remembers where the most recent lines start, so that a
/// byte position quick-xml reports can be given as a line and column
/// without keeping the document. Errors point at markup that was just read,
/// so a bounded window of line starts is enough.
struct Lines<R> {
    inner: R,
    consumed: u64,
    recent: VecDeque<u64>,
    forgotten: u64,
}

const REMEMBERED_LINES: usize = 4096;

impl<R: BufRead> Lines<R> {
    fn new(inner: R) -> Lines<R> {
        Lines { inner, consumed: 0, recent: VecDeque::with_capacity(REMEMBERED_LINES), forgotten: 0 }
    }

    fn locate(&self, position: u64) -> Option<(u64, u64)> {
        let later = self.recent.partition_point(|&start| start <= position);
        if later == 0 && self.forgotten > 0 {
            return None;
        }
        let line_start = if later == 0 { 0 } else { self.recent[later - 1] };
        Some((1 + self.forgotten + later as u64, position - line_start + 1))
    }
}

impl<R: BufRead> std::io::Read for Lines<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // A reader's `fill_buf` hands back what is buffered without reading
        // again, so this sees exactly the bytes being consumed.
        if let Ok(buffer) = self.inner.fill_buf() {
            let seen = &buffer[..amount.min(buffer.len())];
            for (i, _) in seen.iter().enumerate().filter(|(_, &b)| b == b'\n') {
                if self.recent.len() == REMEMBERED_LINES {
                    self.recent.pop_front();
                    self.forgotten += 1;
                }
                self.recent.push_back(self.consumed + i as u64 + 1);
            }
        }
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

fn error_at<R: BufRead>(lines: &Lines<R>, position: u64, message: String) -> MetadataError {
    match lines.locate(position) {
        Some((line, column)) => MetadataError::Xml { line, column, message },
        None => MetadataError::XmlAtOffset { offset: position, message },
    }
}

/// The streaming pass: everything the cache needs, nothing else.
fn parse<R: BufRead>(input: R) -> Result<Parser, MetadataError> {
    let mut reader = Reader::from_reader(Lines::new(input));
    // Self-closing elements arrive as a start and an end, so that the
    // parser has one path for `<Property/>` and `<Property></Property>`.
    reader.config_mut().expand_empty_elements = true;
    let mut parser = Parser::default();
    let mut buf = Vec::with_capacity(1024);
    let mut open: Vec<String> = Vec::new();
    loop {
        let start = reader.buffer_position();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(quick_xml::Error::Io(err)) => {
                return Err(MetadataError::Io(std::io::Error::new(err.kind(), err.to_string())))
            }
            Err(err) => return Err(error_at(reader.get_ref(), reader.error_position(), err.to_string())),
        };
        let result = match event {
            Event::Start(e) => {
                // Only the names of the open elements are kept, to say which
                // one a truncated document leaves open.
                if open.len() < 64 {
                    open.push(element_name(&e));
                }
                parser.start(&e)
            }
            Event::End(_) => {
                if open.len() == parser.depth {
                    open.pop();
                }
                parser.end();
                Ok(())
            }
            Event::Text(t) if parser.bool_text.is_some() => {
                t.decode().map(|text| parser.text(&text)).map_err(|err| err.to_string())
            }
            Event::CData(t) if parser.bool_text.is_some() => {
                t.decode().map(|text| parser.text(&text)).map_err(|err| err.to_string())
            }
            Event::Eof => break,
            _ => Ok(()),
        };
        if let Err(message) = result {
            return Err(error_at(reader.get_ref(), start, message));
        }
        buf.clear();
    }
    let end = reader.buffer_position();
    if parser.depth > 0 {
        let name = open.last().map_or("an element".to_string(), |n| format!("<{n}>"));
        return Err(error_at(reader.get_ref(), end, format!("the document ends before {name} is closed")));
    }
    if !parser.saw_csdl {
        return Err(error_at(
            reader.get_ref(),
            0,
            "not a CSDL document: it has no edmx:Edmx or Schema element".to_string(),
        ));
    }
    Ok(parser)
}

/// What a property becomes, or why it cannot become a field.
fn property_field(
    property: &RawProperty,
    type_name: &str,
    enums: &HashMap<&str, &RawEnum>,
) -> Result<CachedField, SkipReason> {
    let ty = match type_name {
        "Edm.String" => {
            let length = property.max_length.as_deref().and_then(|l| l.trim().parse::<u32>().ok());
            let mut field =
                plain_field(&property.name, if length.is_some() { FieldType::String } else { FieldType::Memo });
            field.max_length = length;
            return Ok(field);
        }
        "Edm.Int32" | "Edm.Int16" | "Edm.Byte" => FieldType::Integer,
        "Edm.Int64" => FieldType::Bigint,
        "Edm.Decimal" => {
            let mut field = plain_field(&property.name, FieldType::Decimal);
            field.precision = property.precision.as_deref().and_then(|p| p.trim().parse().ok());
            // `Scale="variable"` (or `floating`) gives no fixed scale.
            field.scale = property.scale.as_deref().and_then(|s| s.trim().parse().ok());
            return Ok(field);
        }
        "Edm.Double" | "Edm.Single" => FieldType::Double,
        "Edm.Boolean" => FieldType::Boolean,
        "Edm.DateTimeOffset" => FieldType::Datetime,
        "Edm.Date" => FieldType::Date,
        "Edm.Guid" => FieldType::Guid,
        "Edm.Binary" => FieldType::File,
        other => match enums.get(other) {
            Some(enum_type) => {
                let mut field = plain_field(&property.name, FieldType::Enum);
                field.values = Some(enum_type.members.clone());
                return Ok(field);
            }
            None => return Err(SkipReason::UnsupportedType { type_name: property.type_name.clone() }),
        },
    };
    Ok(plain_field(&property.name, ty))
}

impl Parser {
    /// A type reference with its namespace alias, if any, replaced by the
    /// namespace, so that `mscrm.account` and `Microsoft.Dynamics.CRM.account`
    /// are the same type.
    fn qualify<'n>(&self, name: &'n str) -> std::borrow::Cow<'n, str> {
        match name.rsplit_once('.') {
            Some((prefix, local)) => match self.aliases.get(prefix) {
                Some(namespace) => format!("{namespace}.{local}").into(),
                None => name.into(),
            },
            None => name.into(),
        }
    }

    /// Turns what the pass kept into the cache document.
    fn resolve(self, options: &ImportOptions) -> Import {
        let mut skipped = Vec::new();
        let by_type_name = options.app.is_dataverse();
        let enums: HashMap<&str, &RawEnum> = self.enums.iter().map(|e| (e.qualified.as_str(), e)).collect();
        for enum_type in &self.enums {
            for (label, value) in &enum_type.duplicates {
                skipped.push(Skipped {
                    entity: enum_type.qualified.clone(),
                    item: Some(label.clone()),
                    reason: SkipReason::DuplicateMember { label: label.clone(), value: *value },
                });
            }
        }
        let types: HashMap<&str, usize> =
            self.types.iter().enumerate().map(|(i, t)| (t.qualified.as_str(), i)).collect();

        // Each exposed type with the entity set that names it in the cache
        // (the first one, when several sets expose the same type).
        let mut sets: Vec<(usize, &str)> = Vec::with_capacity(self.sets.len());
        let mut entity_name_of_type: HashMap<usize, String> = HashMap::with_capacity(self.sets.len());
        for (set_name, type_name) in &self.sets {
            let Some(&t) = types.get(self.qualify(type_name).as_ref()) else {
                skipped.push(Skipped {
                    entity: set_name.clone(),
                    item: None,
                    reason: SkipReason::UnsupportedType { type_name: type_name.clone() },
                });
                continue;
            };
            let first = !entity_name_of_type.contains_key(&t);
            if first {
                let name = if by_type_name { self.types[t].name.clone() } else { set_name.clone() };
                entity_name_of_type.insert(t, name);
            }
            // Named after their type, two sets of one type would be the same
            // entity twice; named after their sets, they are two entities.
            if first || !by_type_name {
                sets.push((t, set_name));
            }
        }
        for (t, entity_type) in self.types.iter().enumerate() {
            if !entity_name_of_type.contains_key(&t) {
                skipped.push(Skipped { entity: entity_type.name.clone(), item: None, reason: SkipReason::NoEntitySet });
            }
        }

        let mut entities = Vec::with_capacity(sets.len());
        for (t, set_name) in sets {
            let name = if by_type_name { self.types[t].name.clone() } else { set_name.to_string() };
            let chain = self.base_chain(t, &types);
            let key: Vec<String> = chain.iter().find_map(|&i| self.types[i].key.clone()).unwrap_or_default();
            let mut fields = Vec::new();
            let mut company_field = key.iter().find(|k| k.eq_ignore_ascii_case("dataAreaId")).cloned();
            for &i in chain.iter().rev() {
                let entity_type = &self.types[i];
                for property in &entity_type.properties {
                    let type_name = self.qualify(&property.type_name);
                    match property_field(property, &type_name, &enums) {
                        Ok(mut field) => {
                            let access = property.access.or(self.external(entity_type, &property.name));
                            let in_key = key.contains(&property.name);
                            field.read_only = access.read_only();
                            // Only finance and operations requires its key on
                            // create; Dataverse makes up a primary id itself.
                            let key_required = in_key && !by_type_name;
                            field.required = access.settable_on_create()
                                && !field.read_only
                                && (access.is_required == Some(true) || key_required);
                            fields.push(field);
                        }
                        Err(reason) => {
                            skipped.push(Skipped { entity: name.clone(), item: Some(property.name.clone()), reason })
                        }
                    }
                }
                for navigation in &entity_type.navigations {
                    let item = Some(navigation.name.clone());
                    if let Some(target) =
                        navigation.type_name.strip_prefix("Collection(").and_then(|t| t.strip_suffix(')'))
                    {
                        let target = target.rsplit('.').next().unwrap_or(target).to_string();
                        let reason = SkipReason::CollectionNavigation { target };
                        skipped.push(Skipped { entity: name.clone(), item, reason });
                        continue;
                    }
                    let target_type = types.get(self.qualify(&navigation.type_name).as_ref());
                    let Some(target) = target_type.and_then(|t| entity_name_of_type.get(t)) else {
                        let reason = SkipReason::TargetWithoutEntitySet { target: navigation.type_name.clone() };
                        skipped.push(Skipped { entity: name.clone(), item, reason });
                        continue;
                    };
                    let mut field = plain_field(&navigation.name, FieldType::Lookup);
                    field.target = Some(target.clone());
                    let access = navigation.access.or(self.external(entity_type, &navigation.name));
                    field.read_only = access.read_only();
                    field.required =
                        access.settable_on_create() && !field.read_only && access.is_required == Some(true);
                    let target_type = target_type.map(|&t| self.types[t].name.as_str());
                    if company_field.is_none()
                        && matches!(navigation.name.as_str(), "msdyn_company" | "cdm_company")
                        && target_type == Some("cdm_company")
                    {
                        company_field = Some(navigation.name.clone());
                    }
                    fields.push(field);
                }
            }
            let keys =
                if key.is_empty() { Vec::new() } else { vec![CachedKey { name: ENTITY_KEY.to_string(), fields: key }] };
            entities.push(ImportedEntity {
                name,
                kind: "standard".to_string(),
                entity_set: Some(set_name.to_string()),
                company_field,
                keys,
                fields,
            });
        }

        let document = CacheDocument::new(options, entities);
        Import { document, skipped }
    }

    /// The type and its base types, nearest first. A base type that is
    /// missing or repeats (a cycle in a broken document) ends the chain.
    fn base_chain(&self, t: usize, types: &HashMap<&str, usize>) -> Vec<usize> {
        let mut chain = vec![t];
        let mut current = t;
        while let Some(base) = &self.types[current].base_type {
            match types.get(self.qualify(base).as_ref()) {
                Some(&b) if !chain.contains(&b) => {
                    chain.push(b);
                    current = b;
                }
                _ => break,
            }
        }
        chain
    }

    /// What an `Annotations` block aimed at `Type/Property` says.
    fn external(&self, entity_type: &RawEntityType, property: &str) -> Access {
        if self.external_access.is_empty() {
            return Access::default();
        }
        let target = format!("{}/{property}", entity_type.qualified);
        let mut access = self.external_access.get(&target).copied().unwrap_or_default();
        // A block may name the type through its namespace's alias.
        for (alias, namespace) in &self.aliases {
            if let Some(local) = entity_type.qualified.strip_prefix(namespace.as_str()) {
                let aliased = format!("{alias}{local}/{property}");
                if let Some(other) = self.external_access.get(&aliased) {
                    access = access.or(*other);
                }
            }
        }
        access
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::App;

    fn options(app: App) -> ImportOptions {
        ImportOptions {
            environment: "test".to_string(),
            app,
            organizations: Vec::new(),
            refreshed: "2026-01-01T00:00:00Z".to_string(),
        }
    }

    fn import_str(xml: &str, app: App) -> Result<Import, MetadataError> {
        import(xml.as_bytes(), &options(app))
    }

    const FO: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Microsoft.Dynamics.DataEntities" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="VendorV2">
        <Key><PropertyRef Name="dataAreaId" /><PropertyRef Name="VendorAccountNumber" /></Key>
        <Property Name="dataAreaId" Type="Edm.String" Nullable="false" MaxLength="4" />
        <Property Name="VendorAccountNumber" Type="Edm.String" Nullable="false" MaxLength="20" />
        <Property Name="VendorName" Type="Edm.String" Nullable="false" MaxLength="100" />
        <Property Name="Notes" Type="Edm.String" MaxLength="Max" />
        <Property Name="Blocked" Type="Microsoft.Dynamics.DataEntities.CustVendorBlocked" Nullable="false" />
        <Property Name="CreditLimit" Type="Edm.Decimal" Precision="32" Scale="6" />
        <Property Name="Location" Type="Edm.GeographyPoint" />
        <Property Name="RecId" Type="Edm.Int64" Nullable="false">
          <Annotation Term="Microsoft.Dynamics.OData.Core.V1.AllowEdit" Bool="false" />
          <Annotation Term="Microsoft.Dynamics.OData.Core.V1.AllowEditOnCreate">
            <Bool>false</Bool>
          </Annotation>
        </Property>
        <Property Name="VendorGroupId" Type="Edm.String" MaxLength="10">
          <Annotation Term="Microsoft.Dynamics.OData.Core.V1.IsRequired" Bool="true" />
          <Annotation Term="Microsoft.Dynamics.OData.Core.V1.AllowEdit" Bool="false" />
        </Property>
        <NavigationProperty Name="VendorGroup" Type="Microsoft.Dynamics.DataEntities.VendorGroup" />
        <NavigationProperty Name="Invoices" Type="Collection(Microsoft.Dynamics.DataEntities.VendorInvoice)" />
      </EntityType>
      <EntityType Name="VendorGroup">
        <Key><PropertyRef Name="VendorGroupId" /></Key>
        <Property Name="VendorGroupId" Type="Edm.String" Nullable="false" MaxLength="10" />
      </EntityType>
      <EntityType Name="VendorInvoice">
        <Key><PropertyRef Name="InvoiceId" /></Key>
        <Property Name="InvoiceId" Type="Edm.String" Nullable="false" MaxLength="20" />
      </EntityType>
      <EnumType Name="CustVendorBlocked">
        <Member Name="No" Value="0" />
        <Member Name="Invoice" Value="1" />
        <Member Name="All" />
      </EnumType>
      <EntityContainer Name="Resources">
        <EntitySet Name="VendorsV2" EntityType="Microsoft.Dynamics.DataEntities.VendorV2" />
        <EntitySet Name="VendorGroups" EntityType="Microsoft.Dynamics.DataEntities.VendorGroup" />
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>
"#;

    #[test]
    fn metadata_csdl_maps_finance_and_operations_facets() {
        let import = import_str(FO, App::FinanceAndOperations).unwrap();
        let entities = &import.document.entities;
        assert_eq!(entities.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["VendorsV2", "VendorGroups"]);
        let vendors = &entities[0];
        assert_eq!(vendors.entity_set.as_deref(), Some("VendorsV2"));
        assert_eq!(vendors.company_field.as_deref(), Some("dataAreaId"));
        assert_eq!(vendors.keys[0].name, "EntityKey");
        assert_eq!(vendors.keys[0].fields, ["dataAreaId", "VendorAccountNumber"]);
        let field = |name: &str| vendors.fields.iter().find(|f| f.name == name).unwrap();
        assert!(field("VendorAccountNumber").required);
        // Nullable="false" alone does not make a field required.
        assert!(!field("VendorName").required);
        assert_eq!(field("VendorName").max_length, Some(100));
        assert_eq!(field("Notes").ty, FieldType::Memo);
        assert_eq!(field("Notes").max_length, None);
        let blocked = field("Blocked").values.clone().unwrap();
        assert_eq!(
            blocked.into_iter().collect::<Vec<_>>(),
            [("No".into(), 0), ("Invoice".into(), 1), ("All".into(), 2)]
        );
        assert_eq!((field("CreditLimit").precision, field("CreditLimit").scale), (Some(32), Some(6)));
        assert!(field("RecId").read_only && !field("RecId").required);
        // AllowEdit="false" alone: set on create only, so still required.
        assert!(field("VendorGroupId").required && !field("VendorGroupId").read_only);
        assert_eq!(field("VendorGroup").target.as_deref(), Some("VendorGroups"));
        assert!(vendors.fields.iter().all(|f| f.name != "Location" && f.name != "Invoices"));
        let reasons: Vec<String> = import.skipped.iter().map(ToString::to_string).collect();
        assert!(
            reasons.contains(&"VendorInvoice: entity type not exposed by any entity set".to_string()),
            "{reasons:?}"
        );
        assert!(reasons.iter().any(|r| r.starts_with("VendorsV2.Location: type Edm.GeographyPoint")), "{reasons:?}");
        assert!(reasons.iter().any(|r| r.starts_with("VendorsV2.Invoices: navigation to many")), "{reasons:?}");
    }

    #[test]
    fn metadata_csdl_errors_give_line_and_column() {
        let unquoted = FO.replace("MaxLength=\"Max\"", "MaxLength=Max");
        let err = import_str(&unquoted, App::FinanceAndOperations).unwrap_err().to_string();
        assert!(err.starts_with("invalid CSDL at line 10, column 9: "), "{err}");

        let open_tag =
            FO.replace("<Property Name=\"Notes\" Type=\"Edm.String\" MaxLength=\"Max\" />", "<Property Name=\"Notes\"");
        let err = import_str(&open_tag, App::FinanceAndOperations).unwrap_err().to_string();
        assert!(err.starts_with("invalid CSDL at line "), "{err}");

        let cut = FO.find("</EntityType>").unwrap();
        let err = import_str(&FO[..cut], App::FinanceAndOperations).unwrap_err().to_string();
        assert!(err.contains("ends before"), "{err}");

        let err = import_str("{\"value\": []}", App::Dataverse).unwrap_err().to_string();
        assert!(err.contains("not a CSDL document"), "{err}");

        let mismatched = FO.replace("</Key>", "</Keys>");
        let err = import_str(&mismatched, App::FinanceAndOperations).unwrap_err().to_string();
        assert!(err.starts_with("invalid CSDL at line 6, column "), "{err}");
    }

    #[test]
    fn metadata_csdl_reads_annotation_blocks_and_aliases() {
        let xml = r#"<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="x"><edmx:Include Namespace="Microsoft.Dynamics.OData.Core.V1" Alias="Dyn" /></edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="Contoso.Data" Alias="c" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Item">
        <Key><PropertyRef Name="ItemId" /></Key>
        <Property Name="ItemId" Type="Edm.String" MaxLength="20" />
        <Property Name="Name" Type="Edm.String" MaxLength="60"><Annotation Term="Dyn.IsRequired" /></Property>
        <Property Name="Stamp" Type="Edm.Int64" />
        <Property Name="Kind" Type="c.ItemKind" />
      </EntityType>
      <EnumType Name="ItemKind"><Member Name="Goods" /><Member Name="Service" /></EnumType>
      <Annotations Target="c.Item/Stamp">
        <Annotation Term="Microsoft.Dynamics.OData.Core.V1.AllowEdit" Bool="false" />
        <Annotation Term="Microsoft.Dynamics.OData.Core.V1.AllowEditOnCreate"><Bool>false</Bool></Annotation>
      </Annotations>
      <EntityContainer Name="Resources"><EntitySet Name="Items" EntityType="c.Item" /></EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;
        let import = import_str(xml, App::FinanceAndOperations).unwrap();
        let items = &import.document.entities[0];
        let field = |name: &str| items.fields.iter().find(|f| f.name == name).unwrap();
        assert!(field("Name").required);
        assert!(field("Stamp").read_only);
        let kinds: Vec<_> = field("Kind").values.clone().unwrap().into_iter().collect();
        assert_eq!(kinds, [("Goods".to_string(), 0), ("Service".to_string(), 1)]);
        assert!(import.skipped.is_empty(), "{:?}", import.skipped);
    }

    #[test]
    fn metadata_csdl_line_window_forgets_old_lines() {
        let text = "\n".repeat(REMEMBERED_LINES + 10);
        let mut lines = Lines::new(text.as_bytes());
        let n = lines.fill_buf().unwrap().len();
        lines.consume(n);
        assert_eq!(lines.locate(text.len() as u64), Some((REMEMBERED_LINES as u64 + 11, 1)));
        assert_eq!(lines.locate(0), None);
    }
}
