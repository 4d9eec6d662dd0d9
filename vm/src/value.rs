//! Runtime values and their phase tags.
//!
//! A [`Value`] is 16 bytes: a variant tag, a [`Phase`] byte and an 8-byte payload. Scalars
//! are unboxed; containers and strings are `Arc` handles with copy-on-write value semantics
//! (`b = a` bumps a count, the first mutation of a shared container copies it). Every
//! variant carries its phase inline, so a phase check is one byte compare and changing the
//! phase of a value never touches the heap object it points to.
//!
//! Thread model (design.md, "Values across threads", shape 1): atomic counts everywhere and
//! no unsynchronised interior mutability, so `Value: Send + Sync` in safe code. The only
//! shared mutable objects are captured-variable cells and iterators, which hold a `Mutex`.
//!
//! Display and equality rules live in `display.rs` and `compare.rs`; this file holds the
//! representation and cheap accessors only.

use crate::map::LatMap;
use crate::module::{Function, StructDef};
use std::sync::{Arc, Mutex};

/// The mutability state of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum Phase {
    /// Literals, temporaries and `let` bindings of them.
    #[default]
    Unphased = 0,
    /// Mutable: `flux` bindings, thawed values.
    Fluid = 1,
    /// Deeply immutable: frozen values and `fix` bindings.
    Crystal = 2,
    /// Top-level structure locked, inner values mutable (R8).
    Sublimated = 3,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Unphased => "unphased",
            Phase::Fluid => "fluid",
            Phase::Crystal => "crystal",
            Phase::Sublimated => "sublimated",
        }
    }

    pub fn from_u8(b: u8) -> Option<Phase> {
        Some(match b {
            0 => Phase::Unphased,
            1 => Phase::Fluid,
            2 => Phase::Crystal,
            3 => Phase::Sublimated,
            _ => return None,
        })
    }
}

/// A Lattice value. Construct with the lower-case helpers (`Value::int(3)`), which give
/// unphased values; read with the `as_*` helpers or by matching.
#[derive(Clone)]
pub enum Value {
    Nil(Phase),
    Unit(Phase),
    Bool(bool, Phase),
    Int(i64, Phase),
    Float(f64, Phase),
    Str(Arc<String>, Phase),
    Array(Arc<Vec<Value>>, Phase),
    Map(Arc<LatMap>, Phase),
    Struct(Arc<StructObj>, Phase),
    Enum(Arc<EnumObj>, Phase),
    Tuple(Arc<Vec<Value>>, Phase),
    Set(Arc<LatMap>, Phase),
    Range(Arc<(i64, i64)>, Phase),
    Closure(Arc<Closure>, Phase),
    /// A function implemented in Rust, by index into the VM's native table.
    Native(u32, Phase),
    /// A lazy iterator (shared state: copies advance together).
    Iterator(Arc<Mutex<crate::iter::IterState>>, Phase),
    Channel(Arc<crate::channel::Channel>, Phase),
    Buffer(Arc<Vec<u8>>, Phase),
    /// `Ref::new(v)`: a shared mutable box with reference semantics (copies of a Ref
    /// see each other's writes), the one deliberate exception to value semantics.
    Ref(Arc<Mutex<Value>>, Phase),
    /// A captured local's shared cell. Internal: never visible to programs, it only lives
    /// in the stack slot of a captured local and in a closure's capture list.
    Cell(Arc<Mutex<Value>>),
    /// An unassigned global. Internal: reading it is an "undefined variable" error.
    Undef,
}

/// An instance of a struct type.
#[derive(Clone)]
pub struct StructObj {
    pub def: Arc<StructDef>,
    /// Field values in declaration order.
    pub fields: Vec<Value>,
}

/// A value of an enum type: which variant, and its payload.
#[derive(Clone)]
pub struct EnumObj {
    pub enum_name: Arc<str>,
    pub variant: Arc<str>,
    pub payload: Vec<Value>,
}

/// A function value: its code and the cells it captured.
pub struct Closure {
    pub func: Arc<Function>,
    pub captures: Vec<Arc<Mutex<Value>>>,
    /// Phase-dependent dispatch: an earlier definition of the same name with different
    /// phase constraints, tried when this one does not accept the arguments.
    pub next: Option<Arc<Closure>>,
}

