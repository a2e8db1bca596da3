-- leak-lsp for Neovim 0.8-0.10 (0.7 too): source this file from init.lua
-- (dofile("/path/to/leak_lsp_start.lua")) or paste it there.
-- Neovim 0.11+: use lsp/leak_lsp.lua with vim.lsp.enable("leak_lsp") instead.

local server = {
  name = "leak_lsp",
  cmd = { "leak-lsp", "serve" }, -- or { "/path/to/python", "-m", "leak_lsp", "serve" }
  -- Overrides [tool.leak-lsp] of the project, for example { leakLsp = { ignore = { "EL901" } } }
  settings = {},
}
-- Add "yaml", "json", "terraform" to have deployment files checked too.
local filetypes = { "python", "javascript", "javascriptreact", "typescript", "typescriptreact" }
-- What makes a folder a project root, as leak-lsp itself decides (leak_lsp/project/files.py): the
-- nearest folder above the file holding any of these is the client's root.
local root_markers = {
  "pyproject.toml", "setup.py", "setup.cfg", "template.yaml", "template.yml", "template.json",
  "serverless.yml", "serverless.yaml", "cdk.json", "host.json", ".git",
}

local function exists(path)
  return (vim.uv or vim.loop).fs_stat(path) ~= nil
end

--- The nearest folder above `path` (or its own) holding a root marker, else the file's own folder.
--- Written out rather than vim.fs.find, which Neovim 0.7 lacks.
local function project_root(path)
  local start = vim.fn.fnamemodify(path, ":p:h")
  local folder = start
  while true do
    for _, marker in ipairs(root_markers) do
      if exists(folder .. "/" .. marker) then
        return folder
      end
    end
    local parent = vim.fn.fnamemodify(folder, ":h")
    if parent == folder then
      return start
    end
    folder = parent
  end
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
  pattern = filetypes,
  callback = function(event)
    start(event.buf)
  end,
})
