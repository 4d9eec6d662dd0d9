//! Compiled code: function prototypes, their constant pools and debug info, and the
//! struct and enum layouts they declare.
//!
//! A program is one tree: the top-level function holds its nested functions, struct and
//! enum layouts as constants, in first-use order. Prototypes are immutable once built and
//! shared (`Arc`) by every closure and thread that runs them.

use crate::opcode::Op;
use crate::value::{Phase, Value};
use std::sync::Arc;

/// A constant-pool entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    Int(i64),
    Float(f64),
    Str(Arc<String>),
    /// A list of names (struct literal field order, import lists).
    Names(Vec<String>),
    /// A nested function prototype.
    Function(Arc<Function>),
    Struct(Arc<StructDef>),
    Enum(Arc<EnumDef>),
}

impl Constant {
    /// Identity used to share one pool entry between equal constants: the tag plus exact
    /// bits (floats by bit pattern, so `0.0` and `-0.0` stay distinct).
    pub fn dedup_key(&self) -> Option<(u8, Vec<u8>)> {
        match self {
            Constant::Int(n) => Some((0, n.to_le_bytes().to_vec())),
            Constant::Float(f) => Some((1, f.to_bits().to_le_bytes().to_vec())),
            Constant::Str(s) => Some((2, s.as_bytes().to_vec())),
            Constant::Names(n) => Some((3, n.join("\0").into_bytes())),
            _ => None,
        }
    }
}

/// A parameter's declared shape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamInfo {
    pub name: String,
    /// The type annotation as written (`Int`, `[Int]`, `fix Map`, `(~|*) Map`), if any.
    pub ty: Option<String>,
    pub has_default: bool,
    pub variadic: bool,
}

/// A local variable's name over the instructions where it is live (for error messages).
#[derive(Debug, Clone, PartialEq)]
pub struct LocalName {
    pub slot: u16,
    pub name: String,
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Function {
    pub name: String,
    pub params: Vec<ParamInfo>,
    pub ret_type: Option<String>,
    pub code: Vec<Op>,
    /// Source line of each instruction (parallel to `code`).
    pub lines: Vec<u32>,
    pub constants: Vec<Constant>,
    /// Names of captured variables, by capture index.
    pub upval_names: Vec<String>,
    pub local_names: Vec<LocalName>,
    /// Highest stack height the body reaches above its frame base (from stack effects).
    pub max_stack: u32,
    /// Derived on load: the module (namespace id) the function belongs to.
    pub module: u32,
    /// Derived on load: a fast check that accepts most valid return values.
    pub ret_check: Option<crate::types::Kind>,
    /// Derived on load (not stored in files): one more than the argument count a call may
    /// pass straight into the frame, when no parameter needs fitting (defaults, variadic,
    /// annotations beyond the simple kinds); 0, also the default of a function that was
    /// never derived, matches no call.
    pub direct_arity: u32,
    /// Derived on load: (parameter index, kind) for each parameter with a simple kind.
    pub param_checks: Vec<(usize, crate::types::Kind)>,
}

impl Function {
    /// Fills the fields derived on load (`direct_arity`, `param_checks`, `ret_check`).
    pub fn derive_call_info(&mut self) {
        let kinds: Vec<Option<crate::types::Kind>> =
            self.params.iter().map(|p| p.ty.as_deref().and_then(crate::types::Kind::parse)).collect();
        let plain =
            self.params.iter().zip(&kinds).all(|(p, k)| !p.variadic && (p.ty.is_none() || k.is_some()));
        self.ret_check = self.ret_type.as_deref().and_then(crate::types::Kind::parse);
        self.direct_arity = if plain { self.params.len() as u32 + 1 } else { 0 };
        self.param_checks = kinds.iter().enumerate().filter_map(|(i, k)| k.map(|k| (i, k))).collect();
    }

    /// Whether `args` (exactly `direct_arity` of them) pass every parameter's simple kind.
    #[inline]
    pub fn args_fit_kinds(&self, args: &[Value]) -> bool {
        self.param_checks.iter().all(|&(i, k)| args.get(i).is_none_or(|v| k.accepts(v)))
    }

    /// Parameters before the variadic one.
    pub fn arity(&self) -> usize {
        self.params.iter().filter(|p| !p.variadic).count()
    }

    pub fn is_variadic(&self) -> bool {
        self.params.last().is_some_and(|p| p.variadic)
    }

    pub fn required(&self) -> usize {
        self.params.iter().filter(|p| !p.variadic && !p.has_default).count()
    }

    pub fn line_at(&self, pc: usize) -> u32 {
        self.lines.get(pc).or(self.lines.last()).copied().unwrap_or(0)
    }

    /// The name of local `slot` at instruction `pc`, if known.
    pub fn local_name(&self, slot: u16, pc: usize) -> Option<&str> {
        let pc = pc as u32;
        self.local_names
            .iter()
            .rev()
            .find(|l| l.slot == slot && l.start <= pc && pc <= l.end)
            .map(|l| l.name.as_str())
    }

    pub fn const_str(&self, idx: u32) -> &str {
        match self.constants.get(idx as usize) {
            Some(Constant::Str(s)) => s,
            _ => "",
        }
    }
}

/// A struct type's layout.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StructDef {
    pub name: String,
    pub fields: Vec<String>,
    /// Type annotation per field, as written.
    pub field_types: Vec<Option<String>>,
    /// Alloy phase per field (`host: fix String` is crystal), if declared.
    pub field_phases: Vec<Option<Phase>>,
}

impl StructDef {
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == name)
    }
}

/// An enum type's layout: variant names and payload arity (`None` for unit variants).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<(String, Option<u16>)>,
}
