//! The reactive phase system: reactions (`react`), bonds (`bond`), seed contracts
//! (`seed`/`grow`), pressure (`pressurize`) and phase history (`track`/`phases`/`rewind`).
//!
//! These name variables, not values: `react(x, cb)` and `react("x", cb)` both watch the
//! variable `x` (the compiler passes an identifier argument of these functions as its
//! name). A variable is found by name in the running frame (its locals, then its
//! captures), then among the globals. The compiler emits `PhaseChanged` after every phase
//! operation on a named variable and after assignments to tracked names; that is where
//! reactions fire and bonds propagate. With nothing registered, that check is one branch.

use crate::calls::Place;
use crate::error::{RuntimeError, VmResult};
use crate::map::LatMap;
use crate::value::{Phase, Value};
use crate::vm::Vm;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Strategy {
    Mirror,
    Inverse,
    Gate,
    Sync,
}

/// One step of a tracked variable's history.
#[derive(Clone)]
struct Entry {
    phase: Phase,
    value: Value,
    line: i64,
    func: String,
}

#[derive(Default, Clone)]
pub struct Reactive {
    reactions: HashMap<String, Vec<Value>>,
    /// (leader, dependent, strategy)
    bonds: Vec<(String, String, Strategy)>,
    seeds: HashMap<String, Value>,
    pressure: HashMap<String, String>,
    history: HashMap<String, Vec<Entry>>,
    last_phase: HashMap<String, Phase>,
}

impl Reactive {
    fn is_empty(&self) -> bool {
        self.reactions.is_empty()
            && self.bonds.is_empty()
            && self.seeds.is_empty()
            && self.history.is_empty()
            && self.pressure.is_empty()
    }
}

fn name_arg(args: &[Value], i: usize, what: &str) -> VmResult<String> {
    match args.get(i) {
        Some(Value::Str(s, _)) => Ok(s.to_string()),
        _ => Err(RuntimeError::new(format!("{what}() expects a variable name"))),
    }
}

impl Vm {
    /// Where the variable `name` lives, seen from the running frame.
    pub fn find_var(&self, name: &str) -> Option<Place> {
        if let Some(frame) = self.frames.last() {
            let func = &frame.closure().func;
            let pc = frame.ip.saturating_sub(1) as u32;
            if let Some(l) = func
                .local_names
                .iter()
                .rev()
                .find(|l| l.name == name && l.start <= pc && pc <= l.end.max(l.start))
            {
                return Some(Place::Local(frame.base + l.slot as usize));
            }
            if let Some(i) = func.upval_names.iter().position(|n| n == name) {
                return frame.closure().captures.get(i).map(|c| Place::Cell(c.clone()));
            }
        }
        self.main_namespace_slot(name).map(|s| Place::Global(s as usize))
    }

    fn var_value(&self, name: &str) -> Option<Value> {
        let place = self.find_var(name)?;
        crate::paths::read(self, &place, &[]).ok()
    }

    fn set_var_phase(&mut self, name: &str, phase: Phase) -> VmResult<()> {
        let Some(place) = self.find_var(name) else {
            return Err(RuntimeError::new(format!("undefined variable '{name}'")));
        };
        crate::paths::with_mut(self, &place, &[], |v| match phase {
            Phase::Crystal => crate::phase::freeze(v),
            Phase::Fluid => *v = crate::phase::thaw(v),
            other => v.set_phase(other),
        })
    }

    /// Called after a phase operation on (or an assignment to) the variable `name`.
    pub(crate) fn phase_changed(&mut self, name: &str, phase_op: bool) -> VmResult<()> {
        if self.reactive.is_empty() {
            return Ok(());
        }
        let mut visiting = Vec::new();
        self.propagate(name, phase_op, &mut visiting, true)
    }

    /// The line and function of the running code, for history entries.
    fn here(&self) -> (i64, String) {
        self.frames.last().map_or((0, String::new()), |f| {
            let func = &f.closure().func;
            (func.line_at(f.ip.saturating_sub(1)) as i64, func.name.clone())
        })
    }

