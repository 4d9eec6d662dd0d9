//! The disassembler behind `lat disasm`: one line per instruction, in the style of clox's
//! `debug.c`: offset, source line (`|` when it repeats), opcode, operands, and the
//! constant an operand names. The text is stable: snapshot tests depend on it.

use crate::module::{Constant, Function};
use crate::opcode::Op;
use std::fmt::Write;

/// Disassembles `f` and every function nested in it.
pub fn disassemble(f: &Function) -> String {
    let mut out = String::new();
    write_function(&mut out, f);
    out
}

fn write_function(out: &mut String, f: &Function) {
    let _ = writeln!(out, "== {} ({} params, {} constants) ==", f.name, f.params.len(), f.constants.len());
    let mut prev_line = None;
    for (pc, op) in f.code.iter().enumerate() {
        let line = f.line_at(pc);
        let line_text = if prev_line == Some(line) { "   |".to_string() } else { format!("{line:4}") };
        prev_line = Some(line);
        let _ = write!(out, "{pc:04} {line_text} {:<16}", op.name());
        for (name, value) in op.operands() {
            let _ = write!(out, " {name}={value}");
        }
        if let Some(note) = note(f, pc, op) {
            let _ = write!(out, "  ; {note}");
        }
        out.push('\n');
    }
    for c in &f.constants {
        if let Constant::Function(g) = c {
            out.push('\n');
            write_function(out, g);
        }
    }
}

fn constant_text(f: &Function, idx: u32) -> String {
    match f.constants.get(idx as usize) {
        Some(Constant::Int(n)) => n.to_string(),
        Some(Constant::Float(x)) => format!("{x:?}"),
        Some(Constant::Str(s)) => format!("{s:?}"),
        Some(Constant::Names(n)) => format!("[{}]", n.join(", ")),
        Some(Constant::Function(g)) => format!("<fn {}>", g.name),
        Some(Constant::Struct(d)) => format!("<struct {}>", d.name),
        Some(Constant::Enum(d)) => format!("<enum {}>", d.name),
        None => "?".into(),
    }
}

fn note(f: &Function, pc: usize, op: &Op) -> Option<String> {
    match *op {
        Op::Const { idx } => Some(constant_text(f, idx)),
        Op::GetGlobal { name }
        | Op::SetGlobal { name }
        | Op::DefGlobal { name }
        | Op::StoreGlobal { name }
        | Op::AddSetGlobal { name }
        | Op::GetField { name }
        | Op::GetFieldOpt { name }
        | Op::Invoke { name, .. }
        | Op::InvokeLocal { name, .. }
        | Op::InvokeUpval { name, .. }
        | Op::InvokeLocalPath { name, .. }
        | Op::InvokeUpvalPath { name, .. } => Some(constant_text(f, name)),
        Op::Closure { func, .. } => Some(constant_text(f, func)),
        Op::MakeStruct { name, .. } | Op::Import { path: name } => Some(constant_text(f, name)),
        Op::PathCall { ty, member, .. } | Op::PathGet { ty, member } => {
            Some(format!("{}::{}", constant_text(f, ty), constant_text(f, member)))
        }
        _ => crate::verify::jump_target(*op, pc).map(|t| format!("-> {t:04}")),
    }
}
