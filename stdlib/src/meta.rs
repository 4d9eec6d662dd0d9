//! Metaprogramming: `lat_eval(src)` runs source text in the program's own global
//! namespace, `require(path)` loads and runs a file the same way, `tokenize(src)` lists
//! the tokens of source text and `is_complete(src)` says whether it could be finished
//! as it stands (no open bracket or string at the end).
//!
//! The VM does not know the compiler; all four go through the [`Loader`] the embedder
//! put in `vm.loader`. Code run by `lat_eval` and `require` sees and defines globals of
//! the main program, so definitions persist from one call to the next. `lat_eval`
//! returns the value of the last expression (Unit for a declaration); an error inside
//! it, or a syntax error, is a catchable error of the call.
//!
//! [`Loader`]: lattice_vm::Loader

use crate::args::{arg, fail};
use lattice_vm::display::format_g;
use lattice_vm::value::StructObj;
use lattice_vm::vm::MAX_NATIVE_DEPTH;
use lattice_vm::{Phase, StructDef, Value, Vm, VmResult};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

pub fn install(vm: &mut Vm) {
    vm.register_native("lat_eval", lat_eval);
    vm.register_native("require", require);
    vm.register_native("tokenize", tokenize);
    vm.register_native("is_complete", is_complete);
}

fn loader(vm: &Vm, what: &str) -> VmResult<Arc<dyn lattice_vm::Loader>> {
    match vm.loader.clone() {
        Some(l) => Ok(l),
        None => fail(format!("{what}: no compiler is available in this VM")),
    }
}

/// Runs a compiled top-level function in the main namespace, counting the re-entry.
fn run_nested(vm: &mut Vm, func: &lattice_vm::Function) -> VmResult<Value> {
    if vm.native_depth >= MAX_NATIVE_DEPTH {
        return fail("maximum recursion depth exceeded");
    }
    vm.native_depth += 1;
    let result = vm.run_main(func);
    vm.native_depth -= 1;
    result
}

fn lat_eval(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (1, Value::Str(src, _)) = (args.len(), arg(args, 0)) else {
        return fail("lat_eval() expects 1 string argument");
    };
    let func = loader(vm, "lat_eval")?.compile_source(src).map_err(|e| {
        let e = e.strip_prefix("<eval>:").unwrap_or(&e);
        lattice_vm::RuntimeError::new(format!("lat_eval: {e}"))
    })?;
    run_nested(vm, &func)
}

/// `require("lib")`: runs `lib.lat` (found beside the running script, then in the
/// working directory) once; later calls for the same file do nothing. True on success.
fn require(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(path, _) = arg(args, 0) else {
        return fail("require: expected a string argument");
    };
    let from_dir = vm.module_dirs.last().cloned();
    let (func, canonical) = match loader(vm, "require")?.load_module(path, from_dir.as_deref()) {
        Ok(found) => found,
        Err(e) if e.starts_with("import: cannot find") => {
            return fail(format!("require: cannot find '{path}'"))
        }
        Err(e) => return fail(format!("require '{path}': {e}")),
    };
    // Files already required are remembered in the module cache under their own key,
    // apart from `import`'s entries for the same file.
    let key = PathBuf::from(format!("require:{}", canonical.display()));
    if vm.cached_module(&key).is_some() {
        return Ok(Value::TRUE);
    }
    vm.cache_module(key, Value::TRUE);
    if let Some(dir) = canonical.parent() {
        vm.module_dirs.push(dir.to_path_buf());
    }
    let result = run_nested(vm, &func);
    if canonical.parent().is_some() {
        vm.module_dirs.pop();
    }
    result.map(|_| Value::TRUE)
}

fn is_complete(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(src, _) = arg(args, 0) else {
        return fail("is_complete() expects 1 string argument");
    };
    let loader = loader(vm, "is_complete")?;
    let open_string = loader.tokenize(src).last().is_some_and(|t| is_unclosed_string(t));
    Ok(Value::bool(!open_string && loader.is_complete(src)))
}

/// Whether a token is a string (or the last piece of one) that the source ends inside.
fn is_unclosed_string(tok: &str) -> bool {
    if tok.ends_with("${") {
        return false;
    }
    // After an interpolation the rest of a string comes as `}text"`.
    let piece = tok.len() > 1 && tok.starts_with('}');
    let body = if piece { &tok[1..] } else { tok };
    let quote = if piece {
        '"'
    } else if body.starts_with("\"\"\"") {
        return body.len() < 6 || !body.ends_with("\"\"\"");
    } else if let Some(q) = body.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        q
    } else {
        return false;
    };
    if body.len() < if piece { 1 } else { 2 } || !body.ends_with(quote) {
        return true;
    }
    // The closing quote must not be escaped: count the backslashes before it.
    let before = &body[..body.len() - 1];
    let slashes = before.len() - before.trim_end_matches('\\').len();
    slashes % 2 == 1
}

