//! Consultation rounds (docs/DOMAIN.md §16): guests reach only their consultation, responses
//! are accepted only while open and per organisation, comments and attachments are checked,
//! the summary draft is made once, the report carries the responses, the notices reach
//! the right people, and a withdrawn consultation takes no responses and tells its invitees.
//!
//! The HTTP layer reads "today" from the real clock; to move a consultation before its opening
//! or past its closing date, these tests change its stored dates directly in the database.

use std::io::Read as _;

use chrono::{Days, NaiveDate};
use polder::domain::dutch_time;
use polder::scheduler::{Scheduler, SchedulerSettings};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_guest_reads_only_the_consultation_it_was_invited_to,
    responses_are_accepted_only_while_open,
    responses_are_per_organisation_and_their_comments_and_attachments_are_checked,
    the_summary_is_made_once_and_the_report_carries_the_responses,
    notices_reach_the_right_people_and_a_member_of_another_body_is_invited_as_themselves,
    a_withdrawn_consultation_takes_no_responses_still_reads_and_its_invitees_are_told,
);

const BOUNDARY: &str = "polder-test-boundary-7d3f";

fn today() -> NaiveDate {
    dutch_time::today()
}

fn day(offset: i64) -> String {
    let today = today();
    let day = if offset >= 0 {
        today + Days::new(offset.unsigned_abs())
    } else {
        today - Days::new(offset.unsigned_abs())
    };
    day.to_string()
}

