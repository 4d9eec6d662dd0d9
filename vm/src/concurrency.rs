//! Structured concurrency: `scope { spawn { } }` on OS threads, and `select`.
//!
//! A spawned task runs on its own thread with a forked VM: the same code, natives and
//! types, and a snapshot of the globals. The task's closure gets fresh copies of the
//! variables it captured (R12): fluid values are copied (copy-on-write makes that a count
//! increment until someone writes), crystal values are shared. `scope` joins every task
//! it started and re-raises the first task error. `spawn` outside a scope runs the block
//! synchronously and yields its value.

use crate::channel::Channel;
use crate::error::{RuntimeError, VmResult};
use crate::value::{Closure, Value};
use crate::vm::Vm;
use crossbeam_channel::Select;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Stack size of a task thread: the interpreter bounds its own recursion, this only has
/// to hold the bounded native re-entries.
const TASK_STACK: usize = 64 << 20;

/// A started task: its result arrives on this channel when it finishes.
pub(crate) type Task = crossbeam_channel::Receiver<VmResult<()>>;

/// Work for a task thread.
type Job = Box<dyn FnOnce() + Send>;

/// Task threads waiting for work, newest last. Starting a thread costs more than most
/// tasks, so a finished task's thread waits a while for the next one instead of exiting.
/// A job always gets a thread at once (an idle one or a new one), so tasks that wait on
/// each other can never starve for threads.
static IDLE: Mutex<Vec<crossbeam_channel::Sender<Job>>> = Mutex::new(Vec::new());

/// How long an idle task thread waits for work before it exits.
const IDLE_LINGER: Duration = Duration::from_secs(2);

/// Runs `job` on an idle task thread, or on a new one.
fn run_task(mut job: Job) -> std::io::Result<()> {
    loop {
        let idle = IDLE.lock().ok().and_then(|mut v| v.pop());
        let Some(tx) = idle else { break };
        match tx.send(job) {
            Ok(()) => return Ok(()),
            // That thread gave up waiting just now: try the next one.
            Err(crossbeam_channel::SendError(j)) => job = j,
        }
    }
    std::thread::Builder::new().name("lattice-task".into()).stack_size(TASK_STACK).spawn(move || {
        let mut job = job;
        loop {
            job();
            let (tx, rx) = crossbeam_channel::bounded::<Job>(1);
            match IDLE.lock() {
                Ok(mut v) => v.push(tx),
                Err(_) => return,
            }
            match rx.recv_timeout(IDLE_LINGER) {
                Ok(next) => job = next,
                // Our sender is still in IDLE; a later send to it fails and moves on.
                Err(_) => return,
            }
        }
    })?;
    Ok(())
}

/// The closure a task runs: the same code with its own copies of the captured cells.
fn isolate(f: &Value) -> Value {
    match f {
        Value::Closure(c, p) => {
            let captures =
                c.captures.iter().map(|cell| Arc::new(Mutex::new(crate::ops::read_cell(cell)))).collect();
            Value::Closure(Arc::new(Closure { func: c.func.clone(), captures, next: c.next.clone() }), *p)
        }
        other => other.clone(),
    }
}

