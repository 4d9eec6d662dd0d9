//! Environment and processes: `env`, `env_set`, `env_keys`, `cwd`, `args`, `platform`,
//! `hostname`, `pid`, and running programs: `exec(cmd)` and `shell(cmd)` through
//! `/bin/sh -c`, and `exec_argv(program, args, stdin, options?)` directly, with
//! optional timeout and output limits. Process output the child writes is captured
//! whole; a child's non-zero exit is data for `shell`/`exec_argv` and an error for
//! `exec`.

use crate::args::{arg, fail};
use lattice_vm::{LatMap, Value, Vm, VmResult};
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn install(vm: &mut Vm) {
    vm.register_native("env", env);
    vm.register_native("env_set", env_set);
    vm.register_native("env_keys", env_keys);
    vm.register_native("cwd", cwd);
    vm.register_native("args", args_native);
    vm.register_native("platform", platform);
    vm.register_native("hostname", hostname);
    vm.register_native("pid", pid);
    vm.register_native("exec", exec);
    vm.register_native("shell", shell);
    vm.register_native("exec_argv", exec_argv);
}

pub const MODULE: &[(&str, &str)] = &[
    ("exec", "exec"),
    ("exec_argv", "exec_argv"),
    ("shell", "shell"),
    ("env", "env"),
    ("env_set", "env_set"),
    ("env_keys", "env_keys"),
    ("cwd", "cwd"),
    ("platform", "platform"),
    ("hostname", "hostname"),
    ("pid", "pid"),
    ("args", "args"),
];

/// `env(name)`: the variable's value, Unit when it is not set.
fn env(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(name, _) = arg(args, 0) else {
        return fail("env() expects (key: String)");
    };
    if name.is_empty() || name.contains(['=', '\0']) {
        return Ok(Value::UNIT);
    }
    Ok(std::env::var_os(name.as_str()).map_or(Value::UNIT, |v| Value::str(v.to_string_lossy().into_owned())))
}

fn env_set(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Str(name, _), Value::Str(value, _)) = (arg(args, 0), arg(args, 1)) else {
        return fail("env_set: expected (key: Str, value: Str)");
    };
    // set_var panics on these; they are invalid names or values everywhere.
    if name.is_empty() || name.contains(['=', '\0']) || value.contains('\0') {
        return fail(format!("env_set: invalid variable name or value: {name}"));
    }
    std::env::set_var(name.as_str(), value.as_str());
    Ok(Value::TRUE)
}

fn env_keys(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    let keys = std::env::vars_os().map(|(k, _)| Value::str(k.to_string_lossy().into_owned())).collect();
    Ok(Value::array(keys))
}

fn cwd(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    match std::env::current_dir() {
        Ok(p) => Ok(Value::str(p.to_string_lossy().into_owned())),
        Err(e) => fail(format!("cwd: {e}")),
    }
}

/// The program's arguments, as the embedder set them in `vm.args`.
fn args_native(vm: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(vm.args.iter().map(|a| Value::str(a.as_str())).collect()))
}

fn platform(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    let name = match std::env::consts::OS {
        "macos" => "macos",
        "linux" => "linux",
        "windows" => "windows",
        _ => "unknown",
    };
    Ok(Value::str(name))
}

fn hostname(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    let from_file = |p: &str| std::fs::read_to_string(p).ok().map(|s| s.trim().to_string());
    let name = from_file("/proc/sys/kernel/hostname")
        .or_else(|| from_file("/etc/hostname"))
        .or_else(|| std::env::var("HOSTNAME").ok())
        .filter(|s| !s.is_empty());
    match name {
        Some(n) => Ok(Value::str(n)),
        None => fail("hostname: failed to get hostname"),
    }
}

fn pid(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::int(i64::from(std::process::id())))
}

/// A command line run by the platform shell.
fn shell_command(cmd: &str) -> Command {
    if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", cmd]);
        c
    } else {
        let mut c = Command::new("/bin/sh");
        c.args(["-c", cmd]);
        c
    }
}

/// A process's exit code, -1 when a signal ended it.
fn exit_code(status: std::process::ExitStatus) -> i64 {
    status.code().map_or(-1, i64::from)
}

