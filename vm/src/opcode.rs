//! THE opcode list. Encoding, decoding, names, operand layouts, stack effects and the
//! disassembler all follow from the single `opcodes!` table below; there is no second list.
//!
//! ## Encoding (LATC code bytes)
//!
//! An instruction is one opcode byte followed by its operands, each little-endian:
//! `u8` (1 byte), `u16` (2), `u32` (4), `i32` (4). Jump offsets are `i32` counted in
//! *instructions*, not bytes, relative to the instruction after the jump, so the in-memory
//! form (a `Vec<Op>`, one fixed-width entry per instruction) and the file form agree on
//! every target without remapping.
//!
//! ## Notes
//!
//! - Locals live in the frame's stack window: slot 0 is the first parameter. A local that
//!   a closure captures is boxed into a cell in its slot when the closure is made; the
//!   local ops read and write through that cell transparently.
//! - `Set*` ops enforce R1/R2: storing over a crystal value is an error, storing into a
//!   fluid binding makes the new value fluid. `Store*` ops store without checks (used for
//!   declarations and for the phase operations that rebind a variable on purpose).
//! - Path ops (`*Path`) address `root[k1][k2]...`: the keys are on the stack below any
//!   operands, the root is a local, global or upvalue. They mutate in place, making each
//!   level unique on the way down, so `m[i][j] = v` never copies a row that is not shared.
//! - Names (`name`) and constants (`idx`) index the function's constant pool.
//! - Bytes 0xE0..=0xFF are reserved for fused instructions the loader creates in memory;
//!   they are never valid in a file.

use std::fmt;

/// Version of the LATC format this table describes. Bump on any change to the table or
/// the file layout; retired byte values are never reused.
pub const FORMAT_VERSION: u16 = 1;

macro_rules! opcodes {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $byte:literal { $($field:ident : $ty:ident),* } stack: $effect:expr;
    )*) => {
        /// One decoded instruction.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Op {
            $( $(#[doc = $doc])* $name { $($field: $ty),* }, )*
        }

        /// The opcode byte values, for tools (the self-hosted compiler's table).
        pub const OPCODES: &[(&str, u8, &[(&str, &str)], &str)] = &[
            $( (stringify!($name), $byte, &[$((stringify!($field), stringify!($ty))),*],
                concat!($($doc),*)), )*
        ];

        impl Op {
            pub fn name(&self) -> &'static str {
                match self { $( Op::$name { .. } => stringify!($name), )* }
            }

            pub fn byte(&self) -> u8 {
                match self { $( Op::$name { .. } => $byte, )* }
            }

            /// Net change of the stack height (a function of operands where it varies).
            #[allow(unused_variables)]
            pub fn stack_effect(&self) -> i32 {
                match *self { $( Op::$name { $($field),* } => { let e: i64 = $effect; e.clamp(i32::MIN as i64, i32::MAX as i64) as i32 } )* }
            }

            /// Operands as (name, value) pairs, for the disassembler.
            pub fn operands(&self) -> Vec<(&'static str, i64)> {
                match *self { $( Op::$name { $($field),* } => vec![$((stringify!($field), $field as i64)),*], )* }
            }

            /// Appends the LATC encoding of this instruction.
            pub fn encode(&self, out: &mut Vec<u8>) {
                match *self {
                    $( Op::$name { $($field),* } => {
                        out.push($byte);
                        $( $field.encode_le(out); )*
                    } )*
                }
            }

            /// Decodes one instruction at `*pos`, advancing it.
            pub fn decode(code: &[u8], pos: &mut usize) -> Result<Op, DecodeError> {
                let at = *pos;
                let byte = *code.get(at).ok_or(DecodeError::Truncated { at })?;
                if !is_file_opcode(byte) {
                    return Err(DecodeError::UnknownOpcode { at, byte });
                }
                *pos += 1;
                let op = match byte {
                    $( $byte => Op::$name { $($field: <$ty as Operand>::decode_le(code, pos).ok_or(DecodeError::Truncated { at })?),* }, )*
                    other => return Err(DecodeError::UnknownOpcode { at, byte: other }),
                };
                Ok(op)
            }
        }
    };
}

