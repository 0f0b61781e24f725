//! The workspace model: each file's items lowered from the syntax tree into
//! plain data (names, ranges, paths, values) that the rules read. Lowering
//! keeps whatever parsed; a part that did not parse is `None` or marks its
//! line as broken, so rules never look at half a construct.

use std::sync::Arc;

use crate::schema::App;
use crate::syntax::{ast, Changed, DecodedString, Parse};
use crate::text::TextRange;

/// A name as written, with where.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    pub text: String,
    pub range: TextRange,
}

impl Name {
    fn ident(ident: ast::Ident<'_>) -> Name {
        Name { text: ident.text().to_string(), range: ident.range() }
    }

    fn string(string: ast::StringLit<'_>) -> Name {
        Name { text: string.value(), range: string.range() }
    }
}

/// The kind of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProjectKind {
    DualWrite,
    DataIntegrator,
}

/// A direction symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `=` or `><`: both ways.
    Both,
    /// `>` or `>>`: left to right.
    LeftToRight,
    /// `<` or `<<`: right to left.
    RightToLeft,
}

/// One way data moves along a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flow {
    LeftToRight,
    RightToLeft,
}

impl Flow {
    /// The side the data comes from.
    pub fn source(self) -> Side {
        match self {
            Flow::LeftToRight => Side::Left,
            Flow::RightToLeft => Side::Right,
        }
    }

    pub fn destination(self) -> Side {
        self.source().other()
    }
}

/// A side of a map or a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

impl Direction {
    pub fn from_symbol(symbol: &str) -> Option<Direction> {
        Some(match symbol {
            "=" | "><" => Direction::Both,
            ">" | ">>" => Direction::LeftToRight,
            "<" | "<<" => Direction::RightToLeft,
            _ => return None,
        })
    }

    pub fn flows(self) -> &'static [Flow] {
        match self {
            Direction::Both => &[Flow::LeftToRight, Flow::RightToLeft],
            Direction::LeftToRight => &[Flow::LeftToRight],
            Direction::RightToLeft => &[Flow::RightToLeft],
        }
    }

    pub fn is_both(self) -> bool {
        self == Direction::Both
    }

    /// The symbol to write, in its transform form when the line has one.
    pub fn symbol(self, with_transform: bool) -> &'static str {
        match (self, with_transform) {
            (Direction::Both, false) => "=",
            (Direction::Both, true) => "><",
            (Direction::LeftToRight, false) => ">",
            (Direction::LeftToRight, true) => ">>",
            (Direction::RightToLeft, false) => "<",
            (Direction::RightToLeft, true) => "<<",
        }
    }
}

/// A direction as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectionDecl {
    pub direction: Direction,
    pub range: TextRange,
}

/// `connection_set NAME { ... }`.
#[derive(Debug, Clone)]
pub struct ConnectionSetDecl {
    pub name: Name,
    pub connections: Vec<ConnectionDecl>,
    pub organizations: Vec<OrganizationDecl>,
}

/// `APP ALIAS "ENVIRONMENT"`.
#[derive(Debug, Clone)]
pub struct ConnectionDecl {
    pub range: TextRange,
    pub app: App,
    pub alias: Name,
    pub environment: Option<Name>,
}

/// `organization ALIAS "NAME" = ALIAS "NAME"`.
#[derive(Debug, Clone)]
pub struct OrganizationDecl {
    pub range: TextRange,
    pub sides: Vec<OrganizationRef>,
}

#[derive(Debug, Clone)]
pub struct OrganizationRef {
    pub alias: Name,
    pub name: Name,
}

/// `project NAME KIND CONNECTION_SET { maps }`.
#[derive(Debug, Clone)]
pub struct ProjectDecl {
    pub name: Name,
    pub header: TextRange,
    pub kind: Option<ProjectKind>,
    pub connection_set: Option<Name>,
    /// Shared, so that a map an edit did not touch is reused as it was.
    pub maps: Vec<Arc<MapDecl>>,
}

