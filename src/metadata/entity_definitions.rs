//! Reading Dataverse Web API `EntityDefinitions` JSON (tables expanded with
//! their `Attributes` and `Keys`) into a cache document. The document is a
//! few megabytes even for a large environment, so it is read whole with
//! serde rather than streamed; only the members the cache needs are
//! declared, and everything else of the metadata is ignored.

use std::io::BufRead;

use indexmap::IndexMap;
use serde::Deserialize;

use super::{plain_field, CacheDocument, Import, ImportOptions, ImportedEntity, MetadataError, SkipReason, Skipped};
use crate::schema::{CachedField, CachedKey, FieldType};

/// Reads an `EntityDefinitions` response and converts it. Errors carry the
/// line and column that serde_json stopped at.
pub fn import<R: BufRead>(mut input: R, options: &ImportOptions) -> Result<Import, MetadataError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(MetadataError::Io)?;
    let definitions: Definitions = serde_json::from_slice(&bytes).map_err(|err| MetadataError::Json {
        line: err.line(),
        column: err.column(),
        message: strip_position(&err.to_string()),
    })?;
    drop(bytes);
    let mut skipped = Vec::new();
    let entities = definitions.value.into_iter().map(|entity| convert(entity, &mut skipped)).collect();
    let document = CacheDocument::new(options, entities);
    Ok(Import { document, skipped })
}

