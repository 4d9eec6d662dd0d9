//! The module loader the `lat` binary gives the VM: reads `.lat` files for `import` and
//! compiles source for `lat_eval`. Lives here because the VM may not depend on the
//! compiler, and reading files is the binary's job.

use lattice_compiler::{compile_source, CompileOptions, Diagnostic};
use lattice_vm::{Function, Loader};
use std::path::{Path, PathBuf};

pub struct FileLoader;

/// The first error of a failed compilation, as one line with its position.
fn first_error(path: &str, src: &str, diags: &[Diagnostic]) -> String {
    let idx = lattice_compiler::LineIndex::new(src);
    match diags.iter().find(|d| d.is_error()) {
        Some(d) => {
            let (line, col) = idx.line_col(src, d.primary.span.start);
            format!("{path}:{line}:{col}: {}", d.message)
        }
        None => format!("{path}: could not compile"),
    }
}

impl FileLoader {
    /// Where `import "name"` looks: relative to the importing file, then the working
    /// directory; `.lat` is added when missing.
    fn resolve(path: &str, from_dir: Option<&Path>) -> Option<PathBuf> {
        let with_ext = if path.ends_with(".lat") { path.to_string() } else { format!("{path}.lat") };
        let mut candidates = Vec::new();
        if let Some(dir) = from_dir {
            candidates.push(dir.join(&with_ext));
            candidates.push(dir.join(path));
        }
        candidates.push(PathBuf::from(&with_ext));
        candidates.push(PathBuf::from(path));
        candidates.into_iter().find(|p| p.is_file())
    }
}

impl Loader for FileLoader {
    fn load_module(&self, path: &str, from_dir: Option<&Path>) -> Result<(Function, PathBuf), String> {
        let Some(file) = Self::resolve(path, from_dir) else {
            // No file of that name: a library embedded in the standard library
            // (`import "lib/test"`), cached under a path no file can have.
            let src = lattice_stdlib::embedded_lib(path).ok_or_else(|| {
                let file = if path.ends_with(".lat") { path.to_string() } else { format!("{path}.lat") };
                format!("import: cannot find '{file}'")
            })?;
            let (func, diags) = compile_source(src, &CompileOptions::default());
            let func = func.ok_or_else(|| first_error(path, src, &diags))?;
            let name = path.strip_suffix(".lat").unwrap_or(path);
            return Ok((func, PathBuf::from(format!("<embedded>/{name}.lat"))));
        };
        let src = std::fs::read_to_string(&file).map_err(|e| format!("cannot import '{path}': {e}"))?;
        let (func, diags) = compile_source(&src, &CompileOptions::default());
        let func = func.ok_or_else(|| first_error(path, &src, &diags))?;
        let canonical = file.canonicalize().unwrap_or(file);
        Ok((func, canonical))
    }

    fn tokenize(&self, src: &str) -> Vec<String> {
        lattice_compiler::tokenize(src)
            .into_iter()
            .filter_map(|(_, span)| src.get(span.range()).map(str::to_string))
            .collect()
    }

    fn is_complete(&self, src: &str) -> bool {
        let (_, diags) = lattice_compiler::parse(src);
        let end = src.trim_end().len() as u32;
        !diags.iter().any(|d| d.is_error() && d.primary.span.start >= end)
    }

    fn compile_source(&self, src: &str) -> Result<Function, String> {
        let (func, diags) = compile_source(src, &CompileOptions { repl: true, ..CompileOptions::default() });
        func.ok_or_else(|| first_error("<eval>", src, &diags))
    }
}
