//! Global names and connections: connection sets and projects across the
//! workspace, aliases within a set, maps within a project (DIMAP0004 for a
//! later duplicate, DIMAP0002 for an unknown set), and what each connection
//! reaches: its cache, or the reason it has none (DIPV1000, DIPV1005), and
//! its organization lines (DIPV1007, DIPV1008).

use std::collections::HashMap;

use super::diagnostic::{Code, Diagnostic, FileId, Fix};
use super::model::{ConnectionDecl, ConnectionSetDecl, ProjectDecl};
use super::suggest::{closest, did_you_mean};
use super::Workspace;
use crate::schema::{App, CachedSchema};

/// A connection and the cache it reaches, when it reaches a usable one.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionInfo<'w> {
    pub decl: &'w ConnectionDecl,
    /// `None` when the connection was reported (DIPV1000/DIPV1005): nothing
    /// on its side is checked further, so one broken thing is one finding.
    pub schema: Option<&'w CachedSchema>,
}

/// A connection set with its connections by alias.
#[derive(Debug, Clone)]
pub struct SetInfo<'w> {
    pub file: FileId,
    pub decl: &'w ConnectionSetDecl,
    pub connections: HashMap<&'w str, ConnectionInfo<'w>>,
}

impl<'w> SetInfo<'w> {
    pub fn has_organizations(&self) -> bool {
        !self.decl.organizations.is_empty()
    }

    /// Declared aliases, in declaration order.
    pub fn aliases(&self) -> impl Iterator<Item = &'w str> + '_ {
        self.decl.connections.iter().map(|c| c.alias.text.as_str())
    }
}

/// A project and where it is.
#[derive(Debug, Clone, Copy)]
pub struct ProjectRef<'w> {
    pub file: FileId,
    pub decl: &'w ProjectDecl,
}

/// The resolved global names of a workspace.
pub struct Names<'w> {
    pub sets: HashMap<&'w str, SetInfo<'w>>,
    pub projects: Vec<ProjectRef<'w>>,
}

/// Indexes the workspace's names, reporting duplicates and connection
/// problems into `out`.
pub fn resolve<'w>(ws: &'w Workspace, out: &mut Vec<Diagnostic>) -> Names<'w> {
    let mut sets: HashMap<&'w str, SetInfo<'w>> = HashMap::new();
    let mut projects = Vec::new();
    let mut project_names: HashMap<&str, (FileId, std::ops::Range<usize>)> = HashMap::new();
    for (index, file) in ws.files.iter().enumerate() {
        let file_id = FileId(index as u32);
        for set in &file.model.connection_sets {
            let info = set_info(ws, file_id, set, out);
            if let Some(first) = sets.get(set.name.text.as_str()) {
                out.push(duplicate(
                    ws,
                    file_id,
                    &set.name,
                    format!("connection set `{}`", set.name.text),
                    first.file,
                    first.decl.name.range.clone(),
                ));
            } else {
                sets.insert(&set.name.text, info);
            }
        }
        for project in &file.model.projects {
            if let Some((first_file, first)) = project_names.get(project.name.text.as_str()) {
                out.push(duplicate(
                    ws,
                    file_id,
                    &project.name,
                    format!("project \"{}\"", project.name.text),
                    *first_file,
                    first.clone(),
                ));
            } else {
                project_names.insert(&project.name.text, (file_id, project.name.range.clone()));
            }
            projects.push(ProjectRef { file: file_id, decl: project });
            check_map_names(ws, file_id, project, out);
        }
    }
    for project in &projects {
        let Some(set_name) = &project.decl.connection_set else { continue };
        if !sets.contains_key(set_name.text.as_str()) {
            let suggestions = closest(&set_name.text, sets.keys().copied());
            out.push(
                Diagnostic::new(
                    Code::Dimap0002,
                    project.file,
                    set_name.range.clone(),
                    format!(
                        "project \"{}\" names connection set `{}`, which no file of the workspace declares{}",
                        project.decl.name.text,
                        set_name.text,
                        did_you_mean(&suggestions)
                    ),
                )
                .with_fixes(suggestions.iter().map(|s| {
                    Fix::replace(format!("Use connection set `{s}`"), project.file, set_name.range.clone(), *s)
                })),
            );
        }
    }
    Names { sets, projects }
}

fn duplicate(
    ws: &Workspace,
    file: FileId,
    name: &super::model::Name,
    described: String,
    first_file: FileId,
    first_range: std::ops::Range<usize>,
) -> Diagnostic {
    let first_path = &ws.file(first_file).path;
    let line = ws.file(first_file).line_number(first_range.start);
    Diagnostic::new(
        Code::Dimap0004,
        file,
        name.range.clone(),
        format!("{described} is already declared at {first_path}:{line}"),
    )
    .with_related(first_file, first_range, format!("first declaration of `{}`", name.text))
}