const KEYWORDS: &[&str] = &[
    "flux",
    "fix",
    "let",
    "freeze",
    "thaw",
    "forge",
    "anneal",
    "crystallize",
    "borrow",
    "sublimate",
    "clone",
    "fn",
    "struct",
    "enum",
    "trait",
    "impl",
    "if",
    "else",
    "for",
    "in",
    "while",
    "loop",
    "return",
    "break",
    "continue",
    "match",
    "try",
    "catch",
    "scope",
    "spawn",
    "defer",
    "import",
    "from",
    "as",
    "export",
    "test",
    "true",
    "false",
    "nil",
];

const PUNCTUATION: &[&str] = &[
    "+", "-", "*", "/", "%", "=", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "!", "~", "&", "|", "^",
    "<<", ">>", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", ".", "..", "...", "->", "=>",
    "??", "?.", "?[", "?", "@", "::", ":", ",", ";", "(", ")", "{", "}", "[", "]",
];

fn token_def() -> Arc<StructDef> {
    static DEF: OnceLock<Arc<StructDef>> = OnceLock::new();
    DEF.get_or_init(|| {
        Arc::new(StructDef {
            name: "Token".to_string(),
            fields: vec!["type".to_string(), "text".to_string(), "line".to_string()],
            field_types: vec![None; 3],
            field_phases: vec![None; 3],
        })
    })
    .clone()
}

