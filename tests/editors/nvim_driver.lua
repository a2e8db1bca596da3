-- Drives a headless Neovim and writes a JSON report for tests/editors/test_neovim.py. It
-- sets up leak-lsp the way a user would (the 0.11 runtime config or the 0.7-0.10
-- snippet), opens LEAK_LSP_DOCUMENT from the current folder, then runs one scenario:
-- - "quick-fix": wait for the diagnostics, ask for the quick fixes on the diagnostic's
--   range, apply the preferred one with the client's offset encoding, write the file,
--   and wait for the diagnostics to clear;
-- - "diagnostics": wait until the buffer's diagnostics are LEAK_LSP_EXPECTED (a JSON list
--   of {code, line, column}, byte columns) and report the last ones seen;
-- - "helper-refresh": as "diagnostics", then open LEAK_LSP_HELPER, apply the edit
--   LEAK_LSP_HELPER_EDIT ({old, new}), write it, and wait (without touching the
--   document) until the document's diagnostics are gone.
-- Exits with :cquit 0 after writing the report, :cquit 1 when even that failed.

vim.g.loaded_python3_provider = 0 -- the Python ftplugin probes for it otherwise

local setup = os.getenv("LEAK_LSP_NVIM_SETUP") -- "runtime" or "snippet"
local scenario = os.getenv("LEAK_LSP_SCENARIO")
local editors_dir = os.getenv("LEAK_LSP_EDITORS_DIR")
local document = os.getenv("LEAK_LSP_DOCUMENT")
local report_path = os.getenv("LEAK_LSP_REPORT")
local timeout_ms = 20000

local report = { steps = {} }

local function step(name)
  table.insert(report.steps, name)
end

local function leak_lsp_client(buffer)
  local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buffer })
    or vim.lsp.buf_get_clients(buffer)
  for _, client in pairs(clients) do
    if client.name == "leak_lsp" then
      return client
    end
  end
end

-- Neovim 0.7 keeps only part of the LSP payload (no range, no message) in its
-- diagnostics' user_data: remember the pushed ones.
local pushed = {}
local default_publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
  pushed[result.uri] = vim.deepcopy(result.diagnostics) -- the default handler rewrites them in place
  return default_publish(err, result, ctx, config)
end

local function lsp_diagnostics(buffer)
  local diagnostics = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(buffer)) do
    local original = diagnostic.user_data and diagnostic.user_data.lsp
    table.insert(diagnostics, { shown = diagnostic, lsp = original and original.range and original })
  end
  for _, entry in ipairs(diagnostics) do
    for _, candidate in ipairs(pushed[vim.uri_from_bufnr(buffer)] or {}) do
      if not entry.lsp and candidate.range.start.line == entry.shown.lnum and candidate.message == entry.shown.message then
        entry.lsp = candidate
      end
    end
  end
  return diagnostics
end

local function describe(entries)
  local described = {}
  for _, entry in ipairs(entries) do
    table.insert(described, {
      line = entry.shown.lnum,
      column = entry.shown.col, -- bytes
      code = entry.shown.code or (entry.lsp and entry.lsp.code),
      source = entry.shown.source,
    })
  end
  return described
end

local function preferred_quick_fix(actions)
  for _, action in ipairs(actions) do
    if action.isPreferred then
      return action
    end
  end
end

local function set_up()
  if setup == "runtime" then
    vim.opt.runtimepath:prepend(editors_dir)
    vim.lsp.enable("leak_lsp")
  else
    dofile(editors_dir .. "/leak_lsp_start.lua")
  end
  vim.cmd("filetype on")
end

local FILETYPES = { py = "python", js = "javascript", mjs = "javascript", cjs = "javascript", jsx = "javascriptreact",
                    ts = "typescript", mts = "typescript", cts = "typescript", tsx = "typescriptreact" }

local function open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buffer = vim.api.nvim_get_current_buf()
  local filetype = FILETYPES[path:match("%.(%w+)$")] or "python"
  if vim.bo[buffer].filetype ~= filetype then
    vim.bo[buffer].filetype = filetype -- 0.7 detects file types only after an -u init file
  end
  return buffer
end

local function note_client(buffer)
  local client = leak_lsp_client(buffer)
  report.offset_encoding = client.offset_encoding
  report.root_dir = client.config.root_dir
  report.neovim = tostring(vim.version().major) .. "." .. tostring(vim.version().minor)
  return client
