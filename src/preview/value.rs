//! Record values against cached fields: reading CSV text as its source
//! field's type, checking a destination value against its field (type,
//! `max_length`, enum and choice members) and writing it in the form the
//! destination's API uses, and comparing a source value with a `value_map`
//! entry. The checker's `rules::values` judges literals written in a map;
//! this module judges the data that flows through it at run time.

use crate::analysis::{is_date, is_guid};
use serde_json::{Number, Value};

use crate::analysis::model::{ValueDecl, ValueKind};
use crate::schema::{App, CachedField, FieldType};

/// The member of an enum or choice field that `name` names; finance and
/// operations member names match without regard to case.
pub fn member_by_name(field: &CachedField, app: App, name: &str) -> Option<i64> {
    field
        .members()
        .find(|(member, _)| if app.ignores_case() { member.eq_ignore_ascii_case(name) } else { *member == name })
        .map(|(_, value)| value)
}

/// Reads one CSV cell as a value of `field`: an empty cell is null, and
/// other text becomes a number or a boolean when the field is one. Members
/// stay text (a name or a number) and are judged at the destination.
pub fn from_csv(text: &str, field: Option<&CachedField>) -> Result<Value, String> {
    if text.is_empty() {
        return Ok(Value::Null);
    }
    let Some(field) = field else { return Ok(Value::String(text.to_string())) };
    let wrong =
        |expected: &str| Err(format!("`{text}` in column {} is not {expected} ({})", field.name, field.type_label()));
    match field.ty {
        FieldType::Integer | FieldType::Bigint => match text.trim().parse::<i64>() {
            Ok(n) => Ok(Value::from(n)),
            Err(_) => wrong("a whole number"),
        },
        FieldType::Decimal | FieldType::Money | FieldType::Double => {
            match text.trim().parse::<f64>().ok().and_then(Number::from_f64) {
                Some(n) => Ok(Value::Number(n)),
                None => wrong("a number"),
            }
        }
        FieldType::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Value::Bool(true)),
            "false" | "0" | "no" => Ok(Value::Bool(false)),
            _ => wrong("a boolean"),
        },
        _ => Ok(Value::String(text.to_string())),
    }
}

