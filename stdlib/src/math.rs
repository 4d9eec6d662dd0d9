//! Math builtins: rounding, powers and logarithms, trigonometry, min/max/clamp, integer
//! gcd/lcm, float inspection, constants (`math_pi`, `math_e`) and the random-number
//! functions (`random`, `random_int`), with the reference's argument rules: Int and
//! Float are both accepted, rounding returns an Int, domain errors are runtime errors.

use crate::args::{arg, fail};
use crate::convert::fits_int;
use lattice_vm::compare::compare;
use lattice_vm::{Value, Vm, VmResult};
use std::cmp::Ordering;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

pub fn install(vm: &mut Vm) {
    vm.register_native("abs", abs);
    vm.register_native("floor", floor);
    vm.register_native("ceil", ceil);
    vm.register_native("round", round);
    vm.register_native("sqrt", sqrt);
    vm.register_native("pow", pow);
    vm.register_native("exp", exp);
    vm.register_native("log", log);
    vm.register_native("log2", log2);
    vm.register_native("log10", log10);
    vm.register_native("min", min);
    vm.register_native("max", max);
    vm.register_native("clamp", clamp);
    vm.register_native("sign", sign);
    vm.register_native("lerp", lerp);
    vm.register_native("gcd", gcd);
    vm.register_native("lcm", lcm);
    vm.register_native("math_pi", math_pi);
    vm.register_native("math_e", math_e);
    vm.register_native("random", random);
    vm.register_native("random_int", random_int);
    vm.register_native("sin", sin);
    vm.register_native("cos", cos);
    vm.register_native("tan", tan);
    vm.register_native("asin", asin);
    vm.register_native("acos", acos);
    vm.register_native("atan", atan);
    vm.register_native("atan2", atan2);
    vm.register_native("sinh", sinh);
    vm.register_native("cosh", cosh);
    vm.register_native("tanh", tanh);
    vm.register_native("is_nan", is_nan);
    vm.register_native("is_inf", is_inf);
}

/// Export names of the `math` module, to the natives above.
pub const MODULE: &[(&str, &str)] = &[
    ("sin", "sin"),
    ("cos", "cos"),
    ("tan", "tan"),
    ("asin", "asin"),
    ("acos", "acos"),
    ("atan", "atan"),
    ("atan2", "atan2"),
    ("sinh", "sinh"),
    ("cosh", "cosh"),
    ("tanh", "tanh"),
    ("sqrt", "sqrt"),
    ("pow", "pow"),
    ("abs", "abs"),
    ("floor", "floor"),
    ("ceil", "ceil"),
    ("round", "round"),
    ("log", "log"),
    ("log2", "log2"),
    ("log10", "log10"),
    ("exp", "exp"),
    ("min", "min"),
    ("max", "max"),
    ("clamp", "clamp"),
    ("sign", "sign"),
    ("gcd", "gcd"),
    ("lcm", "lcm"),
    ("lerp", "lerp"),
    ("is_nan", "is_nan"),
    ("is_inf", "is_inf"),
    ("random", "random"),
    ("random_int", "random_int"),
    // The reference exposes its constants as zero-argument functions: `m.PI()`.
    ("PI", "math_pi"),
    ("E", "math_e"),
];

/// The one numeric argument of `name`, as f64.
fn num(args: &[Value], name: &str) -> VmResult<f64> {
    arg(args, 0).as_number().ok_or_else(|| format!("{name}() expects Int or Float").into())
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(..) | Value::Float(..))
}

/// Defines a one-argument function from f64 to Float.
macro_rules! float_fn {
    ($name:ident, $f:expr) => {
        fn $name(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
            let x = num(args, stringify!($name))?;
            let f: fn(f64) -> f64 = $f;
            Ok(Value::float(f(x)))
        }
    };
}

float_fn!(sin, f64::sin);
float_fn!(cos, f64::cos);
float_fn!(tan, f64::tan);
float_fn!(asin, f64::asin);
float_fn!(acos, f64::acos);
float_fn!(atan, f64::atan);
float_fn!(sinh, f64::sinh);
float_fn!(cosh, f64::cosh);
float_fn!(tanh, f64::tanh);
float_fn!(exp, f64::exp);

