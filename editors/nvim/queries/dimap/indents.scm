; Indentation, in the captures of nvim-treesitter's indent module: one level
; inside every braced block, as `dimap fmt` indents by brace depth.

; The lines inside a block are indented one level deeper than the line the
; block starts on.
[
  (connection_set_body)
  (project_body)
  (map_body)
  (value_map)
] @indent.begin

; A closing `}` that starts its line is back at its block's level, and the
; line after it is no longer inside the block.
"}" @indent.branch @indent.end

; A `{` written on the line after its header stays at the header's level.
"{" @indent.branch
