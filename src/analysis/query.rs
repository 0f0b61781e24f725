//! Questions about one place of a workspace, for the editor features: which
//! map holds an offset, what its sides resolve to, and what the name under
//! the cursor is (a field through its lookups, an entity). Resolution is
//! the rules' own; its findings are dropped here.

use super::model::{FieldSideDecl, MapDecl, Side};
pub use super::names::ProjectRef;
use super::names::{self, Names};
pub use super::resolve::ResolvedSide;
use super::rules::resolve_side;
use super::{FileId, Workspace};
use crate::schema::{CachedEntity, CachedField, CachedSchema};
use crate::text::TextRange;

/// The resolved names of a workspace, computed once per question.
pub struct Index<'w> {
    ws: &'w Workspace,
    names: Names<'w>,
}

/// A map with its resolved sides.
pub struct MapScope<'w> {
    pub project: ProjectRef<'w>,
    pub map: &'w MapDecl,
    pub left: Option<ResolvedSide<'w>>,
    pub right: Option<ResolvedSide<'w>>,
}

impl<'w> MapScope<'w> {
    pub fn side(&self, side: Side) -> Option<&ResolvedSide<'w>> {
        match side {
            Side::Left => self.left.as_ref(),
            Side::Right => self.right.as_ref(),
        }
    }
}

/// What a name in the text stands for.
pub enum Symbol<'w> {
    Entity { schema: &'w CachedSchema, entity: &'w CachedEntity, range: TextRange },
    Field { schema: &'w CachedSchema, entity: &'w CachedEntity, field: &'w CachedField, range: TextRange, key: bool },
}

impl<'w> Index<'w> {
    pub fn new(ws: &'w Workspace) -> Index<'w> {
        Index { ws, names: names::resolve(ws, &mut Vec::new()) }
    }

    /// The map whose text holds `offset`.
    pub fn map_at(&self, file: FileId, offset: usize) -> Option<MapScope<'w>> {
        let project = self
            .names
            .projects
            .iter()
            .find(|p| p.file == file && p.decl.maps.iter().any(|m| contains(&m.range, offset)))?;
        let map = project.decl.maps.iter().find(|m| contains(&m.range, offset))?;
        Some(self.scope(*project, map))
    }

    /// Every map of the workspace with its sides.
    pub fn maps(&self) -> impl Iterator<Item = MapScope<'w>> + '_ {
        self.names.projects.iter().flat_map(move |p| p.decl.maps.iter().map(move |m| self.scope(*p, m)))
    }

    fn scope(&self, project: ProjectRef<'w>, map: &'w MapDecl) -> MapScope<'w> {
        let set = project.decl.connection_set.as_ref().and_then(|n| self.names.sets.get(n.text.as_str()));
        let side = |side| set.and_then(|set| resolve_side(project.file, set, map, side, &mut Vec::new()));
        MapScope { project, map, left: side(Side::Left), right: side(Side::Right) }
    }

    /// The schema a map side's alias reaches, even when its entity is not
    /// in it (for completing entity names).
    pub fn side_schema(&self, scope: &MapScope<'w>, side: Side) -> Option<&'w CachedSchema> {
        let set = scope.project.decl.connection_set.as_ref().and_then(|n| self.names.sets.get(n.text.as_str()))?;
        let alias = &scope.map.side(side)?.alias.text;
        set.connections.get(alias.as_str())?.schema
    }

    /// The name at `offset`, resolved.
    pub fn symbol_at(&self, file: FileId, offset: usize) -> Option<Symbol<'w>> {
        let scope = self.map_at(file, offset)?;
        for side in [Side::Left, Side::Right] {
            let Some(decl) = scope.map.side(side) else { continue };
            if contains_inclusive(&decl.entity.range, offset) {
                let resolved = scope.side(side)?;
                return Some(Symbol::Entity {
                    schema: resolved.schema,
                    entity: resolved.entity,
                    range: decl.entity.range.clone(),
                });
            }
        }
        let paths = scope
            .map
            .lines
            .iter()
            .flat_map(|l| [(Side::Left, &l.left), (Side::Right, &l.right)])
            .filter_map(|(side, s)| match s {
                FieldSideDecl::Path(p) => Some((side, p)),
                FieldSideDecl::None(_) => None,
            })
            .chain(scope.map.keys.iter().flat_map(|k| k.paths.iter().map(|p| (Side::Right, p))));
        for (side, path) in paths {
            let Some(segment) = path.segments.iter().position(|s| contains_inclusive(&s.range, offset)) else {
                continue;
            };
            let resolved = scope.side(side)?;
            let app = resolved.app();
            let (entity, field) = resolved.walk(path.segments[..=segment].iter().map(|s| s.text.as_str()))?;
            let key = entity
                .keys
                .first()
                .is_some_and(|k| k.fields.iter().any(|f| app.name_key(f) == app.name_key(&field.name)));
            return Some(Symbol::Field {
                schema: resolved.schema,
                entity,
                field,
                range: path.segments[segment].range.clone(),
                key,
            });
        }
        None
    }

    /// The schema an alias reaches in a project's connection set, whether or
    /// not a map side names it yet (for completing entity names in a header
    /// that is still being typed).
    pub fn alias_schema(&self, project: ProjectRef<'w>, alias: &str) -> Option<&'w CachedSchema> {
        let set = project.decl.connection_set.as_ref().and_then(|n| self.names.sets.get(n.text.as_str()))?;
        set.connections.get(alias)?.schema
    }

    /// The project of `file` whose header comes last before `offset`: the
    /// one a line being typed belongs to when it is not a map yet.
    pub fn project_before(&self, file: FileId, offset: usize) -> Option<ProjectRef<'w>> {
        self.names
            .projects
            .iter()
            .filter(|p| p.file == file && p.decl.header.start <= offset)
            .max_by_key(|p| p.decl.header.start)
            .copied()
    }

    /// The aliases a map's project may use.
    pub fn aliases_of(&self, scope: &MapScope<'w>) -> Vec<String> {
        let set = scope.project.decl.connection_set.as_ref().and_then(|n| self.names.sets.get(n.text.as_str()));
        set.map(|s| s.aliases().map(String::from).collect()).unwrap_or_default()
    }

    /// Every alias of every connection set.
    pub fn all_aliases(&self) -> Vec<String> {
        let mut out: Vec<String> = self.names.sets.values().flat_map(|s| s.aliases().map(String::from)).collect();
        out.sort();
        out.dedup();
        out
    }

    pub fn connection_set_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.names.sets.keys().map(|k| k.to_string()).collect();
        out.sort();
        out
    }

    pub fn workspace(&self) -> &'w Workspace {
        self.ws
    }
}

fn contains(range: &TextRange, offset: usize) -> bool {
    range.start <= offset && offset < range.end
}

/// A cursor just after a name is still on it.
fn contains_inclusive(range: &TextRange, offset: usize) -> bool {
    range.start <= offset && offset <= range.end
}
