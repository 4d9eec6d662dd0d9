//! Byte buffers: `Buffer::new(n)` (n zero bytes), `Buffer::from(array)`,
//! `Buffer::from_string(s)`, and the Buffer methods: little-endian typed reads and
//! writes (`read_u16(i)`, `write_i64(i, v)`, `read_f64(i)` ...), appends (`push`,
//! `push_u16`, `push_u32`), `slice`, `fill`, `resize`, `clear` and conversions
//! (`to_array`, `to_string`, `to_hex`).
//!
//! Reads and writes out of bounds are errors. Integer writes keep the low bytes of the
//! value, as a C cast would.

use crate::args::{arg, fail, MAX_BUILD};
use crate::mutation::check_mutable;
use lattice_vm::{TypeTag, Value, Vm, VmResult};
use std::sync::Arc;

pub fn install(vm: &mut Vm) {
    vm.register_static("Buffer", "new", buffer_new);
    vm.register_static("Buffer", "from", buffer_from);
    vm.register_static("Buffer", "from_string", buffer_from_string);
    let reading: &[(&str, lattice_vm::MethodFn)] = &[
        ("len", len),
        ("length", len),
        ("capacity", capacity),
        ("read_u8", read_u8),
        ("read_i8", read_i8),
        ("read_u16", read_u16),
        ("read_i16", read_i16),
        ("read_u32", read_u32),
        ("read_i32", read_i32),
        ("read_u64", read_u64),
        ("read_i64", read_i64),
        ("read_f32", read_f32),
        ("read_f64", read_f64),
        ("slice", slice),
        ("to_array", to_array),
        ("to_string", to_string),
        ("to_hex", to_hex),
    ];
    for (name, f) in reading {
        vm.register_method(TypeTag::Buffer, name, *f);
    }
    let writing: &[(&str, lattice_vm::MethodFn)] = &[
        ("push", push),
        ("push_u16", push_u16),
        ("push_u32", push_u32),
        ("write_u8", write_u8),
        ("write_u16", write_u16),
        ("write_u32", write_u32),
        ("write_u64", write_u64),
        ("write_i64", write_i64),
        ("clear", clear),
        ("fill", fill),
        ("resize", resize),
    ];
    for (name, f) in writing {
        vm.register_mutating_method(TypeTag::Buffer, name, *f);
    }
}

/// A size argument: negative is 0, beyond the build limit is an error.
fn size_arg(args: &[Value], what: &str) -> VmResult<usize> {
    match arg(args, 0) {
        Value::Int(n, _) if *n > MAX_BUILD as i64 => fail(format!("{what}: size {n} is too large")),
        Value::Int(n, _) => Ok((*n).max(0) as usize),
        other => fail(format!("{what} expects an Int size, got {}", other.type_name())),
    }
}

fn buffer_new(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(Value::buffer(vec![0; size_arg(args, "Buffer::new()")?]))
}

/// Each Int element's low byte; other elements become 0.
fn buffer_from(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let bytes = match arg(args, 0) {
        Value::Array(items, _) => items.iter().map(|v| v.as_int().map_or(0, |n| n as u8)).collect(),
        _ => Vec::new(),
    };
    Ok(Value::buffer(bytes))
}

fn buffer_from_string(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(Value::buffer(arg(args, 0).as_str().unwrap_or("").as_bytes().to_vec()))
}

fn bytes(recv: &Value) -> &[u8] {
    match recv {
        Value::Buffer(b, _) => b,
        _ => &[],
    }
}

fn bytes_mut(recv: &mut Value) -> Option<&mut Vec<u8>> {
    match recv {
        Value::Buffer(b, _) => Some(Arc::make_mut(b)),
        _ => None,
    }
}

fn len(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::int(bytes(recv).len() as i64))
}

fn capacity(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let cap = match recv {
        Value::Buffer(b, _) => b.capacity(),
        _ => 0,
    };
    Ok(Value::int(cap as i64))
}

/// The offset of an `N`-byte access at argument 0, checked against the buffer.
fn offset<const N: usize>(recv: &Value, args: &[Value], what: &str) -> VmResult<usize> {
    let len = bytes(recv).len();
    match arg(args, 0) {
        Value::Int(i, _) if *i >= 0 && (*i as u64) <= len as u64 && len - (*i as usize) >= N => {
            Ok(*i as usize)
        }
        _ => fail(format!("Buffer.{what}: index out of bounds")),
    }
}

