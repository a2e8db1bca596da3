-- leak-lsp for Neovim 0.11+: put this folder (editors/nvim) on 'runtimepath', or copy this
-- file to ~/.config/nvim/lsp/leak_lsp.lua, then call vim.lsp.enable("leak_lsp").
-- `leak-lsp` must be on PATH (pip install leak-lsp); otherwise set cmd to
-- { "/path/to/python", "-m", "leak_lsp", "serve" } with vim.lsp.config("leak_lsp", {...}).
-- Settings override [tool.leak-lsp] of the project, for example:
--   vim.lsp.config("leak_lsp", { settings = { leakLsp = { ignore = { "EL901" } } } })

---@type vim.lsp.Config
return {
  cmd = { "leak-lsp", "serve" },
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", ".git" },
}
