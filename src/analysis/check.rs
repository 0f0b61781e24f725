//! The whole check of a workspace: syntax findings, names and connections,
//! then every map in parallel, each isolated so that a fault in one rule
//! becomes DIPV1001/DIPV1006 on its map and every other map is still checked.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rayon::prelude::*;

use super::diagnostic::{Code, Diagnostic, FileId};
use super::model::{MapDecl, ProjectKind};
use super::names::{self, Names, ProjectRef};
use super::{rules, Workspace};

/// Every finding of the workspace, ordered by file, position and code.
pub fn check(ws: &Workspace) -> Vec<Diagnostic> {
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
    let jobs: Vec<(ProjectRef<'_>, &MapDecl)> =
        names.projects.iter().flat_map(|p| p.decl.maps.iter().map(move |m| (*p, m))).collect();
    let per_map: Vec<Vec<Diagnostic>> =
        jobs.par_iter().map(|(project, map)| check_map_isolated(ws, &names, *project, map)).collect();
    out.extend(per_map.into_iter().flatten());
    finish(out)
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
