//! The public progress page: opt-in per body, only what is marked public, no personal data,
//! 404 when off, its calendar feed holds only the marked milestones, and the web app's
//! fallback does not answer below `/openbaar/`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    the_public_page_shows_only_marked_items_and_no_personal_data,
    only_the_programme_team_sets_the_page_and_bad_input_is_named,
);

async fn text(api: &Api, path: &str) -> (StatusCode, String, String) {
    let response = api.raw(Method::GET, path, "text/plain", Vec::new()).await;
    let status = response.status();
    let media = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, media, response.text().await.unwrap())
}

async fn the_public_page_shows_only_marked_items_and_no_personal_data(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let body = group.body_id;
    let secretariat = WorkingGroup::person(&app, "bram@vws.demo").await;
    let visitor = Api::anonymous(&app);

    let milestones = secretariat
        .items(&format!("/api/bodies/{body}/milestones?limit=200"))
        .await;
    let milestones = milestones.as_array().unwrap();
    let dated: Vec<&Value> = milestones
        .iter()
        .filter(|m| m["due"]["latest"].is_string())
        .collect();
    assert!(dated.len() >= 3, "the demo has dated milestones");
    let marked = dated[0];
    let marked_id = marked["id"].as_i64().unwrap();
    let marked_title = marked["title"].as_str().unwrap();
    // a note on the marked milestone never reaches the page
    secretariat
        .send(
            Method::POST,
            &format!("/api/milestones/{marked_id}/notes"),
            json!({"body": "Interne notitie: bel Bram over de planning"}),
            StatusCode::CREATED,
        )
        .await;
    let lines = secretariat
        .items(&format!("/api/bodies/{body}/action-lines"))
        .await;
    let line = &lines[0];

    // not set: no page
    let (status, _, _) = text(&visitor, "/openbaar/beter-pakketbeheer").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let setting = secretariat
        .send(
            Method::PUT,
            &format!("/api/bodies/{body}/public-page"),
            json!({"slug": "beter-pakketbeheer", "enabled": true,
                   "intro": "De werkgroep werkt aan beter pakketbeheer.",
                   "milestones": [marked_id], "action_lines": [line["id"]]}),
            StatusCode::OK,
        )
        .await;
    assert_eq!(setting["milestones"], json!([marked_id]));
    assert_eq!(
        secretariat
            .get(&format!("/api/bodies/{body}/public-page"))
            .await,
        setting
    );

    let (status, media, page) = text(&visitor, "/openbaar/beter-pakketbeheer").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(media.starts_with("text/html"));
    assert!(page.contains("<html lang=\"nl\">"));
    assert!(page.contains("<table>") && page.contains("<h1>"));
    assert!(!page.contains("<script"));
    assert!(page.contains(&escape(marked_title)), "{page}");
    assert!(page.contains(&escape(line["title"].as_str().unwrap())));
    assert!(page.contains("De werkgroep werkt aan beter pakketbeheer."));
    for other in milestones.iter().filter(|m| m["id"] != marked_id) {
        let title = other["title"].as_str().unwrap();
        if !marked_title.contains(title) {
            assert!(!page.contains(&escape(title)), "unmarked {title} is shown");
        }
    }
    assert!(!page.contains("Interne notitie"));
    let people = sqlx::query("SELECT name, email FROM users")
        .fetch_all(app.storage.pool())
        .await
        .unwrap();
    assert!(people.len() > 3);
    for person in &people {
        let name: String = person.try_get("name").unwrap();
        let email: String = person.try_get("email").unwrap();
        assert!(!page.contains(&name), "the page names {name}");
        assert!(!page.contains(&email), "the page shows {email}");
        let first = name.split(' ').next().unwrap();
        assert!(
            !page.contains(&format!(" {first} ")),
            "the page names {first}"
        );
    }

    let (status, media, feed) = text(&visitor, "/openbaar/beter-pakketbeheer/planning.ics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(media.starts_with("text/calendar"));
    assert_eq!(feed.matches("BEGIN:VEVENT").count(), 1, "{feed}");
    assert!(
        feed.contains(&format!("UID:public-milestone-{marked_id}@polder")),
        "{feed}"
    );
    for person in &people {
        let email: String = person.try_get("email").unwrap();
        assert!(!feed.contains(&email));
    }

    let (status, _, index) = text(&visitor, "/openbaar").await;
    assert_eq!(status, StatusCode::OK);
    assert!(index.contains("href=\"/openbaar/beter-pakketbeheer\""));

    // below /openbaar/ the web app's index.html never answers
    for path in [
        "/openbaar/bestaat-niet",
        "/openbaar/beter-pakketbeheer/anders",
    ] {
        let (status, _, answer) = text(&visitor, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(answer.contains("Pagina niet gevonden"), "{path}: {answer}");
    }

    // switched off: 404, the feed too, and gone from the index
    secretariat
        .send(
            Method::PUT,
            &format!("/api/bodies/{body}/public-page"),
            json!({"slug": "beter-pakketbeheer", "enabled": false, "milestones": [marked_id]}),
            StatusCode::OK,
        )
        .await;
    for path in [
        "/openbaar/beter-pakketbeheer",
        "/openbaar/beter-pakketbeheer/planning.ics",
    ] {
        let (status, _, _) = text(&visitor, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, _, index) = text(&visitor, "/openbaar").await;
    assert!(!index.contains("beter-pakketbeheer"));
    app.stop().await;
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

async fn only_the_programme_team_sets_the_page_and_bad_input_is_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed_full(&app).await;
    let body = group.body_id;
    let member = WorkingGroup::person(&app, "joost@zin.demo").await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let path = format!("/api/bodies/{body}/public-page");
    let good = json!({"slug": "werkgroep", "enabled": true});
    let (status, _) = member.call(Method::PUT, &path, Some(good.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = Api::anonymous(&app).call(Method::GET, &path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(member.get(&path).await["enabled"], false);

    let other_body = app
        .storage
        .create_body(
            "Werkgroep Elders",
            polder::domain::bodies::BodyKind::WorkingGroup,
            0,
            None,
        )
        .await
        .unwrap();
    for (input, field) in [
        (json!({"slug": "Met Spaties", "enabled": true}), "slug"),
        (
            json!({"slug": "werkgroep", "enabled": true, "milestones": [999_999]}),
            "milestones",
        ),
        (
            json!({"slug": "werkgroep", "enabled": true, "action_lines": [-1]}),
            "action_lines",
        ),
        (
            json!({"slug": "werkgroep", "enabled": true, "intro": "x".repeat(4_001)}),
            "intro",
        ),
    ] {
        let (status, answer) = chair.call(Method::PUT, &path, Some(input)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{field}:")),
            "{answer}"
        );
    }
    chair.send(Method::PUT, &path, good, StatusCode::OK).await;
    // another body's chair cannot take the address
    let password = polder::auth::password::hash_password(secrecy::SecretString::from(
        polder::demo::DEMO_PASSWORD,
    ))
    .await
    .unwrap();
    let elsewhere = app
        .storage
        .create_user("voorzitter@elders.demo", "Vera Elders", &password, false)
        .await
        .unwrap();
    app.storage
        .put_membership(
            other_body,
            elsewhere,
            polder::domain::roles::BodyRole::Chair,
            false,
        )
        .await
        .unwrap();
    let other_chair = WorkingGroup::person(&app, "voorzitter@elders.demo").await;
    let other_path = format!("/api/bodies/{other_body}/public-page");
    let (status, answer) = other_chair
        .call(
            Method::PUT,
            &other_path,
            Some(json!({"slug": "werkgroep", "enabled": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    // nor mark this body's milestones
    let milestone = chair
        .items(&format!("/api/bodies/{body}/milestones?limit=1"))
        .await[0]["id"]
        .clone();
    let (status, _) = other_chair
        .call(
            Method::PUT,
            &other_path,
            Some(json!({"slug": "elders", "enabled": true, "milestones": [milestone]})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // administrators read every body's setting but do not steer a body they are not in
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    assert_eq!(admin.get(&path).await["slug"], "werkgroep");
    let (status, _) = admin
        .call(
            Method::PUT,
            &path,
            Some(json!({"slug": "werkgroep", "enabled": false})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}