/// A value as a short quoted text for messages.
pub fn show(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Checks a destination value against its field and returns it in the
/// destination's form: enum members (finance and operations) by name,
/// choice options (Dataverse) by number, as each app's API writes them.
/// Null passes here; whether the field may be null is the caller's check.
pub fn check(field: &CachedField, app: App, value: &Value) -> Result<Value, String> {
    let shown = show(value);
    let wrong =
        |expected: &str| format!("{shown} does not fit {} ({}): expected {expected}", field.name, field.type_label());
    match (field.ty, value) {
        (_, Value::Null) => Ok(Value::Null),
        (FieldType::String | FieldType::Memo, _) => {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(wrong("text")),
            };
            let len = text.chars().count();
            match field.max_length {
                Some(max) if len > max as usize => Err(format!(
                    "{shown} is {len} characters long, longer than {} ({})",
                    field.name,
                    field.type_label()
                )),
                _ => Ok(Value::String(text)),
            }
        }
        (FieldType::Integer | FieldType::Bigint, _) => {
            let n = match value {
                Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            };
            match n {
                Some(n) if field.ty == FieldType::Bigint || i32::try_from(n).is_ok() => Ok(Value::from(n)),
                Some(_) => Err(format!("{shown} is out of range for {} ({})", field.name, field.type_label())),
                None => Err(wrong("a whole number")),
            }
        }
        (FieldType::Decimal | FieldType::Money | FieldType::Double, _) => match value {
            Value::Number(_) => Ok(value.clone()),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| wrong("a number")),
            _ => Err(wrong("a number")),
        },
        (FieldType::Boolean, Value::Bool(_)) => Ok(value.clone()),
        (FieldType::Boolean, Value::String(s)) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
            Ok(Value::Bool(s.eq_ignore_ascii_case("true")))
        }
        (FieldType::Boolean, _) => Err(wrong("true or false")),
        (FieldType::Date, Value::String(s)) if is_date(s) => Ok(value.clone()),
        (FieldType::Date, _) => Err(wrong("a date, yyyy-mm-dd")),
        (FieldType::Datetime, Value::String(s)) if is_date(s.get(..10).unwrap_or("")) => Ok(value.clone()),
        (FieldType::Datetime, _) => Err(wrong("a date and time, yyyy-mm-ddThh:mm:ssZ")),
        (FieldType::Guid, Value::String(s)) if is_guid(s) => Ok(Value::String(s.to_ascii_lowercase())),
        (FieldType::Guid, _) => Err(wrong("a GUID")),
        (FieldType::Enum | FieldType::Choice, _) => {
            let member = member_of(field, app, value).ok_or_else(|| not_a_member(field, &shown))?;
            Ok(canonical_member(field, member))
        }
        (FieldType::Multichoice, _) => {
            let items: Vec<Value> = match value {
                Value::Array(items) => items.clone(),
                Value::String(s) => s.split(',').map(|p| Value::String(p.trim().to_string())).collect(),
                other => vec![other.clone()],
            };
            items
                .iter()
                .map(|item| {
                    member_of(field, app, item).map(Value::from).ok_or_else(|| not_a_member(field, &show(item)))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        (FieldType::Lookup | FieldType::Image | FieldType::File, Value::String(_)) => Ok(value.clone()),
        (FieldType::Lookup, Value::Number(n)) => Ok(Value::String(n.to_string())),
        (FieldType::Lookup | FieldType::Image | FieldType::File, _) => Err(wrong("text")),
    }
}

fn not_a_member(field: &CachedField, shown: &str) -> String {
    let names: Vec<&str> = field.members().map(|(n, _)| n).take(12).collect();
    format!("{shown} is not a member of {} ({}: {})", field.name, field.ty.name(), names.join(", "))
}

/// The member value `value` names, by name or by number.
fn member_of(field: &CachedField, app: App, value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => member_by_name(field, app, s)
            .or_else(|| s.trim().parse::<i64>().ok().filter(|n| field.members().any(|(_, v)| v == *n))),
        Value::Number(n) => n.as_i64().filter(|n| field.members().any(|(_, v)| v == *n)),
        _ => None,
    }
}

fn canonical_member(field: &CachedField, member: i64) -> Value {
    if field.ty == FieldType::Enum {
        let name = field.members().find(|(_, v)| *v == member).map(|(n, _)| n.to_string());
        name.map_or_else(|| Value::from(member), Value::String)
    } else {
        Value::from(member)
    }
}

/// A value of a map's text (`default`, a `value_map` side) as record data.
pub fn from_decl(decl: &ValueDecl) -> Value {
    match &decl.kind {
        ValueKind::Ident(s) | ValueKind::String(s) => Value::String(s.clone()),
        ValueKind::Number(s) => s
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| s.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number))
            .unwrap_or_else(|| Value::String(s.clone())),
        ValueKind::Bool(b) => Value::Bool(*b),
        ValueKind::Null => Value::Null,
    }
}

/// What a value is for matching `value_map` entries: members by value,
/// numbers by value, booleans with their string forms, text as written
/// (without case on finance and operations sides).
#[derive(Debug, Clone, PartialEq)]
enum MatchKey {
    Null,
    Member(i64),
    Num(f64),
    Bool(bool),
    Text(String),
}

fn match_key(value: &Value, field: Option<&CachedField>, app: App) -> MatchKey {
    if value.is_null() {
        return MatchKey::Null;
    }
    if let Some(field) = field {
        if field.ty.has_members() {
            if let Some(member) = member_of(field, app, value) {
                return MatchKey::Member(member);
            }
        }
        if field.ty == FieldType::Boolean {
            if let Ok(Value::Bool(b)) = check(field, app, value) {
                return MatchKey::Bool(b);
            }
        }
    }
    match value {
        Value::Number(n) => n.as_f64().map_or(MatchKey::Null, MatchKey::Num),
        Value::Bool(b) => MatchKey::Bool(*b),
        Value::String(s) if field.is_some_and(|f| f.ty.is_numeric()) && s.trim().parse::<f64>().is_ok() => {
            MatchKey::Num(s.trim().parse().unwrap_or_default())
        }
        Value::String(s) if app.ignores_case() => MatchKey::Text(s.to_lowercase()),
        Value::String(s) => MatchKey::Text(s.clone()),
        other => MatchKey::Text(other.to_string()),
    }
}

