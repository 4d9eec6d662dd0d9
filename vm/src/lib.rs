//! The Lattice virtual machine: values with phase tags, bytecode modules, the LATC file
//! format and the interpreter. It never depends on the compiler: a `.latc` file runs
//! without the front end.

pub mod calls;
pub mod channel;
pub mod compare;
pub mod concurrency;
pub mod disasm;
pub mod display;
pub mod error;
pub mod format;
pub mod fuse;
pub mod iter;
pub mod map;
pub mod module;
pub mod opcode;
pub mod ops;
pub mod paths;
pub mod phase;
pub mod reactive;
pub mod suggest;
pub mod types;
pub mod value;
pub mod verify;
pub mod vm;

pub use error::{RuntimeError, VmResult};
pub use map::LatMap;
pub use module::{Constant, EnumDef, Function, ParamInfo, StructDef};
pub use opcode::Op;
pub use value::{Phase, Value};
pub use vm::{Loader, MethodFn, NativeFn, TypeTag, Vm};
