-- Buffer settings for .dimap table maps.

if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

local bo = vim.bo

-- Comments start with `#` and run to the end of the line (language.md, 1).
bo.comments = ':#'
bo.commentstring = '# %s'
-- `dimap fmt` indents two spaces by block.
bo.expandtab = true
bo.shiftwidth = 2
bo.softtabstop = 2
bo.formatoptions = bo.formatoptions:gsub('t', '') .. 'croql'

-- Options to restore when the filetype changes, and Lua to run after that.
local restore = { 'comments', 'commentstring', 'expandtab', 'shiftwidth', 'softtabstop', 'formatoptions' }
local undo_lua = {}

-- Tree-sitter highlighting and indentation when the dimap parser is installed
-- (parser/dimap.so on the runtimepath: scripts/build-parser.sh builds it).
-- Without it, the buffer keeps plain text and the language server still works.
local buf = vim.api.nvim_get_current_buf()
if pcall(vim.treesitter.start, buf, 'dimap') then
  bo.indentexpr = "v:lua.require'dimap.indent'.indentexpr()"
  bo.indentkeys = '0{,0},0#,!^F,o,O'
  vim.list_extend(restore, { 'indentexpr', 'indentkeys' })
  table.insert(undo_lua, 'pcall(vim.treesitter.stop)')

  -- Folding on the braced blocks, when asked for (it closes every fold on
  -- opening a file unless 'foldlevel' is raised):
  --   vim.g.dimap_folding = true
  if vim.g.dimap_folding then
    vim.wo[0][0].foldmethod = 'expr'
    vim.wo[0][0].foldexpr = 'v:lua.vim.treesitter.foldexpr()'
    vim.list_extend(restore, { 'foldmethod', 'foldexpr' })
  end
end

local undo = 'setlocal ' .. table.concat(restore, '< ') .. '<'
if #undo_lua > 0 then
  -- `:lua` takes the rest of the line, so it comes last.
  undo = undo .. ' | lua ' .. table.concat(undo_lua, '; ')
end
vim.b.undo_ftplugin = undo
