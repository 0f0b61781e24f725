//! Typed views over the concrete tree. Every accessor returns an `Option`
//! (or an iterator): in half-typed text any part may be missing, and later
//! layers decide what a missing part means.

use crate::text::TextRange;

/// A node of the tree together with the text it was parsed from.
#[derive(Clone, Copy)]
pub struct SyntaxNode<'a> {
    node: tree_sitter::Node<'a>,
    text: &'a str,
}

impl<'a> SyntaxNode<'a> {
    pub fn kind(&self) -> &'a str {
        self.node.kind()
    }

    pub fn range(&self) -> TextRange {
        self.node.byte_range()
    }

    pub fn text(&self) -> &'a str {
        self.text.get(self.node.byte_range()).unwrap_or("")
    }

    /// True when the node or something inside it is an error.
    pub fn has_error(&self) -> bool {
        self.node.has_error()
    }

    fn field(&self, name: &str) -> Option<SyntaxNode<'a>> {
        self.node.child_by_field_name(name).map(|node| self.wrap(node))
    }

    fn fields(&self, name: &'static str) -> impl Iterator<Item = SyntaxNode<'a>> + 'a {
        let this = *self;
        let mut cursor = this.node.walk();
        let nodes: Vec<_> = this.node.children_by_field_name(name, &mut cursor).collect();
        nodes.into_iter().map(move |node| this.wrap(node))
    }

    fn named_children(&self) -> impl Iterator<Item = SyntaxNode<'a>> + 'a {
        let this = *self;
        let mut cursor = this.node.walk();
        let nodes: Vec<_> = this.node.named_children(&mut cursor).collect();
        nodes.into_iter().map(move |node| this.wrap(node))
    }

    fn wrap(&self, node: tree_sitter::Node<'a>) -> SyntaxNode<'a> {
        SyntaxNode { node, text: self.text }
    }
}

impl std::fmt::Debug for SyntaxNode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{:?}", self.kind(), self.range())
    }
}

/// Declares a typed wrapper for one node kind.
macro_rules! ast_node {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a>(SyntaxNode<'a>);

        impl<'a> $name<'a> {
            pub const KIND: &'static str = $kind;

            pub fn cast(node: SyntaxNode<'a>) -> Option<Self> {
                (node.kind() == $kind && !node.node.is_missing()).then_some($name(node))
            }

            pub fn syntax(&self) -> SyntaxNode<'a> {
                self.0
            }

            pub fn range(&self) -> TextRange {
                self.0.range()
            }

            pub fn text(&self) -> &'a str {
                self.0.text()
            }
        }
    };
}

ast_node!(/// A whole `.dimap` file.
    SourceFile, "source_file");
ast_node!(/// `connection_set NAME { ... }`.
    ConnectionSet, "connection_set");
ast_node!(/// `APP ALIAS "ENVIRONMENT"` inside a connection set.
    Connection, "connection");
ast_node!(/// `organization ALIAS "NAME" = ALIAS "NAME"`.
    Organization, "organization");
ast_node!(/// One side of an organization line.
    OrganizationRef, "organization_ref");
ast_node!(/// `project NAME KIND CONNECTION_SET { maps }`.
    Project, "project");
ast_node!(/// `map NAME LEFT DIRECTION RIGHT { body }`.
    Map, "map");
ast_node!(/// `ALIAS.ENTITY` in a map header.
    EntityRef, "entity_ref");
ast_node!(/// `filter ALIAS STRING`.
    Filter, "filter");
ast_node!(/// `key PATH, PATH, ...`.
    Key, "key");
ast_node!(/// `LEFT DIRECTION RIGHT [TRANSFORM ...]`.
    FieldMapping, "field_mapping");
ast_node!(/// A dotted path of field names.
    Path, "path");
ast_node!(/// `default VALUE`.
    Default, "default");
ast_node!(/// `value_map { LEFT = RIGHT, ... }`.
    ValueMap, "value_map");
ast_node!(/// `LEFT = RIGHT` inside a value map.
    ValueMapEntry, "value_map_entry");
ast_node!(/// A name.
    Ident, "identifier");
ast_node!(/// A quoted string literal.
    StringLit, "string");
ast_node!(/// A direction symbol.
    Direction, "direction");

impl<'a> SourceFile<'a> {
    pub(crate) fn new(node: tree_sitter::Node<'a>, text: &'a str) -> SourceFile<'a> {
        SourceFile(SyntaxNode { node, text })
    }

    pub fn items(&self) -> impl Iterator<Item = Item<'a>> + 'a {
        self.0.named_children().filter_map(Item::cast)
    }
}

