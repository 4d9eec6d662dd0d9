//! The TLS client shared by the `tls_*` natives (in `net.rs`) and `https://` URLs (in
//! `http.rs`), on rustls with the ring provider.
//!
//! Trust: the Mozilla root set of `webpki-roots`, plus the PEM certificates in the file
//! named by the `LATTICE_EXTRA_CA` environment variable, plus those of a per-call `ca`
//! option. Certificates are always verified (chain and host name); there is no switch
//! to turn verification off. Protocol versions are TLS 1.2 and 1.3.
//!
//! A handshake failure is reported as text a program can show: a refused connection,
//! an untrusted certificate, a name that does not match, a timeout.

use crate::args::fail;
use crate::net::{connect, io_text};
use lattice_vm::VmResult;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use std::io::ErrorKind;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

/// The environment variable naming an extra PEM file of trusted certificates.
pub(crate) const EXTRA_CA_VAR: &str = "LATTICE_EXTRA_CA";

/// A client TLS session over a TCP connection.
pub(crate) type TlsStream = StreamOwned<ClientConnection, TcpStream>;

/// The trusted roots: the built-in set, `LATTICE_EXTRA_CA`, and `ca` when given.
fn root_store(ca: Option<&str>, what: &str) -> VmResult<RootCertStore> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = std::env::var_os(EXTRA_CA_VAR).filter(|p| !p.is_empty()) {
        let path = path.to_string_lossy().into_owned();
        add_pem_file(&mut roots, &path, &format!("{what}: {EXTRA_CA_VAR}"))?;
    }
    if let Some(path) = ca {
        add_pem_file(&mut roots, path, &format!("{what}: ca"))?;
    }
    Ok(roots)
}

/// Adds every certificate of the PEM file at `path` to `roots`.
fn add_pem_file(roots: &mut RootCertStore, path: &str, what: &str) -> VmResult<()> {
    let bytes = std::fs::read(path).map_err(|e| format!("{what}: cannot read '{path}': {}", io_text(&e)))?;
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| format!("{what}: '{path}' is not valid PEM: {e}"))?;
        roots.add(cert).map_err(|e| format!("{what}: '{path}': unusable certificate: {e}"))?;
        added += 1;
    }
    if added == 0 {
        return fail(format!("{what}: '{path}' holds no PEM certificate"));
    }
    Ok(())
}

fn client_config(ca: Option<&str>, what: &str) -> VmResult<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("{what}: {e}"))?
        .with_root_certificates(root_store(ca, what)?)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Connects to `host:port` and completes a TLS handshake within `timeout` (which also
/// stays the limit on each later read and write).
pub(crate) fn connect_tls(
    host: &str,
    port: u16,
    ca: Option<&str>,
    timeout: Duration,
    what: &str,
) -> VmResult<TlsStream> {
    let bare = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let Ok(name) = ServerName::try_from(bare.to_string()) else {
        return fail(format!("{what}: invalid host name '{host}'"));
    };
    let config = client_config(ca, what)?;
    let tcp = connect(host, port, timeout, what)?;
    let _ = tcp.set_read_timeout(Some(timeout));
    let _ = tcp.set_write_timeout(Some(timeout));
    let conn = ClientConnection::new(config, name).map_err(|e| format!("{what}: {e}"))?;
    let mut stream = StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
            return fail(format!("{what}: handshake with {host}: {}", error_text(&e, bare)));
        }
    }
    Ok(stream)
}

/// An IO error from a TLS stream as a sentence; rustls errors inside it are spelled out.
pub(crate) fn error_text(e: &std::io::Error, host: &str) -> String {
    let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) else {
        if e.kind() == ErrorKind::UnexpectedEof {
            return "connection closed by peer".into();
        }
        return io_text(e);
    };
    match tls {
        rustls::Error::InvalidCertificate(c) => certificate_text(c, host),
        rustls::Error::AlertReceived(alert) => format!("the server sent alert {alert:?}"),
        other => other.to_string(),
    }
}

fn certificate_text(c: &CertificateError, host: &str) -> String {
    match c {
        CertificateError::UnknownIssuer => {
            format!(
                "certificate not trusted: unknown issuer (add its CA with the `ca` option or {EXTRA_CA_VAR})"
            )
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!("certificate is not valid for host name '{host}'")
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "certificate has expired".into()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "certificate is not valid yet".into()
        }
        CertificateError::Revoked => "certificate has been revoked".into(),
        CertificateError::BadSignature => "certificate has a bad signature".into(),
        other => format!("invalid certificate: {other}"),
    }
}

