//! YAML: `yaml_parse(text)` and `yaml_stringify(value)`, also reachable as
//! `import "yaml"` (`parse`, `stringify`).
//!
//! Parsing uses the `yaml-rust2` event parser and builds values from its events, so
//! that scalars are typed as the reference types them: a plain (unquoted) scalar is a
//! Bool for `true`/`false` and also `yes`/`no` in their three casings, nil for `null`,
//! `~` or nothing, an Int for decimal (or `0x`/`0o`) digits, a Float for a decimal
//! number with a fraction or exponent (and `.inf`, `.nan`), and a String otherwise.
//! Quoted and block scalars, and those tagged `!!str`, stay Strings. Mappings become
//! Maps (a scalar key becomes its text), sequences Arrays; anchors and aliases are
//! resolved by copying. Only the first document of a stream is read; an empty one is
//! nil. Malformed input is a catchable error `yaml_parse error at line L, column C:
//! what`.
//!
//! Stringifying writes block style with two-space indentation: `key: value` lines,
//! `- item` lines, nested collections on the following lines, `[]` and `{}` for
//! empty ones. Strings that would read back as something else (numbers, `yes`,
//! text with `: ` or leading spaces...) are double-quoted. Floats are written so they
//! read back as the same Float. The top value must be a Map or an Array.

use crate::args::{arg, fail};
use lattice_vm::{LatMap, Value, Vm, VmResult};
use std::collections::HashMap;
use std::fmt::Write;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

pub fn install(vm: &mut Vm) {
    vm.register_native("yaml_parse", yaml_parse);
    vm.register_native("yaml_stringify", yaml_stringify);
}

pub const MODULE: &[(&str, &str)] = &[("parse", "yaml_parse"), ("stringify", "yaml_stringify")];

/// Deepest nesting either direction accepts.
const MAX_DEPTH: usize = 1000;
/// Most values a document may expand to through aliases (guards "billion laughs").
const MAX_NODES: usize = 1 << 22;

fn yaml_parse(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(text, _) = arg(args, 0) else {
        return fail("yaml_parse() expects (String)");
    };
    parse(text).map_err(Into::into)
}

fn yaml_stringify(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if args.len() != 1 {
        return fail("yaml_stringify: expected 1 argument");
    }
    let v = arg(args, 0);
    if !matches!(v, Value::Map(..) | Value::Array(..)) {
        return fail("yaml_stringify: value must be a Map or Array");
    }
    let mut out = String::new();
    if is_empty_collection(v) {
        write_scalar(&mut out, v)?;
        out.push('\n');
    } else {
        write_block(&mut out, v, 0, 0)?;
    }
    Ok(Value::str(out))
}

/// Parses the first document of `text`.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, false) {
        let m = e.marker();
        return Err(format!("yaml_parse error at line {}, column {}: {}", m.line(), m.col() + 1, e.info()));
    }
    if let Some((msg, m)) = builder.error {
        return Err(format!("yaml_parse error at line {}, column {}: {msg}", m.line(), m.col() + 1));
    }
    Ok(builder.root.unwrap_or(Value::NIL))
}

/// A collection being built, with its anchor id (0 for none).
enum Open {
    Seq(Vec<Value>, usize),
    Map(LatMap, Option<String>, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Value>,
    root: Option<Value>,
    error: Option<(String, Marker)>,
    nodes: usize,
}

impl Builder {
    fn fail(&mut self, msg: &str, mark: Marker) {
        if self.error.is_none() {
            self.error = Some((msg.to_string(), mark));
        }
    }

    /// Places a finished value into the open collection, or makes it the document.
    fn complete(&mut self, v: Value, anchor: usize, mark: Marker) {
        if anchor > 0 {
            self.anchors.insert(anchor, v.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(v);
                }
            }
            Some(Open::Seq(items, _)) => items.push(v),
            Some(Open::Map(m, key, _)) => match key.take() {
                Some(k) => {
                    m.insert(&k, v);
                }
                None => match key_text(&v) {
                    Some(k) => *key = Some(k),
                    None => self.fail("mapping keys must be scalars", mark),
                },
            },
        }
    }

    fn open(&mut self, c: Open, mark: Marker) {
        if self.stack.len() >= MAX_DEPTH {
            self.fail("maximum nesting depth exceeded", mark);
        }
        self.stack.push(c);
    }
}

/// The text a scalar key stands for (`1: a` has key "1").
fn key_text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s, _) => Some(s.to_string()),
        Value::Nil(_) => Some("null".to_string()),
        Value::Int(..) | Value::Float(..) | Value::Bool(..) => Some(lattice_vm::display::to_display(v)),
        _ => None,
    }
}