end

--- Diagnostics as {code, line, column} sorted, to compare with the expected ones.
local function findings(buffer)
  local found = {}
  for _, diagnostic in ipairs(describe(lsp_diagnostics(buffer))) do
    table.insert(found, { code = diagnostic.code, line = diagnostic.line, column = diagnostic.column })
  end
  table.sort(found, function(a, b)
    return vim.inspect(a) < vim.inspect(b)
  end)
  return found
end

--- Waits until the buffer's findings are `expected`; reports the last ones seen as `key`.
local function wait_for_findings(buffer, expected, key)
  local expected_text = vim.inspect(expected)
  local matched = vim.wait(timeout_ms, function()
    return leak_lsp_client(buffer) ~= nil and vim.inspect(findings(buffer)) == expected_text
  end, 50)
  report[key] = findings(buffer)
  assert(matched, key .. " never became " .. expected_text)
end

local function expected_findings()
  local expected = vim.fn.json_decode(os.getenv("LEAK_LSP_EXPECTED"))
  table.sort(expected, function(a, b)
    return vim.inspect(a) < vim.inspect(b)
  end)
  return expected
end

local function quick_fix()
  local buffer = open(document)
  step("opened")
  assert(vim.wait(timeout_ms, function()
    return leak_lsp_client(buffer) ~= nil and #vim.diagnostic.get(buffer) > 0
  end, 50), "no diagnostics from leak-lsp")
  local client = note_client(buffer)
  local diagnostics = lsp_diagnostics(buffer)
  report.diagnostics = describe(diagnostics)
  step("diagnosed")

  local target = diagnostics[1].lsp
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buffer) },
    range = target.range,
    context = { diagnostics = { target }, only = { "quickfix" } },
  }
  local responses = vim.lsp.buf_request_sync(buffer, "textDocument/codeAction", params, timeout_ms)
  local actions = responses and responses[client.id] and responses[client.id].result or {}
  report.actions = {}
  for _, action in ipairs(actions) do
    table.insert(report.actions, action.title)
  end
  local fix = assert(preferred_quick_fix(actions), "no preferred quick fix")
  report.applied = fix.title
  if fix.edit == nil then -- as vim.lsp.buf.code_action does: the edit comes from codeAction/resolve
    local resolved = assert(client.request_sync("codeAction/resolve", fix, timeout_ms, buffer), "no resolve answer")
    assert(resolved.err == nil, vim.inspect(resolved.err))
    fix = resolved.result
  end
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  vim.cmd("write")
  step("fixed")

  assert(vim.wait(timeout_ms, function()
    return #vim.diagnostic.get(buffer) == 0
  end, 50), "the diagnostic stayed after the fix")
  step("clean")
end

local function diagnostics()
  local buffer = open(document)
  step("opened")
  wait_for_findings(buffer, expected_findings(), "diagnostics")
  note_client(buffer)
  step("diagnosed")
  return buffer
end

local function helper_refresh()
  local buffer = diagnostics()
  local edit = vim.fn.json_decode(os.getenv("LEAK_LSP_HELPER_EDIT"))
  open(os.getenv("LEAK_LSP_HELPER"))
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, true), "\n") .. "\n"
  local start, finish = text:find(edit.old, 1, true)
  assert(start, "the helper does not hold the text to replace")
  local fixed = text:sub(1, start - 1) .. edit.new .. text:sub(finish + 1, -2)
  vim.api.nvim_buf_set_lines(0, 0, -1, true, vim.split(fixed, "\n", { plain = true }))
  vim.cmd("write")
  step("helper fixed")
  wait_for_findings(buffer, {}, "refreshed_diagnostics")
  step("document refreshed")
end

local SCENARIOS = { ["quick-fix"] = quick_fix, diagnostics = diagnostics, ["helper-refresh"] = helper_refresh }

local function round_trip()
  set_up()
  SCENARIOS[scenario]()
end

local function finish()
  local ok, failure = pcall(round_trip)
  report.error = (not ok) and tostring(failure) or nil
  local file = io.open(report_path, "w")
  if not file then
    vim.cmd("cquit 1")
  end
  file:write(vim.fn.json_encode(report))
  file:close()
  vim.cmd("cquit 0")
end

-- Neovim 0.11 fires FileType (which starts the client) only for buffers opened after start-up.
vim.api.nvim_create_autocmd("VimEnter", { nested = true, once = true, callback = finish })
