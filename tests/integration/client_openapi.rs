//! The web client's copy of the OpenAPI document (`client/openapi.json`) is the one the server
//! serves at `/api/openapi.json`. The client generates its API types from that copy
//! (`npm run gen:api` writes `client/src/api/schema.gen.ts`) and checks its hand-written types
//! against them when it type-checks, so a change to the API that the copy misses would go
//! unnoticed by the client: this test catches it.
//!
//! To refresh the copy after an API change:
//! `POLDER_UPDATE_OPENAPI=1 cargo test -p polder-tests --test integration client_openapi`,
//! then `npm run gen:api` in `client/`.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::api::Api;
use crate::helpers::{Backend, TestApp};

fn copy_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../client/openapi.json")
}

/// `value` with the keys of every object in sorted order, so the copy does not change when
/// the server assembles the same document in another order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sorted(value)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_openapi_copy_matches_the_served_document() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served = sorted(Api::anonymous(&app).get("/api/openapi.json").await);
    app.stop().await;
    let path = copy_path();
    if std::env::var_os("POLDER_UPDATE_OPENAPI").is_some() {
        let text = serde_json::to_string_pretty(&served).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    let copy: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null);
    assert!(
        copy == served,
        "{} is not the document the server serves; refresh it with \
         `POLDER_UPDATE_OPENAPI=1 cargo test -p polder-tests --test integration client_openapi` \
         and regenerate the client's types with `npm run gen:api` in client/",
        path.display()
    );
}