fn abs(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Int(n, _) => Ok(Value::int(n.wrapping_abs())),
        Value::Float(f, _) => Ok(Value::float(f.abs())),
        _ => fail("abs() expects Int or Float"),
    }
}

/// Rounds a Float with `op` into an Int; Ints pass through.
fn to_int_with(args: &[Value], name: &str, op: fn(f64) -> f64) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Int(n, _) => Ok(Value::int(*n)),
        Value::Float(f, _) => {
            let r = op(*f);
            if fits_int(r) {
                Ok(Value::int(r as i64))
            } else {
                fail(format!("{name}(): value out of Int range"))
            }
        }
        _ => fail(format!("{name}() expects Int or Float")),
    }
}

fn floor(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    to_int_with(args, "floor", f64::floor)
}

fn ceil(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    to_int_with(args, "ceil", f64::ceil)
}

/// Half away from zero, like C's `round`.
fn round(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    to_int_with(args, "round", f64::round)
}

fn sqrt(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let x = num(args, "sqrt")?;
    if x < 0.0 {
        return fail("sqrt() domain error: negative input");
    }
    Ok(Value::float(x.sqrt()))
}

/// A logarithm defined for positive arguments only.
fn log_with(args: &[Value], name: &str, op: fn(f64) -> f64) -> VmResult<Value> {
    let x = num(args, name)?;
    if x <= 0.0 {
        return fail(format!("{name}() domain error: argument must be > 0"));
    }
    Ok(Value::float(op(x)))
}

fn log(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    log_with(args, "log", f64::ln)
}

fn log2(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    log_with(args, "log2", f64::log2)
}

fn log10(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    log_with(args, "log10", f64::log10)
}

/// `pow(b, e)`: an Int when both are Ints, `e >= 0` and the result fits; a Float
/// otherwise.
fn pow(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (b, e) = (arg(args, 0), arg(args, 1));
    if !is_number(b) || !is_number(e) {
        return fail("pow() expects (Int|Float, Int|Float)");
    }
    if let (Value::Int(base, _), Value::Int(exp, _)) = (b, e) {
        if *exp >= 0 {
            if let Some(r) = u32::try_from(*exp).ok().and_then(|x| base.checked_pow(x)) {
                return Ok(Value::int(r));
            }
            // 0, 1 and -1 never overflow, whatever the exponent.
            match *base {
                0 | 1 => return Ok(Value::int(*base)),
                -1 => return Ok(Value::int(if exp % 2 == 0 { 1 } else { -1 })),
                _ => {}
            }
        }
    }
    let (x, y) = (b.as_number().unwrap_or(0.0), e.as_number().unwrap_or(0.0));
    Ok(Value::float(x.powf(y)))
}

/// The smaller (or larger) of two numbers, keeping its type; NaN cannot be compared.
fn pick(args: &[Value], name: &str, want: Ordering) -> VmResult<Value> {
    let (a, b) = (arg(args, 0), arg(args, 1));
    if !is_number(a) || !is_number(b) {
        return fail(format!("{name}() expects (Int|Float, Int|Float)"));
    }
    match compare(b, a) {
        None => fail(format!("{name}() cannot compare NaN")),
        Some(o) if o == want => Ok(b.clone().with_phase(lattice_vm::Phase::Unphased)),
        Some(_) => Ok(a.clone().with_phase(lattice_vm::Phase::Unphased)),
    }
}

fn min(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    pick(args, "min", Ordering::Less)
}

fn max(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    pick(args, "max", Ordering::Greater)
}