impl Value {
    /// Whether the value owns nothing (no reference count): copying its bits is a clone
    /// and forgetting it is a drop. The dispatch loop uses this to keep the common
    /// scalar case inline instead of calling the out-of-line clone and drop glue.
    #[inline(always)]
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            Value::Nil(_)
                | Value::Unit(_)
                | Value::Bool(..)
                | Value::Int(..)
                | Value::Float(..)
                | Value::Native(..)
                | Value::Undef
        )
    }

    /// `clone`, with the scalar case inline.
    #[inline(always)]
    pub fn clone_fast(&self) -> Value {
        if self.is_scalar() {
            // SAFETY: scalar variants own no resources, so a bitwise copy is a clone.
            unsafe { std::ptr::read(self) }
        } else {
            self.clone()
        }
    }

    /// Drops `self`, with the scalar case (nothing to do) inline.
    #[inline(always)]
    pub fn drop_fast(self) {
        if self.is_scalar() {
            std::mem::forget(self);
        } else {
            drop(self);
        }
    }

    pub const NIL: Value = Value::Nil(Phase::Unphased);
    pub const UNIT: Value = Value::Unit(Phase::Unphased);
    pub const TRUE: Value = Value::Bool(true, Phase::Unphased);
    pub const FALSE: Value = Value::Bool(false, Phase::Unphased);

    #[inline]
    pub fn int(n: i64) -> Value {
        Value::Int(n, Phase::Unphased)
    }
    #[inline]
    pub fn float(f: f64) -> Value {
        Value::Float(f, Phase::Unphased)
    }
    #[inline]
    pub fn bool(b: bool) -> Value {
        Value::Bool(b, Phase::Unphased)
    }
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Arc::new(s.into()), Phase::Unphased)
    }
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(items), Phase::Unphased)
    }
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Arc::new(items), Phase::Unphased)
    }
    pub fn map(m: LatMap) -> Value {
        Value::Map(Arc::new(m), Phase::Unphased)
    }
    pub fn set(m: LatMap) -> Value {
        Value::Set(Arc::new(m), Phase::Unphased)
    }
    pub fn range(start: i64, end: i64) -> Value {
        Value::Range(Arc::new((start, end)), Phase::Unphased)
    }
    pub fn buffer(bytes: Vec<u8>) -> Value {
        Value::Buffer(Arc::new(bytes), Phase::Unphased)
    }
    pub fn enum_value(enum_name: Arc<str>, variant: Arc<str>, payload: Vec<Value>) -> Value {
        Value::Enum(Arc::new(EnumObj { enum_name, variant, payload }), Phase::Unphased)
    }

    /// The phase tag. Internal variants report unphased.
    #[inline]
    pub fn phase(&self) -> Phase {
        match self {
            Value::Nil(p)
            | Value::Unit(p)
            | Value::Bool(_, p)
            | Value::Int(_, p)
            | Value::Float(_, p)
            | Value::Str(_, p)
            | Value::Array(_, p)
            | Value::Map(_, p)
            | Value::Struct(_, p)
            | Value::Enum(_, p)
            | Value::Tuple(_, p)
            | Value::Set(_, p)
            | Value::Range(_, p)
            | Value::Closure(_, p)
            | Value::Native(_, p)
            | Value::Iterator(_, p)
            | Value::Channel(_, p)
            | Value::Buffer(_, p)
            | Value::Ref(_, p) => *p,
            Value::Cell(_) | Value::Undef => Phase::Unphased,
        }
    }

    /// Sets the phase tag of this value only (not of the values inside it).
    #[inline]
    pub fn set_phase(&mut self, phase: Phase) {
        match self {
            Value::Nil(p)
            | Value::Unit(p)
            | Value::Bool(_, p)
            | Value::Int(_, p)
            | Value::Float(_, p)
            | Value::Str(_, p)
            | Value::Array(_, p)
            | Value::Map(_, p)
            | Value::Struct(_, p)
            | Value::Enum(_, p)
            | Value::Tuple(_, p)
            | Value::Set(_, p)
            | Value::Range(_, p)
            | Value::Closure(_, p)
            | Value::Native(_, p)
            | Value::Iterator(_, p)
            | Value::Channel(_, p)
            | Value::Buffer(_, p)
            | Value::Ref(_, p) => *p = phase,
            Value::Cell(_) | Value::Undef => {}
        }
    }

    pub fn with_phase(mut self, phase: Phase) -> Value {
        self.set_phase(phase);
        self
    }

    #[inline]
    pub fn is_crystal(&self) -> bool {
        self.phase() == Phase::Crystal
    }

    /// The type name that `typeof` reports.
    pub fn type_name(&self) -> &str {
        match self {
            Value::Nil(_) => "Nil",
            Value::Unit(_) => "Unit",
            Value::Bool(..) => "Bool",
            Value::Int(..) => "Int",
            Value::Float(..) => "Float",
            Value::Str(..) => "String",
            Value::Array(..) => "Array",
            Value::Map(..) => "Map",
            Value::Struct(..) => "Struct",
            Value::Enum(..) => "Enum",
            Value::Tuple(..) => "Tuple",
            Value::Set(..) => "Set",
            Value::Range(..) => "Range",
            Value::Closure(..) | Value::Native(..) => "Closure",
            Value::Iterator(..) => "Iterator",
            Value::Channel(..) => "Channel",
            Value::Buffer(..) => "Buffer",
            Value::Ref(..) => "Ref",
            Value::Cell(_) => "Cell",
            Value::Undef => "Undefined",
        }
    }

    /// Lattice truthiness: `false`, `nil`, Unit, `0`, `0.0` and `""` are false.
    #[inline]
    pub fn truthy(&self) -> bool {
        match self {
            Value::Bool(b, _) => *b,
            Value::Nil(_) | Value::Unit(_) | Value::Undef => false,
            Value::Int(n, _) => *n != 0,
            Value::Float(f, _) => *f != 0.0,
            Value::Str(s, _) => !s.is_empty(),
            _ => true,
        }
    }

    #[inline]
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n, _) => Some(*n),
            _ => None,
        }
    }

    /// An Int or a Float, as f64.
    #[inline]
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Int(n, _) => Some(*n as f64),
            Value::Float(f, _) => Some(*f),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s, _) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a, _) => Some(a.as_slice()),
            _ => None,
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil(_))
    }

    pub fn is_callable(&self) -> bool {
        matches!(self, Value::Closure(..) | Value::Native(..))
    }
}

impl Default for Value {
    fn default() -> Value {
        Value::NIL
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", crate::display::repr(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn values_cross_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Value>();
    }
}
