//! An HTTP/1.1 client: `http_get(url)`, `http_post(url, body_or_options?)` and
//! `http_request(method, url, options?)`, each answering a Map with `status` (Int),
//! `headers` (a Map with lower-case names) and `body` (String).
//!
//! Requests go over a plain `TcpStream` with `Connection: close`; the response body is
//! framed by `Content-Length`, chunked transfer coding, or the end of the connection.
//! `options` may hold `body` (String), `headers` (Map), `timeout_ms` (Int, default
//! 30 s for connecting and for each read) and `ca` (a PEM file of extra trusted
//! certificates, for `https://`). `https://` URLs go through the TLS client of `tls.rs`
//! (verified certificates; `LATTICE_EXTRA_CA` adds trust anchors).

use crate::args::{arg, fail};
use crate::net::connect;
use crate::tls::{connect_tls, error_text, is_unclean_eof};
use lattice_vm::{LatMap, Value, Vm, VmResult};
use std::io::{Read, Write};
use std::time::Duration;

pub fn install(vm: &mut Vm) {
    vm.register_native("http_get", http_get);
    vm.register_native("http_post", http_post);
    vm.register_native("http_request", http_request);
}

pub const MODULE: &[(&str, &str)] =
    &[("get", "http_get"), ("post", "http_post"), ("request", "http_request")];

/// Largest response accepted (64 MiB).
const MAX_RESPONSE: usize = 64 * 1024 * 1024;
/// Default limit on connecting and on each read.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A parsed `http://host[:port]/path` URL.
#[derive(Debug, PartialEq)]
struct Url {
    /// `https://`: the request goes over TLS.
    tls: bool,
    host: String,
    port: u16,
    /// The port was written in the URL (it then goes in the `Host` header).
    explicit_port: bool,
    /// Path and query, starting with `/`.
    path: String,
}

fn parse_url(url: &str) -> VmResult<Url> {
    let (tls, rest) = if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else {
        return fail("invalid URL: must start with http:// or https://");
    };
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let path = path.split('#').next().unwrap_or("/");
    let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
    // Credentials (`user@`) are not sent; drop them.
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, tail)) => (format!("[{h}]"), tail.strip_prefix(':')),
            None => return fail("invalid URL: bad IPv6 address"),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() || host == "[]" {
        return fail("invalid URL: empty host");
    }
    let explicit_port = port.is_some();
    let port = match port {
        None if tls => 443,
        None => 80,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return fail("invalid URL: bad port number"),
        },
    };
    Ok(Url { tls, host, port, explicit_port, path })
}

/// What to send besides the method and URL.
struct Request<'a> {
    method: &'a str,
    headers: Vec<(String, String)>,
    body: Option<&'a str>,
    timeout: Duration,
    /// A PEM file of extra trusted certificates for `https://`.
    ca: Option<&'a str>,
}

/// Reads `body`, `headers` and `timeout_ms` from an options Map into `req`.
fn apply_options<'a>(req: &mut Request<'a>, options: &'a Value, what: &str) -> VmResult<()> {
    let Value::Map(m, _) = options else { return Ok(()) };
    match m.get("body") {
        Some(Value::Str(b, _)) => req.body = Some(b.as_str()),
        None | Some(Value::Nil(_)) => {}
        Some(other) => {
            return fail(format!("{what}: options.body must be a String, got {}", other.type_name()))
        }
    }
    match m.get("headers") {
        Some(Value::Map(h, _)) => {
            for (k, v) in h.iter() {
                let v = match v {
                    Value::Str(s, _) => s.to_string(),
                    other => lattice_vm::display::to_display(other),
                };
                req.headers.push((k.to_string(), v));
            }
        }
        None | Some(Value::Nil(_)) => {}
        Some(other) => {
            return fail(format!("{what}: options.headers must be a Map, got {}", other.type_name()))
        }
    }
    match m.get("timeout_ms") {
        Some(Value::Int(ms, _)) if *ms > 0 => req.timeout = Duration::from_millis(*ms as u64),
        None | Some(Value::Nil(_)) => {}
        Some(_) => return fail(format!("{what}: options.timeout_ms must be a positive Int")),
    }
    match m.get("ca") {
        Some(Value::Str(p, _)) => req.ca = Some(p.as_str()),
        None | Some(Value::Nil(_)) => {}
        Some(_) => return fail(format!("{what}: options.ca must be a String (a PEM file path)")),
    }
    Ok(())
}