impl Vm {
    /// `spawn`: start a task in the innermost scope, or run the block now when there is
    /// no scope. Returns the value to push.
    pub(crate) fn spawn_task(&mut self, f: Value) -> VmResult<Value> {
        if self.scopes.is_empty() {
            return self.call_value(&f, Vec::new());
        }
        self.flush();
        let f = isolate(&f);
        let mut child = self.fork();
        let (done_tx, done) = crossbeam_channel::bounded(1);
        run_task(Box::new(move || {
            let r = child.call_value(&f, Vec::new()).map(|_| ());
            child.flush();
            drop(child);
            let _ = done_tx.send(r);
        }))
        .map_err(|e| RuntimeError::new(format!("cannot start a task: {e}")))?;
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(done);
        }
        Ok(Value::UNIT)
    }

    pub(crate) fn begin_scope(&mut self) {
        self.flush();
        self.scopes.push(Vec::new());
    }

    /// Joins the innermost scope's tasks; the first task error is re-raised.
    pub(crate) fn end_scope(&mut self) -> VmResult<()> {
        let tasks = self.scopes.pop().unwrap_or_default();
        join_all(tasks)
    }

    /// Joins (and forgets the errors of) scopes opened beyond `len`, when an error unwinds
    /// through them.
    pub(crate) fn abandon_scopes(&mut self, len: usize) {
        while self.scopes.len() > len {
            let tasks = self.scopes.pop().unwrap_or_default();
            let _ = join_all(tasks);
        }
    }

    /// `select`: waits on `chans` (arm order), with an optional timeout in milliseconds
    /// and an optional default arm. Returns (value, arm): arm is the channel's position,
    /// -1 for timeout, -2 for default, -3 when every channel is closed.
    pub(crate) fn select(
        &mut self,
        chans: Vec<Value>,
        timeout: Option<i64>,
        default: bool,
    ) -> VmResult<(Value, i64)> {
        self.flush();
        let mut live: Vec<(usize, Arc<Channel>)> = Vec::new();
        for (i, c) in chans.into_iter().enumerate() {
            match c {
                Value::Channel(ch, _) => live.push((i, ch)),
                other => {
                    return Err(RuntimeError::new(format!(
                        "select arm needs a Channel, got {}",
                        other.type_name()
                    )))
                }
            }
        }
        let deadline = timeout.map(|ms| std::time::Instant::now() + Duration::from_millis(ms.max(0) as u64));
        loop {
            if live.is_empty() {
                return Ok((Value::UNIT, if default { -2 } else { -3 }));
            }
            let mut sel = Select::new();
            for (_, ch) in &live {
                sel.recv(&ch.rx);
            }
            let oper = if default {
                match sel.try_select() {
                    Ok(op) => op,
                    Err(_) => return Ok((Value::UNIT, -2)),
                }
            } else if let Some(deadline) = deadline {
                match sel.select_deadline(deadline) {
                    Ok(op) => op,
                    Err(_) => return Ok((Value::UNIT, -1)),
                }
            } else {
                sel.select()
            };
            let k = oper.index();
            let (arm, ch) = live[k].clone();
            match oper.recv(&ch.rx) {
                Ok(v) => return Ok((v, arm as i64)),
                Err(_) => {
                    live.remove(k);
                }
            }
        }
    }
}

/// `async_iter(|ch| { ... })`: runs the producer on its own thread with a fresh channel
/// (closed when the producer returns) and iterates over what it sends.
fn async_iter(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let f = args.first().filter(|f| f.is_callable()).cloned();
    let f = f.ok_or_else(|| RuntimeError::new("async_iter() expects a producer closure"))?;
    let ch = Arc::new(Channel::default());
    let f = isolate(&f);
    let mut child = vm.fork();
    let producer_ch = ch.clone();
    vm.flush();
    std::thread::Builder::new()
        .name("lattice-async-iter".into())
        .stack_size(TASK_STACK)
        .spawn(move || {
            let arg = Value::Channel(producer_ch.clone(), crate::value::Phase::Unphased);
            let r = child.call_value(&f, vec![arg]);
            child.flush();
            producer_ch.close();
            if let Err(e) = r {
                eprint!("{}", e.report());
            }
        })
        .map_err(|e| RuntimeError::new(format!("cannot start a task: {e}")))?;
    let state = crate::iter::IterState::Channel(ch);
    Ok(Value::Iterator(Arc::new(Mutex::new(state)), crate::value::Phase::Unphased))
}

/// `async_map(it, f)` / `async_filter(it, f)`: lazy adapters over any iterator.
fn async_adapter(args: &[Value], filter: bool) -> VmResult<Value> {
    let (Some(Value::Iterator(it, _)), Some(f)) = (args.first(), args.get(1)) else {
        return Err(RuntimeError::new("expected an iterator and a closure"));
    };
    let inner = Box::new(crate::iter::IterState::Shared(it.clone()));
    let state = if filter {
        crate::iter::IterState::Filter { inner, f: f.clone() }
    } else {
        crate::iter::IterState::Map { inner, f: f.clone() }
    };
    Ok(Value::Iterator(Arc::new(Mutex::new(state)), crate::value::Phase::Unphased))
}

fn async_map(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    async_adapter(args, false)
}

fn async_filter(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    async_adapter(args, true)
}

pub fn install(vm: &mut Vm) {
    vm.register_native("async_iter", async_iter);
    vm.register_native("async_map", async_map);
    vm.register_native("async_filter", async_filter);
}

fn join_all(tasks: Vec<Task>) -> VmResult<()> {
    let mut first = None;
    for t in tasks {
        let r = t.recv().unwrap_or_else(|_| Err(RuntimeError::new("a task crashed")));
        if let Err(e) = r {
            first.get_or_insert(e);
        }
    }
    first.map_or(Ok(()), Err)
}
