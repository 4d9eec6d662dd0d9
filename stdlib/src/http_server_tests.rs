//! Tests of `lib/http_server.lat`: routing and middleware through `handle` (no sockets),
//! request parsing and response formatting, and a server on loopback answering a client
//! thread, in bounded time.

use crate::test_support::run_program;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

#[test]
fn routing_and_middleware() {
    let out = run_program(
        r#"
import "lib/http_server" as hs
fn req(method, path) { return hs.parse_request("${method} ${path} HTTP/1.1\r\nHost: x\r\n\r\n") }
flux app = hs.new()
app = hs.use(app, |r, next| {
    if r["path"] == "/secret" { return hs.text(403, "no") }
    return hs.with_header(next(r), "X-Mw", "1")
})
app = hs.get(app, "/", |r| { return "home" })
app = hs.get(app, "/users/:id/posts/:post", |r| { return r["params"] })
app = hs.post(app, "/users/:id", |r| { return hs.json(201, {"made": r["params"]["id"]}) })
app = hs.any(app, "/files/*", |r| { return "file " + r["params"]["*"] })
app = hs.get(app, "/boom", |r| { return 1 / 0 })
for pair in [["GET", "/"], ["GET", "/users/7/posts/x%20y?a=1"], ["POST", "/users/9"],
             ["PUT", "/files/a/b.txt"], ["GET", "/secret"], ["GET", "/nothing"],
             ["DELETE", "/users/9"], ["GET", "/boom"]] {
    let res = hs.handle(app, req(pair[0], pair[1]))
    print(res["status"], res["body"], res["headers"].get("X-Mw"), res["headers"].get("Allow"))
}
print(hs.match_path("/a/:b", "/a/c"), hs.match_path("/a/:b", "/a/c/d"), hs.match_path("/", "/"))
let parsed = hs.parse_request("POST /p?x=1&y=a+b&z HTTP/1.1\r\nContent-Type: text/plain\r\n\r\nhi")
let q = parsed["query"]
print(parsed["method"], parsed["path"], q["x"], q["y"], q["z"] == "", q.len(), parsed["headers"], parsed["body"])
print(hs.parse_request("garbage"))
print(hs.format_response(hs.json(200, {"a": 1})).replace("\r\n", "|"))
print(hs.format_response(hs.redirect("/x")).replace("\r\n", "|"))
"#,
    );
    assert_eq!(
        out,
        "200 home 1 nil\n\
         200 {\"id\":\"7\",\"post\":\"x y\"} 1 nil\n\
         201 {\"made\":\"9\"} 1 nil\n\
         200 file a/b.txt 1 nil\n\
         403 no nil nil\n\
         404 Not Found: /nothing 1 nil\n\
         405 Method Not Allowed 1 POST\n\
         500 Internal Server Error: division by zero 1 nil\n\
         {\"b\": c} nil {}\n\
         POST /p 1 a b true 3 {\"content-type\": text/plain} hi\n\
         nil\n\
         HTTP/1.1 200 OK|Content-Type: application/json|Content-Length: 7|Connection: close||{\"a\":1}\n\
         HTTP/1.1 302 Found|Location: /x|Content-Length: 0|Connection: close||\n"
    );
}

/// Sends `request` to the server on `port` and returns the whole reply.
fn exchange(port: u16, request: &str) -> String {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    conn.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn serves_on_loopback() {
    // Pick a free port, release it, and let the Lattice server bind it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = std::thread::spawn(move || {
        // The server may not be listening yet.
        for _ in 0..500 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let body = "{\"n\": 41}";
        vec![
            exchange(
                port,
                &format!(
                    "POST /inc HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                ),
            ),
            exchange(port, "GET /x HTTP/1.1\r\n\r\n"),
            exchange(port, "NONSENSE\r\n\r\n"),
        ]
    });
    let out = run_program(&format!(
        r#"
import "lib/http_server" as hs
flux app = hs.new()
app = hs.use(app, hs.json_body())
app = hs.use(app, hs.logger())
app = hs.post(app, "/inc", |r| {{ return {{"n": r["json"]["n"] + 1}} }})
let listener = tcp_listen("127.0.0.1", {port})
tcp_set_timeout(listener, 20)
print(hs.serve(app, listener, {{"max_requests": 4}}))
"#
    ));
    let replies = client.join().unwrap();
    // The first connection was the readiness probe, which sends nothing.
    assert_eq!(out, "POST /inc -> 200\nGET /x -> 404\n4\n");
    assert!(replies[0].starts_with("HTTP/1.1 200 OK\r\n"), "{}", replies[0]);
    assert!(replies[0].ends_with("\r\n\r\n{\"n\":42}"), "{}", replies[0]);
    assert!(replies[1].starts_with("HTTP/1.1 404 Not Found\r\n"), "{}", replies[1]);
    assert!(replies[2].starts_with("HTTP/1.1 400 Bad Request\r\n"), "{}", replies[2]);
}

#[test]
fn example_program_runs() {
    let src = include_str!("../../examples/stdlib/http_server.lat");
    let expected: Vec<&str> =
        src.lines().filter_map(|l| l.split_once("// expect: ").map(|(_, e)| e.trim_end())).collect();
    let out = run_program(src);
    assert_eq!(out.lines().collect::<Vec<_>>(), expected, "{out}");
}
