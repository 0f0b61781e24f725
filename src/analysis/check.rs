//! The whole check of a workspace: syntax findings, names and connections,
//! then every map in parallel, each isolated so that a fault in one rule
//! becomes DIPV1001/DIPV1006 on its map and every other map is still checked.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use rayon::prelude::*;

use super::diagnostic::{Code, Diagnostic, FileId, Location};
use super::model::{MapDecl, ProjectKind};
use super::names::{self, Names, ProjectRef, SetInfo};
use super::{rules, Workspace};
use crate::schema::SchemaSet;

/// Every finding of the workspace, ordered by file, position and code.
pub fn check(ws: &Workspace) -> Vec<Diagnostic> {
    check_with(ws, None, None)
}

/// The findings of each map from an earlier check, so that a check after an
/// edit runs the rules only on the maps whose inputs changed. The editor
/// keeps one across keystrokes; the command line has no use for it.
///
/// A map's findings depend on its own text (from the start of its first
/// line, so indentation counts), the line it starts on (messages name line
/// numbers), its project's header, its connection set, and the caches. An
/// entry is keyed by a hash of all of those. Findings are stored with the
/// offset the map had; when the map has only moved (text typed above it),
/// they are moved with it, unless one of them points outside the map in
/// its own file, in which case the entry is used only at the same offset.
#[derive(Default)]
pub struct CheckMemo {
    /// The caches the entries were computed against; other caches empty the
    /// memo.
    schemas: Option<Arc<SchemaSet>>,
    entries: HashMap<u64, MemoEntry>,
    /// Maps checked and maps reused by the last check, for tests and logs.
    pub last_checked: usize,
    pub last_reused: usize,
}

struct MemoEntry {
    /// Where the map's first line started when the findings were made.
    base: usize,
    /// The map's own file.
    own: FileId,
    /// Every finding's locations lie inside the map or in other files.
    movable: bool,
    /// The path of every file id the findings name, to catch ids that
    /// shifted because files were added or removed.
    files: Vec<(FileId, String)>,
    found: Vec<Diagnostic>,
}

/// Every finding of the workspace, reusing and refreshing `memo`.
pub fn check_incremental(ws: &Workspace, memo: &mut CheckMemo) -> Vec<Diagnostic> {
    check_files(ws, memo, None)
}

/// The findings located in `only` (every file when `None`), running the
/// rules of those files' maps alone. The editor checks the files it shows
/// this way first when it starts, and the rest after; the maps checked here
/// are not checked again.
pub fn check_files(ws: &Workspace, memo: &mut CheckMemo, only: Option<&[FileId]>) -> Vec<Diagnostic> {
    if memo.schemas.as_ref().is_none_or(|s| !Arc::ptr_eq(s, &ws.schemas)) {
        memo.entries.clear();
        memo.schemas = Some(ws.schemas.clone());
    }
    let mut found = check_with(ws, Some(memo), only);
    if let Some(only) = only {
        found.retain(|d| only.contains(&d.location.file));
    }
    found
}

