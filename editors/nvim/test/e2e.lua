-- End-to-end test of the Neovim plugin in a real Neovim (0.11 or later):
-- filetype, ftplugin, tree-sitter queries and parser, and the language
-- server through Neovim's own LSP client.
--
--   DIMAP_BIN=/path/to/dimap nvim --headless --clean -l editors/nvim/test/e2e.lua
--
-- editors/nvim/test/run.sh sets everything up (Neovim, the parser, the
-- server, temporary XDG folders) and runs this. The example workspaces are
-- copied to a temporary folder first; the repository is never written to.
-- Prints one line per check and `nvim e2e: N passed, M failed`; exits 1 on
-- any failure, or after DIMAP_E2E_TIMEOUT seconds (default 180).

local uv = vim.uv
local started = uv.hrtime()

local passed, failed = 0, 0

--- One line on standard output (print() in `nvim -l` writes the newline first).
local function say(line)
  io.stdout:write(line, '\n')
  io.stdout:flush()
end

-- Never hang: a watchdog on the event loop (which every wait below runs).
local timeout_s = tonumber(vim.env.DIMAP_E2E_TIMEOUT) or 180
local watchdog = assert(uv.new_timer())
watchdog:start(timeout_s * 1000, 0, function()
  io.stdout:write(('FAIL overall timeout: the test did not finish in %d s\n'):format(timeout_s))
  io.stdout:write(('nvim e2e: %d passed, %d failed\n'):format(passed, failed + 1))
  io.stdout:flush()
  os.exit(1)
end)

---@param name string
---@param ok any
---@param detail? string shown when the check fails
local function check(name, ok, detail)
  if ok then
    passed = passed + 1
    say('ok   ' .. name)
  else
    failed = failed + 1
    say('FAIL ' .. name .. (detail and (': ' .. detail) or ''))
  end
  io.stdout:flush()
end

local function fail_fast(msg)
  say('FAIL ' .. msg)
  say(('nvim e2e: %d passed, %d failed'):format(passed, failed + 1))
  os.exit(1)
end

local scratch

