//! TCP sockets: `tcp_listen`, `tcp_accept`, `tcp_connect`, `tcp_read`, `tcp_read_bytes`,
//! `tcp_write`, `tcp_close`, `tcp_peer_addr`, `tcp_set_timeout`, and the TLS entry points
//! (`tls_available` and friends), which report that this build has no TLS.
//!
//! A program sees a socket as an Int handle into one process-wide table, shared by every
//! task. Blocking calls (accept, read, write) run on a counted clone of the socket taken
//! out of the table, so a task blocked on one socket never holds up the others, and
//! `tcp_close` shuts a stream down so that a read blocked on it in another task returns.
//! A listener with a timeout accepts by polling, so `tcp_accept` can give up too.

use crate::args::{arg, fail};
use lattice_vm::{Value, Vm, VmResult};
use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

pub fn install(vm: &mut Vm) {
    vm.register_native("tcp_listen", tcp_listen);
    vm.register_native("tcp_accept", tcp_accept);
    vm.register_native("tcp_connect", tcp_connect);
    vm.register_native("tcp_read", tcp_read);
    vm.register_native("tcp_read_bytes", tcp_read_bytes);
    vm.register_native("tcp_write", tcp_write);
    vm.register_native("tcp_close", tcp_close);
    vm.register_native("tcp_peer_addr", tcp_peer_addr);
    vm.register_native("tcp_set_timeout", tcp_set_timeout);
    vm.register_native("tls_available", tls_available);
    vm.register_native("tls_connect", tls_connect);
    vm.register_native("tls_read", tls_read);
    vm.register_native("tls_read_bytes", tls_read_bytes);
    vm.register_native("tls_write", tls_write);
    vm.register_native("tls_close", tls_close);
}

pub const MODULE: &[(&str, &str)] = &[
    ("tcp_listen", "tcp_listen"),
    ("tcp_accept", "tcp_accept"),
    ("tcp_connect", "tcp_connect"),
    ("tcp_read", "tcp_read"),
    ("tcp_read_bytes", "tcp_read_bytes"),
    ("tcp_write", "tcp_write"),
    ("tcp_close", "tcp_close"),
    ("tcp_peer_addr", "tcp_peer_addr"),
    ("tcp_set_timeout", "tcp_set_timeout"),
    ("tls_available", "tls_available"),
    ("tls_connect", "tls_connect"),
    ("tls_read", "tls_read"),
    ("tls_read_bytes", "tls_read_bytes"),
    ("tls_write", "tls_write"),
    ("tls_close", "tls_close"),
];

/// Most bytes one `tcp_read` returns.
const READ_CHUNK: usize = 64 * 1024;
/// Most bytes one `tcp_read_bytes` may ask for (256 MiB).
const MAX_READ_BYTES: i64 = 256 * 1024 * 1024;
/// How long `tcp_connect` tries one address.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// A socket in the table.
#[derive(Clone)]
enum Socket {
    /// A listener and the accept timeout set by `tcp_set_timeout`.
    Listener(Arc<TcpListener>, Option<Duration>),
    Stream(Arc<TcpStream>),
}

#[derive(Default)]
struct Table {
    next: i64,
    sockets: HashMap<i64, Socket>,
}

fn table() -> MutexGuard<'static, Table> {
    static TABLE: OnceLock<Mutex<Table>> = OnceLock::new();
    let m = TABLE.get_or_init(|| Mutex::new(Table { next: 3, sockets: HashMap::new() }));
    // The table holds no invariant a panic could break half-way.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn track(sock: Socket) -> Value {
    let mut t = table();
    let id = t.next;
    t.next += 1;
    t.sockets.insert(id, sock);
    Value::int(id)
}

fn lookup(id: i64) -> Option<Socket> {
    table().sockets.get(&id).cloned()
}

fn stream(id: i64, what: &str) -> VmResult<Arc<TcpStream>> {
    match lookup(id) {
        Some(Socket::Stream(s)) => Ok(s),
        Some(Socket::Listener(..)) => fail(format!("{what}: socket is a listener, not a connection")),
        None => fail(format!("{what}: not a tracked socket")),
    }
}

/// An IO error as text without the `(os error N)` suffix; timeouts read "timed out".
pub(crate) fn io_text(e: &std::io::Error) -> String {
    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) {
        return "timed out".into();
    }
    let text = e.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_string()
}

