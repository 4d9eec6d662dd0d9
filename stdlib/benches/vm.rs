//! Whole-program VM throughput: small versions of the `bench/*.lat` programs, compiled
//! once and run on a VM with the standard library installed (set-up is not timed).
//!
//! Run with `cargo bench -p lattice-stdlib --bench vm`. The side-by-side comparison with
//! the reference implementation, Lua and Python is `../shared/bench/compare.py` over
//! `bench/*.lat` (see ARCHITECTURE.md, Performance).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use lattice_vm::{Function, Vm};
use std::hint::black_box;

/// (name, program): each exercises one part of the VM, sized to run in about a millisecond.
const PROGRAMS: &[(&str, &str)] = &[
    (
        "calls/fib",
        "fn fib(n: Int) -> Int {\n    if n <= 1 { return n }\n    return fib(n - 1) + fib(n - 2)\n}\nlet r = fib(18)\n",
    ),
    (
        "loops/int_arith",
        "flux total = 0\nflux i = 0\nwhile i < 20000 {\n    total += i * 2 - 1\n    i += 1\n}\n",
    ),
    (
        "arrays/index_swap",
        "flux a = []\nflux i = 0\nwhile i < 300 { a.push(300 - i)\n i += 1 }\nflux j = 0\nwhile j < 299 {\n    if a[j] > a[j + 1] {\n        let t = a[j]\n        a[j] = a[j + 1]\n        a[j + 1] = t\n    }\n    j += 1\n}\n",
    ),
    (
        "maps/insert_get",
        "flux m = Map::new()\nflux i = 0\nwhile i < 2000 {\n    m[to_string(i)] = i\n    i += 1\n}\nflux s = 0\nflux k = 0\nwhile k < 2000 {\n    s += m[to_string(k)]\n    k += 1\n}\n",
    ),
    (
        "strings/append",
        "flux s = \"\"\nflux i = 0\nwhile i < 20000 {\n    s += \"ab\"\n    i += 1\n}\n",
    ),
    (
        "closures/make_and_call",
        "fn adder(b: Int) -> Fn { return |y| { b + y } }\nflux acc = 0\nflux n = 0\nwhile n < 2000 {\n    let f = adder(n)\n    acc += f(1)\n    n += 1\n}\n",
    ),
];

fn compile(src: &str) -> Function {
    let (func, diags) = lattice_compiler::compile_source(src, &lattice_compiler::CompileOptions::default());
    func.unwrap_or_else(|| panic!("benchmark program does not compile: {:?}", diags))
}

fn fresh_vm() -> Vm {
    let mut vm = Vm::new();
    lattice_stdlib::install(&mut vm);
    vm.out = Box::new(std::io::sink());
    vm
}

fn programs(c: &mut Criterion) {
    for (name, src) in PROGRAMS {
        let func = compile(src);
        c.bench_function(name, |b| {
            b.iter_batched(
                fresh_vm,
                |mut vm| {
                    let r = vm.run_main(black_box(&func));
                    assert!(r.is_ok(), "{name} failed");
                },
                BatchSize::SmallInput,
            )
        });
    }
}

criterion_group!(benches, programs);
criterion_main!(benches);
