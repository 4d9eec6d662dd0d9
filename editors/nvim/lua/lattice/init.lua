-- Lattice language server for Neovim's built-in LSP client.
--
--   require("lattice").setup({ cmd = { "lat", "lsp" } })
--
-- On Neovim 0.11+ this registers the server with vim.lsp.config and enables it; on older
-- versions (0.7+) it starts one client per root with vim.lsp.start_client and attaches
-- every `lattice` buffer to it.
local M = {}

local defaults = {
  cmd = { "lat", "lsp" },
  filetypes = { "lattice" },
  root_markers = { ".git", "Cargo.toml" },
}

local function root_dir(fname, markers)
  local dir = vim.fn.fnamemodify(fname, ":p:h")
  local found = vim.fn.finddir(".git", dir .. ";")
  for _, marker in ipairs(markers) do
    local hit = vim.fn.findfile(marker, dir .. ";")
    if hit ~= "" then
      return vim.fn.fnamemodify(hit, ":p:h")
    end
  end
  if found ~= "" then
    return vim.fn.fnamemodify(found, ":p:h:h")
  end
  return dir
end

function M.setup(opts)
  opts = vim.tbl_deep_extend("force", defaults, opts or {})
  if vim.lsp.config and vim.lsp.enable then
    vim.lsp.config("lattice", {
      cmd = opts.cmd,
      filetypes = opts.filetypes,
      root_markers = opts.root_markers,
    })
    vim.lsp.enable("lattice")
    return
  end
  local clients = {}
  vim.api.nvim_create_autocmd("FileType", {
    pattern = opts.filetypes,
    callback = function(args)
      local root = root_dir(vim.api.nvim_buf_get_name(args.buf), opts.root_markers)
      local id = clients[root]
      if not id or vim.lsp.get_client_by_id(id) == nil then
        id = vim.lsp.start_client({ name = "lattice", cmd = opts.cmd, root_dir = root })
        clients[root] = id
      end
      if id then
        vim.lsp.buf_attach_client(args.buf, id)
      end
    end,
  })
end

return M