/// The `(host: Str, port: Int)` arguments of `what`.
fn host_port<'a>(args: &'a [Value], what: &str) -> VmResult<(&'a str, u16)> {
    match (arg(args, 0), arg(args, 1)) {
        (Value::Str(h, _), Value::Int(p, _)) if args.len() == 2 => match u16::try_from(*p) {
            Ok(port) => Ok((h.as_str(), port)),
            Err(_) => fail(format!("{what}: invalid port {p}")),
        },
        _ => fail(format!("{what}: expected (host: Str, port: Int)")),
    }
}

/// The addresses `host:port` names.
pub(crate) fn resolve(host: &str, port: u16, what: &str) -> VmResult<Vec<SocketAddr>> {
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    match (host, port).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                fail(format!("{what}: cannot resolve host '{host}'"))
            } else {
                Ok(addrs)
            }
        }
        Err(_) => fail(format!("{what}: cannot resolve host '{host}'")),
    }
}

/// Connects to the first address of `host:port` that answers.
pub(crate) fn connect(host: &str, port: u16, timeout: Duration, what: &str) -> VmResult<TcpStream> {
    let mut last = None;
    for addr in resolve(host, port, what)? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    let reason = last.map_or("no address".to_string(), |e| io_text(&e));
    fail(format!("{what}: connect: {reason}"))
}

/// Bytes read from the network as a String (invalid UTF-8 is replaced).
fn text(bytes: &[u8]) -> Value {
    Value::str(String::from_utf8_lossy(bytes).into_owned())
}

/// `tcp_listen(host, port)`: a listening socket; port 0 picks a free port.
fn tcp_listen(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (host, port) = host_port(args, "tcp_listen")?;
    let addrs =
        resolve(host, port, "tcp_listen").map_err(|_| "tcp_listen: invalid host address".to_string())?;
    match TcpListener::bind(&addrs[..]) {
        Ok(l) => Ok(track(Socket::Listener(Arc::new(l), None))),
        Err(e) => fail(format!("tcp_listen: bind: {}", io_text(&e))),
    }
}

/// `tcp_accept(listener)`: the next incoming connection.
fn tcp_accept(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), 1) = (arg(args, 0), args.len()) else {
        return fail("tcp_accept: expected (fd: Int)");
    };
    let Some(Socket::Listener(listener, timeout)) = lookup(*id) else {
        return fail("tcp_accept: not a tracked socket");
    };
    let accepted = match timeout {
        None => listener.accept(),
        Some(limit) => accept_within(&listener, limit),
    };
    match accepted {
        Ok((s, _)) => Ok(track(Socket::Stream(Arc::new(s)))),
        Err(e) => fail(format!("tcp_accept: accept: {}", io_text(&e))),
    }
}

/// Accepts by polling a non-blocking listener until `limit` has passed.
fn accept_within(listener: &TcpListener, limit: Duration) -> std::io::Result<(TcpStream, SocketAddr)> {
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + limit;
    let result = loop {
        match listener.accept() {
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            other => break other,
        }
    };
    let _ = listener.set_nonblocking(false);
    let (s, addr) = result?;
    s.set_nonblocking(false)?;
    Ok((s, addr))
}

/// `tcp_connect(host, port)`: a connection to a server.
fn tcp_connect(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (host, port) = host_port(args, "tcp_connect")?;
    let s = connect(host, port, CONNECT_TIMEOUT, "tcp_connect")?;
    Ok(track(Socket::Stream(Arc::new(s))))
}

/// `tcp_read(fd)`: what has arrived (up to 64 KiB, waiting for at least one byte);
/// the empty string once the peer has closed.
fn tcp_read(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), 1) = (arg(args, 0), args.len()) else {
        return fail("tcp_read: expected (fd: Int)");
    };
    let s = stream(*id, "tcp_read")?;
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        match (&*s).read(&mut buf) {
            Ok(n) => return Ok(text(&buf[..n])),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return fail(format!("tcp_read: recv: {}", io_text(&e))),
        }
    }
}

/// `tcp_read_bytes(fd, n)`: exactly `n` bytes, or fewer when the peer closes first.
fn tcp_read_bytes(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), Value::Int(n, _), 2) = (arg(args, 0), arg(args, 1), args.len()) else {
        return fail("tcp_read_bytes: expected (fd: Int, n: Int)");
    };
    let s = stream(*id, "tcp_read_bytes")?;
    if !(0..=MAX_READ_BYTES).contains(n) {
        return fail("tcp_read_bytes: count out of range");
    }
    let mut buf = Vec::with_capacity((*n as usize).min(READ_CHUNK));
    match (&*s).take(*n as u64).read_to_end(&mut buf) {
        Ok(_) => Ok(text(&buf)),
        Err(e) => fail(format!("tcp_read_bytes: recv: {}", io_text(&e))),
    }
}

