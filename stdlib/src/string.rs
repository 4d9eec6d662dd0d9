//! String methods (`"abc".len()`, `.split(",")`, `.pad_left(5, "0")` ...).
//!
//! Strings are UTF-8. Lengths and offsets count bytes, as in the reference
//! (`"héllo".len()` is 6, `index_of` and `substring` take byte offsets); a slice that
//! would cut a character in two is repaired rather than refused. Operations that walk
//! characters (`chars`, `reverse`, padding) work on whole characters, so they never
//! produce broken text. Case conversions of the `*_case` family and the `is_*` tests
//! are ASCII-only, like C's `ctype`.

use crate::args::{arg, fail, int, string, MAX_BUILD};
use lattice_vm::{TypeTag, Value, Vm, VmResult};

pub fn install(vm: &mut Vm) {
    let methods: &[(&str, lattice_vm::MethodFn)] = &[
        ("len", len),
        ("length", len),
        ("is_empty", is_empty),
        ("contains", contains),
        ("starts_with", starts_with),
        ("ends_with", ends_with),
        ("index_of", index_of),
        ("last_index_of", last_index_of),
        ("count", count),
        ("split", split),
        ("trim", trim),
        ("trim_start", trim_start),
        ("trim_end", trim_end),
        ("to_upper", to_upper),
        ("to_lower", to_lower),
        ("capitalize", capitalize),
        ("title_case", title_case),
        ("snake_case", snake_case),
        ("camel_case", camel_case),
        ("kebab_case", kebab_case),
        ("replace", replace),
        ("substring", substring),
        ("chars", chars),
        ("bytes", bytes),
        ("reverse", reverse),
        ("repeat", repeat),
        ("pad_left", pad_left),
        ("pad_right", pad_right),
        ("is_alpha", is_alpha),
        ("is_digit", is_digit),
        ("is_alphanumeric", is_alphanumeric),
        ("to_string", to_string),
    ];
    for (name, f) in methods {
        vm.register_method(TypeTag::Str, name, *f);
    }
}

/// The receiver's text (methods are only dispatched on Strings).
fn text(recv: &Value) -> &str {
    recv.as_str().unwrap_or("")
}

/// The bytes `[start, end)` of `s` as a String, repairing a cut character.
pub fn byte_slice(s: &str, start: usize, end: usize) -> String {
    match s.get(start..end) {
        Some(t) => t.to_string(),
        None => String::from_utf8_lossy(&s.as_bytes()[start..end]).into_owned(),
    }
}

fn len(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::int(text(recv).len() as i64))
}

fn is_empty(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::bool(text(recv).is_empty()))
}

fn to_string(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(text(recv)))
}

fn contains(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let needle = string(args, 0, "contains()")?;
    Ok(Value::bool(text(recv).contains(needle)))
}

fn starts_with(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let p = string(args, 0, "starts_with()")?;
    Ok(Value::bool(text(recv).starts_with(p)))
}

fn ends_with(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let p = string(args, 0, "ends_with()")?;
    Ok(Value::bool(text(recv).ends_with(p)))
}

/// Byte offset of the first occurrence, -1 when absent.
fn index_of(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let needle = string(args, 0, "index_of()")?;
    Ok(Value::int(text(recv).find(needle).map_or(-1, |i| i as i64)))
}

fn last_index_of(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let needle = string(args, 0, "last_index_of()")?;
    Ok(Value::int(text(recv).rfind(needle).map_or(-1, |i| i as i64)))
}

/// Non-overlapping occurrences; an empty needle occurs zero times.
fn count(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let needle = string(args, 0, "count()")?;
    let n = if needle.is_empty() { 0 } else { text(recv).matches(needle).count() };
    Ok(Value::int(n as i64))
}

/// `split(sep)`: every piece between separators, empty ones included; an empty
/// separator splits into characters; an empty string has no pieces.
fn split(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let sep = string(args, 0, "split()")?;
    let s = text(recv);
    let parts: Vec<Value> = if s.is_empty() {
        Vec::new()
    } else if sep.is_empty() {
        s.chars().map(|c| Value::str(c.to_string())).collect()
    } else {
        s.split(sep).map(Value::str).collect()
    };
    Ok(Value::array(parts))
}

/// The whitespace `trim` removes: space, tab, newline and carriage return.
fn is_trim_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn trim(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(text(recv).trim_matches(is_trim_space)))
}

fn trim_start(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(text(recv).trim_start_matches(is_trim_space)))
}

fn trim_end(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(text(recv).trim_end_matches(is_trim_space)))
}

fn to_upper(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(text(recv).to_uppercase()))
}

fn to_lower(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(text(recv).to_lowercase()))
}

