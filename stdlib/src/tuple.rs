//! Tuple methods: `len` (elements are read with `.0`, `.1` by the VM) and `to_array`.

use lattice_vm::{TypeTag, Value, Vm, VmResult};

pub fn install(vm: &mut Vm) {
    vm.register_method(TypeTag::Tuple, "len", len);
    vm.register_method(TypeTag::Tuple, "length", len);
    vm.register_method(TypeTag::Tuple, "to_array", to_array);
}

fn items(recv: &Value) -> &[Value] {
    match recv {
        Value::Tuple(items, _) => items,
        _ => &[],
    }
}

fn len(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::int(items(recv).len() as i64))
}

fn to_array(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(items(recv).to_vec()))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::Value;

    #[test]
    fn tuple_methods() {
        let t = Value::tuple(vec![i(1), s("a"), Value::TRUE]);
        check_methods(vec![(t.clone(), "len", vec![], "3"), (t, "to_array", vec![], "[1, a, true]")]);
    }
}
