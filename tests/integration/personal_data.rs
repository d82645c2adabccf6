//! A person's data: `GET /api/me/data` and `polder user export` give everything held about
//! them (account, every record naming them, their audit entries) and no secrets; the list of
//! columns that name a person matches the schema of both backends.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_person_gets_everything_held_about_them_and_no_secrets,
    a_person_gets_only_their_own_data,
);

async fn my_data(api: &Api) -> Value {
    let response = api
        .raw(Method::GET, "/api/me/data", "application/json", Vec::new())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    response.json().await.unwrap()
}

/// `polder user export --email EMAIL` on the app's database.
fn export(app: &TestApp, email: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_polder-under-test"))
        .args(["user", "export", "--email", email])
        .env("POLDER_DATABASE_URL", &app.database.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

async fn a_person_gets_everything_held_about_them_and_no_secrets(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    WorkingGroup::seed_full(&app).await;
    let pieter = WorkingGroup::person(&app, "pieter@zn.demo").await;
    let created = pieter
        .send(
            Method::POST,
            "/api/tokens",
            json!({"name": "laptop", "scope": "read"}),
            StatusCode::CREATED,
        )
        .await;
    let token = created["token"].as_str().unwrap().to_owned();

    let data = my_data(&pieter).await;
    assert_eq!(data["person"]["email"], "pieter@zn.demo");
    assert_eq!(data["person"]["party"], "ZN");
    let records = data["records"].as_object().unwrap();
    // the body they are a member of, their session and their token
    assert!(!records["memberships.user_id"]["rows"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!records["sessions.user_id"]["rows"]
        .as_array()
        .unwrap()
        .is_empty());
    let tokens = records["api_tokens.user_id"]["rows"].as_array().unwrap();
    assert!(tokens.iter().any(|t| t["name"] == "laptop"), "{tokens:?}");
    // the audit entry of making the token is theirs
    let audit = data["audit"]["rows"].as_array().unwrap();
    assert!(
        audit.iter().any(|e| e["action"] == "token.create"),
        "{audit:?}"
    );
    // no secret leaves: not the token, nor any hash of a password, session or token
    let text = data.to_string();
    assert!(!text.contains(&token));
    for secret in ["password_hash", "id_hash", "token_hash", "secret_hash"] {
        assert!(!text.contains(secret), "{secret} in the export");
    }

    // the command line gives the same records
    let output = export(&app, "pieter@zn.demo");
    assert!(output.status.success(), "{output:?}");
    let exported: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(exported["person"], data["person"]);
    let keys = |v: &Value| -> BTreeSet<String> {
        v["records"].as_object().unwrap().keys().cloned().collect()
    };
    assert_eq!(keys(&exported), keys(&data));

    // an unknown address is a clear error
    let output = export(&app, "niemand@zn.demo");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("nobody signs in as"));
}

async fn a_person_gets_only_their_own_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    WorkingGroup::seed_full(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let pieter = WorkingGroup::person(&app, "pieter@zn.demo").await;
    let data = my_data(&anna).await;
    assert_eq!(data["person"]["email"], "anna@vws.demo");
    assert!(!data.to_string().contains("pieter@zn.demo"));
    let theirs = my_data(&pieter).await;
    assert_ne!(theirs["person"]["id"], data["person"]["id"]);
    // not signed in: nothing
    let (status, _) = Api::anonymous(&app)
        .call(Method::GET, "/api/me/data", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The columns of a migration directory that refer to `users(id)`, as `table.column`.
fn person_columns(dir: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("migrations")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut found = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut table = String::new();
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["CREATE", "TABLE", name, ..] = words.as_slice() {
                table = (*name).trim_end_matches('(').to_owned();
            }
            if !line.contains("REFERENCES users") {
                continue;
            }
            match words.as_slice() {
                ["ALTER", "TABLE", name, "ADD", "COLUMN", column, ..] => {
                    found.insert(format!("{name}.{column}"));
                }
                [column, ..] => {
                    found.insert(format!("{table}.{column}"));
                }
                [] => {}
            }
        }
    }
    // a table that migrations rebuilt under a temporary name counts under its final name
    found
        .into_iter()
        .map(|c| c.replace("webhook_deliveries_new.", "webhook_deliveries."))
        .collect()
}

#[test]
fn the_export_names_every_column_that_refers_to_a_person() {
    let listed: BTreeSet<String> = polder::storage::personal_data::PERSON_COLUMNS
        .iter()
        .map(|(table, column)| format!("{table}.{column}"))
        .collect();
    assert_eq!(person_columns("sqlite"), listed);
    assert_eq!(person_columns("postgres"), listed);
}
