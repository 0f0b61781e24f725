//! Duplicate lines: a field used by two bidirectional lines (DIPV1023), a
//! field that is the destination of two lines (DIPV1026), and two lines
//! mapping the same pair of fields (DIPV1029, which replaces the other two
//! for that pair). The later line is reported, pointing at the first.

use super::{Line, MapCtx};
use crate::analysis::diagnostic::{Code, Diagnostic, Fix};
use crate::analysis::model::Side;

pub fn check(ctx: &mut MapCtx<'_>) {
    let mut found = Vec::new();
    for j in 1..ctx.lines.len() {
        let later = &ctx.lines[j];
        let mut reported: Vec<Code> = Vec::new();
        for i in 0..j {
            let earlier = &ctx.lines[i];
            let Some((code, field)) = clash(earlier, later) else { continue };
            if reported.contains(&code) {
                continue;
            }
            reported.push(code);
            found.push(duplicate(ctx, code, &field, earlier, later));
        }
    }
    ctx.out.extend(found);
}

/// How two lines clash, if they do, and the field they share.
fn clash(earlier: &Line<'_>, later: &Line<'_>) -> Option<(Code, String)> {
    let same = |side: Side| match (earlier.path(side), later.path(side)) {
        (Some(a), Some(b)) => a.key == b.key,
        _ => false,
    };
    if same(Side::Left) && same(Side::Right) {
        return Some((Code::Dipv1029, later.decl.summary()));
    }
    if earlier.is_both() && later.is_both() {
        let side = [Side::Left, Side::Right].into_iter().find(|s| same(*s))?;
        return Some((Code::Dipv1023, later.path(side)?.text()));
    }
    let side = [Side::Right, Side::Left].into_iter().find(|s| same(*s) && earlier.writes(*s) && later.writes(*s))?;
    Some((Code::Dipv1026, later.path(side)?.text()))
}

fn duplicate(ctx: &MapCtx<'_>, code: Code, field: &str, earlier: &Line<'_>, later: &Line<'_>) -> Diagnostic {
    let first = ctx.describe_line(earlier.decl);
    let message = match code {
        Code::Dipv1029 => format!("this line maps the same pair of fields as {first}"),
        Code::Dipv1023 => format!("{field} is already used by the bidirectional {first}"),
        _ => format!("{field} is already the destination of {first}"),
    };
    ctx.diag(code, later.decl.range.clone(), message)
        .with_related(ctx.file, earlier.decl.range.clone(), "first mapped here")
        .with_fix(Fix::replace("Delete the line", ctx.file, ctx.whole_line(&later.decl.range), "").preferred())
}
