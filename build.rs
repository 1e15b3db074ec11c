//! Links the embedded CPython with an rpath to its own library directory.
//!
//! pyo3 links the `libpython` of the interpreter it resolves at build time (`PYO3_PYTHON`, else
//! `python3` on PATH). Without an rpath the loader would pick whichever `libpython3.x.so` comes
//! first in the system directories at run time, which on machines with a second CPython (a
//! pyenv or a virtualenv's base beside the distribution's) is the wrong one: it then sees the
//! distribution's standard library and none of the packages installed for `python3`.

fn main() {
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    println!("cargo:rerun-if-env-changed=RLMSH_PYTHON");
    let config = pyo3_build_config::get();
    if let Ok(wanted) = std::env::var("RLMSH_PYTHON") {
        let resolved = config.executable().map(str::to_string).unwrap_or_default();
        if !same_file(&wanted, &resolved) {
            panic!(
                "RLMSH_PYTHON={wanted} but pyo3 resolved {resolved}: pyo3 reads only PYO3_PYTHON, so set PYO3_PYTHON={wanted} as well"
            );
        }
    }
    if !config.shared() {
        panic!("rlmsh embeds CPython and needs its shared library (libpython); {} was built without it", config.executable().unwrap_or("python3"));
    }
    if let Some(dir) = config.lib_dir() {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
        println!("cargo:rustc-env=RLMSH_PYTHON_LIBDIR={dir}");
    }
    if let Some(exe) = config.executable() {
        println!("cargo:rustc-env=RLMSH_PYTHON_EXECUTABLE={exe}");
    }
}

fn same_file(a: &str, b: &str) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
