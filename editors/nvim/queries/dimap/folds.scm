; Folding ranges: every braced block.

(connection_set_body) @fold
(project_body) @fold
(map_body) @fold
(value_map) @fold
