//! The interpreter: VM state, linking of loaded code, and the dispatch loop.
//!
//! One contiguous value stack serves every frame; a frame is (closure, ip, base) and its
//! arguments stay where the caller pushed them, becoming slots 0.. of the callee. Calls
//! between Lattice functions never recurse in Rust; calls from natives back into Lattice
//! (`map`, `sort_by`, iterators) do, and are counted by `native_depth`.
//!
//! The loop keeps the running code, `ip` and `base` in locals. Hot operations (locals,
//! integer arithmetic, jumps, calls) are written inline in the `match`; the rest call
//! functions in `ops.rs`, `calls.rs` and the phase and container modules.

use crate::error::{RuntimeError, TraceFrame, VmResult};
use crate::map::LatMap;
use crate::module::{Constant, EnumDef, Function, StructDef};
use crate::opcode::{BinKind, Op};
use crate::value::{Closure, Phase, Value};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A function implemented in Rust.
pub type NativeFn = fn(&mut Vm, &[Value]) -> VmResult<Value>;
/// A method of a builtin type, receiving its receiver in place so it can mutate it.
pub type MethodFn = fn(&mut Vm, &mut Value, &[Value]) -> VmResult<Value>;

/// Most Lattice frames alive at once; deeper recursion is a Lattice error.
pub const MAX_FRAMES: usize = 10_000;
/// Most nested native-to-Lattice re-entries (each costs Rust stack).
pub const MAX_NATIVE_DEPTH: u32 = 180;

/// Compiles modules for `import` and `lat_eval`. The VM never depends on the compiler:
/// whoever embeds it hands it one of these.
pub trait Loader: Send + Sync {
    /// Reads and compiles the module `path` as imported from a file in `from_dir`.
    /// Returns the compiled top-level function and the module's canonical path.
    fn load_module(
        &self,
        path: &str,
        from_dir: Option<&std::path::Path>,
    ) -> Result<(Function, PathBuf), String>;
    /// Compiles source text (for `lat_eval`).
    fn compile_source(&self, src: &str) -> Result<Function, String>;
    /// The exact source text of each token of `src` (for `tokenize`).
    fn tokenize(&self, src: &str) -> Vec<String>;
    /// False when `src` ends inside an unfinished construct (open bracket, string...).
    fn is_complete(&self, src: &str) -> bool;
}

/// Builtin method families, by receiver type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeTag {
    Str,
    Array,
    Map,
    Set,
    Tuple,
    Range,
    Enum,
    Struct,
    Iterator,
    Channel,
    Buffer,
    Int,
    Float,
    Any,
}

impl TypeTag {
    pub fn of(v: &Value) -> TypeTag {
        match v {
            Value::Str(..) => TypeTag::Str,
            Value::Array(..) => TypeTag::Array,
            Value::Map(..) => TypeTag::Map,
            Value::Set(..) => TypeTag::Set,
            Value::Tuple(..) => TypeTag::Tuple,
            Value::Range(..) => TypeTag::Range,
            Value::Enum(..) => TypeTag::Enum,
            Value::Struct(..) => TypeTag::Struct,
            Value::Iterator(..) => TypeTag::Iterator,
            Value::Channel(..) => TypeTag::Channel,
            Value::Buffer(..) => TypeTag::Buffer,
            Value::Int(..) => TypeTag::Int,
            Value::Float(..) => TypeTag::Float,
            _ => TypeTag::Any,
        }
    }
}

/// What the embedding registers once: natives, builtin methods, statics, modules.
#[derive(Default, Clone)]
struct Registry {
    natives: Vec<(String, NativeFn)>,
    native_slots: HashMap<String, u32>,
    /// Builtin methods by receiver type; the flag says whether the method mutates.
    methods: crate::map::FnvHashMap<TypeTag, crate::map::FnvHashMap<String, (MethodFn, bool)>>,
    /// `Type::name` functions of builtin types (`Map::new`).
    statics: crate::map::FnvHashMap<String, crate::map::FnvHashMap<String, NativeFn>>,
    /// Built-in modules for `import "math"`: module name to (export name, native name).
    builtin_modules: HashMap<String, Vec<(String, String)>>,
}

pub(crate) struct Frame {
    /// The running closure. Invariant: `stack[base - 1]` holds the `Value::Closure`
    /// that owns this pointer for as long as the frame exists (calls leave the callee
    /// below its arguments, and nothing writes below a frame's base), so the frame
    /// borrows it without touching the reference count on every call and return.
    closure: *const Closure,
    pub ip: usize,
    pub base: usize,
    /// Deferred closures registered before this frame began.
    pub defer_base: usize,
}

// SAFETY: a frame's pointer targets a `Closure` kept alive by the same VM's stack, and a
// VM moves between threads whole (task VMs are created, then moved into their thread),
// so the pointer never outlives or races with its owner.
unsafe impl Send for Frame {}

impl Frame {
    #[inline]
    pub(crate) fn closure(&self) -> &Closure {
        // SAFETY: see the invariant on `closure`.
        unsafe { &*self.closure }
    }
}

struct Handler {
    frame: usize,
    stack_len: usize,
    target: usize,
    defer_len: usize,
    scope_len: usize,
}

/// Global variable names to slots, for one module (imports get their own namespace).
#[derive(Default, Clone)]
pub struct Namespace {
    map: HashMap<String, u32>,
    /// The module this namespace belongs to: 0 for the main program, then one id per
    /// imported file. Types declared in a module are looked up there first.
    pub id: u32,
}

impl Namespace {
    /// The global slot of `name`, if this namespace has one.
    pub fn slot(&self, name: &str) -> Option<u32> {
        self.map.get(name).copied()
    }
}

pub struct Vm {
    pub(crate) stack: Vec<Value>,
    pub(crate) frames: Vec<Frame>,
    handlers: Vec<Handler>,
    pub(crate) defers: Vec<Value>,
    pub globals: Vec<Value>,
    /// Names of the global slots. Shared with forked task VMs (a fork copies it only if
    /// it defines a new global), so starting a task does not clone every name.
    pub global_names: Arc<Vec<String>>,
    /// Native globals by name, to their slot.
    /// Natives, builtin methods, statics and built-in modules: fixed after set-up and
    /// shared by every task VM.
    registry: Arc<Registry>,
    /// Methods from `impl` blocks, by type name then method name.
    pub user_methods: HashMap<String, HashMap<String, Value>>,
    /// Methods from `impl` blocks of a struct, by the declaration they belong to (the
    /// address of its `StructDef`), so two modules may each have `struct Point` with its
    /// own `impl Point`. `user_methods` keeps the by-name view for everything else.
    pub struct_methods: HashMap<usize, HashMap<String, Value>>,
    /// The latest struct and enum of each name, whatever module declared it.
    pub structs: HashMap<String, Arc<StructDef>>,
    pub enums: HashMap<String, Arc<EnumDef>>,
    /// Types by (module, name): a module's own declarations win over the latest ones, so
    /// two imported files may both declare an `enum Status`.
    pub module_structs: crate::map::FnvHashMap<u32, crate::map::FnvHashMap<String, Arc<StructDef>>>,
    pub module_enums: crate::map::FnvHashMap<u32, crate::map::FnvHashMap<String, Arc<EnumDef>>>,
    next_module: u32,

    /// Exports of modules already imported, by canonical path.
    module_cache: HashMap<PathBuf, Value>,
    loading: HashSet<PathBuf>,
    /// Directory of the module being run, for relative imports.
    pub module_dirs: Vec<PathBuf>,
    pub main_namespace: Namespace,
    pub loader: Option<Arc<dyn Loader>>,
    pub out: Box<dyn Write + Send>,
    pub native_depth: u32,
    /// Program arguments for `args()`.
    pub args: Vec<String>,
    /// Skip `require`/`ensure`/`debug_assert` (`--no-assertions`).
    pub assertions: bool,
    /// Open `scope` blocks, each with the tasks it started.
    pub(crate) scopes: Vec<Vec<crate::concurrency::Task>>,
    /// Reactions, bonds, seeds, pressure and phase history, by variable name.
    pub(crate) reactive: crate::reactive::Reactive,
    /// Crystal containers already checked as sendable (see `channel.rs`).
    pub(crate) sendable_cache: Vec<Value>,
    /// Reused argument vector for native calls.
    pub(crate) arg_buf: Vec<Value>,
}

impl Default for Vm {
    fn default() -> Vm {
        Vm::new()
    }
}

