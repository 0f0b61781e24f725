//! Unit tests of the conversions: how values, sides, directions and names
//! are written, what is reported as a loss, and export's selection rules.

use super::*;
use crate::schema::{CachedSchema, SchemaSet};

const SALES_CACHE: &str = include_str!("../../tests/fixtures/mapjson/schemas/contoso-sales-sets.json");

fn cache() -> SchemaSet {
    let schema =
        CachedSchema::from_json(SALES_CACHE, "contoso-sales-sets.json".into()).expect("the fixture cache loads");
    SchemaSet::new(vec![schema])
}

fn import_with(json: &str, schemas: &SchemaSet) -> (String, Vec<Loss>) {
    let documents = parse_documents("map.json", json).expect("the test document parses");
    to_dimap(&documents, &ImportOptions::default(), Context { schemas, connection_sets: &[] })
        .expect("the import succeeds")
}

fn import(json: &str) -> (String, Vec<Loss>) {
    import_with(json, &SchemaSet::default())
}

fn export_with(text: &str, selection: Option<&str>, schemas: &SchemaSet) -> anyhow::Result<ExportOutput> {
    let parse = crate::syntax::parse(text);
    from_dimap(&parse, "maps.dimap", selection, Context { schemas, connection_sets: &[] })
}

/// A document of one leg from CustomersV3 to accounts with these mappings.
fn leg(mappings: &str) -> String {
    format!(
        r#"{{"leftEnvironmentType": "AX", "rightEnvironmentType": "CRM", "legs": [{{
            "sourceSchema": "CustomersV3", "destinationSchema": "accounts",
            "sourceFilter": "", "reversedSourceFilter": "", "fieldMappings": [{mappings}]}}]}}"#
    )
}

/// The field-mapping lines of the imported text, trimmed, without the
/// project and map lines.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("project") && !l.starts_with("map ") && !l.starts_with('#') && *l != "}")
        .filter(|l| !l.is_empty())
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn messages(losses: &[Loss]) -> String {
    losses.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n")
}

#[test]
fn null_and_the_string_null_stay_distinct_both_ways() {
    let json = leg(r#"{"sourceField": "A", "destinationField": "a", "syncDirection": "3", "valueTransforms": [
        {"transformType": "ValueMap", "valueMap": {"null": null, "X": "null", "true": true, "7": "007", "en-us": "a b"}}]}"#);
    let (text, losses) = import(&json);
    assert!(losses.is_empty(), "{}", messages(&losses));
    assert_eq!(
        lines(&text),
        ["A >< a value_map {", "\"null\" = null", "X = \"null\"", "\"true\" = true", "7 = 007", "\"en-us\" = \"a b\""]
    );
    let out = export_with(&text, None, &SchemaSet::default()).unwrap();
    let map = &out.documents[0].legs[0].field_mappings[0].value_transforms[0];
    let json = serde_json::to_value(map).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"transformType": "ValueMap", "valueMap": {"null": null, "X": "null", "true": true, "7": "007", "en-us": "a b"}})
    );
}

