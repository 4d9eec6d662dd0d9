//! Path text utilities, pure string work with `/` as the separator: `path_join(parts...)`,
//! `path_dir(p)`, `path_base(p)`, `path_ext(p)`. Nothing touches the file system.

use crate::args::fail;
use lattice_vm::{Value, Vm, VmResult};

pub fn install(vm: &mut Vm) {
    vm.register_native("path_join", path_join);
    vm.register_native("path_dir", path_dir);
    vm.register_native("path_base", path_base);
    vm.register_native("path_ext", path_ext);
}

pub const MODULE: &[(&str, &str)] =
    &[("join", "path_join"), ("dir", "path_dir"), ("base", "path_base"), ("ext", "path_ext")];

/// Joins parts with one `/` between them (no doubled or added slash where a part
/// already ends or starts with one).
pub fn join(parts: &[&str]) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let mut part = *part;
        if i > 0 {
            let prev_slash = out.ends_with('/');
            let cur_slash = part.starts_with('/');
            if prev_slash && cur_slash {
                part = &part[1..];
            } else if !prev_slash && !cur_slash {
                out.push('/');
            }
        }
        out.push_str(part);
    }
    out
}

/// Everything before the last `/`: "." without one, "/" for a root-level path.
pub fn dir(path: &str) -> &str {
    match path.rfind('/') {
        None => ".",
        Some(0) => "/",
        Some(i) => &path[..i],
    }
}

/// Everything after the last `/` ("" when the path ends with one).
pub fn base(path: &str) -> &str {
    path.rfind('/').map_or(path, |i| &path[i + 1..])
}

/// The extension of the base name, dot included; "" for none or a dot file.
pub fn ext(path: &str) -> &str {
    let b = base(path);
    match b.rfind('.') {
        None | Some(0) => "",
        Some(i) => &b[i..],
    }
}

fn path_join(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if args.is_empty() {
        return fail("path_join() expects at least 1 argument");
    }
    // A single Array argument is accepted too: path_join(["a", "b"]).
    let items: &[Value] = match args {
        [Value::Array(items, _)] => items,
        _ => args,
    };
    let parts: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
    match parts {
        Some(parts) => Ok(Value::str(join(&parts))),
        None => fail("path_join() expects (String...)"),
    }
}

/// Applies a one-path function, with the reference's usage error.
fn one_path(args: &[Value], name: &str, f: fn(&str) -> &str) -> VmResult<Value> {
    match args {
        [Value::Str(p, _)] => Ok(Value::str(f(p))),
        _ => fail(format!("{name}() expects (path: String)")),
    }
}

fn path_dir(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    one_path(args, "path_dir", dir)
}

fn path_base(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    one_path(args, "path_base", base)
}

fn path_ext(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    one_path(args, "path_ext", ext)
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn paths() {
        check_calls(vec![
            ("path_join", vec![s("a"), s("b"), s("c.txt")], "\"a/b/c.txt\""),
            ("path_join", vec![s("a/"), s("/b")], "\"a/b\""),
            ("path_join", vec![s("/"), s("etc")], "\"/etc\""),
            ("path_join", vec![strs(&["x", "y"])], "\"x/y\""),
            ("path_join", vec![s("a"), i(1)], "error: path_join() expects (String...)"),
            ("path_dir", vec![s("/usr/lib/x.so")], "\"/usr/lib\""),
            ("path_dir", vec![s("x.so")], "\".\""),
            ("path_dir", vec![s("/x")], "\"/\""),
            ("path_base", vec![s("/usr/lib/x.so")], "\"x.so\""),
            ("path_base", vec![s("dir/")], "\"\""),
            ("path_ext", vec![s("a/b.tar.gz")], "\".gz\""),
            ("path_ext", vec![s("a/.hidden")], "\"\""),
            ("path_ext", vec![s("a.d/file")], "\"\""),
            ("path_dir", vec![i(3)], "error: path_dir() expects (path: String)"),
        ]);
    }
}
