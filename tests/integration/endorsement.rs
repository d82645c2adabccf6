//! Endorsement rounds on a version (docs/DOMAIN.md §15): a real server with the demo working
//! group, narrowed to three member parties (VWS, ZIN, FMS) so that every party has a mandate
//! holder; the chair opens rounds, mandate holders answer, new versions supersede rounds and
//! the body's gate guards `vastgesteld`.

use std::time::Duration;

use polder::domain::bodies::Participation;
use polder::scheduler::{Scheduler, SchedulerSettings};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;
use yrs::{Text, Transact, XmlFragment, XmlOut};

use crate::api::{Api, WorkingGroup};
use crate::escalation::{app_without_scheduler, at};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_round_completes_only_when_every_member_party_answered,
    niet_akkoord_opens_a_dispute_on_the_version,
    a_new_version_asks_the_consenting_parties_again_with_the_comparison,
    the_gate_refuses_vastgesteld_while_the_round_is_open,
    without_the_gate_the_move_records_the_consent_in_the_exports,
    only_a_mandate_holder_answers_on_the_content_they_read,
    reminders_go_to_the_party_then_to_its_mandate_holders,
);

/// The demo working group with only VWS, ZIN and FMS as member parties.
struct Fixture {
    group: WorkingGroup,
    anna: Api,
    joost: Api,
    fatima: Api,
}

impl Fixture {
    async fn new(app: &TestApp) -> Self {
        let group = WorkingGroup::seed(app).await;
        let rows = sqlx::query("SELECT id, code FROM parties")
            .fetch_all(app.storage.pool())
            .await
            .unwrap();
        for row in rows {
            let code: String = row.try_get("code").unwrap();
            if !["VWS", "ZIN", "FMS"].contains(&code.as_str()) {
                app.storage
                    .set_body_party(
                        group.body_id,
                        row.try_get("id").unwrap(),
                        Participation::Informed,
                    )
                    .await
                    .unwrap();
            }
        }
        Self {
            group,
            anna: WorkingGroup::person(app, "anna@vws.demo").await,
            joost: WorkingGroup::person(app, "joost@zin.demo").await,
            fatima: WorkingGroup::person(app, "fatima@fms.demo").await,
        }
    }

    fn draft(&self, rest: &str) -> String {
        format!("/api/drafts/{}{rest}", self.group.draft_id)
    }

    async fn version(&self, name: &str) -> Value {
        self.anna
            .send(
                Method::POST,
                &self.draft("/versions"),
                json!({ "name": name }),
                StatusCode::CREATED,
            )
            .await
    }

    async fn open(&self, version: &Value) -> Value {
        self.anna
            .send(
                Method::POST,
                &self.draft("/rounds"),
                json!({ "version_id": version["id"], "note": "Graag uw akkoord." }),
                StatusCode::CREATED,
            )
            .await
    }

    async fn transition(&self, to: &str, expected: StatusCode) -> Value {
        self.anna
            .send(
                Method::POST,
                &self.draft("/transitions"),
                json!({ "to": to }),
                expected,
            )
            .await
    }
}

async fn answer(api: &Api, round: &Value, body: Value) -> Value {
    let mut body = body;
    body["expected_hash"] = round["content_hash"].clone();
    api.send(
        Method::POST,
        &format!("/api/rounds/{}/answers", round["id"]),
        body,
        StatusCode::CREATED,
    )
    .await
}

fn party<'a>(round: &'a Value, code: &str) -> &'a Value {
    round["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {round}"))
}

