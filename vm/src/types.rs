//! Run-time checks of type annotations on parameters, returns and struct fields.
//!
//! Annotations arrive as the text the compiler rendered (`Int`, `[Int]`, `fix Map`,
//! `(~|*) Map`, `Fn(Int) -> Int`, `Map<String, Int>`). Simple names are matched directly
//! (the common case, on every call of a typed function); the rest are parsed here.
//! `[T]` is checked element by element (R16). Unknown names (generic parameters, types
//! from modules not loaded) accept any value.

use crate::error::{RuntimeError, VmResult};
use crate::module::Function;
use crate::value::{Phase, Value};
use crate::vm::Vm;

/// A simple annotation checked without parsing text: the fast path for typed calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Number,
    Str,
    Bool,
    Map,
    Array,
    Fn,
    Any,
}

impl Kind {
    pub fn parse(ty: &str) -> Option<Kind> {
        Some(match ty {
            "Int" => Kind::Int,
            "Float" => Kind::Float,
            "Number" => Kind::Number,
            "String" | "Str" => Kind::Str,
            "Bool" => Kind::Bool,
            "Map" => Kind::Map,
            "Array" => Kind::Array,
            "Fn" | "Closure" | "Function" => Kind::Fn,
            "Any" | "any" => Kind::Any,
            _ => return None,
        })
    }

    #[inline]
    pub fn accepts(self, v: &Value) -> bool {
        match self {
            Kind::Int => matches!(v, Value::Int(..)),
            Kind::Float => matches!(v, Value::Float(..)),
            Kind::Number => matches!(v, Value::Int(..) | Value::Float(..)),
            Kind::Str => matches!(v, Value::Str(..)),
            Kind::Bool => matches!(v, Value::Bool(..)),
            Kind::Map => matches!(v, Value::Map(..)),
            Kind::Array => matches!(v, Value::Array(..)),
            Kind::Fn => v.is_callable(),
            Kind::Any => true,
        }
    }
}

/// `None` when `v` fits `ty`; otherwise the text after "expects ", such as
/// "type Int, got String".
pub fn mismatch(vm: &Vm, v: &Value, ty: &str) -> Option<String> {
    let (phases, ty) = split_phase(ty);
    if let Some(allowed) = phases {
        let p = v.phase();
        let ok = match p {
            Phase::Fluid => allowed.contains(&Phase::Fluid),
            Phase::Crystal => allowed.contains(&Phase::Crystal),
            Phase::Sublimated => allowed.contains(&Phase::Sublimated),
            // Unphased values are neither: they satisfy any constraint but a crystal-only one
            // only when they are immutable scalars.
            Phase::Unphased => {
                allowed.contains(&Phase::Fluid)
                    || !matches!(v, Value::Array(..) | Value::Map(..) | Value::Struct(..))
            }
        };
        if !ok {
            let want: Vec<&str> = allowed.iter().map(|p| p.name()).collect();
            return Some(format!("a {} value, got {}", want.join(" or "), p.name()));
        }
    }
    if ty.is_empty() || fits(vm, v, ty, 0) {
        None
    } else {
        Some(format!("type {ty}, got {}", value_type_name(v)))
    }
}

/// The name used in type errors: struct and enum values by their own name.
fn value_type_name(v: &Value) -> String {
    match v {
        Value::Struct(s, _) => s.def.name.clone(),
        Value::Enum(e, _) => e.enum_name.to_string(),
        Value::Closure(..) | Value::Native(..) => "Fn".into(),
        other => other.type_name().to_string(),
    }
}