/// The decoded text of a string token or string piece (`"a${`, `}b"`).
fn string_text(tok: &str) -> String {
    let body = tok.strip_prefix('}').unwrap_or(tok);
    let body = body.strip_prefix("\"\"\"").or_else(|| body.strip_prefix(['"', '\''])).unwrap_or(body);
    let body = body
        .strip_suffix("${")
        .or_else(|| body.strip_suffix("\"\"\""))
        .or_else(|| body.strip_suffix(['"', '\'']))
        .unwrap_or(body);
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The reference's (type, text) for one token's source text; None for a character that
/// starts no token.
fn classify(tok: &str) -> Option<(&'static str, String)> {
    let first = tok.chars().next()?;
    if first == '"' || first == '\'' || (first == '}' && tok.len() > 1) {
        return Some(("string", string_text(tok)));
    }
    if first.is_ascii_digit() {
        let plain: String = tok.chars().filter(|&c| c != '_').collect();
        let radix = [("0x", 16), ("0b", 2), ("0o", 8)].into_iter().find(|(p, _)| plain.starts_with(p));
        if let Some((p, r)) = radix {
            return i64::from_str_radix(&plain[p.len()..], r).ok().map(|n| ("integer", n.to_string()));
        }
        if let Ok(n) = plain.parse::<i64>() {
            return Some(("integer", n.to_string()));
        }
        return plain.parse::<f64>().ok().map(|f| ("float", format_g(f, 6)));
    }
    if first.is_alphabetic() || first == '_' {
        return Some(match KEYWORDS.iter().find(|k| **k == tok) {
            Some(k) => (k, tok.to_string()),
            None => ("identifier", tok.to_string()),
        });
    }
    if tok.starts_with("#mode") {
        return Some(("mode", tok.to_string()));
    }
    PUNCTUATION.iter().find(|p| **p == tok).map(|p| (*p, tok.to_string()))
}

/// Skips whitespace and comments from byte `pos`.
fn skip_trivia(src: &str, mut pos: usize) -> usize {
    loop {
        let rest = &src[pos..];
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        if trimmed.starts_with("//") && !trimmed.starts_with("///") {
            pos += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if trimmed.starts_with("/*") {
            pos += trimmed.find("*/").map_or(trimmed.len(), |i| i + 2);
        } else {
            return pos;
        }
    }
}

/// `tokenize(src)`: an Array of `Token { type, text, line }`, as the reference gives;
/// nil when `src` holds a character that starts no token.
fn tokenize(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(src, _) = arg(args, 0) else {
        return fail("tokenize() expects 1 string argument");
    };
    let def = token_def();
    let mut pos = 0;
    let mut out = Vec::new();
    for tok in loader(vm, "tokenize")?.tokenize(src) {
        // Tokens come in source order: find each one to know its line.
        let at = skip_trivia(src, pos);
        let start =
            if src[at..].starts_with(&tok) { at } else { src[pos..].find(&tok).map_or(at, |i| pos + i) };
        let line = src[..start].matches('\n').count() as i64 + 1;
        pos = (start + tok.len()).min(src.len());
        if tok.starts_with("//") || tok.starts_with("/*") {
            continue;
        }
        let Some((ty, text)) = classify(&tok) else {
            return Ok(Value::NIL);
        };
        let fields = vec![Value::str(ty), Value::str(text), Value::int(line)];
        out.push(Value::Struct(Arc::new(StructObj { def: def.clone(), fields }), Phase::Unphased));
    }
    Ok(Value::array(out))
}

#[cfg(test)]
mod tests {
    use super::classify;
    use crate::test_support::*;

    #[test]
    fn classifies_tokens_as_the_reference_names_them() {
        let cases = [
            ("let", ("let", "let")),
            ("x1", ("identifier", "x1")),
            ("42", ("integer", "42")),
            ("0x1F", ("integer", "31")),
            ("1_000", ("integer", "1000")),
            ("1.50", ("float", "1.5")),
            ("\"a\\nb\"", ("string", "a\nb")),
            ("\"x${", ("string", "x")),
            ("}y\"", ("string", "y")),
            ("==", ("==", "==")),
            ("}", ("}", "}")),
        ];
        for (tok, (ty, text)) in cases {
            assert_eq!(classify(tok), Some((ty, text.to_string())), "{tok}");
        }
        assert_eq!(classify("$"), None);
        for (tok, open) in [
            ("\"abc", true),
            ("\"abc\"", false),
            ("\"a\\\"", true),
            ("\"", true),
            ("}x\"", false),
            ("}x", true),
        ] {
            assert_eq!(super::is_unclosed_string(tok), open, "{tok}");
        }
    }

    #[test]
    fn without_a_loader_the_natives_fail_cleanly() {
        check_calls(vec![
            ("lat_eval", vec![s("1 + 2")], "error: lat_eval: no compiler is available in this VM"),
            ("lat_eval", vec![i(1)], "error: lat_eval() expects 1 string argument"),
            ("tokenize", vec![i(1)], "error: tokenize() expects 1 string argument"),
            ("is_complete", vec![], "error: is_complete() expects 1 string argument"),
            ("require", vec![i(1)], "error: require: expected a string argument"),
            ("require", vec![s("x")], "error: require: no compiler is available in this VM"),
        ]);
    }

    #[test]
    fn lat_eval_runs_in_the_program_namespace() {
        let prog = r#"
flux events = ""
fn main() {
    print(lat_eval("1 + 2"))
    lat_eval("let x = 40")
    lat_eval("fn add(a, b) { a + b }")
    print(lat_eval("add(x, 2)"))
    lat_eval("struct P { x: Int }")
    print(lat_eval("P { x: 5 }.x"))
    print(try { lat_eval("1 / 0") } catch e { e.message })
    print(try { lat_eval("let = 3") } catch e { e.message })
    print(try { lat_eval("defer { events += \"inner\" }\nlet a = freeze([1])\na.push(2)") } catch e { "caught" })
    print(events)
    print(lat_eval("2 + 3"))
    print(is_complete("print("), is_complete("print(1)"), is_complete("\"abc"))
    let toks = tokenize("let x = 42\nx")
    print(toks.len(), toks[0].type, toks[3].text, toks[4].line)
    print(tokenize("a $ b"))
}
"#;
        let out = run_program(prog);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[..4], ["3", "42", "5", "division by zero"], "{out}");
        assert!(lines[4].starts_with("lat_eval: "), "{out}");
        assert_eq!(lines[5..], ["caught", "inner", "5", "false true false", "5 let 42 2", "nil"], "{out}");
    }

    #[test]
    fn require_runs_a_file_once() {
        let dir = std::env::temp_dir().join(format!("lat-require-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("helper.lat");
        std::fs::write(&file, "print(\"loading\")\nfn helper() { 7 }\n").unwrap();
        std::fs::write(dir.join("broken.lat"), "fn (\n").unwrap();
        let path = dir.join("helper").display().to_string();
        let broken = dir.join("broken").display().to_string();
        let prog = format!(
            "fn main() {{\n print(require(\"{path}\"))\n print(require(\"{path}.lat\"))\n print(helper())\n \
             print(try {{ require(\"{path}-none\") }} catch e {{ e.message }})\n \
             print(try {{ require(\"{broken}\") }} catch e {{ \"bad: \" + e.message }})\n}}\n"
        );
        let out = run_program(&prog);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[..4], ["loading", "true", "true", "7"], "{out}");
        assert_eq!(lines[4], format!("require: cannot find '{path}-none'"));
        assert!(lines[5].starts_with(&format!("bad: require '{broken}': ")), "{out}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
