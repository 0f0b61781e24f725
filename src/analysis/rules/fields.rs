//! Rules of each field-mapping line, judged per flow and reported at most
//! once per line and code: `none` as a source without a default (DIPV1021)
//! or as a destination (DIPV1024), read-only destinations (DIPV1011), type
//! mismatches (DIPV1030), required destinations fed by optional sources
//! without a default (DIPV1031), defaults that do not fit (DIMAP0007),
//! value-map values (DIMAP0006) and text that may be cut (DIMAP0009).

use std::collections::{HashMap, HashSet};

use super::types::compatible;
use super::values::{default_fits, fits, typed_default};
use super::{Line, MapCtx};
use crate::analysis::diagnostic::{Code, Diagnostic, Fix};
use crate::analysis::model::{Direction, Side};
use crate::schema::FieldType;

pub fn check(ctx: &mut MapCtx<'_>) {
    for index in 0..ctx.lines.len() {
        let found = check_line(ctx, &ctx.lines[index]);
        ctx.out.extend(found);
        let found = check_value_map(ctx, &ctx.lines[index]);
        ctx.out.extend(found);
    }
}

fn check_line(ctx: &MapCtx<'_>, line: &Line<'_>) -> Vec<Diagnostic> {
    let decl = line.decl;
    let mut found: HashMap<Code, Diagnostic> = HashMap::new();
    let mut add = |d: Diagnostic| {
        found.entry(d.code).or_insert(d);
    };
    for flow in line.flows() {
        let (source_side, destination_side) = (flow.source(), flow.destination());
        let source = line.path(source_side);
        let Some(destination) = line.path(destination_side) else {
            let entity = &ctx.side(destination_side).entity.name;
            add(ctx.diag(
                Code::Dipv1024,
                decl.range.clone(),
                format!("a flow of this line writes into `none`: name a field of {entity} to write to"),
            ));
            continue;
        };
        if source.is_none() && decl.default.is_none() {
            let value = typed_default(destination.last());
            add(ctx
                .diag(
                    Code::Dipv1021,
                    decl.range.clone(),
                    format!(
                        "the source of {} ({}) is `none` and the line has no default: give the value to write",
                        destination.text(),
                        destination.last().type_label()
                    ),
                )
                .with_fix(
                    ctx.add_transform_fix(line, format!("Add `default {value}`"), format!(" default {value}"))
                        .preferred(),
                ));
        }
        if destination.read_only() {
            add(read_only(ctx, line, destination_side));
            continue;
        }
        if let Some(default) = &decl.default {
            if !destination.is_bare_lookup() {
                if let Err(why) = default_fits(default, destination.last(), ctx.side(destination_side).app()) {
                    add(ctx.diag(
                        Code::Dimap0007,
                        default.range.clone(),
                        format!("default {}: {why}", default.display()),
                    ));
                }
            }
        }
        let Some(source) = source else { continue };
        if source.is_bare_lookup() || destination.is_bare_lookup() {
            continue;
        }
        let (s, d) = (source.last(), destination.last());
        if !compatible(s, d, decl.value_map.is_some()) {
            let mut diagnostic = ctx.diag(
                Code::Dipv1030,
                decl.range.clone(),
                format!(
                    "{} ({}) cannot flow into {} ({}){}",
                    source.text(),
                    s.type_label(),
                    destination.text(),
                    d.type_label(),
                    mismatch_hint(s.ty, d.ty)
                ),
            );
            if value_mappable(s.ty) && value_mappable(d.ty) && decl.value_map.is_none() {
                diagnostic = diagnostic.with_fix(value_map_fix(ctx, line));
            }
            add(diagnostic);
            continue;
        }
        let company = ctx
            .side(destination_side)
            .entity
            .is_company_field(ctx.side(destination_side).app(), &destination.first().name);
        if destination.required() && !source.required() && decl.default.is_none() && !company {
            let value = typed_default(d);
            add(ctx
                .diag(
                    Code::Dipv1031,
                    decl.range.clone(),
                    format!(
                        "{} is required in {} but its source {} is not: add a default for records where {} is empty",
                        destination.text(),
                        ctx.side(destination_side).entity.name,
                        source.text(),
                        source.text()
                    ),
                )
                .with_fix(
                    ctx.add_transform_fix(line, format!("Add `default {value}`"), format!(" default {value}"))
                        .preferred(),
                ));
        }
        if s.ty.is_text() && d.ty.is_text() {
            let source_len = s.max_length.unwrap_or(u32::MAX);
            if let Some(dest_len) = d.max_length.filter(|&l| source_len > l) {
                let shown = s.max_length.map_or("any number of".to_string(), |l| format!("up to {l}"));
                add(ctx.diag(
                    Code::Dimap0009,
                    decl.range.clone(),
                    format!(
                        "{} holds {shown} characters but {} only {dest_len}: longer values may be cut",
                        source.text(),
                        destination.text()
                    ),
                ));
            }
        }
    }
    found.into_values().collect()
}