/// A top-level item.
#[derive(Clone, Copy, Debug)]
pub enum Item<'a> {
    ConnectionSet(ConnectionSet<'a>),
    Project(Project<'a>),
}

impl<'a> Item<'a> {
    fn cast(node: SyntaxNode<'a>) -> Option<Item<'a>> {
        ConnectionSet::cast(node).map(Item::ConnectionSet).or_else(|| Project::cast(node).map(Item::Project))
    }
}

impl<'a> ConnectionSet<'a> {
    pub fn name(&self) -> Option<Ident<'a>> {
        self.0.field("name").and_then(Ident::cast)
    }

    fn body(&self) -> impl Iterator<Item = SyntaxNode<'a>> + 'a {
        self.0.field("body").into_iter().flat_map(|body| body.named_children())
    }

    pub fn connections(&self) -> impl Iterator<Item = Connection<'a>> + 'a {
        self.body().filter_map(Connection::cast)
    }

    pub fn organizations(&self) -> impl Iterator<Item = Organization<'a>> + 'a {
        self.body().filter_map(Organization::cast)
    }
}

impl<'a> Connection<'a> {
    /// The app keyword, e.g. `dataverse`.
    pub fn app(&self) -> Option<SyntaxNode<'a>> {
        self.0.field("app").filter(|n| !n.node.is_missing())
    }

    pub fn alias(&self) -> Option<Ident<'a>> {
        self.0.field("alias").and_then(Ident::cast)
    }

    pub fn environment(&self) -> Option<StringLit<'a>> {
        self.0.field("environment").and_then(StringLit::cast)
    }
}

impl<'a> Organization<'a> {
    pub fn left(&self) -> Option<OrganizationRef<'a>> {
        self.0.field("left").and_then(OrganizationRef::cast)
    }

    pub fn right(&self) -> Option<OrganizationRef<'a>> {
        self.0.field("right").and_then(OrganizationRef::cast)
    }
}

impl<'a> OrganizationRef<'a> {
    pub fn alias(&self) -> Option<Ident<'a>> {
        self.0.field("alias").and_then(Ident::cast)
    }

    pub fn name(&self) -> Option<StringLit<'a>> {
        self.0.field("name").and_then(StringLit::cast)
    }
}

/// A name written as an identifier or a string (project names).
#[derive(Clone, Copy, Debug)]
pub enum Name<'a> {
    Ident(Ident<'a>),
    String(StringLit<'a>),
}

impl<'a> Name<'a> {
    pub fn value(&self) -> String {
        match self {
            Name::Ident(ident) => ident.text().to_string(),
            Name::String(string) => string.value(),
        }
    }

    pub fn range(&self) -> TextRange {
        match self {
            Name::Ident(ident) => ident.range(),
            Name::String(string) => string.range(),
        }
    }
}

impl<'a> Project<'a> {
    pub fn name(&self) -> Option<Name<'a>> {
        let node = self.0.field("name")?;
        Ident::cast(node).map(Name::Ident).or_else(|| StringLit::cast(node).map(Name::String))
    }

    /// `dual_write` or `data_integrator`.
    pub fn kind(&self) -> Option<SyntaxNode<'a>> {
        self.0.field("kind").filter(|n| !n.node.is_missing())
    }

    pub fn connection_set(&self) -> Option<Ident<'a>> {
        self.0.field("connection_set").and_then(Ident::cast)
    }

    pub fn maps(&self) -> impl Iterator<Item = Map<'a>> + 'a {
        self.0.field("body").into_iter().flat_map(|body| body.named_children()).filter_map(Map::cast)
    }

    /// The header, from `project` to just before `{`.
    pub fn header_range(&self) -> TextRange {
        header_range(self.0)
    }
}

fn header_range(node: SyntaxNode<'_>) -> TextRange {
    let start = node.range().start;
    let end = node.field("body").map_or(node.range().end, |body| body.range().start);
    let header = node.text.get(start..end).unwrap_or("");
    start..start + header.trim_end().len()
}

impl<'a> Map<'a> {
    pub fn name(&self) -> Option<Ident<'a>> {
        self.0.field("name").and_then(Ident::cast)
    }

    pub fn left(&self) -> Option<EntityRef<'a>> {
        self.0.field("left").and_then(EntityRef::cast)
    }

    pub fn direction(&self) -> Option<Direction<'a>> {
        self.0.field("direction").and_then(Direction::cast)
    }

    pub fn right(&self) -> Option<EntityRef<'a>> {
        self.0.field("right").and_then(EntityRef::cast)
    }

    /// The header, from `map` to just before `{`.
    pub fn header_range(&self) -> TextRange {
        header_range(self.0)
    }

    pub fn statements(&self) -> impl Iterator<Item = Statement<'a>> + 'a {
        self.0.field("body").into_iter().flat_map(|body| body.named_children()).filter_map(Statement::cast)
    }
}

impl<'a> EntityRef<'a> {
    pub fn alias(&self) -> Option<Ident<'a>> {
        self.0.field("alias").and_then(Ident::cast)
    }

    pub fn entity(&self) -> Option<Ident<'a>> {
        self.0.field("entity").and_then(Ident::cast)
    }
}

