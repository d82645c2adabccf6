//! The archive of a body: `polder export archive` writes the demo working group's record as
//! a zip whose manifest lists every file with its size and SHA-256 and the audit chain's
//! head; `polder export verify` accepts it and refuses it after one byte is changed; the
//! administrators' download holds the same files; nobody else may download it.

use std::collections::BTreeSet;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_body_is_archived_verified_and_refused_after_tampering,
    only_administrators_download_the_archive,
);

/// `polder export ARGS…` on the app's database.
fn export(app: &TestApp, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_polder-under-test"))
        .arg("export")
        .args(args)
        .env("POLDER_DATABASE_URL", &app.database.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// The zip's files: name → content.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let name = file.name().unwrap().into_owned();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

fn manifest(zip: &[u8]) -> Value {
    let (_, bytes) = entries(zip)
        .into_iter()
        .find(|(name, _)| name == "manifest.json")
        .expect("a manifest");
    serde_json::from_slice(&bytes).unwrap()
}

fn listed(manifest: &Value) -> BTreeSet<String> {
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Two versions of the demo draft, so that there is a comparison, and a meeting.
async fn two_versions(app: &TestApp, group: &WorkingGroup) -> (i64, i64) {
    let anna = WorkingGroup::person(app, "anna@vws.demo").await;
    let path = format!("/api/drafts/{}/versions", group.draft_id);
    let mut ids = Vec::new();
    for name in ["Eerste lezing", "Tweede lezing"] {
        let version = anna
            .send(
                Method::POST,
                &path,
                json!({ "name": name }),
                StatusCode::CREATED,
            )
            .await;
        ids.push(version["id"].as_i64().unwrap());
    }
    // and a meeting of the group, so that the archive has a meeting folder
    anna.send(
        Method::POST,
        &format!("/api/bodies/{}/meetings", group.body_id),
        json!({"title": "Werkgroepoverleg", "kind": "plenary",
               "starts": "2027-04-06T10:00", "ends": "2027-04-06T11:00"}),
        StatusCode::CREATED,
    )
    .await;
    (ids[0], ids[1])
}

async fn body_name(app: &TestApp, id: i64) -> String {
    app.storage.find_body(id).await.unwrap().unwrap().name
}

async fn a_body_is_archived_verified_and_refused_after_tampering(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let (v1, v2) = two_versions(&app, &group).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archief.zip");
    let name = body_name(&app, group.body_id).await;
    let output = export(
        &app,
        &["archive", "--body", &name, "--out", out.to_str().unwrap()],
    );
    assert!(output.status.success(), "{output:?}");
    let zip = std::fs::read(&out).unwrap();
    let manifest = manifest(&zip);
    assert_eq!(manifest["format_version"], 1);
    assert_eq!(manifest["body"]["id"], group.body_id);
    assert_eq!(manifest["body"]["name"], name.as_str());
    assert!(manifest["polder_version"]
        .as_str()
        .is_some_and(|v| !v.is_empty()));
    assert!(manifest["generated_at"].as_i64().unwrap() > 0);

    // the audit head is the newest entry of the whole chain, which verified
    let chain = app.storage.audit_chain().await.unwrap();
    let head = chain.last().unwrap();
    assert_eq!(manifest["audit"]["head_hash"], head.hash.as_str());
    assert_eq!(manifest["audit"]["head_id"], head.id);
    assert_eq!(manifest["audit"]["verified"], true);

    // the kinds of files expected, each listed with its size and hash
    let files = listed(&manifest);
    let draft_dir = files
        .iter()
        .find_map(|f| {
            f.strip_suffix("/draft.json")
                .filter(|d| d.starts_with(&format!("drafts/{}-", group.draft_id)))
        })
        .expect("the demo draft's folder")
        .to_owned();
    let mut expected = vec![
        "body.json".to_owned(),
        "members.csv".to_owned(),
        "drafts/drafts.csv".to_owned(),
        "decisions/decisions.json".to_owned(),
        "decisions/decisions.csv".to_owned(),
        "decisions/decisions.pdf".to_owned(),
        "decisions/requests.csv".to_owned(),
        "role-agreements/role-agreements.json".to_owned(),
        "role-agreements/role-agreements.csv".to_owned(),
        "role-agreements/sign-offs.csv".to_owned(),
        "milestones/milestones.csv".to_owned(),
        "milestones/history.csv".to_owned(),
        "milestones/details.json".to_owned(),
        "action-lines/action-lines.csv".to_owned(),
        "disputes/disputes.csv".to_owned(),
        "meetings/meetings.csv".to_owned(),
        "audit/audit.json".to_owned(),
        "audit/audit.csv".to_owned(),
    ];
    for version in [v1, v2] {
        for ext in ["json", "pdf", "docx"] {
            expected.push(format!("{draft_dir}/versions/{version}.{ext}"));
        }
    }
    for ext in ["json", "pdf", "docx"] {
        expected.push(format!("{draft_dir}/comparisons/{v1}-to-{v2}.{ext}"));
    }
    for name in &expected {
        assert!(files.contains(name), "{name} missing from {files:#?}");
    }
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("disputes/") && f.ends_with("/dossier.pdf")),
        "{files:#?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("meetings/") && f.ends_with("/meeting.json")),
        "{files:#?}"
    );
    // every file is in the zip as listed; every PDF is PDF/A-2b (checked with Poppler)
    let contents = entries(&zip);
    assert_eq!(contents.len(), files.len() + 1);
    let mut pdfs = 0;
    for (name, bytes) in &contents {
        if name.ends_with(".pdf") {
            polder_tests::assert_pdf_a(name, bytes);
            pdfs += 1;
        }
        if name.ends_with(".docx") {
            assert!(bytes.starts_with(b"PK"), "{name} is not a DOCX");
        }
    }
    assert!(pdfs >= 5, "versions, comparison, register, dossier: {pdfs}");
    let (_, register) = contents
        .iter()
        .find(|(name, _)| name == "decisions/decisions.pdf")
        .unwrap();
    let register = polder_tests::pdf_text(register);
    assert!(register.contains("Besluitenlijst"), "{register}");
    // the audit entries are the body's: the demo's body entries and the versions just made
    let (_, audit) = contents
        .iter()
        .find(|(name, _)| name == "audit/audit.json")
        .unwrap();
    let audit: Vec<Value> = serde_json::from_slice(audit).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e["action"] == "version.create" && e["subject"]["version"] == v2),
        "{audit:#?}"
    );
    assert!(
        audit.len() < chain.len(),
        "entries of other things are left out"
    );

    // it verifies
    let output = export(&app, &["verify", out.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("archive intact"), "{summary}");
    assert!(summary.contains(&head.hash), "{summary}");

    // one byte changed in one file: refused, naming the file
    let target = format!("{draft_dir}/versions/{v2}.json");
    let tampered = dir.path().join("tampered.zip");
    rewrite(&zip, &tampered, &target);
    let output = export(&app, &["verify", tampered.to_str().unwrap()]);
    assert!(!output.status.success());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(
        error.contains(&target) && error.contains("changed"),
        "{error}"
    );

    // an unknown body is a clear error
    let output = export(
        &app,
        &[
            "archive",
            "--body",
            "Bestaat niet",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no body named"));
}

/// Writes `zip` to `path` with one byte of `target` flipped.
fn rewrite(zip: &[u8], path: &Path, target: &str) {
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, mut bytes) in entries(zip) {
        if name == target {
            bytes[1] ^= 0x20;
        }
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
}

async fn download(api: &Api, app: &TestApp, id: i64) -> (StatusCode, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(app.http(&format!("/api/bodies/{id}/archive.zip")))
        .header("cookie", api.cookie().unwrap())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

async fn only_administrators_download_the_archive(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    two_versions(&app, &group).await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let (status, zip) = download(&admin, &app, group.body_id).await;
    assert_eq!(status, StatusCode::OK);
    let downloaded = manifest(&zip);

    // the same files as the command line writes
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archief.zip");
    let name = body_name(&app, group.body_id).await;
    let output = export(
        &app,
        &["archive", "--body", &name, "--out", out.to_str().unwrap()],
    );
    assert!(output.status.success(), "{output:?}");
    let written = manifest(&std::fs::read(&out).unwrap());
    assert_eq!(listed(&downloaded), listed(&written));
    assert!(listed(&downloaded).len() > 30);
    // and the download verifies
    let saved = dir.path().join("download.zip");
    std::fs::write(&saved, &zip).unwrap();
    let output = export(&app, &["verify", saved.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");

    // a chair, a member, an observer: 403; an unknown body: 404
    for email in ["anna@vws.demo", "pieter@zn.demo"] {
        let person = WorkingGroup::person(&app, email).await;
        let (status, _) = download(&person, &app, group.body_id).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
    }
    let (status, _) = download(&admin, &app, 999_999).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = Api::anonymous(&app)
        .call(
            Method::GET,
            &format!("/api/bodies/{}/archive.zip", group.body_id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
