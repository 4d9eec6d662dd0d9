//! Front-end throughput: lexing alone, and lexing plus parsing, in bytes per second.
//!
//! The input is the reference implementation's self-hosted compiler (`latc.lat`, about
//! 186 KB of real Lattice) when it is on this machine: `$LAT_BENCH_FILE`, else
//! `~/.cache/latref/programs/compiler/latc.lat`. That file is never copied into this
//! repository. Without it, a synthetic program of similar shape is generated instead.
//!
//! Run with `cargo bench -p lattice-compiler --bench frontend`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;

fn input() -> (String, String) {
    let path = std::env::var_os("LAT_BENCH_FILE").map(PathBuf::from).or_else(|| {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/latref/programs/compiler/latc.lat"))
    });
    if let Some(src) = path.as_ref().and_then(|p| std::fs::read_to_string(p).ok()) {
        return ("latc.lat".to_string(), src);
    }
    ("synthetic".to_string(), synthetic(180_000))
}

/// A program of functions, structs, loops, matches and interpolated strings.
fn synthetic(size: usize) -> String {
    let mut src = String::from("struct Point { x: Int, y: Int }\n");
    let mut i = 0;
    while src.len() < size {
        src.push_str(&format!(
            "/// Function number {i}.\nfn f{i}(a: Int, b: [Int], c = {{}}) -> Int {{\n    flux total = 0\n    \
             for x in b {{ if x % 2 == 0 {{ total += x * a }} else {{ total -= 1 }} }}\n    \
             let p = Point {{ x: a, y: total }}\n    \
             let s = match p.x {{ 0 => \"zero\", n if n < 0 => \"neg ${{n}}\", _ => \"pos\" }}\n    \
             c.key = s.len() + p.y\n    return total + [1, 2, 3].map(|v| v * 2).len()\n}}\n"
        ));
        i += 1;
    }
    src
}

fn frontend(c: &mut Criterion) {
    let (name, src) = input();
    let (_, diags) = lattice_compiler::parse(&src);
    assert!(diags.is_empty(), "the benchmark input does not parse: {diags:?}");
    let mut group = c.benchmark_group("frontend");
    group.throughput(Throughput::Bytes(src.len() as u64));
    group.sample_size(20);
    group.bench_function(format!("lex {name}"), |b| {
        b.iter(|| lattice_compiler::syntax::lexer::lex(black_box(&src)).tokens.len())
    });
    group
        .bench_function(format!("lex+parse {name}"), |b| b.iter(|| lattice_compiler::parse(black_box(&src))));
    group.finish();
}

criterion_group!(benches, frontend);
criterion_main!(benches);
