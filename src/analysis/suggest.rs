//! "Did you mean" suggestions: the closest names by edit distance, used by
//! messages and by the rename fixes.

/// Up to three candidates closest to `name`, best first. Case differences
/// cost little, so `customergroups` finds `CustomerGroups` first.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Vec<&'c str> {
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        .filter_map(|c| {
            let distance = strsim::levenshtein(&lower, &c.to_lowercase());
            let prefix = c.to_lowercase().starts_with(&lower) || lower.starts_with(&c.to_lowercase());
            (distance <= limit || (prefix && lower.len() >= 3)).then_some((distance, c))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// " (did you mean `a` or `b`?)" or nothing.
pub fn did_you_mean(suggestions: &[&str]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|s| format!("`{s}`")).collect();
            format!("; did you mean {} or `{last}`?", init.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_come_first() {
        let names = ["CustomerGroups", "CustomersV3", "Currencies", "DistinctProducts"];
        assert_eq!(closest("CustomerGroup", names), vec!["CustomerGroups"]);
        assert_eq!(closest("customergroups", names), vec!["CustomerGroups"]);
        assert!(closest("Zebra", names).is_empty());
        assert_eq!(did_you_mean(&["a", "b"]), "; did you mean `a` or `b`?");
    }
}