    fn fire_reactions(&mut self, name: &str, old: Phase, new: Phase, value: &Value) -> VmResult<()> {
        if let Some(cbs) = self.reactive.reactions.get(name).cloned() {
            for cb in cbs {
                let three = match &cb {
                    Value::Closure(c, _) => c.func.params.len() >= 3,
                    _ => false,
                };
                let args = if three {
                    vec![Value::str(name), Value::str(old.name()), Value::str(new.name())]
                } else {
                    vec![Value::str(new.name()), value.clone()]
                };
                self.call_value(&cb, args)
                    .map_err(|e| RuntimeError::new(format!("reaction error: {}", e.message)))?;
            }
        }
        Ok(())
    }

    fn propagate(
        &mut self,
        name: &str,
        phase_op: bool,
        visiting: &mut Vec<String>,
        root: bool,
    ) -> VmResult<()> {
        if visiting.iter().any(|v| v == name) || visiting.len() > 64 {
            return Ok(());
        }
        visiting.push(name.to_string());
        let Some(value) = self.var_value(name) else { return Ok(()) };
        let new = value.phase();
        let old = self.reactive.last_phase.insert(name.to_string(), new).unwrap_or(Phase::Fluid);
        if self.reactive.history.contains_key(name) {
            let (line, func) = self.here();
            if let Some(h) = self.reactive.history.get_mut(name) {
                h.push(Entry { phase: new, value: value.clone(), line, func });
            }
        }
        // Reactions fire on every phase operation (R5); bonds only follow real changes.
        if !phase_op && old == new {
            return Ok(());
        }
        if new == Phase::Crystal {
            if let Some(contract) = self.reactive.seeds.get(name).cloned() {
                let ok = self.call_value(&contract, vec![value.clone()])?;
                if !ok.truthy() {
                    return Err(RuntimeError::new(format!("seed contract failed for '{name}'")));
                }
            }
            for (leader, dep, s) in self.reactive.bonds.clone() {
                if leader == name
                    && s == Strategy::Gate
                    && !self.var_value(&dep).is_some_and(|v| v.is_crystal())
                {
                    return Err(RuntimeError::new(format!(
                        "bond gate: cannot freeze '{name}' before '{dep}' is crystal"
                    )));
                }
            }
        }
        // A bonded variable reacts before the ones it passes the change on to; the
        // variable the program changed reacts last.
        if !root {
            self.fire_reactions(name, old, new, &value)?;
        }
        for (leader, dep, s) in self.reactive.bonds.clone() {
            if old == new {
                break;
            }
            let (target, phase) = match s {
                Strategy::Mirror if leader == name => (dep, new),
                Strategy::Sync if leader == name => (dep, new),
                Strategy::Sync if dep == name => (leader, new),
                Strategy::Inverse if leader == name => {
                    (dep, if new == Phase::Crystal { Phase::Fluid } else { Phase::Crystal })
                }
                _ => continue,
            };
            if matches!(phase, Phase::Crystal | Phase::Fluid) && self.var_value(&target).is_some() {
                self.set_var_phase(&target, phase)?;
                self.propagate(&target, true, visiting, false)?;
            }
        }
        if root {
            self.fire_reactions(name, old, new, &value)?;
        }
        Ok(())
    }