/// The `N` bytes at the offset in argument 0.
fn read<const N: usize>(recv: &Value, args: &[Value], what: &str) -> VmResult<[u8; N]> {
    let at = offset::<N>(recv, args, what)?;
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes(recv)[at..at + N]);
    Ok(out)
}

/// Writes the low `N` bytes of the Int in argument 1 at the offset in argument 0.
fn write<const N: usize>(recv: &mut Value, args: &[Value], what: &str) -> VmResult<Value> {
    check_mutable(recv, what)?;
    let at = offset::<N>(recv, args, what)?;
    let Value::Int(v, _) = arg(args, 1) else {
        return fail(format!("Buffer.{what}: value must be an Int"));
    };
    let le = v.to_le_bytes();
    if let Some(b) = bytes_mut(recv) {
        b[at..at + N].copy_from_slice(&le[..N]);
    }
    Ok(Value::UNIT)
}

macro_rules! reader {
    ($name:ident, $n:literal, $conv:expr) => {
        fn $name(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
            let raw = read::<$n>(recv, args, stringify!($name))?;
            Ok($conv(raw))
        }
    };
}

reader!(read_u8, 1, |b: [u8; 1]| Value::int(i64::from(b[0])));
reader!(read_i8, 1, |b: [u8; 1]| Value::int(i64::from(i8::from_le_bytes(b))));
reader!(read_u16, 2, |b| Value::int(i64::from(u16::from_le_bytes(b))));
reader!(read_i16, 2, |b| Value::int(i64::from(i16::from_le_bytes(b))));
reader!(read_u32, 4, |b| Value::int(i64::from(u32::from_le_bytes(b))));
reader!(read_i32, 4, |b| Value::int(i64::from(i32::from_le_bytes(b))));
// A u64 above i64::MAX wraps to a negative Int, as the reference's cast does.
reader!(read_u64, 8, |b| Value::int(u64::from_le_bytes(b) as i64));
reader!(read_i64, 8, |b| Value::int(i64::from_le_bytes(b)));
reader!(read_f32, 4, |b| Value::float(f64::from(f32::from_le_bytes(b))));
reader!(read_f64, 8, |b| Value::float(f64::from_le_bytes(b)));

fn write_u8(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    write::<1>(recv, args, "write_u8")
}

fn write_u16(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    write::<2>(recv, args, "write_u16")
}

fn write_u32(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    write::<4>(recv, args, "write_u32")
}

fn write_u64(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    write::<8>(recv, args, "write_u64")
}

fn write_i64(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    write::<8>(recv, args, "write_i64")
}

/// Appends the low `N` bytes of an Int argument (non-Ints are ignored, as in the
/// reference).
fn append<const N: usize>(recv: &mut Value, args: &[Value], what: &str) -> VmResult<Value> {
    check_mutable(recv, what)?;
    if let (Value::Int(v, _), Some(b)) = (arg(args, 0).clone(), bytes_mut(recv)) {
        b.extend_from_slice(&v.to_le_bytes()[..N]);
    }
    Ok(Value::UNIT)
}

fn push(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    append::<1>(recv, args, "push")
}

fn push_u16(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    append::<2>(recv, args, "push_u16")
}

fn push_u32(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    append::<4>(recv, args, "push_u32")
}

fn clear(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "clear")?;
    if let Some(b) = bytes_mut(recv) {
        b.clear();
    }
    Ok(Value::UNIT)
}

/// Sets every byte to the low byte of the argument (0 for a non-Int).
fn fill(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "fill")?;
    let byte = arg(args, 0).as_int().map_or(0, |n| n as u8);
    if let Some(b) = bytes_mut(recv) {
        b.fill(byte);
    }
    Ok(Value::UNIT)
}

/// Grows with zero bytes or truncates to the new length.
fn resize(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "resize")?;
    let n = size_arg(args, "resize()")?;
    if let Some(b) = bytes_mut(recv) {
        b.resize(n, 0);
    }
    Ok(Value::UNIT)
}

/// Bytes `[start, end)` as a new Buffer, both clamped.
fn slice(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let b = bytes(recv);
    let n = b.len() as i64;
    let start = arg(args, 0).as_int().unwrap_or(0).clamp(0, n);
    let end = arg(args, 1).as_int().unwrap_or(n).clamp(start, n);
    Ok(Value::buffer(b[start as usize..end as usize].to_vec()))
}

