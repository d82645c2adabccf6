//! A release build carries the web client (`client/dist`, see `src/http/client_app.rs`): the
//! `rust-embed` derive there embeds the files that exist when the crate compiles. Cargo watches
//! a directory as a whole, so a new client build (new hashed file names included) makes the next
//! release build embed it. Builds with debug assertions read `client/dist` at run time and are
//! not rebuilt when it changes.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The client's folder that builds with debug assertions serve at run time: the workspace
    // directory (which exists) resolved, then `client/dist` (which may not exist yet, as when
    // the tests build the server before the client).
    let manifest =
        std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let workspace = manifest.parent().unwrap_or(&manifest);
    let workspace = workspace
        .canonicalize()
        .unwrap_or_else(|_| workspace.to_path_buf());
    let dist = workspace.join("client").join("dist");
    println!("cargo:rustc-env=POLDER_CLIENT_DIST={}", dist.display());
    if std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_none() {
        println!("cargo:rerun-if-changed=../client/dist");
        if !std::path::Path::new("../client/dist/index.html").is_file() {
            println!(
                "cargo:warning=client/dist/index.html not found: this build serves a page that \
                 asks for the web client to be built (cd client && npm ci && npm run build)"
            );
        }
    }
}
