//! Type compatibility (DIPV1030): the spec's table, kept as one data table,
//! and the relaxations a `value_map` brings.

use crate::schema::{CachedField, FieldType};
use FieldType::*;

/// Source type → the destination types it may flow into without a value
/// map. Enums and choices are decided by their members, below.
const COMPATIBLE: &[(FieldType, &[FieldType])] = &[
    (String, &[String, Memo]),
    (Memo, &[String, Memo]),
    (Integer, &[Integer, Bigint, Decimal, Money, Double, String, Memo]),
    (Bigint, &[Bigint, Decimal, Money, Double, String, Memo]),
    (Decimal, &[Decimal, Money, Double, String, Memo]),
    (Money, &[Decimal, Money, Double, String, Memo]),
    (Double, &[Double, Decimal, Money, String, Memo]),
    (Boolean, &[Boolean]),
    (Datetime, &[Datetime, String, Memo]),
    (Date, &[Date, Datetime, String, Memo]),
    (Guid, &[Guid, String, Memo]),
    (Multichoice, &[Multichoice]),
    (Image, &[Image]),
    (File, &[File]),
];

/// With a value map, any pair among these is allowed; each entry is then
/// checked against its field (DIMAP0006).
const VALUE_MAPPABLE: &[FieldType] = &[Enum, Choice, Boolean, String, Memo, Integer, Bigint, Decimal, Money, Double];

/// True when data may flow from `source` to `destination`.
pub fn compatible(source: &CachedField, destination: &CachedField, has_value_map: bool) -> bool {
    if has_value_map && VALUE_MAPPABLE.contains(&source.ty) && VALUE_MAPPABLE.contains(&destination.ty) {
        return true;
    }
    if matches!(source.ty, Enum | Choice) {
        return matches!(destination.ty, Enum | Choice) && same_members(source, destination);
    }
    COMPATIBLE.iter().any(|(from, to)| *from == source.ty && to.contains(&destination.ty))
}

/// Both fields have exactly the same members, names and values.
pub fn same_members(a: &CachedField, b: &CachedField) -> bool {
    let mut left: Vec<(&str, i64)> = a.members().collect();
    let mut right: Vec<(&str, i64)> = b.members().collect();
    left.sort();
    right.sort();
    left == right
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(ty: FieldType, members: &[(&str, i64)]) -> CachedField {
        CachedField {
            name: "f".into(),
            ty,
            max_length: None,
            precision: None,
            scale: None,
            values: (ty == Enum).then(|| members.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
            options: (ty != Enum).then(|| members.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
            target: None,
            required: false,
            read_only: false,
        }
    }

    #[test]
    fn the_table_is_directional() {
        assert!(compatible(&field(Integer, &[]), &field(Decimal, &[]), false));
        assert!(!compatible(&field(Decimal, &[]), &field(Integer, &[]), false));
        assert!(compatible(&field(Date, &[]), &field(Datetime, &[]), false));
        assert!(!compatible(&field(Datetime, &[]), &field(Date, &[]), false));
        assert!(!compatible(&field(String, &[]), &field(Integer, &[]), false));
        assert!(compatible(&field(String, &[]), &field(Integer, &[]), true));
        assert!(!compatible(&field(Image, &[]), &field(String, &[]), true));
    }

    #[test]
    fn enums_and_choices_need_a_value_map_unless_members_match() {
        let e = field(Enum, &[("No", 0), ("Yes", 1)]);
        let same = field(Choice, &[("Yes", 1), ("No", 0)]);
        let other = field(Choice, &[("No", 192350000), ("Yes", 192350001)]);
        assert!(compatible(&e, &same, false));
        assert!(!compatible(&e, &other, false));
        assert!(compatible(&e, &other, true));
        assert!(!compatible(&e, &field(Boolean, &[]), false));
        assert!(compatible(&e, &field(Boolean, &[]), true));
    }
}
