//! The OpenAPI document and the served routes agree.
//!
//! The server registers each documented route together with its documentation, so a route
//! cannot be served without being listed. This checks the other direction against the running
//! server: every documented path is served, with exactly the documented methods. A path the
//! router knows answers a method it does not take with 405 and an `Allow` header naming the
//! ones it takes; an unknown `/api/…` path answers 404 whatever the method.
//!
//! Every operation also has a summary and a tag. That every reference in the document
//! resolves is checked in `api_contract.rs`.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};

use crate::api::Api;
use crate::helpers::{Backend, TestApp};

/// The methods tried on a path, in order; the first one the path does not document is sent.
const PROBES: [&str; 5] = ["PATCH", "PUT", "DELETE", "POST", "GET"];

/// A concrete address for a documented path: each `{param}` becomes `1`.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push('1');
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// The methods an `Allow` header names, upper case, without the `HEAD` that axum adds to
/// every `GET`.
fn allowed(header: &str) -> BTreeSet<String> {
    header
        .split(',')
        .map(|m| m.trim().to_uppercase())
        .filter(|m| !m.is_empty() && m != "HEAD")
        .collect()
}

#[test]
fn addresses_and_allow_headers_are_read() {
    assert_eq!(
        concrete("/api/drafts/{id}/versions/{version_id}"),
        "/api/drafts/1/versions/1"
    );
    assert_eq!(concrete("/api/calendar/{file}"), "/api/calendar/1");
    assert_eq!(concrete("/api/me"), "/api/me");
    assert_eq!(
        allowed("GET,HEAD,post"),
        BTreeSet::from(["GET".to_owned(), "POST".to_owned()])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_path_is_served_with_exactly_its_documented_methods() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let spec = Api::anonymous(&app).get("/api/openapi.json").await;
    let mut documented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
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
            documented
                .entry(path.clone())
                .or_default()
                .insert(method.to_uppercase());
        }
    }
    // the document is the whole API, not a part of it
    for known in [
        "/api/drafts/{id}",
        "/api/disputes/{id}/withdraw",
        "/ws/inbox",
    ] {
        assert!(documented.contains_key(known), "{known} is not documented");
    }

    // request bodies of the same type name in different resources stay apart: each route's
    // schema names the fields it reads
    for (path, field) in [
        ("/api/milestones/{id}/notes", "body"),
        ("/api/disputes/{id}/escalate", "note"),
    ] {
        let reference = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"]
            .as_str()
            .unwrap_or_else(|| panic!("POST {path} has no request body schema"));
        let name = reference.rsplit('/').next().unwrap();
        let properties = &spec["components"]["schemas"][name]["properties"];
        assert!(
            properties.get(field).is_some(),
            "POST {path}: its body schema {name} lacks `{field}`: {properties}"
        );
    }

    let http = reqwest::Client::new();
    let probe = |methods: &BTreeSet<String>| {
        PROBES
            .iter()
            .find(|m| !methods.contains(**m))
            .map(|m| Method::from_bytes(m.as_bytes()).unwrap())
    };
    // the probe itself tells a served path from an unknown one
    let unknown = http
        .patch(format!("http://{}/api/no-such-resource/1", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    let mut wrong = Vec::new();
    for (path, methods) in &documented {
        let method = probe(methods).expect("a path documents every probed method");
        let url = format!("http://{}{}", app.addr, concrete(path));
        let response = http.request(method.clone(), &url).send().await.unwrap();
        let status = response.status();
        let allow = response
            .headers()
            .get(reqwest::header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .map(allowed);
        if status != StatusCode::METHOD_NOT_ALLOWED || allow.as_ref() != Some(methods) {
            wrong.push(format!(
                "{method} {path}: {status}, Allow {allow:?}; documented {methods:?}"
            ));
        }
    }
    app.stop().await;
    assert!(
        wrong.is_empty(),
        "documented paths that are not served with exactly their documented methods: {wrong:#?}"
    );
}
