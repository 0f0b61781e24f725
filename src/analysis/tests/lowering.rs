//! Lowering after an edit: maps the edit did not touch are reused, and a
//! map that only moved is moved where it is, not copied, when nothing else
//! holds the old model (as in the editor between keystrokes).

use std::sync::Arc;

use crate::analysis::model::{lower, MapDecl};
use crate::analysis::WorkspaceFile;
use crate::syntax::{self, Changed, TextEdit};

const TEXT: &str = include_str!("../../../examples/broken/maps/customers.dimap");

fn maps(file: &WorkspaceFile) -> Vec<&Arc<MapDecl>> {
    file.model.projects.iter().flat_map(|p| &p.maps).collect()
}

#[test]
fn maps_after_an_edit_are_moved_in_place_when_unshared() {
    let old = Arc::new(WorkspaceFile::from_parse("m.dimap".into(), syntax::parse(TEXT)));
    let before: Vec<*const MapDecl> = maps(&old).iter().map(|m| Arc::as_ptr(m)).collect();
    assert!(before.len() >= 2, "the example has several maps");
    // Typing in the project's header moves every map without changing it.
    let at = TEXT.find("project").unwrap() + "project".len();
    let mut parse = old.parse.clone();
    let mut changed = Changed::default();
    parse.edit(&TextEdit { range: at..at, new_text: " ".into() }, &mut changed);
    let new =
        WorkspaceFile::from_parse_reusing("m.dimap".into(), parse.clone(), WorkspaceFile::into_model(old), &changed);
    let after: Vec<*const MapDecl> = maps(&new).iter().map(|m| Arc::as_ptr(m)).collect();
    assert_eq!(after, before, "each map kept its allocation");
    assert_eq!(format!("{:?}", new.model), format!("{:?}", lower(&syntax::parse(parse.text()))));

    // With the old file still held elsewhere (a snapshot being checked),
    // the maps are copied and moved, and the old model is left as it was.
    let held = Arc::new(new);
    let snapshot = held.clone();
    let mut parse = held.parse.clone();
    let mut changed = Changed::default();
    parse.edit(&TextEdit { range: at..at + 1, new_text: String::new() }, &mut changed);
    let newer = WorkspaceFile::from_parse_reusing("m.dimap".into(), parse, WorkspaceFile::into_model(held), &changed);
    assert!(maps(&newer).iter().zip(maps(&snapshot)).all(|(a, b)| !Arc::ptr_eq(a, b)));
    assert_eq!(format!("{:?}", newer.model), format!("{:?}", lower(&syntax::parse(TEXT))));
    assert_eq!(format!("{:?}", snapshot.model), format!("{:?}", lower(&syntax::parse(snapshot.text()))));
    assert_ne!(snapshot.text(), newer.text());
}
