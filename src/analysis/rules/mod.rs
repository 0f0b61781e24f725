//! The rules of one map, in the order the spec's no-cascade rules need:
//! aliases and directions, then the two sides (alias, connection, entity),
//! filters, then the lines' paths; only lines whose paths all resolve and
//! whose direction is allowed reach the field, key, lookup and duplicate
//! rules. One file per family of codes.

mod duplicates;
mod fields;
mod filters;
mod keys;
mod lookups;
mod map_level;
pub mod types;
pub mod values;

use super::diagnostic::{Code, Diagnostic, FileId, Fix};
use super::model::{Direction, Flow, LineDecl, MapDecl, ProjectKind, Side};
use super::names::{Names, ProjectRef, SetInfo};
use super::resolve::{resolve_path, ResolvedPath, ResolvedSide};
use super::suggest::{closest, did_you_mean};
use super::Workspace;

/// A field-mapping line whose paths resolved.
#[derive(Debug, Clone)]
pub struct Line<'w> {
    pub decl: &'w LineDecl,
    pub left: Option<ResolvedPath<'w>>,
    pub right: Option<ResolvedPath<'w>>,
}

impl<'w> Line<'w> {
    pub fn path(&self, side: Side) -> Option<&ResolvedPath<'w>> {
        match side {
            Side::Left => self.left.as_ref(),
            Side::Right => self.right.as_ref(),
        }
    }

    pub fn direction(&self) -> Direction {
        self.decl.direction.direction
    }

    pub fn flows(&self) -> &'static [Flow] {
        self.direction().flows()
    }

    pub fn is_both(&self) -> bool {
        self.direction().is_both()
    }

    /// True when some flow of the line writes into `side`.
    pub fn writes(&self, side: Side) -> bool {
        self.flows().iter().any(|f| f.destination() == side)
    }

    pub fn has_transform(&self) -> bool {
        self.decl.default.is_some() || self.decl.value_map.is_some()
    }
}

/// What the rules of one map share.
pub struct MapCtx<'w> {
    pub file: FileId,
    pub source: &'w super::WorkspaceFile,
    pub text: &'w str,
    pub map: &'w MapDecl,
    pub set: &'w SetInfo<'w>,
    pub left: ResolvedSide<'w>,
    pub right: ResolvedSide<'w>,
    pub lines: Vec<Line<'w>>,
    pub out: Vec<Diagnostic>,
}

impl<'w> MapCtx<'w> {
    pub fn side(&self, side: Side) -> &ResolvedSide<'w> {
        match side {
            Side::Left => &self.left,
            Side::Right => &self.right,
        }
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic);
    }

    pub fn diag(&self, code: Code, range: std::ops::Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, self.file, range, message)
    }

    /// The one-based line number of an offset, for messages.
    pub fn line_number(&self, offset: usize) -> usize {
        self.source.line_number(offset)
    }

    /// "line 9 (CUSTOMERACCOUNT = accountnumber)".
    pub fn describe_line(&self, line: &LineDecl) -> String {
        format!("line {} ({})", self.line_number(line.range.start), line.summary())
    }

    /// A fix that inserts whole lines before the map's closing brace.
    pub fn insert_lines_fix(&self, title: impl Into<String>, lines: &[String]) -> Fix {
        let text: String = lines.iter().map(|l| format!("{}{l}\n", self.map.indent)).collect();
        Fix::replace(title, self.file, self.map.insert_at..self.map.insert_at, text)
    }

    /// A fix that appends a transform to a line (after its last transform,
    /// or after its right side) and writes the transform form of its
    /// direction symbol, as the product's map editor shows it.
    pub fn add_transform_fix(&self, line: &Line<'_>, title: impl Into<String>, transform: String) -> Fix {
        let decl = line.decl;
        let mut fix = Fix::replace(title, self.file, decl.range.end..decl.range.end, transform);
        let symbol = line.direction().symbol(true);
        if self.text.get(decl.direction.range.clone()) != Some(symbol) {
            fix.edits.push(super::diagnostic::Edit {
                location: super::diagnostic::Location { file: self.file, range: decl.direction.range.clone() },
                new_text: symbol.to_string(),
            });
        }
        fix
    }

    /// The range of a whole line of text holding `range`, newline included:
    /// what a "delete the line" fix removes.
    pub fn whole_line(&self, range: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        let start = self.text[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[range.end..].find('\n').map_or(self.text.len(), |i| range.end + i + 1);
        start..end
    }
}