/// First character upper case, the rest lower case.
fn capitalize(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let mut out = String::new();
    for (i, c) in text(recv).chars().enumerate() {
        out.push(if i == 0 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
    }
    Ok(Value::str(out))
}

fn is_word_separator(c: char) -> bool {
    c.is_ascii_whitespace() || c == '_' || c == '-'
}

/// Each word capitalized; separators (whitespace, `_`, `-`) are kept.
fn title_case(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let mut out = String::new();
    let mut word_start = true;
    for c in text(recv).chars() {
        if is_word_separator(c) {
            out.push(c);
            word_start = true;
        } else if word_start {
            out.push(c.to_ascii_uppercase());
            word_start = false;
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    Ok(Value::str(out))
}

/// Lower-cases words and joins them with `joiner`: words are split at spaces, `-`, `_`
/// and at a lower-to-upper case change (`fooBar`), and runs of separators collapse.
fn join_words(s: &str, joiner: char) -> String {
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let separator = matches!(c, ' ' | '-' | '_');
        let case_change = prev.is_some_and(|p| p.is_ascii_lowercase()) && c.is_ascii_uppercase();
        if (separator || case_change) && !out.is_empty() && !out.ends_with(joiner) {
            out.push(joiner);
        }
        if !separator {
            out.push(c.to_ascii_lowercase());
        }
        prev = Some(c);
    }
    out
}

fn snake_case(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(join_words(text(recv), '_')))
}

fn kebab_case(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(join_words(text(recv), '-')))
}

/// Separators dropped, the letter after one upper-cased, the first letter lower-cased,
/// other letters kept as they are.
fn camel_case(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let mut out = String::new();
    let mut upper_next = false;
    for c in text(recv).chars() {
        if matches!(c, ' ' | '-' | '_') {
            upper_next = true;
        } else if upper_next {
            out.push(c.to_ascii_uppercase());
            upper_next = false;
        } else if out.is_empty() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    Ok(Value::str(out))
}

/// Replaces every occurrence; an empty pattern leaves the string alone.
fn replace(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let from = string(args, 0, "replace()")?;
    let to = string(args, 1, "replace()")?;
    let s = text(recv);
    if from.is_empty() {
        return Ok(Value::str(s));
    }
    let grown = s.len().saturating_add(s.matches(from).count().saturating_mul(to.len()));
    if grown > MAX_BUILD {
        return fail("replace(): result is too large");
    }
    Ok(Value::str(s.replace(from, to)))
}

/// `substring(start, end?)`: bytes `[start, end)`; negative offsets count from the end,
/// out-of-range offsets are clamped, an empty range gives "".
fn substring(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let s = text(recv);
    let n = s.len() as i64;
    let mut start = int(args, 0, "substring()")?;
    let mut end = match arg(args, 1) {
        Value::Nil(_) => n,
        _ => int(args, 1, "substring()")?,
    };
    if start < 0 {
        start = start.saturating_add(n);
    }
    if end < 0 {
        end = end.saturating_add(n);
    }
    let (start, end) = (start.clamp(0, n), end.clamp(0, n));
    if start >= end {
        return Ok(Value::str(""));
    }
    Ok(Value::str(byte_slice(s, start as usize, end as usize)))
}

fn chars(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(text(recv).chars().map(|c| Value::str(c.to_string())).collect()))
}

fn bytes(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(text(recv).bytes().map(|b| Value::int(i64::from(b))).collect()))
}

fn reverse(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(text(recv).chars().rev().collect::<String>()))
}

fn repeat(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let n = int(args, 0, "repeat()")?;
    if n < 0 {
        return fail(format!("repeat() expects a non-negative count, got {n}"));
    }
    let s = text(recv);
    let total = (s.len() as u128) * (n as u128);
    // A length past the address space is the reference's documented "overflow yields
    // empty"; a representable but huge one is an error rather than an allocation abort.
    if total > usize::MAX as u128 {
        return Ok(Value::str(""));
    }
    if total > MAX_BUILD as u128 {
        return fail("repeat(): result is too large");
    }
    Ok(Value::str(s.repeat(n as usize)))
}

/// The padding character and the number of copies needed to reach `width` characters.
fn padding(s: &str, args: &[Value], what: &str) -> VmResult<(char, usize)> {
    let width = int(args, 0, what)?;
    let pad = match arg(args, 1) {
        Value::Str(p, _) => p.chars().next().unwrap_or(' '),
        Value::Nil(_) => ' ',
        other => return fail(format!("{what} expects a String pad, got {}", other.type_name())),
    };
    let have = s.chars().count() as i64;
    if width <= have {
        return Ok((pad, 0));
    }
    if width as u64 > MAX_BUILD as u64 {
        return fail(format!("{what}: width {width} is too large"));
    }
    Ok((pad, (width - have) as usize))
}

fn pad_left(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let s = text(recv);
    let (pad, n) = padding(s, args, "pad_left()")?;
    let mut out: String = std::iter::repeat_n(pad, n).collect();
    out.push_str(s);
    Ok(Value::str(out))
}