#[test]
fn sync_direction_is_a_string_or_a_number_and_anything_else_is_reported() {
    let json = leg(r#"{"sourceField": "A", "destinationField": "a", "syncDirection": 1},
           {"sourceField": "B", "destinationField": "b", "syncDirection": "2"},
           {"sourceField": "C", "destinationField": "c", "syncDirection": 3},
           {"sourceField": "D", "destinationField": "d", "syncDirection": "4"},
           {"sourceField": "E", "destinationField": "e"}"#);
    let (text, losses) = import(&json);
    assert_eq!(lines(&text), ["A > a", "B < b", "C = c"]);
    assert_eq!(losses.len(), 2, "{}", messages(&losses));
    assert!(losses[0].message.contains("syncDirection \"4\""), "{}", losses[0]);
    assert_eq!(losses[0].location, "map.json: legs[0].fieldMappings[3]");
}

#[test]
fn a_constants_missing_side_may_be_null_empty_or_absent() {
    let json = leg(r#"{"sourceField": null, "destinationField": "customertypecode", "syncDirection": "1",
            "valueTransforms": [{"transformType": "Default", "defaultValue": "3"}]},
           {"sourceField": "", "destinationField": "address1_addresstypecode", "syncDirection": "1",
            "valueTransforms": [{"transformType": "Default", "defaultValue": "2"}]},
           {"sourceField": "PARTYTYPE", "syncDirection": "2",
            "valueTransforms": [{"transformType": "Default", "defaultValue": "Organization"}]}"#);
    let (text, losses) = import(&json);
    assert!(losses.is_empty(), "{}", messages(&losses));
    assert_eq!(
        lines(&text),
        [
            "none >> customertypecode default 3",
            "none >> address1_addresstypecode default 2",
            "PARTYTYPE << none default Organization"
        ]
    );
    // The map holds only one-way lines of both directions, so it is `=`.
    assert!(text.contains("map customersv3_to_accounts fo.CustomersV3 = dv.accounts {"), "{text}");
}

#[test]
fn names_the_language_cannot_hold_are_reported_not_dropped_silently() {
    let json = leg(r#"{"sourceField": "CUSTOMER ACCOUNT", "destinationField": "accountnumber", "syncDirection": "3"},
           {"sourceField": "NAME", "destinationField": "msdyn_name/x", "syncDirection": "3"},
           {"sourceField": "none", "destinationField": "name", "syncDirection": "3"},
           {"sourceField": "OK", "destinationField": "ok", "syncDirection": "3"}"#);
    let (text, losses) = import(&json);
    assert_eq!(lines(&text), ["OK = ok"]);
    let all = messages(&losses);
    assert!(all.contains("sourceField \"CUSTOMER ACCOUNT\" is not a path of identifiers"), "{all}");
    assert!(all.contains("destinationField \"msdyn_name/x\""), "{all}");
    assert!(all.contains("sourceField \"none\""), "{all}");
}

#[test]
fn what_the_language_cannot_hold_is_reported_once_each() {
    let json = r#"{"name": "[Customers V3] - [accounts]", "leftEnvironmentType": "AX", "rightEnvironmentType": "CRM",
        "legs": [{"id": "001", "sourceSchema": "CustomersV3", "destinationSchema": "accounts", "fieldMappings": [
          {"sourceField": "A", "destinationField": "a", "syncDirection": "3", "isSystemGenerated": true, "extra": 1},
          {"sourceField": "B", "destinationField": "b", "syncDirection": "3", "extra": 2, "valueTransforms": [
            {"transformType": "Concatenate", "parts": []},
            {"transformType": "Default", "defaultValue": "x"},
            {"transformType": "Default", "defaultValue": "y"}]},
          {"sourceField": "C", "destinationField": "c.d", "syncDirection": "3",
           "destinationLookupFieldRelatedEntity": "cs"}]}]}"#;
    let (text, losses) = import(json);
    assert_eq!(lines(&text), ["A = a", "B >< b default x", "C = c.d"]);
    let all = messages(&losses);
    assert!(
        all.contains("unknown keys are ignored: name, legs[].id, legs[].fieldMappings[].extra, legs[].fieldMappings[].valueTransforms[].parts"),
        "{all}"
    );
    assert_eq!(all.matches("extra").count(), 1, "{all}");
    assert!(all.contains("A = a: isSystemGenerated is not kept"), "{all}");
    assert!(all.contains("the transform \"Concatenate\" is not kept"), "{all}");
    assert!(all.contains("a second Default transform is not kept"), "{all}");
    assert!(all.contains("destinationLookupFieldRelatedEntity \"cs\" is not kept"), "{all}");
}

#[test]
fn values_are_bare_identifiers_numbers_or_quoted_strings() {
    let json = leg(r#"{"sourceField": "A", "destinationField": "a", "syncDirection": "1",
            "valueTransforms": [{"transformType": "Default", "defaultValue": "say \"hi\" \\ C:\\x"}]},
           {"sourceField": "B", "destinationField": "b", "syncDirection": "1",
            "valueTransforms": [{"transformType": "Default", "defaultValue": 12}]},
           {"sourceField": "C", "destinationField": "c", "syncDirection": "1",
            "valueTransforms": [{"transformType": "Default", "defaultValue": "none"}]},
           {"sourceField": "D", "destinationField": "d", "syncDirection": "1",
            "valueTransforms": [{"transformType": "Default", "defaultValue": [1]}]}"#);
    let (text, losses) = import(&json);
    assert_eq!(
        lines(&text),
        [r#"A >> a default "say \"hi\" \ C:\x""#, "B >> b default 12", "C >> c default \"none\"", "D > d"]
    );
    let all = messages(&losses);
    assert!(all.contains("the number 12 is exported back as the string \"12\""), "{all}");
    assert!(all.contains("the value [1] is not a single value"), "{all}");
    assert_eq!(losses.len(), 2, "{all}");
}

#[test]
fn strings_keep_backslashes_that_start_no_escape() {
    let mut problems = Vec::new();
    assert_eq!(import::quote(r"23\06\2021", '\'', &mut problems), r"'23\06\2021'");
    assert_eq!(import::quote(r"a\\b\", '\'', &mut problems), r"'a\\\b\\'");
    assert_eq!(import::quote("it's", '\'', &mut problems), r"'it\'s'");
    assert!(problems.is_empty());
    assert_eq!(import::quote("a\r\nb", '"', &mut problems), r#""a\nb""#);
    assert_eq!(problems.len(), 1);
    for s in [r"23\06\2021", r"a\\b\", "it's \"x\"", "tab\tnew\nline", r"\n", r"\'"] {
        let text = format!(
            "project p dual_write c {{\n map m a.b = c.d {{\n filter a {}\n }}\n}}\n",
            import::quote(s, '\'', &mut Vec::new())
        );
        let parse = crate::syntax::parse(&text);
        let model = crate::analysis::model::lower(&parse);
        let filter = &model.projects[0].maps[0].filters[0];
        assert_eq!(filter.expression.as_ref().unwrap().value, s, "{text}");
    }
}

#[test]
fn map_names_come_from_the_entities_and_are_unique() {
    let one = leg(r#"{"sourceField": "A", "destinationField": "a", "syncDirection": "3"}"#);
    let documents: Vec<_> = [parse_documents("a.json", &one).unwrap(), parse_documents("b.json", &one).unwrap()]
        .into_iter()
        .flatten()
        .collect();
    let (text, losses) = to_dimap(
        &documents,
        &ImportOptions::default(),
        Context { schemas: &SchemaSet::default(), connection_sets: &[] },
    )
    .unwrap();
    assert!(losses.is_empty(), "{}", messages(&losses));
    assert!(text.contains("map customersv3_to_accounts "), "{text}");
    assert!(text.contains("map customersv3_to_accounts_2 "), "{text}");

    let odd = r#"{"leftEnvironmentType": "AX", "rightEnvironmentType": "CRM", "legs": [{
        "sourceSchema": "CDS purchase order line entity", "destinationSchema": "msdyn_purchaseorderproducts",
        "fieldMappings": [{"sourceField": "LINENUMBER", "destinationField": "msdyn_lineorder", "syncDirection": 3}]}]}"#;
    let (text, losses) = import(odd);
    assert!(
        text.contains(
            "map cds_purchase_order_line_entity_to_msdyn_purchaseorderproducts fo.CDS_purchase_order_line_entity"
        ),
        "{text}"
    );
    assert!(messages(&losses).contains("sourceSchema \"CDS purchase order line entity\" is not an identifier"));
}

#[test]
fn entity_sets_become_logical_names_with_a_cache_and_come_back_on_export() {
    let json = r#"{"leftEnvironmentType": "AX", "rightEnvironmentType": "CRM", "legs": [{
        "sourceSchema": "Vendors", "destinationSchema": "msdyn_vendors", "fieldMappings": [
          {"sourceField": "VENDORACCOUNTNUMBER", "destinationField": "msdyn_vendoraccountnumber", "syncDirection": "3"}]},
        {"sourceSchema": "CustomersV3", "destinationSchema": "accounts", "fieldMappings": [
          {"sourceField": "SALESCURRENCYCODE", "destinationField": "transactioncurrencyid.isocurrencycode",
           "syncDirection": "3", "destinationLookupFieldRelatedEntity": "transactioncurrencies"}]}]}"#;
    let schemas = cache();
    let (text, losses) = import_with(json, &schemas);
    assert!(text.contains("map vendors_to_msdyn_vendor fo.Vendors = dv.msdyn_vendor {"), "{text}");
    assert!(text.contains("map customersv3_to_account fo.CustomersV3 = dv.account {"), "{text}");
    // Only the grouping of two legs in one document is lost: the lookup's
    // related entity is derived from the cache.
    assert_eq!(losses.len(), 1, "{}", messages(&losses));
    let out = export_with(&text, Some("customersv3_to_account"), &schemas).unwrap();
    let leg = &out.documents[0].legs[0];
    assert_eq!(leg.destination_schema, "accounts");
    assert_eq!(leg.field_mappings[0].destination_lookup_field_related_entity.as_deref(), Some("transactioncurrencies"));
    let out = export_with(&text, Some("Imported/vendors_to_msdyn_vendor"), &schemas).unwrap();
    assert_eq!(out.documents[0].legs[0].destination_schema, "msdyn_vendors");

    // Without a cache the names are kept as given.
    let (text, _) = import(json);
    assert!(text.contains("dv.msdyn_vendors"), "{text}");
}

