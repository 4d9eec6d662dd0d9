//! Channels between tasks, on crossbeam-channel. Unbounded and buffered, as in the
//! reference: a task may send inside a `scope` and the values be received after it ends.
//!
//! Only crystal values cross a channel (R9), plus unphased immutable scalars such as
//! literals. A crystal value is deeply immutable and shared by count, so a send is O(1)
//! whatever its size and no task can observe another's mutation.

use crate::error::{RuntimeError, VmResult};
use crate::value::{Phase, Value};
use crate::vm::{TypeTag, Vm};
use crossbeam_channel::{Receiver, Sender};
use std::sync::{Arc, Mutex};

pub struct Channel {
    /// `None` once closed; dropping the sender lets blocked receivers wake up.
    tx: Mutex<Option<Sender<Value>>>,
    pub(crate) rx: Receiver<Value>,
}

impl Default for Channel {
    fn default() -> Channel {
        let (tx, rx) = crossbeam_channel::unbounded();
        Channel { tx: Mutex::new(Some(tx)), rx }
    }
}

impl Channel {
    pub fn send(&self, mut v: Value) -> VmResult<()> {
        check_sendable(&v, 0)?;
        crate::phase::freeze(&mut v);
        self.send_checked(v)
    }

    /// Sends a value already known to be sendable.
    fn send_checked(&self, v: Value) -> VmResult<()> {
        let guard = self.tx.lock().map_err(|_| RuntimeError::new("channel is poisoned"))?;
        match &*guard {
            Some(tx) => tx.send(v).map_err(|_| RuntimeError::new("cannot send on a closed channel")),
            None => Err(RuntimeError::new("cannot send on a closed channel")),
        }
    }

    /// Blocks for the next value; Unit once the channel is closed and drained.
    pub fn recv(&self) -> Value {
        self.rx.recv().unwrap_or(Value::UNIT)
    }

    pub fn close(&self) {
        if let Ok(mut g) = self.tx.lock() {
            g.take();
        }
    }
}

/// R9: crystal values, or unphased immutable scalars; never closures, iterators or
/// channels, however deep.
fn check_sendable(v: &Value, depth: usize) -> VmResult<()> {
    if let Value::Ref(..) = v {
        return Err(RuntimeError::new("cannot send a Ref on a channel: references never cross tasks"));
    }
    let scalar = matches!(
        v,
        Value::Int(..) | Value::Float(..) | Value::Bool(..) | Value::Nil(_) | Value::Unit(_) | Value::Str(..)
    );
    match v.phase() {
        Phase::Crystal => {}
        Phase::Unphased if scalar => return Ok(()),
        // An unphased container (a literal or `let` temporary) is frozen as it is sent.
        Phase::Unphased => {}
        Phase::Fluid => {
            return Err(RuntimeError::new(format!(
                "cannot send a fluid {} on a channel: only crystal values may be sent (freeze it first)",
                v.type_name()
            )))
        }
        p => {
            return Err(RuntimeError::new(format!(
                "cannot send a {} {} on a channel: only crystal values may be sent, not fluid or unfrozen ones (freeze it first)",
                p.name(),
                v.type_name()
            )))
        }
    }
    if depth > 1000 {
        return Ok(());
    }
    match v {
        Value::Closure(..) | Value::Native(..) => {
            Err(RuntimeError::new("cannot send a closure on a channel"))
        }
        Value::Iterator(..) => Err(RuntimeError::new("cannot send an iterator on a channel")),
        Value::Channel(..) => Err(RuntimeError::new("cannot send a channel on a channel")),
        Value::Ref(..) => Err(RuntimeError::new("cannot send a Ref on a channel")),
        Value::Array(items, _) | Value::Tuple(items, _) => {
            items.iter().try_for_each(|x| check_sendable(x, depth + 1))
        }
        Value::Map(m, _) | Value::Set(m, _) => m.values().try_for_each(|x| check_sendable(x, depth + 1)),
        Value::Struct(s, _) => s.fields.iter().try_for_each(|x| check_sendable(x, depth + 1)),
        Value::Enum(e, _) => e.payload.iter().try_for_each(|x| check_sendable(x, depth + 1)),
        _ => Ok(()),
    }
}

fn channel_of(v: &Value) -> VmResult<&Arc<Channel>> {
    match v {
        Value::Channel(c, _) => Ok(c),
        other => Err(RuntimeError::new(format!("expected a Channel, got {}", other.type_name()))),
    }
}

fn new_channel(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::Channel(Arc::new(Channel::default()), Phase::Unphased))
}

/// Identity of a container's shared storage, for the sendable cache.
fn storage_ptr(v: &Value) -> Option<*const ()> {
    Some(match v {
        Value::Array(a, _) | Value::Tuple(a, _) => std::sync::Arc::as_ptr(a) as *const (),
        Value::Map(m, _) | Value::Set(m, _) => std::sync::Arc::as_ptr(m) as *const (),
        Value::Struct(s, _) => std::sync::Arc::as_ptr(s) as *const (),
        _ => return None,
    })
}

fn send(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let v = args.first().cloned().unwrap_or(Value::UNIT);
    let ch = channel_of(recv)?;
    // A crystal container is checked once: crystal data never changes, so the cache
    // (which holds a handle, keeping the storage alive) makes repeated sends O(1).
    if v.is_crystal() {
        if let Some(p) = storage_ptr(&v) {
            if vm.sendable_cache.iter().any(|c| storage_ptr(c) == Some(p)) {
                ch.send_checked(v)?;
                return Ok(Value::UNIT);
            }
            check_sendable(&v, 0)?;
            if vm.sendable_cache.len() >= 16 {
                vm.sendable_cache.remove(0);
            }
            vm.sendable_cache.push(v.clone());
            ch.send_checked(v)?;
            return Ok(Value::UNIT);
        }
    }
    ch.send(v)?;
    Ok(Value::UNIT)
}

fn recv(vm: &mut Vm, ch: &mut Value, _: &[Value]) -> VmResult<Value> {
    vm.flush();
    Ok(channel_of(ch)?.recv())
}

fn close(_: &mut Vm, ch: &mut Value, _: &[Value]) -> VmResult<Value> {
    channel_of(ch)?.close();
    Ok(Value::UNIT)
}

/// Registers `Channel::new` and the channel methods.
fn new_ref(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let v = args.first().cloned().unwrap_or(Value::NIL);
    Ok(Value::Ref(Arc::new(Mutex::new(v)), Phase::Unphased))
}

pub fn install(vm: &mut Vm) {
    vm.register_static("Ref", "new", new_ref);
    vm.register_static("Channel", "new", new_channel);
    vm.register_method(TypeTag::Channel, "send", send);
    vm.register_method(TypeTag::Channel, "recv", recv);
    vm.register_method(TypeTag::Channel, "close", close);
}
