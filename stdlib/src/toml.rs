//! TOML: `toml_parse(text)` into a Map and `toml_stringify(map)` back, also reachable
//! as `import "toml"` (`parse`, `stringify`).
//!
//! Parsing follows TOML 1.0 through the `toml` crate: tables become Maps, arrays
//! Arrays, integers Ints, floats Floats; date-times, which Lattice has no type for,
//! become their text (`1979-05-27T07:32:00Z`). A malformed document is a catchable
//! error reading `toml_parse error at position N: what`, N a byte offset.
//!
//! Stringifying writes plain `key = value` lines first, then each sub-Map as a
//! `[table]` section and each non-empty Array of Maps as `[[array]]` sections, keys
//! dotted from the root, as the reference lays it out. Maps inside other arrays become
//! inline tables. Keys are bare when they can be, quoted otherwise. Floats are written
//! so that they read back as the same Float (`2.0`, not `2`); `nil` becomes `""`
//! as in the reference, since TOML has no null. Values TOML cannot hold (functions,
//! channels...) are errors.

use crate::args::{arg, fail};
use lattice_vm::{LatMap, Value, Vm, VmResult};
use std::fmt::Write;

pub fn install(vm: &mut Vm) {
    vm.register_native("toml_parse", toml_parse);
    vm.register_native("toml_stringify", toml_stringify);
}

pub const MODULE: &[(&str, &str)] = &[("parse", "toml_parse"), ("stringify", "toml_stringify")];

/// Deepest nesting `toml_stringify` writes.
const MAX_DEPTH: usize = 1000;

fn toml_parse(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(text, _) = arg(args, 0) else {
        return fail("toml_parse() expects (String)");
    };
    parse(text).map_err(Into::into)
}

fn toml_stringify(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if args.len() != 1 {
        return fail("toml_stringify: expected 1 argument");
    }
    let Value::Map(m, _) = arg(args, 0) else {
        return fail("toml_stringify: value must be a Map");
    };
    let mut out = String::new();
    write_table(&mut out, m, "", 0)?;
    Ok(Value::str(out))
}

/// Parses a whole TOML document into a Map.
pub fn parse(text: &str) -> Result<Value, String> {
    match text.parse::<toml::Table>() {
        Ok(table) => Ok(from_table(&table)),
        Err(e) => {
            let pos = e.span().map_or(0, |s| s.start);
            let what = e.message().trim_end().replace('\n', "; ");
            Err(format!("toml_parse error at position {pos}: {what}"))
        }
    }
}

fn from_table(table: &toml::Table) -> Value {
    let mut m = LatMap::new();
    for (k, v) in table {
        m.insert(k, from_toml(v));
    }
    Value::map(m)
}

fn from_toml(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::str(s.as_str()),
        toml::Value::Integer(n) => Value::int(*n),
        toml::Value::Float(f) => Value::float(*f),
        toml::Value::Boolean(b) => Value::bool(*b),
        toml::Value::Datetime(d) => Value::str(d.to_string()),
        toml::Value::Array(items) => Value::array(items.iter().map(from_toml).collect()),
        toml::Value::Table(t) => from_table(t),
    }
}

/// A key as TOML writes it: bare when made of letters, digits, `_` and `-`.
fn write_key(out: &mut String, key: &str) {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        out.push_str(key);
    } else {
        write_string(out, key);
    }
}

/// A basic (double-quoted) string with TOML escapes.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A Float in a form that reads back as the same Float.
pub(crate) fn float_text(f: f64, nan: &str, inf: &str) -> String {
    if f.is_nan() {
        nan.to_string()
    } else if f.is_infinite() {
        if f > 0.0 {
            inf.to_string()
        } else {
            format!("-{inf}")
        }
    } else {
        // Debug prints the shortest text that reads back exactly, with `.0` when whole.
        format!("{f:?}")
    }
}

/// An Array whose elements are all Maps is written as `[[name]]` sections.
fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::Array(items, _) if !items.is_empty() && items.iter().all(|x| matches!(x, Value::Map(..))))
}

fn write_value(out: &mut String, v: &Value, depth: usize) -> VmResult<()> {
    if depth > MAX_DEPTH {
        return fail("toml_stringify: value is nested too deeply");
    }
    match v {
        Value::Str(s, _) => write_string(out, s),
        Value::Int(n, _) => lattice_vm::display::push_int(out, *n),
        Value::Float(f, _) => out.push_str(&float_text(*f, "nan", "inf")),
        Value::Bool(b, _) => out.push_str(if *b { "true" } else { "false" }),
        Value::Nil(_) | Value::Unit(_) => out.push_str("\"\""),
        Value::Array(items, _) | Value::Tuple(items, _) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, x, depth + 1)?;
            }
            out.push(']');
        }
        Value::Map(m, _) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_key(out, k);
                out.push_str(" = ");
                write_value(out, x, depth + 1)?;
            }
            out.push('}');
        }
        other => return fail(format!("toml_stringify: cannot represent a {} in TOML", other.type_name())),
    }
    Ok(())
}

