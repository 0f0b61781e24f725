//! Evaluating a map side's source filter on one record. The filter text is
//! parsed once by the checker's own parsers (`analysis::filters::xpp` for
//! finance and operations sides, `analysis::filters::odata` for Dataverse
//! sides), so a filter the checker accepts is exactly the filter that runs.
//!
//! Comparisons follow the sources' databases as an administrator sees them:
//! text compares without regard to case (both products sit on SQL Server's
//! case-insensitive collation), enum and choice values compare by member
//! whether written as a name or a number, a missing or null value equals only
//! `null` and is unequal to every other literal, and an ordering with a
//! missing value is false.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::record_value;
use super::value::member_by_name;
use crate::analysis::filters::{odata, xpp, FilterError, Literal, Operand};
use crate::schema::{App, CachedEntity, CachedField};

/// A parsed source filter, in the grammar of its side's app.
#[derive(Debug, Clone)]
pub enum SourceFilter {
    Xpp(xpp::Expr),
    OData(odata::Expr),
}

impl SourceFilter {
    /// Parses `text` as the filter of a side of `app`; `None` for apps whose
    /// filters have no grammar here (they are not evaluated, and the run
    /// says so).
    pub fn parse(app: App, text: &str) -> Option<Result<SourceFilter, FilterError>> {
        if app == App::FinanceAndOperations {
            Some(xpp::parse(text).map(SourceFilter::Xpp))
        } else if app.is_dataverse() {
            Some(odata::parse(text).map(SourceFilter::OData))
        } else {
            None
        }
    }

    /// Whether `record` of `entity` passes the filter.
    pub fn matches(&self, record: &Map<String, Value>, entity: &CachedEntity, app: App) -> bool {
        let ctx = Context { record, entity, app };
        match self {
            SourceFilter::Xpp(expr) => ctx.xpp(expr),
            SourceFilter::OData(expr) => ctx.odata(expr),
        }
    }
}

/// A value reduced to what comparisons need.
#[derive(Debug, Clone, PartialEq)]
enum Scalar {
    Null,
    Bool(bool),
    Num(f64),
    Text(String),
    /// A calendar date literal: it equals a date and time on that day.
    Date(String),
}

impl Scalar {
    fn text(&self) -> Option<String> {
        match self {
            Scalar::Null => None,
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Num(n) => Some(n.to_string()),
            Scalar::Text(s) | Scalar::Date(s) => Some(s.clone()),
        }
    }
}

struct Context<'a> {
    record: &'a Map<String, Value>,
    entity: &'a CachedEntity,
    app: App,
}

