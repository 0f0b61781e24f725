//! Completion from the cached schemas: entity names after `ALIAS.` in a map
//! header, the side's field names on each side of a line (required unmapped
//! fields first, mapped ones last), related fields after `lookup.`, and
//! members after `default`. The context is read from the line's text before
//! the cursor, so it works on half-typed lines the parser cannot use.

use crate::analysis::model::Side;
use crate::analysis::query::{Index, MapScope};
use crate::analysis::{FileId, Workspace};
use crate::schema::{App, CachedEntity, CachedField, CachedSchema};
use crate::text::TextRange;

/// What a completion item names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Entity,
    Field,
    Member,
    Keyword,
}

/// One completion, replacing `replace` with `label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    pub sort_text: String,
    pub replace: TextRange,
}

const DIRECTIONS: [&str; 6] = ["><", ">>", "<<", "=", ">", "<"];

/// The most entity names one answer holds. A cache has thousands; the
/// names matching what was typed come first, and the client asks again as
/// more is typed (the answer is marked incomplete).
pub const ENTITY_LIMIT: usize = 200;

/// A completion answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completions {
    pub items: Vec<CompletionItem>,
    /// More items match than were sent: ask again as the user types.
    pub incomplete: bool,
}

pub fn complete(ws: &Workspace, file: FileId, offset: usize) -> Completions {
    let items = complete_items(ws, file, offset);
    let incomplete = items.len() > ENTITY_LIMIT && items.iter().all(|i| i.kind == CompletionKind::Entity);
    let mut items = items;
    if incomplete {
        items.truncate(ENTITY_LIMIT);
    }
    Completions { items, incomplete }
}

fn complete_items(ws: &Workspace, file: FileId, offset: usize) -> Vec<CompletionItem> {
    let source = ws.file(file);
    let text = source.text();
    let offset = crate::text::floor_char_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let word_start = offset
        - before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .map(char::len_utf8)
            .sum::<usize>();
    let word = &text[word_start..offset];
    let segment_start = word_start + word.rfind('.').map_or(0, |i| i + 1);
    let replace = segment_start..offset;
    let index = Index::new(ws);
    let head = &before[..before.len() - word.len()];
    let tokens: Vec<&str> = head.split_whitespace().collect();
    let Some(scope) = index.map_at(file, offset) else {
        // A header still being typed (`map m fo.CustomersV3 = dv.`) does not
        // parse as a map yet; its entity names come from its project.
        if tokens.first() == Some(&"map") && word.contains('.') {
            if let Some(project) = index.project_before(file, offset) {
                return header_entities(&index, project, word, replace);
            }
        }
        return outside_maps(&index, &tokens, replace);
    };
    if offset <= scope.map.header.end {
        if !word.contains('.') && tokens.len() >= 2 {
            return names(index.aliases_of(&scope), CompletionKind::Keyword, replace);
        }
        return header_entities(&index, scope.project, word, replace);
    }
    if let Some(items) = in_filter(&scope, head, replace.clone()) {
        return items;
    }
    if tokens.first() == Some(&"filter") && tokens.len() == 1 {
        let aliases = [&scope.map.left, &scope.map.right].into_iter().flatten().map(|s| s.alias.text.clone()).collect();
        return names(aliases, CompletionKind::Keyword, replace);
    }
    if let Some(items) = in_value_map(&scope, text, offset, replace.clone()) {
        return items;
    }
    if tokens.contains(&"default") {
        return default_members(&scope, head, replace);
    }
    if tokens.len() == 1
        && !DIRECTIONS.contains(&tokens[0])
        && word.is_empty()
        && !["filter", "key"].contains(&tokens[0])
    {
        let symbols = match scope.map.direction.as_ref().map(|d| d.direction) {
            Some(crate::analysis::model::Direction::LeftToRight) => vec![">", ">>"],
            Some(crate::analysis::model::Direction::RightToLeft) => vec!["<", "<<"],
            _ => DIRECTIONS.to_vec(),
        };
        return names(symbols.into_iter().map(String::from).collect(), CompletionKind::Keyword, replace);
    }
    let side = if head.split_whitespace().any(|t| DIRECTIONS.contains(&t)) { Side::Right } else { Side::Left };
    let Some(resolved) = scope.side(side) else { return Vec::new() };
    let (schema, app) = (resolved.schema, resolved.app());
    // Walk `lookup.lookup.` to the entity whose fields complete here.
    let mut entity = resolved.entity;
    let segments: Vec<&str> = word.split('.').collect();
    for name in &segments[..segments.len() - 1] {
        let Some(target) = entity.field(app, name).and_then(|f| f.target.as_deref()).and_then(|t| schema.entity(t))
        else {
            return Vec::new();
        };
        entity = target;
    }
    let mut items = fields(schema, entity, replace.clone());
    if segments.len() == 1 {
        rank_by_mapping(&scope, side, app, &mut items);
        if side == Side::Left && head.trim().is_empty() {
            items.extend(keywords(&["none", "filter", "key"], replace));
        } else if side == Side::Right {
            items.extend(keywords(&["none"], replace));
        }
    }
    items
}