/// `tcp_write(fd, data)`: sends all of `data`; true.
fn tcp_write(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), Value::Str(data, _), 2) = (arg(args, 0), arg(args, 1), args.len()) else {
        return fail("tcp_write: expected (fd: Int, data: Str)");
    };
    let s = stream(*id, "tcp_write")?;
    match (&*s).write_all(data.as_bytes()) {
        Ok(()) => Ok(Value::TRUE),
        Err(e) => fail(format!("tcp_write: send: {}", io_text(&e))),
    }
}

/// `tcp_close(fd)`: closes the socket; closing an unknown handle does nothing.
fn tcp_close(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), 1) = (arg(args, 0), args.len()) else {
        return fail("tcp_close: expected (fd: Int)");
    };
    if let Some(Socket::Stream(s)) = table().sockets.remove(id) {
        // Wakes a read blocked on a clone of this socket in another task.
        let _ = s.shutdown(Shutdown::Both);
    }
    Ok(Value::UNIT)
}

/// `tcp_peer_addr(fd)`: the other end as `"host:port"`.
fn tcp_peer_addr(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), 1) = (arg(args, 0), args.len()) else {
        return fail("tcp_peer_addr: expected (fd: Int)");
    };
    let s = stream(*id, "tcp_peer_addr")?;
    match s.peer_addr() {
        Ok(a) => Ok(Value::str(a.to_string())),
        Err(e) => fail(format!("tcp_peer_addr: getpeername: {}", io_text(&e))),
    }
}

/// `tcp_set_timeout(fd, secs)`: a limit on each read and write (on a listener: on
/// each accept); 0 removes it. Seconds may be a Float.
fn tcp_set_timeout(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "tcp_set_timeout: expected (fd: Int, secs: Int)";
    let (Value::Int(id, _), 2) = (arg(args, 0), args.len()) else {
        return fail(usage);
    };
    let secs = match arg(args, 1) {
        Value::Int(n, _) => *n as f64,
        Value::Float(f, _) => *f,
        _ => return fail(usage),
    };
    if !(0.0..=1e9).contains(&secs) {
        return fail("tcp_set_timeout: timeout must be a non-negative number of seconds");
    }
    let limit = (secs > 0.0).then(|| Duration::from_secs_f64(secs).max(Duration::from_millis(1)));
    let mut t = table();
    match t.sockets.get_mut(id) {
        Some(Socket::Listener(_, timeout)) => {
            *timeout = limit;
            Ok(Value::TRUE)
        }
        Some(Socket::Stream(s)) => {
            let s = s.clone();
            drop(t);
            s.set_read_timeout(limit)
                .map_err(|e| format!("tcp_set_timeout: SO_RCVTIMEO: {}", io_text(&e)))?;
            s.set_write_timeout(limit)
                .map_err(|e| format!("tcp_set_timeout: SO_SNDTIMEO: {}", io_text(&e)))?;
            Ok(Value::TRUE)
        }
        None => fail("tcp_set_timeout: not a tracked socket"),
    }
}

/// Why the TLS natives fail in this build.
const NO_TLS: &str = "TLS is not supported in this build";

fn tls_available(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::FALSE)
}

fn tls_connect(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    host_port(args, "tls_connect")?;
    fail(format!("tls_connect: {NO_TLS}"))
}

fn tls_read(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(..), 1) = (arg(args, 0), args.len()) else {
        return fail("tls_read() expects (fd: Int)");
    };
    fail(format!("tls_read: {NO_TLS}"))
}

fn tls_read_bytes(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(..), Value::Int(..), 2) = (arg(args, 0), arg(args, 1), args.len()) else {
        return fail("tls_read_bytes() expects (fd: Int, n: Int)");
    };
    fail(format!("tls_read_bytes: {NO_TLS}"))
}

fn tls_write(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(..), Value::Str(..), 2) = (arg(args, 0), arg(args, 1), args.len()) else {
        return fail("tls_write() expects (fd: Int, data: String)");
    };
    fail(format!("tls_write: {NO_TLS}"))
}

