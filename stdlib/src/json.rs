//! JSON: `json_parse(text)` and `json_stringify(value)`.
//!
//! Parsing is strict RFC 8259 with the reference's choices: integers without a fraction
//! or exponent become Ints (an Int that does not fit is an error), others Floats;
//! `null` is nil; duplicate object keys and nesting deeper than 1000 are errors. Errors
//! read `json_parse error at position N: what`, N being a byte offset.
//!
//! Stringifying is compact (no spaces). Floats print with 17 significant digits, so
//! they read back as the same double; NaN and infinities become `null`. Tuples and
//! Buffers become arrays; structs, enums, sets, functions and the like are refused.

use crate::args::{arg, fail};
use lattice_vm::display::format_g;
use lattice_vm::{LatMap, Value, Vm, VmResult};
use std::fmt::Write;

pub fn install(vm: &mut Vm) {
    vm.register_native("json_parse", json_parse);
    vm.register_native("json_stringify", json_stringify);
}

pub const MODULE: &[(&str, &str)] = &[("parse", "json_parse"), ("stringify", "json_stringify")];

const MAX_DEPTH: usize = 1000;

fn json_parse(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(text, _) = arg(args, 0) else {
        return fail("json_parse: expected (str: Str)");
    };
    parse(text).map_err(Into::into)
}

fn json_stringify(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if args.len() != 1 {
        return fail("json_stringify: expected (value: Any)");
    }
    let mut out = String::new();
    write_json(&mut out, arg(args, 0), 0)?;
    Ok(Value::str(out))
}

/// Parses a whole JSON document.
pub fn parse(text: &str) -> Result<Value, String> {
    if let Some(pos) = text.find('\0') {
        return Err(format!("json_parse error at position {pos}: input contains an embedded NUL byte"));
    }
    let mut p = Parser { src: text.as_bytes(), pos: 0, depth: 0 };
    let v = p.value()?;
    p.skip_ws();
    if p.pos < p.src.len() {
        return Err(p.error("unexpected trailing content"));
    }
    Ok(v)
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("json_parse error at position {}: {what}", self.pos)
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `word` when it stands alone (not followed by a letter or digit).
    fn keyword(&mut self, word: &str) -> bool {
        let end = self.pos + word.len();
        let matches = self.src.get(self.pos..end) == Some(word.as_bytes())
            && !self.src.get(end).is_some_and(|b| b.is_ascii_alphanumeric());
        if matches {
            self.pos = end;
        }
        matches
    }

    fn value(&mut self) -> Result<Value, String> {
        self.skip_ws();
        match self.peek() {
            Some(b'"') => Ok(Value::str(self.string()?)),
            Some(b'{' | b'[') => {
                if self.depth >= MAX_DEPTH {
                    return Err(self.error("maximum nesting depth exceeded"));
                }
                self.depth += 1;
                let r = if self.peek() == Some(b'{') { self.object() } else { self.array() };
                self.depth -= 1;
                r
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ if self.keyword("true") => Ok(Value::TRUE),
            _ if self.keyword("false") => Ok(Value::FALSE),
            _ if self.keyword("null") => Ok(Value::NIL),
            _ => Err(self.error("unexpected character")),
        }
    }

    fn array(&mut self) -> Result<Value, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::array(items));
                }
                _ => return Err(self.error("expected ',' or ']' in array")),
            }
        }
    }

    fn object(&mut self) -> Result<Value, String> {
        self.pos += 1;
        let mut m = LatMap::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::map(m));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected string key in object"));
            }
            let key = self.string()?;
            if key.contains('\0') {
                return Err(self.error("object key contains an embedded NUL"));
            }
            if m.contains_key(&key) {
                return Err(self.error("duplicate object key"));
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after object key"));
            }
            self.pos += 1;
            let v = self.value()?;
            m.insert(&key, v);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::map(m));
                }
                _ => return Err(self.error("expected ',' or '}' in object")),
            }
        }
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Option<u32> {
        let digits = std::str::from_utf8(self.src.get(self.pos..self.pos + 4)?).ok()?;
        let v = u32::from_str_radix(digits, 16).ok()?;
        self.pos += 4;
        Some(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            match c {
                b'"' => {
                    self.pos += 1;
                    // The input is a Rust string and escapes produce valid UTF-8.
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                0..=0x1f => return Err(self.error("unescaped control character in string")),
                b'\\' => {
                    self.pos += 1;
                    let Some(esc) = self.peek() else {
                        return Err(self.error("unexpected end of string"));
                    };
                    self.pos += 1;
                    let ch = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape sequence"));
                        }
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// The character of a `\uXXXX` escape (after the `u`), joining surrogate pairs; a
    /// lone surrogate becomes U+FFFD.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let Some(hi) = self.hex4() else {
            return Err(self.error("invalid \\uXXXX escape"));
        };
        let code = match hi {
            0xD800..=0xDBFF => {
                let save = self.pos;
                if self.src.get(self.pos..self.pos + 2) == Some(b"\\u") {
                    self.pos += 2;
                    match self.hex4() {
                        Some(lo @ 0xDC00..=0xDFFF) => 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00),
                        _ => {
                            self.pos = save;
                            0xFFFD
                        }
                    }
                } else {
                    0xFFFD
                }
            }
            0xDC00..=0xDFFF => 0xFFFD,
            other => other,
        };
        Ok(char::from_u32(code).unwrap_or('\u{FFFD}'))
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            is_float = true;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number: expected digit after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            is_float = true;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number: expected digit in exponent"));
            }
        }
        let text = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or("0");
        if is_float {
            Ok(Value::float(text.parse().unwrap_or(0.0)))
        } else {
            text.parse().map(Value::int).map_err(|_| self.error("integer out of signed 64-bit range"))
        }
    }
}