/// Why a code byte string did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Truncated { at: usize },
    UnknownOpcode { at: usize, byte: u8 },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated { at } => write!(f, "instruction at byte {at} is truncated"),
            DecodeError::UnknownOpcode { at, byte } => write!(f, "unknown opcode 0x{byte:02x} at byte {at}"),
        }
    }
}

/// An operand type: how it is written to and read from code bytes.
pub trait Operand: Sized {
    fn encode_le(self, out: &mut Vec<u8>);
    fn decode_le(code: &[u8], pos: &mut usize) -> Option<Self>;
}

macro_rules! operand {
    ($($ty:ty),*) => {$(
        impl Operand for $ty {
            fn encode_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn decode_le(code: &[u8], pos: &mut usize) -> Option<Self> {
                const N: usize = std::mem::size_of::<$ty>();
                let bytes = code.get(*pos..*pos + N)?;
                *pos += N;
                Some(<$ty>::from_le_bytes(bytes.try_into().ok()?))
            }
        }
    )*};
}
operand!(u8, u16, u32, i32);

opcodes! {
    // ---- constants and literals ----
    /// Push constant `idx`. Stack: => value
    Const = 0x01 { idx: u32 } stack: 1;
    /// Push nil. Stack: => nil
    Nil = 0x02 {} stack: 1;
    /// Push Unit. Stack: => ()
    Unit = 0x03 {} stack: 1;
    /// Push true. Stack: => true
    True = 0x04 {} stack: 1;
    /// Push false. Stack: => false
    False = 0x05 {} stack: 1;
    /// Push a small integer. Stack: => Int
    SmallInt = 0x06 { value: i32 } stack: 1;
    /// Discard the top value. Stack: a =>
    Pop = 0x07 {} stack: -1;
    /// Discard `n` values below the top one. Stack: x1..xn top => top
    PopUnder = 0x08 { n: u16 } stack: -(n as i64);
    /// Duplicate the top value. Stack: a => a a
    Dup = 0x09 {} stack: 1;
    /// Duplicate the value `depth` below the top (0 = top). Stack: => copy
    Pick = 0x0A { depth: u16 } stack: 1;
    /// Swap the two top values. Stack: a b => b a
    Swap = 0x0B {} stack: 0;
    /// Discard the `n` top values. Stack: x1..xn =>
    PopN = 0x0C { n: u16 } stack: -(n as i64);
    /// Keep `a` when `b` is Unit, else `b` (anneal's result rule). Stack: a b => a|b
    UnitOr = 0x0D {} stack: -1;

    // ---- variables ----
    /// Push local `slot`. Stack: => value
    GetLocal = 0x10 { slot: u16 } stack: 1;
    /// Pop into local `slot`, enforcing R1/R2. Stack: value =>
    SetLocal = 0x11 { slot: u16 } stack: -1;
    /// Pop into local `slot` without phase checks. Stack: value =>
    StoreLocal = 0x12 { slot: u16 } stack: -1;
    /// Push global `name` (constant index of its name). Stack: => value
    GetGlobal = 0x13 { name: u32 } stack: 1;
    /// Pop into global `name`, enforcing R1/R2. Stack: value =>
    SetGlobal = 0x14 { name: u32 } stack: -1;
    /// Pop into global `name`, defining it. Stack: value =>
    DefGlobal = 0x15 { name: u32 } stack: -1;
    /// Push captured variable `idx` of the running closure. Stack: => value
    GetUpval = 0x16 { idx: u16 } stack: 1;
    /// Pop into captured variable `idx`, enforcing R1/R2. Stack: value =>
    SetUpval = 0x17 { idx: u16 } stack: -1;
    /// Pop into captured variable `idx` without checks. Stack: value =>
    StoreUpval = 0x18 { idx: u16 } stack: -1;
    /// Pop into global `name` without checks. Stack: value =>
    StoreGlobal = 0x19 { name: u32 } stack: -1;
    /// `local += value`, appending in place to a uniquely held string. Stack: value =>
    AddSetLocal = 0x1A { slot: u16 } stack: -1;
    /// `global += value`, in place like `AddSetLocal`. Stack: value =>
    AddSetGlobal = 0x1B { name: u32 } stack: -1;
    /// `upval += value`, in place like `AddSetLocal`. Stack: value =>
    AddSetUpval = 0x1C { idx: u16 } stack: -1;

    // ---- operators ----
    /// Stack: a b => a + b
    Add = 0x20 {} stack: -1;
    /// Stack: a b => a - b
    Sub = 0x21 {} stack: -1;
    /// Stack: a b => a * b
    Mul = 0x22 {} stack: -1;
    /// Stack: a b => a / b
    Div = 0x23 {} stack: -1;
    /// Stack: a b => a % b
    Mod = 0x24 {} stack: -1;
    /// Stack: a => -a
    Neg = 0x25 {} stack: 0;
    /// Stack: a => !a
    Not = 0x26 {} stack: 0;
    /// Stack: a => ~a
    BitNot = 0x27 {} stack: 0;
    /// Stack: a b => a & b
    BitAnd = 0x28 {} stack: -1;
    /// Stack: a b => a | b
    BitOr = 0x29 {} stack: -1;
    /// Stack: a b => a ^ b
    BitXor = 0x2A {} stack: -1;
    /// Stack: a b => a << b
    Shl = 0x2B {} stack: -1;
    /// Stack: a b => a >> b
    Shr = 0x2C {} stack: -1;
    /// Stack: a b => a == b
    Eq = 0x2D {} stack: -1;
    /// Stack: a b => a != b
    Ne = 0x2E {} stack: -1;
    /// Stack: a b => a < b
    Lt = 0x2F {} stack: -1;
    /// Stack: a b => a <= b
    Le = 0x30 {} stack: -1;
    /// Stack: a b => a > b
    Gt = 0x31 {} stack: -1;
    /// Stack: a b => a >= b
    Ge = 0x32 {} stack: -1;

    // ---- control flow ----
    /// Jump by `offset` instructions. Stack: =>
    Jump = 0x40 { offset: i32 } stack: 0;
    /// Pop; jump when falsy. Stack: cond =>
    JumpIfFalse = 0x41 { offset: i32 } stack: -1;
    /// Pop; jump when truthy. Stack: cond =>
    JumpIfTrue = 0x42 { offset: i32 } stack: -1;
    /// Jump when the top is falsy, keeping it; else pop it (`&&`). Stack: a => a | =>
    AndJump = 0x43 { offset: i32 } stack: -1;
    /// Jump when the top is truthy, keeping it; else pop it (`||`). Stack: a => a | =>
    OrJump = 0x44 { offset: i32 } stack: -1;
    /// Jump when the top is not nil, keeping it; else pop it (`??`). Stack: a => a | =>
    NilJump = 0x45 { offset: i32 } stack: -1;
    /// Jump when the top is nil, keeping it (`?.`). Stack: a => a
    JumpIfNil = 0x46 { offset: i32 } stack: 0;

    // ---- functions ----
    /// Call the value below `argc` arguments. Stack: f a1..an => result
    Call = 0x50 { argc: u8 } stack: -(argc as i64);
    /// Return the top value from the running function. Stack: value =>
    Return = 0x51 {} stack: -1;
    /// Make a closure of nested function `func`; `ncap` `Capture` ops follow. Stack: => f
    Closure = 0x52 { func: u32, ncap: u16 } stack: 1;
    /// A capture descriptor following `Closure`: local slot (`local` = 1) or upvalue.
    Capture = 0x53 { local: u8, idx: u16 } stack: 0;
    /// Call method `name` on the value below `argc` arguments. Stack: recv a1..an => result
    Invoke = 0x54 { name: u32, argc: u8 } stack: -(argc as i64);
    /// Call method `name` on local `slot` in place. Stack: a1..an => result
    InvokeLocal = 0x55 { slot: u16, name: u32, argc: u8 } stack: 1 - argc as i64;
    /// Call method `name` on global `global` in place. Stack: a1..an => result
    InvokeGlobal = 0x56 { global: u32, name: u32, argc: u8 } stack: 1 - argc as i64;
    /// Call method `name` on upvalue `idx` in place. Stack: a1..an => result
    InvokeUpval = 0x57 { idx: u16, name: u32, argc: u8 } stack: 1 - argc as i64;
    /// Fill a missing argument: when local `slot` was passed, jump. Stack: =>
    ArgGiven = 0x58 { slot: u16, offset: i32 } stack: 0;
    /// Call `main` when the program defines it (end of the entry module). Stack: => result
    CallMain = 0x59 {} stack: 1;
    /// Call with spread arguments: the arguments are one Array. Stack: f args => result
    CallSpread = 0x5A {} stack: -1;

    // ---- containers ----
    /// Stack: x1..xn => [x1..xn]
    MakeArray = 0x60 { n: u32 } stack: 1 - n as i64;
    /// Append the top to the array below it. Stack: arr x => arr
    ArrayPush = 0x61 {} stack: -1;
    /// Append every element of the top (array, range, set...) to the array below it.
    ArrayExtend = 0x62 {} stack: -1;
    /// Stack: k1 v1..kn vn => map
    MakeMap = 0x63 { n: u32 } stack: 1 - 2 * n as i64;
    /// Stack: x1..xn => (x1..xn)
    MakeTuple = 0x64 { n: u32 } stack: 1 - n as i64;
    /// Stack: a b => a..b
    MakeRange = 0x65 {} stack: -1;
    /// Struct literal: `fields` is a constant Array of field names. Stack: v1..vn => s
    MakeStruct = 0x66 { name: u32, fields: u32, n: u16 } stack: 1 - n as i64;
    /// `Type::member(args)`: enum variant, builtin constructor or static method.
    PathCall = 0x67 { ty: u32, member: u32, argc: u8 } stack: 1 - argc as i64;
    /// `Type::member` without a call. Stack: => value
    PathGet = 0x68 { ty: u32, member: u32 } stack: 1;
    /// Concatenate the display text of `n` values. Stack: x1..xn => str
    Interp = 0x69 { n: u16 } stack: 1 - n as i64;
    /// Stack: obj key => obj[key]
    Index = 0x6A {} stack: -1;
    /// Stack: obj => obj.name
    GetField = 0x6B { name: u32 } stack: 0;
    /// Stack: tuple => tuple.index
    TupleGet = 0x6C { index: u32 } stack: 0;
    /// Store into `local[k1]..[kn]`. Stack: k1..kn value =>
    SetLocalPath = 0x6D { slot: u16, n: u8 } stack: -(n as i64) - 1;
    /// Store into `global[k1]..[kn]`. Stack: k1..kn value =>
    SetGlobalPath = 0x6E { name: u32, n: u8 } stack: -(n as i64) - 1;
    /// Store into `upval[k1]..[kn]`. Stack: k1..kn value =>
    SetUpvalPath = 0x6F { idx: u16, n: u8 } stack: -(n as i64) - 1;
    /// Call method `name` on `local[k1]..[kn]` in place. Stack: k1..kn a1..am => result
    InvokeLocalPath = 0x70 { slot: u16, n: u8, name: u32, argc: u8 } stack: 1 - n as i64 - argc as i64;
    /// Call method `name` on `global[k1]..[kn]` in place.
    InvokeGlobalPath = 0x71 { global: u32, n: u8, name: u32, argc: u8 } stack: 1 - n as i64 - argc as i64;
    /// Call method `name` on `upval[k1]..[kn]` in place.
    InvokeUpvalPath = 0x72 { idx: u16, n: u8, name: u32, argc: u8 } stack: 1 - n as i64 - argc as i64;
    /// Read `local[k1]..[kn]` leaving the keys. Stack: k1..kn => k1..kn value
    GetLocalPath = 0x73 { slot: u16, n: u8 } stack: 1;
    /// Read `global[k1]..[kn]` leaving the keys.
    GetGlobalPath = 0x74 { name: u32, n: u8 } stack: 1;
    /// Read `upval[k1]..[kn]` leaving the keys.
    GetUpvalPath = 0x75 { idx: u16, n: u8 } stack: 1;
    /// `obj?.name`-style access that yields nil for a missing field. Stack: obj => value
    GetFieldOpt = 0x76 { name: u32 } stack: 0;
    /// Stack: obj key => obj[key] or nil when the index is out of range / key absent
    IndexOpt = 0x77 {} stack: -1;

    // ---- iteration ----
    /// Turn the top into an iterator state and a position (two hidden locals). Stack: v => it pos
    IterInit = 0x80 {} stack: 1;
    /// Advance the iterator in local `slot`: push the next item, or jump when done.
    IterNext = 0x81 { slot: u16, offset: i32 } stack: 1;

    // ---- errors ----
    /// Install a handler whose code starts `offset` ahead. Stack: =>
    TryBegin = 0x90 { offset: i32 } stack: 0;
    /// Remove the innermost handler. Stack: =>
    TryEnd = 0x91 {} stack: 0;
    /// `expr?`: unwrap an ok Result map, or return the err map. Stack: r => value
    TryUnwrap = 0x92 {} stack: 0;
    /// Register the closure on top to run when the current block exits. Stack: f =>
    DeferPush = 0x93 {} stack: -1;
    /// Run (and drop) the deferred closures registered beyond the first `keep` of this frame.
    DeferRun = 0x94 { keep: u16 } stack: 0;
    /// Raise a runtime error with the message on top. Stack: msg =>
    Throw = 0x95 {} stack: -1;
    /// Re-raise the caught error on top with constant `prefix` before its message.
    /// Stack: err =>
    Rethrow = 0x9A { prefix: u32 } stack: -1;
    /// Deep-freeze the value below, except the fields/keys named in the Array on top
    /// (defects), which stay fluid. Stack: v names => v
    FreezeExcept = 0xA7 {} stack: -1;
    /// The variable named by constant `name` may have changed phase: fire its reactions,
    /// bonds, seed contract and history. Stack: =>
    /// `event` = 1 for a phase operation (reactions fire), 0 for an assignment to a
    /// tracked variable (history only).
    PhaseChanged = 0xA6 { name: u32, event: u8 } stack: 0;
    /// Run the freeze contract on top against the value below it; an error or a false
    /// result refuses the freeze ("freeze contract failed: ..."). Stack: v f => v
    Contract = 0xA8 {} stack: -1;
    /// Open a `scope`: tasks spawned until `ScopeEnd` run on threads. Stack: =>
    ScopeBegin = 0x96 {} stack: 0;
    /// Join the scope's tasks, re-raising the first task error. Stack: =>
    ScopeEnd = 0x97 {} stack: 0;
    /// Start the closure on top as a task (or run it now outside a scope). Stack: f => v
    Spawn = 0x98 {} stack: 0;
    /// Wait on `n` channels (and a timeout in ms when `timeout` = 1); push the received
    /// value and the arm: channel position, -1 timeout, -2 default, -3 all closed.
    /// Stack: ch1..chn [ms] => value arm
    Select = 0x99 { n: u8, timeout: u8, default: u8 } stack: 2 - n as i64 - timeout as i64;

    // ---- phases ----
    /// Deep-freeze the top value. Stack: v => crystal v
    Freeze = 0xA0 {} stack: 0;
    /// A fluid deep copy of the top value. Stack: v => fluid copy
    Thaw = 0xA1 {} stack: 0;
    /// A deep copy of the top value, same phases. Stack: v => copy
    CloneValue = 0xA2 {} stack: 0;
    /// Mark the top value fluid (R2); a crystal value is thawed first. Stack: v => v
    MarkFluid = 0xA3 {} stack: 0;
    /// Lock the top-level structure of the top value (R8). Stack: v => v
    Sublimate = 0xA4 {} stack: 0;
    /// Is the top value's phase `phase`? (match patterns). Stack: v => bool
    PhaseIs = 0xA5 { phase: u8 } stack: 0;

    // ---- patterns ----
    /// Is the top an Array of length `len` (or at least `len` when `rest`)? Stack: v => bool
    MatchArray = 0xB0 { len: u32, rest: u8 } stack: 0;
    /// Is the top the variant `variant` of `enum_name` ("" = any enum) with `n` payload
    /// values (`u16::MAX` = any)? Stack: v => bool
    MatchVariant = 0xB1 { enum_name: u32, variant: u32, n: u16 } stack: 0;
    /// Is the top a Map or struct having field `name`? Stack: v => bool
    MatchHasField = 0xB2 { name: u32 } stack: 0;
    /// Payload value `index` of the enum on top. Stack: e => value
    VariantGet = 0xB3 { index: u16 } stack: 0;
    /// Elements `from..len-to_end` of the array on top, as a new Array. Stack: arr => rest
    ArraySlice = 0xB4 { from: u32, to_end: u32 } stack: 0;
    /// Element `len - k` of the Array on top (patterns after a `...rest`). Stack: arr => v
    ItemFromEnd = 0xB6 { k: u32 } stack: 0;
    /// Is `v` inside `lo..hi` (`inclusive` = 1 for `lo..=hi`)? Stack: v lo hi => bool
    InRange = 0xB5 { inclusive: u8 } stack: -2;

    // ---- declarations ----
    /// Register struct layout `def` (index into the module's struct table). Stack: =>
    DefStruct = 0xC0 { def: u32 } stack: 0;
    /// Register enum layout `def`. Stack: =>
    DefEnum = 0xC1 { def: u32 } stack: 0;
    /// Register the closure on top as method `name` of type `ty`. Stack: f =>
    DefMethod = 0xC2 { ty: u32, name: u32 } stack: -1;
    /// Import the module at path constant `path`, pushing its exports Map. Stack: => map
    Import = 0xC3 { path: u32 } stack: 1;
    /// Define every entry of the exports map on top as a global. Stack: map =>
    ImportAll = 0xC4 {} stack: -1;
    /// Check the top against type constant `ty` for `what` (a message constant). Stack: v => v
    CheckType = 0xC5 { ty: u32, what: u32 } stack: 0;
    /// Raise "contract failed" with message constant `msg` when the top is falsy. Stack: c =>
    Require = 0xC6 { msg: u32 } stack: -1;

    // ---- fused forms, created by the loader in memory only (never in files) ----
    // Each replaces the first instruction of a sequence and leaves the rest in place, so
    // jumps into the sequence still work; when its operands are not Ints it behaves as
    // its first instruction (`GetLocal`) and the original sequence runs on.
    /// `GetLocal slot; SmallInt value; <cmp>; JumpIfFalse offset`, cmp as `BinKind`.
    FusedLocalIntCmpJump = 0xE0 { slot: u16, value: i32, cmp: u8, offset: i32 } stack: 1;
    /// `GetLocal slot; SmallInt value; Add|Sub` (op as `BinKind`). Stack: => result
    FusedLocalIntArith = 0xE1 { slot: u16, value: i32, op: u8 } stack: 1;
    /// `GetLocal a; GetLocal b; <op>` (op as `BinKind`). Stack: => result
    FusedLocalLocalOp = 0xE2 { a: u16, b: u16, op: u8 } stack: 1;
    /// `GetLocal a; GetLocal b; <cmp>; JumpIfFalse offset`.
    FusedLocalLocalCmpJump = 0xE3 { a: u16, b: u16, cmp: u8, offset: i32 } stack: 1;
    /// `SmallInt value; AddSetLocal slot` (`i += 1`). Falls back to `SmallInt`.
    FusedIncLocal = 0xE4 { slot: u16, value: i32 } stack: 1;
    /// `SmallInt value; <op>` on the Int on top (op as `BinKind`, or 9 for `%`).
    /// Falls back to `SmallInt`.
    FusedIntOp = 0xE5 { value: i32, op: u8 } stack: 1;
    /// `GetLocal arr; GetLocal i; Index`: reads the element without copying the array
    /// handle. Falls back to `GetLocal arr`.
    FusedIndexLocalLocal = 0xE6 { arr: u16, idx: u16 } stack: 1;
    /// `GetLocal arr; GetLocal i; SmallInt k; Add|Sub; Index` (`a[i + 1]`, `a[i - 1]`),
    /// with `value` = k or -k. Falls back to `GetLocal arr`.
    FusedIndexLocalOffset = 0xE7 { arr: u16, idx: u16, value: i32 } stack: 1;
    /// A `GetGlobal` whose value only ever feeds the callee slot of one later `Call`
    /// (`fib(n - 1)` inside `fib`). When the global holds the running closure itself it
    /// pushes the `SELF_CALLEE` marker instead of a counted copy: the running frame keeps
    /// that closure alive, so the recursive call touches no reference count.
    FusedGlobalCallee = 0xE8 { name: u32 } stack: 1;
    /// `Const idx; AddSetLocal slot` with a String constant (`s += "text"`): appends the
    /// constant in place without copying its handle. Falls back to `Const`.
    FusedAppendConst = 0xE9 { slot: u16, idx: u32 } stack: 1;
}

