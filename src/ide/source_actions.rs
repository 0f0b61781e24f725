//! Source actions of a map: "Map all unmapped required fields" (every
//! DIPV1010 fix of the map in one edit) and "Map fields with matching names"
//! (a line for each pair of same-named fields that no line maps yet, when
//! their types are compatible).

use crate::analysis::model::{Direction, Side};
use crate::analysis::query::Index;
use crate::analysis::{Code, Diagnostic, Edit, FileId, Fix, Location, Workspace};

pub fn source_actions(ws: &Workspace, file: FileId, offset: usize, findings: &[Diagnostic]) -> Vec<Fix> {
    let index = Index::new(ws);
    let Some(scope) = index.map_at(file, offset) else { return Vec::new() };
    let map = scope.map;
    let mut out = Vec::new();
    let inserts: Vec<&Edit> = findings
        .iter()
        .filter(|d| d.code == Code::Dipv1010 && d.location.file == file && d.location.range == map.header)
        .filter_map(|d| d.fixes.first())
        .flat_map(|f| &f.edits)
        .collect();
    if let Some(first) = inserts.first() {
        let text: String = inserts.iter().map(|e| e.new_text.as_str()).collect();
        out.push(Fix {
            title: format!("Map all unmapped required fields of `{}` ({})", map.name.text, inserts.len()),
            edits: vec![Edit { location: first.location.clone(), new_text: text }],
            preferred: false,
        });
    }
    let (Some(left), Some(right)) = (scope.left.as_ref(), scope.right.as_ref()) else { return out };
    let mapped = |side: Side, name: &str| {
        let app = if side == Side::Left { left.app() } else { right.app() };
        map.lines.iter().any(|l| {
            l.side(side)
                .path()
                .and_then(|p| p.segments.first())
                .is_some_and(|s| app.name_key(&s.text) == app.name_key(name))
        })
    };
    let direction = map.direction.as_ref().map_or(Direction::Both, |d| d.direction);
    let symbol = direction.symbol(false);
    let mut lines = Vec::new();
    for field in &left.entity.fields {
        let Some(partner) = right.entity.fields.iter().find(|r| r.name.eq_ignore_ascii_case(&field.name)) else {
            continue;
        };
        if mapped(Side::Left, &field.name) || mapped(Side::Right, &partner.name) || field.read_only || partner.read_only
        {
            continue;
        }
        let ok = direction.flows().iter().all(|flow| match flow.source() {
            Side::Left => crate::analysis::compatible(field, partner, false),
            Side::Right => crate::analysis::compatible(partner, field, false),
        });
        if ok {
            lines.push(format!("{}{} {symbol} {}\n", map.indent, field.name, partner.name));
        }
    }
    if !lines.is_empty() {
        out.push(Fix {
            title: format!("Map fields with matching names in `{}` ({})", map.name.text, lines.len()),
            edits: vec![Edit {
                location: Location { file, range: map.insert_at..map.insert_at },
                new_text: lines.concat(),
            }],
            preferred: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::{schemas, CONNECTIONS};
    use crate::analysis::SourceInput;

    #[test]
    fn both_source_actions_for_a_half_mapped_map() {
        let maps = "project \"P\" dual_write contoso {\n  map c fo.Currencies = dv.transactioncurrency {\n    NAME = currencyname\n  }\n}\n";
        let inputs = vec![
            SourceInput { path: "c.dimap".into(), text: CONNECTIONS.into(), invalid_utf8_at: None },
            SourceInput { path: "maps.dimap".into(), text: maps.into(), invalid_utf8_at: None },
        ];
        let ws = Workspace::new(inputs, schemas(), String::new());
        let file = ws.file_id("maps.dimap").unwrap();
        let findings = crate::analysis::check(&ws);
        let actions = source_actions(&ws, file, maps.find("NAME").unwrap(), &findings);
        let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, vec!["Map all unmapped required fields of `c` (2)"]);
        assert_eq!(
            actions[0].edits[0].new_text,
            "    CURRENCYCODE << none default \"\"\n    none >> isocurrencycode default \"\"\n"
        );
    }
}
