//! Hashes and encodings: `sha256`, `sha512`, `md5`, `hmac_sha256` (lower-case hex),
//! `base64_encode`/`base64_decode` (standard alphabet, padded, strict),
//! `url_encode`/`url_decode` (percent-encoding of everything but `A-Za-z0-9-_.~`),
//! `random_bytes(n)` and `uuid()` (version 4) from the operating system's randomness.
//!
//! Inputs may be Strings or Buffers; text results are Strings.

use crate::args::{arg, fail};
use base64::Engine;
use lattice_vm::{Value, Vm, VmResult};
use md5::Md5;
use sha2::{Digest, Sha256, Sha512};
use std::fmt::Write;

pub fn install(vm: &mut Vm) {
    vm.register_native("sha256", sha256);
    vm.register_native("sha512", sha512);
    vm.register_native("md5", md5);
    vm.register_native("hmac_sha256", hmac_sha256);
    vm.register_native("base64_encode", base64_encode);
    vm.register_native("base64_decode", base64_decode);
    vm.register_native("url_encode", url_encode);
    vm.register_native("url_decode", url_decode);
    vm.register_native("random_bytes", random_bytes);
    vm.register_native("uuid", uuid);
}

pub const MODULE: &[(&str, &str)] = &[
    ("sha256", "sha256"),
    ("md5", "md5"),
    ("base64_encode", "base64_encode"),
    ("base64_decode", "base64_decode"),
    ("sha512", "sha512"),
    ("hmac_sha256", "hmac_sha256"),
    ("random_bytes", "random_bytes"),
    ("uuid", "uuid"),
    ("url_encode", "url_encode"),
    ("url_decode", "url_decode"),
];

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The bytes of a String or Buffer argument; `usage` is the error otherwise.
fn data<'a>(args: &'a [Value], i: usize, usage: &str) -> VmResult<&'a [u8]> {
    match arg(args, i) {
        Value::Str(s, _) => Ok(s.as_bytes()),
        Value::Buffer(b, _) => Ok(b),
        _ => fail(usage),
    }
}

fn sha256(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let input = data(args, 0, "sha256: expected (str: Str)")?;
    Ok(Value::str(hex(&Sha256::digest(input))))
}

fn sha512(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let input = data(args, 0, "sha512: expected (str: Str)")?;
    Ok(Value::str(hex(&Sha512::digest(input))))
}

fn md5(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let input = data(args, 0, "md5: expected (str: Str)")?;
    Ok(Value::str(hex(&Md5::digest(input))))
}

/// HMAC-SHA256 (RFC 2104) over a 64-byte block.
fn hmac_sha256(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "hmac_sha256: expected (key: Str, data: Str)";
    let (key, msg) = (data(args, 0, usage)?, data(args, 1, usage)?);
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |x: u8| block.iter().map(|b| b ^ x).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(msg).finalize();
    let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
    Ok(Value::str(hex(&outer)))
}

fn base64_encode(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let input = data(args, 0, "base64_encode: expected (str: Str)")?;
    Ok(Value::str(base64::engine::general_purpose::STANDARD.encode(input)))
}

/// Decodes padded standard base64 into a String (bytes that are not UTF-8 are replaced).
fn base64_decode(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let input = data(args, 0, "base64_decode: expected (str: Str)")?;
    if input.len() % 4 != 0 {
        return fail("base64_decode: invalid input length (must be multiple of 4)");
    }
    match base64::engine::general_purpose::STANDARD.decode(input) {
        Ok(bytes) => Ok(Value::str(String::from_utf8_lossy(&bytes).into_owned())),
        Err(base64::DecodeError::InvalidLastSymbol(..)) => fail("base64_decode: non-canonical trailing bits"),
        Err(base64::DecodeError::InvalidPadding) => fail("base64_decode: invalid '=' padding"),
        Err(_) => fail("base64_decode: invalid character in input"),
    }
}

fn url_encode(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(s, _) = arg(args, 0) else {
        return Ok(Value::NIL);
    };
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    Ok(Value::str(out))
}

/// Decodes `%XX` escapes and `+` (a space); a `%` not followed by two hex digits stays.
fn url_decode(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(s, _) = arg(args, 0) else {
        return Ok(Value::NIL);
    };
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex_pair = b.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex_pair.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(Value::str(String::from_utf8_lossy(&out).into_owned()))
}

/// `n` bytes from the OS source (falling back to the process generator).
pub fn os_random(n: usize) -> Vec<u8> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut buf));
    if from_os.is_err() {
        for chunk in buf.chunks_mut(8) {
            let r = crate::math::next_u64().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }
    buf
}

fn random_bytes(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Int(n, _) if (0..=1_048_576).contains(n) => Ok(Value::buffer(os_random(*n as usize))),
        Value::Int(..) => fail("random_bytes: n must be 0..1048576"),
        _ => fail("random_bytes: expected (n: Int)"),
    }
}

/// A random version 4 UUID: `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
fn uuid(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    let mut b = os_random(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    Ok(Value::str(format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn digests_and_encodings() {
        check_calls(vec![
            ("sha256", vec![s("abc")], "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""),
            ("md5", vec![s("")], "\"d41d8cd98f00b204e9800998ecf8427e\""),
            ("sha512", vec![s("")], "\"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e\""),
            ("hmac_sha256", vec![s("key"), s("msg")], "\"2d93cbc1be167bcb1637a4a23cbff01a7878f0c50ee833954ea5221bb1b8c628\""),
            ("sha256", vec![i(1)], "error: sha256: expected (str: Str)"),
            ("base64_encode", vec![s("hello")], "\"aGVsbG8=\""),
            ("base64_decode", vec![s("aGVsbG8=")], "\"hello\""),
            ("base64_decode", vec![s("!!!")], "error: base64_decode: invalid input length (must be multiple of 4)"),
            ("base64_decode", vec![s("a!==")], "error: base64_decode: invalid character in input"),
            ("url_encode", vec![s("a b&c/é")], "\"a%20b%26c%2F%C3%A9\""),
            ("url_decode", vec![s("a%20b+c%zz%")], "\"a b c%zz%\""),
            ("random_bytes", vec![i(-1)], "error: random_bytes: n must be 0..1048576"),
        ]);
    }

    #[test]
    fn uuids_are_version_4() {
        let mut vm = vm();
        let u = call(&mut vm, "uuid", vec![]).unwrap();
        let u = u.as_str().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_eq!(
            show(call(&mut vm, "random_bytes", vec![i(4)])).len(),
            "Buffer<4 bytes: 00 00 00 00>".len()
        );
    }
}
