//! End to end: starts `lat lsp` and speaks JSON-RPC to it over stdio, through initialize,
//! didOpen of files that import each other, didChange (including a stale one that must be
//! ignored), every request the server offers, shutdown and exit; and a stream of random
//! edits and requests that must never crash or hang it.
//!
//! The `lat` binary is taken from `$LAT_BIN`, or next to this test's executable, and built
//! with cargo when missing. `diagnostics_latency_on_a_large_file` is a measurement, run on
//! demand (see `editors/lsp/README.md`).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

fn lat_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("LAT_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join(format!("lat{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let ok = Command::new(cargo)
            .args(["build", "--quiet", "--bin", "lat"])
            .current_dir(root)
            .status()
            .unwrap();
        assert!(ok.success(), "cannot build lat");
    }
    bin
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    inbox: Receiver<Value>,
    next_id: i64,
}

impl Server {
    /// Starts `lat lsp` with a short debounce, or the default one when `debounce_ms` is
    /// `None`.
    fn start(debounce_ms: Option<&str>) -> Server {
        let mut command = Command::new(lat_bin());
        if let Some(ms) = debounce_ms {
            command.env("LATTICE_LSP_DEBOUNCE_MS", ms);
        }
        let mut child = command
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start lat lsp");
        let stdin = child.stdin.take().unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, inbox) = channel();
        std::thread::spawn(move || loop {
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if out.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    len = v.parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            if out.read_exact(&mut body).is_err() || tx.send(serde_json::from_slice(&body).unwrap()).is_err()
            {
                return;
            }
        });
        Server { child, stdin, inbox, next_id: 1 }
    }

    fn send(&mut self, msg: Value) {
        self.send_text(&msg.to_string());
    }

    fn send_text(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response's result.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let msg = self.respond(method, params);
        assert!(msg.get("error").is_none(), "{method}: {msg}");
        msg["result"].clone()
    }

    /// Sends a request that must fail and returns the error's message.
    fn request_error(&mut self, method: &str, params: Value) -> String {
        let msg = self.respond(method, params);
        msg["error"]["message"].as_str().unwrap_or_else(|| panic!("{method} should fail: {msg}")).to_string()
    }

    fn respond(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait(|m| m["id"] == id)
    }

    fn wait(&mut self, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self.inbox.recv_timeout(left).expect("server went quiet");
            if pred(&msg) {
                return msg;
            }
        }
    }

    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let msg = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        msg["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, uri: &str, version: i64, text: &str) {
        let doc = json!({ "uri": uri, "languageId": "lattice", "version": version, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": doc }));
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        let params = json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] });
        self.notify("textDocument/didChange", params);
    }

    fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success());
                return;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A workspace folder on disk: `lib.lat` and `main.lat` (opened by the test) and
/// `other.lat`, which imports `lib` and stays closed, so only the workspace walk finds it.
struct Workspace {
    dir: PathBuf,
}

