//! Rules of the map as a whole: company scope (DIPV1002), organization
//! mapping for company-specific destinations (DIPV1016), `versionnumber` on
//! exported Dataverse tables (DIPV1019) and required fields left unmapped
//! (DIPV1010).

use super::values::typed_default;
use super::MapCtx;
use crate::analysis::diagnostic::Code;
use crate::analysis::model::Side;
use crate::schema::App;

pub fn check(ctx: &mut MapCtx<'_>) {
    company_scope(ctx);
    organizations(ctx);
    version_number(ctx);
    required_fields(ctx);
}

/// Data flows into `side` when some flow of a line writes a field there.
fn flows_into(ctx: &MapCtx<'_>, side: Side) -> bool {
    ctx.lines.iter().any(|l| l.writes(side) && l.path(side).is_some())
}

/// Data flows out of `side` when some flow reads a field there.
fn flows_out_of(ctx: &MapCtx<'_>, side: Side) -> bool {
    ctx.lines.iter().any(|l| l.writes(side.other()) && l.path(side).is_some())
}

fn company_scope(ctx: &mut MapCtx<'_>) {
    let (left, right) = (ctx.left, ctx.right);
    let shared =
        [left, right].into_iter().find(|s| s.app() == App::FinanceAndOperations && s.entity.cross_company_sharing);
    let message = if let Some(side) = shared {
        format!("{} has cross-company data sharing turned on, which dual-write does not support; turn it off or map another entity", side.entity.name)
    } else if left.entity.company_field.is_some() != right.entity.company_field.is_some() {
        let (company, global) = if left.entity.company_field.is_some() { (left, right) } else { (right, left) };
        format!(
            "{} is company-specific but {} is global (cross-company); both entities of a map must be company-specific, or both global",
            company.entity.name, global.entity.name
        )
    } else {
        return;
    };
    let diagnostic = ctx.diag(Code::Dipv1002, ctx.map.header.clone(), message);
    ctx.report(diagnostic);
}

fn organizations(ctx: &mut MapCtx<'_>) {
    if ctx.set.has_organizations() {
        return;
    }
    let Some(side) = [Side::Right, Side::Left]
        .into_iter()
        .find(|s| flows_into(ctx, *s) && ctx.side(*s).entity.company_field.is_some())
    else {
        return;
    };
    let entity = &ctx.side(side).entity.name;
    let message = format!(
        "data flows into {entity}, which is company-specific, but connection set `{}` has no organization line mapping legal entities to business units",
        ctx.set.decl.name.text
    );
    let diagnostic = ctx.diag(Code::Dipv1016, ctx.map.header.clone(), message).with_related(
        ctx.set.file,
        ctx.set.decl.name.range.clone(),
        "the connection set",
    );
    ctx.report(diagnostic);
}

fn version_number(ctx: &mut MapCtx<'_>) {
    for side in [Side::Left, Side::Right] {
        let resolved = *ctx.side(side);
        if !resolved.app().is_dataverse()
            || resolved.entity.has_version_number(resolved.app())
            || !flows_out_of(ctx, side)
        {
            continue;
        }
        let message = format!(
            "data flows out of {} ({}), which has no versionnumber field, so changes cannot be exported from it; make the map one-way into it",
            resolved.entity.name,
            resolved.entity.kind.as_deref().unwrap_or("standard")
        );
        let diagnostic = ctx.diag(Code::Dipv1019, ctx.map.header.clone(), message);
        ctx.report(diagnostic);
    }
}

/// DIPV1010: every required field of an entity that data flows into must be
/// the destination of some line, or of a path through it (a lookup).
fn required_fields(ctx: &mut MapCtx<'_>) {
    for side in [Side::Left, Side::Right] {
        if !flows_into(ctx, side) {
            continue;
        }
        let resolved = *ctx.side(side);
        let app = resolved.app();
        for field in &resolved.entity.fields {
            if !field.required
                || field.read_only
                || resolved.entity.is_company_field(app, &field.name)
                || app.name_key(&field.name) == "versionnumber"
            {
                continue;
            }
            let key = app.name_key(&field.name);
            let mapped = ctx.lines.iter().any(|l| l.writes(side) && l.path(side).is_some_and(|p| p.key[0] == key));
            if mapped {
                continue;
            }
            let value = typed_default(field);
            let line = match side {
                Side::Right => format!("none >> {} default {value}", field.name),
                Side::Left => format!("{} << none default {value}", field.name),
            };
            let message = format!(
                "required field {} ({}) of {} is not mapped, and data flows into {}",
                field.name,
                field.type_label(),
                resolved.entity.name,
                resolved.entity.name
            );
            let fix = ctx.insert_lines_fix(format!("Add `{line}`"), &[line]);
            let diagnostic = ctx.diag(Code::Dipv1010, ctx.map.header.clone(), message).with_fix(fix);
            ctx.report(diagnostic);
        }
    }
}