#[test]
fn filters_go_to_the_side_they_filter() {
    let json = r#"{"leftEnvironmentType": "AX", "rightEnvironmentType": "CRM", "legs": [{
        "sourceSchema": "CustomersV3", "destinationSchema": "accounts",
        "sourceFilter": "((PartyType == \"Organization\"))", "reversedSourceFilter": "name eq 'x'",
        "fieldMappings": []}]}"#;
    let options = ImportOptions { left_alias: "ax".into(), right_alias: "ce".into(), ..ImportOptions::default() };
    let documents = parse_documents("m.json", json).unwrap();
    let (text, _) =
        to_dimap(&documents, &options, Context { schemas: &SchemaSet::default(), connection_sets: &[] }).unwrap();
    assert!(text.contains(r#"filter ax '((PartyType == "Organization"))'"#), "{text}");
    assert!(text.contains(r#"filter ce "name eq 'x'""#), "{text}");
    let out = export_with(&text, None, &SchemaSet::default()).unwrap();
    assert_eq!(out.documents[0].legs[0].source_filter, r#"((PartyType == "Organization"))"#);
    assert_eq!(out.documents[0].legs[0].reversed_source_filter, "name eq 'x'");
}

#[test]
fn bad_options_and_bad_json_are_errors() {
    let documents = parse_documents("m.json", &leg("")).unwrap();
    let context = Context { schemas: &SchemaSet::default(), connection_sets: &[] };
    let same = ImportOptions { right_alias: "fo".into(), ..ImportOptions::default() };
    assert!(to_dimap(&documents, &same, context).is_err());
    let bad = ImportOptions { connection_set: "my set".into(), ..ImportOptions::default() };
    assert!(to_dimap(&documents, &bad, context).is_err());
    let err = parse_documents("m.json", "{ not json").unwrap_err();
    assert!(format!("{err:#}").starts_with("m.json is not a dual-write map document"), "{err:#}");
    assert!(parse_documents("m.json", r#"{"legs": [{"fieldMappings": [{"sourceField": 3}]}]}"#).is_err());
}

#[test]
fn export_reports_keys_and_selects_maps() {
    let text = r#"connection_set c {
  finance_and_operations fo "p"
  dataverse dv "s"
}
project "A" dual_write c {
  map m fo.CustomersV3 = dv.account {
    key accountnumber
    filter fo '((A == 1))'
    filter fo '((B == 1))'
    CUSTOMERACCOUNT = accountnumber
  }
  map n fo.X > dv.x {
  }
}
project "B" dual_write c {
  map m fo.Y = dv.y {
  }
}
"#;
    let schemas = SchemaSet::default();
    let parse = crate::syntax::parse(text);
    let sets = crate::analysis::model::lower(&parse).connection_sets;
    let out =
        from_dimap(&parse, "maps.dimap", Some("A/m"), Context { schemas: &schemas, connection_sets: &sets }).unwrap();
    assert_eq!(out.documents.len(), 1);
    assert_eq!(out.documents[0].left_environment_type, "AX");
    assert_eq!(out.documents[0].legs[0].source_filter, "((A == 1))");
    let all = messages(&out.losses);
    assert!(all.contains("maps.dimap:7: map m: key accountnumber is not part of the map JSON"), "{all}");
    assert!(all.contains("a second filter of `fo` is not exported"), "{all}");
    assert!(out
        .json
        .starts_with("{\n  \"leftEnvironmentType\": \"AX\",\n  \"rightEnvironmentType\": \"CRM\",\n  \"legs\""));

    let err = export_with(text, Some("m"), &schemas).unwrap_err().to_string();
    assert!(err.contains("names 2 maps (A/m, B/m); give PROJECT/MAP"), "{err}");
    let err = export_with(text, Some("zz"), &schemas).unwrap_err().to_string();
    assert!(err.contains("has no map `zz`; its maps are: A/m, A/n, B/m"), "{err}");
    let all = export_with(text, None, &schemas).unwrap();
    assert_eq!(all.documents.len(), 3);
    assert!(all.json.starts_with('['));

    let err = export_with("project \"A\" dual_write c {\n  map m fo.X = {\n", None, &schemas).unwrap_err();
    assert!(err.to_string().contains("maps.dimap has syntax errors"), "{err}");
}