fn to_array(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(bytes(recv).iter().map(|&b| Value::int(i64::from(b))).collect()))
}

/// The bytes as text (invalid UTF-8 is replaced, as strings are always valid).
fn to_string(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(String::from_utf8_lossy(bytes(recv)).into_owned()))
}

fn to_hex(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(crate::crypto::hex(bytes(recv))))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::{Phase, Value, Vm};

    fn make(vm: &mut Vm, ctor: &str, arg: Value) -> Value {
        let f = vm.static_fn("Buffer", ctor).unwrap();
        f(vm, &[arg]).unwrap()
    }

    #[test]
    fn typed_reads_and_writes() {
        let mut vm = vm();
        let mut b = make(&mut vm, "new", i(8));
        assert_eq!(show(method(&mut vm, &mut b, "len", vec![])), "8");
        method(&mut vm, &mut b, "write_u16", vec![i(0), i(0x1234)]).unwrap();
        method(&mut vm, &mut b, "write_u32", vec![i(2), i(-1)]).unwrap();
        let cases = vec![
            ("read_u8", vec![i(0)], "52"),
            ("read_u16", vec![i(0)], "4660"),
            ("read_u32", vec![i(2)], "4294967295"),
            ("read_i32", vec![i(2)], "-1"),
            ("read_i8", vec![i(2)], "-1"),
            ("read_u16", vec![i(7)], "error: Buffer.read_u16: index out of bounds"),
            ("read_u8", vec![i(-1)], "error: Buffer.read_u8: index out of bounds"),
            ("read_u64", vec![i(i64::MAX)], "error: Buffer.read_u64: index out of bounds"),
            ("write_u8", vec![i(0), s("x")], "error: Buffer.write_u8: value must be an Int"),
            ("to_hex", vec![], "\"3412ffffffff0000\""),
            ("slice", vec![i(0), i(2)], "Buffer<2 bytes: 34 12>"),
        ];
        for (name, args, want) in cases {
            assert_eq!(show(method(&mut vm, &mut b, name, args)), want, "{name}");
        }
        method(&mut vm, &mut b, "write_i64", vec![i(0), i(-2)]).unwrap();
        assert_eq!(show(method(&mut vm, &mut b, "read_i64", vec![i(0)])), "-2");
        let mut fb = make(&mut vm, "new", i(8));
        method(&mut vm, &mut fb, "write_u64", vec![i(0), i(1.5f64.to_bits() as i64)]).unwrap();
        assert_eq!(show(method(&mut vm, &mut fb, "read_f64", vec![i(0)])), "1.5");
    }

    #[test]
    fn growth_and_conversions() {
        let mut vm = vm();
        let mut b = make(&mut vm, "from", ints(&[72, 105, 300]));
        assert_eq!(show(method(&mut vm, &mut b, "to_array", vec![])), "[72, 105, 44]");
        method(&mut vm, &mut b, "resize", vec![i(2)]).unwrap();
        assert_eq!(show(method(&mut vm, &mut b, "to_string", vec![])), "\"Hi\"");
        method(&mut vm, &mut b, "push_u16", vec![i(0x0102)]).unwrap();
        assert_eq!(show(method(&mut vm, &mut b, "to_array", vec![])), "[72, 105, 2, 1]");
        method(&mut vm, &mut b, "fill", vec![i(7)]).unwrap();
        method(&mut vm, &mut b, "push", vec![i(9)]).unwrap();
        assert_eq!(show(method(&mut vm, &mut b, "to_array", vec![])), "[7, 7, 7, 7, 9]");
        method(&mut vm, &mut b, "clear", vec![]).unwrap();
        assert_eq!(show(method(&mut vm, &mut b, "len", vec![])), "0");
        let mut s = make(&mut vm, "from_string", s("abc"));
        assert_eq!(show(method(&mut vm, &mut s, "to_hex", vec![])), "\"616263\"");
        let f = vm.static_fn("Buffer", "new").unwrap();
        assert!(show(f(&mut vm, &[i(1 << 40)])).contains("too large"));
        let mut frozen = s.with_phase(Phase::Crystal);
        assert!(show(method(&mut vm, &mut frozen, "push", vec![i(1)])).contains("frozen"));
    }
}