/// The binary operations fused instructions carry, as a byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum BinKind {
    Add = 0,
    Sub = 1,
    Mul = 2,
    Lt = 3,
    Le = 4,
    Gt = 5,
    Ge = 6,
    Eq = 7,
    Ne = 8,
}

impl BinKind {
    pub fn of(op: &Op) -> Option<BinKind> {
        Some(match op {
            Op::Add {} => BinKind::Add,
            Op::Sub {} => BinKind::Sub,
            Op::Mul {} => BinKind::Mul,
            Op::Lt {} => BinKind::Lt,
            Op::Le {} => BinKind::Le,
            Op::Gt {} => BinKind::Gt,
            Op::Ge {} => BinKind::Ge,
            Op::Eq {} => BinKind::Eq,
            Op::Ne {} => BinKind::Ne,
            _ => return None,
        })
    }

    /// A comparison kind (`Lt` to `Ne`) applied to two Ints, without a jump table: each
    /// kind is the set of orderings it accepts (bit 0 less, 1 equal, 2 greater).
    #[inline(always)]
    pub fn compare(k: u8, x: i64, y: i64) -> bool {
        const ACCEPTS: [u8; 16] = [0, 0, 0, 0b001, 0b011, 0b100, 0b110, 0b010, 0b101, 0, 0, 0, 0, 0, 0, 0];
        let ordering = (x > y) as u8 * 2 + (x == y) as u8;
        ACCEPTS[(k & 15) as usize] >> ordering & 1 != 0
    }

