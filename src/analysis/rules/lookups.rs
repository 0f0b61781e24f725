//! Lookups used by lines: mapped bare or without their related entity's key
//! (DIPV1027 when data flows into them, DIPV1028 when it only flows out),
//! and lookups to company-specific entities without organization lines
//! (DIPV1017). Integration key fields are the key rules' business (DIPV1015).

use std::collections::BTreeMap;

use super::keys::key_fields;
use super::MapCtx;
use crate::analysis::diagnostic::{Code, Fix};
use crate::analysis::model::Side;
use crate::schema::{CachedField, FieldType};

pub fn check(ctx: &mut MapCtx<'_>) {
    let key_lookups: Vec<Vec<String>> = key_fields(ctx).unwrap_or_default().into_iter().map(|k| k.path).collect();
    for side in [Side::Left, Side::Right] {
        // Lookup key → the lines whose path on this side starts with it.
        let mut used: BTreeMap<String, (&CachedField, Vec<usize>)> = BTreeMap::new();
        for (i, line) in ctx.lines.iter().enumerate() {
            let Some(path) = line.path(side) else { continue };
            if path.first().ty == FieldType::Lookup {
                used.entry(path.key[0].clone()).or_insert((path.first(), Vec::new())).1.push(i);
            }
        }
        for (key, (lookup, lines)) in used {
            organization(ctx, lookup, &lines);
            let is_key_field = side == Side::Right && key_lookups.iter().any(|k| k.len() == 1 && k[0] == key);
            if !is_key_field {
                related_key(ctx, side, &key, lookup, &lines);
            }
        }
    }
}

fn organization(ctx: &mut MapCtx<'_>, lookup: &CachedField, lines: &[usize]) {
    if ctx.set.has_organizations() {
        return;
    }
    let side_schema = ctx.right.schema;
    let related = lookup.target.as_deref().and_then(|t| side_schema.entity(t).or_else(|| ctx.left.schema.entity(t)));
    let Some(related) = related.filter(|r| r.company_field.is_some()) else { return };
    for &i in lines {
        let decl = ctx.lines[i].decl;
        let message = format!(
            "lookup {} points to {}, which is company-specific, but connection set `{}` has no organization line",
            lookup.name, related.name, ctx.set.decl.name.text
        );
        let diagnostic = ctx.diag(Code::Dipv1017, decl.range.clone(), message);
        ctx.report(diagnostic);
    }
}

fn related_key(ctx: &mut MapCtx<'_>, side: Side, key: &str, lookup: &CachedField, lines: &[usize]) {
    let resolved = *ctx.side(side);
    let app = resolved.app();
    let flows_into = lines.iter().any(|&i| ctx.lines[i].writes(side));
    let code = if flows_into { Code::Dipv1027 } else { Code::Dipv1028 };
    let related = lookup.target.as_deref().and_then(|t| resolved.schema.entity(t));
    let related_key: Vec<&String> = related
        .and_then(|r| r.keys.first().map(|k| k.fields.iter().filter(|f| !r.is_company_field(app, f)).collect()))
        .unwrap_or_default();
    let missing: Vec<&String> = related_key
        .iter()
        .copied()
        .filter(|kf| {
            let wanted = [key.to_string(), app.name_key(kf).into_owned()];
            !ctx.lines.iter().any(|l| l.path(side).is_some_and(|p| p.key == wanted))
        })
        .collect();
    let target = lookup.target.as_deref().unwrap_or("its related entity");
    let expansion = related_key.first().map(|k| format!("{}.{k}", lookup.name));
    for &i in lines {
        let line = &ctx.lines[i];
        let bare = line.path(side).is_some_and(|p| p.is_bare_lookup());
        if !bare && missing.is_empty() {
            continue;
        }
        let role = if flows_into { "data flows into it" } else { "data flows out of it" };
        let message = if bare {
            format!(
                "lookup {} to {target} is mapped bare ({role}); map the integration key of {target} instead{}",
                lookup.name,
                expansion.as_ref().map(|e| format!(", e.g. `{e}`")).unwrap_or_default()
            )
        } else {
            format!(
                "lookup {} to {target} is not mapped with its related key ({role}); also map {}",
                lookup.name,
                missing.iter().map(|m| format!("{}.{m}", lookup.name)).collect::<Vec<_>>().join(", ")
            )
        };
        let mut diagnostic = ctx.diag(code, line.decl.range.clone(), message);
        if let (true, Some(expansion), Some(path)) = (bare, &expansion, line.path(side)) {
            diagnostic = diagnostic.with_fix(
                Fix::replace(format!("Expand to `{expansion}`"), ctx.file, path.decl.range.clone(), expansion.clone())
                    .preferred(),
            );
        }
        ctx.report(diagnostic);
    }
}