fn check_map_names(ws: &Workspace, file: FileId, project: &ProjectDecl, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, std::ops::Range<usize>> = HashMap::new();
    for map in &project.maps {
        if let Some(first) = seen.get(map.name.text.as_str()) {
            let described = format!("map `{}` of project \"{}\"", map.name.text, project.name.text);
            out.push(duplicate(ws, file, &map.name, described, file, first.clone()));
        } else {
            seen.insert(&map.name.text, map.name.range.clone());
        }
    }
}

fn set_info<'w>(ws: &'w Workspace, file: FileId, set: &'w ConnectionSetDecl, out: &mut Vec<Diagnostic>) -> SetInfo<'w> {
    let mut connections: HashMap<&'w str, ConnectionInfo<'w>> = HashMap::new();
    for connection in &set.connections {
        let schema = connection_schema(ws, file, connection, out);
        if let Some(first) = connections.get(connection.alias.text.as_str()) {
            let described = format!("alias `{}` of connection set `{}`", connection.alias.text, set.name.text);
            out.push(duplicate(ws, file, &connection.alias, described, file, first.decl.alias.range.clone()));
            continue;
        }
        connections.insert(&connection.alias.text, ConnectionInfo { decl: connection, schema });
    }
    let info = SetInfo { file, decl: set, connections };
    check_organizations(&info, out);
    info
}

/// The cache a connection reaches, or the finding that says why none.
fn connection_schema<'w>(
    ws: &'w Workspace,
    file: FileId,
    connection: &'w ConnectionDecl,
    out: &mut Vec<Diagnostic>,
) -> Option<&'w CachedSchema> {
    let report = |message: String| Diagnostic::new(Code::Dipv1005, file, connection.range.clone(), message);
    let alias = &connection.alias.text;
    let Some(environment) = connection.environment.as_ref().filter(|e| !e.text.trim().is_empty()) else {
        out.push(report(format!("connection `{alias}` ({}) names no environment", connection.app.keyword())));
        return None;
    };
    let Some(schema) = ws.schema(&environment.text) else {
        let known: Vec<&str> =
            ws.schemas.iter().filter(|s| s.app == connection.app).map(|s| s.environment.as_str()).collect();
        let suggestions = closest(&environment.text, known.iter().copied());
        out.push(
            report(format!(
                "no cached schema for environment \"{}\" of connection `{alias}` in {}{}",
                environment.text,
                if ws.schema_folder.is_empty() { "the schema folder" } else { &ws.schema_folder },
                did_you_mean(&suggestions)
            ))
            .with_fixes(suggestions.iter().map(|s| {
                Fix::replace(format!("Use environment \"{s}\""), file, environment.range.clone(), format!("\"{s}\""))
            })),
        );
        return None;
    };
    if schema.app != connection.app {
        out.push(report(format!(
            "environment \"{}\" is cached as a {} environment, but connection `{alias}` is {}",
            environment.text,
            schema.app.keyword(),
            connection.app.keyword()
        )));
        return None;
    }
    if !schema.connection.is_connected() {
        let status = schema.connection.status.as_deref().unwrap_or("unknown");
        let message = schema.connection.message.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
        out.push(Diagnostic::new(
            Code::Dipv1000,
            file,
            connection.range.clone(),
            format!("connection `{alias}` to \"{}\" failed validation (status {status}){message}", environment.text),
        ));
        return None;
    }
    Some(schema)
}

fn check_organizations(set: &SetInfo<'_>, out: &mut Vec<Diagnostic>) {
    for line in &set.decl.organizations {
        for side in &line.sides {
            let Some(connection) = set.connections.get(side.alias.text.as_str()) else {
                let aliases: Vec<&str> = set.aliases().collect();
                out.push(
                    Diagnostic::new(
                        Code::Dipv1007,
                        set.file,
                        side.alias.range.clone(),
                        format!(
                            "alias `{}` is not declared in connection set `{}`; declared: {}",
                            side.alias.text,
                            set.decl.name.text,
                            aliases.join(", ")
                        ),
                    )
                    .with_fixes(
                        aliases
                            .iter()
                            .map(|a| Fix::replace(format!("Use alias `{a}`"), set.file, side.alias.range.clone(), *a)),
                    ),
                );
                continue;
            };
            let Some(schema) = connection.schema else { continue };
            if schema.has_organization(&side.name.text) {
                continue;
            }
            let what = if connection.decl.app == App::FinanceAndOperations { "legal entity" } else { "business unit" };
            let suggestions = closest(&side.name.text, schema.organizations.iter().map(String::as_str));
            out.push(
                Diagnostic::new(
                    Code::Dipv1008,
                    set.file,
                    side.name.range.clone(),
                    format!(
                        "{what} \"{}\" is not an organization of environment \"{}\" (it has {}){}",
                        side.name.text,
                        schema.environment,
                        if schema.organizations.is_empty() {
                            "none".to_string()
                        } else {
                            schema.organizations.join(", ")
                        },
                        did_you_mean(&suggestions)
                    ),
                )
                .with_fixes(suggestions.iter().map(|s| {
                    Fix::replace(format!("Use \"{s}\""), set.file, side.name.range.clone(), format!("\"{s}\""))
                })),
            );
        }
    }
}
