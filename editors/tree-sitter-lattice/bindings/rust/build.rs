//! Compiles the generated parser (`src/parser.c`, committed; regenerate with
//! `generate.sh`), so building needs a C compiler but no tree-sitter CLI.

fn main() {
    let src_dir = std::path::Path::new("src");
    let mut build = cc::Build::new();
    build.std("c11").include(src_dir).warnings(false);
    #[cfg(target_env = "msvc")]
    build.flag("-utf-8");
    let parser = src_dir.join("parser.c");
    build.file(&parser);
    println!("cargo:rerun-if-changed={}", parser.display());
    build.compile("tree-sitter-lattice");
}
