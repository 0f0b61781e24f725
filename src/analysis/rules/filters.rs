//! Source filters: each `filter` is parsed with the real parser of its
//! side's app (X++ query ranges on finance and operations, OData `$filter`
//! on Dataverse) and its columns resolved against the side's entity.
//! Positions inside the filter are mapped back into the string literal.

use crate::analysis::diagnostic::{Code, Diagnostic, FileId, Fix};
use crate::analysis::filters::{odata, xpp, ColumnRef, FilterError};
use crate::analysis::model::MapDecl;
use crate::analysis::resolve::ResolvedSide;
use crate::analysis::suggest::{closest, did_you_mean};
use crate::schema::App;

pub fn check(file: FileId, map: &MapDecl, sides: [Option<ResolvedSide<'_>>; 2], out: &mut Vec<Diagnostic>) {
    for filter in &map.filters {
        let Some(side) = sides.iter().flatten().find(|s| s.alias == filter.alias.text) else { continue };
        let Some(expression) = &filter.expression else { continue };
        let app = side.app();
        let (code, result): (Code, Result<Vec<ColumnRef>, FilterError>) = if app == App::FinanceAndOperations {
            (Code::Dimap0008, xpp::parse(&expression.value).map(|e| e.columns()))
        } else if app.is_dataverse() {
            (Code::Dipv1012, odata::parse(&expression.value).map(|e| e.columns()))
        } else {
            continue;
        };
        let language = if code == Code::Dimap0008 { "X++ query range" } else { "OData filter" };
        match result {
            Err(err) => {
                let range = expression.to_source(err.range.clone());
                out.push(Diagnostic::new(
                    code,
                    file,
                    range,
                    format!("{language} of {}: {}", side.entity.name, err.message),
                ));
            }
            Ok(columns) => {
                for column in columns {
                    if side.entity.field(app, &column.name).is_some() {
                        continue;
                    }
                    let range = expression.to_source(column.range.clone());
                    let suggestions = closest(&column.name, side.entity.fields.iter().map(|f| f.name.as_str()));
                    let what = if code == Code::Dimap0008 { "field" } else { "column" };
                    out.push(
                        Diagnostic::new(
                            code,
                            file,
                            range.clone(),
                            format!(
                                "{language}: {} has no {what} `{}`{}",
                                side.entity.name,
                                column.name,
                                did_you_mean(&suggestions)
                            ),
                        )
                        .with_fixes(
                            suggestions.iter().map(|s| Fix::replace(format!("Use `{s}`"), file, range.clone(), *s)),
                        ),
                    );
                }
            }
        }
    }
}