    /// Applies the operation to two Ints: `Ok` for an Int result, `Err` for a Bool.
    #[inline(always)]
    pub fn apply(k: u8, x: i64, y: i64) -> Result<i64, bool> {
        match k {
            0 => Ok(x.wrapping_add(y)),
            1 => Ok(x.wrapping_sub(y)),
            2 => Ok(x.wrapping_mul(y)),
            3 => Err(x < y),
            4 => Err(x <= y),
            5 => Err(x > y),
            6 => Err(x >= y),
            7 => Err(x == y),
            _ => Err(x != y),
        }
    }
}

/// Whether `byte` may appear in a file (fused forms may not).
pub fn is_file_opcode(byte: u8) -> bool {
    byte < 0xE0
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())?;
        for (name, value) in self.operands() {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod compare_tests {
    use super::BinKind;

    #[test]
    fn compare_agrees_with_apply() {
        for k in BinKind::Lt as u8..=BinKind::Ne as u8 {
            for (x, y) in [(1, 2), (2, 2), (3, 2), (i64::MIN, i64::MAX), (-1, -1)] {
                assert_eq!(Err(BinKind::compare(k, x, y)), BinKind::apply(k, x, y), "kind {k} on {x}, {y}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_unique_and_below_the_fused_range() {
        let mut seen = std::collections::HashSet::new();
        for (name, byte, _, doc) in OPCODES {
            assert!(seen.insert(*byte), "{name} reuses byte {byte:#x}");
            assert!(*byte < 0xE0 || name.starts_with("Fused"), "{name} is in the fused range");
            assert!(!doc.is_empty(), "{name} has no doc line");
        }
    }

    #[test]
    fn encode_decode_roundtrip() {
        let ops = [
            Op::Const { idx: 70000 },
            Op::Jump { offset: -5 },
            Op::InvokeLocalPath { slot: 3, n: 2, name: 9, argc: 1 },
            Op::Add {},
        ];
        let mut bytes = Vec::new();
        for op in &ops {
            op.encode(&mut bytes);
        }
        let mut pos = 0;
        for op in &ops {
            assert_eq!(Op::decode(&bytes, &mut pos).unwrap(), *op);
        }
        assert_eq!(pos, bytes.len());
        assert!(Op::decode(&bytes[..3], &mut 0).is_err());
    }
}

#[cfg(test)]
mod size_tests {
    #[test]
    fn op_size() {
        eprintln!("Op is {} bytes", std::mem::size_of::<super::Op>());
        assert!(std::mem::size_of::<super::Op>() <= 12);
    }
}
