-- The server's `dimap/status` notification (loading, ready, error, with the
-- counts of cached environments and maps), for statuslines:
--
--   vim.o.statusline = "%f %{v:lua.require'dimap'.status()}"
--
-- A change fires `User DimapStatus` (data: client_id, status); a workspace
-- that cannot be read is also reported with vim.notify.

local M = {}

---@class dimap.Status
---@field state 'loading'|'ready'|'error'
---@field environments integer
---@field maps integer
---@field message? string

---@type table<integer, dimap.Status>
local by_client = {}

--- The handler of `dimap/status` (lsp/dimap.lua registers it).
---@param params dimap.Status
---@param ctx lsp.HandlerContext
function M.on_status(_, params, ctx)
  if type(params) ~= 'table' then
    return
  end
  by_client[ctx.client_id] = params
  if params.state == 'error' then
    vim.notify('dimap: ' .. (params.message or 'the workspace could not be read'), vim.log.levels.ERROR)
  end
  vim.api.nvim_exec_autocmds('User', {
    pattern = 'DimapStatus',
    modeline = false,
    data = { client_id = ctx.client_id, status = params },
  })
end

--- The last status of the dimap server attached to `buf` (default: the
--- current buffer), or nil.
---@param buf? integer
---@return dimap.Status?
function M.get(buf)
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = buf or 0, name = 'dimap' })) do
    if by_client[client.id] then
      return by_client[client.id]
    end
  end
end

--- The status as short text ('' without a dimap server):
--- `dimap: 3 environments, 12 maps`, `dimap: loading`, `dimap: error`.
---@param buf? integer
---@return string
function M.status(buf)
  local status = M.get(buf)
  if not status then
    return ''
  end
  if status.state == 'ready' then
    local text = ('dimap: %d environment%s, %d map%s'):format(
      status.environments,
      status.environments == 1 and '' or 's',
      status.maps,
      status.maps == 1 and '' or 's'
    )
    return status.message and (text .. ' (' .. status.message .. ')') or text
  end
  return 'dimap: ' .. tostring(status.state)
end

return M
