//! The editor's incremental check must find exactly what a full check finds,
//! whatever was edited: random edits to the broken example's files (typing
//! above maps so findings move, inside maps, in the connection set, and
//! adding and removing files so file ids shift), each compared with a fresh
//! check of the same text.

use std::sync::Arc;

use super::schemas;
use crate::analysis::{
    check, check_files, check_incremental, CheckMemo, FileId, SourceInput, Workspace, WorkspaceFile,
};

const FILES: [(&str, &str); 4] = [
    ("connections.dimap", include_str!("../../../examples/broken/connections.dimap")),
    ("maps/customers.dimap", include_str!("../../../examples/broken/maps/customers.dimap")),
    ("maps/currencies.dimap", include_str!("../../../examples/broken/maps/currencies.dimap")),
    ("maps/products.dimap", include_str!("../../../examples/broken/maps/products.dimap")),
];

#[test]
fn incremental_findings_equal_a_full_check_after_random_edits() {
    let schemas = Arc::new(schemas());
    let mut texts: Vec<(String, String)> = FILES.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
    let pieces = ["", "x", " ", "\n", "#", "}", "= ", "  ", "default 1", "\n  "];
    let mut next = crate::testing::random(0x3e30);
    let mut memo = CheckMemo::default();
    let mut reused = 0;
    for round in 0..400 {
        match next(20) {
            // Now and then a file comes or goes, which renumbers the files
            // after it.
            0 if texts.len() < 6 => texts.push((format!("maps/aa{round}.dimap"), FILES[3].1.to_string())),
            1 if texts.len() > 4 => {
                texts.pop();
            }
            _ => {
                let (_, text) = &mut texts[next(4)];
                let at = crate::text::floor_char_boundary(text, next(text.len() + 1));
                let end = crate::text::floor_char_boundary(text, (at + next(3)).min(text.len()));
                text.replace_range(at..end, pieces[next(pieces.len())]);
            }
        }
        let files = texts
            .iter()
            .map(|(path, text)| {
                Arc::new(WorkspaceFile::new(SourceInput {
                    path: path.clone(),
                    text: text.clone(),
                    invalid_utf8_at: None,
                }))
            })
            .collect();
        let ws = Workspace::from_parts(files, schemas.clone(), ".dimap/schemas".into());
        let full = check(&ws);
        // The editor's first pass after a load: the open files alone, then
        // everything, from the same memo.
        if round % 10 == 0 {
            let only = [FileId(next(ws.files.len()) as u32)];
            let mut partial_memo = CheckMemo::default();
            let partial = check_files(&ws, &mut partial_memo, Some(&only));
            let expected: Vec<_> = full.iter().filter(|d| d.location.file == only[0]).cloned().collect();
            assert_eq!(partial, expected, "round {round}, one file");
            assert_eq!(check_incremental(&ws, &mut partial_memo), full, "round {round}, after one file");
        }
        let incremental = check_incremental(&ws, &mut memo);
        assert_eq!(incremental, full, "round {round}");
        reused += memo.last_reused;
    }
    assert!(reused > 1000, "the memo is used: {reused} maps reused in 400 rounds");
}
