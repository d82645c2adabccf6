//! Builds the web client into the binary: writes `$OUT_DIR/client_files.rs`, which
//! `src/http/client_app.rs` includes, with every file of `client/dist` (the output of
//! `cd client && npm run build`).
//!
//! Release builds embed the files, so `polder serve` needs nothing beside the binary. Other
//! builds embed nothing and name the source tree's `client/dist`, which the server then reads at
//! run time: rebuilding the client needs no server rebuild while developing.
//! `POLDER_EMBED_CLIENT=1` (or `0`) overrides the choice. A missing `client/dist` is not an
//! error: the server compiles and its tests run before the client is built, and it then answers
//! `/` with a page that says how to build the client.

use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=POLDER_EMBED_CLIENT");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let dist = manifest.join("..").join("client").join("dist");
    let embed = match std::env::var("POLDER_EMBED_CLIENT").as_deref() {
        Ok("1" | "true" | "yes") => true,
        Ok("0" | "false" | "no") => false,
        _ => std::env::var("PROFILE").as_deref() == Ok("release"),
    };
    let mut files = Vec::new();
    if embed {
        // A directory is watched as a whole: a new client build (new hashed file names
        // included) makes the next `cargo build` embed it. While it does not exist, cargo runs
        // this script on every build, so it is embedded as soon as it does.
        println!("cargo:rerun-if-changed={}", dist.display());
        if dist.join("index.html").is_file() {
            collect(&dist, &dist, &mut files);
            files.sort();
        } else {
            println!(
                "cargo:warning=client/dist/index.html not found: this build serves a page that \
                 asks for the web client to be built (cd client && npm ci && npm run build)"
            );
        }
    }
    let mut code = String::new();
    let _ = writeln!(
        code,
        "/// Whether this build embeds the web client (release builds, or \
         `POLDER_EMBED_CLIENT=1`).\npub const EMBEDDED: bool = {embed};"
    );
    let _ = writeln!(
        code,
        "/// The source tree's `client/dist`, read at run time by builds that do not embed it.\n\
         pub const SOURCE_DIST: &str = {:?};",
        dist.display().to_string()
    );
    let _ = writeln!(
        code,
        "/// The embedded files, sorted by path.\npub static FILES: &[EmbeddedFile] = &["
    );
    for (rel, path) in &files {
        let bytes = std::fs::read(path).unwrap_or_default();
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        let etag = format!("\"{:016x}-{:x}\"", hasher.finish(), bytes.len());
        let _ = writeln!(
            code,
            "    EmbeddedFile {{ path: {rel:?}, bytes: include_bytes!({:?}), etag: {etag:?} }},",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("client_files.rs");
    if let Err(error) = std::fs::write(&out, code) {
        panic!("cannot write {}: {error}", out.display());
    }
}

/// Every file below `dir` as (path relative to `root` with `/` separators, full path).
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
}
