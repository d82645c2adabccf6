//! Removing a person: `DELETE /api/admin/people/{id}` and `polder user remove` erase the
//! account and contact data, keep what they did under the pseudonym "voormalig lid, ZIN", and
//! leave an audit chain that still verifies and still detects tampering. Older audit entries
//! (hash scheme 1) are moved to the committed scheme once, on the record.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::{Column, Row};
use yrs::{Text, Transact, XmlFragment, XmlOut};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_removed_person_is_erased_and_their_record_stays_under_a_pseudonym,
    removal_is_for_administrators_and_spares_yourself_and_the_last_administrator,
    the_command_line_removes_a_person_after_confirmation,
    older_audit_entries_are_rechained_once_on_the_record,
);

const JOOST: &str = "joost@zin.demo";
const JOOST_NAME: &str = "Joost Bakker";

fn polder(app: &TestApp, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_polder-under-test"))
        .args(args)
        .env("POLDER_DATABASE_URL", &app.database.url)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn verify(app: &TestApp) -> std::process::Output {
    polder(app, &["audit", "verify"], "")
}

async fn person_id(app: &TestApp, email: &str) -> i64 {
    app.storage
        .find_user_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Every text cell of every table that names a person, and of the audit log, joined.
async fn stored_text(app: &TestApp) -> String {
    let mut tables: Vec<&str> = polder::storage::personal_data::PERSON_COLUMNS
        .iter()
        .map(|(table, _)| *table)
        .collect();
    tables.extend(["users", "audit_log", "documents"]);
    tables.sort_unstable();
    tables.dedup();
    let mut all = String::new();
    for table in tables {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(app.storage.pool())
            .await
            .unwrap();
        for row in &rows {
            for (index, column) in row.columns().iter().enumerate() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(index) {
                    all.push_str(&format!("{table}.{}={text}\n", column.name()));
                }
            }
        }
    }
    all
}

fn first_text(doc: &yrs::Doc) -> yrs::XmlTextRef {
    let fragment = doc.get_or_insert_xml_fragment("prosemirror");
    let txn = doc.transact();
    let Some(XmlOut::Element(block)) = fragment.get(&txn, 1) else {
        panic!("block 1")
    };
    let Some(XmlOut::Text(text)) = block.get(&txn, 0) else {
        panic!("text 1")
    };
    text
}

async fn a_removed_person_is_erased_and_their_record_stays_under_a_pseudonym(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let joost = WorkingGroup::person(&app, JOOST).await;
    let joost_id = person_id(&app, JOOST).await;
    let draft = group.draft_id;
    let versions = format!("/api/drafts/{draft}/versions");

    // Joost makes a token, comments, edits the document; Anna saves versions around it
    let token = joost
        .send(
            Method::POST,
            "/api/tokens",
            json!({"name": "laptop", "scope": "read"}),
            StatusCode::CREATED,
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    joost
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/comments"),
            json!({"body": "Graag een bron bij deze alinea."}),
            StatusCode::CREATED,
        )
        .await;
    let v1 = anna
        .send(
            Method::POST,
            &versions,
            json!({"name": "v1"}),
            StatusCode::CREATED,
        )
        .await;
    let editor = WorkingGroup::open_draft(&app, &joost).await;
    let text = first_text(editor.doc());
    editor
        .edit(|txn| text.insert(txn, 0, "Tekst van ZIN. "))
        .await
        .unwrap();
    editor
        .wait_for("the edit", Duration::from_secs(5), |c| {
            c.prosemirror_text().contains("Tekst van ZIN.")
        })
        .await
        .unwrap();
    // the edit is stored once another client receives it (stored before relayed)
    let reader = WorkingGroup::open_draft(&app, &anna).await;
    reader
        .wait_for("Joost's edit at Anna", Duration::from_secs(10), |c| {
            c.prosemirror_text().contains("Tekst van ZIN.")
        })
        .await
        .unwrap();
    drop(reader);
    drop(editor);
    let v2 = joost
        .send(
            Method::POST,
            &versions,
            json!({"name": "v2"}),
            StatusCode::CREATED,
        )
        .await;
    assert!(stored_text(&app).await.contains(JOOST_NAME));

    // removed by an administrator
    let (status, removed) = admin
        .call(
            Method::DELETE,
            &format!("/api/admin/people/{joost_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(
        removed,
        json!({"id": joost_id, "pseudonym": "voormalig lid, ZIN"})
    );
    // the removal is on the record with the id only
    let log = admin.get("/api/audit?limit=5").await;
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "person.remove");
    assert_eq!(entry["subject"], json!({"person": joost_id}));
    assert!(
        entry["actor"].as_str().unwrap().contains("Beheer"),
        "{entry}"
    );
    // again: a clear conflict
    let (status, _) = admin
        .call(
            Method::DELETE,
            &format!("/api/admin/people/{joost_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // cannot sign in, the session and the token are dead
    let (status, _) = Api::anonymous(&app)
        .call(
            Method::POST,
            "/api/session",
            Some(json!({"email": JOOST, "password": polder::demo::DEMO_PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = joost.call(Method::GET, "/api/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let by_token = reqwest::Client::new()
        .get(app.http("/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(by_token.status(), StatusCode::UNAUTHORIZED);

    // nothing held about them names them any more
    let export = app
        .storage
        .personal_data(joost_id)
        .await
        .unwrap()
        .unwrap()
        .to_string();
    for needle in [JOOST, JOOST_NAME] {
        assert!(!export.contains(needle), "{needle} in the export: {export}");
    }
    assert!(export.contains("voormalig lid, ZIN"));
    let stored = stored_text(&app).await;
    for needle in [JOOST, JOOST_NAME] {
        let hits: Vec<&str> = stored.lines().filter(|l| l.contains(needle)).collect();
        assert!(hits.is_empty(), "{needle} still stored: {hits:?}");
    }
    // not among the people any more
    let people = admin.get("/api/people?limit=100").await.to_string();
    assert!(!people.contains(JOOST_NAME));

    // the versions and their comparison name the pseudonym
    let compare = anna
        .get(&format!(
            "/api/drafts/{draft}/compare?from={}&to={}",
            v1["id"], v2["id"]
        ))
        .await;
    let authors: Vec<&str> = compare["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(authors.contains(&"voormalig lid, ZIN"), "{authors:?}");
    assert!(!compare.to_string().contains(JOOST_NAME));
    let listed = anna.items(&versions).await.to_string();
    assert!(!listed.contains(JOOST_NAME), "{listed}");

    // the chain verifies, and still detects a change of anything but the erased name
    let intact = verify(&app);
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    let theirs: i64 =
        sqlx::query_scalar("SELECT id FROM audit_log WHERE actor = $1 ORDER BY id LIMIT 1")
            .bind(format!("person:{joost_id}"))
            .fetch_one(app.storage.pool())
            .await
            .unwrap();
    for tamper in [
        "UPDATE audit_log SET action = 'draft.delete' WHERE id = $1",
        "UPDATE audit_log SET subject = '{\"draft\":999}' WHERE id = $1",
    ] {
        let original: (String, String) =
            sqlx::query_as("SELECT action, subject FROM audit_log WHERE id = $1")
                .bind(theirs)
                .fetch_one(app.storage.pool())
                .await
                .unwrap();
        sqlx::query(tamper)
            .bind(theirs)
            .execute(app.storage.pool())
            .await
            .unwrap();
        let tampered = verify(&app);
        assert!(!tampered.status.success(), "{tamper} went unnoticed");
        let stderr = String::from_utf8_lossy(&tampered.stderr);
        assert!(
            stderr.contains(&format!("audit entry {theirs}")),
            "{stderr}"
        );
        sqlx::query("UPDATE audit_log SET action = $1, subject = $2 WHERE id = $3")
            .bind(&original.0)
            .bind(&original.1)
            .bind(theirs)
            .execute(app.storage.pool())
            .await
            .unwrap();
    }
    // erasing the name of someone who was not removed is caught too
    sqlx::query(
        "UPDATE audit_log SET name_salt = NULL WHERE actor LIKE 'person:%' AND actor <> $1",
    )
    .bind(format!("person:{joost_id}"))
    .execute(app.storage.pool())
    .await
    .unwrap();
    let erased = verify(&app);
    assert!(!erased.status.success());
    assert!(String::from_utf8_lossy(&erased.stderr).contains("no removal"));
    app.stop().await;
}

async fn removal_is_for_administrators_and_spares_yourself_and_the_last_administrator(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    WorkingGroup::seed(&app).await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let admin_id = person_id(&app, "beheer@polder.demo").await;
    let joost_id = person_id(&app, JOOST).await;
    let (status, _) = anna
        .call(
            Method::DELETE,
            &format!("/api/admin/people/{joost_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = Api::anonymous(&app)
        .call(
            Method::DELETE,
            &format!("/api/admin/people/{joost_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = admin
        .call(
            Method::DELETE,
            &format!("/api/admin/people/{admin_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("yourself"), "{body}");
    let (status, _) = admin
        .call(Method::DELETE, "/api/admin/people/987654", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // the last administrator cannot be removed (here by the command line's actor)
    let by = polder::storage::audit::Actor {
        name: "cli".into(),
        party: None,
    };
    let refused = app.storage.remove_person(admin_id, &by).await;
    assert!(
        matches!(
            refused,
            Err(polder::storage::person_removal::RemovalError::LastAdministrator)
        ),
        "{refused:?}"
    );
    // nothing changed for Joost
    assert_eq!(
        app.storage
            .find_person(joost_id)
            .await
            .unwrap()
            .unwrap()
            .name,
        JOOST_NAME
    );
    app.stop().await;
}

async fn the_command_line_removes_a_person_after_confirmation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    WorkingGroup::seed(&app).await;
    let joost_id = person_id(&app, JOOST).await;
    let declined = polder(&app, &["user", "remove", "--email", JOOST], "nee\n");
    assert!(!declined.status.success());
    assert!(String::from_utf8_lossy(&declined.stderr).contains("not confirmed"));
    assert_eq!(
        app.storage
            .find_person(joost_id)
            .await
            .unwrap()
            .unwrap()
            .name,
        JOOST_NAME
    );
    let confirmed = polder(&app, &["user", "remove", "--email", JOOST], "ja\n");
    assert!(
        confirmed.status.success(),
        "{}",
        String::from_utf8_lossy(&confirmed.stderr)
    );
    let person = app.storage.find_person(joost_id).await.unwrap().unwrap();
    assert_eq!(person.name, "voormalig lid, ZIN");
    assert!(!person.email.contains('@'));
    let again = polder(&app, &["user", "remove", "--email", JOOST, "--yes"], "");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("nobody signs in as"));
    assert!(verify(&app).status.success());
    app.stop().await;
}

async fn older_audit_entries_are_rechained_once_on_the_record(backend: Backend) {
    use polder::domain::audit_chain::{entry_hash, AuditFields, GENESIS};
    let app = TestApp::spawn(backend).await;
    WorkingGroup::seed(&app).await;
    // a log as written before the committed scheme: names inside the hashed actor
    let pool = app.storage.pool();
    sqlx::query("DELETE FROM event_outbox")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log")
        .execute(pool)
        .await
        .unwrap();
    let joost_id = person_id(&app, JOOST).await;
    let actor = format!("person:{joost_id} ({JOOST_NAME})");
    let mut prev = GENESIS.to_owned();
    for (i, action) in ["draft.update", "comment.create", "token.create"]
        .iter()
        .enumerate()
    {
        let subject = format!("{{\"n\":{i}}}");
        let at = 1_700_000_000_000_i64 + i as i64;
        let hash = entry_hash(
            &prev,
            &AuditFields {
                at,
                actor: &actor,
                actor_party: Some("ZIN"),
                action,
                subject: &subject,
            },
        );
        sqlx::query(
            "INSERT INTO audit_log (at, actor, actor_party, action, subject, prev_hash, hash) \
             VALUES ($1, $2, 'ZIN', $3, $4, $5, $6)",
        )
        .bind(at)
        .bind(&actor)
        .bind(*action)
        .bind(&subject)
        .bind(&prev)
        .bind(&hash)
        .execute(pool)
        .await
        .unwrap();
        prev = hash;
    }
    // (checked in process: opening the database from the command line would re-chain it)
    let legacy = app.storage.audit_chain().await.unwrap();
    assert_eq!(polder::domain::audit_chain::verify(&legacy), Ok(3));
    let by = polder::storage::audit::Actor {
        name: "cli".into(),
        party: None,
    };

    // a legacy chain that was tampered with is not re-chained (that would launder the
    // change), and nobody can be removed until it is repaired
    let second = legacy[1].id;
    sqlx::query("UPDATE audit_log SET action = 'draft.delete' WHERE id = $1")
        .bind(second)
        .execute(pool)
        .await
        .unwrap();
    let refused = app.storage.rechain_legacy_audit().await;
    assert!(
        matches!(refused, Err(polder::storage::StorageError::AuditChainBroken(id)) if id == second),
        "{refused:?}"
    );
    let removal = app.storage.remove_person(joost_id, &by).await;
    assert!(
        matches!(
            removal,
            Err(polder::storage::person_removal::RemovalError::AuditNotMigrated)
        ),
        "{removal:?}"
    );
    sqlx::query("UPDATE audit_log SET action = 'comment.create' WHERE id = $1")
        .bind(second)
        .execute(pool)
        .await
        .unwrap();

    let rechained = app.storage.rechain_legacy_audit().await.unwrap().unwrap();
    assert_eq!(rechained.entries, 3);
    assert_eq!(rechained.old_head, prev);
    assert_eq!(app.storage.rechain_legacy_audit().await.unwrap(), None);
    let chain = app.storage.audit_chain().await.unwrap();
    assert_eq!(chain.len(), 4);
    assert!(chain.iter().all(|e| e.scheme == 2));
    assert_eq!(chain[0].actor, format!("person:{joost_id}"));
    assert_eq!(chain[0].actor_name.as_deref(), Some(JOOST_NAME));
    let record = &chain[3];
    assert_eq!(record.action, "audit.rechain");
    let subject: Value = serde_json::from_str(&record.subject).unwrap();
    assert_eq!(subject["old_head"], prev);
    assert_eq!(subject["entries"], 3);
    let output = verify(&app);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("4 entries verified"),
        "{output:?}"
    );

    // and the moved entries lose the name on removal, the chain still intact
    app.storage.remove_person(joost_id, &by).await.unwrap();
    assert!(!stored_text(&app).await.contains(JOOST_NAME));
    assert!(verify(&app).status.success());
    app.stop().await;
}