/// Splits a leading phase constraint off a type annotation.
fn split_phase(ty: &str) -> (Option<Vec<Phase>>, &str) {
    let ty = ty.trim();
    let one = |w: &str| match w {
        "flux" | "~" | "fluid" => Some(Phase::Fluid),
        "fix" | "*" | "crystal" => Some(Phase::Crystal),
        "sublimated" => Some(Phase::Sublimated),
        _ => None,
    };
    if let Some(rest) = ty.strip_prefix('(') {
        if let Some(end) = rest.find(')') {
            let phases: Option<Vec<Phase>> = rest[..end].split('|').map(|w| one(w.trim())).collect();
            if let Some(p) = phases {
                return (Some(p), rest[end + 1..].trim());
            }
        }
    }
    for prefix in ["flux ", "fix ", "sublimated "] {
        if let Some(rest) = ty.strip_prefix(prefix) {
            return (one(prefix.trim()).map(|p| vec![p]), rest.trim());
        }
    }
    if ty == "flux" || ty == "fix" || ty == "sublimated" {
        return (one(ty).map(|p| vec![p]), "");
    }
    for prefix in ["~", "*"] {
        if let Some(rest) = ty.strip_prefix(prefix) {
            return (one(prefix).map(|p| vec![p]), rest.trim());
        }
    }
    (None, ty)
}

fn fits(vm: &Vm, v: &Value, ty: &str, depth: usize) -> bool {
    if depth > 64 {
        return true;
    }
    if let Some(inner) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return match v {
            Value::Array(items, _) => items.iter().all(|x| fits(vm, x, inner.trim(), depth + 1)),
            _ => false,
        };
    }
    let base = ty.split('<').next().unwrap_or(ty).trim();
    let base = if base.starts_with("Fn(") || base.starts_with("fn(") { "Fn" } else { base };
    match base {
        "Int" => matches!(v, Value::Int(..)),
        "Float" => matches!(v, Value::Float(..)),
        "Number" => matches!(v, Value::Int(..) | Value::Float(..)),
        "String" | "Str" => matches!(v, Value::Str(..)),
        "Bool" => matches!(v, Value::Bool(..)),
        "Nil" => matches!(v, Value::Nil(..)),
        "Unit" => matches!(v, Value::Unit(..)),
        "Map" => matches!(v, Value::Map(..)),
        "Array" => matches!(v, Value::Array(..)),
        "Fn" | "Closure" | "Function" => v.is_callable(),
        "Channel" => matches!(v, Value::Channel(..)),
        "Range" => matches!(v, Value::Range(..)),
        "Set" => matches!(v, Value::Set(..)),
        "Tuple" => matches!(v, Value::Tuple(..)),
        "Iterator" => matches!(v, Value::Iterator(..)),
        "Buffer" => matches!(v, Value::Buffer(..)),
        "Any" | "any" | "" => true,
        name => match v {
            Value::Struct(s, _) if s.def.name == name => true,
            Value::Enum(e, _) if &*e.enum_name == name => true,
            _ => !vm.structs.contains_key(name) && !vm.enums.contains_key(name),
        },
    }
}

pub fn check_return(vm: &Vm, func: &Function, ty: &str, v: &mut Value) -> VmResult<()> {
    if matches!(v, Value::Unit(_)) && matches!(ty, "Unit" | "Any" | "any") {
        return Ok(());
    }
    match mismatch(vm, v, ty) {
        None => Ok(()),
        Some(msg) => Err(RuntimeError::new(format!(
            "function '{}' return type expects {}",
            func.name,
            msg.strip_prefix("type ").unwrap_or(&msg)
        ))),
    }
}

pub fn check_value(vm: &Vm, v: &Value, ty: &str, what: &str) -> VmResult<()> {
    // "!thawable": anything but a sublimated value (R8: sublimation is permanent).
    if ty == "!thawable" {
        return if v.phase() == Phase::Sublimated {
            Err(RuntimeError::new(format!("{what}: it is sublimated, and sublimation is permanent")))
        } else {
            Ok(())
        };
    }
    // "!crystal": the value itself must be crystal (anneal's target, R7).
    if ty == "!crystal" {
        return if v.is_crystal() {
            Ok(())
        } else {
            Err(RuntimeError::new(format!(
                "{what} must be crystal (frozen), got a {} value",
                v.phase().name()
            )))
        };
    }
    match mismatch(vm, v, ty) {
        None => Ok(()),
        Some(msg) => Err(RuntimeError::new(format!("{what} expects {msg}"))),
    }
}
