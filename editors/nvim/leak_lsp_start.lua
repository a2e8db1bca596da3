-- leak-lsp for Neovim 0.8-0.10 (0.7 too): source this file from init.lua
-- (dofile("/path/to/leak_lsp_start.lua")) or paste it there.
-- Neovim 0.11+: use lsp/leak_lsp.lua with vim.lsp.enable("leak_lsp") instead.

local server = {
  name = "leak_lsp",
  cmd = { "leak-lsp", "serve" }, -- or { "/path/to/python", "-m", "leak_lsp", "serve" }
  -- Overrides [tool.leak-lsp] of the project, for example { leakLsp = { ignore = { "EL901" } } }
  settings = {},
}
local root_markers = { "pyproject.toml", "setup.py", "setup.cfg", ".git" }

--- The folder of the nearest root marker above `path`, else the file's own folder.
local function project_root(path)
  local folder = vim.fn.fnamemodify(path, ":p:h")
  if vim.fs then -- 0.8+
    local marker = vim.fs.find(root_markers, { upward = true, path = folder })[1]
    return marker and vim.fs.dirname(marker) or folder
  end
  return folder
end

local client_per_root = {} -- Neovim 0.7 has no vim.lsp.start to reuse a client

local function start(buffer)
  local config = vim.tbl_extend("force", server, { root_dir = project_root(vim.api.nvim_buf_get_name(buffer)) })
  if vim.lsp.start then
    vim.lsp.start(config, { bufnr = buffer })
    return
  end
  local client_id = client_per_root[config.root_dir]
  if not client_id or vim.lsp.client_is_stopped(client_id) then
    client_id = vim.lsp.start_client(config)
    client_per_root[config.root_dir] = client_id
  end
  vim.lsp.buf_attach_client(buffer, client_id)
end

vim.api.nvim_create_autocmd("FileType", {
  pattern = "python",
  callback = function(event)
    start(event.buf)
  end,
})
