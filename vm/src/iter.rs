//! Lazy iterators: `iter(xs)`, `range_iter(a, b)`, `repeat_iter(v)` and the adapters
//! `.map .filter .take .skip .enumerate .zip`. Advancing may call Lattice closures, so it
//! needs the VM.
//!
//! An iterator value is shared state (`Arc<Mutex<IterState>>`): copies of it advance
//! together, as in the reference. The lock is never held while a closure runs: the state
//! is taken out, advanced, and put back.

use crate::error::VmResult;
use crate::value::Value;
use crate::vm::Vm;
use std::sync::Arc;

#[derive(Default)]
pub enum IterState {
    Array {
        items: Arc<Vec<Value>>,
        pos: usize,
    },
    Range {
        cur: i64,
        end: i64,
        step: i64,
    },
    Repeat {
        value: Value,
        remaining: Option<u64>,
    },
    Map {
        inner: Box<IterState>,
        f: Value,
    },
    Filter {
        inner: Box<IterState>,
        f: Value,
    },
    Take {
        inner: Box<IterState>,
        left: u64,
    },
    Skip {
        inner: Box<IterState>,
        skip: u64,
    },
    Enumerate {
        inner: Box<IterState>,
        index: i64,
    },
    Zip {
        a: Box<IterState>,
        b: Box<IterState>,
    },
    /// Another iterator value's state, advanced in place: an adapter built on an
    /// iterator that other handles still share (`left.zip(right)` leaves `right` usable).
    Shared(Arc<std::sync::Mutex<IterState>>),
    /// The values of a channel until it is closed and drained (`async_iter`).
    Channel(Arc<crate::channel::Channel>),
    /// An item handed back (a `zip` that read it and found no partner), then the rest.
    Pushback {
        item: Value,
        inner: Box<IterState>,
    },
    #[default]
    Done,
}

impl IterState {
    /// Makes `item` the next item again (in the shared state, for `Shared`).
    pub fn push_back(&mut self, item: Value) {
        match self {
            IterState::Shared(state) => {
                let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                let inner = Box::new(std::mem::take(&mut *st));
                *st = IterState::Pushback { item, inner };
            }
            _ => {
                let inner = Box::new(std::mem::take(self));
                *self = IterState::Pushback { item, inner };
            }
        }
    }

    /// The next item, or `None` when exhausted.
    pub fn next(&mut self, vm: &mut Vm) -> VmResult<Option<Value>> {
        match self {
            IterState::Channel(ch) => {
                vm.flush();
                Ok(ch.rx.recv().ok())
            }
            IterState::Array { items, pos } => {
                let item = items.get(*pos).cloned();
                *pos += 1;
                Ok(item)
            }
            IterState::Range { cur, end, step } => {
                let more = if *step > 0 { *cur < *end } else { *cur > *end };
                if !more {
                    return Ok(None);
                }
                let v = *cur;
                *cur = cur.wrapping_add(*step);
                Ok(Some(Value::int(v)))
            }
            IterState::Repeat { value, remaining } => match remaining {
                Some(0) => Ok(None),
                Some(n) => {
                    *n -= 1;
                    Ok(Some(value.clone()))
                }
                None => Ok(Some(value.clone())),
            },
            IterState::Map { inner, f } => match inner.next(vm)? {
                Some(v) => {
                    let f = f.clone();
                    Ok(Some(vm.call_value(&f, vec![v])?))
                }
                None => Ok(None),
            },
            IterState::Filter { inner, f } => {
                let f = f.clone();
                while let Some(v) = inner.next(vm)? {
                    if vm.call_value(&f, vec![v.clone()])?.truthy() {
                        return Ok(Some(v));
                    }
                }
                Ok(None)
            }
            IterState::Take { inner, left } => {
                if *left == 0 {
                    return Ok(None);
                }
                *left -= 1;
                inner.next(vm)
            }
            IterState::Skip { inner, skip } => {
                while *skip > 0 {
                    *skip -= 1;
                    if inner.next(vm)?.is_none() {
                        return Ok(None);
                    }
                }
                inner.next(vm)
            }
            IterState::Enumerate { inner, index } => match inner.next(vm)? {
                Some(v) => {
                    let i = *index;
                    *index += 1;
                    Ok(Some(Value::array(vec![Value::int(i), v])))
                }
                None => Ok(None),
            },
            IterState::Zip { a, b } => {
                // The right side is read only when the left has an item, and an unmatched
                // left item is handed back, so neither side loses an element it did not pair.
                let Some(x) = a.next(vm)? else {
                    return Ok(None);
                };
                match b.next(vm)? {
                    Some(y) => Ok(Some(Value::array(vec![x, y]))),
                    None => {
                        a.push_back(x);
                        Ok(None)
                    }
                }
            }
            IterState::Shared(state) => {
                // The lock is not held while advancing: that may run a closure that
                // touches the same iterator.
                let mut st = std::mem::take(&mut *state.lock().unwrap_or_else(|e| e.into_inner()));
                let r = st.next(vm);
                *state.lock().unwrap_or_else(|e| e.into_inner()) = st;
                r
            }
            IterState::Pushback { .. } => {
                let IterState::Pushback { item, inner } = std::mem::take(self) else {
                    return Ok(None);
                };
                *self = *inner;
                Ok(Some(item))
            }
            IterState::Done => Ok(None),
        }
    }
}
