//! Struct reflection: `struct_name`, `struct_fields`, `struct_to_map` and
//! `struct_from_map(name, map)`, which builds an instance of a declared struct type from
//! a Map (missing fields become nil, extra keys are ignored).

use crate::args::{arg, fail};
use lattice_vm::value::StructObj;
use lattice_vm::{LatMap, Phase, Value, Vm, VmResult};
use std::sync::Arc;

pub fn install(vm: &mut Vm) {
    vm.register_native("struct_name", struct_name);
    vm.register_native("struct_fields", struct_fields);
    vm.register_native("struct_to_map", struct_to_map);
    vm.register_native("struct_from_map", struct_from_map);
}

fn struct_name(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(match arg(args, 0) {
        Value::Struct(s, _) => Value::str(s.def.name.as_str()),
        _ => Value::NIL,
    })
}

fn struct_fields(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(match arg(args, 0) {
        Value::Struct(s, _) => Value::array(s.def.fields.iter().map(|f| Value::str(f.as_str())).collect()),
        _ => Value::array(Vec::new()),
    })
}

fn struct_to_map(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(match arg(args, 0) {
        Value::Struct(s, _) => {
            let mut m = LatMap::new();
            for (name, v) in s.def.fields.iter().zip(&s.fields) {
                m.insert(name, v.clone());
            }
            Value::map(m)
        }
        _ => Value::NIL,
    })
}

fn struct_from_map(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Str(name, _), Value::Map(m, _)) = (arg(args, 0), arg(args, 1)) else {
        return fail("struct_from_map: expected (name: Str, fields: Map)");
    };
    let Some(def) = vm.structs.get(name.as_str()).cloned() else {
        return fail(format!("struct_from_map: unknown struct '{name}'"));
    };
    let fields = def.fields.iter().map(|f| m.get(f).cloned().unwrap_or(Value::NIL)).collect();
    Ok(Value::Struct(Arc::new(StructObj { def, fields }), Phase::Unphased))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::value::StructObj;
    use lattice_vm::{LatMap, Phase, StructDef, Value};
    use std::sync::Arc;

    #[test]
    fn struct_reflection() {
        let mut vm = vm();
        let def = Arc::new(StructDef {
            name: "User".into(),
            fields: vec!["name".into(), "age".into()],
            field_types: vec![None, None],
            field_phases: vec![None, None],
        });
        vm.structs.insert("User".into(), def.clone());
        let u = Value::Struct(Arc::new(StructObj { def, fields: vec![s("ann"), i(30)] }), Phase::Unphased);
        assert_eq!(show(call(&mut vm, "struct_name", vec![u.clone()])), "\"User\"");
        assert_eq!(show(call(&mut vm, "struct_fields", vec![u.clone()])), "[name, age]");
        let m = call(&mut vm, "struct_to_map", vec![u]).unwrap();
        assert_eq!(show(Ok(m)), "{\"name\": ann, \"age\": 30}");
        let mut fields = LatMap::new();
        fields.insert("name", s("bob"));
        let built = call(&mut vm, "struct_from_map", vec![s("User"), Value::map(fields.clone())]);
        assert_eq!(show(built), "User { name: bob, age: nil }");
        let unknown = call(&mut vm, "struct_from_map", vec![s("Nope"), Value::map(fields)]);
        assert_eq!(show(unknown), "error: struct_from_map: unknown struct 'Nope'");
        assert_eq!(show(call(&mut vm, "struct_name", vec![i(1)])), "nil");
    }
}