/// `exec(cmd)`: the command's standard output; a non-zero exit is an error.
fn exec(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(cmd, _) = arg(args, 0) else {
        return fail("exec() expects (command: String)");
    };
    vm.flush();
    let out = shell_command(cmd)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("exec: failed to run command: {e}"))?;
    let code = exit_code(out.status);
    if code != 0 {
        return fail(format!("exec: command failed with exit code {code}"));
    }
    Ok(Value::str(String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// The `{exit_code, stdout, stderr}` Map of a finished process.
fn result_map(code: i64, stdout: &[u8], stderr: &[u8]) -> Value {
    let mut m = LatMap::new();
    m.insert("exit_code", Value::int(code));
    m.insert("stdout", Value::str(String::from_utf8_lossy(stdout).into_owned()));
    m.insert("stderr", Value::str(String::from_utf8_lossy(stderr).into_owned()));
    Value::map(m)
}

/// `shell(cmd)`: `{exit_code, stdout, stderr}` of the command.
fn shell(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(cmd, _) = arg(args, 0) else {
        return fail("shell() expects (command: String)");
    };
    vm.flush();
    let out = shell_command(cmd)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("shell: failed to run command: {e}"))?;
    Ok(result_map(exit_code(out.status), &out.stdout, &out.stderr))
}

const EXEC_ARGV_USAGE: &str =
    "exec_argv() expects (program: String, args: [String], stdin: String|Nil, options: Map|Nil = nil)";

/// The bounds of a managed `exec_argv` run.
#[derive(Default)]
struct Limits {
    timeout_ms: Option<u64>,
    max_stdout: Option<usize>,
    max_stderr: Option<usize>,
}

/// A positive whole number option (an Int, or a Float with no fraction).
fn positive_option(v: &Value, field: &str) -> VmResult<u64> {
    let invalid = || fail(format!("exec_argv: options.{field} must be a positive finite integer"));
    match v {
        Value::Int(n, _) if *n > 0 => Ok(*n as u64),
        Value::Float(f, _) if f.is_finite() && *f > 0.0 && f.fract() == 0.0 => {
            if *f >= 9_223_372_036_854_775_808.0 {
                fail(format!("exec_argv: options.{field} is too large"))
            } else {
                Ok(*f as u64)
            }
        }
        _ => invalid(),
    }
}

fn parse_limits(options: &Value) -> VmResult<Limits> {
    let Value::Map(m, _) = options else {
        return Ok(Limits::default());
    };
    if let Some(k) = m.keys().find(|k| !matches!(*k, "timeout_ms" | "max_stdout_bytes" | "max_stderr_bytes"))
    {
        return fail(format!("exec_argv: unknown option '{k}'"));
    }
    let get = |field: &str| m.get(field).map(|v| positive_option(v, field)).transpose();
    Ok(Limits {
        timeout_ms: get("timeout_ms")?,
        max_stdout: get("max_stdout_bytes")?.map(|n| n.min(usize::MAX as u64) as usize),
        max_stderr: get("max_stderr_bytes")?.map(|n| n.min(usize::MAX as u64) as usize),
    })
}

/// Reads a pipe to its end on a thread, keeping at most `limit` bytes; the flag says
/// whether more arrived.
fn drain(
    mut pipe: impl Read + Send + 'static,
    limit: Option<usize>,
) -> std::thread::JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        let mut over = false;
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = limit.map_or(n, |l| l.saturating_sub(kept.len()).min(n));
            kept.extend_from_slice(&buf[..room]);
            if room < n {
                over = true;
                break;
            }
        }
        (kept, over)
    })
}

