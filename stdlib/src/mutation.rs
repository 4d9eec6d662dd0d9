//! The phase guard of mutating builtin methods: a crystal receiver refuses every change,
//! and a sublimated one refuses every structural change (R8), as the reference does for
//! its mutating methods (`push`, `pop`, `insert`, `remove_at`, `set`, `remove`, `merge`,
//! `add`, `clear`, the Buffer writers).

use lattice_vm::{Phase, RuntimeError, Value, VmResult};

/// Fails when `recv` may not be changed by `method`. The crystal message carries both
/// "crystal" (the design post's word) and "frozen" (the corpus's), and every message names
/// the method as "mutating method '<name>'".
pub fn check_mutable(recv: &Value, method: &str) -> VmResult<()> {
    match recv.phase() {
        Phase::Crystal => Err(RuntimeError::new(format!(
            "cannot call mutating method '{method}' on a crystal (frozen) value (use thaw() to make it mutable)"
        ))),
        Phase::Sublimated => Err(RuntimeError::new(format!(
            "cannot call mutating method '{method}' on a sublimated value"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crystal_and_sublimated_receivers_refuse() {
        let v = Value::array(vec![]).with_phase(Phase::Crystal);
        let msg = check_mutable(&v, "push").unwrap_err().message;
        assert!(msg.contains("crystal") && msg.contains("frozen") && msg.contains("mutating method 'push'"));
        let v = Value::array(vec![]).with_phase(Phase::Sublimated);
        assert!(check_mutable(&v, "pop").unwrap_err().message.contains("sublimated"));
        assert!(check_mutable(&Value::array(vec![]).with_phase(Phase::Fluid), "push").is_ok());
    }
}