/// A `multipart/form-data` body of `(name, file name, bytes)` parts.
fn form(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub(crate) async fn respond(
    api: &Api,
    consultation: i64,
    parts: &[(&str, Option<&str>, &[u8])],
) -> (StatusCode, Value) {
    let response = api
        .raw(
            Method::POST,
            &format!("/api/consultations/{consultation}/responses"),
            &format!("multipart/form-data; boundary={BOUNDARY}"),
            form(parts),
        )
        .await;
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

struct Setup {
    app: TestApp,
    group: WorkingGroup,
    chair: Api,
    version: i64,
}

async fn setup(backend: Backend) -> Setup {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed_full(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let version = chair
        .send(
            Method::POST,
            &format!("/api/drafts/{}/versions", group.draft_id),
            json!({"name": "consultatieversie test"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    Setup {
        app,
        group,
        chair,
        version,
    }
}

impl Setup {
    async fn consultation(&self, opens_on: Option<String>, closes_on: String) -> i64 {
        self.chair
            .send(
                Method::POST,
                &format!("/api/drafts/{}/consultations", self.group.draft_id),
                json!({"version_id": self.version, "title": "Consultatie rollen",
                       "question": "Wat vindt u van de rolverdeling?",
                       "opens_on": opens_on, "closes_on": closes_on}),
                StatusCode::CREATED,
            )
            .await["id"]
            .as_i64()
            .unwrap()
    }

    /// Invites a guest of `organisation`; returns the invitee and the guest's client.
    async fn guest(&self, consultation: i64, organisation: &str, email: &str) -> (Value, Api) {
        let answer = self
            .chair
            .send(
                Method::POST,
                &format!("/api/consultations/{consultation}/invitees"),
                json!({"organisation": organisation, "email": email, "name": "Gast"}),
                StatusCode::CREATED,
            )
            .await;
        let link = answer["link"]
            .as_str()
            .expect("a guest gets a link")
            .to_owned();
        let secret = link.strip_prefix("/gast/").unwrap();
        let (guest, signed_in) = Api::sign_in_guest(&self.app, secret).await;
        assert_eq!(signed_in["consultation_id"], consultation);
        (answer["invitee"].clone(), guest)
    }

    async fn set_dates(&self, consultation: i64, opens_on: Option<String>, closes_on: String) {
        sqlx::query("UPDATE consultations SET opens_on = $1, closes_on = $2 WHERE id = $3")
            .bind(opens_on)
            .bind(closes_on)
            .bind(consultation)
            .execute(self.app.storage.pool())
            .await
            .unwrap();
    }
}

async fn a_guest_reads_only_the_consultation_it_was_invited_to(backend: Backend) {
    let s = setup(backend).await;
    let (draft, body) = (s.group.draft_id, s.group.body_id);
    let id = s.consultation(None, day(14)).await;
    let (invitee, guest) = s.guest(id, "Patiëntenfederatie Test", "gast@pf.test").await;
    assert_eq!(invitee["is_guest"], true);

    assert_eq!(guest.get("/api/me").await["is_guest"], true);
    assert_eq!(s.chair.get("/api/me").await["is_guest"], false);
    let own = guest.get(&format!("/api/consultations/{id}")).await;
    assert_eq!(own["status"], "open");
    assert_eq!(own["my_invitee_id"], invitee["id"]);
    let invitees = own["invitees"].as_array().unwrap();
    assert_eq!(invitees.len(), 1, "an invitee sees only its own invitation");
    assert!(invitees[0]["email"].is_null());
    let version = guest.get(&format!("/api/consultations/{id}/version")).await;
    assert_eq!(version["version"]["id"], s.version);
    assert!(!version["blocks"].as_array().unwrap().is_empty());

    // the demo consultation on the same draft is not theirs
    let demo = s
        .chair
        .get(&format!("/api/drafts/{draft}/consultations"))
        .await;
    let other = demo
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .find(|c| *c != id)
        .expect("the demo consultation");
    for path in [
        format!("/api/consultations/{other}"),
        format!("/api/consultations/{other}/version"),
        format!("/api/consultations/{id}/report.pdf"),
        format!("/api/drafts/{draft}"),
        format!("/api/drafts/{draft}/versions"),
        format!("/api/drafts/{draft}/versions/{}", s.version),
        format!("/api/drafts/{draft}/comments"),
        format!("/api/drafts/{draft}/consultations"),
        format!("/api/bodies/{body}"),
        "/api/bodies".to_owned(),
        "/api/people".to_owned(),
        "/api/people?q=gast".to_owned(),
        "/api/parties".to_owned(),
        "/api/tokens".to_owned(),
    ] {
        let (status, answer) = guest.call(Method::GET, &path, None).await;
        assert!(
            matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "a guest reached {path}: {status} {answer}"
        );
    }
    let (status, answer) = guest.call(Method::GET, "/api/bodies", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(answer.to_string().contains("guest account"), "{answer}");

    // the sync socket refuses a guest
    let origin = format!("http://{}", s.app.addr);
    let socket = polder_tests::YClient::connect_with_headers(
        &s.app.ws_base(polder::demo::DEMO_DOC_ID),
        &[("cookie", guest.cookie().unwrap()), ("origin", &origin)],
    )
    .await;
    match socket {
        Err(_) => {}
        Ok(socket) => {
            assert!(socket.synced().await.is_err(), "a guest synced the draft");
        }
    }

    // guests never appear in the directory
    let people = s.chair.get("/api/people?limit=200").await;
    assert!(
        !people.to_string().contains("gast@pf.test"),
        "a guest is listed: {people}"
    );
    // an unknown secret signs nobody in
    let (status, _) = Api::anonymous(&s.app)
        .call(
            Method::POST,
            "/api/guest/session",
            Some(json!({"secret": "not-a-real-secret"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    s.app.stop().await;
}

async fn responses_are_accepted_only_while_open(backend: Backend) {
    let s = setup(backend).await;
    let id = s.consultation(Some(day(3)), day(10)).await;
    let (_, guest) = s.guest(id, "NVK", "gast@nvk.test").await;
    assert_eq!(
        guest.get(&format!("/api/consultations/{id}")).await["status"],
        "aangekondigd"
    );
    let text: &[u8] = b"Onze reactie.";
    let (status, answer) = respond(&guest, id, &[("text", None, text)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(
        answer.to_string().contains(&day(3)),
        "says when it opens: {answer}"
    );

    // the opening day arrives (moved in the database: the HTTP layer reads the real date)
    s.set_dates(id, None, day(10)).await;
    let (status, answer) = respond(&guest, id, &[("text", None, text)]).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    // the closing date has passed
    s.set_dates(id, None, day(-1)).await;
    assert_eq!(
        guest.get(&format!("/api/consultations/{id}")).await["status"],
        "gesloten"
    );
    let (status, answer) = respond(&guest, id, &[("text", None, text)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(answer.to_string().contains("closed"), "{answer}");
    s.app.stop().await;
}

async fn responses_are_per_organisation_and_their_comments_and_attachments_are_checked(
    backend: Backend,
) {
    let s = setup(backend).await;
    let id = s.consultation(None, day(20)).await;
    let (nvk, guest) = s.guest(id, "NVK", "gast@nvk.test").await;
    let (_, other) = s.guest(id, "KNMP", "gast@knmp.test").await;
    // a passage of the demo text
    let plain: String = s
        .chair
        .get(&format!("/api/consultations/{id}/version"))
        .await["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["runs"].as_array().unwrap().clone())
        .map(|r| r["text"].as_str().unwrap().to_owned())
        .collect();
    let quote: String = plain.chars().take(30).collect();

    let bad = json!([{"quote": "deze zin staat niet in de versie", "body": "Vraag"}]).to_string();
    let (status, answer) = respond(
        &guest,
        id,
        &[
            ("text", None, b"Reactie"),
            ("comments", None, bad.as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.to_string().contains("comments"), "{answer}");

    let (status, answer) = respond(
        &guest,
        id,
        &[
            ("text", None, b"Reactie"),
            ("attachment", Some("reactie.pdf"), b"MZ\x90\x00not a pdf"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.to_string().contains("attachment"), "{answer}");

    let mut huge = b"%PDF-1.7\n".to_vec();
    huge.resize(10 * 1024 * 1024 + 1, b'x');
    let (status, answer) = respond(
        &guest,
        id,
        &[
            ("text", None, b"Reactie"),
            ("attachment", Some("groot.pdf"), &huge),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");

    let (status, first) = respond(&guest, id, &[("text", None, b"Eerste reactie NVK")]).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let good = json!([{"quote": quote, "body": "Graag verduidelijken."}, {"body": "Algemeen."}])
        .to_string();
    let pdf: &[u8] = b"%PDF-1.4\n% een kleine bijlage\n";
    let (status, second) = respond(
        &guest,
        id,
        &[
            ("text", None, b"Tweede reactie NVK"),
            ("comments", None, good.as_bytes()),
            ("attachment", Some("../Reactie NVK.pdf"), pdf),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_eq!(second["comments"][0]["quote"], quote.trim());
    assert_eq!(second["attachment"]["name"], "Reactie_NVK.pdf");
    assert_eq!(second["attachment"]["size"], pdf.len());
    let (status, _) = respond(&other, id, &[("text", None, b"Reactie KNMP")]).await;
    assert_eq!(status, StatusCode::CREATED);

    // the newer response of NVK superseded the first; each organisation has one
    let all = s
        .chair
        .get(&format!("/api/consultations/{id}/responses"))
        .await;
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    let texts: Vec<&str> = all.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert!(texts.contains(&"Tweede reactie NVK") && texts.contains(&"Reactie KNMP"));
    let own = guest
        .get(&format!("/api/consultations/{id}/responses"))
        .await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["invitee_id"], nvk["id"]);

    // the attachment: a download, never sniffed; only for readers and its own organisation
    let path = format!("/api/consultation-responses/{}/attachment", second["id"]);
    for client in [&guest, &s.chair] {
        let response = client
            .raw(Method::GET, &path, "text/plain", Vec::new())
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["content-type"], "application/pdf");
        assert!(headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"));
        assert_eq!(response.bytes().await.unwrap().as_ref(), pdf);
    }
    let (status, _) = other.call(Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    s.app.stop().await;
}

fn docx_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

async fn the_summary_is_made_once_and_the_report_carries_the_responses(backend: Backend) {
    let s = setup(backend).await;
    let id = s.consultation(None, day(20)).await;
    let (_, guest) = s.guest(id, "Vereniging Reactie", "gast@vr.test").await;
    let (status, _) = respond(
        &guest,
        id,
        &[("text", None, b"Wij steunen het advies van harte.")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let member = WorkingGroup::person(&s.app, "joost@zin.demo").await;
    let (status, _) = member
        .call(
            Method::POST,
            &format!("/api/consultations/{id}/summary"),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a member does not make the summary"
    );
    let summary = s
        .chair
        .send(
            Method::POST,
            &format!("/api/consultations/{id}/summary"),
            json!({}),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(
        summary["title"],
        "Samenvatting reacties: Consultatie rollen"
    );
    assert_eq!(summary["body_id"], s.group.body_id);
    let (status, answer) = s
        .chair
        .call(
            Method::POST,
            &format!("/api/consultations/{id}/summary"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(
        s.chair.get(&format!("/api/consultations/{id}")).await["summary_draft_id"],
        summary["id"]
    );

    let pdf = s
        .chair
        .raw(
            Method::GET,
            &format!("/api/consultations/{id}/report.pdf"),
            "text/plain",
            Vec::new(),
        )
        .await;
    assert_eq!(pdf.status(), StatusCode::OK);
    let pdf = pdf.bytes().await.unwrap();
    polder_tests::assert_pdf_a("consultation report", &pdf);
    let docx = s
        .chair
        .raw(
            Method::GET,
            &format!("/api/consultations/{id}/report.docx"),
            "text/plain",
            Vec::new(),
        )
        .await;
    assert_eq!(docx.status(), StatusCode::OK);
    let xml = docx_text(&docx.bytes().await.unwrap());
    for expected in [
        "Wat vindt u van de rolverdeling?",
        "Vereniging Reactie",
        "Wij steunen het advies van harte.",
    ] {
        assert!(xml.contains(expected), "{expected} missing from the report");
    }
    let (status, _) = guest
        .call(
            Method::GET,
            &format!("/api/consultations/{id}/report.docx"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the report is for the body");
    s.app.stop().await;
}

async fn consultation_notices(api: &Api, id: i64) -> Vec<String> {
    api.get("/api/notifications?limit=200").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["subject_ref"] == format!("consultation:{id}"))
        .map(|n| {
            n["notification"]["kind"]["news"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

async fn notices_reach_the_right_people_and_a_member_of_another_body_is_invited_as_themselves(
    backend: Backend,
) {
    let s = setup(backend).await;
    // a member of another body, invited as themselves
    let storage = &s.app.storage;
    let other_body = storage
        .create_body(
            "Werkgroep Elders",
            polder::domain::bodies::BodyKind::WorkingGroup,
            0,
            None,
        )
        .await
        .unwrap();
    let password = polder::auth::password::hash_password(secrecy::SecretString::from(
        polder::demo::DEMO_PASSWORD,
    ))
    .await
    .unwrap();
    let elders = storage
        .create_user("olga@elders.test", "Olga Elders", &password, false)
        .await
        .unwrap();
    storage
        .put_membership(
            other_body,
            elders,
            polder::domain::roles::BodyRole::Member,
            false,
        )
        .await
        .unwrap();

    let closes = today() + Days::new(30);
    let id = s.consultation(Some(day(7)), closes.to_string()).await;
    let (_, guest) = s.guest(id, "NVK", "gast@nvk.test").await;
    let invited = s
        .chair
        .send(
            Method::POST,
            &format!("/api/consultations/{id}/invitees"),
            json!({"organisation": "Werkgroep Elders", "email": "olga@elders.test", "name": "Olga"}),
            StatusCode::CREATED,
        )
        .await;
    assert!(invited["link"].is_null(), "an account holder gets no link");
    assert_eq!(invited["invitee"]["is_guest"], false);
    let olga = Api::sign_in(&s.app, "olga@elders.test", polder::demo::DEMO_PASSWORD).await;
    assert_eq!(
        olga.get(&format!("/api/consultations/{id}")).await["my_invitee_id"],
        invited["invitee"]["id"]
    );
    olga.get("/api/bodies").await; // still not a guest
    let (status, _) = olga
        .call(
            Method::GET,
            &format!("/api/drafts/{}", s.group.draft_id),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "invited, not a member of the body"
    );

    let scheduler = Scheduler::new((**storage).clone(), SchedulerSettings::default());
    scheduler.run_due(chrono::Utc::now()).await;
    let member = WorkingGroup::person(&s.app, "joost@zin.demo").await;
    assert_eq!(
        consultation_notices(&member, id).await,
        vec!["aangekondigd"]
    );
    let mut guest_news = consultation_notices(&guest, id).await;
    guest_news.sort();
    assert_eq!(guest_news, vec!["aangekondigd", "uitnodiging"]);
    let mut olga_news = consultation_notices(&olga, id).await;
    olga_news.sort();
    assert_eq!(olga_news, vec!["aangekondigd", "uitnodiging"]);
    let outsider = WorkingGroup::person(&s.app, "willem@vws.demo").await;
    assert!(consultation_notices(&outsider, id).await.is_empty());

    // it opens; Olga's organisation responds, the guest's does not
    s.set_dates(id, None, closes.to_string()).await;
    let (status, _) = respond(&olga, id, &[("text", None, b"Reactie van elders")]).await;
    assert_eq!(status, StatusCode::CREATED);

    // five working days before closing, at the reminder hour
    let rules = polder::domain::calendar::HolidayRules::default();
    let reminder_day = polder::domain::calendar::add_working_days(closes, -5, &rules);
    let at = dutch_time::at_local_hour(reminder_day, 10);
    scheduler.run_due(at).await;
    assert_eq!(
        consultation_notices(&guest, id)
            .await
            .iter()
            .filter(|n| *n == "herinnering")
            .count(),
        1
    );
    assert!(!consultation_notices(&olga, id)
        .await
        .contains(&"herinnering".to_owned()));
    assert!(!consultation_notices(&member, id)
        .await
        .contains(&"herinnering".to_owned()));
    // running again sends nothing twice
    scheduler.run_due(at).await;
    assert_eq!(
        consultation_notices(&guest, id)
            .await
            .iter()
            .filter(|n| *n == "herinnering")
            .count(),
        1
    );
    s.app.stop().await;
}

async fn a_withdrawn_consultation_takes_no_responses_still_reads_and_its_invitees_are_told(
    backend: Backend,
) {
    let s = setup(backend).await;
    let id = s.consultation(None, day(30)).await;
    let (_, guest) = s.guest(id, "NVK", "gast@nvk.test").await;
    let path = format!("/api/consultations/{id}/withdraw");

    // a member of the body may not withdraw it
    let member = WorkingGroup::person(&s.app, "joost@zin.demo").await;
    let (status, answer) = member.call(Method::POST, &path, Some(json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");

    // the note is bounded
    let long = "x".repeat(2001);
    let (status, answer) = s
        .chair
        .call(Method::POST, &path, Some(json!({ "note": long })))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.to_string().contains("note"), "{answer}");

    let withdrawn = s
        .chair
        .send(
            Method::POST,
            &path,
            json!({"note": "De versie is vervangen."}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(withdrawn["status"], "ingetrokken");
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'consultation.withdraw'")
            .fetch_one(s.app.storage.pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);

    // responses are refused, saying why
    let (status, answer) = respond(&guest, id, &[("text", None, b"Onze reactie.")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert!(answer.to_string().contains("withdrawn"), "{answer}");

    // it still reads, for the body and the invitee
    let read = format!("/api/consultations/{id}");
    assert_eq!(guest.get(&read).await["status"], "ingetrokken");
    assert_eq!(member.get(&read).await["status"], "ingetrokken");

    // a second withdrawal conflicts
    let (status, answer) = s.chair.call(Method::POST, &path, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");

    // the scheduler tells the invitee, once, and only that
    let storage = &s.app.storage;
    let scheduler = Scheduler::new((**storage).clone(), SchedulerSettings::default());
    scheduler.run_due(chrono::Utc::now()).await;
    scheduler.run_due(chrono::Utc::now()).await;
    assert_eq!(consultation_notices(&guest, id).await, vec!["ingetrokken"]);
    assert!(consultation_notices(&member, id).await.is_empty());
    let notice = guest.get("/api/notifications?limit=200").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["subject_ref"] == format!("consultation:{id}"))
        .cloned()
        .unwrap();
    assert!(
        notice.to_string().contains("De versie is vervangen."),
        "the note reaches the invitee: {notice}"
    );
    s.app.stop().await;
}