impl Workspace {
    /// A fresh folder per test (`tag`), since tests run in parallel.
    fn new(tag: &str, files: &[(&str, &str)]) -> Workspace {
        let dir = std::env::temp_dir().join(format!("lattice-lsp-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        Workspace { dir }
    }

    fn uri(&self, name: &str) -> String {
        format!("file://{}", self.dir.join(name).display())
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

fn doc(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri } })
}

fn range(l0: u32, c0: u32, l1: u32, c1: u32) -> Value {
    json!({ "start": { "line": l0, "character": c0 }, "end": { "line": l1, "character": c1 } })
}

const LIB: &str = "/// Doubles a number.\nexport fn double(n: Int) -> Int {\n    return n * 2\n}\n";

/// Line 5 puts a two-unit (UTF-16) emoji and a two-byte `é` before `total`, so byte and
/// UTF-16 columns differ there.
const MAIN: &str = "import { double } from \"lib\"\n\
/// Where we count.\n\
flux total = double(21)\n\
total   += 1\n\
let frozen = freeze([1, 2])\n\
print(\"é😀\", total)\n\
fn main() {\n    let ch = Channel::new()\n    ch.send(total)\n    print(dobule(2))\n}\n";

const OTHER: &str = "import { double } from \"lib\"\nfn helper() {\n    return double(4)\n}\n";

/// The absolute (line, start, length, type) of delta-encoded semantic tokens.
fn decode_tokens(data: &[Value]) -> Vec<(u64, u64, u64, u64)> {
    let (mut line, mut col) = (0, 0);
    let mut out = Vec::new();
    for t in data.chunks(5) {
        let (dl, dc) = (t[0].as_u64().unwrap(), t[1].as_u64().unwrap());
        col = if dl == 0 { col + dc } else { dc };
        line += dl;
        out.push((line, col, t[2].as_u64().unwrap(), t[3].as_u64().unwrap()));
    }
    out
}

/// Every capability in one session, on two open files that import each other and a
/// closed one in the workspace folder.
#[test]
fn a_whole_session() {
    let ws = Workspace::new("session", &[("lib.lat", LIB), ("main.lat", MAIN), ("other.lat", OTHER)]);
    let (lib, main, other) = (ws.uri("lib.lat"), ws.uri("main.lat"), ws.uri("other.lat"));
    let mut s = Server::start(Some("20"));
    let init = s.request(
        "initialize",
        json!({ "processId": null, "rootUri": ws.uri(""), "capabilities": {},
                "workspaceFolders": [{ "uri": ws.uri(""), "name": "e2e" }] }),
    );
    let caps = &init["capabilities"];
    assert_eq!(caps["textDocumentSync"], 1);
    for cap in [
        "hoverProvider",
        "completionProvider",
        "signatureHelpProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "documentHighlightProvider",
        "semanticTokensProvider",
        "inlayHintProvider",
        "foldingRangeProvider",
        "documentFormattingProvider",
        "codeActionProvider",
    ] {
        assert!(!caps[cap].is_null() && caps[cap] != false, "{cap} missing: {caps}");
    }
    s.notify("initialized", json!({}));

    // didOpen two files, one importing the other; didChange, with a stale change ignored.
    s.open(&lib, 1, LIB);
    assert!(s.diagnostics(&lib, 1).is_empty(), "lib is clean");
    s.open(&main, 1, "import { double } from \"lib\"\nfn f( {\n");
    assert!(!s.diagnostics(&main, 1).is_empty(), "a broken file has diagnostics");
    s.change(&main, 3, MAIN);
    s.change(&main, 2, "this is stale (((");
    let diags = s.diagnostics(&main, 3);
    assert_eq!(diags.len(), 1, "version 3 has only the typo: {diags:?}");
    assert_eq!((diags[0]["code"].as_str(), diags[0]["severity"].as_u64()), (Some("E0901"), Some(2)));
    assert_eq!(diags[0]["range"], range(9, 10, 9, 16));
    assert!(diags[0]["message"].as_str().unwrap().contains("did you mean `double`?"), "{diags:?}");

    // Hover: a doc comment from the imported file; a binding's phase past non-ASCII text.
    let hover = s.request("textDocument/hover", at(&main, 2, 15));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Doubles a number."), "{hover}");
    let hover = s.request("textDocument/hover", at(&main, 5, 14));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("flux total"), "{hover}");
    assert_eq!(hover["range"], range(5, 13, 5, 18), "UTF-16 columns after é and 😀");

    let completion = s.request("textDocument/completion", at(&main, 5, 14));
    let labels: Vec<&str> =
        completion.as_array().unwrap().iter().map(|c| c["label"].as_str().unwrap()).collect();
    assert!(
        labels.contains(&"double") && labels.contains(&"total") && labels.contains(&"main"),
        "{labels:?}"
    );

    let sig = s.request("textDocument/signatureHelp", at(&main, 2, 20));
    assert_eq!(sig["signatures"][0]["label"], "fn double(n: Int)");
    assert_eq!(sig["activeParameter"], 0);

    let def = s.request("textDocument/definition", at(&main, 2, 15));
    assert_eq!(def["uri"], lib.as_str());
    assert_eq!(def["range"], range(1, 10, 1, 16));