/// serde_json ends its messages with " at line L column C"; the error says
/// the position itself, once.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[derive(Deserialize)]
struct Definitions {
    value: Vec<EntityDefinition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EntityDefinition {
    logical_name: String,
    #[serde(default)]
    entity_set_name: Option<String>,
    #[serde(default)]
    primary_id_attribute: Option<String>,
    #[serde(default)]
    is_virtual: Option<bool>,
    #[serde(default)]
    table_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    attributes: Vec<AttributeDefinition>,
    #[serde(default, deserialize_with = "null_as_empty")]
    keys: Vec<KeyDefinition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KeyDefinition {
    #[serde(default)]
    logical_name: Option<String>,
    #[serde(default)]
    schema_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    key_attributes: Vec<String>,
}

/// A `{ "Value": ... }` wrapper, as Dataverse writes managed properties
/// and enumerations.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Wrapped {
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AttributeDefinition {
    logical_name: String,
    #[serde(default)]
    attribute_type: Option<String>,
    #[serde(default)]
    attribute_type_name: Option<Wrapped>,
    #[serde(default)]
    required_level: Option<Wrapped>,
    #[serde(default)]
    is_valid_for_create: Option<bool>,
    #[serde(default)]
    is_valid_for_update: Option<bool>,
    #[serde(default)]
    max_length: Option<u32>,
    #[serde(default)]
    precision: Option<u32>,
    #[serde(default)]
    option_set: Option<OptionSet>,
    #[serde(default)]
    global_option_set: Option<OptionSet>,
    #[serde(default)]
    targets: Option<Vec<String>>,
    #[serde(default)]
    attribute_of: Option<String>,
    #[serde(default)]
    date_time_behavior: Option<Wrapped>,
    #[serde(default)]
    format: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OptionSet {
    #[serde(default, deserialize_with = "null_as_empty")]
    options: Vec<OptionDefinition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OptionDefinition {
    value: i64,
    #[serde(default)]
    label: Option<Label>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Label {
    #[serde(default)]
    user_localized_label: Option<LocalizedLabel>,
    #[serde(default, deserialize_with = "null_as_empty")]
    localized_labels: Vec<LocalizedLabel>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LocalizedLabel {
    #[serde(default)]
    label: Option<String>,
}

/// Dataverse writes `null` for an empty collection as often as `[]`.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// The attribute's type name without the `Type` suffix of
/// `AttributeTypeName.Value`: that one tells `MultiSelectPicklist`, `Image`
/// and `File` apart where `AttributeType` says only `Virtual`.
fn attribute_type(attribute: &AttributeDefinition) -> Option<&str> {
    let by_name = attribute.attribute_type_name.as_ref().and_then(|w| w.value.as_deref());
    let by_name = by_name.map(|n| n.strip_suffix("Type").unwrap_or(n));
    by_name.or(attribute.attribute_type.as_deref())
}

fn convert(entity: EntityDefinition, skipped: &mut Vec<Skipped>) -> ImportedEntity {
    let kind = match (entity.table_type.as_deref(), entity.is_virtual) {
        (Some(t), _) if t.eq_ignore_ascii_case("elastic") => "elastic",
        (Some(t), _) if t.eq_ignore_ascii_case("virtual") => "virtual",
        (Some(t), _) if t.eq_ignore_ascii_case("standard") => "standard",
        (_, Some(true)) => "virtual",
        _ => "standard",
    };
    let mut company_field = None;
    let mut fields = Vec::with_capacity(entity.attributes.len());
    for attribute in &entity.attributes {
        let skip = |reason| Skipped {
            entity: entity.logical_name.clone(),
            item: Some(attribute.logical_name.clone()),
            reason,
        };
        if let Some(of) = &attribute.attribute_of {
            skipped.push(skip(SkipReason::CompanionAttribute { of: of.clone() }));
            continue;
        }
        match attribute_field(attribute, skipped, &entity.logical_name) {
            Ok(mut field) => {
                let is_primary_id = entity.primary_id_attribute.as_deref() == Some(attribute.logical_name.as_str());
                let on_create = attribute.is_valid_for_create != Some(false);
                let on_update = attribute.is_valid_for_update != Some(false);
                field.read_only = !on_create && !on_update;
                let level = attribute.required_level.as_ref().and_then(|w| w.value.as_deref());
                // A value that cannot be given on create (`statecode`, say)
                // is never required of a map, whatever its level says.
                field.required =
                    matches!(level, Some("ApplicationRequired" | "SystemRequired")) && !is_primary_id && on_create;
                if company_field.is_none()
                    && matches!(field.name.as_str(), "msdyn_company" | "cdm_company")
                    && field.target.as_deref() == Some("cdm_company")
                {
                    company_field = Some(field.name.clone());
                }
                fields.push(field);
            }
            Err(reason) => skipped.push(skip(reason)),
        }
    }
    let keys = entity
        .keys
        .into_iter()
        .map(|key| CachedKey {
            name: key.logical_name.or_else(|| key.schema_name.map(|s| s.to_ascii_lowercase())).unwrap_or_default(),
            fields: key.key_attributes,
        })
        .collect();
    ImportedEntity {
        name: entity.logical_name,
        kind: kind.to_string(),
        entity_set: entity.entity_set_name,
        company_field,
        keys,
        fields,
    }
}

/// What an attribute becomes, or why it cannot become a field.
fn attribute_field(
    attribute: &AttributeDefinition,
    skipped: &mut Vec<Skipped>,
    entity: &str,
) -> Result<CachedField, SkipReason> {
    let name = attribute.logical_name.as_str();
    let type_name = attribute_type(attribute).unwrap_or("");
    let ty = match type_name {
        "String" => FieldType::String,
        "Memo" => FieldType::Memo,
        "Integer" => FieldType::Integer,
        "BigInt" => FieldType::Bigint,
        "Decimal" => FieldType::Decimal,
        "Money" => FieldType::Money,
        "Double" => FieldType::Double,
        "Boolean" => FieldType::Boolean,
        "DateTime" => {
            // `DateTimeBehavior` is what decides; `Format` stands in for it
            // only in metadata too old to carry a behavior.
            let behavior = attribute.date_time_behavior.as_ref().and_then(|w| w.value.as_deref());
            match behavior {
                Some("DateOnly") => FieldType::Date,
                None if attribute.format.as_deref() == Some("DateOnly") => FieldType::Date,
                _ => FieldType::Datetime,
            }
        }
        "Uniqueidentifier" => FieldType::Guid,
        "Picklist" | "State" | "Status" => FieldType::Choice,
        "MultiSelectPicklist" => FieldType::Multichoice,
        "Lookup" | "Customer" | "Owner" => FieldType::Lookup,
        "Image" => FieldType::Image,
        "File" => FieldType::File,
        // The logical name of a table, stored as text.
        "EntityName" => FieldType::String,
        other => {
            let type_name = if other.is_empty() { "(none)".to_string() } else { other.to_string() };
            return Err(SkipReason::UnsupportedType { type_name });
        }
    };
    let mut field = plain_field(name, ty);
    match ty {
        FieldType::String | FieldType::Memo => field.max_length = attribute.max_length,
        // Dataverse's `Precision` counts the digits after the decimal point,
        // which is what the cache calls the scale.
        FieldType::Decimal | FieldType::Money => field.scale = attribute.precision,
        FieldType::Choice | FieldType::Multichoice => {
            let set = attribute.option_set.as_ref().or(attribute.global_option_set.as_ref());
            if let Some(set) = set {
                let mut options = IndexMap::with_capacity(set.options.len());
                for option in &set.options {
                    let label = option_label(option);
                    if options.contains_key(&label) {
                        skipped.push(Skipped {
                            entity: entity.to_string(),
                            item: Some(name.to_string()),
                            reason: SkipReason::DuplicateMember { label, value: option.value },
                        });
                    } else {
                        options.insert(label, option.value);
                    }
                }
                field.options = Some(options);
            }
        }
        FieldType::Lookup => {
            let targets = attribute.targets.as_deref().unwrap_or_default();
            match targets {
                [] => return Err(SkipReason::LookupWithoutTarget),
                [target] => field.target = Some(target.clone()),
                _ => return Err(SkipReason::PolymorphicLookup { targets: targets.to_vec() }),
            }
        }
        _ => {}
    }
    Ok(field)
}

/// The label a person sees for an option: the user's language, else the
/// first localized one, else the value itself.
fn option_label(option: &OptionDefinition) -> String {
    let label = option.label.as_ref().and_then(|l| {
        l.user_localized_label
            .as_ref()
            .and_then(|u| u.label.clone())
            .or_else(|| l.localized_labels.iter().find_map(|u| u.label.clone()))
    });
    label.unwrap_or_else(|| option.value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::App;

    fn run(json: &str) -> Result<Import, MetadataError> {
        let options = ImportOptions {
            environment: "contoso-sales".to_string(),
            app: App::Dataverse,
            organizations: Vec::new(),
            refreshed: "2026-01-01T00:00:00Z".to_string(),
        };
        import(json.as_bytes(), &options)
    }

    #[test]
    fn metadata_entity_definitions_map_attributes() {
        let json = r#"{ "value": [ {
            "LogicalName": "account", "EntitySetName": "accounts", "PrimaryIdAttribute": "accountid",
            "TableType": "Standard", "IsVirtual": false,
            "Keys": [ { "SchemaName": "msdyn_AccountNumberKey", "KeyAttributes": ["accountnumber"] } ],
            "Attributes": [
              { "LogicalName": "accountid", "AttributeType": "Uniqueidentifier",
                "RequiredLevel": { "Value": "SystemRequired" }, "IsValidForCreate": true, "IsValidForUpdate": false },
              { "LogicalName": "statecode", "AttributeType": "State", "RequiredLevel": { "Value": "SystemRequired" },
                "IsValidForCreate": false, "IsValidForUpdate": true,
                "OptionSet": { "Options": [
                  { "Value": 0, "Label": { "UserLocalizedLabel": { "Label": "Active" } } },
                  { "Value": 1, "Label": { "UserLocalizedLabel": null, "LocalizedLabels": [ { "Label": "Inactive" } ] } } ] } },
              { "LogicalName": "revenue", "AttributeType": "Money", "Precision": 2 },
              { "LogicalName": "msdyn_birthday", "AttributeType": "DateTime", "DateTimeBehavior": { "Value": "DateOnly" } },
              { "LogicalName": "createdon", "AttributeType": "DateTime", "DateTimeBehavior": { "Value": "UserLocal" },
                "IsValidForCreate": false, "IsValidForUpdate": false },
              { "LogicalName": "msdyn_tags", "AttributeType": "Virtual",
                "AttributeTypeName": { "Value": "MultiSelectPicklistType" }, "OptionSet": null },
              { "LogicalName": "entityimage", "AttributeType": "Virtual", "AttributeTypeName": { "Value": "ImageType" } },
              { "LogicalName": "calendarrules", "AttributeType": "CalendarRules" }
            ] } ] }"#;
        let import = run(json).unwrap();
        let account = &import.document.entities[0];
        assert_eq!(account.keys[0].name, "msdyn_accountnumberkey");
        let field = |name: &str| account.fields.iter().find(|f| f.name == name).unwrap();
        assert!(!field("accountid").required);
        assert!(!field("statecode").required, "cannot be set on create");
        let states: Vec<_> = field("statecode").options.clone().unwrap().into_iter().collect();
        assert_eq!(states, [("Active".to_string(), 0), ("Inactive".to_string(), 1)]);
        assert_eq!((field("revenue").ty, field("revenue").scale), (FieldType::Money, Some(2)));
        assert_eq!(field("msdyn_birthday").ty, FieldType::Date);
        assert!(field("createdon").read_only);
        assert_eq!(field("msdyn_tags").ty, FieldType::Multichoice);
        assert_eq!(field("entityimage").ty, FieldType::Image);
        assert_eq!(import.skipped.len(), 1);
        assert_eq!(import.skipped[0].to_string(), "account.calendarrules: type CalendarRules has no cached field type");
    }

    #[test]
    fn metadata_entity_definitions_errors_give_line_and_column() {
        let err = run("{ \"value\": [\n  { \"LogicalName\": 5 } ] }").unwrap_err().to_string();
        assert!(err.starts_with("invalid EntityDefinitions JSON at line 2, column "), "{err}");
        assert!(!err.contains(" at line 2 column"), "{err}");
        let err = run("{ \"value\": [").unwrap_err().to_string();
        assert!(err.starts_with("invalid EntityDefinitions JSON at line 1, column "), "{err}");
        let err = run("{}").unwrap_err().to_string();
        assert!(err.contains("missing field `value`"), "{err}");
    }
}