/// Writes the entries of table `m`, whose dotted name is `prefix` ("" for the root).
fn write_table(out: &mut String, m: &LatMap, prefix: &str, depth: usize) -> VmResult<()> {
    if depth > MAX_DEPTH {
        return fail("toml_stringify: value is nested too deeply");
    }
    for (k, v) in m.iter() {
        if matches!(v, Value::Map(..)) || is_table_array(v) {
            continue;
        }
        write_key(out, k);
        out.push_str(" = ");
        write_value(out, v, depth + 1)?;
        out.push('\n');
    }
    for (k, v) in m.iter() {
        let mut name = String::from(prefix);
        if !prefix.is_empty() {
            name.push('.');
        }
        write_key(&mut name, k);
        match v {
            Value::Map(sub, _) => {
                let _ = write!(out, "\n[{name}]\n");
                write_table(out, sub, &name, depth + 1)?;
            }
            Value::Array(items, _) if is_table_array(v) => {
                for item in items.iter() {
                    if let Value::Map(sub, _) = item {
                        let _ = write!(out, "\n[[{name}]]\n");
                        write_table(out, sub, &name, depth + 1)?;
                    }
                }
            }
            _ => {}
        }
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
            ("toml_parse", vec![s("title = \"Test\"\ncount = 42")], "{\"count\": 42, \"title\": Test}"),
            (
                "toml_parse",
                vec![s("[server]\nhost = 'localhost'\nport = 8_080\nratio = 0.5\non = true")],
                "{\"server\": {\"on\": true, \"ratio\": 0.5, \"port\": 8080, \"host\": localhost}}",
            ),
            ("toml_parse", vec![s("[[d]]\nk = 1\n[[d]]\nk = 2\n")], "{\"d\": [{\"k\": 1}, {\"k\": 2}]}"),
            ("toml_parse", vec![s("a.b = [1, \"x\"] # note")], "{\"a\": {\"b\": [1, x]}}"),
            ("toml_parse", vec![s("when = 1979-05-27T07:32:00Z")], "{\"when\": 1979-05-27T07:32:00Z}"),
            ("toml_parse", vec![s("")], "{}"),
        ]);
    }

    #[test]
    fn malformed_input_is_an_error() {
        let mut vm = vm();
        for bad in ["a = ", "a = 1\na = 2", "[t\nx = 1", "x = \"open", "= 3", "a = [1, 2"] {
            let r = show(call(&mut vm, "toml_parse", vec![s(bad)]));
            assert!(r.starts_with("error: toml_parse error at position "), "{bad:?}: {r}");
        }
        check_calls(vec![
            ("toml_parse", vec![i(123)], "error: toml_parse() expects (String)"),
            ("toml_stringify", vec![i(123)], "error: toml_stringify: value must be a Map"),
            ("toml_stringify", vec![], "error: toml_stringify: expected 1 argument"),
            (
                "toml_stringify",
                vec![map(vec![("r", Value::range(0, 2))])],
                "error: toml_stringify: cannot represent a Range in TOML",
            ),
        ]);
    }

    #[test]
    fn stringifies_in_sections() {
        let inner = map(vec![("a", i(1))]);
        let doc = map(vec![
            ("name", s("Al \"x\"")),
            ("f", f(2.0)),
            ("list", arr(vec![i(1), s("two"), Value::NIL])),
            ("inner", inner.clone()),
            ("objs", arr(vec![inner.clone(), inner])),
            ("odd key", Value::TRUE),
        ]);
        let mut vm = vm();
        let text = call(&mut vm, "toml_stringify", vec![doc.clone()]).unwrap();
        let Value::Str(t, _) = &text else { panic!() };
        for line in [
            "name = \"Al \\\"x\\\"\"\n",
            "f = 2.0\n",
            "list = [1, \"two\", \"\"]\n",
            "\"odd key\" = true\n",
            "\n[inner]\na = 1\n",
            "\n[[objs]]\na = 1\n\n[[objs]]\na = 1\n",
        ] {
            assert!(t.contains(line), "{line:?} in {t}");
        }
        let back = call(&mut vm, "toml_parse", vec![text]).unwrap();
        let Value::Map(m, _) = &back else { panic!() };
        assert_eq!(m.len(), 6);
        let list = m.get("list").unwrap();
        assert!(lattice_vm::compare::values_equal(list, &arr(vec![i(1), s("two"), s("")])));
        assert!(matches!(m.get("f"), Some(Value::Float(x, _)) if *x == 2.0));
        assert!(lattice_vm::compare::values_equal(
            m.get("objs").unwrap(),
            &arr(vec![map(vec![("a", i(1))]); 2])
        ));
    }
}
