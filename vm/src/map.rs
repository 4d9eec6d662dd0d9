//! `LatMap`: the string-keyed hash table behind Lattice's Map and Set values.
//!
//! Iteration order is observable (printing a map, `keys()`, `for k in m`), and programs
//! written against the reference implementation expect its order. So this table uses the
//! same classic scheme: FNV-1a hashing, open addressing with linear probing, tombstones on
//! removal, 16 initial slots, doubling when occupied-or-tombstoned slots would pass 70%,
//! and rehashing in old slot order. Iteration walks the slots in order.
//!
//! The table is a plain value type: `Clone` copies it, and `Arc<LatMap>` with
//! `Arc::make_mut` gives maps their copy-on-write value semantics.

use crate::value::Value;

/// Always a power of two, so `hash & (cap - 1)` is the reference's `hash % cap`.
const INITIAL_CAP: usize = 16;
const LOAD_PERCENT: usize = 70;

#[derive(Clone, Default)]
enum Slot {
    #[default]
    Empty,
    Tombstone,
    /// The key's hash is kept so probes compare strings only on a hash match and
    /// growing never rehashes a key.
    Full(u64, Box<str>, Value),
}

#[derive(Clone)]
pub struct LatMap {
    slots: Vec<Slot>,
    /// Occupied plus tombstoned slots: what the load factor counts.
    used: usize,
    /// Occupied slots: the map's length.
    live: usize,
}

impl Default for LatMap {
    fn default() -> LatMap {
        LatMap::new()
    }
}

/// The 64-bit FNV-1a hash of `key`.
#[inline]
pub fn fnv1a(key: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = FnvHasher::default();
    h.write(key.as_bytes());
    h.finish()
}

/// FNV-1a as a `std::hash::Hasher`, for the VM's internal tables keyed by short names
/// (builtin methods): SipHash's flood resistance buys nothing there and costs a lot
/// on every method call.
#[derive(Clone, Copy)]
pub struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> FnvHasher {
        FnvHasher(14695981039346656037)
    }
}

impl std::hash::Hasher for FnvHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(1099511628211);
        }
    }
}

/// A `HashMap` hashed with `FnvHasher`.
pub type FnvHashMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FnvHasher>>;

impl LatMap {
    pub fn new() -> LatMap {
        LatMap { slots: vec![Slot::Empty; INITIAL_CAP], used: 0, live: 0 }
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The slot holding `key` (hashing to `hash`), or the slot where it would go.
    fn find_slot(&self, hash: u64, key: &str) -> usize {
        let cap = self.slots.len();
        let start = (hash & (cap as u64 - 1)) as usize;
        let mut first_tomb = None;
        for i in 0..cap {
            let pos = (start + i) & (cap - 1);
            match &self.slots[pos] {
                Slot::Empty => return first_tomb.unwrap_or(pos),
                Slot::Tombstone => {
                    first_tomb.get_or_insert(pos);
                }
                Slot::Full(h, k, _) if *h == hash && &**k == key => return pos,
                Slot::Full(..) => {}
            }
        }
        first_tomb.unwrap_or(0)
    }

    fn lookup(&self, key: &str) -> Option<usize> {
        if self.live == 0 {
            return None;
        }
        let hash = fnv1a(key);
        let cap = self.slots.len();
        let start = (hash & (cap as u64 - 1)) as usize;
        for i in 0..cap {
            let pos = (start + i) & (cap - 1);
            match &self.slots[pos] {
                Slot::Empty => return None,
                Slot::Full(h, k, _) if *h == hash && &**k == key => return Some(pos),
                _ => {}
            }
        }
        None
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.lookup(key).map(|i| match &self.slots[i] {
            Slot::Full(_, _, v) => v,
            _ => unreachable!("lookup returns full slots only"),
        })
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        let i = self.lookup(key)?;
        match &mut self.slots[i] {
            Slot::Full(_, _, v) => Some(v),
            _ => None,
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.lookup(key).is_some()
    }

    /// Inserts or replaces; returns true when the key is new.
    pub fn insert(&mut self, key: &str, value: Value) -> bool {
        let hash = fnv1a(key);
        let mut pos = self.find_slot(hash, key);
        if let Slot::Full(_, _, v) = &mut self.slots[pos] {
            *v = value;
            return false;
        }
        if (self.used + 1) * 100 > self.slots.len() * LOAD_PERCENT {
            self.grow();
            pos = self.find_slot(hash, key);
        }
        if matches!(self.slots[pos], Slot::Empty) {
            self.used += 1;
        }
        self.slots[pos] = Slot::Full(hash, key.into(), value);
        self.live += 1;
        true
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.lookup(key)?;
        let old = std::mem::replace(&mut self.slots[i], Slot::Tombstone);
        self.live -= 1;
        match old {
            Slot::Full(_, _, v) => Some(v),
            _ => None,
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![Slot::Empty; old.len() * 2];
        self.used = 0;
        self.live = 0;
        let mask = self.slots.len() - 1;
        for slot in old {
            if let Slot::Full(h, k, v) = slot {
                // Every key is distinct and the new table has no tombstones: the first
                // empty slot of the probe sequence is the key's place.
                let mut pos = (h as usize) & mask;
                while !matches!(self.slots[pos], Slot::Empty) {
                    pos = (pos + 1) & mask;
                }
                self.slots[pos] = Slot::Full(h, k, v);
                self.used += 1;
                self.live += 1;
            }
        }
    }

    /// Entries in iteration order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.slots.iter().filter_map(|s| match s {
            Slot::Full(_, k, v) => Some((&**k, v)),
            _ => None,
        })
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Value)> {
        self.slots.iter_mut().filter_map(|s| match s {
            Slot::Full(_, k, v) => Some((&**k, v)),
            _ => None,
        })
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.iter().map(|(_, v)| v)
    }

    pub fn clear(&mut self) {
        *self = LatMap::new();
    }
}

impl FromIterator<(String, Value)> for LatMap {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> LatMap {
        let mut m = LatMap::new();
        for (k, v) in iter {
            m.insert(&k, v);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(m: &LatMap) -> Vec<&str> {
        m.keys().collect()
    }

    #[test]
    fn order_follows_the_reference_table() {
        // Observed from the reference implementation: b, a, c inserted print as c, b, a.
        let mut m = LatMap::new();
        for k in ["b", "a", "c"] {
            m.insert(k, Value::int(1));
        }
        assert_eq!(keys(&m), ["c", "b", "a"]);
        m.insert("zz", Value::int(4));
        assert_eq!(keys(&m), ["c", "b", "zz", "a"]);
    }

    #[test]
    fn grows_and_removes() {
        let mut m = LatMap::new();
        for i in 0..1000 {
            m.insert(&i.to_string(), Value::int(i));
        }
        assert_eq!(m.len(), 1000);
        for i in (0..1000).step_by(2) {
            assert!(m.remove(&i.to_string()).is_some());
        }
        assert_eq!(m.len(), 500);
        assert_eq!(m.get("999").and_then(Value::as_int), Some(999));
        assert!(m.get("998").is_none());
        assert!(!m.insert("999", Value::int(0)));
        assert!(m.insert("998", Value::int(0)));
    }
}
