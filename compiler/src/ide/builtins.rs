//! The builtin functions and keywords the IDE knows by name, for completion, hover and
//! signature help.
//!
//! The compiler may not depend on the standard library, so this is a hand-kept table of
//! the common natives with a signature and a one-line summary each; a name missing here
//! still works in programs, it only gets no hover.

/// A builtin function: its name, parameter list as written in a signature, and summary.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub params: &'static [&'static str],
    pub doc: &'static str,
}

impl Builtin {
    pub fn signature(&self) -> String {
        format!("fn {}({})", self.name, self.params.join(", "))
    }
}

macro_rules! builtins {
    ($($name:literal ($($p:literal),*) $doc:literal;)*) => {
        /// Every builtin function the IDE describes, in alphabetical order.
        pub const BUILTINS: &[Builtin] = &[$(Builtin { name: $name, params: &[$($p),*], doc: $doc }),*];
    };
}

builtins! {
    "abs" ("n") "the absolute value, keeping Int or Float";
    "assert" ("cond", "msg?") "fails with `msg` when `cond` is not truthy";
    "bond" ("target", "...deps") "links bindings so that freezing `target` freezes the dependencies";
    "ceil" ("n") "the smallest integer not below `n`";
    "chr" ("code") "the one-character string of a code point";
    "clamp" ("x", "lo", "hi") "`x` limited to the range [lo, hi]";
    "cos" ("x") "cosine of `x` radians";
    "depressurize" ("var") "removes a pressure constraint";
    "eprint" ("...values") "prints the values to standard error, then a newline";
    "error" ("msg") "an error value carrying `msg`";
    "exit" ("code?") "ends the process with `code` (default 0)";
    "exp" ("x") "e raised to `x`";
    "floor" ("n") "the largest integer not above `n`";
    "gcd" ("a", "b") "the greatest common divisor";
    "grow" ("var") "freezes `var` after checking its seed contract";
    "input" ("prompt?") "reads a line from standard input (nil at end of input)";
    "is_error" ("value") "true when `value` is an error value";
    "len" ("value") "the length of a string, array or map";
    "lerp" ("a", "b", "t") "linear interpolation from `a` to `b`";
    "log" ("n") "natural logarithm";
    "max" ("a", "b") "the larger of two numbers";
    "min" ("a", "b") "the smaller of two numbers";
    "ord" ("ch") "the code point of the first character";
    "parse_float" ("s") "the Float written in `s`";
    "parse_int" ("s") "the Int written in `s`";
    "phase_of" ("value") "the phase of a value: \"fluid\", \"crystal\", \"sublimated\" or \"unphased\"";
    "phases" ("name") "the recorded phase history of a tracked binding";
    "pow" ("base", "exp") "`base` raised to `exp`";
    "pressurize" ("var", "mode") "restricts structural changes: \"no_grow\", \"no_shrink\" or \"no_resize\"";
    "print" ("...values") "prints the values separated by spaces, then a newline";
    "print_raw" ("...values") "prints the values without a newline";
    "random" () "a random Float in [0, 1)";
    "random_int" ("lo", "hi") "a random Int in [lo, hi]";
    "range" ("start", "end", "step?") "an array of the integers from `start` up to `end` (exclusive)";
    "react" ("var", "callback") "calls `callback` on each phase transition of `var`";
    "repr" ("value") "the display form of a value (strings quoted)";
    "require" ("path") "runs a Lattice file and brings its definitions into scope";
    "rewind" ("name", "n") "the value a tracked binding had `n` steps back";
    "round" ("n") "the nearest integer";
    "seed" ("var", "contract") "attaches a contract checked when `var` is grown";
    "sign" ("x") "-1, 0 or 1";
    "sin" ("x") "sine of `x` radians";
    "sqrt" ("n") "square root";
    "tan" ("x") "tangent of `x` radians";
    "to_float" ("value") "converts to Float";
    "to_int" ("value") "converts to Int";
    "to_string" ("value") "the string form of any value";
    "track" ("name") "starts recording the phase history of a binding";
    "typeof" ("value") "the type name of a value (\"Int\", \"String\", ...)";
    "unbond" ("target", "...deps") "removes a bond";
    "unreact" ("var") "removes the phase reactions of `var`";
    "unseed" ("var") "removes a seed contract";
    "version" () "the Lattice version string";
}

/// The keywords, with a short description of the phase keywords for hover.
pub const KEYWORDS: &[(&str, &str)] = &[
    ("flux", "declares a fluid (mutable) binding"),
    ("fix", "declares a crystal (immutable) binding"),
    ("let", "declares a binding that keeps its value's phase"),
    ("freeze", "makes a value crystal: deeply immutable and shareable"),
    ("thaw", "a fluid (mutable) copy of a value"),
    ("forge", "a block whose result is frozen when it ends"),
    ("anneal", "thaws a crystal value, changes it in a closure, and freezes it again"),
    ("crystallize", "keeps a binding crystal for the length of a block"),
    ("borrow", "keeps a binding fluid for the length of a block"),
    ("sublimate", "freezes a container's shape while its elements stay mutable"),
    ("clone", "a deep copy of a value"),
    ("fn", ""),
    ("struct", ""),
    ("enum", ""),
    ("trait", ""),
    ("impl", ""),
    ("if", ""),
    ("else", ""),
    ("for", ""),
    ("in", ""),
    ("while", ""),
    ("loop", ""),
    ("return", ""),
    ("break", ""),
    ("continue", ""),
    ("match", ""),
    ("try", ""),
    ("catch", ""),
    ("scope", "runs the `spawn` blocks inside it concurrently and waits for them all"),
    ("spawn", "starts a task inside a `scope`"),
    ("defer", "runs a block when the enclosing function returns"),
    ("import", ""),
    ("from", ""),
    ("as", ""),
    ("export", ""),
    ("test", ""),
    ("true", ""),
    ("false", ""),
    ("nil", ""),
    ("select", "waits on several channels at once"),
];

/// Keywords that change or state a phase; semantic highlighting marks them.
pub fn is_phase_keyword(word: &str) -> bool {
    matches!(
        word,
        "flux"
            | "fix"
            | "freeze"
            | "thaw"
            | "forge"
            | "anneal"
            | "crystallize"
            | "borrow"
            | "sublimate"
            | "clone"
    )
}

pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.binary_search_by(|b| b.name.cmp(name)).ok().map(|i| &BUILTINS[i])
}

pub fn keyword_doc(word: &str) -> Option<&'static str> {
    KEYWORDS.iter().find(|(k, d)| *k == word && !d.is_empty()).map(|(_, d)| *d)
}

/// Methods common to the builtin types, offered after `.` when the receiver's type is
/// unknown.
pub const METHODS: &[&str] = &[
    "push",
    "pop",
    "len",
    "map",
    "filter",
    "reduce",
    "each",
    "contains",
    "index_of",
    "join",
    "split",
    "trim",
    "keys",
    "values",
    "get",
    "set",
    "has",
    "remove",
    "sort",
    "reverse",
    "slice",
    "substring",
    "starts_with",
    "ends_with",
    "replace",
    "to_upper",
    "to_lower",
    "enumerate",
    "first",
    "last",
    "insert",
    "chars",
    "entries",
];

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_sorted() {
        assert!(super::BUILTINS.windows(2).all(|w| w[0].name < w[1].name));
    }
}