    // References from the declaration: this file, the open importer and the closed one.
    let refs = s.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": lib }, "position": { "line": 1, "character": 12 },
                "context": { "includeDeclaration": true } }),
    );
    let mut found: Vec<(String, u64)> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["uri"].as_str().unwrap().to_string(), l["range"]["start"]["line"].as_u64().unwrap()))
        .collect();
    found.sort();
    let mut expected =
        vec![(lib.clone(), 1), (main.clone(), 0), (main.clone(), 2), (other.clone(), 0), (other.clone(), 2)];
    expected.sort();
    assert_eq!(found, expected);

    let prepared = s.request("textDocument/prepareRename", at(&main, 2, 15));
    assert_eq!(prepared, range(2, 13, 2, 19));
    let rename = s.request("textDocument/rename", json!({ "textDocument": { "uri": main }, "position": { "line": 2, "character": 15 }, "newName": "twice" }));
    let changes = &rename["changes"];
    assert_eq!(changes[&lib].as_array().unwrap().len(), 1, "{rename}");
    assert_eq!(changes[&main].as_array().unwrap().len(), 2, "{rename}");
    assert_eq!(changes[&other].as_array().unwrap().len(), 2, "{rename}");
    assert!(changes[&main].as_array().unwrap().iter().all(|e| e["newText"] == "twice"));
    let refused = s.request_error("textDocument/rename", json!({ "textDocument": { "uri": main }, "position": { "line": 2, "character": 15 }, "newName": "total" }));
    assert!(refused.contains("clash"), "{refused}");

    let symbols = s.request("textDocument/documentSymbol", doc(&main));
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["total", "frozen", "main"]);
    let ws_symbols = s.request("workspace/symbol", json!({ "query": "help" }));
    assert_eq!(ws_symbols[0]["name"], "helper");
    assert_eq!(ws_symbols[0]["location"]["uri"], other.as_str(), "found in a file that is not open");
    let ws_symbols = s.request("workspace/symbol", json!({ "query": "dbl" }));
    assert_eq!(ws_symbols[0]["name"], "double", "fuzzy match");

    let hl = s.request("textDocument/documentHighlight", at(&main, 5, 14));
    let kinds: Vec<(u64, u64)> = hl
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["range"]["start"]["line"].as_u64().unwrap(), h["kind"].as_u64().unwrap()))
        .collect();
    assert_eq!(kinds, [(2, 3), (3, 3), (5, 2), (8, 2)], "declaration and += write, the rest read");

    let tokens = s.request("textDocument/semanticTokens/full", doc(&main));
    let tokens = decode_tokens(tokens["data"].as_array().unwrap());
    assert!(tokens.contains(&(2, 0, 4, 1)), "`flux` is a phase token: {tokens:?}");
    assert!(tokens.contains(&(5, 13, 5, 4)), "`total` after non-ASCII text, UTF-16 columns: {tokens:?}");

    let hints = s.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": main }, "range": range(0, 0, 11, 0) }),
    );
    let labels: Vec<&str> = hints.as_array().unwrap().iter().map(|h| h["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"n:") && labels.contains(&": crystal"), "{labels:?}");

    let folds = s.request("textDocument/foldingRange", doc(&main));
    assert!(folds.as_array().unwrap().iter().any(|f| f["startLine"] == 6 && f["endLine"] == 10), "{folds}");

    let fmt = s.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": main }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    let formatted = fmt[0]["newText"].as_str().unwrap();
    assert!(formatted.contains("\ntotal += 1\n"), "{formatted}");

    // Code actions: a typo, a fluid send, and `let` in strict mode.
    let actions = s.request("textDocument/codeAction", json!({ "textDocument": { "uri": main }, "range": range(9, 12, 9, 12), "context": { "diagnostics": [] } }));
    assert_eq!(actions[0]["title"], "Change `dobule` to `double`");
    assert_eq!(actions[0]["edit"]["changes"][&main][0]["newText"], "double");
    assert_eq!(actions[0]["diagnostics"][0]["code"], "E0901");
    let actions = s.request("textDocument/codeAction", json!({ "textDocument": { "uri": main }, "range": range(8, 12, 8, 12), "context": { "diagnostics": [] } }));
    assert_eq!(actions[0]["title"], "Freeze `total` before sending it");
    assert_eq!(actions[0]["edit"]["changes"][&main][0]["range"], range(8, 12, 8, 17));
    let strict = ws.uri("strict.lat");
    s.open(&strict, 1, "#mode strict\nlet x = 1\nprint(x)\n");
    let diags = s.diagnostics(&strict, 1);
    assert_eq!(diags[0]["code"], "E0200");
    let actions = s.request("textDocument/codeAction", json!({ "textDocument": { "uri": strict }, "range": range(1, 0, 1, 3), "context": { "diagnostics": diags } }));
    assert_eq!(actions[0]["title"], "Use `fix` instead of `let`");
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[0]["diagnostics"][0]["code"], "E0200");
    assert_eq!(actions[0]["edit"]["changes"][&strict][0]["newText"], "fix");
    // `assert_eq` is a native of the standard library, not a typo of the builtin `assert`.
    let natives = ws.uri("natives.lat");
    s.open(&natives, 1, "assert_eq(1, 1)\nassrt(true)\n");
    let none = s.request("textDocument/codeAction", json!({ "textDocument": { "uri": natives }, "range": range(0, 3, 0, 3), "context": { "diagnostics": [] } }));
    assert_eq!(none, json!([]));
    let typo = s.request("textDocument/codeAction", json!({ "textDocument": { "uri": natives }, "range": range(1, 3, 1, 3), "context": { "diagnostics": [] } }));
    assert_eq!(typo[0]["title"], "Change `assrt` to `assert`");

    // A change to the imported file reaches the importer: its diagnostics are published
    // again and its answers use the new text.
    s.change(&lib, 2, &LIB.replace("Doubles a number.", "Twice as much."));
    s.diagnostics(&lib, 2);
    s.diagnostics(&main, 3);
    let hover = s.request("textDocument/hover", at(&main, 2, 15));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Twice as much."), "{hover}");

    s.shutdown();
}

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A stream of random edits (half-typed code, brackets, non-ASCII text) and requests at
/// random positions, some past the end of a line or of the file: every request gets an
/// answer (a result or an error), and the server then shuts down cleanly.
#[test]
fn random_edits_and_requests_never_crash_or_hang() {
    let ws = Workspace::new("random", &[("lib.lat", LIB)]);
    let (lib, main) = (ws.uri("lib.lat"), ws.uri("main.lat"));
    let mut s = Server::start(Some("5"));
    s.request("initialize", json!({ "processId": null, "rootUri": ws.uri(""), "capabilities": {} }));
    s.open(&lib, 1, LIB);
    s.open(&main, 1, MAIN);
    const PIECES: &[&str] = &[
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "\n",
        " ",
        ".",
        "::",
        "\"",
        "fn ",
        "flux ",
        "fix ",
        "let ",
        "freeze(",
        "total",
        "double",
        "é",
        "😀",
        "ch.send(",
        "match x {",
        "=> ",
        "#mode strict\n",
        "import \"lib\"\n",
        "//",
    ];
    const METHODS: &[&str] = &[
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/signatureHelp",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/documentHighlight",
        "textDocument/prepareRename",
        "textDocument/rename",
        "textDocument/codeAction",
        "textDocument/inlayHint",
        "textDocument/semanticTokens/full",
        "textDocument/foldingRange",
        "textDocument/formatting",
        "textDocument/documentSymbol",
        "workspace/symbol",
    ];
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut text = MAIN.to_string();
    for version in 2..300 {
        let mut cut = rng.below(text.len() + 1);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        if rng.below(3) == 0 && cut < text.len() {
            let mut end = (cut + rng.below(8) + 1).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(cut..end, "");
        } else {
            text.insert_str(cut, PIECES[rng.below(PIECES.len())]);
        }
        s.change(&main, version, &text);
        let method = METHODS[rng.below(METHODS.len())];
        let (line, character) = (rng.below(14) as u32, rng.below(30) as u32);
        let mut params = at(&main, line, character);
        params["range"] = range(line, character, line + rng.below(3) as u32, 0);
        params["context"] = json!({ "includeDeclaration": true, "diagnostics": [] });
        params["newName"] = json!("renamed");
        params["query"] = json!("to");
        params["options"] = json!({ "tabSize": 4, "insertSpaces": true });
        let reply = s.respond(method, params);
        assert!(reply.get("result").is_some() || reply.get("error").is_some(), "{method}: {reply}");
    }
    s.shutdown();
}