/// `clamp(x, lo, hi)`: an Int when all three are Ints, else a Float.
fn clamp(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (x, lo, hi) = (arg(args, 0), arg(args, 1), arg(args, 2));
    if !is_number(x) || !is_number(lo) || !is_number(hi) {
        return fail("clamp() expects (Int|Float, Int|Float, Int|Float)");
    }
    if let (Value::Int(x, _), Value::Int(lo, _), Value::Int(hi, _)) = (x, lo, hi) {
        // Written as two steps, not `Ord::clamp`, which panics when lo > hi.
        return Ok(Value::int((*x).max(*lo).min(*hi)));
    }
    let (mut v, l, h) =
        (x.as_number().unwrap_or(0.0), lo.as_number().unwrap_or(0.0), hi.as_number().unwrap_or(0.0));
    if v < l {
        v = l;
    }
    if v > h {
        v = h;
    }
    Ok(Value::float(v))
}

fn sign(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Int(n, _) => Ok(Value::int(n.signum())),
        Value::Float(f, _) => Ok(Value::float(if *f > 0.0 {
            1.0
        } else if *f < 0.0 {
            -1.0
        } else {
            0.0
        })),
        _ => fail("sign() expects Int or Float"),
    }
}

fn lerp(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (a, b, t) = (arg(args, 0).as_number(), arg(args, 1).as_number(), arg(args, 2).as_number());
    match (a, b, t) {
        (Some(a), Some(b), Some(t)) => Ok(Value::float(a + (b - a) * t)),
        _ => fail("lerp() expects (Int|Float, Int|Float, Int|Float)"),
    }
}

fn gcd_u64(mut x: u64, mut y: u64) -> u64 {
    while y != 0 {
        (x, y) = (y, x % y);
    }
    x
}

fn two_ints(args: &[Value], name: &str) -> VmResult<(i64, i64)> {
    match (arg(args, 0), arg(args, 1)) {
        (Value::Int(a, _), Value::Int(b, _)) => Ok((*a, *b)),
        _ => fail(format!("{name}() expects (Int, Int)")),
    }
}

fn gcd(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (a, b) = two_ints(args, "gcd")?;
    match i64::try_from(gcd_u64(a.unsigned_abs(), b.unsigned_abs())) {
        Ok(g) => Ok(Value::int(g)),
        Err(_) => fail("gcd(): result does not fit in Int"),
    }
}

fn lcm(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (a, b) = two_ints(args, "lcm")?;
    if a == 0 || b == 0 {
        return Ok(Value::int(0));
    }
    let (x, y) = (a.unsigned_abs(), b.unsigned_abs());
    let l = (x / gcd_u64(x, y)).checked_mul(y).and_then(|l| i64::try_from(l).ok());
    match l {
        Some(l) => Ok(Value::int(l)),
        None => fail("lcm(): result does not fit in Int"),
    }
}

fn math_pi(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::float(std::f64::consts::PI))
}

fn math_e(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::float(std::f64::consts::E))
}

fn atan2(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match (arg(args, 0).as_number(), arg(args, 1).as_number()) {
        (Some(y), Some(x)) => Ok(Value::float(y.atan2(x))),
        _ => fail("atan2() expects (Int|Float, Int|Float)"),
    }
}

fn is_nan(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Int(..) => Ok(Value::FALSE),
        Value::Float(f, _) => Ok(Value::bool(f.is_nan())),
        _ => fail("is_nan() expects Int or Float"),
    }
}

fn is_inf(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Int(..) => Ok(Value::FALSE),
        Value::Float(f, _) => Ok(Value::bool(f.is_infinite())),
        _ => fail("is_inf() expects Int or Float"),
    }
}

/// State of the process-wide xorshift64* generator; 0 means "not seeded yet".
static RNG: AtomicU64 = AtomicU64::new(0);

/// The next 64 random bits. Seeded once from the clock and the process id; not for
/// cryptography (`random_bytes` and `uuid` read the OS source instead).
pub fn next_u64() -> u64 {
    let mut x = RNG.load(AtomicOrdering::Relaxed);
    if x == 0 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        x = (nanos ^ (u64::from(std::process::id()) << 32)) | 1;
    }
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    RNG.store(x, AtomicOrdering::Relaxed);
    x.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

fn random(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    // 53 random bits give every representable double in [0, 1) with a uniform step.
    Ok(Value::float((next_u64() >> 11) as f64 / (1u64 << 53) as f64))
}

