//! The OpenAPI document is complete: every route the server registers under `server/src/http`
//! and `server/src/ws` is listed in `/api/openapi.json` with its method, and nothing else is.
//!
//! The routes are read from the source text rather than from the running router (axum does not
//! enumerate its routes): every `.route("PATH", get(a).post(b)…)` call, its method chain
//! possibly spanning lines and written as `get(`, `routing::get(` or `axum::routing::delete(`.
//! Left out: the sync endpoint `/ws/{doc_id}` (not REST), the probes `/healthz`, `/readyz`
//! and `/metrics`, the `/api/{*rest}` fallback and `/api/openapi.json` itself.
//!
//! This check is independent of the authorisation matrix (`matrix.rs`), which separately
//! asserts that it drives exactly the documented routes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::api::Api;
use crate::helpers::{Backend, TestApp};

/// Routes that are registered but deliberately not in the REST document.
const UNDOCUMENTED: [&str; 6] = [
    "/ws/{doc_id}",
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/{*rest}",
    "/api/openapi.json",
];

/// The HTTP methods a method router is built from.
const METHODS: [&str; 8] = [
    "get", "post", "put", "patch", "delete", "head", "options", "any",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_exactly_the_registered_routes() {
    let mut files = Vec::new();
    for dir in ["../server/src/http", "../server/src/ws"] {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let before = files.len();
        rust_files(&source, &mut files);
        assert!(
            files.len() > before,
            "no sources under {}",
            source.display()
        );
    }
    let mut registered = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (path, methods) in routes_in(&text) {
            assert!(
                !methods.is_empty(),
                "{}: no method found for the route {path}",
                file.display()
            );
            if UNDOCUMENTED.contains(&path.as_str()) {
                continue;
            }
            for method in methods {
                registered.insert(format!("{method} {path}"));
            }
        }
    }
    // the scan itself works: well-known routes are found, with their methods
    for known in [
        "GET /api/drafts/{id}",
        "PATCH /api/drafts/{id}",
        "GET /ws/inbox",
    ] {
        assert!(
            registered.contains(known),
            "the route scan missed {known}: {registered:#?}"
        );
    }

    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec = Api::anonymous(&app).get("/api/openapi.json").await;
    app.stop().await;
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let route = format!("{} {path}", method.to_uppercase());
            assert!(
                operation["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{route} has no summary"
            );
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{route} has no tag"
            );
            documented.insert(route);
        }
    }

    let missing: Vec<_> = registered.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&registered).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "the OpenAPI document and the registered routes differ.\n\
         Registered but not documented (add #[utoipa::path] and list the handler in \
         server/src/http/openapi.rs): {missing:#?}\n\
         Documented but not registered: {extra:#?}"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `.route("PATH", …)` in `text`, with the upper-case methods of its method router.
fn routes_in(text: &str) -> Vec<(String, Vec<String>)> {
    // comments may mention `.route(` in prose; they are no registrations
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find(".route(") {
        let args = &rest[at + ".route(".len()..];
        rest = args;
        let trimmed = args.trim_start();
        let Some(literal) = trimmed.strip_prefix('"') else {
            continue;
        };
        let Some(end) = literal.find('"') else {
            continue;
        };
        let after = &literal[end + 1..];
        found.push((
            literal[..end].to_owned(),
            methods_in(&after[..call_length(after)]),
        ));
    }
    found
}

/// The length of the rest of a call's argument list: up to its closing parenthesis.
fn call_length(text: &str) -> usize {
    let mut depth = 1usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

/// `get(list).post(create)` → `["GET", "POST"]`; also `axum::routing::delete(remove)`.
fn methods_in(chain: &str) -> Vec<String> {
    let mut methods = Vec::new();
    let mut depth = 0usize;
    for (i, c) in chain.char_indices() {
        match c {
            '(' => {
                // only calls at the top of the chain name methods: `get(list)`, not `list(…)`
                if depth == 0 {
                    let start = chain[..i]
                        .rfind(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                        .map_or(0, |p| p + 1);
                    let name = &chain[start..i];
                    let before = chain[..start].trim_end();
                    let chained = before.is_empty()
                        || before.ends_with(',')
                        || before.ends_with('.')
                        || before.ends_with("::");
                    if chained && METHODS.contains(&name) {
                        methods.push(name.to_uppercase());
                    }
                }
                depth += 1;
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    methods
}

#[test]
fn the_route_scan_reads_chains_across_lines() {
    let text = r#"
        Router::new()
            // .route("/commented", get(nothing))
            .route("/api/a/{id}", get(show).patch(update))
            .route(
                "/api/b",
                post(create)
                    .delete(remove),
            )
            .route("/api/c", axum::routing::delete(remove))
            .route("/api/d", routing::put(wrap(handler)))
    "#;
    assert_eq!(
        routes_in(text),
        vec![
            (
                "/api/a/{id}".to_owned(),
                vec!["GET".to_owned(), "PATCH".to_owned()]
            ),
            (
                "/api/b".to_owned(),
                vec!["POST".to_owned(), "DELETE".to_owned()]
            ),
            ("/api/c".to_owned(), vec!["DELETE".to_owned()]),
            ("/api/d".to_owned(), vec!["PUT".to_owned()]),
        ]
    );
}
