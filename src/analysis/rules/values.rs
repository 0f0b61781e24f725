//! Literal values against fields: whether a `default` or a `value_map`
//! value fits a field (its type, members and length), and the typed value a
//! fix writes for a field.

use crate::analysis::model::{ValueDecl, ValueKind};
use crate::schema::{App, CachedField, FieldType};

/// How a value that fits compares with others of the same field: member
/// names and numbers of one member are the same value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Normalized {
    Member(i64),
    Text(String),
}

/// Checks `value` against `field`; on success returns the value in a form
/// that compares equal for the same member, on failure why it does not fit.
pub fn fits(value: &ValueDecl, field: &CachedField, app: App) -> Result<Normalized, String> {
    let shown = value.display();
    let ty = field.ty;
    match (&value.kind, ty) {
        (ValueKind::Null, _) => Ok(Normalized::Text("null".into())),
        (ValueKind::Ident(name) | ValueKind::String(name), _) if ty.has_members() => {
            member_by_name(field, app, name).map(Normalized::Member).ok_or_else(|| {
                format!("{shown} is not a member of {} ({}: {})", field.name, ty.name(), member_list(field))
            })
        }
        (ValueKind::Number(number), _) if ty.has_members() => number
            .parse::<i64>()
            .ok()
            .filter(|n| field.members().any(|(_, v)| v == *n))
            .map(Normalized::Member)
            .ok_or_else(|| {
                format!(
                    "{shown} is not the value of a member of {} ({}: {})",
                    field.name,
                    ty.name(),
                    member_list(field)
                )
            }),
        (ValueKind::Bool(b), FieldType::Boolean) => Ok(Normalized::Text(b.to_string())),
        // The product stores value-map values as strings ("true"), and maps
        // imported from it keep them so: they are the same booleans.
        (ValueKind::String(s), FieldType::Boolean) if s == "true" || s == "false" => Ok(Normalized::Text(s.clone())),
        (_, FieldType::Boolean) => Err(format!("{} is a boolean: use true or false, not {shown}", field.name)),
        (ValueKind::String(s), FieldType::String | FieldType::Memo) => Ok(Normalized::Text(s.clone())),
        (ValueKind::Ident(s) | ValueKind::Number(s), FieldType::String | FieldType::Memo) => {
            Ok(Normalized::Text(s.clone()))
        }
        (ValueKind::Number(n), FieldType::Integer | FieldType::Bigint) => {
            let parsed = n.parse::<i64>().ok();
            let in_range = parsed.is_some_and(|v| ty == FieldType::Bigint || i32::try_from(v).is_ok());
            if in_range {
                Ok(Normalized::Text(n.clone()))
            } else {
                Err(format!("{shown} is not a whole number that fits {} ({})", field.name, ty.name()))
            }
        }
        (ValueKind::Number(n), FieldType::Decimal | FieldType::Money | FieldType::Double) => {
            Ok(Normalized::Text(n.clone()))
        }
        (ValueKind::String(s), FieldType::Date) if is_date(s) => Ok(Normalized::Text(s.clone())),
        (ValueKind::String(s), FieldType::Datetime) if is_date(s.get(..10).unwrap_or("")) => {
            Ok(Normalized::Text(s.clone()))
        }
        (ValueKind::String(s), FieldType::Guid) if is_guid(s) => Ok(Normalized::Text(s.to_ascii_lowercase())),
        (ValueKind::String(s) | ValueKind::Number(s), FieldType::Lookup) => Ok(Normalized::Text(s.clone())),
        _ => Err(format!("{shown} does not fit {} ({})", field.name, expected(ty))),
    }
}

/// Also checks a `default` against the destination's length: a value longer
/// than `max_length` would be refused by the destination.
pub fn default_fits(value: &ValueDecl, field: &CachedField, app: App) -> Result<(), String> {
    if value.kind == ValueKind::Null && field.required {
        return Err(format!("null cannot be the default of {}, which is required", field.name));
    }
    fits(value, field, app)?;
    if let (ValueKind::String(s), Some(max)) = (&value.kind, field.max_length) {
        let len = s.chars().count();
        if field.ty.is_text() && len > max as usize {
            return Err(format!(
                "{} is {len} characters long, longer than {} ({})",
                value.display(),
                field.name,
                field.type_label()
            ));
        }
    }
    Ok(())
}

fn expected(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Integer | FieldType::Bigint => "a whole number",
        FieldType::Decimal | FieldType::Money | FieldType::Double => "a number",
        FieldType::Date => "a date, \"yyyy-mm-dd\"",
        FieldType::Datetime => "a date and time, \"yyyy-mm-ddThh:mm:ssZ\"",
        FieldType::Guid => "a GUID string",
        FieldType::Image | FieldType::File => "no literal value",
        FieldType::String | FieldType::Memo => "a string",
        _ => "a literal of its type",
    }
}

fn member_by_name(field: &CachedField, app: App, name: &str) -> Option<i64> {
    field
        .members()
        .find(|(member, _)| if app.ignores_case() { member.eq_ignore_ascii_case(name) } else { *member == name })
        .map(|(_, value)| value)
}

fn member_list(field: &CachedField) -> String {
    let names: Vec<&str> = field.members().map(|(n, _)| n).take(12).collect();
    if names.is_empty() {
        "no members".into()
    } else {
        names.join(", ")
    }
}

pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The literal a fix writes as the default of `field`: 0, "", false, the
/// first member, or today's date.
pub fn typed_default(field: &CachedField) -> String {
    match field.ty {
        FieldType::String | FieldType::Memo | FieldType::Lookup => "\"\"".into(),
        FieldType::Integer | FieldType::Bigint | FieldType::Decimal | FieldType::Money | FieldType::Double => {
            "0".into()
        }
        FieldType::Boolean => "false".into(),
        FieldType::Enum | FieldType::Choice | FieldType::Multichoice => {
            field.members().next().map_or_else(|| "0".into(), |(name, _)| member_literal(name))
        }
        FieldType::Date => format!("\"{}\"", today()),
        FieldType::Datetime => format!("\"{}T00:00:00Z\"", today()),
        FieldType::Guid => "\"00000000-0000-0000-0000-000000000000\"".into(),
        FieldType::Image | FieldType::File => "null".into(),
    }
}

/// A member name as a literal: bare when it is an identifier (or a
/// boolean), quoted otherwise (choice labels may hold spaces).
pub fn member_literal(name: &str) -> String {
    if is_identifier(name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Today's date in UTC as `yyyy-mm-dd`.
fn today() -> String {
    crate::clock::now_rfc3339()[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_date() {
        assert!(is_date(&today()), "{}", today());
    }
}