/// Outside any map: keywords, apps in a connection set, project kinds and
/// connection sets in a project header.
fn outside_maps(index: &Index<'_>, tokens: &[&str], replace: TextRange) -> Vec<CompletionItem> {
    match tokens {
        ["project", _] => keywords(&["dual_write", "data_integrator"], replace),
        ["project", _, _] => names(index.connection_set_names(), CompletionKind::Keyword, replace),
        ["organization"] | ["organization", _, _, "="] => names(index.all_aliases(), CompletionKind::Keyword, replace),
        [] => keywords(
            &[
                "connection_set",
                "project",
                "map",
                "organization",
                "finance_and_operations",
                "dataverse",
                "sales",
                "salesforce",
                "sql",
            ],
            replace,
        ),
        _ => Vec::new(),
    }
}

fn names(names: Vec<String>, kind: CompletionKind, replace: TextRange) -> Vec<CompletionItem> {
    names
        .into_iter()
        .enumerate()
        .map(|(i, label)| CompletionItem {
            label,
            kind,
            detail: None,
            documentation: None,
            sort_text: format!("{i:04}"),
            replace: replace.clone(),
        })
        .collect()
}

/// Inside a filter string: the columns of the filter's side, and the
/// operators of its language.
fn in_filter(scope: &MapScope<'_>, head: &str, replace: TextRange) -> Option<Vec<CompletionItem>> {
    let rest = head.trim_start().strip_prefix("filter")?;
    let mut parts = rest.trim_start().splitn(2, char::is_whitespace);
    let alias = parts.next()?;
    let inside = parts.next()?.trim_start();
    let quote = inside.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    if inside[1..].contains(quote) {
        return None;
    }
    let side =
        [Side::Left, Side::Right].into_iter().find(|s| scope.map.side(*s).is_some_and(|d| d.alias.text == alias))?;
    let resolved = scope.side(side)?;
    let mut items = fields(resolved.schema, resolved.entity, replace.clone());
    let operators: &[&str] = if resolved.app().ignores_case() {
        &["like"]
    } else {
        &["eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "null", "true", "false", "startswith", "endswith"]
    };
    items.extend(keywords(operators, replace));
    Some(items)
}

/// Inside a value map: the members of the left field before `=` of an
/// entry, of the right field after it. Read from the text, since a value
/// map being typed does not parse yet.
fn in_value_map(scope: &MapScope<'_>, text: &str, offset: usize, replace: TextRange) -> Option<Vec<CompletionItem>> {
    let body = &text[scope.map.header.end..offset];
    let open = scope.map.header.end + body.rfind("value_map")?;
    if text[open..offset].contains('}') {
        return None;
    }
    let line_start = text[..open].rfind('\n').map_or(0, |i| i + 1);
    let tokens: Vec<&str> = text[line_start..open].split_whitespace().collect();
    let [left, _, right, ..] = tokens.as_slice() else { return None };
    let entry_start = text[open..offset].rfind(['{', ',', '\n']).map_or(open, |i| open + i + 1);
    let (side, name) = if text[entry_start..offset].contains('=') { (Side::Right, right) } else { (Side::Left, left) };
    let resolved = scope.side(side)?;
    let field = path_field(resolved, name)?;
    let members: Vec<String> = if field.ty == crate::schema::FieldType::Boolean {
        vec!["false".into(), "true".into()]
    } else {
        field.members().map(|(n, _)| crate::analysis::member_literal(n)).collect()
    };
    Some(names(members, CompletionKind::Member, replace))
}

/// The field a path ends at, through its lookups.
fn path_field<'w>(side: &crate::analysis::query::ResolvedSide<'w>, path: &str) -> Option<&'w CachedField> {
    side.walk(path.split('.')).map(|(_, field)| field)
}

