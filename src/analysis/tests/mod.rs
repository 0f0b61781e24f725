//! Rule tests on small inline workspaces. One helper, [`check`], builds a
//! workspace of a fixed connection set (`fo` finance and operations, `dv`
//! Dataverse, one organization line) and the given map file against the
//! contoso caches of `tests/fixtures/schemas`, and renders every finding as
//! `LINE:COL CODE message` so that expected findings, messages included,
//! are written next to the text.

mod fields;
mod lowering;
mod maps;
mod memo;
mod names;

use expect_test::Expect;

use super::{check as check_workspace, SourceInput, Workspace};
use crate::schema::{CachedSchema, SchemaSet};
use crate::text::{LineIndex, PositionEncoding};

pub const CONNECTIONS: &str = r#"connection_set contoso {
  finance_and_operations fo "contoso-prod"
  dataverse              dv "contoso-sales"
  organization fo "USMF" = dv "USMF"
}
"#;

pub fn schemas() -> SchemaSet {
    let sources = [
        ("contoso-prod.json", include_str!("../../../tests/fixtures/schemas/contoso-prod.json")),
        ("contoso-sales.json", include_str!("../../../tests/fixtures/schemas/contoso-sales.json")),
        ("contoso-old.json", include_str!("../../../tests/fixtures/schemas/contoso-old.json")),
    ];
    SchemaSet::new(
        sources.iter().map(|(name, text)| CachedSchema::from_json(text, name.into()).expect("fixture cache")).collect(),
    )
}

/// Builds a workspace from `(path, text)` files and renders its findings.
pub fn render(files: &[(&str, &str)]) -> String {
    let inputs = files
        .iter()
        .map(|(path, text)| SourceInput { path: path.to_string(), text: text.to_string(), invalid_utf8_at: None })
        .collect();
    let ws = Workspace::new(inputs, schemas(), ".dimap/schemas".into());
    let mut out = String::new();
    for d in check_workspace(&ws) {
        let file = ws.file(d.location.file);
        let pos = LineIndex::new(file.text()).line_col(file.text(), d.location.range.start, PositionEncoding::Utf16);
        let prefix = if file.path == "maps.dimap" { String::new() } else { format!("{}:", file.path) };
        out.push_str(&format!("{prefix}{}:{} {} {}\n", pos.line + 1, pos.col + 1, d.code.as_str(), d.message));
    }
    out
}

/// Checks `maps` (as `maps.dimap`) beside the standard connection set.
pub fn check(maps: &str, expect: Expect) {
    expect.assert_eq(&render(&[("connections.dimap", CONNECTIONS), ("maps.dimap", maps)]));
}

/// Like [`check`], keeping only the findings of `codes`, for tests about
/// one rule in maps that other rules also have something to say about.
pub fn check_codes(maps: &str, codes: &[&str], expect: Expect) {
    let all = render(&[("connections.dimap", CONNECTIONS), ("maps.dimap", maps)]);
    let kept: String =
        all.lines().filter(|l| codes.iter().any(|c| l.contains(&format!(" {c} ")))).map(|l| format!("{l}\n")).collect();
    expect.assert_eq(&kept);
}

/// A customer map that checks clean, to build variations on.
pub const CUSTOMERS: &str = r#"project "Customer master" dual_write contoso {
  map customers fo.CustomersV3 = dv.account {
    CUSTOMERACCOUNT        =  accountnumber
    ORGANIZATIONNAME       >< name                                    default "Unknown"
    SALESCURRENCYCODE      =  transactioncurrencyid.isocurrencycode
    CUSTOMERGROUPID        =  msdyn_customergroupid.msdyn_groupid
    LANGUAGEID             << none                                    default "en-us"
    none                   >> msdyn_salesregion                       default "EAST"
    $LINES
  }
}
"#;

/// [`CUSTOMERS`] with extra lines in place of `$LINES`.
pub fn customers(lines: &str) -> String {
    CUSTOMERS.replace("$LINES", lines.trim())
}