fn pad_right(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let s = text(recv);
    let (pad, n) = padding(s, args, "pad_right()")?;
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(pad, n));
    Ok(Value::str(out))
}

/// A non-empty string whose characters all satisfy `test`.
fn all_chars(recv: &Value, test: fn(&char) -> bool) -> Value {
    let s = text(recv);
    Value::bool(!s.is_empty() && s.chars().all(|c| test(&c)))
}

fn is_alpha(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(all_chars(recv, char::is_ascii_alphabetic))
}

fn is_digit(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(all_chars(recv, char::is_ascii_digit))
}

fn is_alphanumeric(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(all_chars(recv, char::is_ascii_alphanumeric))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn string_methods() {
        check_methods(vec![
            (s("hello"), "len", vec![], "5"),
            (s("héllo"), "len", vec![], "6"),
            (s(""), "is_empty", vec![], "true"),
            (s("hello world"), "contains", vec![s("o w")], "true"),
            (s("hello"), "contains", vec![i(1)], "error: contains() expects a String, got Int"),
            (s("hello"), "starts_with", vec![s("he")], "true"),
            (s("hello"), "ends_with", vec![s("lo")], "true"),
            (s("hello"), "index_of", vec![s("l")], "2"),
            (s("hello"), "index_of", vec![s("z")], "-1"),
            (s("hello"), "last_index_of", vec![s("l")], "3"),
            (s("aaaa"), "count", vec![s("aa")], "2"),
            (s("abc"), "count", vec![s("")], "0"),
            (s("a,b,,c,"), "split", vec![s(",")], "[a, b, , c, ]"),
            (s("aaa"), "split", vec![s("aa")], "[, a]"),
            (s("abc"), "split", vec![s("")], "[a, b, c]"),
            (s(""), "split", vec![s(",")], "[]"),
            (s(" \t hi \n"), "trim", vec![], "\"hi\""),
            (s("  hi "), "trim_start", vec![], "\"hi \""),
            (s("  hi "), "trim_end", vec![], "\"  hi\""),
            (s("Hello"), "to_upper", vec![], "\"HELLO\""),
            (s("Hello"), "to_lower", vec![], "\"hello\""),
            (s("hELLO wORLD"), "capitalize", vec![], "\"Hello world\""),
            (s("hello big-world_x"), "title_case", vec![], "\"Hello Big-World_X\""),
            (s("helloWorld Foo-bar"), "snake_case", vec![], "\"hello_world_foo_bar\""),
            (s("Hello World"), "kebab_case", vec![], "\"hello-world\""),
            (s("  lead"), "snake_case", vec![], "\"lead\""),
            (s("hello_world-foo bar"), "camel_case", vec![], "\"helloWorldFooBar\""),
            (s("HelloWorld"), "camel_case", vec![], "\"helloWorld\""),
            (s("a-b-c"), "replace", vec![s("-"), s("+")], "\"a+b+c\""),
            (s("abc"), "replace", vec![s(""), s("x")], "\"abc\""),
            (s("hello"), "substring", vec![i(1), i(3)], "\"el\""),
            (s("hello"), "substring", vec![i(-3), i(-1)], "\"ll\""),
            (s("hello"), "substring", vec![i(3), i(99)], "\"lo\""),
            (s("hello"), "substring", vec![i(4), i(2)], "\"\""),
            (s("hello"), "substring", vec![i(2)], "\"llo\""),
            (s("héllo"), "substring", vec![i(0), i(2)], "\"h\u{FFFD}\""),
            (s("héllo"), "chars", vec![], "[h, é, l, l, o]"),
            (s("AB"), "bytes", vec![], "[65, 66]"),
            (s("abc"), "reverse", vec![], "\"cba\""),
            (s("ab"), "repeat", vec![i(3)], "\"ababab\""),
            (s("ab"), "repeat", vec![i(0)], "\"\""),
            (s("x"), "repeat", vec![i(-1)], "error: repeat() expects a non-negative count, got -1"),
            (s("x"), "repeat", vec![i(1_000_000_000_000_000_000)], "error: repeat(): result is too large"),
            (s("abcdefgh"), "repeat", vec![i(2_305_843_009_213_693_952)], "\"\""),
            (s("7"), "pad_left", vec![i(3), s("0")], "\"007\""),
            (s("7"), "pad_right", vec![i(3)], "\"7  \""),
            (s("long"), "pad_left", vec![i(2), s("0")], "\"long\""),
            (
                s("x"),
                "pad_left",
                vec![i(i64::MAX), s("0")],
                "error: pad_left(): width 9223372036854775807 is too large",
            ),
            (s("abc"), "is_alpha", vec![], "true"),
            (s("ab1"), "is_alpha", vec![], "false"),
            (s("123"), "is_digit", vec![], "true"),
            (s(""), "is_digit", vec![], "false"),
            (s("ab12"), "is_alphanumeric", vec![], "true"),
        ]);
    }
}
