//! End to end: starts `lat lsp` and speaks JSON-RPC to it over stdio, through initialize,
//! didOpen, didChange (including a stale one that must be ignored), several requests,
//! shutdown and exit.
//!
//! The `lat` binary is taken from `$LAT_BIN`, or next to this test's executable, and built
//! with cargo when missing.

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
    fn start() -> Server {
        let mut child = Command::new(lat_bin())
            .arg("lsp")
            .env("LATTICE_LSP_DEBOUNCE_MS", "20")
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
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and waits for its response's result.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let msg = self.wait(|m| m["id"] == id);
        assert!(msg.get("error").is_none(), "{method}: {msg}");
        msg["result"].clone()
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

    fn diagnostics(&mut self, version: i64) -> Vec<Value> {
        let msg = self
            .wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == version);
        msg["params"]["diagnostics"].as_array().unwrap().clone()
    }
}

const URI: &str = "file:///tmp/lattice-lsp-e2e/main.lat";

fn at(line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } })
}

#[test]
fn a_whole_session() {
    let mut s = Server::start();
    let init = s.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
    assert_eq!(init["capabilities"]["textDocumentSync"], 1);
    s.notify("initialized", json!({}));

    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "lattice", "version": 1, "text": "fn f( {\n" } }),
    );
    assert!(!s.diagnostics(1).is_empty(), "a broken file has diagnostics");

    let good =
        "/// Doubles.\nfn double(n: Int) -> Int {\n    return n * 2\n}\nflux x = double(21)\nprint(x)\n";
    let change = |v: i64, text: &str| json!({ "textDocument": { "uri": URI, "version": v }, "contentChanges": [{ "text": text }] });
    s.notify("textDocument/didChange", change(3, good));
    s.notify("textDocument/didChange", change(2, "this is stale ((("));
    assert!(s.diagnostics(3).is_empty(), "version 3 is clean");

    let hover = s.request("textDocument/hover", at(4, 10));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("Doubles."), "{hover}");
    let def = s.request("textDocument/definition", at(5, 6));
    assert_eq!(def["range"]["start"], json!({ "line": 4, "character": 5 }));
    let refs = s.request("textDocument/references", json!({ "textDocument": { "uri": URI }, "position": { "line": 1, "character": 4 }, "context": { "includeDeclaration": true } }));
    assert_eq!(refs.as_array().unwrap().len(), 2);
    let completion = s.request("textDocument/completion", at(5, 6));
    assert!(completion.as_array().unwrap().iter().any(|c| c["label"] == "double"));
    let symbols = s.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": URI } }));
    assert_eq!(symbols[0]["name"], "double");
    let tokens = s.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": URI } }));
    assert!(tokens["data"].as_array().unwrap().len() > 20);
    let rename = s.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 4, "character": 5 }, "newName": "y" }),
    );
    assert_eq!(rename["changes"][URI].as_array().unwrap().len(), 2);
    let sig = s.request("textDocument/signatureHelp", at(4, 16));
    assert_eq!(sig["signatures"][0]["label"], "fn double(n: Int)");
    let fmt = s.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    assert_eq!(fmt, json!([]), "the document is already formatted");

    assert_eq!(s.request("shutdown", Value::Null), Value::Null);
    s.notify("exit", Value::Null);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert!(status.success());
            break;
        }
        assert!(Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Prints how long diagnostics take after a one-character change to the self-hosted
/// compiler of the reference implementation, when it is on this machine. Not asserted.
#[test]
fn diagnostics_latency_on_a_large_file() {
    let Some(home) = std::env::var_os("HOME") else { return };
    let path = PathBuf::from(home).join(".cache/latref/programs/compiler/latc.lat");
    let Ok(text) = std::fs::read_to_string(&path) else { return };
    let mut s = Server::start();
    s.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
    let uri = "file:///tmp/lattice-lsp-e2e/latc.lat";
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "lattice", "version": 1, "text": text } }),
    );
    s.wait(|m| m["params"]["version"] == 1);
    let mut changed = text.clone();
    changed.insert(changed.find("fn ").unwrap_or(0), ' ');
    let start = Instant::now();
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": changed }] }),
    );
    s.wait(|m| m["params"]["version"] == 2);
    eprintln!(
        "latc.lat ({} lines): diagnostics {:?} after a change (20 ms debounce)",
        text.lines().count(),
        start.elapsed()
    );
    s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
    let _ = s.child.wait();
}