impl Vm {
    pub fn new() -> Vm {
        let mut vm = Vm {
            stack: Vec::with_capacity(1024),
            frames: Vec::with_capacity(64),
            handlers: Vec::new(),
            defers: Vec::new(),
            globals: Vec::new(),
            global_names: Arc::new(Vec::new()),
            registry: Arc::new(Registry::default()),
            user_methods: HashMap::new(),
            struct_methods: HashMap::new(),
            structs: HashMap::new(),
            enums: HashMap::new(),
            module_structs: Default::default(),
            module_enums: Default::default(),
            next_module: 0,

            module_cache: HashMap::new(),
            loading: HashSet::new(),
            module_dirs: Vec::new(),
            main_namespace: Namespace::default(),
            loader: None,
            out: Box::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout())),
            native_depth: 0,
            args: Vec::new(),
            assertions: true,
            scopes: Vec::new(),
            reactive: Default::default(),
            sendable_cache: Vec::new(),
            arg_buf: Vec::with_capacity(8),
        };
        crate::channel::install(&mut vm);
        crate::reactive::install(&mut vm);
        crate::concurrency::install(&mut vm);
        vm
    }

    /// A VM for a task thread: same code, natives, types and loader, a snapshot of the
    /// globals, its own stack, and line-flushed output so tasks' lines interleave whole.
    pub fn fork(&self) -> Vm {
        Vm {
            stack: Vec::with_capacity(256),
            frames: Vec::new(),
            handlers: Vec::new(),
            defers: Vec::new(),
            globals: self.globals.clone(),
            global_names: self.global_names.clone(),
            registry: self.registry.clone(),
            user_methods: self.user_methods.clone(),
            struct_methods: self.struct_methods.clone(),
            structs: self.structs.clone(),
            enums: self.enums.clone(),
            module_structs: self.module_structs.clone(),
            module_enums: self.module_enums.clone(),
            next_module: self.next_module,

            module_cache: self.module_cache.clone(),
            loading: HashSet::new(),
            module_dirs: self.module_dirs.clone(),
            main_namespace: self.main_namespace.clone(),
            loader: self.loader.clone(),
            out: Box::new(std::io::LineWriter::new(std::io::stdout())),
            native_depth: 0,
            args: self.args.clone(),
            assertions: self.assertions,
            scopes: Vec::new(),
            reactive: self.reactive.clone(),
            sendable_cache: Vec::new(),
            arg_buf: Vec::new(),
        }
    }

    // ---- registration (used by lattice-stdlib) ----

    /// Registers a global native function.
    pub fn register_native(&mut self, name: &str, f: NativeFn) {
        let reg = Arc::make_mut(&mut self.registry);
        let id = reg.natives.len() as u32;
        reg.natives.push((name.to_string(), f));
        let value = Value::Native(id, Phase::Unphased);
        match self.registry.native_slots.get(name).copied() {
            Some(slot) => self.globals[slot as usize] = value,
            None => {
                let slot = self.new_global(name);
                self.globals[slot as usize] = value;
                Arc::make_mut(&mut self.registry).native_slots.insert(name.to_string(), slot);
            }
        }
    }

    /// Registers a method of a builtin type that does not change its receiver.
    pub fn register_method(&mut self, ty: TypeTag, name: &str, f: MethodFn) {
        Arc::make_mut(&mut self.registry).methods.entry(ty).or_default().insert(name.to_string(), (f, false));
    }

    /// Registers a method that changes its receiver in place (`push`, `set`...).
    pub fn register_mutating_method(&mut self, ty: TypeTag, name: &str, f: MethodFn) {
        Arc::make_mut(&mut self.registry).methods.entry(ty).or_default().insert(name.to_string(), (f, true));
    }

    /// The builtin method `name` for values of `ty` (or for any value), with its
    /// mutating flag.
    pub fn method(&self, ty: TypeTag, name: &str) -> Option<(MethodFn, bool)> {
        let methods = &self.registry.methods;
        methods
            .get(&ty)
            .and_then(|m| m.get(name))
            .or_else(|| methods.get(&TypeTag::Any).and_then(|m| m.get(name)))
            .copied()
    }

    pub fn static_fn(&self, ty: &str, name: &str) -> Option<NativeFn> {
        self.registry.statics.get(ty).and_then(|m| m.get(name)).copied()
    }

    /// The exports Map of built-in module `name`, if there is one.
    pub fn builtin_module_exports(&self, name: &str) -> Option<Value> {
        let list = self.registry.builtin_modules.get(name)?;
        let mut m = LatMap::new();
        for (export, native) in list {
            if let Some(v) = self.native_value(native) {
                m.insert(export, v);
            }
        }
        Some(Value::map(m))
    }

    pub fn cached_module(&self, path: &std::path::Path) -> Option<Value> {
        self.module_cache.get(path).cloned()
    }

    pub fn cache_module(&mut self, path: PathBuf, exports: Value) {
        self.module_cache.insert(path, exports);
    }

    /// Marks `path` as being loaded; false when it already is (a cycle).
    pub fn begin_loading(&mut self, path: &std::path::Path) -> bool {
        self.loading.insert(path.to_path_buf())
    }

    pub fn end_loading(&mut self, path: &std::path::Path) {
        self.loading.remove(path);
    }

    /// Registers `Type::name(...)`, e.g. `Map::new`.
    pub fn register_static(&mut self, ty: &str, name: &str, f: NativeFn) {
        Arc::make_mut(&mut self.registry)
            .statics
            .entry(ty.to_string())
            .or_default()
            .insert(name.to_string(), f);
    }

    /// Registers a built-in module: `exports` maps export names to registered natives.
    pub fn register_module(&mut self, module: &str, exports: &[(&str, &str)]) {
        let list = exports.iter().map(|(e, n)| (e.to_string(), n.to_string())).collect();
        Arc::make_mut(&mut self.registry).builtin_modules.insert(module.to_string(), list);
    }

    pub fn native_names(&self) -> impl Iterator<Item = &str> {
        self.registry.natives.iter().map(|(n, _)| n.as_str())
    }

    pub fn method_names(&self) -> impl Iterator<Item = (TypeTag, &str)> {
        self.registry.methods.iter().flat_map(|(t, m)| m.keys().map(move |n| (*t, n.as_str())))
    }

    pub fn has_builtin_module(&self, name: &str) -> bool {
        self.registry.builtin_modules.contains_key(name)
    }

    fn new_global(&mut self, name: &str) -> u32 {
        self.globals.push(Value::Undef);
        Arc::make_mut(&mut self.global_names).push(name.to_string());
        (self.globals.len() - 1) as u32
    }

    /// A native function value by registered name.
    pub fn native_value(&self, name: &str) -> Option<Value> {
        self.registry.native_slots.get(name).map(|&s| self.globals[s as usize].clone())
    }

    // ---- linking ----

    /// Resolves a freshly loaded function tree against this VM: global names become slots
    /// of `ns`. The file form is unchanged; this produces the in-memory form.
    pub fn link(&mut self, f: &Function, ns: &mut Namespace) -> Result<Arc<Function>, String> {
        let mut defined = HashSet::new();
        collect_defined(f, &mut defined);
        self.link_with(f, ns, &defined)
    }

    /// Verifies `f` (nothing runs unverified: the dispatch loop relies on it), then links
    /// and fuses it and its nested functions. The verifier's stack heights also serve the
    /// fusion pass.
    fn link_with(
        &mut self,
        f: &Function,
        ns: &mut Namespace,
        defined: &HashSet<String>,
    ) -> Result<Arc<Function>, String> {
        let heights = crate::verify::heights(f).map_err(|e| format!("in '{}': {e}", f.name))?;
        let mut out = f.clone();
        out.derive_call_info();
        out.module = ns.id;
        crate::fuse::pair_global_callees(&mut out, &heights);
        crate::fuse::fuse(&mut out.code);
        for c in out.constants.iter_mut() {
            if let Constant::Function(g) = c {
                *c = Constant::Function(self.link_with(g, ns, defined)?);
            }
        }
        for op in out.code.iter_mut() {
            let mut slot_of = |name: u32, vm: &mut Vm| -> u32 {
                let name = f.const_str(name).to_string();
                vm.global_slot(&name, ns, defined)
            };
            *op = match *op {
                Op::GetGlobal { name } => Op::GetGlobal { name: slot_of(name, self) },
                Op::FusedGlobalCallee { name } => Op::FusedGlobalCallee { name: slot_of(name, self) },
                Op::SetGlobal { name } => Op::SetGlobal { name: slot_of(name, self) },
                Op::DefGlobal { name } => Op::DefGlobal { name: slot_of(name, self) },
                Op::StoreGlobal { name } => Op::StoreGlobal { name: slot_of(name, self) },
                Op::AddSetGlobal { name } => Op::AddSetGlobal { name: slot_of(name, self) },
                Op::SetGlobalPath { name, n } => Op::SetGlobalPath { name: slot_of(name, self), n },
                Op::GetGlobalPath { name, n } => Op::GetGlobalPath { name: slot_of(name, self), n },
                Op::InvokeGlobal { global, name, argc } => {
                    Op::InvokeGlobal { global: slot_of(global, self), name, argc }
                }
                Op::InvokeGlobalPath { global, n, name, argc } => {
                    Op::InvokeGlobalPath { global: slot_of(global, self), n, name, argc }
                }
                other => other,
            };
        }
        Ok(Arc::new(out))
    }

    /// The `impl` method `name` of struct value `s`: its own declaration's first, then
    /// any method registered under its type name.
    pub fn struct_method(&self, s: &crate::value::StructObj, name: &str) -> Option<&Value> {
        self.struct_methods
            .get(&(Arc::as_ptr(&s.def) as usize))
            .and_then(|m| m.get(name))
            .or_else(|| self.user_methods.get(&s.def.name).and_then(|m| m.get(name)))
    }

    /// A fresh namespace for an imported module.
    pub fn module_namespace(&mut self) -> Namespace {
        self.next_module += 1;
        Namespace { map: HashMap::new(), id: self.next_module }
    }

    /// The struct `name` as seen from code of `module`.
    pub fn find_struct(&self, module: u32, name: &str) -> Option<Arc<StructDef>> {
        self.struct_def(module, name).cloned()
    }

    /// `find_struct` without taking a count.
    pub fn struct_def(&self, module: u32, name: &str) -> Option<&Arc<StructDef>> {
        self.module_structs.get(&module).and_then(|m| m.get(name)).or_else(|| self.structs.get(name))
    }

    /// The enum `name` as seen from code of `module`.
    pub fn find_enum(&self, module: u32, name: &str) -> Option<Arc<EnumDef>> {
        self.module_enums.get(&module).and_then(|m| m.get(name)).or_else(|| self.enums.get(name)).cloned()
    }

    fn global_slot(&mut self, name: &str, ns: &mut Namespace, defined: &HashSet<String>) -> u32 {
        if let Some(&s) = ns.map.get(name) {
            return s;
        }
        if !defined.contains(name) {
            if let Some(&s) = self.registry.native_slots.get(name) {
                return s;
            }
        }
        let s = self.new_global(name);
        ns.map.insert(name.to_string(), s);
        s
    }

    // ---- running ----

    /// Runs a compiled top-level function in the main namespace.
    pub fn run_main(&mut self, f: &Function) -> VmResult<Value> {
        let mut ns = std::mem::take(&mut self.main_namespace);
        let linked = self.link(f, &mut ns);
        self.main_namespace = ns;
        let linked = linked.map_err(|e| RuntimeError::new(format!("invalid bytecode: {e}")))?;
        self.run_function(linked)
    }

    /// Runs a linked top-level function to completion.
    pub fn run_function(&mut self, func: Arc<Function>) -> VmResult<Value> {
        let closure = Arc::new(Closure { func, captures: Vec::new(), next: None });
        let stop = self.frames.len();
        self.stack.push(Value::Closure(closure, Phase::Unphased));
        let result = self.push_frame(0).and_then(|_| self.execute(stop));
        if result.is_err() {
            self.frames.truncate(stop);
        }
        result
    }

    /// Calls a callable value with arguments from native code, re-entering the loop.
    pub fn call_value(&mut self, f: &Value, args: Vec<Value>) -> VmResult<Value> {
        match f {
            Value::Native(id, _) => {
                let func = self.registry.natives[*id as usize].1;
                func(self, &args)
            }
            Value::Closure(c, _) => {
                if self.native_depth >= MAX_NATIVE_DEPTH {
                    return Err(RuntimeError::new("maximum recursion depth exceeded"));
                }
                self.native_depth += 1;
                let stop = self.frames.len();
                let stack_len = self.stack.len();
                let argc = args.len();
                self.stack.push(f.clone());
                self.stack.extend(args);
                let _ = c;
                let result = self.push_frame(argc).and_then(|_| self.execute(stop));
                self.native_depth -= 1;
                if result.is_err() {
                    self.frames.truncate(stop);
                    self.stack.truncate(stack_len);
                }
                result
            }
            other => Err(RuntimeError::new(format!("cannot call a value of type {}", other.type_name()))),
        }
    }

    /// Pushes a frame for `closure` whose `argc` arguments are on top of the stack,
    /// fitting them to the parameters (defaults, variadic, type checks).
    /// The callee is the closure at `stack[len - argc - 1]`.
    #[inline]
    pub(crate) fn push_frame(&mut self, argc: usize) -> VmResult<()> {
        let fidx = self.stack.len() - argc - 1;
        let mut ptr = match &self.stack[fidx] {
            Value::Closure(c, _) => Arc::as_ptr(c),
            other => return Err(crate::calls::not_callable(other)),
        };
        // SAFETY: `stack[fidx]` owns the closure and is not written below.
        if unsafe { (*ptr).next.is_some() } {
            if let Value::Closure(c, p) = &self.stack[fidx] {
                let (c, p) = (c.clone(), *p);
                let chosen = crate::calls::pick_overload(self, c, argc);
                ptr = Arc::as_ptr(&chosen);
                self.stack[fidx] = Value::Closure(chosen, p);
            }
        }
        if self.frames.len() >= MAX_FRAMES {
            return Err(RuntimeError::new(format!(
                "stack overflow: maximum recursion depth ({MAX_FRAMES}) exceeded"
            )));
        }
        // SAFETY: as above; fitting the arguments only changes the stack above `fidx`.
        let func: &Function = unsafe { &(*ptr).func };
        let nparams = func.params.len();
        let fits = func.direct_arity == argc as u32 + 1 && func.args_fit_kinds(&self.stack[fidx + 1..]);
        if !fits {
            crate::calls::fit_arguments(self, func, argc)?;
        }
        let base = self.stack.len() - nparams;
        debug_assert_eq!(base, fidx + 1);
        self.frames.push(Frame { closure: ptr, ip: 0, base, defer_base: self.defers.len() });
        Ok(())
    }

    /// The common call: one closure (no overloads), the exact arity, arguments of the
    /// parameters' simple kinds. Pushes its frame and returns true; false leaves
    /// everything as it was for `push_frame`'s fitting.
    #[inline(always)]
    fn enter_direct(&mut self, ptr: *const Closure, fidx: usize, argc: usize) -> bool {
        // SAFETY: callers pass a closure kept alive below the new frame (the callee slot,
        // or the running frame for a paired recursive call).
        let callee = unsafe { &*ptr };
        if callee.next.is_none()
            && callee.func.direct_arity == argc as u32 + 1
            && self.frames.len() < MAX_FRAMES
            && callee.func.args_fit_kinds(&self.stack[fidx + 1..])
        {
            let defer_base = self.defers.len();
            self.frames.push(Frame { closure: ptr, ip: 0, base: fidx + 1, defer_base });
            return true;
        }
        false
    }

    pub(crate) fn call_native(&mut self, id: u32, argc: usize) -> VmResult<Value> {
        // Arguments move into a reused buffer (a nested native call takes a fresh one),
        // so calling a native allocates nothing.
        let mut args = std::mem::take(&mut self.arg_buf);
        self.move_args(&mut args, argc);
        self.stack.pop();
        let f = self.registry.natives[id as usize].1;
        let r = f(self, &args);
        args.clear();
        self.give_back_args(args);
        r
    }

    /// Moves the top `argc` stack values into the empty `args`, in order.
    #[inline]
    pub(crate) fn move_args(&mut self, args: &mut Vec<Value>, argc: usize) {
        debug_assert!(args.is_empty());
        let start = self.stack.len().checked_sub(argc).expect("arguments on the stack");
        args.reserve(argc);
        // SAFETY: `stack[start..]` holds `argc` initialised values and `args` has room for
        // them; shortening the stack first hands their ownership to `args` exactly once.
        unsafe {
            self.stack.set_len(start);
            std::ptr::copy_nonoverlapping(self.stack.as_ptr().add(start), args.as_mut_ptr(), argc);
            args.set_len(argc);
        }
    }

    /// Returns an emptied argument vector for reuse (the larger of the two is kept).
    pub(crate) fn give_back_args(&mut self, args: Vec<Value>) {
        if self.arg_buf.capacity() < args.capacity() {
            self.arg_buf = args;
        }
    }

    /// Writes program output (buffered; flushed at exit and before errors).
    pub fn write_out(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        // While tasks run, keep output in program order across threads.
        if !self.scopes.is_empty() {
            let _ = self.out.flush();
        }
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }

    /// The trace of the live frames, outermost first.
    pub(crate) fn trace(&self) -> Vec<TraceFrame> {
        self.frames
            .iter()
            .map(|f| {
                let func = &f.closure().func;
                let line = func.line_at(f.ip.saturating_sub(1));
                let function =
                    if func.name == "<script>" { func.name.clone() } else { format!("{}()", func.name) };
                TraceFrame { function, line }
            })
            .collect()
    }

    /// Routes an error to the innermost `try` handler at or above frame `stop`; returns
    /// the error when none is there.
    fn handle_error(&mut self, mut err: RuntimeError, stop: usize) -> VmResult<()> {
        if err.trace.is_empty() {
            err.trace = self.trace();
        }
        if err.exit_code.is_some() {
            return Err(err);
        }
        while let Some(h) = self.handlers.last() {
            if h.frame < stop {
                break;
            }
            let h = self.handlers.pop().expect("checked above");
            if h.frame >= self.frames.len() {
                continue;
            }
            self.unwind_defers(h.defer_len);
            self.abandon_scopes(h.scope_len);
            self.frames.truncate(h.frame + 1);
            self.stack.truncate(h.stack_len);
            self.stack.push(err.to_value());
            self.frames[h.frame].ip = h.target;
            return Ok(());
        }
        let defer_floor = self.frames.get(stop).map_or(self.defers.len(), |f| f.defer_base);
        self.unwind_defers(defer_floor);
        Err(err)
    }

    /// Runs deferred closures down to `len` (errors inside them are dropped: the error
    /// being propagated wins).
    fn unwind_defers(&mut self, len: usize) {
        while self.defers.len() > len {
            let f = self.defers.pop().expect("len checked");
            let _ = self.call_value(&f, Vec::new());
        }
    }

    pub(crate) fn run_defers(&mut self, len: usize) -> VmResult<()> {
        while self.defers.len() > len {
            let f = self.defers.pop().expect("len checked");
            self.call_value(&f, Vec::new())?;
        }
        Ok(())
    }

    /// The dispatch loop. Runs until the frame count drops to `stop`, returning the value
    /// the last frame returned.
    pub(crate) fn execute(&mut self, stop: usize) -> VmResult<Value> {
        'frames: loop {
            let depth = self.frames.len().checked_sub(1).expect("execute needs a frame");
            // SAFETY: `depth` indexes the last frame.
            let frame = unsafe { self.frames.get_unchecked(depth) };
            // SAFETY: the frame holds an `Arc` to this closure until the frame is popped,
            // and every path that pops it leaves this iteration of 'frames right away
            // (return or `continue 'frames`) without touching `closure` or `func` again.
            // Skipping a refcount round-trip here matters: it runs on every call and return.
            let closure: &Closure = unsafe { &*frame.closure };
            let func: &Function = &closure.func;
            let code: &[Op] = &func.code;
            let mut ip = frame.ip;
            let base = frame.base;

            macro_rules! throw {
                ($err:expr) => {{
                    let err: RuntimeError = $err;
                    self.frames.last_mut().expect("frame").ip = ip;
                    match self.handle_error(err, stop) {
                        Ok(()) => continue 'frames,
                        Err(e) => return Err(e),
                    }
                }};
            }
            macro_rules! tri {
                ($e:expr) => {
                    match $e {
                        Ok(v) => v,
                        Err(e) => throw!(e),
                    }
                };
            }
            // While this frame's instructions run it is the last one (nested calls have
            // returned), so `depth` still indexes it; the vector's buffer is re-read.
            macro_rules! save_ip {
                () => {{
                    debug_assert_eq!(depth + 1, self.frames.len());
                    // SAFETY: see above.
                    unsafe { self.frames.get_unchecked_mut(depth).ip = ip }
                }};
            }
            // The local in `slot` of this frame. The verifier checks every local operand
            // against the stack height at its instruction, so the slot exists.
            macro_rules! local {
                ($slot:expr) => {{
                    let at = base + $slot as usize;
                    debug_assert!(at < self.stack.len());
                    // SAFETY: see above.
                    unsafe { self.stack.get_unchecked(at) }
                }};
            }
            // A fused instruction whose fast path does not apply behaves as `GetLocal`.
            macro_rules! push_local {
                ($slot:expr) => {{
                    let v = match local!($slot) {
                        Value::Cell(c) => crate::ops::read_cell(c),
                        v => v.clone(),
                    };
                    self.stack.push(v);
                }};
            }
            // `Const idx`, also the fall-back of `FusedAppendConst`.
            macro_rules! push_const {
                ($idx:expr) => {{
                    let v = match func.constants.get($idx as usize) {
                        Some(Constant::Str(s)) => Value::Str(Arc::clone(s), Phase::Unphased),
                        _ => tri!(crate::ops::constant_value(func, $idx)),
                    };
                    self.stack.push(v);
                }};
            }
            // `GetGlobal name`, also the fall-back of `FusedGlobalCallee`.
            macro_rules! push_global {
                ($name:expr) => {{
                    match &self.globals[$name as usize] {
                        Value::Undef => throw!(crate::ops::undefined_global(self, $name)),
                        Value::Closure(c, p) => {
                            let v = Value::Closure(Arc::clone(c), *p);
                            self.stack.push(v)
                        }
                        v => {
                            let v = v.clone_fast();
                            self.stack.push(v)
                        }
                    }
                }};
            }
            // Leaves the running frame with `$result` (its defers have run): drops its
            // values and the callee below them, then hands the result to the caller, or
            // returns it from `execute` when the frame was the first of this call.
            macro_rules! leave_frame {
                ($result:expr, $frame_base:expr) => {{
                    let result = $result;
                    self.frames.truncate(depth);
                    if !self.handlers.is_empty() {
                        self.handlers.retain(|h| h.frame < depth);
                    }
                    // The scalar case inline: most locals are Ints.
                    while self.stack.len() >= $frame_base {
                        if let Some(v) = self.stack.pop() {
                            v.drop_fast();
                        }
                    }
                    if depth <= stop {
                        return Ok(result);
                    }
                    self.stack.push(result);
                    continue 'frames;
                }};
            }
            // Pops two operands and pushes `$f(&a, &b)`, raising its error.
            macro_rules! apply2 {
                ($f:path) => {{
                    let b = pop!();
                    let a = pop!();
                    let r = tri!($f(&a, &b));
                    self.stack.push(r);
                }};
            }
            macro_rules! pop {
                () => {
                    self.stack.pop().unwrap_or_default()
                };
            }
            macro_rules! binary {
                ($int:expr, $slow:path) => {{
                    let b = pop!();
                    let top = self.stack.last_mut().expect("verified stack");
                    match (&*top, &b) {
                        (Value::Int(x, _), Value::Int(y, _)) => {
                            let r = Value::int($int(*x, *y));
                            // Both operands are Ints: nothing to drop.
                            std::mem::forget(b);
                            // SAFETY: `top` holds an Int, which owns no resources, so
                            // overwriting it without running its destructor leaks nothing.
                            unsafe { std::ptr::write(top, r) };
                        }
                        _ => {
                            let a = std::mem::take(top);
                            let r = tri!($slow(&a, &b));
                            *self.stack.last_mut().expect("verified stack") = r;
                        }
                    }
                }};
            }
            macro_rules! compare {
                ($cmp:tt) => {{
                    let b = pop!();
                    let top = self.stack.last_mut().expect("verified stack");
                    let r = match (&*top, &b) {
                        (Value::Int(x, _), Value::Int(y, _)) => *x $cmp *y,
                        (Value::Float(x, _), Value::Float(y, _)) => *x $cmp *y,
                        _ => tri!(crate::ops::compare_values(&*top, &b, stringify!($cmp))) $cmp std::cmp::Ordering::Equal,
                    };
                    *self.stack.last_mut().expect("verified stack") = Value::bool(r);
                }};
            }

            loop {
                debug_assert!(ip < code.len());
                // Matched by reference: each arm loads only the operands it uses.
                // SAFETY: every function is verified before it runs (`verify.rs`): each path
                // ends in a return or raise and every jump lands inside the code, so `ip`
                // stays in bounds; fused instructions only skip over their own sequence.
                let op: &Op = unsafe { code.get_unchecked(ip) };
                ip += 1;
                match *op {
                    Op::Const { idx } => push_const!(idx),
                    Op::Nil {} => self.stack.push(Value::NIL),
                    Op::Unit {} => self.stack.push(Value::UNIT),
                    Op::True {} => self.stack.push(Value::TRUE),
                    Op::False {} => self.stack.push(Value::FALSE),
                    Op::SmallInt { value } => self.stack.push(Value::int(value as i64)),
                    Op::Pop {} => {
                        self.stack.pop();
                    }
                    Op::PopUnder { n } => {
                        let top = pop!();
                        let len = self.stack.len() - n as usize;
                        self.stack.truncate(len);
                        self.stack.push(top);
                    }
                    Op::Dup {} => {
                        let v = self.stack.last().cloned().unwrap_or_default();
                        self.stack.push(v);
                    }
                    Op::Pick { depth } => {
                        let v = self.stack[self.stack.len() - 1 - depth as usize].clone();
                        self.stack.push(v);
                    }
                    Op::Swap {} => {
                        let n = self.stack.len();
                        self.stack.swap(n - 1, n - 2);
                    }
                    Op::PopN { n } => {
                        let len = self.stack.len() - n as usize;
                        self.stack.truncate(len);
                    }
                    Op::UnitOr {} => {
                        let b = pop!();
                        if !matches!(b, Value::Unit(_)) {
                            *self.stack.last_mut().expect("verified stack") = b;
                        }
                    }
                    Op::AddSetLocal { slot } => {
                        let v = pop!();
                        let at = base + slot as usize;
                        if crate::ops::add_in_place(&mut self.stack[at], &v) {
                            v.drop_fast();
                            continue;
                        }
                        let r = match &mut self.stack[at] {
                            Value::Cell(c) => {
                                let c = c.clone();
                                let mut g = c.lock().expect("cell");
                                crate::ops::add_assign(&mut g, v, || {
                                    func.local_name(slot, ip - 1).unwrap_or("?").to_string()
                                })
                            }
                            dst => crate::ops::add_assign(dst, v, || {
                                func.local_name(slot, ip - 1).unwrap_or("?").to_string()
                            }),
                        };
                        tri!(r);
                    }
                    Op::AddSetGlobal { name } => {
                        let v = pop!();
                        if crate::ops::add_in_place(&mut self.globals[name as usize], &v) {
                            v.drop_fast();
                            continue;
                        }
                        if matches!(self.globals[name as usize], Value::Undef) {
                            throw!(crate::ops::undefined_global(self, name));
                        }
                        let gname = &self.global_names[name as usize];
                        let dst = &mut self.globals[name as usize];
                        tri!(crate::ops::add_assign(dst, v, || gname.clone()));
                    }
                    Op::AddSetUpval { idx } => {
                        let v = pop!();
                        let mut cell = closure.captures[idx as usize].lock().expect("cell");
                        let r = crate::ops::add_assign(&mut cell, v, || {
                            func.upval_names.get(idx as usize).cloned().unwrap_or_default()
                        });
                        drop(cell);
                        tri!(r);
                    }

                    Op::GetLocal { slot } => {
                        let v = match local!(slot) {
                            Value::Int(n, p) => Value::Int(*n, *p),
                            Value::Cell(c) => crate::ops::read_cell(c),
                            v => v.clone_fast(),
                        };
                        self.stack.push(v);
                    }
                    Op::FusedLocalIntCmpJump { slot, value, cmp, offset } => {
                        if let Value::Int(x, _) = *local!(slot) {
                            ip += 3;
                            if !crate::opcode::BinKind::compare(cmp, x, value as i64) {
                                ip = (ip as i64 + offset as i64) as usize;
                            }
                            continue;
                        }
                        push_local!(slot);
                    }
                    Op::FusedLocalIntArith { slot, value, op } => {
                        if let Value::Int(x, _) = *local!(slot) {
                            // Fused for Add and Sub only.
                            let y = value as i64;
                            let r =
                                if op == BinKind::Add as u8 { x.wrapping_add(y) } else { x.wrapping_sub(y) };
                            ip += 2;
                            self.stack.push(Value::int(r));
                            continue;
                        }
                        push_local!(slot);
                    }
                    Op::FusedLocalLocalCmpJump { a, b, cmp, offset } => {
                        if let (Value::Int(x, _), Value::Int(y, _)) = (local!(a), local!(b)) {
                            let flag = crate::opcode::BinKind::compare(cmp, *x, *y);
                            ip += 3;
                            if !flag {
                                ip = (ip as i64 + offset as i64) as usize;
                            }
                            continue;
                        }
                        push_local!(a);
                    }
                    Op::FusedIndexLocalLocal { arr, idx } => {
                        if let (Value::Array(items, _), Value::Int(i, _)) = (local!(arr), local!(idx)) {
                            if let Some(v) = usize::try_from(*i).ok().and_then(|i| items.get(i)) {
                                let v = v.clone_fast();
                                self.stack.push(v);
                                ip += 2;
                                continue;
                            }
                        }
                        push_local!(arr);
                    }
                    Op::FusedIndexLocalOffset { arr, idx, value } => {
                        if let (Value::Array(items, _), Value::Int(i, _)) = (local!(arr), local!(idx)) {
                            let at = i.checked_add(value as i64).and_then(|j| usize::try_from(j).ok());
                            if let Some(v) = at.and_then(|j| items.get(j)) {
                                let v = v.clone_fast();
                                self.stack.push(v);
                                ip += 4;
                                continue;
                            }
                        }
                        push_local!(arr);
                    }
                    Op::FusedAppendConst { slot, idx } => {
                        if let (Some(Constant::Str(text)), Value::Str(s, Phase::Unphased | Phase::Fluid)) =
                            (func.constants.get(idx as usize), &mut self.stack[base + slot as usize])
                        {
                            Arc::make_mut(s).push_str(text);
                            ip += 1;
                            continue;
                        }
                        push_const!(idx);
                    }
                    Op::FusedIncLocal { slot, value } => {
                        if let Value::Int(x, crate::value::Phase::Unphased | crate::value::Phase::Fluid) =
                            &mut self.stack[base + slot as usize]
                        {
                            *x = x.wrapping_add(value as i64);
                            ip += 1;
                            continue;
                        }
                        self.stack.push(Value::int(value as i64));
                    }
                    Op::FusedIntOp { value, op } => {
                        if let Some(Value::Int(x, _)) = self.stack.last_mut() {
                            let y = value as i64;
                            let r = if op == crate::fuse::MOD {
                                if y == 0 {
                                    None
                                } else {
                                    Some(Value::int(x.wrapping_rem(y)))
                                }
                            } else {
                                Some(match crate::opcode::BinKind::apply(op, *x, y) {
                                    Ok(n) => Value::int(n),
                                    Err(flag) => Value::bool(flag),
                                })
                            };
                            if let Some(r) = r {
                                // SAFETY: the top is an Int (no destructor to run).
                                unsafe { std::ptr::write(self.stack.last_mut().expect("top"), r) };
                                ip += 1;
                                continue;
                            }
                        }
                        self.stack.push(Value::int(value as i64));
                    }
                    Op::FusedLocalLocalOp { a, b, op } => {
                        if let (Value::Int(x, _), Value::Int(y, _)) = (local!(a), local!(b)) {
                            ip += 2;
                            let r = match crate::opcode::BinKind::apply(op, *x, *y) {
                                Ok(n) => Value::int(n),
                                Err(flag) => Value::bool(flag),
                            };
                            self.stack.push(r);
                            continue;
                        }
                        push_local!(a);
                    }
                    Op::SetLocal { slot } => {
                        let v = pop!();
                        let dst = &mut self.stack[base + slot as usize];
                        match dst {
                            Value::Cell(c) => {
                                let c = c.clone();
                                let r = crate::ops::assign_checked(&mut c.lock().expect("cell"), v, || {
                                    func.local_name(slot, ip - 1).unwrap_or("?").to_string()
                                });
                                tri!(r)
                            }
                            _ => {
                                let phase = dst.phase();
                                if phase == Phase::Unphased {
                                    *dst = v;
                                } else if let (Value::Int(..), Value::Int(n, _)) = (&*dst, &v) {
                                    // The common `flux` counter: an Int into a fluid Int (R2).
                                    if phase == Phase::Fluid {
                                        *dst = Value::Int(*n, Phase::Fluid);
                                    } else {
                                        tri!(crate::ops::assign_checked(dst, v, || {
                                            func.local_name(slot, ip - 1).unwrap_or("?").to_string()
                                        }))
                                    }
                                } else {
                                    tri!(crate::ops::assign_checked(dst, v, || {
                                        func.local_name(slot, ip - 1).unwrap_or("?").to_string()
                                    }))
                                }
                            }
                        }
                    }
                    Op::StoreLocal { slot } => {
                        let v = pop!();
                        match &mut self.stack[base + slot as usize] {
                            Value::Cell(c) => *c.lock().expect("cell") = v,
                            dst => *dst = v,
                        }
                    }
                    Op::FusedGlobalCallee { name } => match &self.globals[name as usize] {
                        Value::Closure(c, _) if std::ptr::eq(Arc::as_ptr(c), closure) => {
                            self.stack.push(Value::Native(crate::fuse::SELF_CALLEE, Phase::Unphased))
                        }
                        _ => push_global!(name),
                    },
                    Op::GetGlobal { name } => push_global!(name),
                    Op::SetGlobal { name } => {
                        let v = pop!();
                        if matches!(self.globals[name as usize], Value::Undef) {
                            throw!(crate::ops::undefined_global(self, name));
                        }
                        let gname = &self.global_names[name as usize];
                        let dst = &mut self.globals[name as usize];
                        tri!(crate::ops::assign_checked(dst, v, || gname.clone()));
                    }
                    Op::DefGlobal { name } | Op::StoreGlobal { name } => {
                        let v = pop!();
                        tri!(crate::calls::define_global(self, name, v));
                    }
                    Op::GetUpval { idx } => {
                        let v = crate::ops::read_cell(&closure.captures[idx as usize]);
                        self.stack.push(v);
                    }
                    Op::SetUpval { idx } => {
                        let v = pop!();
                        let mut cell = closure.captures[idx as usize].lock().expect("cell");
                        tri!(crate::ops::assign_checked(&mut cell, v, || {
                            func.upval_names.get(idx as usize).cloned().unwrap_or_default()
                        }));
                    }
                    Op::StoreUpval { idx } => {
                        let v = pop!();
                        *closure.captures[idx as usize].lock().expect("cell") = v;
                    }

                    Op::Add {} => binary!(i64::wrapping_add, crate::ops::add),
                    Op::Sub {} => binary!(i64::wrapping_sub, crate::ops::sub),
                    Op::Mul {} => binary!(i64::wrapping_mul, crate::ops::mul),
                    Op::Div {} => apply2!(crate::ops::div),
                    Op::Mod {} => apply2!(crate::ops::rem),
                    Op::Neg {} => {
                        let a = pop!();
                        let r = tri!(crate::ops::neg(&a));
                        self.stack.push(r);
                    }
                    Op::Not {} => {
                        let a = pop!();
                        self.stack.push(Value::bool(!a.truthy()));
                    }
                    Op::BitNot {} => {
                        let a = pop!();
                        let r = tri!(crate::ops::bit_not(&a));
                        self.stack.push(r);
                    }
                    Op::BitAnd {} => binary!(std::ops::BitAnd::bitand, crate::ops::bit_and),
                    Op::BitOr {} => binary!(std::ops::BitOr::bitor, crate::ops::bit_or),
                    Op::BitXor {} => binary!(std::ops::BitXor::bitxor, crate::ops::bit_xor),
                    Op::Shl {} | Op::Shr {} => {
                        let b = pop!();
                        let a = pop!();
                        let r = tri!(crate::ops::shift(&a, &b, matches!(*op, Op::Shl {})));
                        self.stack.push(r);
                    }
                    Op::Eq {} | Op::Ne {} => {
                        let b = pop!();
                        let a = pop!();
                        let eq = if matches!((&a, &b), (Value::Struct(..), Value::Struct(..))) {
                            save_ip!();
                            tri!(crate::compare::struct_equal(self, &a, &b))
                        } else {
                            crate::compare::values_equal(&a, &b)
                        };
                        self.stack.push(Value::bool(eq == matches!(*op, Op::Eq {})));
                    }
                    Op::Lt {} => compare!(<),
                    Op::Le {} => compare!(<=),
                    Op::Gt {} => compare!(>),
                    Op::Ge {} => compare!(>=),

                    Op::Jump { offset } => ip = (ip as i64 + offset as i64) as usize,
                    Op::JumpIfFalse { offset } => {
                        if !pop!().truthy() {
                            ip = (ip as i64 + offset as i64) as usize;
                        }
                    }
                    Op::JumpIfTrue { offset } => {
                        if pop!().truthy() {
                            ip = (ip as i64 + offset as i64) as usize;
                        }
                    }
                    Op::AndJump { offset } => {
                        if !self.stack.last().is_some_and(Value::truthy) {
                            ip = (ip as i64 + offset as i64) as usize;
                        } else {
                            self.stack.pop();
                        }
                    }
                    Op::OrJump { offset } => {
                        if self.stack.last().is_some_and(Value::truthy) {
                            ip = (ip as i64 + offset as i64) as usize;
                        } else {
                            self.stack.pop();
                        }
                    }
                    Op::NilJump { offset } => {
                        if !self.stack.last().is_some_and(Value::is_nil) {
                            ip = (ip as i64 + offset as i64) as usize;
                        } else {
                            self.stack.pop();
                        }
                    }
                    Op::JumpIfNil { offset } => {
                        if self.stack.last().is_some_and(|v| matches!(v, Value::Nil(_) | Value::Unit(_))) {
                            ip = (ip as i64 + offset as i64) as usize;
                        }
                    }

                    Op::Call { argc } => {
                        let argc = argc as usize;
                        let fidx = self.stack.len() - argc - 1;
                        save_ip!();
                        // SAFETY: the verifier saw the callee and `argc` arguments on the
                        // stack here, so `fidx` is inside it.
                        match unsafe { self.stack.get_unchecked(fidx) } {
                            Value::Closure(c, _) => {
                                let ptr = Arc::as_ptr(c);
                                if !self.enter_direct(ptr, fidx, argc) {
                                    tri!(self.push_frame(argc));
                                }
                                continue 'frames;
                            }
                            Value::Native(crate::fuse::SELF_CALLEE, _) => {
                                // A recursive call paired at load time: the callee is the
                                // running closure, alive for as long as this frame.
                                let ptr: *const Closure = closure;
                                if self.enter_direct(ptr, fidx, argc) {
                                    continue 'frames;
                                }
                                // SAFETY: `ptr` comes from a live `Arc` (this frame's owner);
                                // the count is raised before a second handle is made.
                                let own = unsafe {
                                    Arc::increment_strong_count(ptr);
                                    Arc::from_raw(ptr)
                                };
                                self.stack[fidx] = Value::Closure(own, Phase::Unphased);
                                tri!(self.push_frame(argc));
                                continue 'frames;
                            }
                            Value::Native(id, _) => {
                                let id = *id;
                                let r = tri!(self.call_native(id, argc));
                                self.stack.push(r);
                            }
                            other => throw!(crate::calls::not_callable(other)),
                        }
                    }
                    Op::CallSpread {} => {
                        save_ip!();
                        let args = pop!();
                        let argc = tri!(crate::calls::spread_args(self, args));
                        if tri!(crate::calls::call_at(self, argc)) {
                            continue 'frames;
                        }
                    }
                    Op::Return {} => {
                        let mut result = pop!();
                        // SAFETY: `depth` indexes this frame (see `save_ip!`).
                        let (defer_base, frame_base) = {
                            let f = unsafe { self.frames.get_unchecked(depth) };
                            (f.defer_base, f.base)
                        };
                        if self.defers.len() > defer_base {
                            save_ip!();
                            tri!(self.run_defers(defer_base));
                        }
                        if let Some(ty) = &func.ret_type {
                            if !func.ret_check.is_some_and(|k| k.accepts(&result)) {
                                save_ip!();
                                tri!(crate::types::check_return(self, func, ty, &mut result));
                            }
                        }
                        leave_frame!(result, frame_base);
                    }
                    Op::Closure { func: fidx, ncap } => {
                        let proto = match func.constants.get(fidx as usize) {
                            Some(Constant::Function(f)) => f.clone(),
                            _ => throw!(RuntimeError::new("bad function constant")),
                        };
                        let mut captures = Vec::with_capacity(ncap as usize);
                        for _ in 0..ncap {
                            if let Op::Capture { local, idx } = code[ip] {
                                ip += 1;
                                if local == 1 {
                                    captures
                                        .push(crate::ops::box_local(&mut self.stack[base + idx as usize]));
                                } else {
                                    captures.push(closure.captures[idx as usize].clone());
                                }
                            }
                        }
                        self.stack.push(Value::Closure(
                            Arc::new(Closure { func: proto, captures, next: None }),
                            Phase::Unphased,
                        ));
                    }
                    Op::Capture { .. } => {}
                    Op::Invoke { name, argc } => {
                        save_ip!();
                        let name = func.const_str(name);
                        if tri!(crate::calls::invoke(self, name, argc as usize)) {
                            continue 'frames;
                        }
                    }
                    Op::InvokeLocal { slot, name, argc } => {
                        save_ip!();
                        let name = func.const_str(name);
                        let place = crate::calls::Place::Local(base + slot as usize);
                        if tri!(crate::calls::invoke_place(self, place, 0, name, argc as usize)) {
                            continue 'frames;
                        }
                    }
                    Op::InvokeGlobal { global, name, argc } => {
                        save_ip!();
                        let name = func.const_str(name);
                        let place = crate::calls::Place::Global(global as usize);
                        if tri!(crate::calls::invoke_place(self, place, 0, name, argc as usize)) {
                            continue 'frames;
                        }
                    }
                    Op::InvokeUpval { idx, name, argc } => {
                        save_ip!();
                        let name = func.const_str(name);
                        let place = crate::calls::Place::Cell(closure.captures[idx as usize].clone());
                        if tri!(crate::calls::invoke_place(self, place, 0, name, argc as usize)) {
                            continue 'frames;
                        }
                    }
                    Op::InvokeLocalPath { slot, n, name, argc } => {
                        save_ip!();
                        let name = func.const_str(name);
                        let place = crate::calls::Place::Local(base + slot as usize);
                        if tri!(crate::calls::invoke_place(self, place, n as usize, name, argc as usize)) {
                            continue 'frames;
                        }
                    }
                    Op::InvokeGlobalPath { global, n, name, argc } => {
                        save_ip!();
                        let name = func.const_str(name);
                        let place = crate::calls::Place::Global(global as usize);
                        if tri!(crate::calls::invoke_place(self, place, n as usize, name, argc as usize)) {
                            continue 'frames;
                        }
                    }
                    Op::InvokeUpvalPath { idx, n, name, argc } => {
                        save_ip!();
                        let name = func.const_str(name);
                        let place = crate::calls::Place::Cell(closure.captures[idx as usize].clone());
                        if tri!(crate::calls::invoke_place(self, place, n as usize, name, argc as usize)) {
                            continue 'frames;
                        }
                    }
                    Op::ArgGiven { slot, offset } => {
                        if !matches!(self.stack[base + slot as usize], Value::Undef) {
                            ip = (ip as i64 + offset as i64) as usize;
                        }
                    }
                    Op::CallMain {} => {
                        save_ip!();
                        if let Some(main) =
                            self.main_namespace.map.get("main").map(|&s| self.globals[s as usize].clone())
                        {
                            if let Value::Closure(..) = &main {
                                // main's result lands on the script's stack; codegen pops it.
                                self.stack.push(main);
                                tri!(self.push_frame(0));
                                continue 'frames;
                            }
                        }
                        self.stack.push(Value::UNIT);
                    }

                    Op::MakeArray { n } => {
                        let items = self.stack.split_off(self.stack.len() - n as usize);
                        self.stack.push(Value::array(items));
                    }
                    Op::ArrayPush {} => {
                        let v = pop!();
                        if let Some(Value::Array(a, _)) = self.stack.last_mut() {
                            Arc::make_mut(a).push(v);
                        }
                    }
                    Op::ArrayExtend {} => {
                        let v = pop!();
                        let items = tri!(crate::ops::iterate_eager(self, &v));
                        if let Some(Value::Array(a, _)) = self.stack.last_mut() {
                            Arc::make_mut(a).extend(items);
                        }
                    }
                    Op::MakeMap { n } => {
                        let items = self.stack.split_off(self.stack.len() - 2 * n as usize);
                        let mut m = LatMap::new();
                        let mut it = items.into_iter();
                        while let (Some(k), Some(v)) = (it.next(), it.next()) {
                            m.insert(&crate::display::to_display(&k), v);
                        }
                        self.stack.push(Value::map(m));
                    }
                    Op::MakeTuple { n } => {
                        // Tuples are immutable: they are born crystal.
                        let items = self.stack.split_off(self.stack.len() - n as usize);
                        let mut t = Value::tuple(items);
                        crate::phase::freeze(&mut t);
                        self.stack.push(t);
                    }
                    Op::MakeRange {} => {
                        let b = pop!();
                        let a = pop!();
                        match (a.as_int(), b.as_int()) {
                            (Some(x), Some(y)) => self.stack.push(Value::range(x, y)),
                            _ => throw!(RuntimeError::new("range bounds must be integers")),
                        }
                    }
                    Op::MakeStruct { name, fields, n } => {
                        let values = self.stack.split_off(self.stack.len() - n as usize);
                        let v = tri!(crate::calls::make_struct(self, func, name, fields, values));
                        self.stack.push(v);
                    }
                    Op::PathCall { ty, member, argc } => {
                        save_ip!();
                        if tri!(crate::calls::path_call(self, func, ty, member, argc as usize)) {
                            continue 'frames;
                        }
                    }
                    Op::PathGet { ty, member } => {
                        let v = tri!(crate::calls::path_get(self, func, ty, member));
                        self.stack.push(v);
                    }
                    Op::Interp { n } => {
                        let parts = self.stack.split_off(self.stack.len() - n as usize);
                        let mut s = String::new();
                        for p in &parts {
                            match p {
                                Value::Str(x, _) => s.push_str(x),
                                other => crate::display::write_value(&mut s, other, 0),
                            }
                        }
                        self.stack.push(Value::str(s));
                    }
                    Op::Index {} => apply2!(crate::ops::index),
                    Op::IndexOpt {} => {
                        let key = pop!();
                        let obj = pop!();
                        let v = crate::ops::index(&obj, &key).unwrap_or(Value::NIL);
                        self.stack.push(v);
                    }
                    Op::GetField { name } => {
                        let obj = pop!();
                        let v = tri!(crate::ops::get_field(self, &obj, func.const_str(name)));
                        self.stack.push(v);
                    }
                    Op::GetFieldOpt { name } => {
                        let obj = pop!();
                        let v = crate::ops::get_field(self, &obj, func.const_str(name)).unwrap_or(Value::NIL);
                        self.stack.push(v);
                    }
                    Op::TupleGet { index } => {
                        let obj = pop!();
                        let v = tri!(crate::ops::tuple_get(&obj, index as usize));
                        self.stack.push(v);
                    }
                    Op::SetLocalPath { slot, n } => {
                        // `a[i] = v` on a local fluid array, in bounds, over a non-crystal
                        // element: store in place. Everything else (errors included) takes
                        // the general path.
                        if n == 1 {
                            let len = self.stack.len();
                            if let Value::Int(i, _) = self.stack[len - 2] {
                                let at = base + slot as usize;
                                let direct = match &self.stack[at] {
                                    Value::Array(a, Phase::Unphased | Phase::Fluid) => usize::try_from(i)
                                        .ok()
                                        .and_then(|i| a.get(i))
                                        .is_some_and(|e| !e.is_crystal()),
                                    _ => false,
                                };
                                if direct {
                                    let v = pop!();
                                    self.stack.pop();
                                    if let Value::Array(a, _) = &mut self.stack[at] {
                                        Arc::make_mut(a)[i as usize] = v;
                                    }
                                    continue;
                                }
                            }
                        }
                        let name = || func.local_name(slot, ip - 1).unwrap_or("?").to_string();
                        tri!(crate::paths::set_path(
                            self,
                            crate::calls::Place::Local(base + slot as usize),
                            n,
                            &name
                        ));
                    }
                    Op::SetGlobalPath { name: g, n } => {
                        let gname = self.global_names[g as usize].clone();
                        tri!(crate::paths::set_path(
                            self,
                            crate::calls::Place::Global(g as usize),
                            n,
                            &|| gname.clone()
                        ));
                    }
                    Op::SetUpvalPath { idx, n } => {
                        let name = || func.upval_names.get(idx as usize).cloned().unwrap_or_default();
                        let place = crate::calls::Place::Cell(closure.captures[idx as usize].clone());
                        tri!(crate::paths::set_path(self, place, n, &name));
                    }
                    Op::GetLocalPath { slot, n } => {
                        let v = tri!(crate::paths::get_path(
                            self,
                            crate::calls::Place::Local(base + slot as usize),
                            n
                        ));
                        self.stack.push(v);
                    }
                    Op::GetGlobalPath { name: g, n } => {
                        let v =
                            tri!(crate::paths::get_path(self, crate::calls::Place::Global(g as usize), n));
                        self.stack.push(v);
                    }
                    Op::GetUpvalPath { idx, n } => {
                        let place = crate::calls::Place::Cell(closure.captures[idx as usize].clone());
                        let v = tri!(crate::paths::get_path(self, place, n));
                        self.stack.push(v);
                    }

                    Op::IterInit {} => {
                        let v = pop!();
                        let it = tri!(crate::ops::iter_init(v));
                        self.stack.push(it);
                        self.stack.push(Value::int(0));
                    }
                    Op::IterNext { slot, offset } => {
                        let at = base + slot as usize;
                        let i = self.stack[at + 1].as_int().unwrap_or(0);
                        let next = match &self.stack[at] {
                            Value::Array(items, _) => items.get(i as usize).cloned(),
                            Value::Range(r, _) => {
                                let v = r.0.wrapping_add(i);
                                (v < r.1).then(|| Value::int(v))
                            }
                            Value::Iterator(state, _) => {
                                let state = state.clone();
                                save_ip!();
                                let mut st = std::mem::take(&mut *state.lock().expect("iterator"));
                                let r = st.next(self);
                                *state.lock().expect("iterator") = st;
                                tri!(r)
                            }
                            _ => None,
                        };
                        match next {
                            Some(v) => {
                                self.stack[at + 1] = Value::int(i + 1);
                                self.stack.push(v);
                            }
                            None => ip = (ip as i64 + offset as i64) as usize,
                        }
                    }

                    Op::TryBegin { offset } => {
                        self.handlers.push(Handler {
                            frame: self.frames.len() - 1,
                            stack_len: self.stack.len(),
                            target: (ip as i64 + offset as i64) as usize,
                            defer_len: self.defers.len(),
                            scope_len: self.scopes.len(),
                        });
                    }
                    Op::TryEnd {} => {
                        self.handlers.pop();
                    }
                    Op::TryUnwrap {} => {
                        let v = pop!();
                        match tri!(crate::ops::try_unwrap(v)) {
                            Ok(inner) => self.stack.push(inner),
                            Err(result) => {
                                // Return the err map from the running function.
                                save_ip!();
                                // SAFETY: `depth` indexes this frame (see `save_ip!`).
                                let (defer_base, frame_base) = {
                                    let f = unsafe { self.frames.get_unchecked(depth) };
                                    (f.defer_base, f.base)
                                };
                                if self.defers.len() > defer_base {
                                    tri!(self.run_defers(defer_base));
                                }
                                leave_frame!(result, frame_base);
                            }
                        }
                    }
                    Op::DeferPush {} => {
                        let f = pop!();
                        self.defers.push(f);
                    }
                    Op::DeferRun { keep } => {
                        save_ip!();
                        let floor = self.frames.last().expect("frame").defer_base + keep as usize;
                        tri!(self.run_defers(floor));
                    }
                    Op::PhaseChanged { name, event } => {
                        save_ip!();
                        tri!(self.phase_changed(func.const_str(name), event == 1));
                    }
                    Op::Contract {} => {
                        save_ip!();
                        let f = pop!();
                        let v = self.stack.last().cloned().unwrap_or_default();
                        let r = self.call_value(&f, vec![v]);
                        match r {
                            Ok(Value::Bool(false, _)) => {
                                throw!(RuntimeError::new(
                                    "freeze contract failed: the contract returned false"
                                ))
                            }
                            Ok(_) => {}
                            Err(e) => {
                                throw!(RuntimeError::new(format!("freeze contract failed: {}", e.message)))
                            }
                        }
                    }
                    Op::ScopeBegin {} => self.begin_scope(),
                    Op::ScopeEnd {} => {
                        save_ip!();
                        tri!(self.end_scope());
                    }
                    Op::Spawn {} => {
                        save_ip!();
                        let f = pop!();
                        let v = tri!(self.spawn_task(f));
                        self.stack.push(v);
                    }
                    Op::Select { n, timeout, default } => {
                        save_ip!();
                        let ms = if timeout == 1 { pop!().as_number().map(|f| f as i64) } else { None };
                        let chans = self.stack.split_off(self.stack.len() - n as usize);
                        let (v, arm) =
                            tri!(self.select(chans, ms.or((timeout == 1).then_some(0)), default == 1));
                        self.stack.push(v);
                        self.stack.push(Value::int(arm));
                    }
                    Op::Rethrow { prefix } => {
                        let err = pop!();
                        let message = match &err {
                            Value::Map(m, _) => m.get("message").map(crate::display::to_display),
                            _ => None,
                        }
                        .unwrap_or_else(|| crate::display::to_display(&err));
                        throw!(RuntimeError::new(format!("{}{message}", func.const_str(prefix))));
                    }
                    Op::Throw {} => {
                        let v = pop!();
                        throw!(crate::ops::thrown(v));
                    }

                    Op::Freeze {} => {
                        let top = self.stack.last_mut().expect("verified stack");
                        if let Value::Channel(..) = top {
                            throw!(RuntimeError::new("cannot freeze a channel: channels are never crystal"));
                        }
                        crate::phase::freeze(top);
                    }
                    Op::FreezeExcept {} => {
                        let names = pop!();
                        let top = self.stack.last_mut().expect("verified stack");
                        tri!(crate::phase::freeze_except(top, &names));
                    }
                    Op::Thaw {} => {
                        let v = pop!();
                        self.stack.push(crate::phase::thaw(&v));
                    }
                    Op::CloneValue {} => {
                        let v = pop!();
                        self.stack.push(crate::phase::deep_clone(&v));
                    }
                    Op::MarkFluid {} => {
                        let top = self.stack.last_mut().expect("verified stack");
                        if top.is_crystal() {
                            *top = crate::phase::thaw(top);
                        } else {
                            top.set_phase(Phase::Fluid);
                        }
                    }
                    Op::Sublimate {} => {
                        let top = self.stack.last_mut().expect("verified stack");
                        top.set_phase(Phase::Sublimated);
                    }
                    Op::PhaseIs { phase } => {
                        // A `fluid` pattern also accepts unphased values (not frozen).
                        let p = pop!().phase();
                        let ok = p as u8 == phase || (phase == Phase::Fluid as u8 && p == Phase::Unphased);
                        self.stack.push(Value::bool(ok));
                    }

                    Op::MatchArray { len, rest } => {
                        let ok = match &pop!() {
                            Value::Array(a, _) => {
                                if rest == 1 {
                                    a.len() >= len as usize
                                } else {
                                    a.len() == len as usize
                                }
                            }
                            _ => false,
                        };
                        self.stack.push(Value::bool(ok));
                    }
                    Op::MatchVariant { enum_name, variant, n } => {
                        let ok = match &pop!() {
                            Value::Enum(e, _) => {
                                let en = func.const_str(enum_name);
                                (en.is_empty() || *e.enum_name == *en)
                                    && *e.variant == *func.const_str(variant)
                                    && (n == u16::MAX || e.payload.len() == n as usize)
                            }
                            _ => false,
                        };
                        self.stack.push(Value::bool(ok));
                    }
                    Op::MatchHasField { name } => {
                        let name = func.const_str(name);
                        let ok = match &pop!() {
                            Value::Map(m, _) => m.contains_key(name),
                            Value::Struct(s, _) => s.def.field_index(name).is_some(),
                            _ => false,
                        };
                        self.stack.push(Value::bool(ok));
                    }
                    Op::VariantGet { index } => {
                        let v = pop!();
                        let item = match &v {
                            Value::Enum(e, _) => e.payload.get(index as usize).cloned().unwrap_or(Value::NIL),
                            Value::Array(a, _) | Value::Tuple(a, _) => {
                                a.get(index as usize).cloned().unwrap_or(Value::NIL)
                            }
                            _ => Value::NIL,
                        };
                        self.stack.push(item);
                    }
                    Op::ArraySlice { from, to_end } => {
                        let v = pop!();
                        let items = match &v {
                            Value::Array(a, _) => {
                                let end = a.len().saturating_sub(to_end as usize);
                                a.get(from as usize..end.max(from as usize))
                                    .map(|s| s.to_vec())
                                    .unwrap_or_default()
                            }
                            _ => Vec::new(),
                        };
                        self.stack.push(Value::array(items));
                    }
                    Op::ItemFromEnd { k } => {
                        let v = pop!();
                        let item = match &v {
                            Value::Array(a, _) => {
                                a.len().checked_sub(k as usize).and_then(|i| a.get(i)).cloned()
                            }
                            _ => None,
                        };
                        self.stack.push(item.unwrap_or(Value::NIL));
                    }
                    Op::InRange { inclusive } => {
                        let hi = pop!();
                        let lo = pop!();
                        let v = pop!();
                        let ok = match (crate::compare::compare(&v, &lo), crate::compare::compare(&v, &hi)) {
                            (Some(a), Some(b)) => {
                                a != std::cmp::Ordering::Less
                                    && (b == std::cmp::Ordering::Less
                                        || (inclusive == 1 && b == std::cmp::Ordering::Equal))
                            }
                            _ => false,
                        };
                        self.stack.push(Value::bool(ok));
                    }

                    Op::DefStruct { def } => {
                        if let Some(Constant::Struct(d)) = func.constants.get(def as usize) {
                            self.module_structs
                                .entry(func.module)
                                .or_default()
                                .insert(d.name.clone(), d.clone());
                            self.structs.insert(d.name.clone(), d.clone());
                        }
                    }
                    Op::DefEnum { def } => {
                        if let Some(Constant::Enum(d)) = func.constants.get(def as usize) {
                            self.module_enums
                                .entry(func.module)
                                .or_default()
                                .insert(d.name.clone(), d.clone());
                            self.enums.insert(d.name.clone(), d.clone());
                        }
                    }
                    Op::DefMethod { ty, name } => {
                        let f = pop!();
                        let ty = func.const_str(ty).to_string();
                        let name = func.const_str(name).to_string();
                        if let Some(def) = self.module_structs.get(&func.module).and_then(|m| m.get(&ty)) {
                            let key = Arc::as_ptr(def) as usize;
                            self.struct_methods.entry(key).or_default().insert(name.clone(), f.clone());
                        }
                        self.user_methods.entry(ty).or_default().insert(name, f);
                    }
                    Op::Import { path } => {
                        save_ip!();
                        let exports = tri!(crate::calls::import(self, func.const_str(path)));
                        self.stack.push(exports);
                    }
                    Op::ImportAll {} => {
                        let m = pop!();
                        if let Value::Map(m, _) = m {
                            for (k, v) in m.iter() {
                                let mut ns = std::mem::take(&mut self.main_namespace);
                                let slot = self.global_slot(k, &mut ns, &HashSet::new());
                                self.main_namespace = ns;
                                self.globals[slot as usize] = v.clone();
                            }
                        }
                    }
                    Op::CheckType { ty, what } => {
                        let v = self.stack.last().expect("verified stack");
                        tri!(crate::types::check_value(self, v, func.const_str(ty), func.const_str(what)));
                    }
                    Op::Require { msg } => {
                        let c = pop!();
                        if self.assertions && !c.truthy() {
                            throw!(RuntimeError::new(func.const_str(msg).to_string()));
                        }
                    }
                }
            }
        }
    }
}

/// Names the top-level code defines as globals, so linking prefers them over natives.
fn collect_defined(f: &Function, out: &mut HashSet<String>) {
    for op in &f.code {
        if let Op::DefGlobal { name } | Op::StoreGlobal { name } = op {
            out.insert(f.const_str(*name).to_string());
        }
    }
}

/// A shared cell for a captured variable.
pub fn new_cell(v: Value) -> Arc<Mutex<Value>> {
    Arc::new(Mutex::new(v))
}
