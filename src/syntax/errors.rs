//! Syntax errors: one for every ERROR and MISSING node of a tree, each naming
//! what the grammar expected there (from the parse state before the error),
//! plus the few rules of the language the grammar leaves to a later check
//! (at most one transform of each kind on a line).

use super::SyntaxError;

/// The node kinds the walk looks at, as ids: comparing ids instead of names
/// keeps a visit to a few instructions.
struct Kinds {
    /// Nodes that can hold a field mapping somewhere below them: the walk
    /// has to enter these even where the tree has no error.
    containers: [u16; 5],
    field_mapping: u16,
}

impl Kinds {
    fn get() -> &'static Kinds {
        static KINDS: std::sync::OnceLock<Kinds> = std::sync::OnceLock::new();
        KINDS.get_or_init(|| {
            let language = super::language();
            let id = |name: &str| language.id_for_node_kind(name, true);
            Kinds {
                containers: ["source_file", "project", "project_body", "map", "map_body"].map(id),
                field_mapping: id("field_mapping"),
            }
        })
    }

    fn is_container(&self, node: &tree_sitter::Node<'_>) -> bool {
        self.containers.contains(&node.kind_id())
    }

    /// A field mapping with room for two transforms: its left side,
    /// direction and right side plus at least two more named children.
    /// Counting children is constant-time, so most lines are passed over
    /// without a look inside.
    fn may_repeat_transforms(&self, node: &tree_sitter::Node<'_>) -> bool {
        node.kind_id() == self.field_mapping && node.named_child_count() >= 5
    }
}

/// Collects the syntax errors of a tree in document order. The walk enters
/// only subtrees that hold an error or may hold a line with two transforms,
/// so a large clean file costs one visit per line, not per token: this runs
/// after every keystroke.
pub(super) fn collect(tree: &tree_sitter::Tree, text: &str) -> Vec<SyntaxError> {
    let mut errors = collect_under(tree.root_node(), text);
    errors.sort_by_key(|e| (e.range.start, e.range.end));
    errors
}

/// The errors of one subtree, unordered.
fn collect_under(root: tree_sitter::Node<'_>, text: &str) -> Vec<SyntaxError> {
    let kinds = Kinds::get();
    let mut errors = Vec::new();
    let mut cursor = root.walk();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() {
            errors.push(error_node(node, text));
            continue;
        }
        if node.is_missing() {
            errors.push(missing_node(node));
            continue;
        }
        if kinds.may_repeat_transforms(&node) {
            repeated_transforms(node, &mut errors);
        }
        if !(node.has_error() || kinds.is_container(&node)) {
            continue;
        }
        // Unnamed children (punctuation, newlines) hold nothing to report
        // unless they are missing, which counts as an error below them.
        cursor.reset(node);
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if child.has_error()
                    || (child.is_named() && (kinds.is_container(&child) || kinds.may_repeat_transforms(&child)))
                {
                    stack.push(child);
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
    }
    errors
}

/// The errors of a tree re-parsed after an edit: only the smallest subtree
/// that holds the whole `region` (where the text or the tree changed) is
/// searched again, and `kept` (the errors before the edit, moved to the new
/// text, minus those whose node the edit touched) stands for the rest.
///
/// The search goes down into the one child that meets the region only while
/// every other child is free of errors, before the edit and after it. An
/// error's message depends on the siblings around it, and a sibling's
/// structure can change with the region's; where no sibling has an error,
/// there is nothing that could go stale.
pub(super) fn collect_after_edit(
    tree: &tree_sitter::Tree,
    text: &str,
    region: std::ops::Range<usize>,
    kept: impl Iterator<Item = SyntaxError>,
) -> Vec<SyntaxError> {
    let kept: Vec<SyntaxError> = kept.collect();
    let meets = |node: &tree_sitter::Node<'_>| node.start_byte() <= region.end && region.start <= node.end_byte();
    let holds = |node: &tree_sitter::Node<'_>, e: &SyntaxError| {
        node.start_byte() <= e.extent.start && e.extent.end <= node.end_byte()
    };
    let mut node = tree.root_node();
    while !node.is_error() && node.child_count() > 0 {
        let mut cursor = node.walk();
        let children: Vec<tree_sitter::Node<'_>> = node.children(&mut cursor).collect();
        let mut meeting = children.iter().filter(|c| meets(c));
        let (Some(&child), None) = (meeting.next(), meeting.next()) else { break };
        let siblings_clean = children.iter().all(|c| *c == child || !c.has_error())
            && !kept.iter().any(|e| holds(&node, e) && !holds(&child, e));
        if !siblings_clean {
            break;
        }
        // A token or an error node is searched on its own: its siblings are
        // unchanged and its message reads them from the tree.
        node = child;
        if child.child_count() == 0 || child.is_error() {
            break;
        }
    }
    let mut errors: Vec<SyntaxError> = kept.into_iter().filter(|e| !holds(&node, e)).collect();
    errors.extend(collect_under(node, text));
    errors.sort_by_key(|e| (e.range.start, e.range.end));
    errors
}

