//! Regular expressions: `regex_match(pattern, text, flags?)`,
//! `regex_find_all(pattern, text, flags?)` and `regex_replace(pattern, text,
//! replacement, flags?)`, with the `regex` crate standing in for POSIX extended regular
//! expressions.
//!
//! To behave like POSIX ERE, `.` also matches a newline unless the `m` flag is given;
//! `m` makes `^`/`$` match at line boundaries (and `.` stop at newlines), `i` ignores
//! case. Empty matches are skipped by `find_all` and `replace`, and the replacement is
//! literal text (no `$1` expansion), as in the reference.

use crate::args::fail;
use lattice_vm::{Value, Vm, VmResult};
use regex::{Regex, RegexBuilder};

pub fn install(vm: &mut Vm) {
    vm.register_native("regex_match", regex_match);
    vm.register_native("regex_find_all", regex_find_all);
    vm.register_native("regex_replace", regex_replace);
}

pub const MODULE: &[(&str, &str)] =
    &[("match", "regex_match"), ("find_all", "regex_find_all"), ("replace", "regex_replace")];

/// Bounds on pattern and subject size, as the reference has.
const MAX_PATTERN: usize = 8192;
const MAX_INPUT: usize = 16 * 1024 * 1024;

/// Reads `n` String arguments plus an optional flags String, or fails with `usage`.
fn strings<'a>(args: &'a [Value], n: usize, usage: &str) -> VmResult<(Vec<&'a str>, &'a str)> {
    if args.len() != n && args.len() != n + 1 {
        return fail(usage);
    }
    let texts: Option<Vec<&str>> = args.iter().map(Value::as_str).collect();
    let Some(mut texts) = texts else {
        return fail(usage);
    };
    let flags = if texts.len() > n { texts.pop().unwrap_or("") } else { "" };
    Ok((texts, flags))
}

/// Compiles `pattern` with the POSIX-like defaults and `flags`.
pub fn compile(pattern: &str, flags: &str, subject: &str) -> VmResult<Regex> {
    if pattern.len() > MAX_PATTERN || subject.len() > MAX_INPUT {
        return fail("regex: pattern or input too large");
    }
    let mut b = RegexBuilder::new(pattern);
    b.dot_matches_new_line(true);
    for c in flags.chars() {
        match c {
            'i' => {
                b.case_insensitive(true);
            }
            'm' => {
                b.multi_line(true).dot_matches_new_line(false);
            }
            other => return fail(format!("regex error: invalid flag '{other}'")),
        }
    }
    b.build().map_err(|e| {
        // The crate's messages span several lines (pattern, caret, reason): keep the reason.
        let text = e.to_string();
        let reason = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("invalid pattern");
        format!("regex error: {}", reason.trim().trim_start_matches("error: ")).into()
    })
}

fn regex_match(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (t, flags) = strings(args, 2, "regex_match: expected (pattern: Str, input: Str, flags?: Str)")?;
    Ok(Value::bool(compile(t[0], flags, t[1])?.is_match(t[1])))
}

fn regex_find_all(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (t, flags) = strings(args, 2, "regex_find_all: expected (pattern: Str, input: Str, flags?: Str)")?;
    let re = compile(t[0], flags, t[1])?;
    let found = re.find_iter(t[1]).filter(|m| !m.is_empty()).map(|m| Value::str(m.as_str())).collect();
    Ok(Value::array(found))
}

fn regex_replace(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "regex_replace: expected (pattern: Str, input: Str, replacement: Str, flags?: Str)";
    let (t, flags) = strings(args, 3, usage)?;
    let (subject, replacement) = (t[1], t[2]);
    let re = compile(t[0], flags, subject)?;
    let mut out = String::with_capacity(subject.len());
    let mut last = 0;
    for m in re.find_iter(subject).filter(|m| !m.is_empty()) {
        out.push_str(&subject[last..m.start()]);
        out.push_str(replacement);
        last = m.end();
        if out.len() > crate::args::MAX_BUILD {
            return fail("regex_replace: result is too large");
        }
    }
    out.push_str(&subject[last..]);
    Ok(Value::str(out))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn regexes() {
        check_calls(vec![
            ("regex_match", vec![s("[0-9]+"), s("abc123")], "true"),
            ("regex_match", vec![s("^[0-9]+$"), s("abc")], "false"),
            ("regex_match", vec![s("[a-z]+"), s("HELLO"), s("i")], "true"),
            ("regex_match", vec![s("^hello"), s("world\nHELLO"), s("im")], "true"),
            ("regex_match", vec![s("a.b"), s("a\nb")], "true"),
            ("regex_match", vec![s("[[:digit:]]+"), s("x9")], "true"),
            ("regex_find_all", vec![s("[0-9]+"), s("a1b22c333")], "[1, 22, 333]"),
            ("regex_find_all", vec![s("^line"), s("line1\nline2"), s("m")], "[line, line]"),
            ("regex_find_all", vec![s("x*"), s("abc")], "[]"),
            ("regex_replace", vec![s("[0-9]+"), s("a1b2"), s("X")], "\"aXbX\""),
            ("regex_replace", vec![s("hello"), s("HELLO world"), s("hi"), s("i")], "\"hi world\""),
            ("regex_replace", vec![s("a*"), s("baaac"), s("-")], "\"b-c\""),
            ("regex_replace", vec![s("o"), s("foo"), s("$1")], "\"f$1$1\""),
            ("regex_match", vec![s("a"), s("a"), s("z")], "error: regex error: invalid flag 'z'"),
            (
                "regex_match",
                vec![s("x"), i(1)],
                "error: regex_match: expected (pattern: Str, input: Str, flags?: Str)",
            ),
        ]);
        let mut vm = vm();
        let r = show(call(&mut vm, "regex_match", vec![s("["), s("test")]));
        assert!(r.starts_with("error: regex error: ") && !r.contains('\n'), "{r}");
    }
}
