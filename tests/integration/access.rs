//! Who may connect to a document and what a connection may do.

use std::time::Duration;

use polder::storage::DocRole;
use polder_shared::DocId;
use polder_tests::YClient;
use tokio_tungstenite::tungstenite;

use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    upgrades_without_valid_credentials_are_refused_and_load_nothing,
    only_an_admin_creates_a_document_by_connecting,
    a_read_only_connection_cannot_change_the_document,
    a_session_cookie_authenticates_a_connection,
);

/// The HTTP status a refused upgrade got.
async fn refused_status(url: &str, headers: &[(&str, &str)]) -> u16 {
    match YClient::connect_with_headers(url, headers).await {
        Ok(_) => panic!("upgrade to {url} should have been refused"),
        Err(error) => match error.downcast_ref::<tungstenite::Error>() {
            Some(tungstenite::Error::Http(response)) => response.status().as_u16(),
            _ => panic!("unexpected error: {error:#}"),
        },
    }
}

async fn upgrades_without_valid_credentials_are_refused_and_load_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(refused_status(&app.ws_base("doc"), &[]).await, 401);
    assert_eq!(
        refused_status(&app.ws_url_with("doc", "pld_wrong"), &[]).await,
        401
    );
    assert_eq!(
        refused_status(
            &app.ws_base("doc"),
            &[("authorization", "Bearer pld_wrong")]
        )
        .await,
        401
    );
    assert_eq!(refused_status(&app.ws_url("..%2Fetc"), &[]).await, 400);
    // a member of another document
    let other = app
        .member_token("other-doc", DocRole::Writer, "write")
        .await;
    app.client("doc").await.close().await;
    assert_eq!(
        refused_status(&app.ws_url_with("doc", &other), &[]).await,
        403
    );
    // the closed client's connection is gone and the refused ones never counted
    crate::helpers::eventually("no open connections", Duration::from_secs(5), || async {
        app.metric("polder_connections").await == 0.0
    })
    .await;
    // the bearer header works like ?token=
    let header = format!("Bearer {}", app.admin_token);
    let client = YClient::connect_with_headers(&app.ws_base("doc"), &[("authorization", &header)])
        .await
        .unwrap();
    client.synced().await.unwrap();
    app.stop().await;
}

async fn only_an_admin_creates_a_document_by_connecting(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let member = app.member_token("existing", DocRole::Writer, "write").await;
    assert_eq!(
        refused_status(&app.ws_url_with("brand-new", &member), &[]).await,
        403
    );
    let new_id = DocId::parse("brand-new").unwrap();
    assert!(!app.storage.document_exists(&new_id).await.unwrap());
    assert_eq!(app.metric("polder_documents_loaded").await, 0.0);
    let admin = app.client("brand-new").await;
    admin.append("nieuw").await.unwrap();
    assert!(app.storage.document_exists(&new_id).await.unwrap());
    app.stop().await;
}

async fn a_read_only_connection_cannot_change_the_document(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let writer_token = app.member_token("ro", DocRole::Writer, "write").await;
    let reader_token = app.member_token("ro", DocRole::Reader, "read write").await;
    // a writer whose token only has the read scope is read-only too
    let capped_token = app.member_token("ro", DocRole::Writer, "read").await;
    let writer = YClient::connect(&app.ws_url_with("ro", &writer_token))
        .await
        .unwrap();
    writer.synced().await.unwrap();
    writer.append("van de schrijver").await.unwrap();
    for token in [reader_token, capped_token] {
        let reader = YClient::connect(&app.ws_url_with("ro", &token))
            .await
            .unwrap();
        reader.wait_for_text("van de schrijver").await.unwrap();
        // told on connect that it is read-only, and again when it tries to write
        assert!(
            reader.denied()[0].contains("read-only"),
            "{:?}",
            reader.denied()
        );
        reader.append(" en van de lezer").await.unwrap();
        reader
            .wait_for("permission denied", Duration::from_secs(5), |c| {
                c.denied().len() == 2
            })
            .await
            .unwrap();
        assert!(
            reader.denied()[1].contains("read-only"),
            "{:?}",
            reader.denied()
        );
        assert!(
            reader.close_info().is_none(),
            "the reader stays connected and keeps following"
        );
    }
    // neither the writer nor a newcomer ever sees the refused text
    writer.append("!").await.unwrap();
    let newcomer = app.client("ro").await;
    assert_eq!(newcomer.text(), "van de schrijver!");
    assert_eq!(writer.text(), "van de schrijver!");
    assert_eq!(app.metric("polder_updates_refused").await, 2.0);
    app.stop().await;
}

async fn a_session_cookie_authenticates_a_connection(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user = app
        .create_user("lid@zorginstituut.nl", "correct horse battery")
        .await;
    let doc_id = DocId::parse("cookie").unwrap();
    app.storage.create_document(&doc_id, "test").await.unwrap();
    app.storage
        .grant_document(&doc_id, user, DocRole::Writer)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let sign_in = |password: &'static str, email: &'static str| {
        http.post(app.http("/api/session"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
    };
    let wrong = sign_in("wrong password", "lid@zorginstituut.nl")
        .await
        .unwrap();
    let unknown = sign_in("correct horse battery", "niemand@example.org")
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    assert_eq!(
        wrong.text().await.unwrap(),
        unknown.text().await.unwrap(),
        "same answer for both"
    );
    let response = sign_in("correct horse battery", "lid@zorginstituut.nl")
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let set_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("polder_session="))
        .unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let client = YClient::connect_with_headers(&app.ws_base("cookie"), &[("cookie", &cookie)])
        .await
        .unwrap();
    client.synced().await.unwrap();
    client.append("via cookie").await.unwrap();
    let probe = app.client("cookie").await;
    probe.wait_for_text("via cookie").await.unwrap();
    assert_eq!(
        refused_status(
            &app.ws_base("cookie"),
            &[("cookie", "polder_session=forged")]
        )
        .await,
        401
    );
    app.stop().await;
}