local function main()
  -- Paths: this file is editors/nvim/test/e2e.lua.
  local script = vim.fn.fnamemodify(assert(_G.arg and _G.arg[0], 'run with nvim -l'), ':p')
  local plugin = vim.fs.dirname(vim.fs.dirname(script))
  local repo = vim.fs.dirname(vim.fs.dirname(plugin))

  local bin = vim.env.DIMAP_BIN
  if not bin or bin == '' or vim.fn.executable(bin) ~= 1 then
    fail_fast('DIMAP_BIN must name the built dimap binary (got ' .. tostring(bin) .. ')')
  end
  bin = vim.fn.fnamemodify(bin, ':p')

  say(('nvim e2e: %s, plugin %s, server %s'):format(
    vim.split(vim.fn.execute('version'), '\n', { trimempty = true })[1],
    plugin,
    bin
  ))

  ---@param cmd string[]
  local function run(cmd)
    local r = vim.system(cmd, { text = true }):wait(60000)
    return r.code == 0, (r.stdout or '') .. (r.stderr or '')
  end

  --- Every *.dimap file under `root`, sorted.
  local function dimap_files(root)
    local files = {}
    for name, kind in vim.fs.dir(root, { depth = 10 }) do
      if kind == 'file' and name:match('%.dimap$') then
        table.insert(files, root .. '/' .. name)
      end
    end
    table.sort(files)
    return files
  end

  local function read_file(path)
    local f = assert(io.open(path, 'rb'))
    local text = f:read('*a')
    f:close()
    return text
  end

  -- ---------------------------------------------------------------------------
  -- Scratch copies of the example workspaces.

  scratch = vim.fn.tempname() .. '-dimap-e2e'
  vim.fn.mkdir(scratch, 'p')
  local broken = scratch .. '/broken'
  local contoso = scratch .. '/contoso'
  do
    local ok, out = run({ 'cp', '-R', repo .. '/examples/broken', broken })
    if not ok then
      fail_fast('copying examples/broken: ' .. out)
    end
    ok, out = run({ 'cp', '-R', repo .. '/examples/contoso', contoso })
    if not ok then
      fail_fast('copying examples/contoso: ' .. out)
    end
  end

  -- The copy must still find its caches: dimap.toml names the schema folder
  -- relative to the workspace root.
  do
    local toml = read_file(broken .. '/dimap.toml')
    local schemas = toml:match('\nschemas%s*=%s*"([^"]*)"') or toml:match('^schemas%s*=%s*"([^"]*)"')
    local dir = schemas and (schemas:sub(1, 1) == '/' and schemas or (broken .. '/' .. schemas))
    check(
      'the copied workspace keeps its schema folder (' .. tostring(schemas) .. ')',
      dir and #vim.fn.glob(dir .. '/*.json', true, true) > 0,
      'no cache JSON under ' .. tostring(dir)
    )
  end

  -- Snapshot of the copy, to show nothing is written to disk. The cache
  -- indexes the server builds (`.index/` in the schema folder, ignored by
  -- git) are the one exception, by design.
  local function disk_state(root)
    local state = {}
    for name, kind in vim.fs.dir(root, { depth = 10 }) do
      if kind == 'file' and not name:find('/%.index/') then
        state[name] = vim.fn.sha256(read_file(root .. '/' .. name))
      end
    end
    return state
  end
  local broken_before = disk_state(broken)
  local repo_before = disk_state(repo .. '/examples/broken')

  -- ---------------------------------------------------------------------------
  -- The plugin, as a user's config adds it.

  vim.opt.runtimepath:prepend(plugin)
  -- ftdetect/ is read when filetype detection starts; a plugin manager sources
  -- it the same way for a folder added to the runtimepath later.
  vim.cmd('augroup filetypedetect | runtime! ftdetect/*.lua | augroup END')
  vim.o.swapfile = false
  vim.o.showmode = false
  -- With vim.g.dimap_folding, keep folds open (as a user would with
  -- 'foldlevel'): a closed fold turns `gcc` into a whole-fold comment.
  vim.o.foldlevel = 99

  vim.lsp.config('dimap', {
    cmd = { bin, 'lsp' },
    -- Both routes of settings (cli.md): initializationOptions, and
    -- settings.dimap sent as workspace/didChangeConfiguration.
    init_options = { diagnostics = { severity = { DIPV1031 = 'warning' } } },
    settings = { dimap = { diagnostics = { severity = { DIMAP0009 = 'hint' } } } },
  })
  -- DIMAP_E2E_PULL=1 keeps Neovim's pull diagnostics instead of the pushed
  -- ones lsp/dimap.lua asks for.
  local pull = vim.env.DIMAP_E2E_PULL == '1'
  if pull then
    vim.lsp.config('dimap', { before_init = function() end })
  end
  vim.lsp.enable('dimap')

  do
    local config = vim.lsp.config.dimap or {}
    check(
      'lsp/dimap.lua: filetypes and root markers',
      vim.deep_equal(config.filetypes, { 'dimap' }) and vim.deep_equal(config.root_markers, { 'dimap.toml', '.git' }),
      vim.inspect({ config.filetypes, config.root_markers })
    )
    check('lsp/dimap.lua: cmd overridden by vim.lsp.config', config.cmd and config.cmd[1] == bin and config.cmd[2] == 'lsp')
    local files = vim.api.nvim_get_runtime_file('lsp/dimap.lua', true)
    check('lsp/dimap.lua found on the runtimepath', files[1] == plugin .. '/lsp/dimap.lua', vim.inspect(files))
  end

  -- ---------------------------------------------------------------------------
  -- Filetype and ftplugin.

  check(
    'filetype detection of *.dimap',
    vim.filetype.match({ filename = 'x/customers.dimap' }) == 'dimap',
    tostring(vim.filetype.match({ filename = 'x/customers.dimap' }))
  )

  local function open(path)
    vim.cmd.edit(vim.fn.fnameescape(path))
    return vim.api.nvim_get_current_buf()
  end

  vim.g.dimap_folding = true
  local currencies_path = broken .. '/maps/currencies.dimap'
  local currencies = open(currencies_path)
  vim.g.dimap_folding = nil

  check('filetype of an opened .dimap file', vim.bo[currencies].filetype == 'dimap', vim.bo[currencies].filetype)
  check('commentstring', vim.bo[currencies].commentstring == '# %s', vim.bo[currencies].commentstring)
  check('shiftwidth 2, expandtab', vim.bo[currencies].shiftwidth == 2 and vim.bo[currencies].expandtab)
  check('undo_ftplugin set', type(vim.b[currencies].undo_ftplugin) == 'string')

  do
    -- gcc (Neovim's default comment mapping) uses 'commentstring'.
    local line = vim.api.nvim_buf_get_lines(currencies, 7, 8, false)[1]
    vim.api.nvim_win_set_cursor(0, { 8, 0 })
    vim.cmd.normal('gcc')
    local commented = vim.api.nvim_buf_get_lines(currencies, 7, 8, false)[1]
    vim.cmd.normal('gcc')
    local back = vim.api.nvim_buf_get_lines(currencies, 7, 8, false)[1]
    check(
      'gcc comments a line with #',
      commented == line:gsub('^(%s*)', '%1# ') and back == line,
      vim.inspect({ commented, back })
    )
  end

  -- ---------------------------------------------------------------------------
  -- Tree-sitter: parser, queries, highlighting, folds, indentation.

  do
    local so = vim.api.nvim_get_runtime_file('parser/dimap.so', true)
    check('parser/dimap.so found on the runtimepath', so[1] == plugin .. '/parser/dimap.so', vim.inspect(so))
    for _, name in ipairs({ 'highlights', 'folds', 'indents' }) do
      local files = vim.treesitter.query.get_files('dimap', name)
      local ok, query = pcall(vim.treesitter.query.get, 'dimap', name)
      check(
        ('queries/dimap/%s.scm loads against the parser'):format(name),
        ok and query and files[1] == plugin .. '/queries/dimap/' .. name .. '.scm',
        ok and vim.inspect(files) or tostring(query)
      )
    end
  end

  check('tree-sitter highlighting started by the ftplugin', vim.treesitter.highlighter.active[currencies] ~= nil)

  ---@return string[] the capture names at the first occurrence of `needle` on line `lnum` (1-based)
  local function captures_at(buf, lnum, needle)
    local text = vim.api.nvim_buf_get_lines(buf, lnum - 1, lnum, false)[1] or ''
    local col = text:find(needle, 1, true)
    if not col then
      return { '<' .. needle .. ' not on line ' .. lnum .. '>' }
    end
    -- A screen redraw parses before highlighting; headless, parse here.
    vim.treesitter.get_parser(buf, 'dimap'):parse()
    return vim.tbl_map(function(c)
      return c.capture
    end, vim.treesitter.get_captures_at_pos(buf, lnum - 1, col - 1))
  end

  local function line_of(buf, pattern)
    for i, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      if text:find(pattern) then
        return i, text
      end
    end
  end

  do
    local map_line = assert(line_of(currencies, '^%s*map currencies'))
    local project_line = assert(line_of(currencies, '^project'))
    for _, case in ipairs({
      { map_line, 'map', 'keyword' },
      { map_line, 'currencies', 'function' },
      { map_line, 'transactioncurrency', 'type' },
      { map_line, '>', 'operator' },
      { project_line, 'data_integrator', 'type.builtin' },
      { project_line, '"Currencies', 'string' },
      { 1, '#', 'comment' },
      { map_line + 1, 'CURRENCYCODE', 'property' },
    }) do
      local lnum, needle, want = case[1], case[2], case[3]
      local got = captures_at(currencies, lnum, needle)
      check(
        ('highlight capture @%s at `%s` (line %d)'):format(want, needle, lnum),
        vim.tbl_contains(got, want),
        'got ' .. vim.inspect(got)
      )
    end
  end

  do
    local map_line = assert(line_of(currencies, '^%s*map currencies'))
    check('folding: foldexpr set with vim.g.dimap_folding', vim.wo.foldmethod == 'expr', vim.wo.foldmethod)
    local ok = vim.wait(5000, function()
      return vim.fn.foldlevel(map_line + 1) >= 2
    end, 20)
    check(
      'folding: a map line is two folds deep',
      ok,
      ('foldlevel(%d) = %d'):format(map_line + 1, vim.fn.foldlevel(map_line + 1))
    )
  end

  -- Indentation: `dimap fmt` output is what the indents query must reproduce,
  -- line by line; `=` over a formatted file changes nothing.
  do
    local ok, out = run({ bin, 'fmt', contoso })
    check('dimap fmt of the contoso copy', ok, out)
    local indent = require('dimap.indent')
    for _, path in ipairs(dimap_files(contoso)) do
      local buf = open(path)
      local rel = path:sub(#contoso + 2)
      check('indentexpr set for ' .. rel, vim.bo[buf].indentexpr:find('dimap.indent', 1, true) ~= nil, vim.bo[buf].indentexpr)
      local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      local wrong = {}
      local depth = 0 -- braces open before the line (none in these strings)
      for lnum, text in ipairs(lines) do
        -- A line with text: where dimap fmt put it. An empty line: where
        -- a line typed there belongs, the depth of the blocks around it.
        local want = text:find('%S') and #text:match('^ *') or depth * 2
        local got = indent.get_indent(lnum, buf)
        if got ~= want then
          table.insert(wrong, ('line %d: %d, not %d'):format(lnum, got, want))
        end
        local code = text:gsub('#.*', '')
        depth = depth + select(2, code:gsub('{', '')) - select(2, code:gsub('}', ''))
      end
      check(('indents.scm matches dimap fmt on %s (%d lines)'):format(rel, #lines), #wrong == 0, table.concat(wrong, '; '))
      vim.cmd('silent normal! gg=G')
      local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
      check('= over ' .. rel .. ' changes nothing', vim.deep_equal(after, lines))
      vim.cmd('silent! undo 0')
    end

    -- Typing a map from scratch: each line indents as it is started, and a
    -- `}` dedents as it is typed; an empty line after a block is outside it.
    vim.cmd.enew()
    vim.bo.buftype = 'nofile' -- no file: no language server either
    vim.bo.filetype = 'dimap'
    local keys = table.concat({
      'iproject p dual_write c {',
      'map m fo.A = dv.b {',
      'X = y',
      'Z >< w value_map {',
      'One = 1',
      '}',
      '}',
      '',
      'map n fo.C = dv.d',
      '{',
      'K = k',
      '}',
      '}<Esc>',
    }, '<CR>')
    vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'xt', false)
    local want = {
      'project p dual_write c {',
      '  map m fo.A = dv.b {',
      '    X = y',
      '    Z >< w value_map {',
      '      One = 1',
      '    }',
      '  }',
      '',
      '  map n fo.C = dv.d',
      '  {',
      '    K = k',
      '  }',
      '}',
    }
    local got = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    -- Vim removes the indent of a line left empty; what matters is where
    -- the next line went.
    check('typing a project indents every line', vim.deep_equal(got, want), vim.inspect(got))
    vim.cmd('bwipeout!')
  end

  -- ---------------------------------------------------------------------------
  -- The language server.

  vim.cmd.buffer(currencies)

  local function client_of(buf)
    return vim.lsp.get_clients({ bufnr = buf, name = 'dimap' })[1]
  end

  local client
  do
    vim.wait(15000, function()
      client = client_of(currencies)
      return client ~= nil and client.initialized
    end, 20)
    check('the dimap client attaches to a .dimap buffer', client ~= nil and client.initialized)
    if not client then
      fail_fast('no language server: nothing else can be checked')
    end
    check(
      'server root is the workspace of dimap.toml',
      client.root_dir == broken or client.root_dir == vim.uv.fs_realpath(broken),
      tostring(client.root_dir)
    )
    check(
      'server identifies as dimap',
      client.server_info and client.server_info.name == 'dimap',
      vim.inspect(client.server_info)
    )
    if not pull then
      check(
        'diagnostics are pushed (the client offers no textDocument/diagnostic)',
        client.server_capabilities.diagnosticProvider == nil
      )
    end
    local status
    vim.wait(10000, function()
      status = require('dimap').get(currencies)
      return status ~= nil and status.state == 'ready'
    end, 20)
    check(
      'dimap/status: ready, 3 environments and the maps of the workspace',
      status and status.state == 'ready' and status.environments == 3 and status.maps >= 10,
      vim.inspect(status) .. ' ' .. require('dimap').status(currencies)
    )
    check('omnifunc set to the LSP client', vim.bo[currencies].omnifunc == 'v:lua.vim.lsp.omnifunc', vim.bo[currencies].omnifunc)
  end

  --- `#~ CODE` annotations: line (0-based) -> code -> count.
  local function annotations(buf)
    local want = {}
    for i, text in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
      local codes = text:match('#~%s*(.-)%s*$')
      if codes then
        for code in codes:gmatch('%S+') do
          want[i - 1] = want[i - 1] or {}
          want[i - 1][code] = (want[i - 1][code] or 0) + 1
        end
      end
    end
    return want
  end

  local function dimap_diagnostics(buf)
    return vim.tbl_filter(function(d)
      return d.source == 'dimap'
    end, vim.diagnostic.get(buf))
  end

  --- Compares a buffer's diagnostics with its annotations as the conformance
  --- runner does (cli.md): every annotation is found; every DIPV finding and
  --- every error is annotated, as many times as it occurs; DIMAP0001 by
  --- presence on a line.
  local function compare(buf)
    local want = annotations(buf)
    local all, strict = {}, {}
    for _, d in ipairs(dimap_diagnostics(buf)) do
      local code = tostring(d.code)
      all[d.lnum] = all[d.lnum] or {}
      all[d.lnum][code] = (all[d.lnum][code] or 0) + 1
      if code:match('^DIPV') or d.severity == vim.diagnostic.severity.ERROR then
        strict[d.lnum] = strict[d.lnum] or {}
        strict[d.lnum][code] = (strict[d.lnum][code] or 0) + 1
      end
    end
    local problems = {}
    for lnum, codes in pairs(want) do
      for code, n in pairs(codes) do
        local got = (all[lnum] or {})[code] or 0
        if got < n or (code == 'DIMAP0001' and got == 0) then
          table.insert(problems, ('line %d: %s missing'):format(lnum + 1, code))
        end
      end
    end
    for lnum, codes in pairs(strict) do
      for code, n in pairs(codes) do
        local expected = (want[lnum] or {})[code] or 0
        if code == 'DIMAP0001' then
          n = math.min(n, 1)
        end
        if n > expected then
          table.insert(problems, ('line %d: unexpected %s'):format(lnum + 1, code))
        end
      end
    end
    table.sort(problems)
    return problems
  end

  --- Waits until `buf` has at least `n` findings and they have not changed
  --- for 300 ms (a syntax error is pushed at once, the rest after the
  --- server's debounce).
  local function settle(buf, n)
    local last, since = nil, uv.now()
    vim.wait(10000, function()
      local list = dimap_diagnostics(buf)
      local key = vim.inspect(vim.tbl_map(function(d)
        return { d.lnum, d.col, d.code, d.severity }
      end, list))
      if key ~= last then
        last, since = key, uv.now()
      end
      return #list >= n and uv.now() - since >= 300
    end, 20)
  end

  local function wait_diagnostics(buf, until_fn)
    return vim.wait(10000, function()
      return until_fn(dimap_diagnostics(buf))
    end, 20)
  end

  if not pull then
    -- Pushed findings reach files that are not open yet.
    local products = vim.uri_to_bufnr(vim.uri_from_fname(broken .. '/maps/products.dimap'))
    local got = wait_diagnostics(products, function(list)
      return #list > 0
    end)
    check(
      'findings of a file that is not open (maps/products.dimap) arrive',
      got and not vim.api.nvim_buf_is_loaded(products),
      ('%d findings, loaded: %s'):format(#dimap_diagnostics(products), vim.api.nvim_buf_is_loaded(products))
    )
  end

  local buffers = {} ---@type table<string, integer>
  do
    local files = dimap_files(broken)
    local annotated = 0
    for _, path in ipairs(files) do
      local rel = path:sub(#broken + 2)
      local buf = path == currencies_path and currencies or open(path)
      buffers[rel] = buf
      local n = 0
      for _, codes in pairs(annotations(buf)) do
        for _, count in pairs(codes) do
          n = n + count
        end
      end
      annotated = annotated + n
      settle(buf, n)
      local problems = compare(buf)
      check(
        ('diagnostics of %s match its #~ annotations (%d)'):format(rel, n),
        #problems == 0,
        table.concat(problems, '; ')
      )
    end
    check('every example file was checked', #files >= 7 and annotated >= 40, ('%d files, %d annotations'):format(#files, annotated))
  end

  do
    local function severity_of(rel, code)
      for _, d in ipairs(buffers[rel] and dimap_diagnostics(buffers[rel]) or {}) do
        if d.code == code then
          return d.severity
        end
      end
      return nil
    end
    local s = vim.diagnostic.severity
    check(
      'init_options severity override (DIPV1031 as warning)',
      severity_of('maps/currencies.dimap', 'DIPV1031') == s.WARN,
      tostring(severity_of('maps/currencies.dimap', 'DIPV1031'))
    )
    check(
      'settings.dimap severity override (DIMAP0009 as hint)',
      severity_of('maps/customers.dimap', 'DIMAP0009') == s.HINT,
      tostring(severity_of('maps/customers.dimap', 'DIMAP0009'))
    )
  end

  -- Completion of entity names after `dv.` in a map header.
  do
    vim.cmd.buffer(currencies)
    local lnum, text = line_of(currencies, '^%s*map currencies')
    local col = assert(text:find('dv.', 1, true)) + 2 -- byte after the `.`
    vim.api.nvim_win_set_cursor(0, { lnum, col })
    local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
    local response = client:request_sync('textDocument/completion', params, 10000, currencies)
    local items = response and response.result or {}
    items = items.items or items
    local labels = vim.tbl_map(function(item)
      return item.label
    end, items)
    check(
      'completion after `dv.` offers Dataverse entities (account, transactioncurrency)',
      vim.tbl_contains(labels, 'account') and vim.tbl_contains(labels, 'transactioncurrency'),
      response and response.err and vim.inspect(response.err) or vim.inspect(labels)
    )
    check(
      'completion after `dv.` offers no finance and operations entity',
      not vim.tbl_contains(labels, 'CustomersV3') and not vim.tbl_contains(labels, 'Currencies'),
      vim.inspect(labels)
    )
  end

  -- The quick-fix of DIPV1031: add a default.
  do
    local lnum = assert(line_of(currencies, '#~ DIPV1031'))
    local diagnostic
    for _, d in ipairs(dimap_diagnostics(currencies)) do
      if d.code == 'DIPV1031' and d.lnum == lnum - 1 then
        diagnostic = d.user_data and d.user_data.lsp
      end
    end
    check('DIPV1031 reported on the annotated line', diagnostic ~= nil)
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(currencies) },
      range = diagnostic and diagnostic.range or {
        start = { line = lnum - 1, character = 0 },
        ['end'] = { line = lnum - 1, character = 0 },
      },
      context = { diagnostics = { diagnostic }, only = { 'quickfix' } },
    }
    local response = client:request_sync('textDocument/codeAction', params, 10000, currencies)
    local actions = response and response.result or {}
    local fix
    for _, action in ipairs(actions) do
      if action.kind == 'quickfix' and (action.isPreferred or not fix) then
        fix = action
      end
    end
    check(
      'a quick-fix is offered for DIPV1031',
      fix ~= nil,
      response and response.err and vim.inspect(response.err) or vim.inspect(actions)
    )
    if fix and not fix.edit and client:supports_method('codeAction/resolve') then
      local resolved = client:request_sync('codeAction/resolve', fix, 10000, currencies)
      fix = resolved and resolved.result or fix
    end
    if fix and fix.edit then
      vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
    end
    local line = vim.api.nvim_buf_get_lines(currencies, lnum - 1, lnum, false)[1]
    check(
      ('applying "%s" adds a default on line %d'):format(fix and fix.title or '?', lnum),
      line:find('%sdefault%s') ~= nil,
      line
    )
    check('the fix edits the buffer, not the file', vim.bo[currencies].modified)
    local gone = wait_diagnostics(currencies, function(list)
      for _, d in ipairs(list) do
        if d.code == 'DIPV1031' then
          return false
        end
      end
      return true
    end)
    check('DIPV1031 is gone after the fix', gone)
  end

  -- Formatting through the server: the same as `dimap fmt`.
  do
    local buf = buffers['maps/vendors.dimap']
    vim.cmd.buffer(buf)
    local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    vim.lsp.buf.format({ bufnr = buf, name = 'dimap', timeout_ms = 10000 })
    local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local copy = scratch .. '/vendors-fmt.dimap'
    vim.fn.writefile(before, copy)
    local ok = run({ bin, 'fmt', copy })
    check(
      'textDocument/formatting equals dimap fmt',
      ok and vim.deep_equal(after, vim.fn.readfile(copy)),
      'buffer and dimap fmt differ'
    )
  end

  -- Nothing reached the disk.
  check('the workspace copy on disk is unchanged (no :w)', vim.deep_equal(disk_state(broken), broken_before))
  check('examples/broken in the repository is unchanged', vim.deep_equal(disk_state(repo .. '/examples/broken'), repo_before))
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  check('the test script ran to its end', false, err)
end

local elapsed = (uv.hrtime() - started) / 1e9
if failed > 0 then
  local log = vim.lsp.log.get_filename()
  if vim.fn.filereadable(log) == 1 then
    say('--- last lines of ' .. log)
    for _, l in ipairs(vim.list_slice(vim.fn.readfile(log), math.max(1, #vim.fn.readfile(log) - 20))) do
      say(l)
    end
  end
end
say(('nvim e2e: took %.1f s'):format(elapsed))
say(('nvim e2e: %d passed, %d failed'):format(passed, failed))
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop()
end
vim.wait(2000, function()
  return #vim.lsp.get_clients() == 0
end, 20)
if scratch then
  vim.fn.delete(scratch, 'rf')
end
os.exit(failed == 0 and 0 or 1)