/// `http_get(url)`.
fn http_get(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Str(url, _), 1) = (arg(args, 0), args.len()) else {
        return fail("http_get() expects (url: String)");
    };
    let req = Request { method: "GET", headers: Vec::new(), body: None, timeout: DEFAULT_TIMEOUT, ca: None };
    execute(url, &req, "http_get")
}

/// `http_post(url, body?)`: the body is a String, or an options Map.
fn http_post(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "http_post() expects (url: String, options?: Map)";
    let Value::Str(url, _) = arg(args, 0) else { return fail(usage) };
    if args.is_empty() || args.len() > 2 {
        return fail(usage);
    }
    let mut req =
        Request { method: "POST", headers: Vec::new(), body: Some(""), timeout: DEFAULT_TIMEOUT, ca: None };
    match arg(args, 1) {
        Value::Str(b, _) => req.body = Some(b.as_str()),
        opts @ Value::Map(..) => apply_options(&mut req, opts, "http_post")?,
        Value::Nil(_) => {}
        _ => return fail(usage),
    }
    execute(url, &req, "http_post")
}

/// `http_request(method, url, options?)`.
fn http_request(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "http_request() expects (method: String, url: String, options?: Map)";
    let (Value::Str(method, _), Value::Str(url, _)) = (arg(args, 0), arg(args, 1)) else {
        return fail(usage);
    };
    if args.len() > 3 || !matches!(arg(args, 2), Value::Map(..) | Value::Nil(_)) {
        return fail(usage);
    }
    let mut req = Request {
        method: method.as_str(),
        headers: Vec::new(),
        body: None,
        timeout: DEFAULT_TIMEOUT,
        ca: None,
    };
    apply_options(&mut req, arg(args, 2), "http_request")?;
    execute(url, &req, "http_request")
}

/// The request's bytes: request line, headers, blank line, body.
fn format_request(url: &Url, req: &Request) -> VmResult<Vec<u8>> {
    let bad = |s: &str| s.chars().any(|c| c.is_control() || c == ' ');
    if req.method.is_empty() || bad(req.method) || bad(&url.host) || bad(&url.path) {
        return fail("invalid request: control characters in method, host, or path");
    }
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, url.path);
    if url.explicit_port {
        head.push_str(&format!("Host: {}:{}\r\n", url.host, url.port));
    } else {
        head.push_str(&format!("Host: {}\r\n", url.host));
    }
    let has = |name: &str| req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    for (k, v) in &req.headers {
        if k.is_empty() || k.chars().any(|c| c.is_control() || c == ':') || v.chars().any(char::is_control) {
            return fail("invalid header: control characters not allowed");
        }
        if k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("connection") {
            continue;
        }
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has("user-agent") {
        head.push_str("User-Agent: lattice\r\n");
    }
    if !has("accept") {
        head.push_str("Accept: */*\r\n");
    }
    if let Some(body) = req.body {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    let mut bytes = head.into_bytes();
    if let Some(body) = req.body {
        bytes.extend_from_slice(body.as_bytes());
    }
    Ok(bytes)
}

fn execute(url: &str, req: &Request, what: &str) -> VmResult<Value> {
    let url = parse_url(url)?;
    let bytes = format_request(&url, req)?;
    let head_only = req.method == "HEAD";
    let raw = if url.tls {
        let mut stream = connect_tls(&url.host, url.port, req.ca, req.timeout, what)?;
        exchange(&mut stream, &bytes, head_only, &url.host, what)?
    } else {
        let mut stream = connect(&url.host, url.port, req.timeout, what)?;
        let _ = stream.set_read_timeout(Some(req.timeout));
        let _ = stream.set_write_timeout(Some(req.timeout));
        exchange(&mut stream, &bytes, head_only, &url.host, what)?
    };
    parse_response(&raw, head_only)
}

/// Sends the request and reads the whole response.
fn exchange(
    stream: &mut (impl Read + Write),
    request: &[u8],
    head_only: bool,
    host: &str,
    what: &str,
) -> VmResult<Vec<u8>> {
    stream
        .write_all(request)
        .and_then(|()| stream.flush())
        .map_err(|e| format!("{what}: send: {}", error_text(&e, host)))?;
    read_response(stream, head_only, host, what)
}

/// Reads until the response is complete: its framing says so or the server closes.
fn read_response(stream: &mut impl Read, head_only: bool, host: &str, what: &str) -> VmResult<Vec<u8>> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if response_complete(&raw, head_only) {
            return Ok(raw);
        }
        match stream.read(&mut buf) {
            Ok(0) => return Ok(raw),
            Ok(n) => {
                raw.extend_from_slice(&buf[..n]);
                if raw.len() > MAX_RESPONSE {
                    return fail("HTTP response exceeds maximum allowed size");
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A TLS server that closes without close_notify: the data still ends here.
            Err(e) if is_unclean_eof(&e) => return Ok(raw),
            Err(e) => return fail(format!("{what}: recv: {}", error_text(&e, host))),
        }
    }
}

/// Where the header block ends (the index after the blank line).
fn header_end(raw: &[u8]) -> Option<usize> {
    raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Whether `raw` already holds a whole response, by its `Content-Length`, its final
/// chunk, or a status that has no body.
fn response_complete(raw: &[u8], head_only: bool) -> bool {
    let Some(end) = header_end(raw) else { return false };
    let Ok((status, headers)) = parse_head(&raw[..end]) else { return true };
    if head_only || status == 204 || status == 304 || (100..200).contains(&status) {
        return true;
    }
    let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        return decode_chunked(&raw[end..]).is_some();
    }
    match get("content-length").and_then(|v| v.trim().parse::<usize>().ok()) {
        Some(n) => raw.len() - end >= n,
        None => false,
    }
}

type Head = (i64, Vec<(String, String)>);

/// The status code and the headers (names lower-cased) of a header block.
fn parse_head(head: &[u8]) -> VmResult<Head> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.split(' ');
    let version = parts.next().unwrap_or("");
    let code = parts.next().and_then(|c| c.parse::<i64>().ok());
    let Some(code) = code.filter(|_| version.starts_with("HTTP/")) else {
        return fail("invalid HTTP response: bad status line");
    };
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((code, headers))
}

