-- leak-lsp for Neovim 0.11+: put this folder (editors/nvim) on 'runtimepath', or copy this
-- file to ~/.config/nvim/lsp/leak_lsp.lua, then call vim.lsp.enable("leak_lsp").
-- `leak-lsp` must be on PATH (pip install leak-lsp); otherwise set cmd to
-- { "/path/to/python", "-m", "leak_lsp", "serve" } with vim.lsp.config("leak_lsp", {...}).
-- Settings override [tool.leak-lsp] of the project, for example:
--   vim.lsp.config("leak_lsp", { settings = { leakLsp = { ignore = { "EL901" } } } })

-- What makes a folder a project root, as leak-lsp itself decides (leak_lsp/project/files.py).
local root_markers = {
  "pyproject.toml", "setup.py", "setup.cfg", "template.yaml", "template.yml", "template.json",
  "serverless.yml", "serverless.yaml", "cdk.json", "host.json", ".git",
}

---@type vim.lsp.Config
return {
  cmd = { "leak-lsp", "serve" },
  filetypes = { "python", "javascript", "javascriptreact", "typescript", "typescriptreact" },
  -- The nearest folder above the file holding any marker (a flat `root_markers` list would
  -- prefer a far pyproject.toml to a near .git), else the file's own folder.
  root_dir = function(buffer, on_dir)
    local name = vim.api.nvim_buf_get_name(buffer)
    if name == "" then
      return -- a buffer without a file has no project: no client
    end
    local folder = vim.fs.dirname(name)
    local marker = vim.fs.find(root_markers, { upward = true, path = folder })[1]
    on_dir(marker and vim.fs.dirname(marker) or folder)
  end,
}