/// `random_int(lo, hi)`: uniform in `[lo, hi]`, both ends included.
fn random_int(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (lo, hi) = match (arg(args, 0), arg(args, 1)) {
        (Value::Int(a, _), Value::Int(b, _)) => (*a, *b),
        _ => return fail("random_int() expects (Int, Int)"),
    };
    if lo > hi {
        return fail("random_int(): low must be <= high");
    }
    let span = hi.abs_diff(lo);
    if span == u64::MAX {
        return Ok(Value::int(next_u64() as i64));
    }
    let range = span + 1;
    // Rejection sampling keeps the result unbiased for ranges that do not divide 2^64.
    let limit = u64::MAX - (u64::MAX % range);
    let mut sample = next_u64();
    while sample >= limit {
        sample = next_u64();
    }
    Ok(Value::int(lo.wrapping_add((sample % range) as i64)))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn math_functions() {
        check_calls(vec![
            ("abs", vec![i(-3)], "3"),
            ("abs", vec![f(-2.5)], "2.5"),
            ("abs", vec![i(i64::MIN)], "-9223372036854775808"),
            ("abs", vec![s("x")], "error: abs() expects Int or Float"),
            ("floor", vec![f(2.7)], "2"),
            ("floor", vec![f(-2.5)], "-3"),
            ("ceil", vec![f(2.1)], "3"),
            ("round", vec![f(2.5)], "3"),
            ("round", vec![f(-2.5)], "-3"),
            ("round", vec![f(f64::INFINITY)], "error: round(): value out of Int range"),
            ("sqrt", vec![i(16)], "4"),
            ("sqrt", vec![i(-1)], "error: sqrt() domain error: negative input"),
            ("pow", vec![i(2), i(10)], "1024"),
            ("pow", vec![i(2), i(-1)], "0.5"),
            ("pow", vec![i(2), i(64)], "1.84467e+19"),
            ("pow", vec![i(1), i(1 << 40)], "1"),
            ("pow", vec![f(2.0), i(3)], "8"),
            ("log", vec![i(0)], "error: log() domain error: argument must be > 0"),
            ("log10", vec![i(1000)], "3"),
            ("log2", vec![i(8)], "3"),
            ("min", vec![i(1), f(2.0)], "1"),
            ("max", vec![i(1), f(2.5)], "2.5"),
            ("max", vec![i(1), s("a")], "error: max() expects (Int|Float, Int|Float)"),
            ("clamp", vec![i(15), i(0), i(10)], "10"),
            ("clamp", vec![i(5), i(10), i(0)], "0"),
            ("clamp", vec![f(0.5), i(0), i(1)], "0.5"),
            ("sign", vec![i(-9)], "-1"),
            ("sign", vec![f(0.0)], "0"),
            ("lerp", vec![i(0), i(10), f(0.5)], "5"),
            ("gcd", vec![i(12), i(-18)], "6"),
            ("gcd", vec![i(i64::MIN), i(0)], "error: gcd(): result does not fit in Int"),
            ("lcm", vec![i(4), i(6)], "12"),
            ("lcm", vec![i(i64::MAX), i(i64::MAX - 1)], "error: lcm(): result does not fit in Int"),
            ("is_nan", vec![f(f64::NAN)], "true"),
            ("is_inf", vec![i(1)], "false"),
            ("math_e", vec![], "2.71828"),
            ("sin", vec![i(0)], "0"),
            ("atan2", vec![i(1), i(1)], "0.785398"),
            ("random_int", vec![i(3), i(3)], "3"),
            ("random_int", vec![i(3), i(1)], "error: random_int(): low must be <= high"),
        ]);
    }

    #[test]
    fn random_stays_in_range() {
        let mut vm = vm();
        for _ in 0..1000 {
            let r = call(&mut vm, "random", vec![]).unwrap().as_number().unwrap();
            assert!((0.0..1.0).contains(&r));
            let n = call(&mut vm, "random_int", vec![i(-2), i(2)]).unwrap().as_int().unwrap();
            assert!((-2..=2).contains(&n));
        }
        call(&mut vm, "random_int", vec![i(i64::MIN), i(i64::MAX)]).unwrap();
    }
}