fn keywords(words: &[&str], replace: TextRange) -> Vec<CompletionItem> {
    words
        .iter()
        .map(|w| CompletionItem {
            label: w.to_string(),
            kind: CompletionKind::Keyword,
            detail: None,
            documentation: None,
            sort_text: format!("9{w}"),
            replace: replace.clone(),
        })
        .collect()
}

fn header_entities(
    index: &Index<'_>,
    project: crate::analysis::query::ProjectRef<'_>,
    word: &str,
    replace: TextRange,
) -> Vec<CompletionItem> {
    let Some((alias, _)) = word.split_once('.') else { return Vec::new() };
    let Some(schema) = index.alias_schema(project, alias) else { return Vec::new() };
    let typed = word.rsplit('.').next().unwrap_or("").to_lowercase();
    // Names starting with what was typed first, then containing it, then
    // holding its letters in order; the rest are left out.
    let rank = |name: &str| -> Option<u8> {
        if name.starts_with(&typed) {
            Some(0)
        } else if name.contains(&typed) {
            Some(1)
        } else {
            let mut letters = name.chars();
            typed.chars().all(|c| letters.any(|n| n == c)).then_some(2)
        }
    };
    // Each name is lowered once; only the best ENTITY_LIMIT (and one more,
    // so the caller can tell the list is incomplete) are sorted, which
    // keeps a bare `fo.` over thousands of entities linear.
    let mut ranked: Vec<(u8, String, &crate::schema::EntityHead)> = schema
        .entities()
        .iter()
        .filter_map(|e| {
            let lower = e.name.to_lowercase();
            rank(&lower).map(|r| (r, lower, e))
        })
        .collect();
    let order = |a: &(u8, String, &crate::schema::EntityHead), b: &(u8, String, &crate::schema::EntityHead)| {
        (a.0, &a.1).cmp(&(b.0, &b.1))
    };
    if ranked.len() > ENTITY_LIMIT + 1 {
        ranked.select_nth_unstable_by(ENTITY_LIMIT, order);
        ranked.truncate(ENTITY_LIMIT + 1);
    }
    ranked.sort_by(order);
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, (_, _, e))| CompletionItem {
            label: e.name.clone(),
            kind: CompletionKind::Entity,
            detail: Some(format!("{} · {} fields", e.kind.as_deref().unwrap_or("standard"), e.field_count)),
            // Thousands of entities: the hover tells the rest once chosen.
            documentation: None,
            sort_text: format!("{i:05}"),
            replace: replace.clone(),
        })
        .collect()
}

fn fields(schema: &CachedSchema, entity: &CachedEntity, replace: TextRange) -> Vec<CompletionItem> {
    entity
        .fields
        .iter()
        .map(|f| CompletionItem {
            label: f.name.clone(),
            kind: CompletionKind::Field,
            detail: Some(detail(f)),
            documentation: Some(super::hover::field_markdown(schema, entity, f, false)),
            sort_text: format!("1{}", f.name.to_lowercase()),
            replace: replace.clone(),
        })
        .collect()
}

fn detail(field: &CachedField) -> String {
    let mut out = field.type_label();
    if field.required {
        out.push_str(" · required");
    }
    if field.read_only {
        out.push_str(" · read-only");
    }
    out
}

