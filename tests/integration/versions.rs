//! Versions and their comparison: two people of two parties edit concurrently with real Yjs
//! updates, and the comparison names who (and which party) inserted and deleted what.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use yrs::{GetString, Text, Transact, XmlFragment, XmlOut};

use crate::api::WorkingGroup;
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_comparison_attributes_each_change_to_its_person_and_party,
    an_update_for_someone_elses_yjs_client_is_refused,
);

fn block_text(doc: &yrs::Doc, index: u32) -> yrs::XmlTextRef {
    let fragment = doc.get_or_insert_xml_fragment("prosemirror");
    let txn = doc.transact();
    let Some(XmlOut::Element(block)) = fragment.get(&txn, index) else {
        panic!("block {index}")
    };
    let Some(XmlOut::Text(text)) = block.get(&txn, 0) else {
        panic!("text {index}")
    };
    text
}

/// Runs of one kind (`inserted`, `deleted`) with their text and party.
fn runs(comparison: &Value, change: &str) -> Vec<(String, String)> {
    comparison["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["runs"].as_array().unwrap().clone())
        .filter(|r| r["change"] == change)
        .map(|r| {
            (
                r["text"].as_str().unwrap().to_owned(),
                r["author"]["party"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

async fn a_comparison_attributes_each_change_to_its_person_and_party(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let versions = format!("/api/drafts/{}/versions", group.draft_id);
    let v1 = anna
        .send(
            Method::POST,
            &versions,
            json!({"name": "v1"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(v1["content_hash"].as_str().unwrap().len(), 64);

    let a = WorkingGroup::open_draft(&app, &anna).await;
    let b = WorkingGroup::open_draft(&app, &joost).await;
    let (intro_a, topic_b) = (block_text(a.doc(), 1), block_text(b.doc(), 3));
    let topic_before = {
        let txn = b.doc().transact();
        topic_b.get_string(&txn)
    };
    let word = "duidelijke ";
    let at = u32::try_from(topic_before.find(word).unwrap()).unwrap();
    let (ra, rb) = tokio::join!(
        a.edit(|txn| intro_a.insert(txn, 0, "Nieuw van VWS. ")),
        b.edit(|txn| {
            topic_b.remove_range(txn, at, u32::try_from(word.len()).unwrap());
            let len = topic_b.len(txn);
            topic_b.insert(txn, len, " Toevoeging van ZIN.");
        })
    );
    ra.unwrap();
    rb.unwrap();
    for client in [&a, &b] {
        client
            .wait_for("both edits", Duration::from_secs(5), |c| {
                let text = c.prosemirror_text();
                text.contains("Nieuw van VWS.")
                    && text.contains("Toevoeging van ZIN.")
                    && text.matches("duidelijke").count() == 1
            })
            .await
            .unwrap();
    }
    let v2 = joost
        .send(
            Method::POST,
            &versions,
            json!({"name": "v2"}),
            StatusCode::CREATED,
        )
        .await;
    assert_ne!(v1["content_hash"], v2["content_hash"]);
    let listed = anna.items(&versions).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);

    let compare = format!(
        "/api/drafts/{}/compare?from={}&to={}",
        group.draft_id, v1["id"], v2["id"]
    );
    let comparison = anna.get(&compare).await;
    let inserted = runs(&comparison, "inserted");
    let deleted = runs(&comparison, "deleted");
    assert!(
        inserted.contains(&("Nieuw van VWS. ".to_owned(), "VWS".to_owned())),
        "{inserted:?}"
    );
    assert!(
        inserted.contains(&(" Toevoeging van ZIN.".to_owned(), "ZIN".to_owned())),
        "{inserted:?}"
    );
    assert_eq!(
        deleted,
        vec![(word.to_owned(), "ZIN".to_owned())],
        "the deletion is joost's, of text nobody claimed"
    );
    let names: Vec<&str> = comparison["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Anna de Vries") && names.contains(&"Joost Bakker"),
        "{names:?}"
    );

    // the same comparison against the live text, and in every format
    let live = anna
        .get(&format!(
            "/api/drafts/{}/compare?from={}&to=current",
            group.draft_id, v1["id"]
        ))
        .await;
    assert_eq!(runs(&live, "inserted").len(), inserted.len());
    let http = reqwest::Client::new();
    for (format, content_type, needle) in [
        ("html", "text/html", "Toevoeging van ZIN."),
        ("markdown", "text/markdown", "{++ Toevoeging van ZIN.++}"),
    ] {
        let response = http
            .get(app.http(&format!("{compare}&format={format}")))
            .header("cookie", anna.cookie().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with(content_type));
        let body = response.text().await.unwrap();
        assert!(body.contains(needle), "{format}: {body}");
    }
    let docx = http
        .get(app.http(&format!("{versions}/{}?format=docx", v2["id"])))
        .header("cookie", anna.cookie().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(docx.status(), 200);
    assert!(docx.bytes().await.unwrap().starts_with(b"PK"));

    // the version and the comparison as PDF/A, with their text (Dutch letters included)
    for (path, needles) in [
        (
            format!("{versions}/{}?format=pdf", v2["id"]),
            vec!["Toevoeging van ZIN."],
        ),
        (
            format!("{compare}&format=pdf"),
            vec!["Toevoeging van ZIN.", word, "Joost Bakker (ZIN)"],
        ),
    ] {
        let response = http
            .get(app.http(&path))
            .header("cookie", anna.cookie().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], "application/pdf");
        let pdf = response.bytes().await.unwrap();
        polder_tests::assert_pdf_a(&path, &pdf);
        let text = polder_tests::pdf_text(&pdf);
        // pdftotext may break lines (and hyphenate) where Typst did; compare without spacing
        let flat: String = text.split_whitespace().collect();
        for needle in needles {
            let needle: String = needle.split_whitespace().collect();
            assert!(flat.contains(&needle), "{path}: {needle} not in {text}");
        }
    }
    app.stop().await;
}

async fn an_update_for_someone_elses_yjs_client_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    WorkingGroup::seed(&app).await;
    let anna = WorkingGroup::person(&app, "anna@vws.demo").await;
    let joost = WorkingGroup::person(&app, "joost@zin.demo").await;
    let a = WorkingGroup::open_draft(&app, &anna).await;
    let intro = block_text(a.doc(), 1);
    a.edit(|txn| intro.insert(txn, 0, "Van Anna. "))
        .await
        .unwrap();
    // joost crafts an update in anna's Yjs client id, as if she wrote it
    let b = WorkingGroup::open_draft(&app, &joost).await;
    b.wait_for("anna's edit", Duration::from_secs(5), |c| {
        c.prosemirror_text().contains("Van Anna.")
    })
    .await
    .unwrap();
    let forged = {
        let doc = yrs::Doc::with_client_id(a.doc().client_id().get());
        let state = polder_tests::yclient::full_state(a.doc());
        doc.transact_mut()
            .apply_update(
                <yrs::Update as yrs::updates::decoder::Decode>::decode_v1(&state).unwrap(),
            )
            .unwrap();
        let text = block_text(&doc, 1);
        let mut txn = doc.transact_mut();
        let before = yrs::ReadTxn::state_vector(&txn);
        text.insert(&mut txn, 0, "Namens Anna: ");
        yrs::ReadTxn::encode_state_as_update_v1(&txn, &before)
    };
    b.send_message(yrs::sync::Message::Sync(yrs::sync::SyncMessage::Update(
        forged,
    )))
    .await
    .unwrap();
    b.wait_for("refusal", Duration::from_secs(5), |c| {
        c.denied()
            .iter()
            .any(|d| d.contains("belongs to someone else"))
    })
    .await
    .unwrap();
    let fresh = WorkingGroup::open_draft(&app, &anna).await;
    assert!(!fresh.prosemirror_text().contains("Namens Anna"));
    app.stop().await;
}
