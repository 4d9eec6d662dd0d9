//! CSV: `csv_parse(text)` into an Array of rows (Arrays of String fields) and
//! `csv_stringify(rows)` back. Fields are separated by `,`, rows by `\n` or `\r\n`; a
//! field in double quotes may hold commas, newlines and doubled quotes (`""`). Every
//! field stays a String; stringifying uses each value's display form and quotes a field
//! only when it needs it.

use crate::args::{arg, fail};
use lattice_vm::display::to_display;
use lattice_vm::{Value, Vm, VmResult};

pub fn install(vm: &mut Vm) {
    vm.register_native("csv_parse", csv_parse);
    vm.register_native("csv_stringify", csv_stringify);
}

pub const MODULE: &[(&str, &str)] = &[("parse", "csv_parse"), ("stringify", "csv_stringify")];

/// The rows of `text`. An unterminated quoted field runs to the end of the input.
pub fn parse(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let mut row = Vec::new();
        loop {
            let mut field = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    if c == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            field.push('"');
                        } else {
                            break;
                        }
                    } else {
                        field.push(c);
                    }
                }
            }
            // Text after a closing quote, or an unquoted field, runs to the separator.
            while let Some(&c) = chars.peek() {
                if matches!(c, ',' | '\n' | '\r') {
                    break;
                }
                field.push(c);
                chars.next();
            }
            row.push(field);
            if chars.peek() == Some(&',') {
                chars.next();
            } else {
                break;
            }
        }
        if chars.peek() == Some(&'\r') {
            chars.next();
        }
        if chars.peek() == Some(&'\n') {
            chars.next();
        }
        rows.push(row);
    }
    rows
}

fn csv_parse(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(text, _) = arg(args, 0) else {
        return fail("csv_parse() expects (String)");
    };
    let rows =
        parse(text).into_iter().map(|row| Value::array(row.into_iter().map(Value::str).collect())).collect();
    Ok(Value::array(rows))
}

fn csv_stringify(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Array(rows, _) = arg(args, 0) else {
        return fail("csv_stringify() expects an Array of rows");
    };
    let mut out = String::new();
    for row in rows.iter() {
        let Value::Array(fields, _) = row else {
            return fail("csv_stringify: each row must be an Array");
        };
        for (i, v) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let text = to_display(v);
            if text.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&text.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(&text);
            }
        }
        out.push('\n');
    }
    Ok(Value::str(out))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn csv_round_trip() {
        check_calls(vec![
            ("csv_parse", vec![s("a,b,c\n1,2,3\n")], "[[a, b, c], [1, 2, 3]]"),
            ("csv_parse", vec![s("\"x, y\",\"say \"\"hi\"\"\"\r\nz,\n")], "[[x, y, say \"hi\"], [z, ]]"),
            ("csv_parse", vec![s("\"multi\nline\",2")], "[[multi\nline, 2]]"),
            ("csv_parse", vec![s("\"open")], "[[open]]"),
            ("csv_parse", vec![s("")], "[]"),
            ("csv_parse", vec![i(1)], "error: csv_parse() expects (String)"),
            (
                "csv_stringify",
                vec![arr(vec![strs(&["name", "age"]), arr(vec![s("A, B"), i(30)])])],
                "\"name,age\n\"A, B\",30\n\"",
            ),
            ("csv_stringify", vec![arr(vec![i(1)])], "error: csv_stringify: each row must be an Array"),
        ]);
    }
}
