//! Role agreements with a responsibility text per party: the text is part of what a party
//! signs, and changing one party's role or text re-opens that party's sign-off only.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, WorkingGroup};
use crate::governance::codes;
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_responsibility_text_is_signed_and_changing_it_reopens_only_that_party,
    a_role_change_reopens_only_that_party_and_an_unchanged_row_reopens_nobody,
);

fn row<'a>(agreement: &'a Value, code: &str) -> &'a Value {
    agreement["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("no row {code} in {agreement}"))
}

/// The chair creates an agreement of ZIN, VWS and FMS; each party's mandate holder agrees.
async fn signed_agreement(app: &TestApp) -> (Api, Vec<Api>, i64, String) {
    let group = WorkingGroup::seed(app).await;
    let chair = WorkingGroup::person(app, "anna@vws.demo").await;
    let zin = WorkingGroup::person(app, "joost@zin.demo").await;
    let fms = WorkingGroup::person(app, "fatima@fms.demo").await;
    let agreement = chair
        .send(
            Method::POST,
            &format!("/api/bodies/{}/role-agreements", group.body_id),
            json!({
                "title": "Rollen bij de horizonscan",
                "parties": [
                    {"party": "ZIN", "role": "trekker", "responsibility": "  Stelt de horizonscan op.  "},
                    {"party": "VWS", "role": "medeverantwoordelijk", "responsibility": "Financiert de scan."},
                    {"party": "FMS", "role": "geconsulteerd"},
                ],
            }),
            StatusCode::CREATED,
        )
        .await;
    let id = agreement["id"].as_i64().unwrap();
    let hash = agreement["version_hash"].as_str().unwrap().to_owned();
    assert_eq!(
        row(&agreement, "ZIN")["responsibility"],
        "Stelt de horizonscan op."
    );
    assert_eq!(row(&agreement, "FMS")["responsibility"], "");
    for signer in [&zin, &chair, &fms] {
        signer
            .send(
                Method::POST,
                &format!("/api/role-agreements/{id}/sign-offs"),
                json!({"state": "akkoord", "version_hash": hash}),
                StatusCode::CREATED,
            )
            .await;
    }
    let pending = chair
        .get(&format!("/api/role-agreements/{id}/pending"))
        .await;
    assert!(codes(&pending["pending"]).is_empty(), "{pending}");
    (chair, vec![zin, fms], id, hash)
}

async fn a_responsibility_text_is_signed_and_changing_it_reopens_only_that_party(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (chair, signers, id, hash) = signed_agreement(&app).await;
    let base = format!("/api/role-agreements/{id}");

    // too long a text is refused at its field, and nothing changes
    let refused = chair
        .send(
            Method::PUT,
            &format!("{base}/parties/ZIN"),
            json!({"role": "trekker", "responsibility": "x".repeat(4001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("responsibility"),
        "{refused}"
    );
    assert_eq!(chair.get(&base).await["version_hash"], hash.as_str());

    // ZIN's text changes, its role does not: only ZIN must answer again
    let changed = chair
        .send(
            Method::PUT,
            &format!("{base}/parties/ZIN"),
            json!({"role": "trekker", "responsibility": "Stelt de horizonscan op en houdt hem bij."}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(codes(&changed["reopened"]), ["ZIN"]);
    assert_eq!(codes(&changed["carried"]), ["FMS", "VWS"]);
    let agreement = &changed["agreement"];
    let new_hash = agreement["version_hash"].as_str().unwrap().to_owned();
    assert_ne!(new_hash, hash, "the hash covers the responsibility text");
    assert_eq!(
        row(agreement, "ZIN")["responsibility"],
        "Stelt de horizonscan op en houdt hem bij."
    );
    assert!(row(agreement, "ZIN")["sign_off"].is_null());
    assert_eq!(
        row(agreement, "VWS")["sign_off"]["version_hash"],
        new_hash.as_str()
    );
    assert_eq!(
        row(agreement, "FMS")["sign_off"]["version_hash"],
        new_hash.as_str()
    );
    let pending = chair.get(&format!("{base}/pending")).await;
    assert_eq!(codes(&pending["pending"]), ["ZIN"]);
    assert_eq!(
        pending["pending"][0]["previous"]["superseded_reason"],
        "reopened"
    );

    // a role change without a text keeps the text the row has
    let kept = chair
        .send(
            Method::PUT,
            &format!("{base}/parties/VWS"),
            json!({"role": "trekker"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(codes(&kept["reopened"]), ["VWS"]);
    assert_eq!(codes(&kept["carried"]), ["FMS"]);
    assert_eq!(
        row(&kept["agreement"], "VWS")["responsibility"],
        "Financiert de scan."
    );

    // signing the new version binds to the new text
    let zin = &signers[0];
    let current = chair.get(&base).await["version_hash"]
        .as_str()
        .unwrap()
        .to_owned();
    zin.send(
        Method::POST,
        &format!("{base}/sign-offs"),
        json!({"state": "akkoord", "version_hash": new_hash}),
        StatusCode::CONFLICT,
    )
    .await;
    let signed = zin
        .send(
            Method::POST,
            &format!("{base}/sign-offs"),
            json!({"state": "akkoord", "version_hash": current}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(signed["sign_off"]["version_hash"], current.as_str());
    let pending = chair.get(&format!("{base}/pending")).await;
    assert_eq!(codes(&pending["pending"]), ["VWS"]);
    app.stop().await;
}

async fn a_role_change_reopens_only_that_party_and_an_unchanged_row_reopens_nobody(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (chair, _signers, id, hash) = signed_agreement(&app).await;
    let base = format!("/api/role-agreements/{id}");

    // setting a row to what it is changes nothing
    let same = chair
        .send(
            Method::PUT,
            &format!("{base}/parties/ZIN"),
            json!({"role": "trekker", "responsibility": "Stelt de horizonscan op."}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(same["agreement"]["version_hash"], hash.as_str());
    assert!(codes(&same["reopened"]).is_empty(), "{same}");

    // FMS gets another role: FMS alone re-opens, the others keep their answer
    let changed = chair
        .send(
            Method::PUT,
            &format!("{base}/parties/FMS"),
            json!({"role": "medeverantwoordelijk"}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(codes(&changed["reopened"]), ["FMS"]);
    assert_eq!(codes(&changed["carried"]), ["VWS", "ZIN"]);
    let pending = chair.get(&format!("{base}/pending")).await;
    assert_eq!(codes(&pending["pending"]), ["FMS"]);

    // a new party joins: nobody's answer re-opens, the new party is pending
    let added = chair
        .send(
            Method::PUT,
            &format!("{base}/parties/ZN"),
            json!({"role": "geconsulteerd", "responsibility": "Denkt mee over de uitvoering."}),
            StatusCode::OK,
        )
        .await;
    assert!(codes(&added["reopened"]).is_empty(), "{added}");
    assert_eq!(codes(&added["carried"]), ["VWS", "ZIN"]);
    let pending = chair.get(&format!("{base}/pending")).await;
    assert_eq!(codes(&pending["pending"]), ["FMS", "ZN"]);
    app.stop().await;
}