/// `ALIAS.ENTITY`.
#[derive(Debug, Clone)]
pub struct EntityRefDecl {
    pub alias: Name,
    pub entity: Name,
}

/// `map NAME LEFT DIRECTION RIGHT { ... }`.
#[derive(Debug, Clone)]
pub struct MapDecl {
    /// The whole map, header to closing brace.
    pub range: TextRange,
    pub name: Name,
    pub header: TextRange,
    pub left: Option<EntityRefDecl>,
    pub direction: Option<DirectionDecl>,
    pub right: Option<EntityRefDecl>,
    pub filters: Vec<FilterDecl>,
    pub keys: Vec<KeyDecl>,
    pub lines: Vec<LineDecl>,
    /// Where a new statement line is inserted: the start of the line that
    /// holds the closing `}`.
    pub insert_at: usize,
    /// The indentation of the map's statements.
    pub indent: String,
    /// The map's text parsed without an error, so a map of the same text
    /// elsewhere lowers to the same declaration, moved.
    pub clean: bool,
    /// Where the line of the map's header starts: the map's text, as far
    /// as its findings and its reuse are concerned, runs from here.
    pub line_start: usize,
    /// A hash of the map's text from the start of its first line, made
    /// once when it is lowered: the editor's check keys findings by it.
    pub text_hash: u64,
}

impl MapDecl {
    pub fn side(&self, side: Side) -> Option<&EntityRefDecl> {
        match side {
            Side::Left => self.left.as_ref(),
            Side::Right => self.right.as_ref(),
        }
    }
}

/// `filter ALIAS STRING`.
#[derive(Debug, Clone)]
pub struct FilterDecl {
    pub range: TextRange,
    pub alias: Name,
    pub expression: Option<DecodedString>,
    pub expression_range: TextRange,
}

/// `key PATH, ...`.
#[derive(Debug, Clone)]
pub struct KeyDecl {
    pub range: TextRange,
    pub paths: Vec<PathDecl>,
}

/// A dotted path of field names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathDecl {
    pub segments: Vec<Name>,
    pub range: TextRange,
}

impl PathDecl {
    pub fn text(&self) -> String {
        self.segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(".")
    }
}

/// One side of a field mapping.
#[derive(Debug, Clone)]
pub enum FieldSideDecl {
    None(TextRange),
    Path(PathDecl),
}

impl FieldSideDecl {
    pub fn range(&self) -> TextRange {
        match self {
            FieldSideDecl::None(range) => range.clone(),
            FieldSideDecl::Path(path) => path.range.clone(),
        }
    }

    pub fn path(&self) -> Option<&PathDecl> {
        match self {
            FieldSideDecl::None(_) => None,
            FieldSideDecl::Path(path) => Some(path),
        }
    }

    pub fn text(&self) -> String {
        match self {
            FieldSideDecl::None(_) => "none".to_string(),
            FieldSideDecl::Path(path) => path.text(),
        }
    }
}