/// Counts the values an alias copy adds.
fn size_of(v: &Value) -> usize {
    match v {
        Value::Array(items, _) => 1 + items.iter().map(size_of).sum::<usize>(),
        Value::Map(m, _) => 1 + m.values().map(size_of).sum::<usize>(),
        _ => 1,
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() || (self.root.is_some() && self.stack.is_empty()) {
            return;
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            self.fail("document is too large", mark);
            return;
        }
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let forced_str = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let v = if style == TScalarStyle::Plain && !forced_str {
                    resolve_plain(&text)
                } else {
                    Value::str(text)
                };
                self.complete(v, anchor, mark);
            }
            Event::SequenceStart(anchor, _) => self.open(Open::Seq(Vec::new(), anchor), mark),
            Event::MappingStart(anchor, _) => self.open(Open::Map(LatMap::new(), None, anchor), mark),
            Event::SequenceEnd | Event::MappingEnd => {
                let (v, anchor) = match self.stack.pop() {
                    Some(Open::Seq(items, a)) => (Value::array(items), a),
                    Some(Open::Map(m, _, a)) => (Value::map(m), a),
                    None => return,
                };
                self.complete(v, anchor, mark);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(v) => {
                    self.nodes += size_of(&v);
                    if self.nodes > MAX_NODES {
                        self.fail("document is too large", mark);
                        return;
                    }
                    self.complete(v, 0, mark);
                }
                None => self.fail("unknown anchor", mark),
            },
            _ => {}
        }
    }
}

/// The value of an unquoted scalar.
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::NIL,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" => return Value::TRUE,
        "false" | "False" | "FALSE" | "no" | "No" | "NO" => return Value::FALSE,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::float(f64::NAN),
        _ => {}
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = s.parse::<i64>() {
            return Value::int(n);
        }
        return Value::float(s.parse().unwrap_or(0.0));
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(digits) = s.strip_prefix(prefix) {
            if let Ok(n) = i64::from_str_radix(digits, radix) {
                return Value::int(n);
            }
        }
    }
    if looks_like_float(s) {
        if let Ok(f) = s.parse::<f64>() {
            return Value::float(f);
        }
    }
    Value::str(s)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, the YAML 1.2 float form.
fn looks_like_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let mut digits = i - int_start;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp_start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

fn is_empty_collection(v: &Value) -> bool {
    match v {
        Value::Array(items, _) | Value::Tuple(items, _) => items.is_empty(),
        Value::Map(m, _) => m.is_empty(),
        _ => false,
    }
}

fn is_collection(v: &Value) -> bool {
    matches!(v, Value::Array(..) | Value::Tuple(..) | Value::Map(..))
}

/// Whether `s` must be quoted to read back as the same String.
fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.starts_with(' ') || s.ends_with(' ') {
        return true;
    }
    if !matches!(resolve_plain(s), Value::Str(..)) {
        return true;
    }
    let first = s.as_bytes()[0];
    if b"-?:,[]{}#&*!|>'\"%@`".contains(&first) {
        return true;
    }
    s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars()
            .any(|c| c.is_control() || c == '\u{feff}' || c == '\u{85}' || c == '\u{2028}' || c == '\u{2029}')
}