fn mismatch_hint(source: FieldType, destination: FieldType) -> &'static str {
    let choice_like = |t: FieldType| matches!(t, FieldType::Enum | FieldType::Choice | FieldType::Boolean);
    if choice_like(source) && choice_like(destination) {
        "; add a value_map pairing their values"
    } else {
        ""
    }
}

fn value_mappable(ty: FieldType) -> bool {
    matches!(ty, FieldType::Enum | FieldType::Choice | FieldType::Boolean)
}

/// A `value_map` pairing the members of both fields by name (and booleans
/// with the members that read as yes or no).
fn value_map_fix(ctx: &MapCtx<'_>, line: &Line<'_>) -> Fix {
    let (Some(left), Some(right)) = (&line.left, &line.right) else {
        return Fix::replace(
            "Add a value_map",
            ctx.file,
            line.decl.transforms_at..line.decl.transforms_at,
            " value_map { }",
        );
    };
    let members = |f: &crate::schema::CachedField| -> Vec<String> {
        if f.ty == FieldType::Boolean {
            vec!["false".into(), "true".into()]
        } else {
            f.members().map(|(n, _)| n.to_string()).collect()
        }
    };
    let (l, r) = (members(left.last()), members(right.last()));
    let render = super::values::member_literal;
    let truthy = |n: &str| matches!(n.to_ascii_lowercase().as_str(), "yes" | "true" | "on" | "1");
    let mut pairs = Vec::new();
    for ln in &l {
        let partner = r.iter().find(|rn| rn.eq_ignore_ascii_case(ln)).or_else(|| {
            if left.last().ty == FieldType::Boolean || right.last().ty == FieldType::Boolean {
                r.iter().find(|rn| truthy(rn) == truthy(ln))
            } else {
                None
            }
        });
        if let Some(rn) = partner {
            pairs.push(format!("{} = {}", render(ln), render(rn)));
        }
    }
    ctx.add_transform_fix(
        line,
        "Add a value_map pairing values by name",
        format!(" value_map {{ {} }}", pairs.join(", ")),
    )
}

/// DIPV1011 with its fix: make the line one-way away from the read-only side.
fn read_only(ctx: &MapCtx<'_>, line: &Line<'_>, side: Side) -> Diagnostic {
    let decl = line.decl;
    let path = line.path(side).expect("a read-only destination is a path");
    let entity = &ctx.side(side).entity.name;
    let mut diagnostic = ctx.diag(
        Code::Dipv1011,
        decl.range.clone(),
        format!(
            "{} of {entity} is read-only and cannot be written: no flow may have it as its destination",
            path.text()
        ),
    );
    if line.is_both() {
        let direction = if side == Side::Left { Direction::LeftToRight } else { Direction::RightToLeft };
        let symbol = direction.symbol(line.has_transform());
        diagnostic = diagnostic.with_fix(
            Fix::replace(format!("Make the line one-way (`{symbol}`)"), ctx.file, decl.direction.range.clone(), symbol)
                .preferred(),
        );
    }
    diagnostic.with_fix(Fix::replace("Delete the line", ctx.file, ctx.whole_line(&decl.range), ""))
}

/// DIMAP0006: each value of a value map fits its side's field, and no value
/// repeats on a side the line reads from.
fn check_value_map(ctx: &MapCtx<'_>, line: &Line<'_>) -> Vec<Diagnostic> {
    let Some(entries) = &line.decl.value_map else { return Vec::new() };
    let mut out = Vec::new();
    let read_sides: &[Side] = match line.direction() {
        Direction::Both => &[Side::Left, Side::Right],
        Direction::LeftToRight => &[Side::Left],
        Direction::RightToLeft => &[Side::Right],
    };
    for side in [Side::Left, Side::Right] {
        let path = line.path(side).filter(|p| !p.is_bare_lookup());
        let app = ctx.side(side).app();
        let mut seen = HashSet::new();
        for entry in entries {
            let value = if side == Side::Left { &entry.left } else { &entry.right };
            let normalized = match path {
                Some(path) => match fits(value, path.last(), app) {
                    Ok(n) => n,
                    Err(why) => {
                        let suggestions: Vec<&str> = crate::analysis::suggest::closest(
                            &value.display().replace('"', ""),
                            path.last().members().map(|(n, _)| n),
                        );
                        out.push(ctx.diag(Code::Dimap0006, value.range.clone(), why).with_fixes(
                            suggestions.iter().map(|s| {
                                Fix::replace(
                                    format!("Use `{s}`"),
                                    ctx.file,
                                    value.range.clone(),
                                    super::values::member_literal(s),
                                )
                            }),
                        ));
                        continue;
                    }
                },
                None => super::values::Normalized::Text(value.display()),
            };
            if read_sides.contains(&side) && !seen.insert(normalized) {
                out.push(ctx.diag(
                    Code::Dimap0006,
                    value.range.clone(),
                    format!(
                        "{} appears twice on the side this value map reads from, so the value to write is ambiguous",
                        value.display()
                    ),
                ));
            }
        }
    }
    out
}
