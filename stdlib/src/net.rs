//! TCP sockets: `tcp_listen`, `tcp_accept`, `tcp_connect`, `tcp_read`, `tcp_read_bytes`,
//! `tcp_write`, `tcp_close`, `tcp_peer_addr`, `tcp_set_timeout`, and the TLS client:
//! `tls_connect(host, port, options?)`, `tls_read`, `tls_read_bytes`, `tls_write`,
//! `tls_close`, `tls_available` (sessions come from `tls.rs`).
//!
//! A program sees a socket as an Int handle into one process-wide table, shared by every
//! task. Blocking calls (accept, read, write) run on a counted clone of the socket taken
//! out of the table, so a task blocked on one socket never holds up the others, and
//! `tcp_close` shuts a stream down so that a read blocked on it in another task returns.
//! A listener with a timeout accepts by polling, so `tcp_accept` can give up too.
//!
//! A TLS handle lives in the same table; its session sits behind a lock (one reader or
//! writer at a time), next to a clone of its TCP socket, so `tls_close`,
//! `tcp_set_timeout` and `tcp_peer_addr` reach the socket without waiting for the lock.

use crate::args::{arg, fail};
use crate::tls::{connect_tls, error_text, is_unclean_eof, TlsStream};
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
    Tls(Arc<TlsSocket>),
}

/// A TLS session and a second handle on its TCP socket.
struct TlsSocket {
    session: Mutex<TlsStream>,
    tcp: TcpStream,
    /// The host name the certificate was checked against, for error messages.
    host: String,
}

impl TlsSocket {
    fn lock(&self) -> MutexGuard<'_, TlsStream> {
        // A panic cannot happen while the lock is held; a poisoned lock still holds
        // a usable session.
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }
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
        Some(Socket::Tls(..)) => fail(format!("{what}: socket is a TLS connection (use the tls_ functions)")),
        None => fail(format!("{what}: not a tracked socket")),
    }
}

fn tls_session(id: i64, what: &str) -> VmResult<Arc<TlsSocket>> {
    match lookup(id) {
        Some(Socket::Tls(t)) => Ok(t),
        _ => fail(format!("{what}: not a TLS socket")),
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
    let removed = table().sockets.remove(id);
    match removed {
        // Wakes a read blocked on a clone of this socket in another task.
        Some(Socket::Stream(s)) => {
            let _ = s.shutdown(Shutdown::Both);
        }
        Some(Socket::Tls(t)) => close_tls(&t),
        _ => {}
    }
    Ok(Value::UNIT)
}

/// `tcp_peer_addr(fd)`: the other end as `"host:port"`.
fn tcp_peer_addr(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), 1) = (arg(args, 0), args.len()) else {
        return fail("tcp_peer_addr: expected (fd: Int)");
    };
    let addr = match lookup(*id) {
        Some(Socket::Tls(t)) => t.tcp.peer_addr(),
        _ => stream(*id, "tcp_peer_addr")?.peer_addr(),
    };
    match addr {
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
        Some(Socket::Tls(tls)) => {
            let tls = tls.clone();
            drop(t);
            tls.tcp
                .set_read_timeout(limit)
                .map_err(|e| format!("tcp_set_timeout: SO_RCVTIMEO: {}", io_text(&e)))?;
            tls.tcp
                .set_write_timeout(limit)
                .map_err(|e| format!("tcp_set_timeout: SO_SNDTIMEO: {}", io_text(&e)))?;
            Ok(Value::TRUE)
        }
        None => fail("tcp_set_timeout: not a tracked socket"),
    }
}

fn tls_available(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::TRUE)
}

/// `tls_connect(host, port, options?)`: a verified TLS connection. `options` may hold
/// `ca` (a PEM file of extra trusted certificates) and `timeout_ms` (for connecting
/// and the handshake, and then for each read and write; default 30 s).
fn tls_connect(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "tls_connect: expected (host: Str, port: Int, options?: Map)";
    let (host, port) = match args.len() {
        2 => host_port(args, "tls_connect")?,
        3 => host_port(&args[..2], "tls_connect")?,
        _ => return fail(usage),
    };
    let mut ca = None;
    let mut timeout = CONNECT_TIMEOUT;
    match arg(args, 2) {
        Value::Nil(_) => {}
        Value::Map(m, _) => {
            match m.get("ca") {
                None | Some(Value::Nil(_)) => {}
                Some(Value::Str(p, _)) => ca = Some(p.to_string()),
                Some(_) => return fail("tls_connect: options.ca must be a String (a PEM file path)"),
            }
            match m.get("timeout_ms") {
                None | Some(Value::Nil(_)) => {}
                Some(Value::Int(ms, _)) if *ms > 0 => timeout = Duration::from_millis(*ms as u64),
                Some(_) => return fail("tls_connect: options.timeout_ms must be a positive Int"),
            }
        }
        _ => return fail(usage),
    }
    let session = connect_tls(host, port, ca.as_deref(), timeout, "tls_connect")?;
    let tcp = session.sock.try_clone().map_err(|e| format!("tls_connect: {}", io_text(&e)))?;
    let host = host.to_string();
    Ok(track(Socket::Tls(Arc::new(TlsSocket { session: Mutex::new(session), tcp, host }))))
}