    /// Refuses a structural change (`push`, `pop`...) to a pressurized variable.
    pub(crate) fn check_pressure(&self, place: &Place, method: &str) -> VmResult<()> {
        if self.reactive.pressure.is_empty() {
            return Ok(());
        }
        let name = match place {
            Place::Local(abs) => self.frames.last().and_then(|f| {
                let slot = abs.checked_sub(f.base)? as u16;
                f.closure().func.local_name(slot, f.ip.saturating_sub(1)).map(str::to_string)
            }),
            Place::Global(i) => self.global_names.get(*i).cloned(),
            Place::Cell(_) => None,
        };
        let Some(mode) = name.as_ref().and_then(|n| self.reactive.pressure.get(n)) else { return Ok(()) };
        let grows = matches!(method, "push" | "insert" | "add" | "extend" | "append" | "set" | "unshift");
        let shrinks = matches!(method, "pop" | "remove_at" | "remove" | "clear" | "shift" | "truncate");
        let refused = match mode.as_str() {
            "no_grow" => grows,
            "no_shrink" => shrinks,
            "no_resize" => grows || shrinks,
            _ => false,
        };
        if refused {
            return Err(RuntimeError::new(format!(
                "pressurized: '{method}' is not allowed on '{}' ({mode}): structural changes are restricted",
                name.unwrap_or_default()
            )));
        }
        Ok(())
    }

    fn main_namespace_slot(&self, name: &str) -> Option<u32> {
        self.main_namespace.slot(name)
    }
}

fn react(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "react")?;
    let cb = args.get(1).filter(|v| v.is_callable()).cloned();
    let cb = cb.ok_or_else(|| RuntimeError::new("react() expects a callback"))?;
    let phase = vm.var_value(&name).map_or(Phase::Unphased, |v| v.phase());
    vm.reactive.last_phase.insert(name.clone(), phase);
    vm.reactive.reactions.entry(name).or_default().push(cb);
    Ok(Value::UNIT)
}

fn unreact(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "unreact")?;
    vm.reactive.reactions.remove(&name);
    Ok(Value::UNIT)
}

fn strategy(s: &str) -> VmResult<Strategy> {
    Ok(match s {
        "mirror" => Strategy::Mirror,
        "inverse" => Strategy::Inverse,
        "gate" => Strategy::Gate,
        "sync" => Strategy::Sync,
        other => return Err(RuntimeError::new(format!("unknown bond strategy '{other}'"))),
    })
}

/// `bond(leader, dep..., strategy?)`: a trailing argument that names no variable is the
/// strategy.
fn bond(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let mut names: Vec<String> = Vec::new();
    for (i, _) in args.iter().enumerate() {
        names.push(name_arg(args, i, "bond")?);
    }
    let mut s = Strategy::Mirror;
    if names.len() >= 3 || (names.len() == 2 && vm.find_var(&names[1]).is_none()) {
        if let Ok(st) = strategy(names.last().map_or("", String::as_str)) {
            if vm.find_var(names.last().map_or("", String::as_str)).is_none() {
                s = st;
                names.pop();
            }
        }
    }
    let Some((leader, deps)) = names.split_first() else {
        return Err(RuntimeError::new("bond() expects at least two variables"));
    };
    if deps.is_empty() {
        return Err(RuntimeError::new("bond() expects at least two variables"));
    }
    if vm.var_value(leader).is_some_and(|v| v.is_crystal()) {
        return Err(RuntimeError::new(format!("cannot bond '{leader}': it is already crystal")));
    }
    for name in &names {
        if vm.find_var(name).is_none() {
            return Err(RuntimeError::new(format!("bond(): undefined variable '{name}'")));
        }
        let phase = vm.var_value(name).map_or(Phase::Unphased, |v| v.phase());
        vm.reactive.last_phase.insert(name.clone(), phase);
    }
    for d in deps {
        vm.reactive.bonds.push((leader.clone(), d.clone(), s));
    }
    Ok(Value::UNIT)
}

fn unbond(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let leader = name_arg(args, 0, "unbond")?;
    let deps: Vec<String> = (1..args.len()).filter_map(|i| name_arg(args, i, "unbond").ok()).collect();
    vm.reactive.bonds.retain(|(l, d, _)| !(*l == leader && (deps.is_empty() || deps.contains(d))));
    Ok(Value::UNIT)
}

fn seed(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "seed")?;
    let f = args.get(1).filter(|v| v.is_callable()).cloned();
    let f = f.ok_or_else(|| RuntimeError::new("seed() expects a contract closure"))?;
    let phase = vm.var_value(&name).map_or(Phase::Unphased, |v| v.phase());
    vm.reactive.last_phase.insert(name.clone(), phase);
    vm.reactive.seeds.insert(name, f);
    Ok(Value::UNIT)
}