fn write_string(out: &mut String, s: &str) {
    if !needs_quotes(s) {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A scalar, or an empty collection, on the current line.
fn write_scalar(out: &mut String, v: &Value) -> VmResult<()> {
    match v {
        Value::Str(s, _) => write_string(out, s),
        Value::Int(n, _) => lattice_vm::display::push_int(out, *n),
        Value::Float(f, _) => out.push_str(&crate::toml::float_text(*f, ".nan", ".inf")),
        Value::Bool(b, _) => out.push_str(if *b { "true" } else { "false" }),
        Value::Nil(_) | Value::Unit(_) => out.push_str("null"),
        Value::Array(..) | Value::Tuple(..) => out.push_str("[]"),
        Value::Map(..) => out.push_str("{}"),
        other => return fail(format!("yaml_stringify: cannot represent a {} in YAML", other.type_name())),
    }
    Ok(())
}

/// Writes the non-empty collection `v` as lines indented by `indent` spaces.
fn write_block(out: &mut String, v: &Value, indent: usize, depth: usize) -> VmResult<()> {
    if depth > MAX_DEPTH {
        return fail("yaml_stringify: value is nested too deeply");
    }
    let pad = " ".repeat(indent);
    match v {
        Value::Array(items, _) | Value::Tuple(items, _) => {
            for item in items.iter() {
                out.push_str(&pad);
                out.push('-');
                if is_collection(item) && !is_empty_collection(item) {
                    // The item's first line shares the dash's line: `- a: 1`.
                    let mut inner = String::new();
                    write_block(&mut inner, item, indent + 2, depth + 1)?;
                    out.push(' ');
                    out.push_str(&inner[indent + 2..]);
                } else {
                    out.push(' ');
                    write_scalar(out, item)?;
                    out.push('\n');
                }
            }
        }
        Value::Map(m, _) => {
            for (k, item) in m.iter() {
                out.push_str(&pad);
                write_string(out, k);
                out.push(':');
                if is_collection(item) && !is_empty_collection(item) {
                    out.push('\n');
                    write_block(out, item, indent + 2, depth + 1)?;
                } else {
                    out.push(' ');
                    write_scalar(out, item)?;
                    out.push('\n');
                }
            }
        }
        other => write_scalar(out, other)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::Value;

    #[test]
    fn parses_and_types_scalars() {
        check_calls(vec![
            ("yaml_parse", vec![s("name: John\nage: 30")], "{\"name\": John, \"age\": 30}"),
            ("yaml_parse", vec![s("- apple\n- banana")], "[apple, banana]"),
            ("yaml_parse", vec![s("[1, 2, 3]")], "[1, 2, 3]"),
            (
                "yaml_parse",
                vec![s("server:\n  host: localhost\n  port: 8080")],
                "{\"server\": {\"port\": 8080, \"host\": localhost}}",
            ),
            (
                "yaml_parse",
                vec![s("[yes, No, ~, null, '1', 1.5, 1e3, 0x10, .inf, -7, +3, \"true\", 1.2.3, !!str 5, ]")],
                "[true, false, nil, nil, 1, 1.5, 1000, 16, inf, -7, 3, true, 1.2.3, 5]",
            ),
            ("yaml_parse", vec![s("a:\nb: |\n  x\n  y\n")], "{\"b\": x\ny\n, \"a\": nil}"),
            (
                "yaml_parse",
                vec![s("base: &b {x: 1}\ncopy: *b")],
                "{\"copy\": {\"x\": 1}, \"base\": {\"x\": 1}}",
            ),
            ("yaml_parse", vec![s("1: one\ntrue: t")], "{\"true\": t, \"1\": one}"),
            ("yaml_parse", vec![s("")], "nil"),
            ("yaml_parse", vec![s("42")], "42"),
            ("yaml_parse", vec![s("--- a\n--- b\n")], "\"a\""),
        ]);
    }

    #[test]
    fn malformed_input_is_an_error() {
        let mut vm = vm();
        for bad in ["a: [1, 2", "a: 1\n  b: 2\n c", "{a: 1", "a: *nope", "? [1]\n: x", "\"open"] {
            let r = show(call(&mut vm, "yaml_parse", vec![s(bad)]));
            assert!(r.starts_with("error: yaml_parse error at line "), "{bad:?}: {r}");
        }
        let deep = "[".repeat(5000);
        let r = show(call(&mut vm, "yaml_parse", vec![s(&deep)]));
        assert!(r.starts_with("error: yaml_parse error"), "{r}");
        let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n".to_string()
            + &(b'b'..=b'h')
                .map(|c| {
                    let p = (c - 1) as char;
                    let c = c as char;
                    format!("{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n")
                })
                .collect::<String>();
        let r = show(call(&mut vm, "yaml_parse", vec![s(&laughs)]));
        assert!(r.ends_with("document is too large"), "{r}");
        check_calls(vec![
            ("yaml_parse", vec![i(123)], "error: yaml_parse() expects (String)"),
            ("yaml_stringify", vec![i(123)], "error: yaml_stringify: value must be a Map or Array"),
            ("yaml_stringify", vec![], "error: yaml_stringify: expected 1 argument"),
            (
                "yaml_stringify",
                vec![arr(vec![Value::range(0, 1)])],
                "error: yaml_stringify: cannot represent a Range in YAML",
            ),
        ]);
    }

    #[test]
    fn stringifies_block_style_and_round_trips() {
        let inner = map(vec![("a", i(1)), ("b", arr(vec![]))]);
        let doc = map(vec![
            ("name", s("Alice")),
            ("q", s("yes")),
            ("num", s("12")),
            ("colon", s("a: b")),
            ("f", f(2.0)),
            ("list", arr(vec![i(1), s("two"), Value::NIL, Value::TRUE])),
            ("inner", inner.clone()),
            ("objs", arr(vec![inner.clone(), arr(vec![i(1), i(2)])])),
            ("empty", map(vec![])),
            ("multi", s("x\ny")),
        ]);
        let mut vm = vm();
        let text = call(&mut vm, "yaml_stringify", vec![doc.clone()]).unwrap();
        let Value::Str(t, _) = &text else { panic!() };
        for line in [
            "name: Alice\n",
            "q: \"yes\"\n",
            "num: \"12\"\n",
            "colon: \"a: b\"\n",
            "f: 2.0\n",
            "list:\n  - 1\n  - two\n  - null\n  - true\n",
            "empty: {}\n",
            "multi: \"x\\ny\"\n",
        ] {
            assert!(t.contains(line), "{line:?} in {t}");
        }
        assert!(t.contains("objs:\n  - ") && t.contains("  - - 1\n    - 2\n"), "{t}");
        let back = call(&mut vm, "yaml_parse", vec![text]).unwrap();
        assert!(lattice_vm::compare::values_equal(&back, &doc), "{}", lattice_vm::display::repr(&back));
        check_calls(vec![
            ("yaml_stringify", vec![arr(vec![])], "\"[]\n\""),
            ("yaml_stringify", vec![ints(&[1, 2])], "\"- 1\n- 2\n\""),
        ]);
    }
}