/// Checks one map.
pub fn check_map(ws: &Workspace, names: &Names<'_>, project: ProjectRef<'_>, map: &MapDecl) -> Vec<Diagnostic> {
    fail::fail_point!("check_map", |message: Option<String>| panic!(
        "{}",
        message.unwrap_or_else(|| "injected fault".into())
    ));
    let file = project.file;
    let text = ws.file(file).text();
    let mut out = Vec::new();
    check_aliases(file, map, &mut out);
    let allowed = check_directions(file, project, map, &mut out);
    let Some(set) = project.decl.connection_set.as_ref().and_then(|n| names.sets.get(n.text.as_str())) else {
        return out;
    };
    let left = resolve_side(file, set, map, Side::Left, &mut out);
    let right = resolve_side(file, set, map, Side::Right, &mut out);
    filters::check(file, map, [left, right], &mut out);
    let (Some(left), Some(right)) = (left, right) else {
        return out;
    };
    let lines = resolve_lines(file, map, &allowed, left, right, &mut out);
    let mut ctx = MapCtx { file, source: ws.file(file), text, map, set, left, right, lines, out };
    map_level::check(&mut ctx);
    keys::check(&mut ctx);
    fields::check(&mut ctx);
    lookups::check(&mut ctx);
    duplicates::check(&mut ctx);
    ctx.out
}

/// DIMAP0005: a map's two sides share an alias, or a filter names neither.
fn check_aliases(file: FileId, map: &MapDecl, out: &mut Vec<Diagnostic>) {
    let aliases: Vec<&str> = [&map.left, &map.right].into_iter().flatten().map(|s| s.alias.text.as_str()).collect();
    if let (Some(left), Some(right)) = (&map.left, &map.right) {
        if left.alias.text == right.alias.text {
            out.push(Diagnostic::new(
                Code::Dimap0005,
                file,
                right.alias.range.clone(),
                format!(
                    "map `{}` uses alias `{}` on both sides; a map connects two different connections",
                    map.name.text, right.alias.text
                ),
            ));
        }
    }
    for filter in &map.filters {
        if aliases.contains(&filter.alias.text.as_str()) {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::Dimap0005,
                file,
                filter.alias.range.clone(),
                format!(
                    "filter names alias `{}`, which is not a side of map `{}` (its sides are {})",
                    filter.alias.text,
                    map.name.text,
                    aliases.join(" and ")
                ),
            )
            .with_fixes(
                aliases.iter().map(|a| Fix::replace(format!("Filter on `{a}`"), file, filter.alias.range.clone(), *a)),
            ),
        );
    }
}

/// DIMAP0003: the directions a map and its project allow. Returns, per
/// line, whether its direction is allowed.
fn check_directions(file: FileId, project: ProjectRef<'_>, map: &MapDecl, out: &mut Vec<Diagnostic>) -> Vec<bool> {
    let integrator = project.decl.kind == Some(ProjectKind::DataIntegrator);
    let mut map_direction = map.direction.as_ref().map(|d| d.direction);
    if let Some(direction) = &map.direction {
        if integrator && direction.direction != Direction::LeftToRight {
            out.push(
                Diagnostic::new(
                    Code::Dimap0003,
                    file,
                    direction.range.clone(),
                    format!(
                        "map `{}` is in a Data Integrator project, whose maps run one way, left to right: use `>`",
                        map.name.text
                    ),
                )
                .with_fix(Fix::replace("Make the map one-way (`>`)", file, direction.range.clone(), ">").preferred()),
            );
            map_direction = Some(Direction::LeftToRight);
        }
    }
    map.lines
        .iter()
        .map(|line| {
            let direction = line.direction.direction;
            let bound = if integrator { Some(Direction::LeftToRight) } else { map_direction.filter(|d| !d.is_both()) };
            let Some(bound) = bound else { return true };
            if direction == bound {
                return true;
            }
            let why = if integrator {
                "lines of a Data Integrator map run left to right only".to_string()
            } else {
                format!("map `{}` is declared `{}`, so its lines run that way only", map.name.text, bound.symbol(false))
            };
            let symbol = bound.symbol(line.default.is_some() || line.value_map.is_some());
            out.push(
                Diagnostic::new(
                    Code::Dimap0003,
                    file,
                    line.direction.range.clone(),
                    format!("direction `{}` is not allowed here: {why}", direction.symbol(false)),
                )
                .with_fix(
                    Fix::replace(format!("Change to `{symbol}`"), file, line.direction.range.clone(), symbol)
                        .preferred(),
                ),
            );
            false
        })
        .collect()
}

