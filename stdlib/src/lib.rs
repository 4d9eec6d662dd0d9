//! The Lattice standard library: the native functions, builtin methods and built-in
//! modules (`import "math"`) that a VM offers programs, registered by [`install`].
//! Depends only on `lattice-vm`.
//!
//! One file per family; each has an `install` that registers its natives and methods.
//! Built-in modules map their export names onto the flat natives (`json.parse` is
//! `json_parse`), so every function is reachable both ways, as in the reference.

mod args;
mod array;
mod buffer;
mod convert;
mod core;
mod crypto;
mod csv;
mod enum_methods;
mod format;
mod fs;
mod functional;
mod glob;
mod http;
mod iterator;
mod json;
mod map;
mod math;
mod meta;
mod mutation;
mod net;
mod os;
mod path;
mod range;
mod reflect;
mod regex;
mod set;
mod sort;
mod string;
mod testing;
mod time;
mod tls;
mod toml;
mod tuple;
mod yaml;

#[cfg(test)]
mod http_server_tests;
#[cfg(test)]
mod test_support;

use lattice_vm::Vm;

/// Registers every native, method, static function and built-in module into `vm`.
pub fn install(vm: &mut Vm) {
    core::install(vm);
    convert::install(vm);
    math::install(vm);
    string::install(vm);
    array::install(vm);
    set::install(vm);
    map::install(vm);
    tuple::install(vm);
    range::install(vm);
    enum_methods::install(vm);
    iterator::install(vm);
    format::install(vm);
    functional::install(vm);
    reflect::install(vm);
    testing::install(vm);
    buffer::install(vm);
    crypto::install(vm);
    json::install(vm);
    path::install(vm);
    regex::install(vm);
    fs::install(vm);
    os::install(vm);
    time::install(vm);
    csv::install(vm);
    toml::install(vm);
    yaml::install(vm);
    meta::install(vm);
    net::install(vm);
    http::install(vm);
    vm.register_module("math", math::MODULE);
    vm.register_module("crypto", crypto::MODULE);
    vm.register_module("json", json::MODULE);
    vm.register_module("path", path::MODULE);
    vm.register_module("regex", regex::MODULE);
    vm.register_module("fs", fs::MODULE);
    vm.register_module("os", os::MODULE);
    vm.register_module("time", time::MODULE);
    vm.register_module("csv", csv::MODULE);
    vm.register_module("toml", toml::MODULE);
    vm.register_module("yaml", yaml::MODULE);
    vm.register_module("net", net::MODULE);
    vm.register_module("http", http::MODULE);
}

/// The source of an embedded Lattice library, for `import "lib/name"` (with or
/// without `.lat`) when no file of that name exists.
pub fn embedded_lib(path: &str) -> Option<&'static str> {
    let name = path.strip_suffix(".lat").unwrap_or(path);
    let name = name.strip_prefix("./").unwrap_or(name).strip_prefix("lib/")?;
    LIBS.iter().find(|(n, _)| *n == name).map(|(_, src)| *src)
}

/// The libraries in `stdlib/lib`, by name.
const LIBS: &[(&str, &str)] = &[
    ("test", include_str!("../lib/test.lat")),
    ("fn", include_str!("../lib/fn.lat")),
    ("validate", include_str!("../lib/validate.lat")),
    ("dotenv", include_str!("../lib/dotenv.lat")),
    ("log", include_str!("../lib/log.lat")),
    ("cli", include_str!("../lib/cli.lat")),
    ("template", include_str!("../lib/template.lat")),
    ("http_server", include_str!("../lib/http_server.lat")),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_module_export_names_a_native() {
        let vm = crate::test_support::vm();
        for module in ["math", "crypto", "json", "path", "regex", "fs", "os", "time", "csv", "toml", "yaml"] {
            let exports = vm.builtin_module_exports(module).expect("module registered");
            let lattice_vm::Value::Map(m, _) = exports else { panic!("exports are a Map") };
            let modules: &[(&str, &str)] = match module {
                "math" => crate::math::MODULE,
                "crypto" => crate::crypto::MODULE,
                "json" => crate::json::MODULE,
                "path" => crate::path::MODULE,
                "regex" => crate::regex::MODULE,
                "fs" => crate::fs::MODULE,
                "os" => crate::os::MODULE,
                "time" => crate::time::MODULE,
                "csv" => crate::csv::MODULE,
                "toml" => crate::toml::MODULE,
                _ => crate::yaml::MODULE,
            };
            assert_eq!(m.len(), modules.len(), "{module}: every export resolves to a registered native");
        }
    }

    #[test]
    fn embedded_libraries_compile_and_run() {
        use lattice_vm::Loader;
        for (name, src) in crate::LIBS {
            assert!(crate::test_support::TestLoader.compile_source(src).is_ok(), "lib/{name} compiles");
        }
        assert!(crate::embedded_lib("lib/fn.lat").is_some() && crate::embedded_lib("./lib/test").is_some());
        assert!(crate::embedded_lib("lib/nope").is_none() && crate::embedded_lib("fn").is_none());
        let out = crate::test_support::run_program(
            r#"
import "lib/fn" as F
import "lib/test" as t
import "lib/validate" as v
import "lib/dotenv" as dotenv
import "lib/template" as tmpl
import "lib/cli" as cli
fn main() {
    print(F.collect(F.take(F.select(F.iterate(1, |x| { x + 1 }), |x| { x % 2 == 0 }), 3)))
    print(F.unwrap_err(F.try_fn(|_| { 1 / 0 })))
    print(try { t.assert_eq(1, 2) } catch e { e.message })
    print(v.check(v.array(v.number()), [1, "x"]).get("errors")[0])
    print(dotenv.parse_string('A=1\nB="${A}-2" # c\nexport C=3').get("B"))
    print(tmpl.render_string("{{#each xs}}<{{ this }}>{{/each}}", {"xs": ["&", 2]}))
    print(cli.parse(cli.flag(cli.new("x", ""), "all", "a", ""), ["-a", "f"]).get("all"))
}
"#,
        );
        assert_eq!(
            out,
            "[2, 4, 6]\ndivision by zero\nassertion failed: assert_eq failed: expected 2, got 1\n\
             value[1]: expected number, got String\n1-2\n<&amp;><2>\ntrue\n"
        );
    }
}
