//! The API keeps to its document (`/api/openapi.json`):
//! - every `$ref` in the document resolves, so generated clients and validators can read it;
//! - the framework's own rejections (wrong content type, body too large, method not allowed,
//!   malformed path) carry the shared JSON error body;
//! - every documented operation, called with generated malformed path parameters and bodies,
//!   answers with a status its document lists and with the error body, never with a 5xx.
//!
//! `tests/api/run.sh` checks the same with independent tools (an OpenAPI validator and a
//! property-based fuzzer that also generates valid input).

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::api::Api;
use crate::helpers::{Backend, TestApp};

/// Malformed values generated per integer path parameter of each operation.
const CASES_PER_OPERATION: usize = 6;

/// Every `$ref` in `value`, with the JSON path where it stands.
fn references(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "$ref" {
                    if let Some(target) = item.as_str() {
                        out.push((at.to_owned(), target.to_owned()));
                    }
                } else {
                    references(item, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                references(item, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The references of `doc` that point nowhere (local references only: the document has no
/// others, and any other kind counts as dangling).
fn dangling(doc: &Value) -> Vec<String> {
    let mut found = Vec::new();
    references(doc, "", &mut found);
    found
        .into_iter()
        .filter(|(_, target)| {
            target
                .strip_prefix('#')
                .and_then(|pointer| doc.pointer(pointer))
                .is_none()
        })
        .map(|(at, target)| format!("{at}: {target}"))
        .collect()
}

#[test]
fn the_reference_walk_finds_dangling_references() {
    let doc = serde_json::json!({
        "components": { "schemas": { "Known": { "type": "string" } } },
        "paths": { "/a": { "get": { "parameters": [
            { "schema": { "$ref": "#/components/schemas/Known" } },
            { "schema": { "items": { "$ref": "#/components/schemas/Format" } } },
        ] } } }
    });
    assert_eq!(
        dangling(&doc),
        vec!["/paths//a/get/parameters/1/schema/items: #/components/schemas/Format".to_owned()]
    );
}

/// The document as the server serves it.
async fn served_document() -> Value {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = Api::anonymous(&app).get("/api/openapi.json").await;
    app.stop().await;
    doc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_reference_in_the_openapi_document_resolves() {
    let doc = served_document().await;
    let mut all = Vec::new();
    references(&doc, "", &mut all);
    assert!(all.len() > 50, "the walk found too few references: {all:?}");
    let missing = dangling(&doc);
    assert!(
        missing.is_empty(),
        "references to nothing in /api/openapi.json (register the schema in \
         server/src/http/openapi.rs or describe it inline): {missing:#?}"
    );
}

/// The `{name}` placeholders of a path template.
fn placeholders(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_path_parameter_matches_its_path_template() {
    let doc = served_document().await;
    let mut wrong = Vec::new();
    for op in operations(&doc) {
        let mut documented: Vec<String> = op
            .path_parameters()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        let mut template = placeholders(&op.path);
        documented.sort();
        template.sort();
        if documented != template {
            wrong.push(format!(
                "{} {}: path parameters {documented:?}, placeholders {template:?} \
                 (query structs need #[into_params(parameter_in = Query)])",
                op.method, op.path
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Sends a raw request with the admin token; status, headers and body text.
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Option<Vec<u8>>,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let mut request = reqwest::Client::new()
        .request(method, app.http(path))
        .bearer_auth(&app.admin_token);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// Asserts that `text` is the shared error body with `code`.
fn assert_error_body(what: &str, text: &str, code: &str) {
    let body: Value = serde_json::from_str(text)
        .unwrap_or_else(|_| panic!("{what}: the answer is not JSON: {text:?}"));
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{what}: no message: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_rejections_answer_with_the_json_error_body() {
    let app = TestApp::spawn(Backend::Sqlite).await;

    // a JSON route sent something else
    let (status, _, text) = raw(
        &app,
        Method::POST,
        "/api/parties",
        Some("text/plain"),
        Some(b"code=ZIN".to_vec()),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{text}");
    assert_error_body("wrong content type", &text, "unsupported_media_type");

    // a body over the limit, refused by its Content-Length before any handler runs
    let big = vec![b' '; 3 * 1024 * 1024];
    let (status, _, text) = raw(
        &app,
        Method::POST,
        "/api/parties",
        Some("application/json"),
        Some(big),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert_error_body("body too large", &text, "payload_too_large");

    // a method the address does not have
    let (status, headers, text) = raw(&app, Method::DELETE, "/api/parties", None, None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{text}");
    assert!(headers.contains_key("allow"), "{headers:?}");
    assert_error_body("method not allowed", &text, "method_not_allowed");

    // an id that is not a number
    let (status, _, text) = raw(&app, Method::GET, "/api/drafts/not-a-number", None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_error_body("malformed id", &text, "bad_request");

    let (status, _, _) = raw(&app, Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

/// One documented operation.
struct Operation {
    method: Method,
    path: String,
    spec: Value,
}

impl Operation {
    fn documents(&self, status: StatusCode) -> bool {
        self.spec["responses"]
            .as_object()
            .is_some_and(|r| r.contains_key(status.as_str()))
    }

    fn takes_json(&self) -> bool {
        self.spec["requestBody"]["content"]["application/json"].is_object()
    }

    /// The names of its path parameters, each with whether it is an integer.
    fn path_parameters(&self) -> Vec<(String, bool)> {
        self.spec["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| {
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                (name, p["schema"]["type"] == "integer")
            })
            .collect()
    }

    /// The path with every parameter filled in: `malformed` for `target`, `1` elsewhere.
    fn fill(&self, target: Option<&str>, malformed: &str) -> String {
        let mut path = self.path.clone();
        for (name, _) in self.path_parameters() {
            let value = if Some(name.as_str()) == target {
                malformed
            } else {
                "1"
            };
            path = path.replace(&format!("{{{name}}}"), value);
        }
        path
    }
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, spec) in item.as_object().unwrap() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            out.push(Operation {
                method,
                path: path.clone(),
                spec: spec.clone(),
            });
        }
    }
    out
}

/// Path segments that are not integers: words, signs, decimals, numbers beyond `i64`, and
/// percent-encoded bytes that are no UTF-8.
fn malformed_ids() -> impl Strategy<Value = String> {
    proptest::prop_oneof![
        "[a-z][a-z0-9_-]{0,12}",
        "-?[0-9]{1,6}\\.[0-9]{1,3}",
        "[1-9][0-9]{19,24}",
        "%[89A-F][0-9A-F]",
        "[0-9]{1,4}[a-z]{1,3}",
    ]
}

/// Checks one answer: no 5xx, a documented status, and the error body with an error status.
fn check(op: &Operation, what: &str, status: StatusCode, text: &str, failures: &mut Vec<String>) {
    let route = format!("{} {} ({what})", op.method, op.path);
    if status.is_server_error() {
        failures.push(format!("{route}: server error {status}: {text}"));
    } else if !op.documents(status) {
        failures.push(format!("{route}: undocumented status {status}: {text}"));
    } else if status.is_client_error() {
        let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        if !(body["error"]["code"].is_string() && body["error"]["message"].is_string()) {
            failures.push(format!(
                "{route}: {status} without the error body: {text:?}"
            ));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_malformed_input_as_documented() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = Api::anonymous(&app).get("/api/openapi.json").await;
    let mut runner = TestRunner::deterministic();
    let strategy = malformed_ids();
    let mut failures = Vec::new();
    let mut calls = 0usize;
    for op in operations(&doc) {
        // the websocket upgrade is no REST call
        if op.path.starts_with("/ws/") {
            continue;
        }
        for (name, integer) in op.path_parameters() {
            if !integer {
                continue;
            }
            for _ in 0..CASES_PER_OPERATION {
                let value = strategy.new_tree(&mut runner).unwrap().current();
                let path = op.fill(Some(&name), &value);
                let body = op.takes_json().then(|| b"{}".to_vec());
                let content_type = op.takes_json().then_some("application/json");
                let (status, _, text) =
                    raw(&app, op.method.clone(), &path, content_type, body).await;
                check(
                    &op,
                    &format!("{name} = {value:?}"),
                    status,
                    &text,
                    &mut failures,
                );
                calls += 1;
            }
        }
        if op.takes_json() {
            let path = op.fill(None, "");
            for (what, content_type, body) in [
                ("truncated JSON", Some("application/json"), &b"{\"a\": "[..]),
                ("a JSON array", Some("application/json"), &b"[1, 2]"[..]),
                ("no content type", None, &b"{}"[..]),
            ] {
                let (status, _, text) = raw(
                    &app,
                    op.method.clone(),
                    &path,
                    content_type,
                    Some(body.to_vec()),
                )
                .await;
                check(&op, what, status, &text, &mut failures);
                calls += 1;
            }
        }
    }
    assert!(calls > 100, "only {calls} calls: the document was not read");
    let (status, _, _) = raw(&app, Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK, "the server no longer answers");
    app.stop().await;
    assert!(
        failures.is_empty(),
        "{} answers differ from the document:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operation_ids_are_unique() {
    let doc = served_document().await;
    let mut seen = std::collections::BTreeMap::new();
    let mut repeated = Vec::new();
    for op in operations(&doc) {
        let id = op.spec["operationId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let route = format!("{} {}", op.method, op.path);
        if let Some(first) = seen.insert(id.clone(), route.clone()) {
            repeated.push(format!("{id}: {first} and {route}"));
        }
    }
    assert!(repeated.is_empty(), "{repeated:#?}");
}
