//! File system builtins: reading and writing files (as text or Buffers), directories,
//! metadata (`stat`, `file_size`, `is_dir` ...), `glob`, `realpath`, and fresh
//! temporary files and directories.
//!
//! Failures are catchable errors that name the operation, the path and the system's
//! reason (`read_file: /x: No such file or directory`). Predicates (`file_exists`,
//! `is_dir`, `is_file`) answer false instead of failing. Operations that succeed
//! return `true`, as in the reference.

use crate::args::{arg, fail};
use lattice_vm::{LatMap, Value, Vm, VmResult};
use std::io::Write;
use std::path::Path;

pub fn install(vm: &mut Vm) {
    for (name, f) in NATIVES {
        vm.register_native(name, *f);
    }
}

const NATIVES: &[(&str, lattice_vm::NativeFn)] = &[
    ("read_file", read_file),
    ("write_file", write_file),
    ("read_file_bytes", read_file_bytes),
    ("write_file_bytes", write_file_bytes),
    ("append_file", append_file),
    ("copy_file", copy_file),
    ("file_exists", file_exists),
    ("is_file", is_file),
    ("is_dir", is_dir),
    ("file_size", file_size),
    ("delete_file", delete_file),
    ("mkdir", mkdir),
    ("rmdir", rmdir),
    ("rename", rename),
    ("chmod", chmod),
    ("list_dir", list_dir),
    ("glob", glob),
    ("stat", stat),
    ("realpath", realpath),
    ("tempdir", tempdir),
    ("tempfile", tempfile),
];

/// The `fs` module exports every native under its own name.
pub const MODULE: &[(&str, &str)] = &[
    ("read_file", "read_file"),
    ("write_file", "write_file"),
    ("read_file_bytes", "read_file_bytes"),
    ("write_file_bytes", "write_file_bytes"),
    ("append_file", "append_file"),
    ("copy_file", "copy_file"),
    ("file_exists", "file_exists"),
    ("is_file", "is_file"),
    ("is_dir", "is_dir"),
    ("file_size", "file_size"),
    ("delete_file", "delete_file"),
    ("mkdir", "mkdir"),
    ("rmdir", "rmdir"),
    ("rename", "rename"),
    ("chmod", "chmod"),
    ("list_dir", "list_dir"),
    ("glob", "glob"),
    ("stat", "stat"),
    ("realpath", "realpath"),
    ("tempdir", "tempdir"),
    ("tempfile", "tempfile"),
];

/// `op: path: reason`, the reason without Rust's "(os error N)" suffix.
pub fn io_error(op: &str, path: &str, e: &std::io::Error) -> lattice_vm::RuntimeError {
    let text = e.to_string();
    let reason = text.split(" (os error").next().unwrap_or(&text);
    format!("{op}: {path}: {reason}").into()
}

/// The path argument `i`, with the usage error `op: expected (...)`.
fn path_arg<'a>(args: &'a [Value], i: usize, usage: &str) -> VmResult<&'a str> {
    arg(args, i).as_str().ok_or_else(|| usage.into())
}

fn read_file(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let path = path_arg(args, 0, "read_file() expects (path: String)")?;
    let bytes = std::fs::read(path).map_err(|e| io_error("read_file", path, &e))?;
    Ok(Value::str(String::from_utf8_lossy(&bytes).into_owned()))
}

/// The bytes to write: a String's text or a Buffer's bytes.
fn content<'a>(args: &'a [Value], usage: &str) -> VmResult<&'a [u8]> {
    match arg(args, 1) {
        Value::Str(s, _) => Ok(s.as_bytes()),
        Value::Buffer(b, _) => Ok(b),
        _ => fail(usage),
    }
}

fn write_file(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "write_file() expects (path: String, data: String)";
    let path = path_arg(args, 0, usage)?;
    std::fs::write(path, content(args, usage)?).map_err(|e| io_error("write_file", path, &e))?;
    Ok(Value::TRUE)
}

fn read_file_bytes(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let path = path_arg(args, 0, "read_file_bytes() expects (path: String)")?;
    let bytes = std::fs::read(path).map_err(|e| io_error("read_file_bytes", path, &e))?;
    Ok(Value::buffer(bytes))
}

fn write_file_bytes(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "write_file_bytes() expects (path: String, data: Buffer)";
    let path = path_arg(args, 0, usage)?;
    std::fs::write(path, content(args, usage)?).map_err(|e| io_error("write_file_bytes", path, &e))?;
    Ok(Value::TRUE)
}

fn append_file(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "append_file() expects (path: String, data: String)";
    let path = path_arg(args, 0, usage)?;
    let data = content(args, usage)?;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| io_error("append_file", path, &e))?;
    f.write_all(data).map_err(|e| io_error("append_file", path, &e))?;
    Ok(Value::TRUE)
}

