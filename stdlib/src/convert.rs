//! Conversions between scalar types: `to_int`, `to_float`, `parse_int`, `parse_float`,
//! `ord`, `chr`, `float_to_bits`, `bits_to_float`.
//!
//! `to_*` raise an error on a value they cannot convert; `parse_*` return nil instead,
//! as in the reference. Text is read the way C's `strtoll`/`strtod` read it: leading
//! whitespace is skipped, and `to_*` also allow trailing whitespace.

use crate::args::{arg, fail};
use lattice_vm::{Value, Vm, VmResult};

pub fn install(vm: &mut Vm) {
    vm.register_native("to_int", to_int);
    vm.register_native("to_float", to_float);
    vm.register_native("parse_int", parse_int);
    vm.register_native("parse_float", parse_float);
    vm.register_native("ord", ord);
    vm.register_native("chr", chr);
    vm.register_native("float_to_bits", float_to_bits);
    vm.register_native("bits_to_float", bits_to_float);
}

/// Whether `f` truncates to a value inside the Int range (NaN and infinities do not).
pub fn fits_int(f: f64) -> bool {
    f.is_finite() && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
}

/// Parses a decimal integer with an optional sign, after leading whitespace.
pub fn parse_int_text(text: &str) -> Option<i64> {
    let t = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `i64::from_str` takes the sign and rejects overflow, as strtoll's ERANGE does.
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

/// Parses a float as strtod does for the forms programs use: decimal with optional
/// exponent, `inf`/`infinity`/`nan` in any case, after leading whitespace.
pub fn parse_float_text(text: &str) -> Option<f64> {
    let t = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    if t.is_empty() || t.contains(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    t.parse().ok()
}

fn to_int(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Int(n, _) => Ok(Value::int(*n)),
        Value::Float(f, _) if fits_int(*f) => Ok(Value::int(*f as i64)),
        Value::Float(..) => fail("to_int(): Float value out of Int range"),
        Value::Bool(b, _) => Ok(Value::int(i64::from(*b))),
        Value::Str(s, _) => match parse_int_text(s.trim_end_matches(|c: char| c.is_ascii_whitespace())) {
            Some(n) => Ok(Value::int(n)),
            None => fail("to_int(): invalid string"),
        },
        _ => fail("to_int(): cannot convert this type to Int"),
    }
}

fn to_float(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Int(n, _) => Ok(Value::float(*n as f64)),
        Value::Float(f, _) => Ok(Value::float(*f)),
        Value::Bool(b, _) => Ok(Value::float(if *b { 1.0 } else { 0.0 })),
        Value::Str(s, _) => match parse_float_text(s.trim_end_matches(|c: char| c.is_ascii_whitespace())) {
            Some(f) => Ok(Value::float(f)),
            None => fail("to_float(): invalid string"),
        },
        _ => fail("to_float(): cannot convert this type to Float"),
    }
}

fn parse_int(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(match arg(args, 0) {
        Value::Str(s, _) => parse_int_text(s).map_or(Value::NIL, Value::int),
        _ => Value::NIL,
    })
}

fn parse_float(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(match arg(args, 0) {
        Value::Str(s, _) => parse_float_text(s).map_or(Value::NIL, Value::float),
        _ => Value::NIL,
    })
}

/// `ord(s)`: the code point of the first character, -1 for an empty string or a
/// non-String.
fn ord(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let code = match arg(args, 0) {
        Value::Str(s, _) => s.chars().next().map_or(-1, |c| c as i64),
        _ => -1,
    };
    Ok(Value::int(code))
}

/// `chr(n)`: the one-character string of code point `n`; "" when `n` is not one.
fn chr(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let text = match arg(args, 0) {
        Value::Int(n, _) => u32::try_from(*n).ok().and_then(char::from_u32).map(String::from),
        _ => None,
    };
    Ok(Value::str(text.unwrap_or_default()))
}

fn float_to_bits(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Float(f, _) => Ok(Value::int(f.to_bits() as i64)),
        Value::Int(n, _) => Ok(Value::int((*n as f64).to_bits() as i64)),
        other => fail(format!("float_to_bits() expects a Float, got {}", other.type_name())),
    }
}

fn bits_to_float(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Int(n, _) => Ok(Value::float(f64::from_bits(*n as u64))),
        other => fail(format!("bits_to_float() expects an Int, got {}", other.type_name())),
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::Value;

    #[test]
    fn conversions() {
        check_calls(vec![
            ("to_int", vec![f(3.9)], "3"),
            ("to_int", vec![f(-3.9)], "-3"),
            ("to_int", vec![f(f64::NAN)], "error: to_int(): Float value out of Int range"),
            ("to_int", vec![f(1e30)], "error: to_int(): Float value out of Int range"),
            ("to_int", vec![Value::TRUE], "1"),
            ("to_int", vec![s(" 42 ")], "42"),
            ("to_int", vec![s("-7")], "-7"),
            ("to_int", vec![s("12abc")], "error: to_int(): invalid string"),
            ("to_int", vec![s("")], "error: to_int(): invalid string"),
            ("to_int", vec![s("99999999999999999999")], "error: to_int(): invalid string"),
            ("to_int", vec![Value::NIL], "error: to_int(): cannot convert this type to Int"),
            ("to_float", vec![i(2)], "2"),
            ("to_float", vec![s("2.5")], "2.5"),
            ("to_float", vec![s("abc")], "error: to_float(): invalid string"),
            ("parse_int", vec![s("123")], "123"),
            ("parse_int", vec![s("+5")], "5"),
            ("parse_int", vec![s("12 ")], "nil"),
            ("parse_int", vec![s("x")], "nil"),
            ("parse_int", vec![i(3)], "nil"),
            ("parse_float", vec![s("1.25")], "1.25"),
            ("parse_float", vec![s("1e3")], "1000"),
            ("parse_float", vec![s("nope")], "nil"),
            ("ord", vec![s("A")], "65"),
            ("ord", vec![s("é")], "233"),
            ("ord", vec![s("")], "-1"),
            ("chr", vec![i(97)], "\"a\""),
            ("chr", vec![i(-1)], "\"\""),
            ("chr", vec![i(0x11_0000)], "\"\""),
            ("bits_to_float", vec![i(4607182418800017408)], "1"),
            ("float_to_bits", vec![f(1.0)], "4607182418800017408"),
        ]);
    }
}