/// Required fields not yet written by any line first, written ones last.
fn rank_by_mapping(scope: &MapScope<'_>, side: Side, app: App, items: &mut [CompletionItem]) {
    let written: Vec<String> = scope
        .map
        .lines
        .iter()
        .filter(|l| l.direction.direction.flows().iter().any(|f| f.destination() == side))
        .filter_map(|l| l.side(side).path()?.segments.first().map(|s| app.name_key(&s.text).into_owned()))
        .collect();
    let entity = scope.side(side).map(|s| s.entity);
    for item in items.iter_mut() {
        let key = app.name_key(&item.label).into_owned();
        // The company field is required but filled by dual-write.
        let company = entity.is_some_and(|e| e.is_company_field(app, &item.label));
        let required =
            !company && item.detail.as_deref().is_some_and(|d| d.contains("required") && !d.contains("read-only"));
        let rank = if written.contains(&key) {
            '2'
        } else if required {
            '0'
        } else {
            '1'
        };
        item.sort_text = format!("{rank}{}", item.label.to_lowercase());
    }
}

/// Members of the destination field after `default`.
fn default_members(scope: &MapScope<'_>, head: &str, replace: TextRange) -> Vec<CompletionItem> {
    let tokens: Vec<&str> = head.split_whitespace().collect();
    let Some(at) = tokens.iter().position(|t| DIRECTIONS.contains(t)) else { return Vec::new() };
    let (left, symbol, right) = (tokens.get(at.wrapping_sub(1)).copied(), tokens[at], tokens.get(at + 1).copied());
    let (side, name) = if symbol.starts_with('<') { (Side::Left, left) } else { (Side::Right, right) };
    let (Some(resolved), Some(name)) = (scope.side(side), name) else { return Vec::new() };
    let Some(field) = resolved.entity.field(resolved.app(), name.split('.').next().unwrap_or(name)) else {
        return Vec::new();
    };
    field
        .members()
        .enumerate()
        .map(|(i, (member, value))| CompletionItem {
            label: crate::analysis::member_literal(member),
            kind: CompletionKind::Member,
            detail: Some(format!("{} = {value}", field.name)),
            documentation: None,
            sort_text: format!("{i:04}"),
            replace: replace.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tests::{schemas, CONNECTIONS};
    use crate::analysis::SourceInput;

    /// Completes at `$0` in `maps` and returns the first `n` labels in the
    /// order an editor sorts them.
    fn check(maps: &str, n: usize) -> Vec<String> {
        let offset = maps.find("$0").expect("a cursor");
        let text = maps.replace("$0", "");
        let inputs = vec![
            SourceInput { path: "c.dimap".into(), text: CONNECTIONS.into(), invalid_utf8_at: None },
            SourceInput { path: "maps.dimap".into(), text, invalid_utf8_at: None },
        ];
        let ws = Workspace::new(inputs, schemas(), String::new());
        let mut items = complete(&ws, ws.file_id("maps.dimap").unwrap(), offset).items;
        items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
        items.into_iter().take(n).map(|i| i.label).collect()
    }

    const MAP: &str = "project \"P\" dual_write contoso {\n  map g fo.CustomerGroups = dv.msdyn_customergroup {\n    CUSTOMERGROUPID = msdyn_groupid\n    $LINE\n  }\n}\n";

    fn line(l: &str) -> String {
        MAP.replace("$LINE", l)
    }

    #[test]
    fn right_fields_required_unmapped_first_mapped_last() {
        let labels = check(&line("DESCRIPTION = $0"), 20);
        assert_eq!(
            labels,
            vec![
                "msdyn_company",
                "msdyn_description",
                "msdyn_issalestaxincludedinprice",
                "msdyn_paymenttermid",
                "versionnumber",
                "msdyn_groupid",
                "none"
            ]
        );
    }

    #[test]
    fn left_fields_lookups_and_entities() {
        assert!(check(&line("DESCR$0"), 10).contains(&"DESCRIPTION".to_string()));
        assert_eq!(
            check(&line("DESCRIPTION = msdyn_paymenttermid.$0"), 10),
            vec!["msdyn_company", "msdyn_name", "versionnumber"]
        );
        let header = MAP.replace("dv.msdyn_customergroup {", "dv.msdyn_cust$0 {").replace("$LINE", "");
        assert!(check(&header, 50).contains(&"msdyn_customergroup".to_string()));
    }

    /// Right after `ALIAS.`, with nothing typed yet and the header not yet a
    /// map, every entity of that side's environment is offered.
    #[test]
    fn entities_right_after_the_alias_in_a_header_being_typed() {
        let bare = MAP.replace("dv.msdyn_customergroup {", "dv.$0 {").replace("$LINE", "");
        let labels = check(&bare, 500);
        assert!(labels.contains(&"account".to_string()), "{labels:?}");
        assert!(labels.contains(&"msdyn_customergroup".to_string()), "{labels:?}");
        let trailing = "project \"P\" dual_write contoso {\n  map g fo.CustomerGroups = dv.$0\n}\n";
        assert!(check(trailing, 500).contains(&"account".to_string()));
        let left = "project \"P\" dual_write contoso {\n  map g fo.$0\n}\n";
        let labels = check(left, 500);
        assert!(labels.contains(&"CustomerGroups".to_string()), "{labels:?}");
        assert!(!labels.contains(&"account".to_string()), "{labels:?}");
    }

    #[test]
    fn members_in_value_maps_and_after_default() {
        let labels = check(&line("ISSALESTAXINCLUDEDINPRICE >< msdyn_issalestaxincludedinprice value_map { $0 }"), 5);
        assert_eq!(labels, vec!["No", "Yes"]);
        let labels =
            check(&line("ISSALESTAXINCLUDEDINPRICE >< msdyn_issalestaxincludedinprice value_map { No = $0 }"), 5);
        assert_eq!(labels, vec!["false", "true"]);
    }

    #[test]
    fn filters_directions_and_headers() {
        assert!(check(&line("filter dv 'msdyn_$0"), 50).contains(&"msdyn_description".to_string()));
        assert_eq!(check(&line("filter $0"), 5), vec!["fo", "dv"]);
        assert_eq!(check(&line("DESCRIPTION $0"), 6), vec!["><", ">>", "<<", "=", ">", "<"]);
        assert_eq!(check("project \"X\" $0", 5), vec!["data_integrator", "dual_write"]);
        assert_eq!(check("project \"X\" dual_write $0", 5), vec!["contoso"]);
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;
    use crate::analysis::SourceInput;
    use crate::schema::{CachedSchema, SchemaSet};

    /// A cache of 1,000 entities: the answer holds the best 200 and says
    /// there are more.
    #[test]
    fn entity_names_are_ranked_and_capped() {
        let entities: Vec<String> =
            (0..1000).map(|i| format!("{{\"name\": \"entity{i:04}\", \"keys\": [], \"fields\": []}}")).collect();
        let cache = format!(
            "{{\"format\": 1, \"environment\": \"big\", \"app\": \"dataverse\", \"entities\": [{}]}}",
            entities.join(",")
        );
        let schemas = SchemaSet::new(vec![CachedSchema::from_json(&cache, "big.json".into()).unwrap()]);
        let text = "connection_set c {\n  finance_and_operations fo \"big-fo\"\n  dataverse dv \"big\"\n}\nproject p dual_write c {\n  map m fo.A = dv.entity099 {\n  }\n}\n";
        let inputs = vec![SourceInput { path: "m.dimap".into(), text: text.into(), invalid_utf8_at: None }];
        let ws = Workspace::new(inputs, schemas, String::new());
        let offset = text.find("entity099 {").unwrap() + "entity099".len();
        let answer = complete(&ws, FileId(0), offset);
        assert_eq!(answer.items[0].label, "entity0990");
        assert!(answer.items.len() < ENTITY_LIMIT);
        assert!(!answer.incomplete);
        let offset = text.find("entity099 {").unwrap() + "e".len();
        let answer = complete(&ws, FileId(0), offset);
        assert_eq!(answer.items.len(), ENTITY_LIMIT);
        assert!(answer.incomplete);
    }
}
