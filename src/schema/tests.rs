//! Loading and lookups of cached schemas.

use super::*;

const CACHE: &str = r#"{
  "format": 1, "environment": "prod", "app": "finance_and_operations",
  "organizations": ["USMF"],
  "entities": [
    { "name": "CustomersV3", "company_field": "dataAreaId",
      "keys": [{ "name": "k", "fields": ["dataAreaId", "CUSTOMERACCOUNT"] }],
      "fields": [
        { "name": "CUSTOMERACCOUNT", "type": "string", "max_length": 20, "required": true },
        { "name": "PARTYTYPE", "type": "enum", "values": { "Person": 1, "Organization": 2, "None": 0 } }
      ] }
  ]
}"#;

#[test]
fn finance_and_operations_names_match_without_case() {
    let schema = CachedSchema::from_json(CACHE, "prod.json".into()).unwrap();
    let entity = schema.entity("customersv3").expect("entity by any case");
    assert!(entity.field(schema.app, "CustomerAccount").unwrap().required);
    assert!(schema.has_organization("usmf"));
    // Members keep the cache's order: the first is the default a fix offers.
    let members: Vec<_> = entity.field(schema.app, "PARTYTYPE").unwrap().members().collect();
    assert_eq!(members, vec![("Person", 1), ("Organization", 2), ("None", 0)]);
}

#[test]
fn dataverse_names_match_exactly() {
    let text = CACHE.replace("finance_and_operations", "dataverse");
    let schema = CachedSchema::from_json(&text, "x.json".into()).unwrap();
    assert!(schema.entity("customersv3").is_none());
    assert!(schema.entity("CustomersV3").is_some());
}

#[test]
fn invalid_json_is_a_problem_with_a_position() {
    let err = CachedSchema::from_json("{\n  \"format\": 1,\n  oops\n}", "bad.json".into()).unwrap_err();
    assert_eq!((err.line, err.column), (3, 3));
    assert!(err.message.starts_with("the cached schema is not valid JSON"), "{}", err.message);
}

#[test]
fn an_unknown_format_is_named() {
    let err = CachedSchema::from_json("{\n \"format\": 7, \"entities\": []}", "f.json".into()).unwrap_err();
    assert_eq!(err.message, "unknown cache format 7; this dimap reads format 1");
    assert_eq!((err.line, err.column), (2, 2));
}

#[test]
fn an_unknown_field_type_is_a_problem() {
    let text = CACHE.replace("\"enum\"", "\"enumeration\"");
    let err = CachedSchema::from_json(&text, "t.json".into()).unwrap_err();
    assert!(err.message.contains("unknown variant `enumeration`"), "{}", err.message);
}

/// What a test reads of a loaded cache: the header, the entity list, and
/// every field of every entity, through the lazy path.
fn described(set: &SchemaSet) -> String {
    let mut out = String::new();
    for schema in set.iter() {
        out.push_str(&format!("{} {:?} {:?}\n", schema.environment, schema.app, schema.organizations));
        for (i, head) in schema.entities().iter().enumerate() {
            let entity = schema.entity_at(i).expect("the entity reads back");
            out.push_str(&format!("  {} {:?} {} {:?}\n", head.name, head.kind, head.field_count, entity.keys));
            for field in &entity.fields {
                out.push_str(&format!("    {} {}\n", field.name, field.type_label()));
            }
        }
    }
    out
}

#[test]
fn the_index_is_built_once_used_after_and_rebuilt_when_the_cache_changes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("prod.json");
    std::fs::write(&cache, CACHE).unwrap();
    let eager = SchemaSet::new(vec![CachedSchema::from_json(CACHE, cache.clone()).unwrap()]);

    let (first, problems) = load_folder(dir.path());
    assert!(problems.is_empty(), "{problems:?}");
    let index = index::index_path(&cache).unwrap();
    assert!(index.is_file(), "the first load writes the index");
    assert!(dir.path().join(INDEX_FOLDER).join(".gitignore").is_file());
    assert_eq!(described(&first), described(&eager));

    // The second load reads the index, not the file: a cache file whose
    // stamp is unchanged is not parsed again.
    assert!(index::open(&cache).is_some());
    let (second, _) = load_folder(dir.path());
    assert_eq!(described(&second), described(&eager));
    assert_eq!(second.get("prod").unwrap().entity("customersv3").unwrap().fields.len(), 2);

    // A changed cache (another size) makes the index stale; it is rebuilt.
    let changed = CACHE.replace("\"max_length\": 20", "\"max_length\": 200");
    std::fs::write(&cache, &changed).unwrap();
    assert!(index::open(&cache).is_none(), "the index is stale");
    let (third, _) = load_folder(dir.path());
    let field =
        third.get("prod").unwrap().entity("CustomersV3").unwrap().field(App::FinanceAndOperations, "customeraccount");
    assert_eq!(field.unwrap().max_length, Some(200));
    assert!(index::open(&cache).is_some(), "rebuilt");
}

#[test]
fn a_damaged_index_is_rebuilt_and_an_unwritable_one_keeps_the_cache_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("prod.json");
    std::fs::write(&cache, CACHE).unwrap();
    let eager = SchemaSet::new(vec![CachedSchema::from_json(CACHE, cache.clone()).unwrap()]);
    load_folder(dir.path());
    let index = index::index_path(&cache).unwrap();
    std::fs::write(&index, b"not a database").unwrap();
    let (set, problems) = load_folder(dir.path());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(described(&set), described(&eager));
    assert!(index::open(&cache).is_some(), "rebuilt");

    // Where the index folder cannot be made, the cache is read whole.
    let other = tempfile::tempdir().unwrap();
    let cache = other.path().join("prod.json");
    std::fs::write(&cache, CACHE).unwrap();
    std::fs::write(other.path().join(INDEX_FOLDER), b"a file where the folder would go").unwrap();
    let (set, problems) = load_folder(other.path());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(described(&set), described(&eager));
}

#[test]
fn a_broken_cache_is_reported_as_before_and_gets_no_index() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("prod.json");
    std::fs::write(&cache, CACHE.replace("\"string\"", "\"text\"")).unwrap();
    let (set, problems) = load_folder(dir.path());
    assert!(set.is_empty());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].message.contains("unknown variant `text`"), "{}", problems[0].message);
    assert!(!index::index_path(&cache).unwrap().exists());
}
