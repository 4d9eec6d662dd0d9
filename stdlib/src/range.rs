//! Range methods: `len` (0 for an empty or descending range) and `contains` (Ints
//! inside the half-open interval `start..end`).

use crate::args::arg;
use lattice_vm::{TypeTag, Value, Vm, VmResult};

pub fn install(vm: &mut Vm) {
    vm.register_method(TypeTag::Range, "len", len);
    vm.register_method(TypeTag::Range, "length", len);
    vm.register_method(TypeTag::Range, "contains", contains);
}

fn bounds(recv: &Value) -> (i64, i64) {
    match recv {
        Value::Range(r, _) => **r,
        _ => (0, 0),
    }
}

fn len(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let (a, b) = bounds(recv);
    Ok(Value::int(b.saturating_sub(a).max(0)))
}

fn contains(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let (a, b) = bounds(recv);
    Ok(Value::bool(matches!(arg(args, 0), Value::Int(n, _) if (a..b).contains(n))))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::Value;

    #[test]
    fn range_methods() {
        check_methods(vec![
            (Value::range(1, 5), "len", vec![], "4"),
            (Value::range(5, 1), "len", vec![], "0"),
            (Value::range(1, 5), "contains", vec![i(4)], "true"),
            (Value::range(1, 5), "contains", vec![i(5)], "false"),
            (Value::range(5, 1), "contains", vec![i(3)], "false"),
            (Value::range(i64::MIN, i64::MAX), "len", vec![], "9223372036854775807"),
        ]);
    }
}