fn check_with(ws: &Workspace, memo: Option<&mut CheckMemo>, only: Option<&[FileId]>) -> Vec<Diagnostic> {
    let mut out = syntax_findings(ws);
    let names_result = catch_unwind(AssertUnwindSafe(|| {
        let mut found = Vec::new();
        let names = names::resolve(ws, &mut found);
        (names, found)
    }));
    let (names, found) = match names_result {
        Ok(result) => result,
        Err(payload) => {
            if !ws.files.is_empty() {
                out.push(Diagnostic::new(
                    Code::Dipv1006,
                    FileId(0),
                    0..0,
                    format!(
                        "checking the workspace's names failed inside dimap: {}; please report this",
                        panic_message(&*payload)
                    ),
                ));
            }
            return finish(out);
        }
    };
    out.extend(found);
    let jobs: Vec<(ProjectRef<'_>, &MapDecl)> = names
        .projects
        .iter()
        .filter(|p| only.is_none_or(|only| only.contains(&p.file)))
        .flat_map(|p| p.decl.maps.iter().map(move |m| (*p, &**m)))
        .collect();
    let Some(memo) = memo else {
        let per_map: Vec<Vec<Diagnostic>> =
            jobs.par_iter().map(|(project, map)| check_map_isolated(ws, &names, *project, map)).collect();
        out.extend(per_map.into_iter().flatten());
        return finish(out);
    };
    let set_keys: HashMap<&str, u64> = names.sets.iter().map(|(name, info)| (*name, set_key(ws, info))).collect();
    let keyed: Vec<(u64, usize, ProjectRef<'_>, &MapDecl)> = jobs
        .iter()
        .map(|(project, map)| {
            let (key, base) = map_key(ws, &set_keys, *project, map);
            (key, base, *project, *map)
        })
        .collect();
    let mut reused = Vec::new();
    let mut todo = Vec::new();
    for (key, base, project, map) in &keyed {
        match memo.entries.get(key).and_then(|entry| reuse(ws, entry, *base)) {
            Some(found) => reused.push(found),
            None => todo.push((*key, *base, *project, *map)),
        }
    }
    memo.last_reused = reused.len();
    memo.last_checked = todo.len();
    let fresh: Vec<(u64, MemoEntry)> = todo
        .par_iter()
        .map(|(key, base, project, map)| {
            let found = check_map_isolated(ws, &names, *project, map);
            (*key, remember(ws, *project, map, *base, found))
        })
        .collect();
    if only.is_none() {
        // Entries of maps that no longer exist go; a partial check keeps
        // the others' for the full check that follows it.
        let live: std::collections::HashSet<u64> = keyed.iter().map(|(key, ..)| *key).collect();
        memo.entries.retain(|key, _| live.contains(key));
    }
    out.extend(reused.into_iter().flatten());
    for (key, entry) in fresh {
        out.extend(entry.found.iter().cloned());
        memo.entries.insert(key, entry);
    }
    finish(out)
}

/// The hash of everything a map's findings depend on, and where the map's
/// first line starts.
fn map_key(ws: &Workspace, sets: &HashMap<&str, u64>, project: ProjectRef<'_>, map: &MapDecl) -> (u64, usize) {
    let file = ws.file(project.file);
    let text = file.text();
    let base = map.line_start;
    let mut hasher = std::hash::DefaultHasher::new();
    file.path.hash(&mut hasher);
    // The text from `base` to the map's end, hashed once when it was
    // lowered; with its length, which moving does not change.
    (map.text_hash, map.range.end - base).hash(&mut hasher);
    file.line_index().line_of(base).hash(&mut hasher);
    (map.insert_at - base, &map.indent).hash(&mut hasher);
    let decl = project.decl;
    (&decl.name, &decl.header, decl.kind, &decl.connection_set).hash(&mut hasher);
    text.get(decl.header.clone()).hash(&mut hasher);
    decl.connection_set.as_ref().and_then(|n| sets.get(n.text.as_str())).hash(&mut hasher);
    (hasher.finish(), base)
}

/// The hash of a connection set as the rules see it: its declaration (with
/// where it is, as findings point there) and whether each connection
/// reaches a cache.
fn set_key(ws: &Workspace, set: &SetInfo<'_>) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    ws.file(set.file).path.hash(&mut hasher);
    format!("{:?}", set.decl).hash(&mut hasher);
    let mut connections: Vec<(&str, Option<&str>)> =
        set.connections.iter().map(|(alias, c)| (*alias, c.schema.map(|s| s.environment.as_str()))).collect();
    connections.sort();
    connections.hash(&mut hasher);
    hasher.finish()
}

fn locations(found: &Diagnostic) -> impl Iterator<Item = &Location> {
    std::iter::once(&found.location)
        .chain(found.related.iter().map(|r| &r.location))
        .chain(found.fixes.iter().flat_map(|f| f.edits.iter().map(|e| &e.location)))
}

fn for_each_location(found: &mut Diagnostic, mut f: impl FnMut(&mut Location)) {
    f(&mut found.location);
    for related in &mut found.related {
        f(&mut related.location);
    }
    for fix in &mut found.fixes {
        for edit in &mut fix.edits {
            f(&mut edit.location);
        }
    }
}

fn remember(ws: &Workspace, project: ProjectRef<'_>, map: &MapDecl, base: usize, found: Vec<Diagnostic>) -> MemoEntry {
    let mut files: Vec<(FileId, String)> = vec![(project.file, ws.file(project.file).path.clone())];
    let mut movable = true;
    for location in found.iter().flat_map(locations) {
        if !files.iter().any(|(id, _)| *id == location.file) {
            files.push((location.file, ws.file(location.file).path.clone()));
        }
        if location.file == project.file && (location.range.start < base || location.range.end > map.range.end) {
            movable = false;
        }
    }
    MemoEntry { base, own: project.file, movable, files, found }
}

/// An entry's findings for a map whose first line now starts at `base`, or
/// `None` when they cannot be reused.
fn reuse(ws: &Workspace, entry: &MemoEntry, base: usize) -> Option<Vec<Diagnostic>> {
    if !entry.movable && entry.base != base {
        return None;
    }
    let same_files = entry.files.iter().all(|(id, path)| ws.files.get(id.0 as usize).is_some_and(|f| &f.path == path));
    if !same_files {
        return None;
    }
    let own = entry.own;
    let mut found = entry.found.clone();
    if entry.base != base {
        // Only a movable entry gets here: every location in the map's own
        // file is inside the map and moves with it.
        for finding in &mut found {
            for_each_location(finding, |location| {
                if location.file == own {
                    location.range.start = location.range.start - entry.base + base;
                    location.range.end = location.range.end - entry.base + base;
                }
            });
        }
    }
    Some(found)
}

fn finish(mut out: Vec<Diagnostic>) -> Vec<Diagnostic> {
    out.sort_by(|a, b| {
        (a.location.file, a.location.range.start, a.code, a.location.range.end).cmp(&(
            b.location.file,
            b.location.range.start,
            b.code,
            b.location.range.end,
        ))
    });
    out
}

fn syntax_findings(ws: &Workspace) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (index, file) in ws.files.iter().enumerate() {
        let id = FileId(index as u32);
        if let Some(at) = file.invalid_utf8_at {
            out.push(Diagnostic::new(
                Code::Dimap0001,
                id,
                0..0,
                format!("the file is not UTF-8 text (byte {at} is not valid UTF-8); it was not checked"),
            ));
            continue;
        }
        for error in file.parse.errors() {
            out.push(Diagnostic::new(Code::Dimap0001, id, error.range.clone(), error.message.clone()));
        }
    }
    out
}

fn check_map_isolated(ws: &Workspace, names: &Names<'_>, project: ProjectRef<'_>, map: &MapDecl) -> Vec<Diagnostic> {
    match catch_unwind(AssertUnwindSafe(|| rules::check_map(ws, names, project, map))) {
        Ok(found) => found,
        Err(payload) => {
            let code = match project.decl.kind {
                Some(ProjectKind::DataIntegrator) => Code::Dipv1006,
                _ => Code::Dipv1001,
            };
            vec![Diagnostic::new(
                code,
                project.file,
                map.header.clone(),
                format!(
                    "validation of map `{}` failed inside dimap: {}; the rest of the workspace was checked; please report this",
                    map.name.text,
                    panic_message(&*payload)
                ),
            )]
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "an unknown fault".to_string())
}
