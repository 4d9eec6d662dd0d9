//! Enum value methods: `variant_name` (alias `tag`), `enum_name`, `is_variant` and
//! `payload` (the variant's data as an Array, empty for a unit variant).

use crate::args::arg;
use lattice_vm::{TypeTag, Value, Vm, VmResult};

pub fn install(vm: &mut Vm) {
    vm.register_method(TypeTag::Enum, "variant_name", variant_name);
    vm.register_method(TypeTag::Enum, "tag", variant_name);
    vm.register_method(TypeTag::Enum, "enum_name", enum_name);
    vm.register_method(TypeTag::Enum, "is_variant", is_variant);
    vm.register_method(TypeTag::Enum, "payload", payload);
}

fn variant_name(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(match recv {
        Value::Enum(e, _) => Value::str(&*e.variant),
        _ => Value::NIL,
    })
}

fn enum_name(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(match recv {
        Value::Enum(e, _) => Value::str(&*e.enum_name),
        _ => Value::NIL,
    })
}

fn is_variant(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let yes = match (recv, arg(args, 0)) {
        (Value::Enum(e, _), Value::Str(name, _)) => *e.variant == **name,
        _ => false,
    };
    Ok(Value::bool(yes))
}

fn payload(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(match recv {
        Value::Enum(e, _) => Value::array(e.payload.clone()),
        _ => Value::array(Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::Value;

    #[test]
    fn enum_methods() {
        let rgb = Value::enum_value("Color".into(), "Rgb".into(), vec![i(1), i(2), i(3)]);
        let red = Value::enum_value("Color".into(), "Red".into(), vec![]);
        check_methods(vec![
            (rgb.clone(), "payload", vec![], "[1, 2, 3]"),
            (red.clone(), "payload", vec![], "[]"),
            (red.clone(), "variant_name", vec![], "\"Red\""),
            (red.clone(), "tag", vec![], "\"Red\""),
            (rgb.clone(), "enum_name", vec![], "\"Color\""),
            (rgb.clone(), "is_variant", vec![s("Rgb")], "true"),
            (rgb, "is_variant", vec![s("Red")], "false"),
        ]);
    }
}
