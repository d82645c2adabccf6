//! The server's structure, checked: which modules may use which, and how long a file may grow.
//!
//! The rules are the ones `docs/ARCHITECTURE.md` draws: the lower floors never reach up into
//! `http`, `ws`, `state` or `app`; the scheduler is handed what it uses instead of the handler
//! state; the OpenAPI document is assembled at the top and imported by no resource; the
//! same-origin rule of the websocket upgrade exists once; no production file passes 600
//! lines except the fuzzy-date parser; `http` resource files never import one another; and
//! the rules (`domain`, `sync`, `versions`, `import`) do no IO and use nothing above them. The
//! checks read `server/src` as text: a `crate::x` path outside a comment counts as a use of `x`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest a production file may be.
const MAX_LINES: usize = 600;

/// Files allowed past [`MAX_LINES`]: the fuzzy-date parser's table of Dutch date phrases.
const LONG_FILES: &[&str] = &["domain/fuzzy_date.rs"];

/// Modules that serve requests or compose the server; everything else is a lower floor.
const TOP_FLOORS: &[&str] = &[
    "app", "cli", "commands", "demo", "http", "main", "state", "ws",
];

struct Source {
    /// Path below `server/src`, with `/` separators.
    rel: String,
    /// The file's text without comment lines.
    code: String,
    /// All lines, comments included.
    lines: usize,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut out: Vec<Source> = files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let code = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            Source {
                rel,
                code,
                lines: text.lines().count(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    assert!(out.len() > 50, "server/src not found or nearly empty");
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `http/drafts.rs` → `http`, `state.rs` → `state`.
fn top(rel: &str) -> &str {
    let first = rel.split('/').next().unwrap();
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The module paths a file names after `crate::`, as `a::b::c` strings (inside `use` groups
/// too: `use crate::{a::b, c}` names `a::b` and `c`).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group);
            for item in split_top_level(&group[..end]) {
                out.insert(path_prefix(item.trim()));
            }
        } else {
            out.insert(path_prefix(rest));
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

fn matching_brace(text: &str) -> usize {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
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

fn split_top_level(text: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// `a::b::C::new(…)` → `a::b::C::new`: identifiers joined by `::`.
fn path_prefix(text: &str) -> String {
    let mut end = 0;
    let bytes = text.as_bytes();
    while end < bytes.len() {
        let c = bytes[end];
        if c.is_ascii_alphanumeric() || c == b'_' {
            end += 1;
        } else if text[end..].starts_with("::") && !text[end + 2..].starts_with('{') {
            end += 2;
        } else {
            break;
        }
    }
    text[..end].trim_end_matches("::").to_string()
}

/// Top-level module → the top-level modules it uses.
fn module_graph(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<&str> = sources.iter().map(|s| top(&s.rel)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources {
        let from = top(&source.rel);
        for path in crate_paths(&source.code) {
            let to = path.split("::").next().unwrap();
            if to != from && modules.contains(to) {
                graph
                    .entry(from.to_string())
                    .or_default()
                    .insert(to.to_string());
            }
        }
    }
    graph
}

#[test]
fn lower_floors_never_use_the_top_floors() {
    let sources = sources();
    let graph = module_graph(&sources);
    let mut wrong = Vec::new();
    for (from, tos) in &graph {
        if TOP_FLOORS.contains(&from.as_str()) {
            continue;
        }
        for to in tos {
            if TOP_FLOORS.contains(&to.as_str()) {
                wrong.push(format!("{from} uses {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "lower floors reach up: {wrong:?}\ngraph: {graph:#?}"
    );
}

/// The floor of rules: no IO, so its tests need no socket and no database.
const RULES: &[&str] = &["clock", "domain", "import", "sync", "versions"];

#[test]
fn the_rules_floor_does_no_io_and_uses_only_itself() {
    let sources = sources();
    let graph = module_graph(&sources);
    let mut wrong = Vec::new();
    for module in RULES {
        for to in graph.get(*module).into_iter().flatten() {
            if !RULES.contains(&to.as_str()) {
                wrong.push(format!("{module} uses {to}"));
            }
        }
    }
    for source in &sources {
        if RULES.contains(&top(&source.rel))
            && (source.code.contains("sqlx::") || source.code.contains("axum::"))
        {
            wrong.push(format!("{} uses sqlx or axum", source.rel));
        }
    }
    assert!(wrong.is_empty(), "the rules floor reaches out: {wrong:?}");
}

#[test]
fn ws_does_not_use_http_and_the_scheduler_does_not_use_the_handler_state() {
    let graph = module_graph(&sources());
    for (from, to) in [
        ("ws", "http"),
        ("scheduler", "state"),
        ("scheduler", "http"),
    ] {
        assert!(
            !graph.get(from).is_some_and(|t| t.contains(to)),
            "{from} uses {to}: pass it what it needs instead"
        );
    }
}

#[test]
fn no_file_imports_the_openapi_assembly() {
    let users: Vec<String> = sources()
        .iter()
        .filter(|s| !s.rel.starts_with("http/openapi"))
        .filter(|s| {
            crate_paths(&s.code)
                .iter()
                .any(|p| p.starts_with("http::openapi"))
                || s.code.contains("super::openapi")
        })
        .map(|s| s.rel.clone())
        .collect();
    assert!(
        users.is_empty(),
        "these files import http::openapi: {users:?}"
    );
}

#[test]
fn the_same_origin_rule_exists_once() {
    let defining: Vec<String> = sources()
        .iter()
        .filter(|s| s.code.contains("fn same_origin("))
        .map(|s| s.rel.clone())
        .collect();
    assert_eq!(
        defining.len(),
        1,
        "fn same_origin is defined in {defining:?}"
    );
}

#[test]
fn production_files_stay_under_600_lines() {
    let long: Vec<String> = sources()
        .iter()
        .filter(|s| !is_test_file(&s.rel) && !LONG_FILES.contains(&s.rel.as_str()))
        .filter(|s| s.lines > MAX_LINES)
        .map(|s| format!("{} ({} lines)", s.rel, s.lines))
        .collect();
    assert!(long.is_empty(), "split these files: {long:?}");
}

/// Files that hold only tests or test fixtures.
fn is_test_file(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap();
    name.ends_with("_tests.rs")
        || name.ends_with("_props.rs")
        || matches!(name, "fixtures.rs" | "test_support.rs")
}

/// Files of `http/` every resource may use: what the caller may do, extractors and pagination,
/// bounded rendering, cookies and credentials.
const HTTP_SHARED: &[&str] = &["access", "extract", "render", "cookies", "credentials"];

#[test]
fn http_resource_files_do_not_import_each_other() {
    let sources = sources();
    let files: BTreeSet<String> = sources
        .iter()
        .filter(|s| s.rel.starts_with("http/"))
        .map(|s| s.rel.trim_end_matches(".rs").to_string())
        .collect();
    let mut wrong = Vec::new();
    for source in sources.iter().filter(|s| s.rel.starts_with("http/")) {
        let own = source.rel.trim_end_matches(".rs");
        let folder = own.rsplit_once('/').map_or("", |(dir, _)| dir);
        if own.ends_with("/mod") || own == "http/openapi" {
            continue; // a folder's mod.rs composes its resources; openapi.rs documents them
        }
        let mut named: BTreeSet<String> = crate_paths(&source.code)
            .into_iter()
            .filter(|p| p.starts_with("http::"))
            .map(|p| p.replace("::", "/"))
            .collect();
        for path in super_paths(&source.code) {
            named.insert(format!("{folder}/{}", path.replace("::", "/")));
        }
        for path in named {
            let Some(file) = longest_file_prefix(&path, &files) else {
                continue;
            };
            let shared = HTTP_SHARED.iter().any(|f| file == format!("http/{f}"));
            if file != own && !file.ends_with("/mod") && file != folder && !shared {
                wrong.push(format!("{own} uses {file}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "http resources import each other: {wrong:?}"
    );
}

/// `super::a::b` paths in `code`, without the `super::`.
fn super_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("super::") {
        rest = &rest[at + "super::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group);
            for item in split_top_level(&group[..end]) {
                out.insert(path_prefix(item.trim()));
            }
        } else {
            out.insert(path_prefix(rest));
        }
    }
    out.retain(|p| !p.is_empty() && p != "*");
    out
}

/// The longest `a/b/c` prefix of `path` that is a file in `files` (`mod` files by their folder).
fn longest_file_prefix(path: &str, files: &BTreeSet<String>) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    (1..=parts.len()).rev().find_map(|n| {
        let candidate = parts[..n].join("/");
        if files.contains(&candidate) {
            Some(candidate)
        } else if files.contains(&format!("{candidate}/mod")) {
            Some(format!("{candidate}/mod"))
        } else {
            None
        }
    })
}

#[test]
fn the_reader_finds_paths_in_groups_and_skips_comments() {
    let code = "use crate::{http::access, state::AppState};\nlet x = crate::hub::Hub::new();";
    let paths = crate_paths(code);
    assert!(paths.contains("http::access"), "{paths:?}");
    assert!(paths.contains("state::AppState"), "{paths:?}");
    assert!(paths.contains("hub::Hub::new"), "{paths:?}");
    assert_eq!(top("http/drafts.rs"), "http");
    assert_eq!(top("state.rs"), "state");
    assert!(is_test_file("sync/scan_tests.rs"));
    assert!(!is_test_file("sync/scan.rs"));
    let files: BTreeSet<String> = [
        "http/drafts",
        "http/governance/mod",
        "http/governance/milestones",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(
        longest_file_prefix("http/governance/milestones/list", &files).as_deref(),
        Some("http/governance/milestones")
    );
    assert_eq!(
        longest_file_prefix("http/governance/party_id", &files).as_deref(),
        Some("http/governance/mod")
    );
    assert!(super_paths("use super::{party_id, milestones::x};").contains("milestones::x"));
}