/// Appends `s` as a JSON string literal.
pub fn write_json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_seq<'a>(out: &mut String, items: impl Iterator<Item = &'a Value>, depth: usize) -> VmResult<()> {
    out.push('[');
    for (i, v) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json(out, v, depth + 1)?;
    }
    out.push(']');
    Ok(())
}

fn write_json(out: &mut String, v: &Value, depth: usize) -> VmResult<()> {
    if depth > MAX_DEPTH {
        return fail("json_stringify: value is nested too deeply");
    }
    match v {
        Value::Int(n, _) => lattice_vm::display::push_int(out, *n),
        Value::Float(f, _) if f.is_finite() => out.push_str(&format_g(*f, 17)),
        Value::Float(..) | Value::Nil(_) | Value::Unit(_) => out.push_str("null"),
        Value::Bool(b, _) => out.push_str(if *b { "true" } else { "false" }),
        Value::Str(s, _) => write_json_string(out, s),
        Value::Array(items, _) | Value::Tuple(items, _) => write_seq(out, items.iter(), depth)?,
        Value::Buffer(b, _) => {
            let items: Vec<Value> = b.iter().map(|&x| Value::int(i64::from(x))).collect();
            write_seq(out, items.iter(), depth)?;
        }
        Value::Map(m, _) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, k);
                out.push(':');
                write_json(out, v, depth + 1)?;
            }
            out.push('}');
        }
        _ => return fail("json_stringify: unsupported value type"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::Value;

    #[test]
    fn parses() {
        check_calls(vec![
            (
                "json_parse",
                vec![s(r#"{"a": [1, 2.5, true, null, "x\ny\u00e9"], "b": {"c": -3e2}}"#)],
                "{\"b\": {\"c\": -300}, \"a\": [1, 2.5, true, nil, x\nyé]}",
            ),
            ("json_parse", vec![s(" 123 ")], "123"),
            ("json_parse", vec![s("\"\\ud83d\\ude00\"")], "\"😀\""),
            ("json_parse", vec![s("\"\\ud800x\"")], "\"\u{FFFD}x\""),
            (
                "json_parse",
                vec![s("{bad")],
                "error: json_parse error at position 1: expected string key in object",
            ),
            ("json_parse", vec![s("[1,]")], "error: json_parse error at position 3: unexpected character"),
            ("json_parse", vec![s("")], "error: json_parse error at position 0: unexpected character"),
            (
                "json_parse",
                vec![s("1 2")],
                "error: json_parse error at position 2: unexpected trailing content",
            ),
            (
                "json_parse",
                vec![s("12345678901234567890")],
                "error: json_parse error at position 20: integer out of signed 64-bit range",
            ),
            (
                "json_parse",
                vec![s("[1.]")],
                "error: json_parse error at position 3: invalid number: expected digit after '.'",
            ),
            (
                "json_parse",
                vec![s("{\"a\":1,\"a\":2}")],
                "error: json_parse error at position 10: duplicate object key",
            ),
            ("json_parse", vec![s("\"abc")], "error: json_parse error at position 4: unterminated string"),
            (
                "json_parse",
                vec![s("\"\\q\"")],
                "error: json_parse error at position 2: invalid escape sequence",
            ),
            (
                "json_parse",
                vec![s(&"[".repeat(2000))],
                "error: json_parse error at position 1000: maximum nesting depth exceeded",
            ),
            ("json_parse", vec![s("truex")], "error: json_parse error at position 0: unexpected character"),
            ("json_parse", vec![i(5)], "error: json_parse: expected (str: Str)"),
        ]);
    }

    #[test]
    fn stringifies() {
        check_calls(vec![
            (
                "json_stringify",
                vec![arr(vec![i(1), f(2.0), f(0.1), f(1e20), s("q\"\\\t")])],
                r#""[1,2,0.10000000000000001,1e+20,"q\"\\\t"]""#,
            ),
            ("json_stringify", vec![Value::NIL], "\"null\""),
            ("json_stringify", vec![f(f64::NAN)], "\"null\""),
            ("json_stringify", vec![s("é\u{1}")], r#"""é\u0001"""#),
            ("json_stringify", vec![Value::tuple(vec![i(1), Value::TRUE])], "\"[1,true]\""),
            ("json_stringify", vec![Value::range(0, 2)], "error: json_stringify: unsupported value type"),
        ]);
    }

    #[test]
    fn round_trips() {
        let mut vm = vm();
        let text = r#"{"name":"x","list":[1,2.5,{"k":null}],"ok":false}"#;
        let v = call(&mut vm, "json_parse", vec![s(text)]).unwrap();
        let back = call(&mut vm, "json_stringify", vec![v.clone()]).unwrap();
        let again = call(&mut vm, "json_parse", vec![back]).unwrap();
        assert!(lattice_vm::compare::values_equal(&v, &again));
    }
}