/// Whether a source value is the value an entry of the source side names.
pub fn value_map_matches(source: &Value, entry: &ValueDecl, field: Option<&CachedField>, app: App) -> bool {
    match_key(source, field, app) == match_key(&from_decl(entry), field, app)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(json: Value) -> CachedField {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn destination_values_are_checked_and_written_in_the_apps_form() {
        let text = field(json!({ "name": "code", "type": "string", "max_length": 3 }));
        assert_eq!(check(&text, App::Dataverse, &json!("USD")), Ok(json!("USD")));
        assert!(check(&text, App::Dataverse, &json!("EURO")).unwrap_err().contains("4 characters long"));
        let int = field(json!({ "name": "n", "type": "integer" }));
        assert_eq!(check(&int, App::Dataverse, &json!("12")), Ok(json!(12)));
        assert!(check(&int, App::Dataverse, &json!("abc")).unwrap_err().contains("expected a whole number"));
        assert!(check(&int, App::Dataverse, &json!(5_000_000_000i64)).unwrap_err().contains("out of range"));
        let choice = field(json!({ "name": "c", "type": "choice", "options": { "No": 10, "Yes": 11 } }));
        assert_eq!(check(&choice, App::Dataverse, &json!("Yes")), Ok(json!(11)));
        assert_eq!(check(&choice, App::Dataverse, &json!(10)), Ok(json!(10)));
        assert!(check(&choice, App::Dataverse, &json!("yes")).unwrap_err().contains("not a member"));
        let en = field(json!({ "name": "E", "type": "enum", "values": { "No": 0, "Yes": 1 } }));
        assert_eq!(check(&en, App::FinanceAndOperations, &json!("yes")), Ok(json!("Yes")));
        assert_eq!(check(&en, App::FinanceAndOperations, &json!(0)), Ok(json!("No")));
        let boolean = field(json!({ "name": "b", "type": "boolean" }));
        assert_eq!(check(&boolean, App::Dataverse, &json!("true")), Ok(json!(true)));
        assert!(check(&boolean, App::Dataverse, &json!(1)).is_err());
        let date = field(json!({ "name": "d", "type": "date" }));
        assert!(check(&date, App::Dataverse, &json!("2021-02-30x")).is_err());
    }

    #[test]
    fn csv_cells_follow_the_source_type() {
        let int = field(json!({ "name": "N", "type": "integer" }));
        assert_eq!(from_csv("42", Some(&int)), Ok(json!(42)));
        assert_eq!(from_csv("", Some(&int)), Ok(Value::Null));
        assert!(from_csv("4x", Some(&int)).unwrap_err().contains("not a whole number"));
        assert_eq!(from_csv("0042", None), Ok(json!("0042")));
    }

    #[test]
    fn value_map_entries_match_by_member_and_by_text() {
        let en = field(json!({ "name": "E", "type": "enum", "values": { "No": 0, "All": 2 } }));
        let decl = |kind| ValueDecl { kind, range: 0..0 };
        let fo = App::FinanceAndOperations;
        assert!(value_map_matches(&json!("all"), &decl(ValueKind::Ident("All".into())), Some(&en), fo));
        assert!(value_map_matches(&json!(2), &decl(ValueKind::Ident("All".into())), Some(&en), fo));
        assert!(!value_map_matches(&json!("No"), &decl(ValueKind::Ident("All".into())), Some(&en), fo));
        assert!(value_map_matches(&json!(7), &decl(ValueKind::Number("7".into())), None, App::Dataverse));
        assert!(value_map_matches(&Value::Null, &decl(ValueKind::Null), None, App::Dataverse));
        assert!(!value_map_matches(&json!("null"), &decl(ValueKind::Null), None, App::Dataverse));
    }
}