fn error_node(node: tree_sitter::Node<'_>, text: &str) -> SyntaxError {
    let range = node.byte_range();
    let found = text.get(range.clone()).unwrap_or("").trim();
    let found = found.lines().next().unwrap_or("");
    let found = if found.chars().count() > 40 {
        format!("`{}…`", found.chars().take(40).collect::<String>())
    } else if found.is_empty() {
        "the end of the line".to_string()
    } else {
        format!("`{found}`")
    };
    let expected = expected_before(node);
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("unexpected {found}; expected {}", join_alternatives(&expected))
    };
    // A multi-line error is shown on its first line: that is where the
    // reader has to look, and it keeps later lines free of red.
    let first_line_end = text.get(range.clone()).and_then(|s| s.find('\n')).map_or(range.end, |i| range.start + i);
    let trimmed_end = range.start + text.get(range.start..first_line_end).unwrap_or("").trim_end().len();
    SyntaxError { range: range.start..trimmed_end.max(range.start), message, extent: range }
}

fn missing_node(node: tree_sitter::Node<'_>) -> SyntaxError {
    let in_direction = node.parent().is_some_and(|p| p.kind() == "direction");
    let kind = if in_direction { "direction" } else { node.kind() };
    let label = label(kind).unwrap_or_else(|| format!("`{kind}`"));
    SyntaxError { range: node.byte_range(), message: format!("missing {label}"), extent: node.byte_range() }
}

/// What the grammar accepts at the start of `node`, decided from the shape
/// of the tree around it. (Parse states would say more, but an incremental
/// re-parse reuses nodes without them, and a message must not depend on how
/// the text was typed.)
fn expected_before(node: tree_sitter::Node<'_>) -> Vec<String> {
    expected_in_block(node).unwrap_or_default()
}

/// The expected continuation of an error that follows something complete
/// inside a braced block, decided from the block's kind.
fn expected_in_block(node: tree_sitter::Node<'_>) -> Option<Vec<String>> {
    let parent = node.parent()?;
    let mut previous = node.prev_sibling();
    while let Some(p) = previous.filter(|p| p.is_extra()) {
        previous = p.prev_sibling();
    }
    let previous = previous?;
    let statements: &[&str] = match parent.kind() {
        "connection_set_body" => &["a connection (`dataverse dv \"env\"`)", "an `organization` line"],
        "map_body" => &["a field mapping", "`filter`", "`key`"],
        "project_body" => &["`map`"],
        "source_file" => &["`connection_set`", "`project`"],
        _ => return None,
    };
    let after_line = !previous.is_error() && previous.is_named() && !previous.has_error();
    let strings: Vec<String> = if after_line && parent.kind() != "source_file" && parent.kind() != "project_body" {
        vec!["the end of the line".to_string()]
    } else {
        statements.iter().map(|s| s.to_string()).chain(std::iter::once("`}`".to_string())).collect()
    };
    Some(strings)
}

/// A reader's name for a grammar symbol, or `None` for symbols that are
/// never worth naming (comments, internal helpers).
fn label(kind: &str) -> Option<String> {
    Some(match kind {
        "" | "comment" | "ERROR" => return None,
        "end" => "the end of the file".to_string(),
        "_newline" => "the end of the line".to_string(),
        "identifier" => "a name".to_string(),
        "string" => "a string".to_string(),
        "number" => "a number".to_string(),
        "path" => "a field path".to_string(),
        "direction" => "a direction (`=`, `>`, `<`, `><`, `>>`, `<<`)".to_string(),
        kind if kind.starts_with('_') || kind.contains("_repeat") => return None,
        kind => format!("`{kind}`"),
    })
}

fn join_alternatives(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn repeated_transforms(node: tree_sitter::Node<'_>, errors: &mut Vec<SyntaxError>) {
    let mut cursor = node.walk();
    let mut seen_default = false;
    let mut seen_value_map = false;
    for transform in node.children_by_field_name("transform", &mut cursor) {
        let seen = match transform.kind() {
            "default" => &mut seen_default,
            "value_map" => &mut seen_value_map,
            _ => continue,
        };
        if *seen {
            errors.push(SyntaxError {
                range: transform.byte_range(),
                message: format!("a field mapping takes at most one `{}`", transform.kind()),
                extent: node.byte_range(),
            });
        }
        *seen = true;
    }
}
