; Highlights for .dimap files, shared by every editor integration.

(comment) @comment

[
  "connection_set"
  "organization"
  "project"
  "map"
  "filter"
  "key"
] @keyword

[
  "default"
  "value_map"
] @keyword.operator

(app) @type.builtin
(project_kind) @type.builtin

(connection_set name: (identifier) @namespace)
(project connection_set: (identifier) @namespace)
(project name: (_) @title)
(map name: (identifier) @function)

(connection alias: (identifier) @variable.parameter)
(organization_ref alias: (identifier) @variable.parameter)
(entity_ref alias: (identifier) @variable.parameter)
(filter alias: (identifier) @variable.parameter)
(entity_ref entity: (identifier) @type)

(path (identifier) @property)
(none) @constant.builtin

(direction) @operator
"=" @operator

(string) @string
(number) @number
[(true) (false)] @boolean
(null) @constant.builtin
(value_map_entry (identifier) @constant)
(default value: (identifier) @constant)

["{" "}"] @punctuation.bracket
["." ","] @punctuation.delimiter
