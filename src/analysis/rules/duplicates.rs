//! Duplicate lines: a field used by two bidirectional lines (DIPV1023), a
//! field that is the destination of two lines (DIPV1026), and two lines
//! mapping the same pair of fields (DIPV1029, which replaces the other two
//! for that pair). The later line is reported, pointing at the first.
//!
//! Lines are indexed by field as they are read, so a map of many thousand
//! lines costs one hash lookup per line and field, not a comparison of
//! every pair of lines.

use std::collections::HashMap;

use super::{Line, MapCtx};
use crate::analysis::diagnostic::{Code, Diagnostic, Fix};
use crate::analysis::model::Side;

/// The pair of fields a line maps, when both sides are fields.
type Pair = Option<(Vec<String>, Vec<String>)>;

/// An earlier line, remembered once per distinct pair and kind.
struct Seen {
    index: usize,
    pair: Pair,
    both: bool,
}

#[derive(Default)]
struct Index {
    pairs: HashMap<(Vec<String>, Vec<String>), usize>,
    /// Fields used by bidirectional lines.
    used_both_ways: HashMap<(Side, Vec<String>), Vec<Seen>>,
    /// Fields written by some flow.
    written: HashMap<(Side, Vec<String>), Vec<Seen>>,
}

fn pair(line: &Line<'_>) -> Pair {
    Some((line.left.as_ref()?.key.clone(), line.right.as_ref()?.key.clone()))
}

/// Remembers a line under a field unless an earlier line of the same pair
/// and kind is there already: it would be found first anyway.
fn remember(list: &mut Vec<Seen>, index: usize, pair: &Pair, both: bool) {
    if !list.iter().any(|s| s.both == both && s.pair == *pair) {
        list.push(Seen { index, pair: pair.clone(), both });
    }
}

pub fn check(ctx: &mut MapCtx<'_>) {
    let mut index = Index::default();
    let mut found = Vec::new();
    for (j, line) in ctx.lines.iter().enumerate() {
        let pair = pair(line);
        let differs = |s: &&Seen| s.pair.is_none() || s.pair != pair;
        if let Some(first) = pair.as_ref().and_then(|p| index.pairs.get(p)) {
            found.push(duplicate(ctx, Code::Dipv1029, "", &ctx.lines[*first], line));
        }
        if line.is_both() {
            let clash = [Side::Left, Side::Right].into_iter().find_map(|side| {
                let path = line.path(side)?;
                let first = index.used_both_ways.get(&(side, path.key.clone()))?.iter().find(differs)?;
                Some((first.index, path.text()))
            });
            if let Some((first, field)) = clash {
                found.push(duplicate(ctx, Code::Dipv1023, &field, &ctx.lines[first], line));
            }
        }
        let clash = [Side::Right, Side::Left].into_iter().filter(|s| line.writes(*s)).find_map(|side| {
            let path = line.path(side)?;
            let first = index
                .written
                .get(&(side, path.key.clone()))?
                .iter()
                .filter(differs)
                .find(|s| !(s.both && line.is_both()))?;
            Some((first.index, path.text()))
        });
        if let Some((first, field)) = clash {
            found.push(duplicate(ctx, Code::Dipv1026, &field, &ctx.lines[first], line));
        }
        if let Some(p) = &pair {
            index.pairs.entry(p.clone()).or_insert(j);
        }
        for side in [Side::Left, Side::Right] {
            let Some(path) = line.path(side) else { continue };
            if line.is_both() {
                remember(index.used_both_ways.entry((side, path.key.clone())).or_default(), j, &pair, true);
            }
            if line.writes(side) {
                remember(index.written.entry((side, path.key.clone())).or_default(), j, &pair, line.is_both());
            }
        }
    }
    ctx.out.extend(found);
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
