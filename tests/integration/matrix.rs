//! The authorisation matrix: every REST route and the sync endpoint, driven as each role, with
//! the expected answer asserted. The same table is `docs/AUTHORIZATION.md`, which this test
//! regenerates and compares (set `POLDER_UPDATE_DOCS=1` to rewrite it after a deliberate change).
//!
//! "Allowed" means the request passed authorisation: any answer but 401, 403 and 404 (a 409 or
//! 422 on a repeated or deliberately invalid request still shows the role got through).

use std::fmt::Write as _;
use std::time::Duration;

use polder::domain::bodies::BodyKind;
use polder::domain::roles::BodyRole;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(every_route_and_the_websocket_answer_each_role_as_documented);

/// The roles, in the order requests are made: denials first, so a request that changes state
/// (or removes something) is made by the allowed roles last.
const ROLES: [&str; 8] = [
    "anonymous",
    "member of another body",
    "observer",
    "member",
    "secretariat",
    "chair",
    "administrator",
    "guest",
];

/// Expected outcome per role, in [`ROLES`] order: `true` = allowed.
type Expect = [bool; 8];
const SIGNED_IN: Expect = [false, true, true, true, true, true, true, false];
const ADMIN: Expect = [false, false, false, false, false, false, true, false];
const BODY_READERS: Expect = [false, false, true, true, true, true, true, false];
const STEERING: Expect = [false, false, false, false, true, true, false, false];
const WRITERS: Expect = [false, false, false, true, true, true, false, false];
const EVERYONE: Expect = [true; 8];

/// Chair, secretariat and administrators (ladder, webhooks).
const STEERING_OR_ADMIN: Expect = [false, false, false, false, true, true, true, false];
/// Every member of the body, observers included, but not an administrator without membership.
const BODY_MEMBERS: Expect = [false, false, true, true, true, true, false, false];
const NOBODY: Expect = [false; 8];
/// Only a guest invited to the consultation (responding is for invitees).
const GUEST_ONLY: Expect = [false, false, false, false, false, false, false, true];

/// `expect`, and the guest too: the few routes a guest account reaches.
const fn and_guest(mut expect: Expect) -> Expect {
    expect[7] = true;
    expect
}

struct Route {
    method: Method,
    /// The path as documented: concrete ids become parameter names through [`generic`], and
    /// `{…}` segments are kept as they are.
    path: String,
    /// The path requested per role index (the documented path unless set with [`Route::at`]
    /// or [`Route::per_role`]).
    request: Option<Box<dyn Fn(usize) -> String>>,
    /// Body per role index.
    body: Box<dyn Fn(usize) -> Option<Value>>,
    expect: Expect,
}

impl Route {
    /// Requests `path` instead of the documented path.
    fn at(self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.per_role(move |_| path.clone())
    }

    /// Requests a path that depends on the role (the role's own item).
    fn per_role(mut self, path: impl Fn(usize) -> String + 'static) -> Self {
        self.request = Some(Box::new(path));
        self
    }

    fn request_path(&self, role: usize) -> String {
        self.request
            .as_ref()
            .map_or_else(|| self.path.clone(), |path| path(role))
    }
}

fn route(method: Method, path: impl Into<String>, expect: Expect) -> Route {
    Route {
        method,
        path: path.into(),
        request: None,
        body: Box::new(|_| None),
        expect,
    }
}

fn with_body(
    method: Method,
    path: impl Into<String>,
    expect: Expect,
    body: impl Fn(usize) -> Value + 'static,
) -> Route {
    Route {
        method,
        path: path.into(),
        request: None,
        body: Box::new(move |role| Some(body(role))),
        expect,
    }
}

/// The id of the first item of a page (`{"items": […]}`) or a list.
fn first_id(list: &Value) -> i64 {
    list["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no items in {list}"))
}

fn allowed(status: StatusCode) -> bool {
    !matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    )
}