/// How long diagnostics take after a one-character change to the reference's self-hosted
/// compiler (`~/.cache/latref/programs/compiler/latc.lat`, or `$LATC_LAT`), with the
/// default debounce: the median of 15 changes made a second apart, and of a burst of
/// changes 10 ms apart (the last one's diagnostics). Prints the figures; asserts nothing.
#[test]
#[ignore = "a measurement; needs latc.lat and a release build of lat in $LAT_BIN"]
fn diagnostics_latency_on_a_large_file() {
    let path = match std::env::var_os("LATC_LAT") {
        Some(p) => PathBuf::from(p),
        None => {
            PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/latref/programs/compiler/latc.lat")
        }
    };
    let text = std::fs::read_to_string(&path).expect("latc.lat");
    let mut s = Server::start(None);
    s.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
    let uri = "file:///tmp/lattice-lsp-latency/latc.lat";
    s.open(uri, 1, &text);
    s.diagnostics(uri, 1);
    let at = text.find("fn ").unwrap_or(0);
    let edit = |v: i64| {
        let mut t = text.clone();
        t.insert(at, if v % 2 == 0 { ' ' } else { '\t' });
        t
    };
    // Each message is serialised before the clock starts: only the server is measured.
    let change = |v: i64| {
        let params =
            json!({ "textDocument": { "uri": uri, "version": v }, "contentChanges": [{ "text": edit(v) }] });
        json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": params }).to_string()
    };
    let mut times = Vec::new();
    for v in 2..17 {
        std::thread::sleep(Duration::from_millis(1000));
        let message = change(v);
        let start = Instant::now();
        s.send_text(&message);
        s.diagnostics(uri, v);
        times.push(start.elapsed());
    }
    times.sort();
    std::thread::sleep(Duration::from_millis(1000));
    let burst: Vec<String> = (17..22).map(change).collect();
    let start = Instant::now();
    for message in &burst {
        s.send_text(message);
        std::thread::sleep(Duration::from_millis(10));
    }
    s.diagnostics(uri, 21);
    let burst = start.elapsed();
    eprintln!(
        "latc.lat ({} bytes): diagnostics {:?} after a one-character change (median of {}; min {:?}, max {:?}); \
         last of a 5-change burst 10 ms apart: {:?} after its first change",
        text.len(),
        times[times.len() / 2],
        times.len(),
        times[0],
        times[times.len() - 1],
        burst
    );
    s.shutdown();
}