fn copy_file(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "copy_file: expected (src: Str, dst: Str)";
    let (src, dst) = (path_arg(args, 0, usage)?, path_arg(args, 1, usage)?);
    std::fs::copy(src, dst).map_err(|e| io_error("copy_file", src, &e))?;
    Ok(Value::TRUE)
}

/// Answers a yes/no question about a path; false for a non-String.
fn query(args: &[Value], test: fn(&Path) -> bool) -> VmResult<Value> {
    Ok(Value::bool(arg(args, 0).as_str().is_some_and(|p| test(Path::new(p)))))
}

fn file_exists(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if !matches!(arg(args, 0), Value::Str(..)) {
        return fail("file_exists() expects (path: String)");
    }
    query(args, Path::exists)
}

fn is_file(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    query(args, Path::is_file)
}

fn is_dir(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    query(args, Path::is_dir)
}

fn file_size(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let path = path_arg(args, 0, "file_size: expected (path: Str)")?;
    let meta = std::fs::metadata(path).map_err(|e| io_error("file_size", path, &e))?;
    Ok(Value::int(meta.len() as i64))
}

fn delete_file(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let path = path_arg(args, 0, "delete_file: expected (path: Str)")?;
    std::fs::remove_file(path).map_err(|e| io_error("delete_file", path, &e))?;
    Ok(Value::TRUE)
}

fn mkdir(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let path = path_arg(args, 0, "mkdir: expected (path: Str)")?;
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o755);
    b.create(path).map_err(|e| io_error("mkdir", path, &e))?;
    Ok(Value::TRUE)
}

fn rmdir(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let path = path_arg(args, 0, "rmdir: expected (path: Str)")?;
    std::fs::remove_dir(path).map_err(|e| io_error("rmdir", path, &e))?;
    Ok(Value::TRUE)
}

fn rename(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "rename: expected (from: Str, to: Str)";
    let (from, to) = (path_arg(args, 0, usage)?, path_arg(args, 1, usage)?);
    std::fs::rename(from, to).map_err(|e| io_error("rename", from, &e))?;
    Ok(Value::TRUE)
}

/// `chmod(path, mode)`: `mode` is the numeric permission bits (`0o644` is 420).
fn chmod(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "chmod: expected (path: Str, mode: Int)";
    let path = path_arg(args, 0, usage)?;
    let Value::Int(mode, _) = arg(args, 1) else {
        return fail(usage);
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode((*mode & 0o7777) as u32);
        std::fs::set_permissions(path, perms).map_err(|e| io_error("chmod", path, &e))?;
        Ok(Value::TRUE)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        fail("chmod: not supported on this platform")
    }
}

/// Entry names of a directory (without `.` and `..`), sorted.
fn list_dir(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let path = path_arg(args, 0, "list_dir: expected (path: Str)")?;
    let entries = std::fs::read_dir(path).map_err(|e| io_error("list_dir", path, &e))?;
    let mut names: Vec<String> =
        entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    Ok(Value::array(names.into_iter().map(Value::str).collect()))
}

/// `glob(pattern)`: the existing paths matching `*`, `?` and `[...]` per component,
/// sorted; a leading `.` in a name must be matched explicitly, as in the shell.
fn glob(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let pattern = path_arg(args, 0, "glob: expected (pattern: Str)")?;
    let mut found = crate::glob::expand(pattern);
    found.sort();
    Ok(Value::array(found.into_iter().map(Value::str).collect()))
}

/// `stat(path)`: `{size, mtime (ms), mode, type, permissions}`; the link itself for a
/// symbolic link.
fn stat(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let path = path_arg(args, 0, "stat: expected (path: Str)")?;
    let meta = std::fs::symlink_metadata(path).map_err(|e| io_error("stat", path, &e))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64 * 1000);
    #[cfg(unix)]
    let mode = i64::from(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777);
    #[cfg(not(unix))]
    let mode = if meta.permissions().readonly() { 0o444 } else { 0o644 };
    let kind = if meta.file_type().is_symlink() {
        "symlink"
    } else if meta.is_dir() {
        "dir"
    } else if meta.is_file() {
        "file"
    } else {
        "other"
    };
    let mut m = LatMap::new();
    m.insert("size", Value::int(meta.len() as i64));
    m.insert("mtime", Value::int(mtime));
    m.insert("mode", Value::int(mode));
    m.insert("type", Value::str(kind));
    m.insert("permissions", Value::int(mode));
    Ok(Value::map(m))
}

fn realpath(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let path = path_arg(args, 0, "realpath: expected (path: Str)")?;
    let p = std::fs::canonicalize(path).map_err(|e| io_error("realpath", path, &e))?;
    Ok(Value::str(p.to_string_lossy().into_owned()))
}