/// `tls_read(fd)`: the decrypted data that has arrived (up to 64 KiB, waiting for at
/// least one byte); the empty string once the peer has closed.
fn tls_read(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), 1) = (arg(args, 0), args.len()) else {
        return fail("tls_read() expects (fd: Int)");
    };
    let t = tls_session(*id, "tls_read")?;
    let mut buf = vec![0u8; READ_CHUNK];
    let mut session = t.lock();
    loop {
        match session.read(&mut buf) {
            Ok(n) => return Ok(text(&buf[..n])),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if is_unclean_eof(&e) => return Ok(text(&[])),
            Err(e) => return fail(format!("tls_read: {}", error_text(&e, &t.host))),
        }
    }
}

/// `tls_read_bytes(fd, n)`: exactly `n` decrypted bytes, or fewer when the peer closes.
fn tls_read_bytes(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), Value::Int(n, _), 2) = (arg(args, 0), arg(args, 1), args.len()) else {
        return fail("tls_read_bytes() expects (fd: Int, n: Int)");
    };
    let t = tls_session(*id, "tls_read_bytes")?;
    if !(0..=MAX_READ_BYTES).contains(n) {
        return fail("tls_read_bytes: count out of range");
    }
    let want = *n as usize;
    let mut out = Vec::with_capacity(want.min(READ_CHUNK));
    let mut buf = vec![0u8; want.min(READ_CHUNK)];
    let mut session = t.lock();
    while out.len() < want {
        let room = (want - out.len()).min(buf.len());
        match session.read(&mut buf[..room]) {
            Ok(0) => break,
            Ok(k) => out.extend_from_slice(&buf[..k]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if is_unclean_eof(&e) => break,
            Err(e) => return fail(format!("tls_read_bytes: {}", error_text(&e, &t.host))),
        }
    }
    Ok(text(&out))
}

/// `tls_write(fd, data)`: encrypts and sends all of `data`; true.
fn tls_write(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), Value::Str(data, _), 2) = (arg(args, 0), arg(args, 1), args.len()) else {
        return fail("tls_write() expects (fd: Int, data: String)");
    };
    let t = tls_session(*id, "tls_write")?;
    let mut session = t.lock();
    match session.write_all(data.as_bytes()).and_then(|()| session.flush()) {
        Ok(()) => Ok(Value::TRUE),
        Err(e) => fail(format!("tls_write: {}", error_text(&e, &t.host))),
    }
}

/// `tls_close(fd)`: ends the session and closes the socket; an unknown handle is
/// ignored.
fn tls_close(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(id, _), 1) = (arg(args, 0), args.len()) else {
        return fail("tls_close() expects (fd: Int)");
    };
    let removed = table().sockets.remove(id);
    match removed {
        Some(Socket::Tls(t)) => close_tls(&t),
        // The reference closes only TLS handles here; put anything else back.
        Some(other) => {
            table().sockets.insert(*id, other);
        }
        None => {}
    }
    Ok(Value::UNIT)
}

/// Says goodbye (close_notify) when no other task holds the session, then shuts the
/// socket down, which also wakes a read blocked on it in another task.
fn close_tls(t: &TlsSocket) {
    if let Ok(mut session) = t.session.try_lock() {
        session.conn.send_close_notify();
        let _ = session.flush();
    }
    let _ = t.tcp.shutdown(Shutdown::Both);
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
            ("tls_available", vec![], "true"),
            ("tls_connect", vec![i(123), i(443)], "error: tls_connect: expected (host: Str, port: Int)"),
            ("tls_read", vec![s("bad")], "error: tls_read() expects (fd: Int)"),
            ("tls_connect", vec![s("bad host"), i(443)], "error: tls_connect: invalid host name 'bad host'"),
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