/// A statement of a map body.
#[derive(Clone, Copy, Debug)]
pub enum Statement<'a> {
    Filter(Filter<'a>),
    Key(Key<'a>),
    FieldMapping(FieldMapping<'a>),
}

impl<'a> Statement<'a> {
    fn cast(node: SyntaxNode<'a>) -> Option<Statement<'a>> {
        Filter::cast(node)
            .map(Statement::Filter)
            .or_else(|| Key::cast(node).map(Statement::Key))
            .or_else(|| FieldMapping::cast(node).map(Statement::FieldMapping))
    }
}

impl<'a> Filter<'a> {
    pub fn alias(&self) -> Option<Ident<'a>> {
        self.0.field("alias").and_then(Ident::cast)
    }

    pub fn expression(&self) -> Option<StringLit<'a>> {
        self.0.field("expression").and_then(StringLit::cast)
    }
}

impl<'a> Key<'a> {
    pub fn fields(&self) -> impl Iterator<Item = Path<'a>> + 'a {
        self.0.fields("field").filter_map(Path::cast)
    }
}

/// One side of a field mapping: a path or `none`.
#[derive(Clone, Copy, Debug)]
pub enum FieldRef<'a> {
    Path(Path<'a>),
    None(SyntaxNode<'a>),
}

impl<'a> FieldRef<'a> {
    fn cast(node: SyntaxNode<'a>) -> Option<FieldRef<'a>> {
        if node.node.is_missing() {
            return None;
        }
        match node.kind() {
            "none" => Some(FieldRef::None(node)),
            _ => Path::cast(node).map(FieldRef::Path),
        }
    }

    pub fn range(&self) -> TextRange {
        match self {
            FieldRef::Path(path) => path.range(),
            FieldRef::None(node) => node.range(),
        }
    }
}

impl<'a> FieldMapping<'a> {
    pub fn left(&self) -> Option<FieldRef<'a>> {
        self.0.field("left").and_then(FieldRef::cast)
    }

    pub fn direction(&self) -> Option<Direction<'a>> {
        self.0.field("direction").and_then(Direction::cast)
    }

    pub fn right(&self) -> Option<FieldRef<'a>> {
        self.0.field("right").and_then(FieldRef::cast)
    }

    pub fn defaults(&self) -> impl Iterator<Item = Default<'a>> + 'a {
        self.0.fields("transform").filter_map(Default::cast)
    }

    pub fn value_maps(&self) -> impl Iterator<Item = ValueMap<'a>> + 'a {
        self.0.fields("transform").filter_map(ValueMap::cast)
    }
}

impl<'a> Path<'a> {
    pub fn segments(&self) -> impl Iterator<Item = Ident<'a>> + 'a {
        self.0.fields("segment").filter_map(Ident::cast)
    }
}

impl<'a> Default<'a> {
    pub fn value(&self) -> Option<Value<'a>> {
        self.0.field("value").and_then(Value::cast)
    }
}

impl<'a> ValueMap<'a> {
    pub fn entries(&self) -> impl Iterator<Item = ValueMapEntry<'a>> + 'a {
        self.0.named_children().filter_map(ValueMapEntry::cast)
    }
}

impl<'a> ValueMapEntry<'a> {
    pub fn left(&self) -> Option<Value<'a>> {
        self.0.field("left").and_then(Value::cast)
    }

    pub fn right(&self) -> Option<Value<'a>> {
        self.0.field("right").and_then(Value::cast)
    }
}

/// A literal value of a transform.
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    Ident(Ident<'a>),
    Number(SyntaxNode<'a>),
    String(StringLit<'a>),
    Bool(SyntaxNode<'a>, bool),
    Null(SyntaxNode<'a>),
}

impl<'a> Value<'a> {
    fn cast(node: SyntaxNode<'a>) -> Option<Value<'a>> {
        if node.node.is_missing() {
            return None;
        }
        Some(match node.kind() {
            "identifier" => Value::Ident(Ident(node)),
            "number" => Value::Number(node),
            "string" => Value::String(StringLit(node)),
            "true" => Value::Bool(node, true),
            "false" => Value::Bool(node, false),
            "null" => Value::Null(node),
            _ => return None,
        })
    }

    pub fn range(&self) -> TextRange {
        match self {
            Value::Ident(ident) => ident.range(),
            Value::String(string) => string.range(),
            Value::Number(node) | Value::Bool(node, _) | Value::Null(node) => node.range(),
        }
    }

    pub fn text(&self) -> &'a str {
        match self {
            Value::Ident(ident) => ident.text(),
            Value::String(string) => string.text(),
            Value::Number(node) | Value::Bool(node, _) | Value::Null(node) => node.text(),
        }
    }
}

impl<'a> StringLit<'a> {
    /// The decoded value.
    pub fn value(&self) -> String {
        self.decoded().value
    }

    /// The decoded value with its mapping back into the document.
    pub fn decoded(&self) -> super::DecodedString {
        super::decode_string(self.text(), self.range().start)
    }
}

impl<'a> Direction<'a> {
    /// The symbol as written.
    pub fn symbol(&self) -> &'a str {
        self.text()
    }
}