/// A fresh name `/tmp/lattice_XXXXXX` (six random letters and digits).
fn temp_name() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let suffix: String =
        crate::crypto::os_random(6).iter().map(|b| CHARS[*b as usize % CHARS.len()] as char).collect();
    std::env::temp_dir().join(format!("lattice_{suffix}")).to_string_lossy().into_owned()
}

/// Retries `create` on fresh names until one does not exist yet.
fn create_temp(op: &str, create: impl Fn(&str) -> std::io::Result<()>) -> VmResult<Value> {
    let mut last = None;
    for _ in 0..100 {
        let name = temp_name();
        match create(&name) {
            Ok(()) => return Ok(Value::str(name)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(io_error(op, &name, &e)),
        }
    }
    fail(format!("{op}: {}", last.map_or_else(|| "no free name".to_string(), |e| e.to_string())))
}

fn tempdir(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    create_temp("tempdir", |name| {
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(name)
    })
}

fn tempfile(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    create_temp("tempfile", |name| {
        std::fs::OpenOptions::new().write(true).create_new(true).open(name).map(drop)
    })
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn file_round_trip() {
        let mut vm = vm();
        let dir = call(&mut vm, "tempdir", vec![]).unwrap();
        let dir = dir.as_str().unwrap().to_string();
        let file = format!("{dir}/a.txt");
        assert_eq!(show(call(&mut vm, "write_file", vec![s(&file), s("hello")])), "true");
        assert_eq!(show(call(&mut vm, "append_file", vec![s(&file), s("!")])), "true");
        assert_eq!(show(call(&mut vm, "read_file", vec![s(&file)])), "\"hello!\"");
        assert_eq!(show(call(&mut vm, "file_size", vec![s(&file)])), "6");
        assert_eq!(show(call(&mut vm, "is_file", vec![s(&file)])), "true");
        assert_eq!(show(call(&mut vm, "is_dir", vec![s(&dir)])), "true");
        let st = call(&mut vm, "stat", vec![s(&file)]).unwrap();
        assert!(show(Ok(st)).contains("\"type\": file"));
        call(&mut vm, "write_file", vec![s(&format!("{dir}/b.log")), s("x")]).unwrap();
        assert_eq!(show(call(&mut vm, "list_dir", vec![s(&dir)])), "[a.txt, b.log]");
        let g = call(&mut vm, "glob", vec![s(&format!("{dir}/*.txt"))]).unwrap();
        assert_eq!(show(Ok(g)), format!("[{dir}/a.txt]"));
        let copy = format!("{dir}/c.txt");
        call(&mut vm, "copy_file", vec![s(&file), s(&copy)]).unwrap();
        call(&mut vm, "rename", vec![s(&copy), s(&format!("{dir}/d.txt"))]).unwrap();
        assert_eq!(show(call(&mut vm, "file_exists", vec![s(&copy)])), "false");
        for name in ["a.txt", "b.log", "d.txt"] {
            call(&mut vm, "delete_file", vec![s(&format!("{dir}/{name}"))]).unwrap();
        }
        assert_eq!(show(call(&mut vm, "rmdir", vec![s(&dir)])), "true");
    }

    #[test]
    fn failures_are_errors() {
        check_calls(vec![
            (
                "read_file",
                vec![s("/nonexistent/x")],
                "error: read_file: /nonexistent/x: No such file or directory",
            ),
            ("delete_file", vec![i(123)], "error: delete_file: expected (path: Str)"),
            ("list_dir", vec![i(123)], "error: list_dir: expected (path: Str)"),
            ("list_dir", vec![s("/nonexistent")], "error: list_dir: /nonexistent: No such file or directory"),
            ("file_exists", vec![s("/nonexistent")], "false"),
            ("is_dir", vec![i(1)], "false"),
            (
                "mkdir",
                vec![s("/nonexistent/a/b")],
                "error: mkdir: /nonexistent/a/b: No such file or directory",
            ),
        ]);
    }

    #[test]
    fn temp_files_are_fresh() {
        let mut vm = vm();
        let a = call(&mut vm, "tempfile", vec![]).unwrap();
        let b = call(&mut vm, "tempfile", vec![]).unwrap();
        assert_ne!(a.as_str(), b.as_str());
        assert_eq!(show(call(&mut vm, "is_file", vec![a.clone()])), "true");
        assert_eq!(show(call(&mut vm, "chmod", vec![a.clone(), i(0o600)])), "true");
        call(&mut vm, "delete_file", vec![a]).unwrap();
        call(&mut vm, "delete_file", vec![b]).unwrap();
    }
}