fn tls_close(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(..), 1) = (arg(args, 0), args.len()) else {
        return fail("tls_close() expects (fd: Int)");
    };
    Ok(Value::UNIT)
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn argument_errors() {
        check_calls(vec![
            ("tcp_listen", vec![i(123), i(80)], "error: tcp_listen: expected (host: Str, port: Int)"),
            ("tcp_listen", vec![s("127.0.0.1"), i(70000)], "error: tcp_listen: invalid port 70000"),
            ("tcp_read", vec![s("bad")], "error: tcp_read: expected (fd: Int)"),
            ("tcp_read", vec![i(999_999)], "error: tcp_read: not a tracked socket"),
            ("tcp_accept", vec![i(999_999)], "error: tcp_accept: not a tracked socket"),
            ("tcp_write", vec![i(999_999), s("x")], "error: tcp_write: not a tracked socket"),
            ("tcp_read_bytes", vec![i(1)], "error: tcp_read_bytes: expected (fd: Int, n: Int)"),
            ("tcp_close", vec![i(999_999)], "()"),
            ("tls_available", vec![], "false"),
            ("tls_connect", vec![i(123), i(443)], "error: tls_connect: expected (host: Str, port: Int)"),
            ("tls_read", vec![s("bad")], "error: tls_read() expects (fd: Int)"),
            (
                "tls_connect",
                vec![s("localhost"), i(443)],
                "error: tls_connect: TLS is not supported in this build",
            ),
        ]);
    }

    #[test]
    fn modules_export_registered_natives() {
        let vm = vm();
        for (module, exports) in [("net", super::MODULE), ("http", crate::http::MODULE)] {
            let Some(lattice_vm::Value::Map(m, _)) = vm.builtin_module_exports(module) else {
                panic!("{module} registered")
            };
            assert_eq!(m.len(), exports.len(), "{module}: every export resolves to a native");
        }
    }

    #[test]
    fn loopback_round_trip() {
        let mut vm = vm();
        let server = call(&mut vm, "tcp_listen", vec![s("127.0.0.1"), i(0)]).unwrap();
        let id = server.as_int().unwrap();
        // The listener's port, from the table (tcp_peer_addr is for connections).
        let port = match super::lookup(id) {
            Some(super::Socket::Listener(l, _)) => l.local_addr().unwrap().port(),
            _ => panic!("listener tracked"),
        };
        assert_eq!(show(call(&mut vm, "tcp_set_timeout", vec![server.clone(), i(5)])), "true");
        let client = std::thread::spawn(move || {
            let mut vm = crate::test_support::vm();
            let c = call(&mut vm, "tcp_connect", vec![s("127.0.0.1"), i(i64::from(port))]).unwrap();
            call(&mut vm, "tcp_set_timeout", vec![c.clone(), i(5)]).unwrap();
            call(&mut vm, "tcp_write", vec![c.clone(), s("ping!")]).unwrap();
            let reply = call(&mut vm, "tcp_read_bytes", vec![c.clone(), i(4)]).unwrap();
            call(&mut vm, "tcp_close", vec![c]).unwrap();
            reply
        });
        let conn = call(&mut vm, "tcp_accept", vec![server.clone()]).unwrap();
        call(&mut vm, "tcp_set_timeout", vec![conn.clone(), f(5.0)]).unwrap();
        assert!(show(call(&mut vm, "tcp_peer_addr", vec![conn.clone()])).starts_with("\"127.0.0.1:"));
        assert_eq!(show(call(&mut vm, "tcp_read_bytes", vec![conn.clone(), i(5)])), "\"ping!\"");
        assert_eq!(show(call(&mut vm, "tcp_write", vec![conn.clone(), s("pong")])), "true");
        assert_eq!(show(Ok(client.join().unwrap())), "\"pong\"");
        // The client closed: reads report the end of the stream.
        assert_eq!(show(call(&mut vm, "tcp_read", vec![conn.clone()])), "\"\"");
        call(&mut vm, "tcp_close", vec![conn.clone()]).unwrap();
        assert_eq!(show(call(&mut vm, "tcp_read", vec![conn])), "error: tcp_read: not a tracked socket");
        // Nobody else connects: the accept timeout ends the wait.
        call(&mut vm, "tcp_set_timeout", vec![server.clone(), f(0.05)]).unwrap();
        assert_eq!(
            show(call(&mut vm, "tcp_accept", vec![server.clone()])),
            "error: tcp_accept: accept: timed out"
        );
        call(&mut vm, "tcp_close", vec![server]).unwrap();
    }
}
