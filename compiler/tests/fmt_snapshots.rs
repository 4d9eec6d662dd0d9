//! Snapshots of `lattice_compiler::fmt::format` on tricky snippets: each snapshot holds the
//! input and the output, and every case is also checked to be idempotent.

fn check(name: &str, src: &str) {
    let out = match lattice_compiler::fmt::format(src) {
        Ok(out) => out,
        Err(diags) => panic!("{name}: {:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()),
    };
    let again = lattice_compiler::fmt::format(&out).expect("formatted output must format");
    assert_eq!(again, out, "{name}: not idempotent");
    insta::assert_snapshot!(name, format!("{src}\n----- formatted -----\n{out}"));
}

#[test]
fn spacing_of_operators() {
    check("operators", "let x=-a+b*-c\nlet y = !done&&x>=1||z??0\nflux r=0..n\nlet s=[...xs,1]\nlet t = p.0+q?.f+m?[k]\nx+=1\nlet b = a<<2|c&~d^e\n");
}

#[test]
fn closures_and_pipes() {
    check(
        "closures",
        "let f=|a,b|a|b\nlet g = || { 1 }\nxs.map( |x| x*2 ).filter(fn(x){x>1})\nanneal(v)|w|{w.push(1)}\n",
    );
}

#[test]
fn types_and_generics() {
    check("types", "fn id<T>(x:T)->T{return x}\nfn f(a: ~Array, b: fix Map<String,Int>, c: (~|*) Map, g: Fn(Int)->Int, d: [Int]) {}\nstruct Box<T>{value:T, n: flux Int}\nenum Shape{Circle(Float),Rect(Float,Float),Empty}\n");
}

#[test]
fn comments_stay_in_place() {
    check(
        "comments",
        "// header\n\n\n/// Adds.\n/// Twice.\nfn add(a, b) {   // trailing\n    /* block */ return a + b\n    // last\n}\nlet x = 1 // one\nlet long_name = 2 // two\n/* end */\n",
    );
}

#[test]
fn attached_braces_and_else() {
    check("braces", "fn f(x)\n{\n  if x\n  {\n    1\n  }\n  else\n  {\n    2\n  }\n}\ntry { g() }\ncatch e { print(e) }\n");
}

#[test]
fn blank_lines_are_collapsed() {
    check("blank_lines", "\n\nfn a() {\n\n\n    let x = 1\n\n\n\n    let y = 2\n\n}\n\n\n\nfn b() {}\n\n");
}

#[test]
fn contracts_keep_their_own_lines() {
    check("contracts", "fn div(a: Int, b: Int) -> Int\nrequire b != 0, \"b must not be zero\"\nensure |r| { r * b <= a }\n{\n    return a / b\n}\n");
}

#[test]
fn continuation_lines() {
    check(
        "continuation",
        "let total = a +\nb +\n     c\nlet ys = xs\n.map(|x| {\nx + 1\n})\n.filter(|x| x > 2)\nlet msg = call(\n\"a\",\n  \"b\",\n)\n",
    );
}

#[test]
fn strings_are_verbatim() {
    check(
        "strings",
        "let s = \"a  ${ x+1 } b ${ \"${y}\" }\"\nlet t = \"\"\"\n    keep   this\n      indent\n    \"\"\"\nlet u = 'single'  +  \"x\"\n",
    );
}

#[test]
fn phase_constructs() {
    check(
        "phases",
        "#mode   strict\nflux a=[1]\nfix b=freeze( a )where|v|{ v.len()>0 }\nlet c=freeze(m)except[\"k\"]\nlet d = thaw (b)\ncrystallize(a){print(a)}\nborrow(a){ a.push(2) }\nforge{ flux t = 1\nt }\n@fluid\nfn g() {}\n",
    );
}

#[test]
fn match_select_and_structs() {
    check(
        "match_select",
        "let p=Point{x:1,y}\nmatch v{\n1..5=>\"low\",\n-1 => \"neg\",\nShape::Circle(r) if r>1=>{ r }\n[a, ...rest] => a,\n_=>nil\n}\nscope{\nspawn{ ch.send(1) }\n}\nselect{\nv from ch=>{ print(v) }\ntimeout(10)=>{}\ndefault=>{}\n}\nimport { a , b } from \"m\"\nimport \"lib/x\" as x\n",
    );
}
