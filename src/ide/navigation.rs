//! Names across files: every declaration and use of a connection set, an
//! alias (scoped by its connection set), a project and a map, for go to
//! definition, find references, rename and workspace symbols.

use crate::analysis::{FileId, Location, Workspace};

/// What kind of name an occurrence is; aliases and maps are scoped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NameKind {
    ConnectionSet,
    Alias { set: String },
    Project,
    Map { project: String },
}

/// One place a name is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub kind: NameKind,
    pub name: String,
    pub location: Location,
    pub declaration: bool,
}

/// Every name occurrence of the workspace, in file order.
pub fn occurrences(ws: &Workspace) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for (index, file) in ws.files.iter().enumerate() {
        let id = FileId(index as u32);
        let at = |range: &std::ops::Range<usize>| Location { file: id, range: range.clone() };
        for set in &file.model.connection_sets {
            let name = &set.name.text;
            out.push(Occurrence {
                kind: NameKind::ConnectionSet,
                name: name.clone(),
                location: at(&set.name.range),
                declaration: true,
            });
            for c in &set.connections {
                out.push(Occurrence {
                    kind: NameKind::Alias { set: name.clone() },
                    name: c.alias.text.clone(),
                    location: at(&c.alias.range),
                    declaration: true,
                });
            }
            for side in set.organizations.iter().flat_map(|o| &o.sides) {
                out.push(Occurrence {
                    kind: NameKind::Alias { set: name.clone() },
                    name: side.alias.text.clone(),
                    location: at(&side.alias.range),
                    declaration: false,
                });
            }
        }
        for project in &file.model.projects {
            out.push(Occurrence {
                kind: NameKind::Project,
                name: project.name.text.clone(),
                location: at(&project.name.range),
                declaration: true,
            });
            let set = project.connection_set.as_ref().map(|s| s.text.clone()).unwrap_or_default();
            if let Some(s) = &project.connection_set {
                out.push(Occurrence {
                    kind: NameKind::ConnectionSet,
                    name: s.text.clone(),
                    location: at(&s.range),
                    declaration: false,
                });
            }
            for map in &project.maps {
                out.push(Occurrence {
                    kind: NameKind::Map { project: project.name.text.clone() },
                    name: map.name.text.clone(),
                    location: at(&map.name.range),
                    declaration: true,
                });
                let aliases = [&map.left, &map.right]
                    .into_iter()
                    .flatten()
                    .map(|s| &s.alias)
                    .chain(map.filters.iter().map(|f| &f.alias));
                for alias in aliases {
                    out.push(Occurrence {
                        kind: NameKind::Alias { set: set.clone() },
                        name: alias.text.clone(),
                        location: at(&alias.range),
                        declaration: false,
                    });
                }
            }
        }
    }
    out
}

/// The occurrence under the cursor and every occurrence of the same name.
pub fn related(ws: &Workspace, file: FileId, offset: usize) -> Option<(Occurrence, Vec<Occurrence>)> {
    let all = occurrences(ws);
    let here = all
        .iter()
        .find(|o| o.location.file == file && o.location.range.start <= offset && offset <= o.location.range.end)?
        .clone();
    let same = all.into_iter().filter(|o| o.kind == here.kind && o.name == here.name).collect();
    Some((here, same))
}

/// Where the name under the cursor is declared (the first declaration).
pub fn definition(ws: &Workspace, file: FileId, offset: usize) -> Option<Location> {
    let (_, same) = related(ws, file, offset)?;
    same.into_iter().find(|o| o.declaration).map(|o| o.location)
}

/// Every place of the name under the cursor.
pub fn references(ws: &Workspace, file: FileId, offset: usize, include_declaration: bool) -> Vec<Location> {
    let Some((_, same)) = related(ws, file, offset) else { return Vec::new() };
    same.into_iter().filter(|o| include_declaration || !o.declaration).map(|o| o.location).collect()
}

/// The edits that rename the name under the cursor everywhere, or why not.
pub fn rename(ws: &Workspace, file: FileId, offset: usize, new_name: &str) -> Result<Vec<(Location, String)>, String> {
    let (here, same) = related(ws, file, offset).ok_or("there is no connection set, alias, project or map here")?;
    let quoted_project = here.kind == NameKind::Project;
    if !quoted_project && !crate::analysis::is_identifier(new_name) {
        return Err(format!("`{new_name}` is not a name: use letters, digits and _, not starting with a digit"));
    }
    let text = if quoted_project {
        format!("\"{}\"", new_name.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        new_name.to_string()
    };
    Ok(same.into_iter().map(|o| (o.location, text.clone())).collect())
}

/// Declarations whose name holds `query` (without regard to case).
pub fn workspace_symbols(ws: &Workspace, query: &str) -> Vec<Occurrence> {
    let query = query.to_lowercase();
    occurrences(ws).into_iter().filter(|o| o.declaration && o.name.to_lowercase().contains(&query)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::SourceInput;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        let inputs = files
            .iter()
            .map(|(p, t)| SourceInput { path: p.to_string(), text: t.to_string(), invalid_utf8_at: None })
            .collect();
        Workspace::new(inputs, Default::default(), String::new())
    }

    #[test]
    fn aliases_and_sets_are_found_across_files() {
        let ws = ws(&[
            (
                "a.dimap",
                "connection_set c {\n  dataverse dv \"x\"\n  sql s \"y\"\n  organization dv \"A\" = s \"B\"\n}\n",
            ),
            ("b.dimap", "project p dual_write c {\n  map m s.A = dv.b {\n    filter dv 'x eq 1'\n  }\n}\n"),
        ]);
        let b = ws.file_id("b.dimap").unwrap();
        let text = ws.file(b).text();
        let dv_use = text.find("dv.b").unwrap();
        let def = definition(&ws, b, dv_use).unwrap();
        assert_eq!(def.file, ws.file_id("a.dimap").unwrap());
        assert_eq!(&ws.file(def.file).text()[def.range.clone()], "dv");
        assert_eq!(references(&ws, b, dv_use, true).len(), 4);
        let set_use = text.find("c {").unwrap();
        let edits = rename(&ws, b, set_use, "contoso").unwrap();
        assert_eq!(edits.len(), 2);
        assert!(rename(&ws, b, set_use, "1bad").is_err());
        assert_eq!(workspace_symbols(&ws, "M").iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), vec!["m"]);
    }
}