async fn every_route_and_the_websocket_answer_each_role_as_documented(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let storage = app.storage.clone();
    // a member of another working group, and a spare person for membership changes
    let other_body = storage
        .create_body("Werkgroep Anders", BodyKind::WorkingGroup, 0, None)
        .await
        .unwrap();
    let password = polder::auth::password::hash_password(secrecy::SecretString::from(
        polder::demo::DEMO_PASSWORD,
    ))
    .await
    .unwrap();
    let other = storage
        .create_user("anders@anders.demo", "Olga Anders", &password, false)
        .await
        .unwrap();
    storage
        .put_membership(other_body, other, BodyRole::Member, false)
        .await
        .unwrap();
    let spare = storage
        .create_user("reserve@anders.demo", "Rens Reserve", &password, false)
        .await
        .unwrap();
    // a person for the administrator to remove
    let leaving = storage
        .create_user("vertrek@anders.demo", "Vera Vertrek", &password, false)
        .await
        .unwrap();

    let mut clients = vec![Api::anonymous(&app)];
    for email in [
        "anders@anders.demo",
        "iris@igj.demo",
        "joost@zin.demo",
        "bram@vws.demo",
        "anna@vws.demo",
        "beheer@polder.demo",
    ] {
        clients.push(WorkingGroup::person(&app, email).await);
    }
    // the demo's guest, invited to the demo consultation
    clients.push(WorkingGroup::person(&app, "gast@nvk.demo").await);
    let (member, chair) = (&clients[3], &clients[5]);
    let body = group.body_id;
    let draft = group.draft_id;
    let thread = member
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/comments"),
            json!({"body": "Vraag"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let open_point = member
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/open-points"),
            json!({"kind": "pm", "text": "Punt"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let version = member
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/versions"),
            json!({"name": "matrix"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let second_draft = chair
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/drafts"),
            json!({"title": "Tweede advies"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let party = clients[6].get("/api/parties").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    // every role's own token, for the revoke route (the anonymous client gets someone's id)
    let mut own_tokens = vec![0i64];
    for client in &clients[1..7] {
        let created = client
            .send(
                Method::POST,
                "/api/tokens",
                json!({"name": "matrix", "scope": "read"}),
                StatusCode::CREATED,
            )
            .await;
        own_tokens.push(created["id"].as_i64().unwrap());
    }
    own_tokens[0] = own_tokens[1];
    // a guest makes no tokens: it is given someone's id
    own_tokens.push(own_tokens[1]);
    let own_tokens = std::sync::Arc::new(own_tokens);

    // Governance and escalation subjects: the demo's where a row only reads or repeats, fresh
    // ones where a row changes state that a later row or role relies on.
    let (admin, secretariat) = (&clients[6], &clients[4]);
    // the demo role agreement: ZIN trekker, VWS and FMS medeverantwoordelijk
    let agreement = first_id(
        &admin
            .get(&format!("/api/bodies/{body}/role-agreements"))
            .await,
    );
    // a fresh agreement for the rows that change the matrix, so the demo one keeps its sign-offs
    let changed_agreement = chair
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/role-agreements"),
            json!({"title": "Matrixafspraak", "parties": [
                {"party": "ZIN", "role": "trekker"},
                {"party": "VWS", "role": "medeverantwoordelijk"},
                {"party": "FMS", "role": "geconsulteerd"},
                {"party": "ZN", "role": "geconsulteerd"},
            ]}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    // the demo endorsement round on the demo draft: ZIN akkoord, FMS met voorbehoud
    let rounds = admin.get(&format!("/api/drafts/{draft}/rounds")).await;
    let round = rounds[0]["id"].as_i64().expect("the demo round");
    let round_hash = rounds[0]["content_hash"].as_str().unwrap().to_owned();
    let action_line = first_id(&admin.get(&format!("/api/bodies/{body}/action-lines")).await);
    // a milestone ZIN owns, so the member (Joost, ZIN) may change its status
    let milestones = admin
        .get(&format!("/api/bodies/{body}/milestones?limit=200"))
        .await;
    let milestone = milestones["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["owners"]
                .as_array()
                .is_some_and(|o| o.iter().any(|owner| owner["code"] == "ZIN"))
        })
        .expect("a demo milestone owned by ZIN")["id"]
        .as_i64()
        .unwrap();
    // the demo dispute: raised by ZIN, between ZIN and FMS, open at the working group
    let demo_dispute = admin
        .items(&format!("/api/bodies/{body}/disputes?open=true"))
        .await[0]["id"]
        .as_i64()
        .unwrap();
    // a fresh dispute raised by ZIN (Joost) that also involves VWS: the chair, the secretariat
    // and the member all represent an involved party, the observer (IGJ) does not, and only
    // ZIN's people may withdraw it
    let raise = move |title: String| {
        json!({"subject_kind": "draft_passage", "subject_id": draft, "title": title,
               "description": "Verschil van inzicht", "parties": ["VWS"]})
    };
    let zin_dispute = member
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/disputes"),
            raise("Matrixgeschil".into()),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let ladder = admin.get(&format!("/api/bodies/{body}/ladder")).await;
    let same_ladder = json!({
        "levels": ladder["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| json!({"name": l["name"], "forum_body_id": l["forum_body_id"], "response_days": l["response_days"]}))
            .collect::<Vec<_>>(),
        "overdue_margin_days": ladder["overdue_margin_days"],
        "auto_dispute": ladder["auto_dispute"],
    });
    // a name under .invalid never resolves: deliveries fail, which the log records
    let webhook = secretariat
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/webhooks"),
            json!({"url": "http://hooks.invalid:9/matrix"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    // one notification for every signed-in role, so each marks its own item
    let mut people = vec![0i64];
    for client in &clients[1..] {
        people.push(client.get("/api/me").await["id"].as_i64().unwrap());
    }
    storage
        .deliver(
            &polder::storage::escalation::notifications::NewEvent {
                key: "matrix:notification".into(),
                body_id: None,
                party_id: None,
                person_id: None,
                notification: polder::notify::Notification {
                    kind: polder::notify::NotificationKind::DueToday,
                    title: "Matrix".into(),
                    body: String::new(),
                    link: None,
                    subject_ref: format!("milestone:{milestone}"),
                    due: None,
                },
            },
            &people[1..],
            false,
            0,
        )
        .await
        .unwrap();
    let mut own_notifications = vec![0i64];
    for client in &clients[1..] {
        own_notifications.push(first_id(&client.get("/api/notifications").await));
    }
    own_notifications[0] = own_notifications[1];
    let own_notifications = std::sync::Arc::new(own_notifications);
    let notifications = own_notifications.clone();
    // the chair's personal calendar feed
    let feed = chair
        .send(
            Method::POST,
            "/api/me/calendar-feeds",
            json!({}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();

    // decision requests put to the working group itself, and one decision on it (a deferral,
    // which keeps the request open for the outcome row)
    let request = |title: &str| json!({"title": title, "question": "Gaat de werkgroep akkoord?"});
    let decision_request = chair
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/decision-requests"),
            request("Matrixverzoek"),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let withdrawn_request = chair
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/decision-requests"),
            request("In te trekken"),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let deferral = json!({"outcome": "aangehouden", "decided_on": "2024-09-26", "rationale": "Volgende keer."});
    let decision = chair
        .send(
            Method::POST,
            &format!("/api/decision-requests/{decision_request}/outcome"),
            deferral.clone(),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();

    // a meeting of the working group with an agenda item per role (for the removal), a pack
    let meeting = chair
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/meetings"),
            json!({"title": "Werkgroepoverleg", "kind": "plenary", "starts": "2027-02-02T10:00", "ends": "2027-02-02T12:00"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let mut agenda_items = Vec::new();
    for role in 0..8 {
        agenda_items.push(
            chair
                .send(
                    Method::POST,
                    &format!("/api/meetings/{meeting}/agenda"),
                    json!({"kind": "item", "title": format!("Punt {role}")}),
                    StatusCode::CREATED,
                )
                .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let agenda_item = agenda_items[0];
    let pack = chair
        .send(
            Method::POST,
            &format!("/api/meetings/{meeting}/pack"),
            json!({}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();

    // the demo consultation, to which the guest (NVK) is invited; the guest's response with
    // an attachment; an invitation per role for the removal row
    let consultation = admin
        .get(&format!("/api/drafts/{draft}/consultations"))
        .await[0]["id"]
        .as_i64()
        .unwrap();
    let (status, answer) = crate::consultation::respond(
        &clients[7],
        consultation,
        &[
            ("text", None, b"Reactie"),
            ("attachment", Some("r.pdf"), b"%PDF-1.4\n"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let consultation_response = answer["id"].as_i64().unwrap();
    let mut removable = Vec::new();
    for role in 0..8 {
        removable.push(
            chair
                .send(
                    Method::POST,
                    &format!("/api/consultations/{consultation}/invitees"),
                    json!({"organisation": format!("Weg {role}"), "email": format!("weg{role}@gast.test"), "name": "Weg"}),
                    StatusCode::CREATED,
                )
                .await["invitee"]["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let closes = (polder::domain::dutch_time::today() + chrono::Days::new(14)).to_string();
    // a consultation of its own for the withdrawal row, so the others keep an open one
    let withdrawable = chair
        .send(
            Method::POST,
            &format!("/api/drafts/{draft}/consultations"),
            json!({"version_id": version, "title": "In te trekken", "closes_on": closes}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();

    // a frozen progress report of the working group, and its public page switched on
    let report = chair
        .send(
            Method::POST,
            "/api/programme/reports",
            json!({"period": "2026-Q3", "body_id": body}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let public_page = json!({"slug": "matrix-wg", "enabled": true, "milestones": [milestone]});
    chair
        .send(
            Method::PUT,
            &format!("/api/bodies/{body}/public-page"),
            public_page.clone(),
            StatusCode::OK,
        )
        .await;

    let tokens = own_tokens.clone();
    let routes = vec![
        route(Method::GET, "/api/session", EVERYONE),
        route(Method::GET, "/api/me", and_guest(SIGNED_IN)),
        route(Method::GET, "/api/me/data", and_guest(SIGNED_IN)),
        with_body(
            Method::PUT,
            "/api/me/password",
            and_guest(SIGNED_IN),
            |_| json!({"current": polder::demo::DEMO_PASSWORD, "new": "kort"}),
        ),
        route(Method::GET, "/api/parties", SIGNED_IN),
        with_body(
            Method::POST,
            "/api/parties",
            ADMIN,
            |role| json!({"code": format!("P{role}"), "name": format!("Partij {role}"), "colour": "#123456"}),
        ),
        route(Method::GET, format!("/api/parties/{party}"), SIGNED_IN),
        // the register's aliases: administrators (the programme team resolves names through
        // the import route below)
        with_body(
            Method::POST,
            "/api/parties/{code}/aliases",
            ADMIN,
            |role| json!({"alias": format!("Alias {role}")}),
        )
        .at("/api/parties/ZIN/aliases"),
        route(Method::GET, "/api/people", SIGNED_IN),
        with_body(
            Method::POST,
            "/api/people",
            ADMIN,
            |role| json!({"name": format!("Nieuw {role}"), "email": format!("nieuw{role}@x.demo"), "password": "een lang wachtwoord", "party": "ZIN"}),
        ),
        route(Method::GET, format!("/api/people/{spare}"), SIGNED_IN),
        route(
            Method::DELETE,
            format!("/api/admin/people/{leaving}"),
            ADMIN,
        ),
        route(Method::GET, "/api/bodies", SIGNED_IN),
        with_body(
            Method::POST,
            "/api/bodies",
            ADMIN,
            |role| json!({"name": format!("Subgroep {role}"), "kind": "sub_group", "parties": [{"code": "ZIN"}]}),
        ),
        route(Method::GET, format!("/api/bodies/{body}"), BODY_READERS),
        route(
            Method::GET,
            format!("/api/bodies/{body}/members"),
            BODY_READERS,
        ),
        with_body(
            Method::PUT,
            format!("/api/bodies/{body}/members/{spare}"),
            ADMIN,
            |_| json!({"role": "member"}),
        ),
        route(
            Method::DELETE,
            format!("/api/bodies/{body}/members/{spare}"),
            ADMIN,
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/drafts"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/drafts"),
            STEERING,
            |role| json!({"title": format!("Concept {role}"), "template": {"goal": "Doel"}}),
        ),
        route(Method::GET, format!("/api/drafts/{draft}"), BODY_READERS),
        with_body(
            Method::PATCH,
            format!("/api/drafts/{draft}"),
            STEERING,
            |_| json!({"template": {"direction": "VWS"}}),
        ),
        route(
            Method::GET,
            format!("/api/drafts/{draft}/transitions"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/drafts/{second_draft}/transitions"),
            STEERING,
            |_| json!({"to": "consultatie"}),
        ),
        route(
            Method::GET,
            format!("/api/drafts/{draft}/comments"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/drafts/{draft}/comments"),
            WRITERS,
            |role| json!({"body": format!("Opmerking {role}")}),
        ),
        route(
            Method::PUT,
            format!("/api/drafts/{draft}/comments/{thread}/resolved"),
            WRITERS,
        ),
        route(
            Method::DELETE,
            format!("/api/drafts/{draft}/comments/{thread}/resolved"),
            WRITERS,
        ),
        route(
            Method::GET,
            format!("/api/drafts/{draft}/open-points"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/drafts/{draft}/open-points"),
            WRITERS,
            |role| json!({"kind": "nb", "text": format!("Punt {role}")}),
        ),
        with_body(
            Method::POST,
            format!("/api/drafts/{draft}/open-points/detect"),
            WRITERS,
            |_| json!({}),
        ),
        with_body(
            Method::PATCH,
            format!("/api/open-points/{open_point}"),
            WRITERS,
            |role| json!({"text": format!("Punt van rol {role}")}),
        ),
        // following is everyone's own choice among those who read the draft
        route(
            Method::GET,
            format!("/api/drafts/{draft}/follow"),
            BODY_READERS,
        ),
        route(
            Method::PUT,
            format!("/api/drafts/{draft}/follow"),
            BODY_READERS,
        ),
        route(
            Method::DELETE,
            format!("/api/drafts/{draft}/follow"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/drafts/{draft}/versions"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/drafts/{draft}/versions"),
            WRITERS,
            |role| json!({"name": format!("versie {role}")}),
        ),
        route(
            Method::GET,
            format!("/api/drafts/{draft}/versions/{version}"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/drafts/{draft}/compare?from={version}&to=current"),
            BODY_READERS,
        ),
        route(Method::GET, "/api/tokens", SIGNED_IN),
        with_body(
            Method::POST,
            "/api/tokens",
            SIGNED_IN,
            |_| json!({"name": "extra", "scope": "read"}),
        ),
        route(Method::DELETE, "/api/tokens/{own}", SIGNED_IN)
            .per_role(move |role| format!("/api/tokens/{}", tokens[role])),
        // governance: role agreements
        route(
            Method::GET,
            format!("/api/bodies/{body}/role-agreements"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/role-agreements"),
            STEERING,
            |role| json!({"title": format!("Afspraak {role}"), "parties": [{"party": "ZIN", "role": "trekker"}]}),
        ),
        route(
            Method::GET,
            format!("/api/role-agreements/{agreement}"),
            BODY_READERS,
        ),
        with_body(
            Method::PATCH,
            format!("/api/role-agreements/{changed_agreement}"),
            STEERING,
            |role| json!({"description": format!("Toelichting {role}")}),
        ),
        with_body(
            Method::PUT,
            format!("/api/role-agreements/{changed_agreement}/parties/{{party}}"),
            STEERING,
            |_| json!({"role": "geinformeerd"}),
        )
        .at(format!(
            "/api/role-agreements/{changed_agreement}/parties/VNG"
        )),
        // each steering role removes a different party (the secretariat FMS, the chair ZN):
        // a party that is gone is a 404
        route(
            Method::DELETE,
            format!("/api/role-agreements/{changed_agreement}/parties/{{party}}"),
            STEERING,
        )
        .per_role(move |role| {
            let party = if role == 5 { "ZN" } else { "FMS" };
            format!("/api/role-agreements/{changed_agreement}/parties/{party}")
        }),
        route(
            Method::GET,
            format!("/api/role-agreements/{agreement}/sign-offs"),
            BODY_READERS,
        ),
        // a sign-off is given by the party's mandate holder: Anna (chair, VWS) and Joost
        // (member, ZIN) hold their party's mandate, Bram (secretariat, VWS) does not; the
        // observer (IGJ) has no mandate nor a role in the agreement; the administrator no party
        with_body(
            Method::POST,
            format!("/api/role-agreements/{agreement}/sign-offs"),
            [false, false, false, true, false, true, false, false],
            |_| json!({"state": "akkoord"}),
        ),
        route(
            Method::GET,
            format!("/api/role-agreements/{agreement}/pending"),
            BODY_READERS,
        ),
        // endorsement rounds: the demo round (a second one on the draft is a 409 for the
        // steering roles, which passed authorisation)
        route(
            Method::GET,
            format!("/api/drafts/{draft}/rounds"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/drafts/{draft}/rounds"),
            STEERING,
            move |_| json!({"version_id": version}),
        ),
        route(Method::GET, format!("/api/rounds/{round}"), BODY_READERS),
        // answered by the party's mandate holder: Anna (chair, VWS) and Joost (member, ZIN)
        with_body(
            Method::POST,
            format!("/api/rounds/{round}/answers"),
            [false, false, false, true, false, true, false, false],
            move |_| json!({"state": "akkoord", "expected_hash": round_hash}),
        ),
        // the chair's withdrawal after the secretariat's is a 409
        route(
            Method::POST,
            format!("/api/rounds/{round}/withdraw"),
            STEERING,
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/consent-settings"),
            BODY_READERS,
        ),
        with_body(
            Method::PUT,
            format!("/api/bodies/{body}/consent-settings"),
            STEERING_OR_ADMIN,
            |_| json!({"require_for_vastgesteld": false, "require_for_aangeboden": false}),
        ),
        // governance: action lines, milestones, dashboard, imports
        route(
            Method::GET,
            format!("/api/bodies/{body}/action-lines"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/action-lines"),
            STEERING,
            |role| json!({"title": format!("Actielijn {role}"), "owners": [{"party": "ZIN"}]}),
        ),
        route(
            Method::GET,
            format!("/api/action-lines/{action_line}"),
            BODY_READERS,
        ),
        with_body(
            Method::PATCH,
            format!("/api/action-lines/{action_line}"),
            STEERING,
            |role| json!({"description": format!("Bijgewerkt {role}")}),
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/milestones"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/milestones"),
            STEERING,
            |role| json!({"title": format!("Mijlpaal {role}"), "due": "Q3 2026", "owners": [{"party": "ZIN"}]}),
        ),
        route(
            Method::GET,
            format!("/api/milestones/{milestone}"),
            BODY_READERS,
        ),
        with_body(
            Method::PATCH,
            format!("/api/milestones/{milestone}"),
            STEERING,
            |role| json!({"description": format!("Bijgewerkt {role}")}),
        ),
        route(
            Method::GET,
            format!("/api/milestones/{milestone}/status"),
            BODY_READERS,
        ),
        // the milestone is ZIN's: its member may change the status as well as the programme
        // team; a member of a party that does not own it may not (governance.rs tests that)
        with_body(
            Method::POST,
            format!("/api/milestones/{milestone}/status"),
            WRITERS,
            |_| json!({"status": "risico"}),
        ),
        route(
            Method::GET,
            format!("/api/milestones/{milestone}/notes"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/milestones/{milestone}/notes"),
            WRITERS,
            |role| json!({"body": format!("Voortgang {role}")}),
        ),
        route(
            Method::GET,
            format!("/api/milestones/{milestone}/links"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/milestones/{milestone}/links"),
            STEERING,
            move |role| json!({"draft_id": draft, "anchor": format!("§ matrix {role}")}),
        ),
        route(
            Method::GET,
            "/api/due-dates/parse?text=Q3%202026",
            SIGNED_IN,
        ),
        route(
            Method::GET,
            format!("/api/milestones/{milestone}/follow"),
            BODY_READERS,
        ),
        route(
            Method::PUT,
            format!("/api/milestones/{milestone}/follow"),
            BODY_READERS,
        ),
        route(
            Method::DELETE,
            format!("/api/milestones/{milestone}/follow"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/dashboard"),
            BODY_READERS,
        ),
        route(Method::GET, "/api/programme/monitor", SIGNED_IN),
        route(
            Method::POST,
            format!("/api/milestones/{milestone}/occurrences"),
            STEERING,
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/milestones.csv"),
            BODY_READERS,
        ),
        // progress reports: the list is filtered to what the caller may read
        route(Method::GET, "/api/programme/reports", SIGNED_IN),
        with_body(
            Method::POST,
            "/api/programme/reports",
            STEERING,
            move |_| json!({"period": "2026-Q4", "body_id": body}),
        ),
        route(
            Method::GET,
            format!("/api/programme/reports/{report}"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/programme/reports/compare?from={report}&to={report}"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/public-page"),
            BODY_READERS,
        ),
        with_body(
            Method::PUT,
            format!("/api/bodies/{body}/public-page"),
            STEERING,
            move |_| public_page.clone(),
        ),
        // the public progress pages, without sign-in (not in the API document)
        route(Method::GET, "/openbaar", EVERYONE),
        route(Method::GET, "/openbaar/{slug}", EVERYONE).at("/openbaar/matrix-wg"),
        route(Method::GET, "/openbaar/{slug}/planning.ics", EVERYONE)
            .at("/openbaar/matrix-wg/planning.ics"),
        // a dry run (the default): a JSON body is not a table, which is refused for its content
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/imports"),
            STEERING,
            |_| json!({"not": "a table"}),
        )
        .at(format!("/api/bodies/{body}/imports?format=csv")),
        // a name an import met becomes an alias of a party: the programme team of the body
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/imports/parties"),
            STEERING,
            |role| json!({"name": format!("Onbekend {role}"), "party": "ZIN"}),
        ),
        // escalation: disputes
        route(
            Method::GET,
            format!("/api/bodies/{body}/disputes"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/disputes"),
            WRITERS,
            move |role| raise(format!("Geschil {role}")),
        ),
        route(
            Method::GET,
            format!("/api/disputes/{demo_dispute}"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/disputes/{demo_dispute}/dossier.md"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/disputes/{demo_dispute}/dossier.pdf"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/disputes/{demo_dispute}/dossier.docx"),
            BODY_READERS,
        ),
        // the fresh dispute involves ZIN and VWS (see above); on the demo dispute (ZIN, FMS)
        // the chair and the secretariat (VWS) would be refused
        with_body(
            Method::POST,
            format!("/api/disputes/{zin_dispute}/positions"),
            WRITERS,
            |role| json!({"text": format!("Standpunt {role}")}),
        ),
        with_body(
            Method::POST,
            format!("/api/disputes/{demo_dispute}/options"),
            WRITERS,
            |role| json!({"title": format!("Optie {role}")}),
        ),
        with_body(
            Method::POST,
            format!("/api/disputes/{demo_dispute}/comments"),
            BODY_MEMBERS,
            |role| json!({"text": format!("Opmerking {role}")}),
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/ladder"),
            BODY_READERS,
        ),
        with_body(
            Method::PUT,
            format!("/api/bodies/{body}/ladder"),
            STEERING_OR_ADMIN,
            move |_| same_ladder.clone(),
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/ladder/forums"),
            STEERING_OR_ADMIN,
        ),
        // the secretariat escalates a level, the chair the next (a 409 at the top still counts)
        with_body(
            Method::POST,
            format!("/api/disputes/{demo_dispute}/escalate"),
            STEERING,
            |role| json!({"note": format!("Door {role}")}),
        ),
        // the secretariat decides; the chair then finds it closed (409)
        with_body(
            Method::POST,
            format!("/api/disputes/{demo_dispute}/resolve"),
            STEERING,
            |_| json!({"decision": "Besloten in de matrix"}),
        ),
        // only the raising party (ZIN): the member withdraws, VWS's chair and secretariat may not
        with_body(
            Method::POST,
            format!("/api/disputes/{zin_dispute}/withdraw"),
            [false, false, false, true, false, false, false, false],
            |_| json!({}),
        ),
        // escalation: webhooks
        route(
            Method::GET,
            format!("/api/bodies/{body}/webhooks"),
            STEERING_OR_ADMIN,
        ),
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/webhooks"),
            STEERING_OR_ADMIN,
            |role| json!({"url": format!("http://hooks.invalid:9/matrix-{role}")}),
        ),
        route(
            Method::GET,
            format!("/api/webhooks/{webhook}/deliveries"),
            STEERING_OR_ADMIN,
        ),
        // the secretariat switches it off; the chair and the administrator find it off (409)
        route(
            Method::DELETE,
            format!("/api/webhooks/{webhook}"),
            STEERING_OR_ADMIN,
        ),
        // escalation: the signed-in person's own notifications, settings and feeds
        route(Method::GET, "/api/notifications", and_guest(SIGNED_IN)),
        route(
            Method::GET,
            "/api/notifications/unread-count",
            and_guest(SIGNED_IN),
        ),
        route(
            Method::POST,
            "/api/notifications/read-all",
            and_guest(SIGNED_IN),
        ),
        route(
            Method::POST,
            "/api/notifications/{own}/read",
            and_guest(SIGNED_IN),
        )
        .per_role(move |role| format!("/api/notifications/{}/read", notifications[role])),
        route(
            Method::DELETE,
            "/api/notifications/{own}/read",
            and_guest(SIGNED_IN),
        )
        .per_role(move |role| format!("/api/notifications/{}/read", own_notifications[role])),
        route(Method::GET, "/api/me/notification-settings", SIGNED_IN),
        with_body(
            Method::PUT,
            "/api/me/notification-settings",
            SIGNED_IN,
            |_| json!({"language": "nl"}),
        ),
        route(Method::GET, "/api/me/calendar-feeds", SIGNED_IN),
        route(Method::POST, "/api/me/calendar-feeds", SIGNED_IN),
        // a party feed: people of that party (the member, ZIN) and administrators
        route(
            Method::POST,
            "/api/parties/{code}/calendar-feeds",
            [false, false, false, true, false, false, true, false],
        )
        .at("/api/parties/ZIN/calendar-feeds"),
        // the chair's personal feed: its owner revokes it; the administrator finds it revoked
        // (409); to everyone else it does not exist
        route(
            Method::DELETE,
            format!("/api/calendar-feeds/{feed}"),
            [false, false, false, false, false, true, true, false],
        ),
        // the feed URL needs no sign-in: its secret is the credential, and a wrong secret is a
        // 404 for everyone (a right one is served to anyone holding it: escalation.rs)
        route(Method::GET, "/api/calendar/{file}", NOBODY).at("/api/calendar/verzonnen-geheim.ics"),
        // decision requests and the decision register
        route(
            Method::GET,
            format!("/api/bodies/{body}/decision-requests"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/decision-requests"),
            STEERING,
            move |role| request(&format!("Verzoek {role}")),
        ),
        route(
            Method::GET,
            format!("/api/decision-requests/{decision_request}"),
            BODY_READERS,
        ),
        with_body(
            Method::PATCH,
            format!("/api/decision-requests/{decision_request}"),
            STEERING,
            |role| json!({"title": format!("Matrixverzoek {role}")}),
        ),
        // a deferral keeps the request open, so every allowed role records one
        with_body(
            Method::POST,
            format!("/api/decision-requests/{decision_request}/outcome"),
            STEERING,
            move |_| deferral.clone(),
        ),
        // the first allowed role withdraws it, the next is told it is withdrawn (409)
        route(
            Method::POST,
            format!("/api/decision-requests/{withdrawn_request}/withdraw"),
            STEERING,
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/decisions"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/decisions.csv"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/bodies/{body}/decisions.pdf"),
            BODY_READERS,
        ),
        route(Method::GET, "/api/decisions", SIGNED_IN),
        route(Method::GET, "/api/decisions.csv", SIGNED_IN),
        route(Method::GET, "/api/decisions.pdf", SIGNED_IN),
        route(
            Method::GET,
            format!("/api/decisions/{decision}"),
            BODY_READERS,
        ),
        route(Method::GET, "/api/audit", ADMIN),
        route(
            Method::GET,
            format!("/api/bodies/{body}/archive.zip"),
            ADMIN,
        ),
        route(Method::GET, "/api/openapi.json", EVERYONE),
        // meetings
        route(
            Method::GET,
            format!("/api/bodies/{body}/meeting-series"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/meeting-series"),
            STEERING,
            |role| json!({"name": format!("Reeks {role}"), "kind": "plenary"}),
        ),
        route(Method::GET, "/api/meetings", SIGNED_IN),
        route(
            Method::GET,
            format!("/api/bodies/{body}/meetings"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/bodies/{body}/meetings"),
            STEERING,
            |role| json!({"title": format!("Overleg {role}"), "kind": "other", "starts": "2027-03-02T10:00", "ends": "2027-03-02T11:00"}),
        ),
        route(
            Method::GET,
            format!("/api/meetings/{meeting}"),
            BODY_READERS,
        ),
        with_body(
            Method::PATCH,
            format!("/api/meetings/{meeting}"),
            STEERING,
            |role| json!({"place": format!("Zaal {role}")}),
        ),
        with_body(
            Method::POST,
            format!("/api/meetings/{meeting}/agenda"),
            STEERING,
            |role| json!({"kind": "item", "title": format!("Extra {role}")}),
        ),
        with_body(
            Method::PATCH,
            format!("/api/meetings/{meeting}/agenda/{agenda_item}"),
            STEERING,
            |role| json!({"note": format!("Toelichting {role}")}),
        ),
        route(
            Method::DELETE,
            format!("/api/meetings/{meeting}/agenda/{agenda_item}"),
            STEERING,
        )
        .per_role(move |role| format!("/api/meetings/{meeting}/agenda/{}", agenda_items[role])),
        with_body(
            Method::POST,
            format!("/api/meetings/{meeting}/pack"),
            STEERING,
            |_| json!({}),
        ),
        route(
            Method::GET,
            format!("/api/meeting-packs/{pack}/pack.pdf"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/meeting-packs/{pack}/pack.docx"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/meetings/{meeting}/minutes"),
            STEERING,
            |_| json!({}),
        ),
        with_body(
            Method::POST,
            format!("/api/meetings/{meeting}/cancel"),
            STEERING,
            |_| json!({}),
        ),
        // consultations: body readers and the invited guest read; only invitees respond
        route(
            Method::GET,
            format!("/api/drafts/{draft}/consultations"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/drafts/{draft}/consultations"),
            STEERING,
            move |_| json!({"version_id": version, "title": "Matrixconsultatie", "closes_on": closes}),
        ),
        route(
            Method::GET,
            format!("/api/consultations/{consultation}"),
            and_guest(BODY_READERS),
        ),
        route(
            Method::GET,
            format!("/api/consultations/{consultation}/version"),
            and_guest(BODY_READERS),
        ),
        with_body(
            Method::POST,
            format!("/api/consultations/{consultation}/invitees"),
            STEERING,
            |role| json!({"organisation": format!("Matrix {role}"), "email": format!("matrix{role}@gast.test"), "name": "Matrix"}),
        ),
        with_body(
            Method::POST,
            format!("/api/consultations/{consultation}/invitees/{{invitee_id}}/link"),
            STEERING,
            |_| json!({}),
        )
        .per_role({
            let renewable = removable.clone();
            move |role| {
                format!(
                    "/api/consultations/{consultation}/invitees/{}/link",
                    renewable[role]
                )
            }
        }),
        route(
            Method::DELETE,
            format!("/api/consultations/{consultation}/invitees/{{invitee_id}}"),
            STEERING,
        )
        .per_role(move |role| {
            format!(
                "/api/consultations/{consultation}/invitees/{}",
                removable[role]
            )
        }),
        route(
            Method::GET,
            format!("/api/consultations/{consultation}/responses"),
            and_guest(BODY_READERS),
        ),
        // a JSON body: an invitee gets through to the form's check
        with_body(
            Method::POST,
            format!("/api/consultations/{consultation}/responses"),
            GUEST_ONLY,
            |_| json!({}),
        ),
        route(
            Method::GET,
            format!("/api/consultation-responses/{consultation_response}/attachment"),
            and_guest(BODY_READERS),
        ),
        route(
            Method::GET,
            format!("/api/consultations/{consultation}/report.pdf"),
            BODY_READERS,
        ),
        route(
            Method::GET,
            format!("/api/consultations/{consultation}/report.docx"),
            BODY_READERS,
        ),
        with_body(
            Method::POST,
            format!("/api/consultations/{consultation}/summary"),
            STEERING,
            |_| json!({}),
        ),
        // its own consultation: the first steering role withdraws it, the next gets 409
        with_body(
            Method::POST,
            format!("/api/consultations/{withdrawable}/withdraw"),
            STEERING,
            |_| json!({"note": "Matrix"}),
        ),
        // public: a guest's sign-in without a secret is refused for its content
        with_body(Method::POST, "/api/guest/session", EVERYONE, |_| json!({})),
        // public: an incomplete sign-in form is refused for its content, not for who sends it
        with_body(Method::POST, "/api/session", EVERYONE, |_| json!({})),
        // last, as it ends each role's session
        route(Method::DELETE, "/api/session", EVERYONE),
    ];

    let mut failures = Vec::new();
    let mut table = String::new();
    // the sync endpoint: write, read-only or refused
    let expected_ws = [
        "denied", "denied", "read", "write", "write", "write", "write", "denied",
    ];
    let mut ws_cells = Vec::new();
    for (role, client) in clients.iter().enumerate() {
        let outcome = ws_outcome(&app, client).await;
        if outcome != expected_ws[role] {
            failures.push(format!("GET /ws/{{doc}} as {}: got {outcome}", ROLES[role]));
        }
        ws_cells.push(expected_ws[role]);
    }
    let ws_row = format!("| `GET /ws/{{doc_id}}` (sync) | {} |", ws_cells.join(" | "));
    // the live inbox: every signed-in person gets a socket with their own notifications
    let mut inbox_cells = Vec::new();
    for (role, client) in clients.iter().enumerate() {
        let allowed = inbox_allowed(&app, client).await;
        if allowed != and_guest(SIGNED_IN)[role] {
            failures.push(format!(
                "GET /ws/inbox as {}: upgrade {}",
                ROLES[role],
                if allowed { "accepted" } else { "refused" }
            ));
        }
        inbox_cells.push(if and_guest(SIGNED_IN)[role] {
            "allowed"
        } else {
            "denied"
        });
    }
    let inbox_row = format!(
        "| `GET /ws/inbox` (live inbox) | {} |",
        inbox_cells.join(" | ")
    );

    for route in &routes {
        let mut cells = Vec::new();
        for (role, client) in clients.iter().enumerate() {
            let path = route.request_path(role);
            let (status, answer) = client
                .call(route.method.clone(), &path, (route.body)(role))
                .await;
            if allowed(status) != route.expect[role] {
                failures.push(format!(
                    "{} {} as {}: got {status} {answer}",
                    route.method, route.path, ROLES[role]
                ));
            }
            cells.push(if route.expect[role] {
                "allowed"
            } else {
                "denied"
            });
        }
        let _ = writeln!(
            table,
            "| `{} {}` | {} |",
            route.method,
            generic(&route.path),
            cells.join(" | ")
        );
    }
    let _ = writeln!(table, "{inbox_row}");
    let _ = writeln!(table, "{ws_row}");

    assert!(
        failures.is_empty(),
        "authorisation matrix mismatches:\n{}",
        failures.join("\n")
    );

    // the OpenAPI document lists exactly the routes this matrix drives
    let spec = clients[0].get("/api/openapi.json").await;
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.push("GET /api/openapi.json".into());
    documented.sort();
    let mut driven: Vec<String> = routes
        .iter()
        .filter(|r| !r.path.starts_with("/openbaar"))
        .map(|r| {
            format!(
                "{} {}",
                r.method,
                generic(&r.path).split('?').next().unwrap_or_default()
            )
        })
        .collect();
    driven.push("GET /ws/inbox".into());
    driven.sort();
    assert_eq!(
        documented, driven,
        "the OpenAPI document and the routes differ"
    );

    let document = render_document(&table);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/AUTHORIZATION.md");
    if std::env::var("POLDER_UPDATE_DOCS").is_ok() {
        std::fs::write(&path, &document).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed, document,
        "docs/AUTHORIZATION.md differs from the tested matrix: run the test with POLDER_UPDATE_DOCS=1 and review the diff"
    );
    app.stop().await;
}

/// Replaces the concrete ids of a path with the route's parameter names.
fn generic(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let mut out = Vec::new();
    let mut previous = "";
    for segment in path.split('/') {
        let name = if segment.chars().all(|c| c.is_ascii_digit()) && !segment.is_empty() {
            match previous {
                "members" => "{person_id}".to_owned(),
                "invitees" => "{invitee_id}".to_owned(),
                "comments" => "{thread_id}".to_owned(),
                "versions" => "{version_id}".to_owned(),
                "agenda" => "{item_id}".to_owned(),
                _ => "{id}".to_owned(),
            }
        } else if segment == "{own}" {
            "{id}".to_owned()
        } else {
            segment.to_owned()
        };
        previous = segment;
        out.push(name);
    }
    let mut joined = out.join("/");
    if path != joined && path.contains("compare") {
        joined.push_str("?from=…&to=…");
    }
    joined
}

/// Whether the live inbox accepts the client's websocket upgrade.
async fn inbox_allowed(app: &TestApp, client: &Api) -> bool {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
    let mut request = format!("ws://{}/ws/inbox", app.addr)
        .into_client_request()
        .unwrap();
    let headers = request.headers_mut();
    headers.insert("origin", format!("http://{}", app.addr).parse().unwrap());
    if let Some(cookie) = client.cookie() {
        headers.insert("cookie", cookie.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((mut socket, _)) => {
            let _ = socket.close(None).await;
            true
        }
        Err(_) => false,
    }
}

async fn ws_outcome(app: &TestApp, client: &Api) -> &'static str {
    let origin = format!("http://{}", app.addr);
    let mut headers = vec![("origin", origin.as_str())];
    if let Some(cookie) = client.cookie() {
        headers.push(("cookie", cookie));
    }
    let Ok(socket) = polder_tests::YClient::connect_with_headers(
        &app.ws_base(polder::demo::DEMO_DOC_ID),
        &headers,
    )
    .await
    else {
        return "denied";
    };
    if socket.synced().await.is_err() {
        return "denied";
    }
    let read_only = socket
        .wait_for("read-only notice", Duration::from_millis(500), |c| {
            !c.denied().is_empty()
        })
        .await
        .is_ok();
    socket.close().await;
    if read_only {
        "read"
    } else {
        "write"
    }
}

fn render_document(table: &str) -> String {
    format!(
        "# Authorisation matrix\n\n\
         Generated and checked by `tests/integration/matrix.rs`, which drives every route below as \
         each role against a real server (SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set). \
         Do not edit by hand: run the test with `POLDER_UPDATE_DOCS=1` after a deliberate change.\n\n\
         - *allowed*: the request passed authorisation (it may still fail validation or conflict);\n\
         - *denied*: 401 (not signed in), 403 (signed in, not allowed) or 404 (the body or draft is \
         hidden from people outside it, or the feed secret is wrong);\n\
         - for the sync endpoint: *write*, *read* (updates refused at the protocol level) or *denied* \
         (the upgrade is refused); for the live inbox: whether the upgrade is accepted.\n\n\
         Roles are those of the demo working group: the administrator (`beheer@polder.demo`, no \
         membership), the chair and the secretariat (VWS), a member (ZIN), a member of another \
         working group, an observer (IGJ), an anonymous visitor and a guest (`gast@nvk.demo`, \
         invited to the demo consultation; a guest reaches only its session, its notifications \
         and that consultation). A draft that has left \
         `concept` is read-only for everyone at the protocol level.\n\n\
         Where the answer depends on the party, the subjects are chosen as follows (see the \
         comments in the test): sign-offs on the demo role agreement, which the chair (VWS) and \
         the member (ZIN) may give as their party's mandate holders and the secretariat (VWS, no \
         mandate) may not; positions and withdrawal on a dispute raised by ZIN that involves ZIN \
         and VWS; the status of a milestone ZIN owns; a party feed for ZIN; the chair's personal \
         calendar feed. Per-person routes (notifications, settings, feeds, tokens) act on the \
         caller's own items.\n\n\
         | route | {} |\n|---|{}\n{table}",
        ROLES.join(" | "),
        "---|".repeat(ROLES.len()),
    )
}
