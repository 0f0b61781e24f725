//! The serde model of the stored map document, in two shapes: a lenient one
//! for reading (every key optional, `syncDirection` as a string or a number,
//! unknown keys collected so they can be reported) and an exact one for
//! writing, whose field order is the key order of what export prints.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Keys the model does not know, by name, kept to be reported once.
pub type UnknownKeys = IndexMap<String, Value>;

/// A map document as read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MapDocument {
    #[serde(default)]
    pub left_environment_type: Option<String>,
    #[serde(default)]
    pub right_environment_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub legs: Vec<Leg>,
    #[serde(flatten)]
    pub unknown: UnknownKeys,
}

/// One leg: a source entity flowing to a destination entity.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Leg {
    #[serde(default)]
    pub source_schema: Option<String>,
    #[serde(default)]
    pub destination_schema: Option<String>,
    #[serde(default)]
    pub source_filter: Option<String>,
    #[serde(default)]
    pub reversed_source_filter: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub field_mappings: Vec<FieldMapping>,
    #[serde(flatten)]
    pub unknown: UnknownKeys,
}

/// One field mapping as read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldMapping {
    #[serde(default)]
    pub source_field: Option<String>,
    #[serde(default)]
    pub destination_field: Option<String>,
    /// `"1"`, `"2"`, `"3"` or the same as numbers; read by
    /// [`FieldMapping::direction`].
    #[serde(default)]
    pub sync_direction: Option<Value>,
    #[serde(default)]
    pub destination_lookup_field_related_entity: Option<String>,
    /// A boolean, though some exports write it as a string.
    #[serde(default)]
    pub is_system_generated: Option<Value>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub value_transforms: Vec<Transform>,
    #[serde(flatten)]
    pub unknown: UnknownKeys,
}

/// The direction a stored field mapping gives, as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncDirection {
    /// `"1"`: source (left) to destination (right).
    SourceToDestination,
    /// `"2"`: destination (right) to source (left).
    DestinationToSource,
    /// `"3"`: both ways.
    Both,
}

impl SyncDirection {
    pub fn code(self) -> &'static str {
        match self {
            SyncDirection::SourceToDestination => "1",
            SyncDirection::DestinationToSource => "2",
            SyncDirection::Both => "3",
        }
    }
}

impl FieldMapping {
    /// The direction, or `Err` with what was written when it is none of the
    /// three codes.
    pub fn direction(&self) -> Result<SyncDirection, String> {
        let code = match &self.sync_direction {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => return Err(other.to_string()),
            None => return Err("nothing".to_string()),
        };
        match code.as_str() {
            "1" => Ok(SyncDirection::SourceToDestination),
            "2" => Ok(SyncDirection::DestinationToSource),
            "3" => Ok(SyncDirection::Both),
            _ => Err(self.sync_direction.as_ref().map_or_else(String::new, Value::to_string)),
        }
    }

    /// True when the mapping says the product made it itself.
    pub fn is_system_generated(&self) -> bool {
        match &self.is_system_generated {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

/// One value transform as read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transform {
    #[serde(default)]
    pub transform_type: Option<String>,
    /// `None` when the key is absent; `Some(Value::Null)` for JSON `null`.
    #[serde(default, deserialize_with = "present")]
    pub default_value: Option<Value>,
    /// Kept in the document's order; values may be JSON `null`.
    #[serde(default)]
    pub value_map: Option<IndexMap<String, Value>>,
    #[serde(flatten)]
    pub unknown: UnknownKeys,
}

/// A key that is present, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// A list given as `null` is an empty list.
fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// A map document as export writes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportDocument {
    pub left_environment_type: String,
    pub right_environment_type: String,
    pub legs: Vec<ExportLeg>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportLeg {
    pub source_schema: String,
    pub destination_schema: String,
    pub source_filter: String,
    pub reversed_source_filter: String,
    pub field_mappings: Vec<ExportFieldMapping>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportFieldMapping {
    /// `null` for `none`.
    pub source_field: Option<String>,
    pub destination_field: Option<String>,
    /// Always the string form, `"1"`, `"2"` or `"3"`.
    pub sync_direction: &'static str,
    /// Written only when a cache gives the lookup's target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_lookup_field_related_entity: Option<String>,
    pub is_system_generated: bool,
    pub value_transforms: Vec<ExportTransform>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "transformType")]
pub enum ExportTransform {
    Default {
        #[serde(rename = "defaultValue")]
        default_value: Value,
    },
    ValueMap {
        #[serde(rename = "valueMap")]
        value_map: IndexMap<String, Value>,
    },
}
