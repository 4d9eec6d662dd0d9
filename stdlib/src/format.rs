//! `format(fmt, args...)`: `{}` is replaced by the next argument's display form, `{{`
//! and `}}` stand for literal braces, and every other character is copied.

use crate::args::{fail, string};
use lattice_vm::display::to_display;
use lattice_vm::{Value, Vm, VmResult};

pub fn install(vm: &mut Vm) {
    vm.register_native("format", format);
}

fn format(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Ok(fmt) = string(args, 0, "format()") else {
        return fail("format: expected (fmt: Str, ...)");
    };
    Ok(Value::str(format_with(fmt, &args[1..])?))
}

/// Fills the `{}` placeholders of `fmt` with `values` in order.
pub fn format_with(fmt: &str, values: &[Value]) -> VmResult<String> {
    let mut out = String::with_capacity(fmt.len());
    let mut next = values.iter();
    let mut rest = fmt;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("{{") {
            out.push('{');
            rest = &rest[2..];
        } else if rest.starts_with("}}") {
            out.push('}');
            rest = &rest[2..];
        } else if rest.starts_with("{}") {
            match next.next() {
                Some(v) => out.push_str(&to_display(v)),
                None => return fail("format: not enough arguments for placeholders"),
            }
            rest = &rest[2..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn formats() {
        check_calls(vec![
            ("format", vec![s("{} and {}"), i(1), s("x")], "\"1 and x\""),
            ("format", vec![s("{{}} {}"), f(2.5)], "\"{} 2.5\""),
            ("format", vec![s("é{}ü"), arr(vec![i(1)])], "\"é[1]ü\""),
            ("format", vec![s("{} {}"), i(1)], "error: format: not enough arguments for placeholders"),
            ("format", vec![s("no slots"), i(1)], "\"no slots\""),
            ("format", vec![i(1)], "error: format: expected (fmt: Str, ...)"),
        ]);
    }
}
