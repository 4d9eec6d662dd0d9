//! Snapshots of the syntax tree for the grammar's tricky corners: Map literal versus block
//! (R4), struct literals versus blocks after `if`/`for`, precedence, postfix chains,
//! patterns, string interpolation, types and declarations.
//!
//! Review changes with `cargo insta review`.

fn ast(src: &str) -> String {
    let (program, diags) = lattice_compiler::parse(src);
    let mut out = format!("{src}\n---\n");
    for d in &diags {
        out.push_str(&format!("error {}..{}: {}\n", d.primary.span.start, d.primary.span.end, d.message));
    }
    if let Some(p) = program {
        out.push_str(&lattice_compiler::pretty_print(&p));
    }
    out
}

macro_rules! snap {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(ast($src));
        }
    };
}

snap!(
    map_literals_and_blocks,
    "m = {}\nn = { host: \"x\", \"port\": 1 }\nb = { let y = 1; y }\nf = |x| {}\ng = || { a: 1 }"
);
snap!(
    struct_literal_only_with_fields_ahead,
    "p = Point { x: 1, y }\nif ready { go() }\nfor i in Items { print(i) }\nq = mod.Point { x: 1 }"
);
snap!(precedence, "x = a ?? b || c && d | e ^ f & g == h < i << j .. k + l * -m");
snap!(postfix_chains, "v = a.b(1)?.c[2]?[3].0.1?.d(...xs)(4)?\nw = !!x.clone()");
snap!(
    paths_and_enums,
    "a = Color::Red\nb = Shape::Rect(1, 2)\nc = Map::new()\nd = m.Enum::V(1)\ne = Set::from([1])"
);
snap!(
    match_patterns,
    "match v { 0 => a, -1 => b, 1..10 => c, x if x > 3 => d, [h, ...t] => e, {role: \"admin\", name} => f, \
     Shape::Rect(w, _) => g, fluid y => { y }, [crystal z] => z, _ => nil }"
);
snap!(
    strings,
    "s = \"a${b + \"c${d}\"}e\"\nr = 'raw ${x}'\nt = \"\"\"\n    two\n      lines ${n}\n    \"\"\""
);
snap!(
    declarations,
    "/// Adds.\n@fluid\nexport fn add<T>(a: Int, b: [Int] = [], ...rest) -> Int require a > 0, \"pos\" ensure |r| r > 0 { a }\n\
     struct S { x: fix Int, f: Fn(Int) -> Int, m: Map<String, Int>, p: (~|*) Map, q: flux }\n\
     enum E { A, B(Int, String) }\ntrait T { fn f(self) -> Int  fn g(self) { 1 } }\nimpl T for S { fn f(self) { 2 } }\n\
     impl S { fn h() {} }\ntest \"name\" { assert(true) }"
);
snap!(
    statements,
    "#mode strict\nflux [a, b, ...r] = xs; fix {x, y} = p\nlet t: Int = 1\nx += 1\nm[i][j] = 2\ns.f.g -= 3\n\
     for [k, v] in pairs { continue }\nwhile c { break }\nloop { return }\ndefer { close() }\n\
     import \"math\" as m\nimport { sin, cos } from \"math\"\nfn outer() { fn inner() { 1 } inner() }"
);
snap!(
    phase_forms,
    "f = freeze(x) where |v| v > 0\ng = freeze(u) except [\"score\"]\nh = thaw(x)\nclone(y)\nsublimate(z)\n\
     fix c = forge { flux t = {}; t }\nanneal(c) |v| { v.k = 1 }\ncrystallize(d) { print(d) }\nborrow(e) { e.push(1) }\n\
     scope { spawn { ch.send(1) } }\nr = select { v from ch => { v } timeout(100) => { 0 } default => { 1 } }\n\
     t = try { risky() } catch e { e.message }\nk = fn(a, b) { a + b }\nif a { 1 } else if b { 2 } else { 3 }"
);
snap!(
    recovery_reports_several_errors,
    "fn f() {\n  x = (1 + )\n  y = 2\n  z = [3,,]\n}\nfn g() { ok() }\n@foo\nlet w = 1\n"
);
snap!(tuples_and_unit, "a = ()\nb = (1,)\nc = (1, 2)\nd = (1)\ne = t.0 + t.1");
