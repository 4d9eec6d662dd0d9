-- Run by run.sh inside `nvim --headless -u NONE`: Neovim's own LSP client talks to
-- `lat lsp`. Exits with `cquit` (non-zero status) when a check fails.
--
-- Environment: LAT (the lat binary), LATTICE_NVIM_TEST_DIR (a folder holding util.lat,
-- main.lat importing it, and broken.lat with a syntax error).

local lat = assert(os.getenv("LAT"), "LAT is not set")
local dir = assert(os.getenv("LATTICE_NVIM_TEST_DIR"), "LATTICE_NVIM_TEST_DIR is not set")
local failures = 0

local function log(msg)
  io.stdout:write(msg .. "\n")
end

local function check(ok, what, detail)
  if ok then
    log("ok   " .. what)
  else
    failures = failures + 1
    log("FAIL " .. what .. (detail and (": " .. detail) or ""))
  end
  return ok
end

local function finish()
  for _, client in pairs(vim.lsp.get_active_clients()) do
    client.stop(true)
  end
  if failures > 0 then
    log(failures .. " check(s) failed")
    vim.cmd("cquit 1")
  end
  log("all checks passed")
  vim.cmd("qall!")
end

-- Any Lua error is a failure too, never a hang or a zero exit.
local function protected(fn)
  local ok, err = xpcall(fn, debug.traceback)
  if not ok then
    failures = failures + 1
    log("FAIL error in test: " .. tostring(err))
  end
  finish()
end

local function open(name)
  vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/" .. name))
  return vim.api.nvim_get_current_buf()
end

protected(function()
  vim.cmd("filetype plugin on")
  log("nvim " .. tostring(vim.version().major) .. "." .. tostring(vim.version().minor)
    .. "." .. tostring(vim.version().patch) .. ", server " .. lat)

  -- The plugin on the runtimepath: ftdetect, ftplugin and the Lua module.
  local broken = open("broken.lat")
  check(vim.bo[broken].filetype == "lattice", "ftdetect sets filetype=lattice", vim.bo[broken].filetype)
  check(vim.bo[broken].shiftwidth == 4 and vim.bo[broken].expandtab, "ftplugin sets 4-space indentation")
  check(vim.bo[broken].commentstring == "// %s", "ftplugin sets commentstring", vim.bo[broken].commentstring)
  check(pcall(require, "lattice"), "require('lattice') loads")

  local start = vim.lsp.start_client or function(config)
    return vim.lsp.start(config, { attach = false })
  end
  local client_id = start({
    name = "lattice",
    cmd = { lat, "lsp" },
    cmd_env = { LATTICE_LSP_DEBOUNCE_MS = "20" },
    root_dir = dir,
  })
  if not check(client_id ~= nil, "vim.lsp.start_client starts `lat lsp`") then
    return
  end
  vim.lsp.buf_attach_client(broken, client_id)
  local client = vim.lsp.get_client_by_id(client_id)
  check(vim.wait(10000, function()
    return client.initialized == true or (client.server_capabilities ~= nil
      and next(client.server_capabilities) ~= nil)
  end, 20), "server initialized")
  local caps = client.server_capabilities or client.resolved_capabilities or {}
  check(caps.hoverProvider or caps.hover, "server offers hover")
  check(caps.definitionProvider or caps.goto_definition, "server offers definition")

  -- (a) Diagnostics for the file with an error.
  local got = vim.wait(10000, function()
    return #vim.diagnostic.get(broken) > 0
  end, 20)
  local diags = vim.diagnostic.get(broken)
  if check(got, "diagnostics published for broken.lat") then
    local d = diags[1]
    check(d.severity == vim.diagnostic.severity.ERROR, "the diagnostic is an error", tostring(d.severity))
    check(d.lnum >= 1, "the error is reported on the line of the bad expression", "line " .. d.lnum)
    log("     " .. d.lnum .. ":" .. d.col .. " " .. d.message)
  end

  -- (b) A file that imports another: hover and definition across the two files.
  local main = open("main.lat")
  vim.lsp.buf_attach_client(main, client_id)
  -- `add` in `let total = add(1, 2)`: line 2, column 12 (0-based).
  local pos = {
    textDocument = { uri = vim.uri_from_bufnr(main) },
    position = { line = 2, character = 13 },
  }
  local function request(method)
    local result
    vim.wait(10000, function()
      local responses = vim.lsp.buf_request_sync(main, method, pos, 2000) or {}
      for _, response in pairs(responses) do
        if response.result ~= nil and not vim.tbl_isempty(response.result) then
          result = response.result
          return true
        end
      end
      return false
    end, 50)
    return result
  end

  local hover = request("textDocument/hover")
  if check(hover ~= nil, "hover on an imported function") then
    local text = hover.contents
    if type(text) == "table" then
      text = text.value or vim.inspect(text)
    end
    check(text:find("add", 1, true) ~= nil, "hover names the function", text)
    check(text:find("Adds two numbers", 1, true) ~= nil, "hover shows the doc comment from util.lat", text)
  end

  local def = request("textDocument/definition")
  if check(def ~= nil, "definition of an imported function") then
    local loc = def.uri and def or def[1]
    local uri = loc.uri or loc.targetUri
    local range = loc.range or loc.targetSelectionRange
    check(uri ~= nil and uri:sub(-9) == "/util.lat", "definition is in util.lat", tostring(uri))
    check(range.start.line == 1 and range.start.character == 3, "definition points at `add` in `fn add`",
      vim.inspect(range.start))
    -- Jump there as a user would: the target file opens in a buffer.
    vim.lsp.util.jump_to_location(loc, client.offset_encoding or "utf-16")
    local name = vim.api.nvim_buf_get_name(0)
    local cursor = vim.api.nvim_win_get_cursor(0)
    check(name:sub(-9) == "/util.lat" and cursor[1] == 2, "jump lands in util.lat line 2",
      name .. ":" .. cursor[1])
  end

  -- A file without errors gets no error diagnostics.
  vim.wait(300, function() return false end)
  local errors = vim.diagnostic.get(main, { severity = vim.diagnostic.severity.ERROR })
  check(#errors == 0, "no errors in main.lat", #errors > 0 and errors[1].message or nil)

  -- The plugin's own setup attaches a server to a newly opened Lattice buffer.
  for _, c in pairs(vim.lsp.get_active_clients()) do
    c.stop(true)
  end
  require("lattice").setup({ cmd = { lat, "lsp" } })
  local again = open("broken.lat")
  vim.cmd("bdelete! " .. again)
  again = open("broken.lat")
  check(vim.wait(10000, function()
    return #vim.diagnostic.get(again) > 0 and next(vim.lsp.buf_get_clients(again)) ~= nil
  end, 20), "require('lattice').setup() attaches lat lsp to a .lat buffer")
end)