impl Context<'_> {
    fn xpp(&self, expr: &xpp::Expr) -> bool {
        match expr {
            xpp::Expr::Compare { left, op, right, .. } => {
                let field = self.field_of(left).or_else(|| self.field_of(right));
                let (a, b) = (self.operand(left, field), self.operand(right, field));
                match op {
                    xpp::CompareOp::Eq => equal(&a, &b),
                    xpp::CompareOp::Ne => !equal(&a, &b),
                    xpp::CompareOp::Lt => order(&a, &b) == Some(Ordering::Less),
                    xpp::CompareOp::Le => matches!(order(&a, &b), Some(Ordering::Less | Ordering::Equal)),
                    xpp::CompareOp::Gt => order(&a, &b) == Some(Ordering::Greater),
                    xpp::CompareOp::Ge => matches!(order(&a, &b), Some(Ordering::Greater | Ordering::Equal)),
                    xpp::CompareOp::Like => match (a.text(), b.text()) {
                        (Some(text), Some(pattern)) => like(&text.to_lowercase(), &pattern.to_lowercase()),
                        _ => false,
                    },
                }
            }
            xpp::Expr::And { operands, .. } => operands.iter().all(|e| self.xpp(e)),
            xpp::Expr::Or { operands, .. } => operands.iter().any(|e| self.xpp(e)),
            xpp::Expr::Not { operand, .. } => !self.xpp(operand),
        }
    }

    fn odata(&self, expr: &odata::Expr) -> bool {
        match expr {
            odata::Expr::Compare { left, op, right, .. } => {
                let field = self.field_of(left).or_else(|| self.field_of(right));
                let (a, b) = (self.operand(left, field), self.operand(right, field));
                match op {
                    odata::CompareOp::Eq => equal(&a, &b),
                    odata::CompareOp::Ne => !equal(&a, &b),
                    odata::CompareOp::Lt => order(&a, &b) == Some(Ordering::Less),
                    odata::CompareOp::Le => matches!(order(&a, &b), Some(Ordering::Less | Ordering::Equal)),
                    odata::CompareOp::Gt => order(&a, &b) == Some(Ordering::Greater),
                    odata::CompareOp::Ge => matches!(order(&a, &b), Some(Ordering::Greater | Ordering::Equal)),
                }
            }
            odata::Expr::And { operands, .. } => operands.iter().all(|e| self.odata(e)),
            odata::Expr::Or { operands, .. } => operands.iter().any(|e| self.odata(e)),
            odata::Expr::Not { operand, .. } => !self.odata(operand),
            odata::Expr::Call { function, column, argument, .. } => {
                let Some(text) = self.column(&column.name, None).text() else { return false };
                let (text, argument) = (text.to_lowercase(), argument.to_lowercase());
                match function {
                    odata::StringFunction::StartsWith => text.starts_with(&argument),
                    odata::StringFunction::EndsWith => text.ends_with(&argument),
                }
            }
        }
    }

    fn field_of(&self, operand: &Operand) -> Option<&CachedField> {
        self.entity.field(self.app, &operand.column()?.name)
    }

    /// An operand as a scalar; `field` is the column compared with, so that
    /// a literal naming one of its members becomes that member's value.
    fn operand(&self, operand: &Operand, field: Option<&CachedField>) -> Scalar {
        match operand {
            Operand::Column(column) => self.column(&column.name, field),
            Operand::Literal { value, .. } => literal(value, field, self.app),
        }
    }

    fn column(&self, name: &str, field: Option<&CachedField>) -> Scalar {
        let field = field.or_else(|| self.entity.field(self.app, name));
        match record_value(self.record, self.app, name) {
            None | Some(Value::Null) => Scalar::Null,
            Some(Value::Bool(b)) => Scalar::Bool(*b),
            Some(Value::Number(n)) => n.as_f64().map_or(Scalar::Null, Scalar::Num),
            Some(Value::String(s)) => text(s, field, self.app),
            Some(other) => Scalar::Text(other.to_string()),
        }
    }
}

/// Text read as its field's kind of value: a member name as the member's
/// value, a number in a numeric field as the number.
fn text(s: &str, field: Option<&CachedField>, app: App) -> Scalar {
    if let Some(field) = field {
        if field.ty.has_members() {
            if let Some(value) = member_by_name(field, app, s) {
                return Scalar::Num(value as f64);
            }
        }
        if field.ty.is_numeric() || field.ty.has_members() {
            if let Ok(n) = s.trim().parse::<f64>() {
                return Scalar::Num(n);
            }
        }
        if field.ty == crate::schema::FieldType::Boolean {
            if let Ok(b) = s.to_ascii_lowercase().parse::<bool>() {
                return Scalar::Bool(b);
            }
        }
    }
    Scalar::Text(s.to_string())
}

fn literal(value: &Literal, field: Option<&CachedField>, app: App) -> Scalar {
    match value {
        Literal::String(s) => text(s, field, app),
        Literal::Number(n) => Scalar::Num(*n),
        Literal::Bool(b) => Scalar::Bool(*b),
        Literal::Null => Scalar::Null,
        Literal::Guid(g) => Scalar::Text(g.clone()),
        Literal::Date { year, month, day } => Scalar::Date(format!("{year:04}-{month:02}-{day:02}")),
        Literal::DateTime(s) => Scalar::Text(s.clone()),
        Literal::Enum { member, .. } => match field.and_then(|f| member_by_name(f, app, member)) {
            Some(value) => Scalar::Num(value as f64),
            None => Scalar::Text(member.clone()),
        },
    }
}

fn equal(a: &Scalar, b: &Scalar) -> bool {
    match (a, b) {
        (Scalar::Null, Scalar::Null) => true,
        _ => order(a, b) == Some(Ordering::Equal),
    }
}

fn order(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Null, _) | (_, Scalar::Null) => None,
        (Scalar::Num(x), Scalar::Num(y)) => x.partial_cmp(y),
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(y)),
        (Scalar::Text(x), Scalar::Text(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        (Scalar::Date(d), Scalar::Text(t)) | (Scalar::Date(d), Scalar::Date(t)) => {
            Some(d.as_str().cmp(t.get(..10).unwrap_or(t)))
        }
        (Scalar::Text(t), Scalar::Date(d)) => Some(t.get(..10).unwrap_or(t).cmp(d.as_str())),
        (Scalar::Text(t), Scalar::Num(n)) => t.trim().parse::<f64>().ok()?.partial_cmp(n),
        (Scalar::Num(n), Scalar::Text(t)) => n.partial_cmp(&t.trim().parse::<f64>().ok()?),
        _ => None,
    }
}