/// A literal of a transform.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    Ident(String),
    Number(String),
    String(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValueDecl {
    pub kind: ValueKind,
    pub range: TextRange,
}

impl ValueDecl {
    /// The value as a reader would name it in a message.
    pub fn display(&self) -> String {
        match &self.kind {
            ValueKind::Ident(s) | ValueKind::Number(s) => s.clone(),
            ValueKind::String(s) => format!("\"{s}\""),
            ValueKind::Bool(b) => b.to_string(),
            ValueKind::Null => "null".to_string(),
        }
    }
}

/// `LEFT = RIGHT` of a value map.
#[derive(Debug, Clone)]
pub struct ValueMapEntry {
    pub left: ValueDecl,
    pub right: ValueDecl,
}

/// A field mapping line.
#[derive(Debug, Clone)]
pub struct LineDecl {
    /// The whole statement, transforms included.
    pub range: TextRange,
    pub left: FieldSideDecl,
    pub direction: DirectionDecl,
    pub right: FieldSideDecl,
    pub default: Option<ValueDecl>,
    pub value_map: Option<Vec<ValueMapEntry>>,
    /// Where the line's text ends before any transform: where a new
    /// transform is inserted.
    pub transforms_at: usize,
}

impl LineDecl {
    pub fn side(&self, side: Side) -> &FieldSideDecl {
        match side {
            Side::Left => &self.left,
            Side::Right => &self.right,
        }
    }

    /// The line as a reader knows it: `LEFT DIR RIGHT`.
    pub fn summary(&self) -> String {
        format!(
            "{} {} {}",
            self.left.text(),
            self.direction.direction.symbol(self.default.is_some() || self.value_map.is_some()),
            self.right.text()
        )
    }
}

/// Everything one file declares.
#[derive(Debug, Clone, Default)]
pub struct FileModel {
    pub connection_sets: Vec<ConnectionSetDecl>,
    pub projects: Vec<ProjectDecl>,
}

/// Lowers a parsed file.
pub fn lower(parse: &Parse) -> FileModel {
    lower_reusing(parse, None)
}

/// Lowers a parse, reusing the maps of `old` (the model of the text before
/// the edits that `changed` describes) whose text the edits did not touch.
/// After a keystroke in a large file this lowers one map instead of all of
/// them: the maps before the edit are kept as they were, and those after it
/// are moved, in place when nothing else holds them (else copied), so a
/// keystroke allocates nothing for the maps it did not touch.
pub fn lower_reusing(parse: &Parse, old: Option<(FileModel, &Changed)>) -> FileModel {
    let mut reuse = old.map(|(model, changed)| Reuse::new(model, changed));
    let mut model = FileModel::default();
    let text = parse.text();
    for item in parse.root().items() {
        match item {
            ast::Item::ConnectionSet(set) => {
                if let Some(set) = lower_connection_set(set) {
                    model.connection_sets.push(set);
                }
            }
            ast::Item::Project(project) => {
                if let Some(project) = lower_project(project, text, reuse.as_mut()) {
                    model.projects.push(project);
                }
            }
        }
    }
    model
}

fn lower_connection_set(set: ast::ConnectionSet<'_>) -> Option<ConnectionSetDecl> {
    let name = Name::ident(set.name()?);
    let connections = set
        .connections()
        .filter(|c| !c.syntax().has_error())
        .filter_map(|c| {
            Some(ConnectionDecl {
                range: c.range(),
                app: App::from_keyword(c.app()?.text())?,
                alias: Name::ident(c.alias()?),
                environment: c.environment().map(Name::string),
            })
        })
        .collect();
    let organizations = set
        .organizations()
        .filter(|o| !o.syntax().has_error())
        .map(|o| OrganizationDecl {
            range: o.range(),
            sides: [o.left(), o.right()]
                .into_iter()
                .flatten()
                .filter_map(|r| Some(OrganizationRef { alias: Name::ident(r.alias()?), name: Name::string(r.name()?) }))
                .collect(),
        })
        .collect();
    Some(ConnectionSetDecl { name, connections, organizations })
}

/// The maps of an earlier model, for [`lower_reusing`].
struct Reuse<'a> {
    changed: &'a Changed,
    /// Each clean old map, ordered by where it starts; a map is taken out
    /// when it is reused.
    maps: Vec<Option<Arc<MapDecl>>>,
    starts: Vec<usize>,
}

