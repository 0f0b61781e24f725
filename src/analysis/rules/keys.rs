//! The integration key of the right entity (the map's `key` line, or the
//! cache's first key): missing altogether (DIPV1003), a key field touched by
//! no line (DIPV1014), a lookup key field not mapped through its related key
//! (DIPV1015), and a key field mapped only one way on a bidirectional map
//! (DIPV1004). The company field never needs a mapping.

use super::MapCtx;
use crate::analysis::diagnostic::{Code, Fix};
use crate::analysis::resolve::resolve_path;
use crate::schema::{CachedField, FieldType};

/// One field of the integration key, as normalized path segments.
pub struct KeyField<'w> {
    pub path: Vec<String>,
    pub text: String,
    /// The lookup field, when the key field is a bare lookup.
    pub lookup: Option<&'w CachedField>,
}

/// The integration key's fields, without the company field; `None` when
/// the map has no integration key at all.
pub fn key_fields<'w>(ctx: &MapCtx<'w>) -> Option<Vec<KeyField<'w>>> {
    let right = ctx.right;
    let app = right.app();
    let mut fields = Vec::new();
    if let Some(key) = ctx.map.keys.first() {
        for path in &key.paths {
            // An unknown key field was reported by `check`; it is no key.
            let Ok(resolved) = resolve_path(right.schema, right.entity, path) else { continue };
            let lookup = (resolved.is_bare_lookup()).then(|| resolved.first());
            fields.push(KeyField { path: resolved.key.clone(), text: path.text(), lookup });
        }
    } else {
        let key = right.entity.keys.first().filter(|k| !k.fields.is_empty())?;
        for name in &key.fields {
            let field = right.entity.field(app, name);
            let lookup = field.filter(|f| f.ty == FieldType::Lookup);
            fields.push(KeyField { path: vec![app.name_key(name).into_owned()], text: name.clone(), lookup });
        }
    }
    fields.retain(|f| !(f.path.len() == 1 && right.entity.is_company_field(app, &f.path[0])));
    Some(fields)
}

pub fn check(ctx: &mut MapCtx<'_>) {
    unknown_key_paths(ctx);
    let Some(fields) = key_fields(ctx) else {
        missing_key(ctx);
        return;
    };
    let place = ctx.map.keys.first().map_or(ctx.map.header.clone(), |k| k.range.clone());
    let any_both = ctx.lines.iter().any(|l| l.is_both());
    for field in &fields {
        let touching: Vec<usize> = (0..ctx.lines.len())
            .filter(|&i| ctx.lines[i].right.as_ref().is_some_and(|p| p.key.starts_with(&field.path)))
            .collect();
        if touching.is_empty() {
            let source = closest_left_field(ctx, &field.text);
            let line = format!("{source} = {}", field.text);
            let fix = ctx.insert_lines_fix(format!("Add `{line}`"), &[line]);
            let message =
                format!("integration key field {} of {} is not mapped by any line", field.text, ctx.right.entity.name);
            let diagnostic = ctx.diag(Code::Dipv1014, place.clone(), message).with_fix(fix);
            ctx.report(diagnostic);
            continue;
        }
        if let Some(lookup) = field.lookup {
            lookup_key(ctx, field, lookup, &touching, &place);
        }
        if any_both && !touching.iter().any(|&i| ctx.lines[i].is_both()) {
            for &i in &touching {
                let decl = ctx.lines[i].decl;
                let symbol = if ctx.lines[i].has_transform() { "><" } else { "=" };
                let message = format!(
                    "integration key field {} is mapped one way only, but map `{}` has bidirectional lines: dual-write must find each record from both sides",
                    field.text, ctx.map.name.text
                );
                let fix = Fix::replace(
                    format!("Make the line bidirectional (`{symbol}`)"),
                    ctx.file,
                    decl.direction.range.clone(),
                    symbol,
                )
                .preferred();
                let diagnostic = ctx.diag(Code::Dipv1004, decl.range.clone(), message).with_fix(fix);
                ctx.report(diagnostic);
            }
        }
    }
}

