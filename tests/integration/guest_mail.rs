//! A consultation guest's sign-in link by e-mail (docs/DOMAIN.md §16): sent through a real
//! SMTP sink straight from the invitation, usable to sign in, renewed on request (the old
//! link then fails), and never stored in the notifications or the audit log. Without a
//! working SMTP server the invitation still stands and the inviter is told to pass the link
//! on.

use chrono::Days;
use polder::domain::dutch_time;
use polder::notify::{SmtpSettings, TlsMode};
use polder::scheduler::Scheduler;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::api::{Api, WorkingGroup};
use crate::escalation::SmtpSink;
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    the_invitation_mail_carries_a_link_that_signs_the_guest_in_and_can_be_renewed,
    without_working_smtp_the_invitation_stands_and_the_link_is_not_emailed,
);

const PUBLIC: &str = "https://polder.test/gast/";

async fn open_consultation(app: &TestApp) -> (Api, i64) {
    let group = WorkingGroup::seed_full(app).await;
    let chair = WorkingGroup::person(app, "anna@vws.demo").await;
    let version = chair
        .send(
            Method::POST,
            &format!("/api/drafts/{}/versions", group.draft_id),
            json!({"name": "consultatieversie mail"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let closes = dutch_time::today() + Days::new(21);
    let id = chair
        .send(
            Method::POST,
            &format!("/api/drafts/{}/consultations", group.draft_id),
            json!({"version_id": version, "title": "Consultatie taakverdeling",
                   "question": "Herkent u de taken van uw achterban?",
                   "closes_on": closes.to_string()}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    (chair, id)
}

/// The plain-text part of the sink's message to `to` that carries a sign-in link, and the
/// secret of that link; the `nth` such message (0 = first).
fn link_mail(sink: &SmtpSink, to: &str, nth: usize) -> (String, String) {
    let text = sink
        .messages()
        .into_iter()
        .filter(|m| m["rcpt_tos"] == json!([to]))
        .filter_map(|m| {
            m["parts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["content_type"] == "text/plain")
                .map(|p| p["content"].as_str().unwrap().to_owned())
        })
        .filter(|text| text.contains(PUBLIC))
        .nth(nth)
        .unwrap_or_else(|| panic!("message {nth} with a sign-in link to {to}"));
    let start = text.find(PUBLIC).unwrap() + PUBLIC.len();
    let secret: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    (text, secret)
}

/// Every stored notification (events and jobs) and audit entry, as one text.
async fn stored_notices_and_audit(app: &TestApp) -> String {
    let pool = app.storage.pool();
    let mut all = String::new();
    for row in sqlx::query("SELECT event_key, subject_ref, payload FROM notification_events")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        for column in ["event_key", "subject_ref", "payload"] {
            all.push_str(&row.try_get::<String, _>(column).unwrap());
            all.push('\n');
        }
    }
    for row in sqlx::query("SELECT job_key, payload FROM scheduler_jobs")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        for column in ["job_key", "payload"] {
            all.push_str(&row.try_get::<String, _>(column).unwrap());
            all.push('\n');
        }
    }
    for row in sqlx::query("SELECT actor, action, subject FROM audit_log")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        for column in ["actor", "action", "subject"] {
            all.push_str(&row.try_get::<String, _>(column).unwrap());
            all.push('\n');
        }
    }
    all
}

async fn sign_in_status(app: &TestApp, secret: &str) -> StatusCode {
    Api::anonymous(app)
        .call(
            Method::POST,
            "/api/guest/session",
            Some(json!({ "secret": secret })),
        )
        .await
        .0
}

async fn the_invitation_mail_carries_a_link_that_signs_the_guest_in_and_can_be_renewed(
    backend: Backend,
) {
    let sink = SmtpSink::start().await;
    let settings = sink.scheduler_settings();
    let app = TestApp::spawn_with(backend, |c| {
        c.scheduler = sink.scheduler_settings();
        c.scheduler.enabled = false;
    })
    .await;
    let (chair, id) = open_consultation(&app).await;
    let answer = chair
        .send(
            Method::POST,
            &format!("/api/consultations/{id}/invitees"),
            json!({"organisation": "Patiëntenfederatie Mail", "email": "Gast@PF-mail.test",
                   "name": "Greet Gast"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(answer["emailed"], true, "{answer}");
    let shown = answer["link"].as_str().unwrap().to_owned();
    let invitee = answer["invitee"]["id"].as_i64().unwrap();

    // the e-mail: Dutch first, English below, with title, body, closing date and the link
    let (text, secret) = link_mail(&sink, "gast@pf-mail.test", 0);
    assert_eq!(
        shown,
        format!("/gast/{secret}"),
        "the same link as shown once"
    );
    let closes = dutch_time::today() + Days::new(21);
    for expected in [
        "Consultatie taakverdeling",
        "Herkent u de taken van uw achterban?",
        "Beste Greet Gast",
        "Dear Greet Gast",
        "Patiëntenfederatie Mail",
        &polder::notify::render::format_date(closes, polder::notify::Language::Nl),
        &polder::notify::render::format_date(closes, polder::notify::Language::En),
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(text.find("Beste").unwrap() < text.find("Dear").unwrap());
    let body_name = chair.get(&format!("/api/consultations/{id}")).await["body_name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains(&body_name),
        "{body_name} missing from:\n{text}"
    );

    // the link from the mail signs the guest in, and the guest reads the consultation
    let (guest, signed_in) = Api::sign_in_guest(&app, &secret).await;
    assert_eq!(signed_in["consultation_id"], id);
    let read = guest.get(&format!("/api/consultations/{id}")).await;
    assert_eq!(read["title"], "Consultatie taakverdeling");
    assert_eq!(read["my_invitee_id"], invitee);
    guest.get(&format!("/api/consultations/{id}/version")).await;

    // a fresh link: e-mailed and shown once; the old one no longer signs in
    let renewed = chair
        .send(
            Method::POST,
            &format!("/api/consultations/{id}/invitees/{invitee}/link"),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(renewed["emailed"], true, "{renewed}");
    let (renewed_text, new_secret) = link_mail(&sink, "gast@pf-mail.test", 1);
    assert_ne!(new_secret, secret);
    assert_eq!(renewed["link"], format!("/gast/{new_secret}"));
    assert!(renewed_text.contains("werkt niet meer"), "{renewed_text}");
    assert_eq!(
        sign_in_status(&app, &secret).await,
        StatusCode::UNAUTHORIZED
    );
    let (_, again) = Api::sign_in_guest(&app, &new_secret).await;
    assert_eq!(again["consultation_id"], id);

    // only for guests: a contact with an account of their own needs no link
    let own = chair
        .send(
            Method::POST,
            &format!("/api/consultations/{id}/invitees"),
            json!({"organisation": "Eigen account", "email": "joost@zin.demo", "name": "Joost"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(
        (own["link"].clone(), own["emailed"].clone()),
        (Value::Null, json!(false))
    );
    chair
        .send(
            Method::POST,
            &format!(
                "/api/consultations/{id}/invitees/{}/link",
                own["invitee"]["id"]
            ),
            json!({}),
            StatusCode::CONFLICT,
        )
        .await;

    // the notices are stored and mailed by the scheduler, without the link
    Scheduler::new((*app.storage).clone(), settings)
        .run_due(chrono::Utc::now())
        .await;
    let stored = stored_notices_and_audit(&app).await;
    assert!(
        stored.contains("consultation.invite"),
        "the audit log was read"
    );
    assert!(
        stored.contains("consultation.link"),
        "the renewal is audited"
    );
    assert!(
        stored.contains(&format!("consultation:{id}")),
        "the invitation notice was stored"
    );
    for secret in [&secret, &new_secret] {
        assert!(!stored.contains(secret.as_str()), "a secret was stored");
    }
    let hash: String = sqlx::query("SELECT link_hash FROM consultation_invitees WHERE id = $1")
        .bind(invitee)
        .fetch_one(app.storage.pool())
        .await
        .unwrap()
        .try_get("link_hash")
        .unwrap();
    assert_eq!(
        hash,
        polder::auth::secret::hash(&new_secret),
        "only the hash"
    );
    app.stop().await;
}

async fn without_working_smtp_the_invitation_stands_and_the_link_is_not_emailed(backend: Backend) {
    // an SMTP server that refuses connections: nothing listens on the port
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = TestApp::spawn_with(backend, move |c| {
        c.scheduler.enabled = false;
        c.scheduler.public_url = Some("https://polder.test".to_owned());
        c.scheduler.smtp = Some(SmtpSettings {
            host: "127.0.0.1".to_owned(),
            port,
            from: "Polder <polder@polder.test>".to_owned(),
            username: None,
            password: None,
            tls: TlsMode::None,
        });
    })
    .await;
    let (chair, id) = open_consultation(&app).await;
    let answer = chair
        .send(
            Method::POST,
            &format!("/api/consultations/{id}/invitees"),
            json!({"organisation": "Zonder mail", "email": "gast@zonder.test", "name": "Gast"}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(answer["emailed"], false, "{answer}");
    let secret = answer["link"]
        .as_str()
        .unwrap()
        .strip_prefix("/gast/")
        .unwrap()
        .to_owned();
    let (_, signed_in) = Api::sign_in_guest(&app, &secret).await;
    assert_eq!(signed_in["consultation_id"], id, "the invitation stands");
    let invitee = answer["invitee"]["id"].as_i64().unwrap();
    let renewed = chair
        .send(
            Method::POST,
            &format!("/api/consultations/{id}/invitees/{invitee}/link"),
            json!({}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(renewed["emailed"], false);
    assert_eq!(
        sign_in_status(&app, &secret).await,
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}