impl<'a> Reuse<'a> {
    fn new(model: FileModel, changed: &'a Changed) -> Reuse<'a> {
        let mut maps: Vec<Arc<MapDecl>> = model.projects.into_iter().flat_map(|p| p.maps).filter(|m| m.clean).collect();
        maps.sort_by_key(|m| m.line_start);
        let starts = maps.iter().map(|m| m.line_start).collect();
        Reuse { changed, maps: maps.into_iter().map(Some).collect(), starts }
    }

    /// The old map that spanned `new` (from the start of its first line to
    /// its end) before the edits, when the edits left that text alone, with
    /// how far it must move to get there: the caller moves every reused map
    /// at once.
    fn find(&mut self, new: TextRange) -> Option<(Arc<MapDecl>, isize)> {
        let old = self.changed.old_range(&new)?;
        let at = self.starts.binary_search(&old.start).ok()?;
        if self.maps[at].as_ref()?.range.end != old.end {
            return None;
        }
        Some((self.maps[at].take()?, new.start as isize - old.start as isize))
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

fn lower_project(project: ast::Project<'_>, text: &str, mut reuse: Option<&mut Reuse<'_>>) -> Option<ProjectDecl> {
    let name = project.name()?;
    let kind = project.kind().and_then(|k| match k.text() {
        "dual_write" => Some(ProjectKind::DualWrite),
        "data_integrator" => Some(ProjectKind::DataIntegrator),
        _ => None,
    });
    Some(ProjectDecl {
        name: Name { text: name.value(), range: name.range() },
        header: project.header_range(),
        kind,
        connection_set: project.connection_set().map(Name::ident),
        maps: move_maps(
            project
                .maps()
                .filter_map(|m| {
                    if let Some(reuse) = reuse.as_deref_mut().filter(|_| !m.syntax().has_error()) {
                        let range = m.range();
                        if let Some(found) = reuse.find(line_start(text, range.start)..range.end) {
                            return Some(found);
                        }
                    }
                    lower_map(m, text).map(|map| (Arc::new(map), 0))
                })
                .collect(),
        ),
    })
}

/// Moves each reused map by its distance (in place when nothing else holds
/// it). After a keystroke near the top of a long file that is every map
/// below it, so the work is shared out among the threads when there is
/// enough of it.
fn move_maps(mut maps: Vec<(Arc<MapDecl>, isize)>) -> Vec<Arc<MapDecl>> {
    use rayon::prelude::*;
    let moved = |(map, delta): &mut (Arc<MapDecl>, isize)| {
        if *delta != 0 {
            Arc::make_mut(map).shift(*delta);
        }
    };
    if maps.iter().filter(|(_, delta)| *delta != 0).count() > 32 {
        maps.par_iter_mut().with_min_len(8).for_each(moved);
    } else {
        maps.iter_mut().for_each(moved);
    }
    maps.into_iter().map(|(map, _)| map).collect()
}

fn lower_map(map: ast::Map<'_>, text: &str) -> Option<MapDecl> {
    let name = Name::ident(map.name()?);
    let entity_ref = |r: Option<ast::EntityRef<'_>>| {
        let r = r?;
        Some(EntityRefDecl { alias: Name::ident(r.alias()?), entity: Name::ident(r.entity()?) })
    };
    let direction = map
        .direction()
        .and_then(|d| Some(DirectionDecl { direction: Direction::from_symbol(d.symbol())?, range: d.range() }));
    let mut decl = MapDecl {
        range: map.range(),
        name,
        header: map.header_range(),
        left: entity_ref(map.left()),
        direction,
        right: entity_ref(map.right()),
        filters: Vec::new(),
        keys: Vec::new(),
        lines: Vec::new(),
        insert_at: map.range().end,
        indent: String::new(),
        clean: !map.syntax().has_error(),
        line_start: 0,
        text_hash: 0,
    };
    for statement in map.statements() {
        match statement {
            ast::Statement::Filter(filter) => {
                if filter.syntax().has_error() {
                    continue;
                }
                let (Some(alias), Some(expression)) = (filter.alias(), filter.expression()) else { continue };
                decl.filters.push(FilterDecl {
                    range: filter.range(),
                    alias: Name::ident(alias),
                    expression: Some(expression.decoded()),
                    expression_range: expression.range(),
                });
            }
            ast::Statement::Key(key) => {
                if key.syntax().has_error() {
                    continue;
                }
                decl.keys.push(KeyDecl { range: key.range(), paths: key.fields().map(lower_path).collect() });
            }
            ast::Statement::FieldMapping(line) => {
                if let Some(line) = lower_line(line) {
                    decl.lines.push(line);
                }
            }
        }
    }
    let header_line_start = line_start(text, decl.header.start);
    decl.line_start = header_line_start;
    let header_indent: String =
        text[header_line_start..decl.header.start].chars().take_while(|c| c.is_whitespace()).collect();
    decl.indent = format!("{header_indent}  ");
    // New lines go just before the line holding the closing brace.
    let close = map.range().end.saturating_sub(1);
    decl.insert_at = text[..close].rfind('\n').map_or(close, |i| i + 1);
    decl.text_hash = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        text.get(header_line_start..decl.range.end).hash(&mut hasher);
        hasher.finish()
    };
    Some(decl)
}

fn lower_path(path: ast::Path<'_>) -> PathDecl {
    PathDecl { segments: path.segments().map(Name::ident).collect(), range: path.range() }
}

fn lower_side(side: ast::FieldRef<'_>) -> FieldSideDecl {
    match side {
        ast::FieldRef::None(node) => FieldSideDecl::None(node.range()),
        ast::FieldRef::Path(path) => FieldSideDecl::Path(lower_path(path)),
    }
}

fn lower_value(value: ast::Value<'_>) -> ValueDecl {
    let kind = match value {
        ast::Value::Ident(ident) => ValueKind::Ident(ident.text().to_string()),
        ast::Value::Number(node) => ValueKind::Number(node.text().to_string()),
        ast::Value::String(string) => ValueKind::String(string.value()),
        ast::Value::Bool(_, b) => ValueKind::Bool(b),
        ast::Value::Null(_) => ValueKind::Null,
    };
    ValueDecl { kind, range: value.range() }
}

/// A line with any syntax error inside is left out: it was reported as
/// DIMAP0001 and reading half of it would only add wrong findings.
fn lower_line(line: ast::FieldMapping<'_>) -> Option<LineDecl> {
    if line.syntax().has_error() {
        return None;
    }
    let direction = line.direction()?;
    let right = line.right()?;
    let default = line.defaults().next().and_then(|d| d.value()).map(lower_value);
    let value_map = line.value_maps().next().map(|vm| {
        vm.entries()
            .filter_map(|e| Some(ValueMapEntry { left: lower_value(e.left()?), right: lower_value(e.right()?) }))
            .collect()
    });
    Some(LineDecl {
        range: line.range(),
        left: lower_side(line.left()?),
        direction: DirectionDecl { direction: Direction::from_symbol(direction.symbol())?, range: direction.range() },
        transforms_at: right.range().end,
        right: lower_side(right),
        default,
        value_map,
    })
}

/// Moving a declaration whose text moved by `delta` bytes without changing.
trait Shift {
    fn shift(&mut self, delta: isize);
}

impl Shift for TextRange {
    fn shift(&mut self, delta: isize) {
        self.start = self.start.wrapping_add_signed(delta);
        self.end = self.end.wrapping_add_signed(delta);
    }
}

impl Shift for usize {
    fn shift(&mut self, delta: isize) {
        *self = self.wrapping_add_signed(delta);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: isize) {
        if let Some(inner) = self {
            inner.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: isize) {
        for item in self {
            item.shift(delta);
        }
    }
}

impl Shift for DecodedString {
    fn shift(&mut self, delta: isize) {
        DecodedString::shift(self, delta);
    }
}

/// Implements [`Shift`] for a struct by moving each listed field.
macro_rules! shift_fields {
    ($($ty:ty { $($field:ident),* })*) => {$(
        impl Shift for $ty {
            fn shift(&mut self, delta: isize) {
                $(self.$field.shift(delta);)*
            }
        }
    )*};
}

shift_fields! {
    Name { range }
    DirectionDecl { range }
    EntityRefDecl { alias, entity }
    FilterDecl { range, alias, expression, expression_range }
    KeyDecl { range, paths }
    PathDecl { segments, range }
    ValueDecl { range }
    ValueMapEntry { left, right }
    LineDecl { range, left, direction, right, default, value_map, transforms_at }
    MapDecl { range, name, header, left, direction, right, filters, keys, lines, insert_at, line_start }
}

impl Shift for FieldSideDecl {
    fn shift(&mut self, delta: isize) {
        match self {
            FieldSideDecl::None(range) => range.shift(delta),
            FieldSideDecl::Path(path) => path.shift(delta),
        }
    }
}