/// Waits for `child`, killing it after `timeout_ms`; true when it timed out.
fn wait_bounded(child: &mut Child, timeout_ms: Option<u64>) -> std::io::Result<(Option<i64>, bool)> {
    let Some(ms) = timeout_ms else {
        return Ok((Some(exit_code(child.wait()?)), false));
    };
    let deadline = Instant::now() + Duration::from_millis(ms);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok((Some(exit_code(status)), false));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok((None, true));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `exec_argv(program, args, stdin, options?)`: runs `program` without a shell.
fn exec_argv(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if args.len() != 3 && args.len() != 4 {
        return fail(EXEC_ARGV_USAGE);
    }
    let (Value::Str(program, _), Value::Array(argv, _)) = (&args[0], &args[1]) else {
        return fail(EXEC_ARGV_USAGE);
    };
    let input = match &args[2] {
        Value::Str(s, _) => Some(s.as_bytes().to_vec()),
        Value::Nil(_) => None,
        _ => return fail(EXEC_ARGV_USAGE),
    };
    let options = arg(args, 3);
    if !matches!(options, Value::Map(..) | Value::Nil(_)) {
        return fail(EXEC_ARGV_USAGE);
    }
    if program.is_empty() {
        return fail("exec_argv: program must not be empty");
    }
    if program.contains('\0') {
        return fail("exec_argv: program must not contain NUL bytes");
    }
    let mut list = Vec::with_capacity(argv.len());
    for (i, a) in argv.iter().enumerate() {
        match a.as_str() {
            Some(s) if s.contains('\0') => {
                return fail(format!("exec_argv: args[{i}] must not contain NUL bytes"))
            }
            Some(s) => list.push(s.to_string()),
            None => return fail(format!("exec_argv: args[{i}] must be a String")),
        }
    }
    let limits = parse_limits(options)?;
    vm.flush();
    run_argv(program, &list, input, &limits)
}

fn run_argv(program: &str, argv: &[String], input: Option<Vec<u8>>, limits: &Limits) -> VmResult<Value> {
    let mut child = Command::new(program)
        .args(argv)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            let text = e.to_string();
            let reason = text.split(" (os error").next().unwrap_or(&text).to_string();
            format!("exec_argv: failed to spawn '{program}': {reason}")
        })?;
    if let (Some(data), Some(mut stdin)) = (input, child.stdin.take()) {
        // A child that exits without reading its input must not block us.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let out = child.stdout.take().map(|p| drain(p, limits.max_stdout));
    let err = child.stderr.take().map(|p| drain(p, limits.max_stderr));
    let (code, timed_out) =
        wait_bounded(&mut child, limits.timeout_ms).map_err(|e| format!("exec_argv: wait failed: {e}"))?;
    let join = |h: Option<std::thread::JoinHandle<(Vec<u8>, bool)>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    let (stdout, stdout_over) = join(out);
    let (stderr, stderr_over) = join(err);
    if timed_out {
        return fail(format!("exec_argv: timed out after {} ms", limits.timeout_ms.unwrap_or(0)));
    }
    if stdout_over {
        return fail(format!(
            "exec_argv: stdout exceeded max_stdout_bytes ({} bytes)",
            limits.max_stdout.unwrap_or(0)
        ));
    }
    if stderr_over {
        return fail(format!(
            "exec_argv: stderr exceeded max_stderr_bytes ({} bytes)",
            limits.max_stderr.unwrap_or(0)
        ));
    }
    Ok(result_map(code.unwrap_or(-1), &stdout, &stderr))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::{LatMap, Value};

    #[test]
    fn environment() {
        let mut vm = vm();
        assert_eq!(show(call(&mut vm, "env_set", vec![s("LATTICE_TEST_VAR"), s("42")])), "true");
        assert_eq!(show(call(&mut vm, "env", vec![s("LATTICE_TEST_VAR")])), "\"42\"");
        assert_eq!(show(call(&mut vm, "env", vec![s("LATTICE_SURELY_UNSET_VAR")])), "()");
        assert!(show(call(&mut vm, "env_set", vec![s("A=B"), s("1")])).starts_with("error:"));
        assert_eq!(show(call(&mut vm, "platform", vec![])), "\"linux\"");
        vm.args = vec!["a".into(), "b".into()];
        assert_eq!(show(call(&mut vm, "args", vec![])), "[a, b]");
        assert!(call(&mut vm, "pid", vec![]).unwrap().as_int().unwrap() > 0);
    }

    #[test]
    fn processes() {
        let mut vm = vm();
        assert_eq!(show(call(&mut vm, "exec", vec![s("echo hello")])), "\"hello\n\"");
        assert_eq!(
            show(call(&mut vm, "exec", vec![s("exit 3")])),
            "error: exec: command failed with exit code 3"
        );
        let r = call(&mut vm, "shell", vec![s("echo out; echo err >&2; exit 42")]).unwrap();
        assert_eq!(show(Ok(r)), "{\"exit_code\": 42, \"stderr\": err\n, \"stdout\": out\n}");
        let r = call(&mut vm, "exec_argv", vec![s("cat"), strs(&[]), s("piped in")]).unwrap();
        assert!(show(Ok(r)).contains("\"stdout\": piped in"));
        let r = call(&mut vm, "exec_argv", vec![s("printf"), strs(&["%s", "a; b"]), Value::NIL]).unwrap();
        assert!(show(Ok(r)).contains("\"stdout\": a; b"));
        let missing =
            show(call(&mut vm, "exec_argv", vec![s("lattice-no-such-program"), strs(&[]), Value::NIL]));
        assert!(
            missing.starts_with("error: exec_argv: failed to spawn 'lattice-no-such-program'"),
            "{missing}"
        );
    }

    #[test]
    fn exec_argv_validation_and_limits() {
        let usage = "error: exec_argv() expects (program: String, args: [String], stdin: String|Nil, options: Map|Nil = nil)";
        let opt = |k: &str, v: Value| {
            let mut m = LatMap::new();
            m.insert(k, v);
            Value::map(m)
        };
        check_calls(vec![
            ("exec_argv", vec![s("only"), strs(&[])], usage),
            (
                "exec_argv",
                vec![s("p"), arr(vec![s("ok"), i(1)]), Value::NIL],
                "error: exec_argv: args[1] must be a String",
            ),
            ("exec_argv", vec![s(""), strs(&[]), Value::NIL], "error: exec_argv: program must not be empty"),
            (
                "exec_argv",
                vec![s("p"), strs(&[]), Value::NIL, opt("bogus", i(1))],
                "error: exec_argv: unknown option 'bogus'",
            ),
            (
                "exec_argv",
                vec![s("p"), strs(&[]), Value::NIL, opt("timeout_ms", f(1.5))],
                "error: exec_argv: options.timeout_ms must be a positive finite integer",
            ),
            (
                "exec_argv",
                vec![s("p"), strs(&[]), Value::NIL, opt("max_stdout_bytes", f(1e20))],
                "error: exec_argv: options.max_stdout_bytes is too large",
            ),
            (
                "exec_argv",
                vec![s("sleep"), strs(&["5"]), Value::NIL, opt("timeout_ms", i(50))],
                "error: exec_argv: timed out after 50 ms",
            ),
            (
                "exec_argv",
                vec![s("echo"), strs(&["0123456789"]), Value::NIL, opt("max_stdout_bytes", i(4))],
                "error: exec_argv: stdout exceeded max_stdout_bytes (4 bytes)",
            ),
        ]);
    }
}
