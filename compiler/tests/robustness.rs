//! The front end never panics and never overflows the stack, whatever the input: deep
//! nesting and long operator chains end in a diagnostic, and arbitrary bytes or truncated
//! programs just produce errors. Tests run on libtest's 2 MiB threads, so a recursion that
//! escaped the parser's limits would crash them.

use lattice_compiler::{check, parse};

/// Parses (and checks, when a tree comes back) and returns the diagnostics' messages.
fn messages(src: &str) -> Vec<String> {
    let (program, mut diags) = parse(src);
    if let Some(program) = &program {
        diags.extend(check(program));
    }
    diags.into_iter().map(|d| d.message).collect()
}

fn assert_too_deep(src: &str) {
    let msgs = messages(src);
    assert!(msgs.iter().any(|m| m.contains("nested too deeply")), "no depth error, got {msgs:?}");
}

#[test]
fn ten_thousand_nested_brackets() {
    for (open, close) in [("(", ")"), ("[", "]"), ("{", "}")] {
        let src = format!("x = {}1{}", open.repeat(10_000), close.repeat(10_000));
        assert_too_deep(&src);
    }
    // Unclosed, too.
    assert_too_deep(&"(".repeat(10_000));
    assert_too_deep(&"[{(".repeat(5_000));
}

#[test]
fn hundred_thousand_term_chains() {
    assert_too_deep(&format!("x = a{}", " + a".repeat(100_000)));
    assert_too_deep(&format!("x = {}x", "!".repeat(100_000)));
    assert_too_deep(&format!("x = {}x", "- ".repeat(100_000)));
    assert_too_deep(&format!("x = a{}", ".b".repeat(100_000)));
    assert_too_deep(&format!("x = f{}", "()".repeat(100_000)));
    assert_too_deep(&format!("x = a{}", "? ".repeat(100_000)));
}

#[test]
fn long_keyword_chains() {
    let else_ifs = format!("if a {{ 1 }}{} else {{ 2 }}", " else if a { 1 }".repeat(10_000));
    assert_too_deep(&else_ifs);
    assert_too_deep(&format!("f = {}x", "|x| ".repeat(10_000)));
    assert_too_deep(&format!("fn f(a: {}Int) {{}}", "Fn() -> ".repeat(10_000)));
    assert_too_deep(&format!("fn f(a: {}Int{}) {{}}", "Map<".repeat(10_000), ">".repeat(10_000)));
    assert_too_deep(&format!("match x {{ {}1{} => 1 }}", "[".repeat(10_000), "]".repeat(10_000)));
    // Blocks that nest through statements only, never through an expression.
    assert_too_deep(&format!("{}x = 1{}", "loop { ".repeat(10_000), " }".repeat(10_000)));
    assert_too_deep(&format!("{}1{}", "fn f() { ".repeat(10_000), " }".repeat(10_000)));
    assert_too_deep(&format!("{}1{}", "while a { ".repeat(300), " }".repeat(300)));
}

#[test]
fn deep_interpolation_is_an_error() {
    let src = format!("x = {}1{}", "\"${".repeat(1_000), "}\"".repeat(1_000));
    let msgs = messages(&src);
    assert!(msgs.iter().any(|m| m.contains("nested too deeply")), "{msgs:?}");
}

#[test]
fn reasonable_nesting_is_fine() {
    let src = format!("x = {}1{}", "(".repeat(100), ")".repeat(100));
    assert_eq!(messages(&src), Vec::<String>::new());
    let src = format!("x = a{}", " + a".repeat(150));
    assert_eq!(messages(&src), Vec::<String>::new());
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SAMPLE: &str = r#"
#mode casual
/// Documented.
@crystal
fix limits = freeze({ low: 1, "high": 10 })
struct Point { x: Int, y: fix Float, f: Fn }
enum Shape { Circle(Float), Rect(Float, Float), Empty }
trait Area { fn area(self: any) -> Float  fn name(self) { "shape" } }
impl Area for Point { fn area(self: any) -> Float { 0.0 } }
fn go(a: [Int], b: (~|*) Map = {}, ...rest) -> Int require a.len() > 0, "empty" {
    flux [h, ...t] = a
    for i in 0..h { if i % 2 == 0 { continue } else if i > 5 { break } }
    let s = """
        multi ${h} line
        """
    let r = match t { [x, ...] if x > 1 => x, Shape::Circle(r) => r, {x, y: 0} => x, fluid v => v, -1..5 => 0, _ => nil }
    try { anneal(limits) |v| { v.low = 2 } } catch e { print("${e.message} \x41") }
    select { v from ch => { v } timeout(10) => { 0 } default => { 1 } }
    scope { spawn { ch.send(freeze([1, 2])) } }
    m?.k?[0] ?? (1, 2).0 + ~3 << 2 & 1 | 2 ^ 3
    return p.clone()
}
test "adds" { assert(go([1]) == 1) }
"#;

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..300 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let src = String::from_utf8_lossy(&bytes);
        messages(&src);
    }
}

#[test]
fn mutated_and_truncated_programs_never_panic() {
    let (program, diags) = parse(SAMPLE);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(check(&program.expect("tree")).is_empty());
    let mut rng = Rng(42);
    let chars: Vec<char> = SAMPLE.chars().collect();
    for cut in (0..chars.len()).step_by(7) {
        let src: String = chars[..cut].iter().collect();
        messages(&src);
    }
    let alphabet: Vec<char> = "{}[]()|\"'$\\.,:;=<>!?-+*/ \nabc01fnifmatch".chars().collect();
    for _ in 0..400 {
        let mut mutated = chars.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(mutated.len());
            match rng.below(3) {
                0 => {
                    mutated.remove(at);
                }
                1 => mutated.insert(at, alphabet[rng.below(alphabet.len())]),
                _ => mutated[at] = alphabet[rng.below(alphabet.len())],
            }
        }
        let src: String = mutated.into_iter().collect();
        messages(&src);
    }
}
