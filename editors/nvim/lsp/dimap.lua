-- The dimap language server, for Neovim 0.11's vim.lsp.config():
--
--   vim.lsp.enable('dimap')
--
-- Override any field with vim.lsp.config('dimap', { ... }), for instance the
-- path of the binary: vim.lsp.config('dimap', { cmd = { '/path/to/dimap', 'lsp' } }).
--
-- Settings (every key optional; see the project's spec, cli.md, "`dimap lsp`
-- settings"). The same shape goes in init_options, or under the `dimap` key
-- of settings, which the client sends as workspace/didChangeConfiguration:
--
--   {
--     schemas = '.dimap/schemas',             -- overrides dimap.toml's `schemas`
--     diagnostics = {
--       debounceMs = 50,                      -- delay before semantic findings (0: at once)
--       severity = { DIMAP0009 = 'off', DIPV1031 = 'warning' },
--     },
--   }
--
-- Nothing is set here by default, so a workspace's dimap.toml decides.
--
-- Diagnostics are pushed, not pulled: the client does not offer
-- textDocument/diagnostic. Neovim 0.11 pulls only for open buffers and
-- does not act on workspace/diagnostic/refresh, while the server pushes the
-- findings of every file of the workspace and pushes again when a cache or
-- another file changes (vim.diagnostic.setqflist() then lists them all, as
-- `dimap check` does). To pull anyway: vim.lsp.config('dimap', { before_init = function() end }).

---@type vim.lsp.Config
return {
  cmd = { 'dimap', 'lsp' },
  filetypes = { 'dimap' },
  -- The workspace root is the nearest folder upward with a dimap.toml; a
  -- repository without one is checked from its top.
  root_markers = { 'dimap.toml', '.git' },
  init_options = vim.empty_dict(),
  settings = { dimap = vim.empty_dict() },
  handlers = {
    -- loading / ready / error: see lua/dimap/init.lua for statuslines.
    ['dimap/status'] = function(...)
      return require('dimap').on_status(...)
    end,
  },
  before_init = function(params)
    local text_document = params.capabilities and params.capabilities.textDocument
    if text_document then
      text_document.diagnostic = nil
    end
  end,
}