/// DIPV1015 for a key field that is a lookup.
fn lookup_key(
    ctx: &mut MapCtx<'_>,
    field: &KeyField<'_>,
    lookup: &CachedField,
    touching: &[usize],
    place: &std::ops::Range<usize>,
) {
    let right = ctx.right;
    let app = right.app();
    let bare = touching.iter().any(|&i| ctx.lines[i].right.as_ref().is_some_and(|p| p.key.len() == 1));
    let related = lookup.target.as_deref().and_then(|t| right.schema.entity(t));
    let missing: Vec<String> = related
        .and_then(|r| r.keys.first().map(|k| (r, k)))
        .map(|(related, key)| {
            key.fields
                .iter()
                .filter(|kf| !related.is_company_field(app, kf))
                .filter(|kf| {
                    let wanted = [field.path[0].clone(), app.name_key(kf).into_owned()];
                    !ctx.lines.iter().any(|l| l.right.as_ref().is_some_and(|p| p.key == wanted))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if !bare && missing.is_empty() {
        return;
    }
    let target = lookup.target.as_deref().unwrap_or("its related entity");
    let message = if missing.is_empty() {
        format!("integration key field {} is a lookup to {target} and is mapped bare; map it through its related key ({}.KEYFIELD)", field.text, field.text)
    } else {
        format!(
            "integration key field {} is a lookup to {target}; map its related key: {}",
            field.text,
            missing.iter().map(|m| format!("{}.{m}", field.text)).collect::<Vec<_>>().join(", ")
        )
    };
    let lines: Vec<String> =
        missing.iter().map(|m| format!("{} = {}.{m}", closest_left_field(ctx, m), field.text)).collect();
    let mut diagnostic = ctx.diag(Code::Dipv1015, place.clone(), message);
    if !lines.is_empty() {
        diagnostic = diagnostic.with_fix(ctx.insert_lines_fix("Add the missing key mappings", &lines));
    }
    ctx.report(diagnostic);
}

/// DIPV1025 for a `key` path the right entity does not have.
fn unknown_key_paths(ctx: &mut MapCtx<'_>) {
    let right = ctx.right;
    for key in &ctx.map.keys {
        for path in &key.paths {
            if let Err(err) = resolve_path(right.schema, right.entity, path) {
                let segment = &path.segments[err.segment.min(path.segments.len() - 1)];
                let fixes: Vec<Fix> = err
                    .suggestions
                    .iter()
                    .map(|s| Fix::replace(format!("Use `{s}`"), ctx.file, segment.range.clone(), s.clone()))
                    .collect();
                let diagnostic = ctx
                    .diag(Code::Dipv1025, path.range.clone(), format!("key field `{}`: {}", path.text(), err.message))
                    .with_fixes(fixes);
                ctx.report(diagnostic);
            }
        }
    }
}

/// DIPV1003: no key line and no key in the cache.
fn missing_key(ctx: &mut MapCtx<'_>) {
    let candidate = ctx
        .lines
        .iter()
        .filter_map(|l| l.right.as_ref())
        .find(|p| p.steps.len() == 1 && p.first().required && p.ty() != FieldType::Lookup)
        .or_else(|| ctx.lines.iter().filter_map(|l| l.right.as_ref()).find(|p| p.steps.len() == 1))
        .map(|p| p.first().name.clone());
    let message = format!(
        "{} has no integration key in the cache of \"{}\" and map `{}` has no `key` line: records cannot be matched",
        ctx.right.entity.name, ctx.right.schema.environment, ctx.map.name.text
    );
    let mut diagnostic = ctx.diag(Code::Dipv1003, ctx.map.header.clone(), message);
    if let Some(field) = candidate {
        let line = format!("key {field}");
        diagnostic = diagnostic.with_fix(ctx.insert_lines_fix(format!("Add `{line}`"), &[line]));
    }
    ctx.report(diagnostic);
}

/// The left field whose name is closest to `name`, for a new mapping line.
fn closest_left_field(ctx: &MapCtx<'_>, name: &str) -> String {
    let left = &ctx.left.entity.fields;
    crate::analysis::suggest::closest(name, left.iter().map(|f| f.name.as_str()))
        .first()
        .map(|s| s.to_string())
        .or_else(|| left.iter().find(|f| f.name.eq_ignore_ascii_case(name)).map(|f| f.name.clone()))
        .unwrap_or_else(|| "none".to_string())
}