async fn a_round_completes_only_when_every_member_party_answered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = Fixture::new(&app).await;
    let version = f.version("v1").await;
    let round = f.open(&version).await;
    assert_eq!(round["status"], "open");
    assert_eq!(round["content_hash"], version["content_hash"]);
    let codes: Vec<&str> = round["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["FMS", "VWS", "ZIN"]);
    assert_eq!(
        party(&round, "FMS")["mandate_holders"],
        json!(["Fatima El Amrani"])
    );

    answer(&f.anna, &round, json!({ "state": "akkoord" })).await;
    let after = answer(&f.joost, &round, json!({ "state": "akkoord" })).await;
    assert_eq!(after["round"]["complete"], false);
    assert_eq!(after["round"]["status"], "open");
    assert!(
        party(&after["round"], "FMS")["answer"].is_null(),
        "FMS is still pending"
    );

    let last = answer(
        &f.fatima,
        &round,
        json!({ "state": "akkoord_met_voorbehoud", "reservation": "Mits bekostigd." }),
    )
    .await;
    assert_eq!(last["round"]["complete"], true);
    assert_eq!(last["round"]["status"], "afgerond");
    assert!(last["round"]["closed_at"].is_i64());
    assert_eq!(last["answer"]["reservation"], "Mits bekostigd.");
    assert_eq!(last["answer"]["signed_by_name"], "Fatima El Amrani");
    let shown = f.joost.get(&format!("/api/rounds/{}", round["id"])).await;
    assert_eq!(shown["complete"], true);
    let listed = f.joost.get(&f.draft("/rounds")).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // A second round while one is open is refused; this one is complete, so withdraw it and
    // open anew.
    f.anna
        .send(
            Method::POST,
            &format!("/api/rounds/{}/withdraw", round["id"]),
            json!({}),
            StatusCode::OK,
        )
        .await;
    let second = f.open(&version).await;
    let (status, body) = f
        .anna
        .call(
            Method::POST,
            &f.draft("/rounds"),
            Some(json!({ "version_id": version["id"] })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.to_string()
            .contains(&format!("round {}", second["id"])),
        "{body}"
    );
}

async fn niet_akkoord_opens_a_dispute_on_the_version(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = Fixture::new(&app).await;
    let version = f.version("v1").await;
    let round = f.open(&version).await;
    let quote = "De werkgroep adviseert over vier onderwerpen.";
    let answered = answer(
        &f.fatima,
        &round,
        json!({ "state": "niet_akkoord", "reservation": "De bekostiging ontbreekt.", "anchor_quote": quote }),
    )
    .await;
    assert_eq!(answered["dispute"]["opened"], true, "{answered}");
    let dispute_id = answered["dispute"]["id"].as_i64().unwrap();
    assert_eq!(answered["answer"]["dispute_id"], dispute_id);
    assert_eq!(answered["round"]["open_niet_akkoord"], 1);

    let dossier = f.joost.get(&format!("/api/disputes/{dispute_id}")).await;
    let dispute = &dossier["dispute"];
    assert_eq!(dispute["subject_kind"], "draft_passage");
    assert_eq!(dispute["subject_id"], f.group.draft_id);
    assert_eq!(dispute["passage"], quote);
    assert_eq!(dispute["raised_by_party"], "FMS");
    assert_eq!(
        dispute["title"],
        "Niet akkoord: Advies Beter pakketbeheer (v1)"
    );
    let description = dispute["description"].as_str().unwrap();
    assert!(description.contains(version["content_hash"].as_str().unwrap()));
    assert!(description.contains("De bekostiging ontbreekt."));
    let mut parties: Vec<&str> = dispute["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    parties.sort_unstable();
    assert_eq!(
        parties,
        ["FMS", "VWS"],
        "the refusing party and the chair's"
    );

    // Everyone answered, but the open niet akkoord keeps the round incomplete.
    answer(&f.anna, &round, json!({ "state": "akkoord" })).await;
    let last = answer(&f.joost, &round, json!({ "state": "akkoord" })).await;
    assert_eq!(last["round"]["status"], "afgerond");
    assert_eq!(last["round"]["complete"], false);

    // An anchor that is not in the version is refused.
    let (status, body) = f
        .joost
        .call(
            Method::POST,
            &format!("/api/rounds/{}/answers", round["id"]),
            Some(
                json!({ "state": "akkoord_met_voorbehoud", "reservation": "x",
                "anchor_quote": "staat er niet in", "expected_hash": round["content_hash"] }),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("anchor_quote"), "{body}");
}

fn intro(doc: &yrs::Doc) -> yrs::XmlTextRef {
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

async fn a_new_version_asks_the_consenting_parties_again_with_the_comparison(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = Fixture::new(&app).await;
    let v1 = f.version("v1").await;
    let round = f.open(&v1).await;
    answer(&f.joost, &round, json!({ "state": "akkoord" })).await;
    answer(
        &f.fatima,
        &round,
        json!({ "state": "akkoord_met_voorbehoud", "reservation": "Mits bekostigd." }),
    )
    .await;

    // The same content again does not supersede the round.
    f.version("v1 opnieuw").await;
    let rounds = f.anna.get(&f.draft("/rounds")).await;
    assert_eq!(rounds.as_array().unwrap().len(), 1, "{rounds}");

    let client = WorkingGroup::open_draft(&app, &f.anna).await;
    let text = intro(client.doc());
    client
        .edit(|txn| text.insert(txn, 0, "Nieuw van VWS. "))
        .await
        .unwrap();
    client
        .wait_for("the edit", Duration::from_secs(5), |c| {
            c.prosemirror_text().contains("Nieuw van VWS.")
        })
        .await
        .unwrap();
    // The server has the edit once a fresh client sees it.
    let fresh = WorkingGroup::open_draft(&app, &f.joost).await;
    fresh
        .wait_for("the edit on the server", Duration::from_secs(5), |c| {
            c.prosemirror_text().contains("Nieuw van VWS.")
        })
        .await
        .unwrap();
    let v2 = f.version("v2").await;

    let rounds = f.anna.get(&f.draft("/rounds")).await;
    let rounds = rounds.as_array().unwrap();
    assert_eq!(rounds.len(), 2);
    let (new, old) = (&rounds[0], &rounds[1]);
    assert_eq!(old["status"], "vervangen");
    assert_eq!(new["status"], "open");
    assert_eq!(new["supersedes_id"], old["id"]);
    assert_eq!(new["version_id"], v2["id"]);
    assert_eq!(new["content_hash"], v2["content_hash"]);
    assert_eq!(new["note"], "Graag uw akkoord.");
    let zin = party(new, "ZIN");
    assert_eq!(zin["re_asked"], true);
    assert_eq!(zin["previous_state"], "akkoord");
    assert_eq!(zin["previous_version_id"], v1["id"]);
    assert!(zin["answer"].is_null());
    let fms = party(new, "FMS");
    assert_eq!(fms["previous_state"], "akkoord_met_voorbehoud");
    let vws = party(new, "VWS");
    assert_eq!(vws["re_asked"], false);
    assert!(vws["previous_version_id"].is_null());

    let compare = f
        .joost
        .get(&format!(
            "{}?from={}&to={}",
            f.draft("/compare"),
            zin["previous_version_id"],
            new["version_id"]
        ))
        .await;
    assert!(compare.to_string().contains("Nieuw van VWS."), "{compare}");

    // The old round takes no answers any more.
    let (status, body) = f
        .joost
        .call(
            Method::POST,
            &format!("/api/rounds/{}/answers", old["id"]),
            Some(json!({ "state": "akkoord", "expected_hash": old["content_hash"] })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

async fn the_gate_refuses_vastgesteld_while_the_round_is_open(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = Fixture::new(&app).await;
    let settings = format!("/api/bodies/{}/consent-settings", f.group.body_id);
    let (status, _) = f
        .joost
        .call(
            Method::PUT,
            &settings,
            Some(json!({ "require_for_vastgesteld": true, "require_for_aangeboden": false })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    f.anna
        .send(
            Method::PUT,
            &settings,
            json!({ "require_for_vastgesteld": true, "require_for_aangeboden": false }),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        f.joost.get(&settings).await["require_for_vastgesteld"],
        true
    );

    let version = f.version("v1").await;
    let round = f.open(&version).await;
    f.transition("consultatie", StatusCode::OK).await;
    let refused = f.transition("vastgesteld", StatusCode::CONFLICT).await;
    let message = refused.to_string();
    assert!(message.contains("not answered yet"), "{message}");
    assert!(
        message.contains("VWS") && message.contains("ZIN"),
        "{message}"
    );
    let draft = f.anna.get(&f.draft("")).await;
    assert_eq!(draft["status"], "consultatie");

    // Freezing for consultation did not change the content, so the round still stands.
    for api in [&f.anna, &f.joost, &f.fatima] {
        answer(api, &round, json!({ "state": "akkoord" })).await;
    }
    let moved = f.transition("vastgesteld", StatusCode::OK).await;
    assert_eq!(moved["draft"]["status"], "vastgesteld");
    let version_id = moved["version_id"].as_i64().unwrap();
    let exported = f
        .joost
        .get(&f.draft(&format!("/versions/{version_id}")))
        .await;
    assert_eq!(exported["consent"]["complete"], true);
    assert_eq!(exported["consent"]["round_id"], round["id"]);
}

/// The body of a non-JSON export at the absolute `url`, asserting 200.
async fn export(api: &Api, url: &str) -> String {
    let mut request = reqwest::Client::new().get(url);
    if let Some(cookie) = api.cookie() {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    response.text().await.unwrap()
}

async fn without_the_gate_the_move_records_the_consent_in_the_exports(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = Fixture::new(&app).await;
    let version = f.version("v1").await;
    let round = f.open(&version).await;
    answer(&f.joost, &round, json!({ "state": "akkoord" })).await;
    answer(
        &f.fatima,
        &round,
        json!({ "state": "akkoord_met_voorbehoud", "reservation": "Mits bekostigd.",
            "anchor_quote": "De werkgroep adviseert over vier onderwerpen." }),
    )
    .await;
    f.transition("consultatie", StatusCode::OK).await;
    let moved = f.transition("vastgesteld", StatusCode::OK).await;
    let version_id = moved["version_id"].as_i64().unwrap();
    let base = app.http(&f.draft(&format!("/versions/{version_id}")));
    let md = export(&f.joost, &format!("{base}?format=markdown")).await;
    assert!(md.contains("Instemming"), "{md}");
    assert!(md.contains("niet afgerond"), "{md}");
    assert!(
        md.contains(version["content_hash"].as_str().unwrap()),
        "{md}"
    );
    assert!(md.contains("Mits bekostigd."), "{md}");
    assert!(md.contains("Fatima El Amrani"), "{md}");
    assert!(
        md.contains("nog geen antwoord"),
        "VWS has not answered: {md}"
    );
    let html = export(&f.joost, &format!("{base}?format=html")).await;
    assert!(html.contains("Instemming") && html.contains("Mits bekostigd."));
    let json = f
        .joost
        .get(&f.draft(&format!("/versions/{version_id}")))
        .await;
    assert_eq!(json["consent"]["complete"], false);
    assert_eq!(json["consent"]["to_status"], "vastgesteld");
    // The consultation version (not a gated step) has no consent record.
    let versions = f.joost.items(&f.draft("/versions")).await;
    let consultation = versions
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["status"] == "consultatie")
        .unwrap();
    let plain = f
        .joost
        .get(&f.draft(&format!("/versions/{}", consultation["id"])))
        .await;
    assert!(plain.get("consent").is_none(), "{plain}");
}

async fn only_a_mandate_holder_answers_on_the_content_they_read(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = Fixture::new(&app).await;
    let version = f.version("v1").await;
    let (status, _) = f
        .joost
        .call(
            Method::POST,
            &f.draft("/rounds"),
            Some(json!({ "version_id": version["id"] })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "members do not open rounds");
    let round = f.open(&version).await;
    let path = format!("/api/rounds/{}/answers", round["id"]);
    let body = json!({ "state": "akkoord", "expected_hash": round["content_hash"] });
    for email in ["bram@vws.demo", "iris@igj.demo"] {
        let api = WorkingGroup::person(&app, email).await;
        let (status, answer) = api.call(Method::POST, &path, Some(body.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}: {answer}");
    }
    let (status, stale) = f
        .joost
        .call(
            Method::POST,
            &path,
            Some(json!({ "state": "akkoord", "expected_hash": "0".repeat(64) })),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{stale}");
    assert!(
        stale
            .to_string()
            .contains(round["content_hash"].as_str().unwrap()),
        "{stale}"
    );
    // Joost answers for ZIN, his own party, and nobody else's.
    let answered = answer(&f.joost, &round, json!({ "state": "akkoord" })).await;
    assert_eq!(answered["answer"]["party"], "ZIN");
    assert!(party(&answered["round"], "FMS")["answer"].is_null());
    // An outsider does not see the round.
    let outsider_id = app
        .create_user("buiten@example.org", "geheim-wachtwoord-1")
        .await;
    assert!(outsider_id > 0);
    let outsider = Api::sign_in(&app, "buiten@example.org", "geheim-wachtwoord-1").await;
    let (status, _) = outsider
        .call(Method::GET, &format!("/api/rounds/{}", round["id"]), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn endorsement_requests(api: &Api) -> Vec<Value> {
    api.get("/api/notifications?limit=100").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "endorsement_request")
        .cloned()
        .collect()
}

async fn reminders_go_to_the_party_then_to_its_mandate_holders(backend: Backend) {
    let app = app_without_scheduler(backend).await;
    let f = Fixture::new(&app).await;
    let version = f.version("v1").await;
    let round = f.open(&version).await;
    sqlx::query("UPDATE endorsement_rounds SET opened_at = $1 WHERE id = $2")
        .bind(at("2026-06-01T08:00:00Z").timestamp_millis())
        .bind(round["id"].as_i64().unwrap())
        .execute(app.storage.pool())
        .await
        .unwrap();
    let scheduler = Scheduler::new((*app.storage).clone(), SchedulerSettings::default())
        .with_inbox_signal(app.inbox.clone());
    let requests = |report: &polder::scheduler::Report| -> Vec<String> {
        let mut keys: Vec<String> = report
            .keys
            .iter()
            .filter(|k| k.starts_with("endorsement:"))
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    let first = scheduler.run_due(at("2026-06-01T09:00:00Z")).await;
    assert_eq!(requests(&first).len(), 3, "{first:?}");

    // ZIN answers; five working days later only VWS and FMS are asked again.
    answer(&f.joost, &round, json!({ "state": "akkoord" })).await;
    let second = scheduler.run_due(at("2026-06-08T09:00:00Z")).await;
    let keys = requests(&second);
    assert_eq!(keys.len(), 2, "{second:?}");
    assert!(keys.iter().all(|k| k.contains(":r1:")), "{keys:?}");
    let bram = WorkingGroup::person(&app, "bram@vws.demo").await;
    assert_eq!(
        endorsement_requests(&bram).await.len(),
        2,
        "r0 and r1 reach the party"
    );

    // After the configured days only the mandate holders are asked: Anna, not Bram.
    let third = scheduler.run_due(at("2026-06-15T09:00:00Z")).await;
    assert_eq!(requests(&third).len(), 2, "{third:?}");
    assert_eq!(endorsement_requests(&bram).await.len(), 2);
    let anna = endorsement_requests(&f.anna).await;
    assert_eq!(anna.len(), 3);
    assert!(
        anna[0]["notification"]["link"].is_null()
            || anna[0]["notification"]["link"]
                .as_str()
                .unwrap()
                .ends_with("#instemming")
    );
    assert_eq!(
        endorsement_requests(&f.joost).await.len(),
        1,
        "ZIN answered after r0"
    );
}
