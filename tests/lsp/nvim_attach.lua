-- Neovim (0.7+: start_client, not vim.lsp.start) attaches reviewer lsp to the
-- current buffer, waits for its diagnostics and writes them as JSON.
local out = vim.env.REVIEWER_NVIM_OUT
local client_id = vim.lsp.start_client({
  name = "reviewer",
  cmd = { vim.env.REVIEWER_PYTHON, "-m", "reviewer", "lsp" },
  root_dir = vim.fn.getcwd(),
})
vim.lsp.buf_attach_client(0, client_id)
local ok = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local found = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(found, { line = d.lnum + 1, message = d.message, source = d.source,
                        code = d.code or lsp.code, severity = d.severity })
end
local handle = io.open(out, "w")
handle:write(vim.fn.json_encode({ attached = ok, diagnostics = found }))
handle:close()
vim.lsp.stop_client(client_id)
vim.cmd("qall!")
