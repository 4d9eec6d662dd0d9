//! Runtime errors: a message (or a thrown value) and the Lattice stack trace where it
//! happened. Catchable by `try`/`catch`, which sees it as a Map with `message`, `line`
//! and `stack` keys.

use crate::map::LatMap;
use crate::value::Value;
use std::fmt;

/// One frame of a stack trace, innermost last.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceFrame {
    pub function: String,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub struct RuntimeError {
    pub message: String,
    /// A value raised with `throw(value)` that is not a string, kept for `catch`.
    pub thrown: Option<Value>,
    /// Outermost frame first.
    pub trace: Vec<TraceFrame>,
    /// Set by `exit(code)`: not an error, a request to stop the process.
    pub exit_code: Option<i32>,
}

impl RuntimeError {
    pub fn new(message: impl Into<String>) -> RuntimeError {
        RuntimeError { message: message.into(), thrown: None, trace: Vec::new(), exit_code: None }
    }

    pub fn exit(code: i32) -> RuntimeError {
        RuntimeError { exit_code: Some(code), ..RuntimeError::new(format!("exit({code})")) }
    }

    /// The line of the innermost frame, 0 when unknown.
    pub fn line(&self) -> u32 {
        self.trace.last().map_or(0, |f| f.line)
    }

    /// The value a `catch e` block receives.
    pub fn to_value(&self) -> Value {
        if let Some(v) = &self.thrown {
            return v.clone();
        }
        let mut m = LatMap::new();
        m.insert("message", Value::str(self.message.clone()));
        m.insert("line", Value::int(self.line() as i64));
        let stack = self
            .trace
            .iter()
            .rev()
            .map(|f| Value::str(format!("{} at line {}", f.function, f.line)))
            .collect();
        m.insert("stack", Value::array(stack));
        Value::map(m)
    }

    /// The message and trace as `lat run` prints them on standard error.
    pub fn report(&self) -> String {
        let mut out = format!("error: {}\n", self.message);
        if !self.trace.is_empty() {
            out.push_str("stack trace (most recent call last):\n");
            // Deep recursion would print thousands of identical lines: keep both ends.
            const KEEP: usize = 12;
            let n = self.trace.len();
            for (i, f) in self.trace.iter().enumerate() {
                if n > 2 * KEEP && i == KEEP {
                    out.push_str(&format!("  ... {} more frames ...\n", n - 2 * KEEP));
                }
                if n > 2 * KEEP && (KEEP..n - KEEP).contains(&i) {
                    continue;
                }
                out.push_str(&format!("  [line {}] in {}\n", f.line, f.function));
            }
        }
        out
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<String> for RuntimeError {
    fn from(message: String) -> RuntimeError {
        RuntimeError::new(message)
    }
}

impl From<&str> for RuntimeError {
    fn from(message: &str) -> RuntimeError {
        RuntimeError::new(message)
    }
}

/// Result of natives and VM operations.
pub type VmResult<T> = Result<T, RuntimeError>;