/// X++ `like`: `*` matches any run of characters, `?` one character.
fn like(text: &str, pattern: &str) -> bool {
    let (t, p): (Vec<char>, Vec<char>) = (text.chars().collect(), pattern.chars().collect());
    let (mut ti, mut pi) = (0, 0);
    // Where the last `*` was and the text position it was tried against, so
    // that a mismatch retries with the star taking one more character.
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::CachedSchema;

    fn entity(app: App) -> CachedSchema {
        let json = serde_json::json!({
            "format": 1, "environment": "e", "app": app,
            "entities": [{ "name": "E", "fields": [
                { "name": "PartyType", "type": "enum", "values": { "None": 0, "Person": 1, "Organization": 2 } },
                { "name": "Name", "type": "string" },
                { "name": "Amount", "type": "decimal" },
                { "name": "customertypecode", "type": "choice", "options": { "Customer": 3, "Other": 4 } },
                { "name": "Born", "type": "date" }
            ]}]
        });
        CachedSchema::from_json(&json.to_string(), "e.json".into()).unwrap()
    }

    fn passes(app: App, filter: &str, record: Value) -> bool {
        let schema = entity(app);
        let parsed = SourceFilter::parse(app, filter).unwrap().unwrap();
        parsed.matches(record.as_object().unwrap(), schema.entity_at(0).unwrap(), app)
    }

    #[test]
    fn xpp_compares_enums_by_member_and_fields_without_case() {
        let fo = App::FinanceAndOperations;
        assert!(passes(fo, r#"((PARTYTYPE == "Organization"))"#, serde_json::json!({ "partytype": "Organization" })));
        assert!(passes(fo, r#"((PartyType == PartyType::Organization))"#, serde_json::json!({ "PartyType": 2 })));
        assert!(!passes(fo, r#"((PartyType == "Organization"))"#, serde_json::json!({ "PartyType": "Person" })));
        assert!(!passes(fo, r#"((PartyType == "Organization"))"#, serde_json::json!({})));
        assert!(passes(fo, r#"((Name like "con*s?"))"#, serde_json::json!({ "Name": "CONTOSO" })));
        assert!(!passes(fo, r#"((Name like "con*x"))"#, serde_json::json!({ "Name": "Contoso" })));
        assert!(passes(fo, r#"((Amount >= 10) && (Amount < 20))"#, serde_json::json!({ "Amount": 10 })));
        assert!(passes(fo, r#"((Amount > 20) || (!(Name == "a")))"#, serde_json::json!({ "Amount": 1, "Name": "b" })));
        assert!(passes(fo, r#"((Born == 23\06\2021))"#, serde_json::json!({ "Born": "2021-06-23" })));
    }

    #[test]
    fn odata_compares_choices_nulls_and_string_functions() {
        let dv = App::Dataverse;
        assert!(passes(dv, "customertypecode eq 3", serde_json::json!({ "customertypecode": 3 })));
        assert!(passes(dv, "customertypecode eq 3", serde_json::json!({ "customertypecode": "Customer" })));
        assert!(!passes(dv, "customertypecode eq 3", serde_json::json!({ "customertypecode": null })));
        assert!(passes(dv, "Name eq null", serde_json::json!({})));
        assert!(passes(dv, "Name ne 'x'", serde_json::json!({})));
        assert!(passes(
            dv,
            "startswith(Name, 'con') and not (Amount gt 5)",
            serde_json::json!({ "Name": "Contoso", "Amount": 5 })
        ));
        assert!(!passes(
            dv,
            "endswith(Name, 'x') or Amount lt 1",
            serde_json::json!({ "Name": "Contoso", "Amount": 5 })
        ));
        // Dataverse names are matched exactly.
        assert!(!passes(dv, "Name eq 'a'", serde_json::json!({ "name": "a" })));
    }

    #[test]
    fn like_backtracks_over_stars() {
        assert!(like("abcbd", "a*bd"));
        assert!(like("", "*"));
        assert!(!like("ab", "a"));
        assert!(like("ab", "a?"));
    }
}