/// A side's alias, connection and entity (DIPV1007, DIPV1018, DIPV1020).
pub(super) fn resolve_side<'w>(
    file: FileId,
    set: &SetInfo<'w>,
    map: &'w MapDecl,
    side: Side,
    out: &mut Vec<Diagnostic>,
) -> Option<ResolvedSide<'w>> {
    let decl = map.side(side)?;
    let Some(connection) = set.connections.get(decl.alias.text.as_str()) else {
        let other = map.side(side.other()).map(|o| o.alias.text.as_str());
        let candidates: Vec<&str> = set.aliases().filter(|a| Some(*a) != other).collect();
        out.push(
            Diagnostic::new(
                Code::Dipv1007,
                file,
                decl.alias.range.clone(),
                format!(
                    "alias `{}` is not declared in connection set `{}` (declared: {})",
                    decl.alias.text,
                    set.decl.name.text,
                    set.aliases().collect::<Vec<_>>().join(", ")
                ),
            )
            .with_fixes(
                candidates.iter().map(|a| Fix::replace(format!("Use alias `{a}`"), file, decl.alias.range.clone(), *a)),
            ),
        );
        return None;
    };
    let schema = connection.schema?;
    let Some(entity) = schema.entity(&decl.entity.text) else {
        let (code, role) = match side {
            Side::Left => (Code::Dipv1018, "left"),
            Side::Right => (Code::Dipv1020, "right"),
        };
        let suggestions = closest(&decl.entity.text, schema.entities().iter().map(|e| e.name.as_str()));
        out.push(
            Diagnostic::new(
                code,
                file,
                decl.entity.range.clone(),
                format!(
                    "{role} entity `{}` is not in the cached schema of \"{}\"{}",
                    decl.entity.text,
                    schema.environment,
                    did_you_mean(&suggestions)
                ),
            )
            .with_fixes(
                suggestions
                    .iter()
                    .map(|s| Fix::replace(format!("Use entity `{s}`"), file, decl.entity.range.clone(), *s)),
            ),
        );
        return None;
    };
    Some(ResolvedSide { alias: &decl.alias.text, schema, entity })
}

/// Resolves every allowed line's paths (DIPV1022, DIPV1025). A line with a
/// path that does not resolve takes part in no other check.
fn resolve_lines<'w>(
    file: FileId,
    map: &'w MapDecl,
    allowed: &[bool],
    left: ResolvedSide<'w>,
    right: ResolvedSide<'w>,
    out: &mut Vec<Diagnostic>,
) -> Vec<Line<'w>> {
    let mut lines = Vec::new();
    for (decl, _) in map.lines.iter().zip(allowed).filter(|(_, ok)| **ok) {
        // The source of a bidirectional line is its left, as the product's
        // validation reads it.
        let source = if decl.direction.direction == Direction::RightToLeft { Side::Right } else { Side::Left };
        let mut resolved = [None, None];
        let mut broken = false;
        for (slot, side) in [(0, Side::Left), (1, Side::Right)] {
            let Some(path) = decl.side(side).path() else { continue };
            let resolved_side = if side == Side::Left { left } else { right };
            match resolve_path(resolved_side.schema, resolved_side.entity, path) {
                Ok(p) => resolved[slot] = Some(p),
                Err(err) => {
                    broken = true;
                    let code = if side == source { Code::Dipv1022 } else { Code::Dipv1025 };
                    let segment = &path.segments[err.segment.min(path.segments.len() - 1)];
                    let role = if side == source { "source" } else { "destination" };
                    out.push(
                        Diagnostic::new(
                            code,
                            file,
                            path.range.clone(),
                            format!("{role} path `{}`: {}", path.text(), err.message),
                        )
                        .with_fixes(
                            err.suggestions
                                .iter()
                                .map(|s| Fix::replace(format!("Use `{s}`"), file, segment.range.clone(), s.clone())),
                        ),
                    );
                }
            }
        }
        if !broken {
            let [l, r] = resolved;
            lines.push(Line { decl, left: l, right: r });
        }
    }
    lines
}
