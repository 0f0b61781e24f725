-- 'indentexpr' for .dimap buffers, driven by queries/dimap/indents.scm.
--
-- The query uses the captures of nvim-treesitter's indent module, and this
-- reads the three the grammar needs, with the same meaning:
--   @indent.begin   lines after the node's first line, inside it, go one level deeper
--   @indent.branch  a line that starts with the node goes back one level
--   @indent.end     an empty line after a line ending with the node is no longer inside it
-- Each line of the file counts once: of the nodes that start on one line,
-- only the innermost marked one adds or removes a level.
--
-- A block that is still being typed (a `{` whose `}` is not there yet) often
-- leaves the parser with one ERROR node and no blocks to go by; a line inside
-- an ERROR is indented by counting the braces before it instead, outside
-- strings and comments, which is what `dimap fmt` does.

local M = {}

---@param buf integer
---@return TSNode?
local function root_of(buf)
  local parser = vim.treesitter.get_parser(buf, 'dimap', { error = false })
  if not parser then
    return nil
  end
  local tree = parser:parse()[1]
  return tree and tree:root()
end

--- Captures of the indents query on the rows first..last (0-based), as
--- capture name -> set of node ids.
---@return table<string, table<integer, true>>?
local function marks_on(buf, root, first, last)
  local query = vim.treesitter.query.get('dimap', 'indents')
  if not query then
    return nil
  end
  local marks = {}
  for id, node in query:iter_captures(root, buf, first, last + 1) do
    local name = query.captures[id]
    marks[name] = marks[name] or {}
    marks[name][node:id()] = true
  end
  return marks
end

--- The smallest node covering the character at (row, col), 0-based.
local function node_at(root, row, col)
  return root:descendant_for_range(row, col, row, col + 1)
end

--- The last node on a line that is not a trailing comment.
local function last_node_on(root, row, text)
  local col = #text:gsub('%s+$', '') - 1
  local node = node_at(root, row, col)
  local first = #text:match('^%s*')
  while node and node:type() == 'comment' do
    local _, start = node:start()
    local before = text:sub(1, start):gsub('%s+$', '')
    if #before <= first then
      break -- a line that is only a comment
    end
    node = node_at(root, row, #before - 1)
  end
  return node
end

--- Whether `node` is an ERROR node or inside one.
local function in_error(node)
  while node do
    if node:type() == 'ERROR' then
      return true
    end
    node = node:parent()
  end
  return false
end

--- Levels of indent of line `row` (0-based) by brace depth: the `{` before
--- it that are not closed, one less when the line starts with `}`.
local function brace_depth(buf, row)
  local depth = 0
  for _, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, row, false)) do
    local i, n = 1, #text
    while i <= n do
      local c = text:sub(i, i)
      if c == '#' then
        break
      elseif c == '"' or c == "'" then
        -- A string ends at its quote or at the end of the line.
        i = i + 1
        while i <= n and text:sub(i, i) ~= c do
          i = i + (text:sub(i, i) == '\\' and 2 or 1)
        end
      elseif c == '{' then
        depth = depth + 1
      elseif c == '}' then
        depth = math.max(depth - 1, 0)
      end
      i = i + 1
    end
  end
  local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ''
  if line:match('^%s*}') then
    depth = depth - 1
  end
  return math.max(depth, 0)
end

local function shiftwidth(buf)
  local sw = vim.bo[buf].shiftwidth
  return sw > 0 and sw or vim.bo[buf].tabstop
end

--- The last line before `row` (0-based) with text on it, or nil.
local function prev_nonblank(buf, row)
  for r = row - 1, 0, -1 do
    if vim.api.nvim_buf_get_lines(buf, r, r + 1, false)[1]:find('%S') then
      return r
    end
  end
end

--- The indent of line `lnum` (1-based) in columns, or -1 to keep the
--- current one (no parser, no query).
---@param lnum integer
---@param buf? integer
---@return integer
function M.get_indent(lnum, buf)
  buf = buf or vim.api.nvim_get_current_buf()
  local root = root_of(buf)
  if not root then
    return -1
  end
  local row = lnum - 1
  local text = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1] or ''

  local node
  if text:match('^%s*$') then
    local from = prev_nonblank(buf, row)
    if not from then
      return 0
    end
    local marks = marks_on(buf, root, from, row)
    if not marks then
      return -1
    end
    local prev_text = vim.api.nvim_buf_get_lines(buf, from, from + 1, false)[1]
    node = last_node_on(root, from, prev_text)
    if node and (marks['indent.end'] or {})[node:id()] then
      node = node_at(root, row, 0)
    end
    if in_error(node) then
      return brace_depth(buf, row) * shiftwidth(buf)
    end
    return M._walk(node, row, marks) * shiftwidth(buf)
  end

  local marks = marks_on(buf, root, row, row)
  if not marks then
    return -1
  end
  node = node_at(root, row, #text:match('^%s*'))
  if in_error(node) then
    return brace_depth(buf, row) * shiftwidth(buf)
  end
  return M._walk(node, row, marks) * shiftwidth(buf)
end

--- Levels of indent for line `row` (0-based), from `node` up to the root.
---@private
function M._walk(node, row, marks)
  local begin = marks['indent.begin'] or {}
  local branch = marks['indent.branch'] or {}
  local level = 0
  local counted = {} ---@type table<integer, true>
  while node do
    local srow, _, erow = node:range()
    if not counted[srow] then
      local id = node:id()
      if branch[id] and srow == row then
        level = level - 1
        counted[srow] = true
      end
      local parent = node:parent()
      local open = srow ~= erow or (parent ~= nil and parent:has_error())
      if begin[id] and open and srow ~= row then
        level = level + 1
        counted[srow] = true
      end
    end
    node = node:parent()
  end
  return math.max(level, 0)
end

--- For 'indentexpr': v:lua.require'dimap.indent'.indentexpr()
function M.indentexpr()
  return M.get_indent(vim.v.lnum)
end

return M