/// The body of a chunked message, or `None` while the last chunk has not arrived.
fn decode_chunked(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim().to_string();
        let size = usize::from_str_radix(&size_text, 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        if data.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

fn parse_response(raw: &[u8], head_only: bool) -> VmResult<Value> {
    if raw.is_empty() {
        return fail("invalid HTTP response: empty response");
    }
    let Some(end) = header_end(raw) else {
        return fail("invalid HTTP response: no header/body separator");
    };
    let (status, headers) = parse_head(&raw[..end])?;
    let rest = &raw[end..];
    let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let body: Vec<u8> = if head_only {
        Vec::new()
    } else if get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        decode_chunked(rest).unwrap_or_else(|| rest.to_vec())
    } else if let Some(n) = get("content-length").and_then(|v| v.trim().parse::<usize>().ok()) {
        rest[..n.min(rest.len())].to_vec()
    } else {
        rest.to_vec()
    };
    let mut hmap = LatMap::new();
    for (k, v) in headers {
        // Repeated headers are joined, as HTTP allows (cookies excepted, by line).
        let joined = match hmap.get(&k).and_then(Value::as_str) {
            Some(prev) if k == "set-cookie" => format!("{prev}\n{v}"),
            Some(prev) => format!("{prev}, {v}"),
            None => v,
        };
        hmap.insert(&k, Value::str(joined));
    }
    let mut m = LatMap::new();
    m.insert("status", Value::int(status));
    m.insert("headers", Value::map(hmap));
    m.insert("body", Value::str(String::from_utf8_lossy(&body).into_owned()));
    Ok(Value::map(m))
}

#[cfg(test)]
mod tests {
    use super::{decode_chunked, parse_url, Url};
    use crate::test_support::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    #[test]
    fn argument_and_url_errors() {
        check_calls(vec![
            ("http_get", vec![i(123)], "error: http_get() expects (url: String)"),
            ("http_get", vec![], "error: http_get() expects (url: String)"),
            (
                "http_get",
                vec![s("ftp://example.com")],
                "error: invalid URL: must start with http:// or https://",
            ),
            ("http_post", vec![i(123)], "error: http_post() expects (url: String, options?: Map)"),
            ("http_post", vec![s("not-a-url")], "error: invalid URL: must start with http:// or https://"),
            (
                "http_request",
                vec![i(123), i(456)],
                "error: http_request() expects (method: String, url: String, options?: Map)",
            ),
            (
                "http_request",
                vec![s("GET")],
                "error: http_request() expects (method: String, url: String, options?: Map)",
            ),
            (
                "http_request",
                vec![s("PUT"), s("bad://url")],
                "error: invalid URL: must start with http:// or https://",
            ),
            ("http_get", vec![s("http://")], "error: invalid URL: empty host"),
            ("http_get", vec![s("http://h:99999/")], "error: invalid URL: bad port number"),
            (
                "http_request",
                vec![s("GET X"), s("http://127.0.0.1:9/")],
                "error: invalid request: control characters in method, host, or path",
            ),
        ]);
    }

    #[test]
    fn urls_and_chunks() {
        let u = parse_url("http://example.com:8080/a/b?q=1#frag").unwrap();
        assert_eq!(
            u,
            Url {
                tls: false,
                host: "example.com".into(),
                port: 8080,
                explicit_port: true,
                path: "/a/b?q=1".into()
            }
        );
        let u = parse_url("http://user@[::1]?x").unwrap();
        assert_eq!(
            u,
            Url { tls: false, host: "[::1]".into(), port: 80, explicit_port: false, path: "/?x".into() }
        );
        let u = parse_url("https://example.com").unwrap();
        assert_eq!(
            u,
            Url { tls: true, host: "example.com".into(), port: 443, explicit_port: false, path: "/".into() }
        );
        assert_eq!(decode_chunked(b"3\r\nabc\r\n2;ext\r\nde\r\n0\r\n\r\n").unwrap(), b"abcde");
        assert_eq!(decode_chunked(b"3\r\nabc\r\n"), None);
    }

    /// Serves one connection on loopback with `reply`, handing back the request text.
    fn serve_once(reply: &'static str) -> (u16, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            conn.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head, then as much body as Content-Length says.
            while let Ok(n) = conn.read(&mut buf) {
                if n == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&req).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|n| n.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if req.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            conn.write_all(reply.as_bytes()).unwrap();
            String::from_utf8_lossy(&req).into_owned()
        });
        (port, handle)
    }

    #[test]
    fn get_over_loopback() {
        let (port, server) = serve_once(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello",
        );
        let mut vm = vm();
        let r = call(&mut vm, "http_get", vec![s(&format!("http://127.0.0.1:{port}/path?x=1"))]);
        assert_eq!(
            show(r),
            "{\"body\": hello, \"headers\": {\"content-type\": text/plain, \"content-length\": 5, \"x-a\": 1}, \"status\": 200}"
        );
        let req = server.join().unwrap();
        assert!(req.starts_with(&format!("GET /path?x=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n")), "{req}");
        assert!(req.contains("Connection: close\r\n"), "{req}");
    }

    #[test]
    fn post_and_request_over_loopback() {
        let (port, server) = serve_once(
            "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nmade\r\n3\r\n it\r\n0\r\n\r\n",
        );
        let mut vm = vm();
        let r =
            call(&mut vm, "http_post", vec![s(&format!("http://127.0.0.1:{port}/items")), s("{\"a\":1}")]);
        assert_eq!(
            show(r),
            "{\"body\": made it, \"headers\": {\"transfer-encoding\": chunked}, \"status\": 201}"
        );
        let req = server.join().unwrap();
        assert!(req.starts_with("POST /items HTTP/1.1\r\n"), "{req}");
        assert!(req.contains("Content-Length: 7\r\n") && req.ends_with("\r\n\r\n{\"a\":1}"), "{req}");

        // A server that closes without Content-Length: the body runs to the end.
        let (port, server) = serve_once("HTTP/1.0 404 Not Found\r\nServer: t\r\n\r\nnothing here");
        let mut headers = lattice_vm::LatMap::new();
        headers.insert("X-Token", s("abc"));
        let mut opts = lattice_vm::LatMap::new();
        opts.insert("headers", lattice_vm::Value::map(headers));
        opts.insert("body", s("data"));
        opts.insert("timeout_ms", i(5000));
        let url = s(&format!("http://localhost:{port}/x"));
        let r = call(&mut vm, "http_request", vec![s("PUT"), url, lattice_vm::Value::map(opts)]);
        assert_eq!(show(r), "{\"body\": nothing here, \"headers\": {\"server\": t}, \"status\": 404}");
        let req = server.join().unwrap();
        assert!(req.starts_with("PUT /x HTTP/1.1\r\n") && req.contains("X-Token: abc\r\n"), "{req}");
    }

    #[test]
    fn refused_and_silent_servers_are_errors() {
        // A port nobody listens on (bound, then released).
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut vm = vm();
        let r = show(call(&mut vm, "http_get", vec![s(&format!("http://127.0.0.1:{port}/"))]));
        assert!(r.starts_with("error: http_get: connect: "), "{r}");
        // A server that accepts and never answers: the read timeout ends the wait.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut opts = lattice_vm::LatMap::new();
        opts.insert("timeout_ms", i(100));
        let url = s(&format!("http://127.0.0.1:{port}/"));
        let r = show(call(&mut vm, "http_request", vec![s("GET"), url, lattice_vm::Value::map(opts)]));
        assert_eq!(r, "error: http_request: recv: timed out");
        drop(listener);
    }
}