fn unseed(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "unseed")?;
    vm.reactive.seeds.remove(&name);
    Ok(Value::UNIT)
}

/// `grow(x)`: validate the seed contract, then freeze `x`.
fn grow(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "grow")?;
    let value =
        vm.var_value(&name).ok_or_else(|| RuntimeError::new(format!("undefined variable '{name}'")))?;
    if let Some(contract) = vm.reactive.seeds.remove(&name) {
        if !vm.call_value(&contract, vec![value])?.truthy() {
            return Err(RuntimeError::new(format!("seed contract failed for '{name}'")));
        }
    }
    vm.set_var_phase(&name, Phase::Crystal)?;
    vm.phase_changed(&name, true)?;
    Ok(vm.var_value(&name).unwrap_or(Value::UNIT))
}

fn pressurize(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "pressurize")?;
    let mode = match args.get(1) {
        Some(Value::Str(m, _)) if matches!(m.as_str(), "no_grow" | "no_shrink" | "no_resize") => {
            m.to_string()
        }
        _ => {
            return Err(RuntimeError::new(
                "pressurize() mode must be \"no_grow\", \"no_shrink\" or \"no_resize\"",
            ))
        }
    };
    vm.reactive.pressure.insert(name, mode);
    Ok(Value::UNIT)
}

fn depressurize(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "depressurize")?;
    vm.reactive.pressure.remove(&name);
    Ok(Value::UNIT)
}

fn pressure_of(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "pressure_of")?;
    Ok(vm.reactive.pressure.get(&name).map_or(Value::NIL, |m| Value::str(m.clone())))
}

fn track(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "track")?;
    let value =
        vm.var_value(&name).ok_or_else(|| RuntimeError::new(format!("undefined variable '{name}'")))?;
    vm.reactive.last_phase.insert(name.clone(), value.phase());
    let (line, func) = vm.here();
    vm.reactive.history.insert(name, vec![Entry { phase: value.phase(), value, line, func }]);
    Ok(Value::UNIT)
}

fn phases(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "phases")?;
    let items = vm.reactive.history.get(&name).cloned().unwrap_or_default();
    Ok(Value::array(
        items
            .into_iter()
            .map(|e| {
                let mut m = LatMap::new();
                m.insert("phase", Value::str(e.phase.name()));
                m.insert("value", e.value);
                m.insert("line", Value::int(e.line));
                m.insert("fn", Value::str(e.func));
                Value::map(m)
            })
            .collect(),
    ))
}

fn rewind(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let name = name_arg(args, 0, "rewind")?;
    let n = args.get(1).and_then(Value::as_int).unwrap_or(0);
    let h = vm.reactive.history.get(&name);
    Ok(h.and_then(|h| {
        let i = h.len() as i64 - 1 - n;
        (i >= 0).then(|| h[i as usize].value.clone())
    })
    .unwrap_or(Value::NIL))
}

/// The natives that take variable names (the compiler passes identifiers by name).
pub const NAME_FUNCTIONS: &[&str] = &[
    "react",
    "unreact",
    "bond",
    "unbond",
    "seed",
    "unseed",
    "grow",
    "pressurize",
    "depressurize",
    "pressure_of",
    "track",
    "phases",
    "history",
    "rewind",
];

pub fn install(vm: &mut Vm) {
    vm.register_native("react", react);
    vm.register_native("unreact", unreact);
    vm.register_native("bond", bond);
    vm.register_native("unbond", unbond);
    vm.register_native("seed", seed);
    vm.register_native("unseed", unseed);
    vm.register_native("grow", grow);
    vm.register_native("pressurize", pressurize);
    vm.register_native("depressurize", depressurize);
    vm.register_native("pressure_of", pressure_of);
    vm.register_native("track", track);
    vm.register_native("phases", phases);
    vm.register_native("history", phases);
    vm.register_native("rewind", rewind);
}
