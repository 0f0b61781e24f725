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
