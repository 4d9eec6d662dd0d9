//! How values print: `print`, `to_string`, interpolation and `repr`.
//!
//! The formats follow the reference implementation because programs compare its output:
//! floats print like C's `%g` (six significant digits), strings print raw even inside
//! containers, map keys are quoted, structs print as `Name { field: value }`. `repr`
//! differs only at the top level, where it quotes a string. A struct's custom `repr`
//! closure field is honoured by the VM, which can call closures; this module cannot.

use crate::value::Value;
use std::fmt::Write;

/// The text `print` and `to_string` produce.
pub fn to_display(v: &Value) -> String {
    match v {
        Value::Str(s, _) => s.to_string(),
        Value::Int(n, _) => {
            let mut out = String::with_capacity(20);
            push_int(&mut out, *n);
            out
        }
        _ => {
            let mut out = String::new();
            write_value(&mut out, v, 0);
            out
        }
    }
}

/// Appends the decimal digits of `n`: `to_string(i)` and map keys made from numbers are
/// hot enough that going through `fmt` (padding logic, dynamic dispatch) shows up.
pub fn push_int(out: &mut String, n: i64) {
    // Two digits per division, from a table of "00".."99".
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut m = n.unsigned_abs();
    while m >= 100 {
        let pair = (m % 100) as usize * 2;
        m /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if m >= 10 {
        let pair = m as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + m as u8;
    }
    if n < 0 {
        out.push('-');
    }
    // SAFETY: `buf[i..]` holds ASCII digits only.
    out.push_str(unsafe { std::str::from_utf8_unchecked(&buf[i..]) });
}

/// The text `repr` produces (strings quoted at the top level).
pub fn repr(v: &Value) -> String {
    match v {
        Value::Str(s, _) => format!("\"{s}\""),
        _ => to_display(v),
    }
}

/// Depth beyond which nested containers print as `...`, so a pathological value cannot
/// overflow the Rust stack while printing.
const MAX_DEPTH: usize = 200;

pub fn write_value(out: &mut String, v: &Value, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        Value::Nil(_) => out.push_str("nil"),
        Value::Unit(_) => out.push_str("()"),
        Value::Bool(b, _) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n, _) => push_int(out, *n),
        Value::Float(f, _) => out.push_str(&format_float(*f)),
        Value::Str(s, _) => out.push_str(s),
        Value::Array(items, _) => write_seq(out, "[", items, "]", depth),
        Value::Tuple(items, _) if items.len() == 1 => write_seq(out, "(", items, ",)", depth),
        Value::Tuple(items, _) => write_seq(out, "(", items, ")", depth),
        Value::Map(m, _) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "\"{k}\": ");
                write_value(out, v, depth + 1);
            }
            out.push('}');
        }
        Value::Set(m, _) => {
            out.push_str("Set{");
            for (i, v) in m.values().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, v, depth + 1);
            }
            out.push('}');
        }
        Value::Struct(s, _) => {
            out.push_str(&s.def.name);
            out.push_str(" { ");
            for (i, (name, v)) in s.def.fields.iter().zip(&s.fields).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(name);
                out.push_str(": ");
                write_value(out, v, depth + 1);
            }
            out.push_str(" }");
        }
        Value::Enum(e, _) => {
            let _ = write!(out, "{}::{}", e.enum_name, e.variant);
            if !e.payload.is_empty() {
                write_seq(out, "(", &e.payload, ")", depth);
            }
        }
        Value::Range(r, _) => {
            let _ = write!(out, "{}..{}", r.0, r.1);
        }
        Value::Closure(..) | Value::Native(..) => out.push_str("<closure||>"),
        Value::Iterator(..) => out.push_str("<Iterator>"),
        Value::Channel(..) => out.push_str("<Channel>"),
        Value::Buffer(b, _) => {
            let _ = write!(out, "Buffer<{} bytes:", b.len());
            for byte in b.iter().take(16) {
                let _ = write!(out, " {byte:02x}");
            }
            if b.len() > 16 {
                out.push_str(" ...");
            }
            out.push('>');
        }
        Value::Ref(c, _) => match c.lock() {
            Ok(inner) => {
                let _ = write!(out, "Ref<{}>", inner.type_name());
            }
            Err(_) => out.push_str("Ref<?>"),
        },
        Value::Cell(c) => match c.lock() {
            Ok(inner) => write_value(out, &inner, depth + 1),
            Err(_) => out.push_str("<cell>"),
        },
        Value::Undef => out.push_str("<undefined>"),
    }
}

fn write_seq(out: &mut String, open: &str, items: &[Value], close: &str, depth: usize) {
    out.push_str(open);
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(out, v, depth + 1);
    }
    out.push_str(close);
}

/// Formats like C's `printf("%g")`: six significant digits, trailing zeros removed,
/// exponent form below 1e-4 or from 1e6 on.
pub fn format_float(f: f64) -> String {
    if f.is_nan() && f.is_sign_negative() {
        return "-nan".into();
    }
    format_g(f, 6)
}

/// `f` as `printf("%.{precision}g", f)` prints it: `precision` significant digits,
/// trailing zeros removed, exponent form below 1e-4 or from 10^precision on. The
/// serializers use it with 17 digits, enough to read back the same double.
pub fn format_g(f: f64, precision: usize) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let p = precision.max(1) as i32;
    // Round to p significant digits first, then read the exponent of the rounded value.
    let sci = format!("{:.*e}", (p - 1) as usize, f);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..p).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim_zeros(mantissa), exp.abs())
    } else {
        let decimals = (p - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{f:.decimals$}")).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_print_like_fmt() {
        for n in [0, 7, -7, 10, 99, 100, -100, 1005, 98765, 123456789, i64::MAX, i64::MIN] {
            let mut s = String::new();
            push_int(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn seventeen_digits() {
        let cases = [
            (2.0, "2"),
            (0.1, "0.10000000000000001"),
            (1e20, "1e+20"),
            (-300.0, "-300"),
            (2.5, "2.5"),
            (1.0 / 3.0, "0.33333333333333331"),
            (1e-7, "9.9999999999999995e-08"),
            (123456789012345680.0, "1.2345678901234568e+17"),
        ];
        for (f, want) in cases {
            assert_eq!(format_g(f, 17), want, "{f}");
        }
        assert_eq!(format_g(1234567.0, 6), "1.23457e+06");
    }

    #[test]
    fn floats_print_like_percent_g() {
        let cases = [
            (0.000012345, "1.2345e-05"),
            (1234567.0, "1.23457e+06"),
            (12345.678, "12345.7"),
            (0.5, "0.5"),
            (3.0, "3"),
            (1.0 / 3.0, "0.333333"),
            (2.0 / 3.0 * 1000000.0, "666667"),
            (123456789.0, "1.23457e+08"),
            (0.1 + 0.2, "0.3"),
            (100.0, "100"),
            (1e-5, "1e-05"),
            (7.5, "7.5"),
            (999999.5, "1e+06"),
            (-2.5, "-2.5"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float(f), want, "{f}");
        }
    }
}