/// Whether a read error only means the peer closed without a TLS close_notify, which
/// many servers do after `Connection: close`; callers treat it as the end of the data.
pub(crate) fn is_unclean_eof(e: &std::io::Error) -> bool {
    e.kind() == ErrorKind::UnexpectedEof
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::{LatMap, Value};
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    use rustls::{ServerConfig, ServerConnection, StreamOwned};
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::thread::JoinHandle;
    use std::time::Duration;

    /// A test CA (its PEM written to a temporary file) and a server configuration whose
    /// certificate, signed by that CA, names `localhost` only.
    struct Pki {
        ca_file: PathBuf,
        server: Arc<ServerConfig>,
    }

    impl Drop for Pki {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.ca_file);
        }
    }

    fn pki(tag: &str) -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(DnType::CommonName, "Lattice test CA");
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let leaf_key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .signed_by(&leaf_key, &ca, &ca_key)
            .unwrap();
        let ca_file = std::env::temp_dir().join(format!("lattice-tls-{tag}-{}.pem", std::process::id()));
        std::fs::write(&ca_file, ca.pem()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![CertificateDer::from(leaf.der().to_vec())], key)
            .unwrap();
        Pki { ca_file, server: Arc::new(server) }
    }

    /// Serves `connections` TLS connections on loopback, one at a time: reads until the
    /// request text contains `until`, then writes `reply`; with `notify`, ends with a
    /// close_notify, else just drops the socket. Failed handshakes count as served.
    /// Hands back the request texts.
    fn serve(
        pki: &Pki,
        connections: usize,
        until: &'static str,
        reply: &'static str,
        notify: bool,
    ) -> (u16, JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = pki.server.clone();
        let handle = std::thread::spawn(move || {
            let mut requests = Vec::new();
            for _ in 0..connections {
                let (tcp, _) = listener.accept().unwrap();
                tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let conn = ServerConnection::new(config.clone()).unwrap();
                let mut tls = StreamOwned::new(conn, tcp);
                let mut got = Vec::new();
                let mut buf = [0u8; 4096];
                while !String::from_utf8_lossy(&got).contains(until) {
                    match tls.read(&mut buf) {
                        Ok(n) if n > 0 => got.extend_from_slice(&buf[..n]),
                        _ => break,
                    }
                }
                if !got.is_empty() {
                    let _ = tls.write_all(reply.as_bytes());
                    if notify {
                        tls.conn.send_close_notify();
                    }
                    let _ = tls.flush();
                }
                requests.push(String::from_utf8_lossy(&got).into_owned());
            }
            requests
        });
        (port, handle)
    }

    fn opts(pairs: &[(&str, Value)]) -> Value {
        let mut m = LatMap::new();
        for (k, v) in pairs {
            m.insert(k, v.clone());
        }
        Value::map(m)
    }

    #[test]
    fn tls_natives_over_loopback() {
        let pki = pki("natives");
        let ca = s(pki.ca_file.to_str().unwrap());
        let (port, server) = serve(&pki, 3, "ping", "pong and more", true);
        let port = i(i64::from(port));
        let mut vm = vm();
        assert_eq!(show(call(&mut vm, "tls_available", vec![])), "true");

        // Trusted through the `ca` option: a full exchange.
        let c = call(&mut vm, "tls_connect", vec![s("localhost"), port.clone(), opts(&[("ca", ca.clone())])])
            .unwrap();
        assert_eq!(show(call(&mut vm, "tcp_set_timeout", vec![c.clone(), i(5)])), "true");
        assert!(show(call(&mut vm, "tcp_peer_addr", vec![c.clone()])).starts_with("\"127.0.0.1:"));
        assert_eq!(show(call(&mut vm, "tls_write", vec![c.clone(), s("ping")])), "true");
        assert_eq!(show(call(&mut vm, "tls_read_bytes", vec![c.clone(), i(4)])), "\"pong\"");
        let mut rest = String::new();
        loop {
            let chunk = call(&mut vm, "tls_read", vec![c.clone()]).unwrap();
            let chunk = chunk.as_str().unwrap().to_string();
            if chunk.is_empty() {
                break;
            }
            rest.push_str(&chunk);
        }
        assert_eq!(rest, " and more");
        assert!(show(call(&mut vm, "tcp_read", vec![c.clone()])).contains("TLS connection"));
        assert_eq!(show(call(&mut vm, "tls_close", vec![c.clone()])), "()");
        assert_eq!(show(call(&mut vm, "tls_read", vec![c])), "error: tls_read: not a TLS socket");

        // Not trusted without the CA.
        let r = show(call(&mut vm, "tls_connect", vec![s("localhost"), port.clone()]));
        assert!(
            r.starts_with("error: tls_connect: handshake with localhost: certificate not trusted"),
            "{r}"
        );

        // Trusted, but issued for another name.
        let r = show(call(&mut vm, "tls_connect", vec![s("127.0.0.1"), port, opts(&[("ca", ca)])]));
        assert_eq!(
            r,
            "error: tls_connect: handshake with 127.0.0.1: certificate is not valid for host name '127.0.0.1'"
        );
        server.join().unwrap();

        // Nobody listening, a missing CA file, bad arguments.
        let free = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let r = show(call(&mut vm, "tls_connect", vec![s("127.0.0.1"), i(i64::from(free))]));
        assert!(r.starts_with("error: tls_connect: connect: "), "{r}");
        let r = show(call(
            &mut vm,
            "tls_connect",
            vec![s("localhost"), i(1), opts(&[("ca", s("/nonexistent/ca.pem"))])],
        ));
        assert!(r.starts_with("error: tls_connect: ca: cannot read '/nonexistent/ca.pem'"), "{r}");
        check_calls(vec![
            (
                "tls_connect",
                vec![s("h"), i(1), i(2)],
                "error: tls_connect: expected (host: Str, port: Int, options?: Map)",
            ),
            ("tls_write", vec![i(999_999), s("x")], "error: tls_write: not a TLS socket"),
            ("tls_read_bytes", vec![i(999_999), i(3)], "error: tls_read_bytes: not a TLS socket"),
            ("tls_close", vec![i(999_999)], "()"),
        ]);
    }

    #[test]
    fn https_over_loopback() {
        let pki = pki("https");
        let ca = s(pki.ca_file.to_str().unwrap());
        let mut vm = vm();

        // Content-Length framing, and a clean close.
        let (port, server) =
            serve(&pki, 1, "\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure", true);
        let url = s(&format!("https://localhost:{port}/hello?x=1"));
        let r = call(&mut vm, "http_request", vec![s("GET"), url, opts(&[("ca", ca.clone())])]);
        assert_eq!(show(r), "{\"body\": secure, \"headers\": {\"content-length\": 6}, \"status\": 200}");
        let req = server.join().unwrap().remove(0);
        assert!(req.starts_with(&format!("GET /hello?x=1 HTTP/1.1\r\nHost: localhost:{port}\r\n")), "{req}");

        // No framing and no close_notify: the body runs to the end of the connection.
        let (port, server) = serve(&pki, 1, "abc", "HTTP/1.0 201 Created\r\n\r\nmade", false);
        let url = s(&format!("https://localhost:{port}/items"));
        let r = call(&mut vm, "http_request", vec![s("POST"), url, opts(&[("ca", ca), ("body", s("abc"))])]);
        assert_eq!(show(r), "{\"body\": made, \"headers\": {}, \"status\": 201}");
        server.join().unwrap();

        // An untrusted server is an error, then trusted through LATTICE_EXTRA_CA. (Only
        // this test sets the variable; the other tests trust their own CA either way.)
        let (port, server) = serve(&pki, 2, "\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n", true);
        let url = format!("https://localhost:{port}/");
        let r = show(call(&mut vm, "http_get", vec![s(&url)]));
        assert!(r.starts_with("error: http_get: handshake with localhost: certificate not trusted"), "{r}");
        std::env::set_var(super::EXTRA_CA_VAR, &pki.ca_file);
        let r = show(call(&mut vm, "http_get", vec![s(&url)]));
        std::env::remove_var(super::EXTRA_CA_VAR);
        assert_eq!(r, "{\"body\": , \"headers\": {}, \"status\": 204}");
        server.join().unwrap();
    }
}
