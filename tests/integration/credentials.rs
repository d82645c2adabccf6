//! Credentials: read-only tokens change nothing on any route, the sign-in throttle is atomic,
//! shared by every server on one database and keyed by the real client address, a password
//! change revokes API tokens, observers never sign for a party, `/metrics` needs a token,
//! mention lists are bounded, CSRF tokens belong to their session, and HTTPS deployments get
//! `__Host-` cookies and HSTS.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::future::join_all;
use polder::domain::roles::BodyRole;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(
    a_read_token_is_refused_on_every_state_changing_route,
    concurrent_wrong_passwords_are_checked_at_most_the_limit,
    the_throttle_holds_across_two_servers_on_one_database,
    forwarded_for_counts_only_from_a_trusted_proxy,
    a_password_change_revokes_the_persons_tokens,
    an_observer_with_a_mandate_cannot_sign_off,
    metrics_need_the_metrics_token_or_an_admin_token,
    too_many_mentions_and_parties_are_refused,
    a_csrf_token_of_another_session_is_refused,
    https_deployments_get_host_cookies_and_hsts,
);

async fn sign_in_status(
    http: &reqwest::Client,
    addr: SocketAddr,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> StatusCode {
    let mut request = http
        .post(format!("http://{addr}/api/session"))
        .json(&json!({ "email": email, "password": password }));
    if let Some(forwarded) = forwarded_for {
        request = request.header("x-forwarded-for", forwarded);
    }
    request.send().await.unwrap().status()
}

async fn a_read_token_is_refused_on_every_state_changing_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    WorkingGroup::seed_full(&app).await;
    // the chair's read token: the chair may do almost everything, the token nothing
    let read = app.token_for("anna@vws.demo", "read").await;
    let http = reqwest::Client::new();
    let spec = Api::anonymous(&app).get("/api/openapi.json").await;
    let mut walked = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
                continue;
            }
            // signing in carries no credential
            if method == Method::POST && path == "/api/session" {
                continue;
            }
            let concrete: String = path
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "1"
                    } else {
                        segment
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            let response = http
                .request(method.clone(), app.http(&concrete))
                .bearer_auth(&read)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{method} {path} with a read token: {body}"
            );
            assert_eq!(
                body["error"]["code"], "read_only_credential",
                "{method} {path}: {body}"
            );
            walked.push(format!("{method} {path}"));
        }
    }
    for known in [
        "DELETE /api/tokens/{id}",
        "PUT /api/me/password",
        "POST /api/notifications/read-all",
        "DELETE /api/session",
    ] {
        assert!(
            walked.iter().any(|route| route == known),
            "{known} was not walked: {walked:#?}"
        );
    }
    assert!(walked.len() > 40, "only {} routes walked", walked.len());
    // the token still reads, and a write token of the same person is not refused by scope
    let me = http
        .get(app.http("/api/me"))
        .bearer_auth(&read)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let write = app.token_for("anna@vws.demo", "write").await;
    let created = http
        .post(app.http("/api/tokens"))
        .bearer_auth(&write)
        .json(&json!({"name": "via write", "scope": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    app.assert_alive().await;
    app.stop().await;
}

async fn concurrent_wrong_passwords_are_checked_at_most_the_limit(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("target@example.org", "correct horse battery")
        .await;
    let http = reqwest::Client::new();
    let statuses = join_all((0..40).map(|i| {
        let http = http.clone();
        async move {
            sign_in_status(
                &http,
                app.addr,
                "target@example.org",
                &format!("wrong {i}"),
                None,
            )
            .await
        }
    }))
    .await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + throttled, 40, "{statuses:?}");
    assert!(
        checked <= polder::auth::throttle::MAX_FAILURES_PER_ACCOUNT as usize,
        "{checked} of 40 concurrent wrong passwords were checked"
    );
    // the account stays locked, even for the right password
    assert_eq!(
        sign_in_status(
            &http,
            app.addr,
            "target@example.org",
            "correct horse battery",
            None
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.assert_alive().await;
    app.stop().await;
}

/// A second server process on the same database as `app`.
struct SecondServer {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _dir: tempfile::TempDir,
}

impl SecondServer {
    async fn assert_alive(&self) {
        let status = reqwest::get(format!("http://{}/healthz", self.addr))
            .await
            .unwrap()
            .status();
        assert_eq!(
            status,
            StatusCode::OK,
            "the second server still answers /healthz"
        );
    }

    async fn start(app: &TestApp) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = polder::config::Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: Some(app.database.url.clone()),
            data_dir: dir.path().to_path_buf(),
            ..polder::config::Config::default()
        };
        let second = polder::app::App::build(config).await.unwrap();
        let addr = second.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(second.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            stop: Some(stop),
            server,
            _dir: dir,
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(20), self.server)
            .await
            .expect("second server stops")
            .unwrap()
            .unwrap();
    }
}

async fn the_throttle_holds_across_two_servers_on_one_database(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("shared@example.org", "correct horse battery")
        .await;
    let second = SecondServer::start(&app).await;
    let http = reqwest::Client::new();
    // three failures on one server, two on the other: five for the account in all
    for (addr, n) in [(app.addr, 3), (second.addr, 2)] {
        for _ in 0..n {
            assert_eq!(
                sign_in_status(&http, addr, "shared@example.org", "wrong", None).await,
                StatusCode::UNAUTHORIZED
            );
        }
    }
    for addr in [app.addr, second.addr] {
        assert_eq!(
            sign_in_status(
                &http,
                addr,
                "shared@example.org",
                "correct horse battery",
                None
            )
            .await,
            StatusCode::TOO_MANY_REQUESTS,
            "the account is locked on {addr}"
        );
    }
    // an account that signs in correctly is not affected
    app.create_user("other@example.org", "correct horse battery")
        .await;
    assert_eq!(
        sign_in_status(
            &http,
            second.addr,
            "other@example.org",
            "correct horse battery",
            None
        )
        .await,
        StatusCode::NO_CONTENT
    );
    second.assert_alive().await;
    second.stop().await;
    app.assert_alive().await;
    app.stop().await;
}

async fn forwarded_for_counts_only_from_a_trusted_proxy(backend: Backend) {
    let http = reqwest::Client::new();
    // without trusted proxies the header is ignored: every attempt counts for the peer
    let app = TestApp::spawn_with(backend.clone(), |config| {
        config.auth.max_failures_per_address = 3;
    })
    .await;
    for i in 0..3 {
        let status = sign_in_status(
            &http,
            app.addr,
            &format!("nobody{i}@example.org"),
            "wrong",
            Some(&format!("198.51.100.{i}")),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let status = sign_in_status(
        &http,
        app.addr,
        "nobody9@example.org",
        "wrong",
        Some("198.51.100.9"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged X-Forwarded-For escaped the throttle"
    );
    app.assert_alive().await;
    app.stop().await;

    // behind a trusted proxy the forwarded address is the client's
    let app = TestApp::spawn_with(backend, |config| {
        config.auth.max_failures_per_address = 3;
        config.auth.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    for i in 0..3 {
        let status = sign_in_status(
            &http,
            app.addr,
            &format!("someone{i}@example.org"),
            "wrong",
            Some("203.0.113.7"),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let blocked = sign_in_status(
        &http,
        app.addr,
        "someone9@example.org",
        "wrong",
        Some("203.0.113.7"),
    )
    .await;
    assert_eq!(blocked, StatusCode::TOO_MANY_REQUESTS);
    // another client behind the same proxy is not locked out
    let other = sign_in_status(
        &http,
        app.addr,
        "someone9@example.org",
        "wrong",
        Some("203.0.113.8"),
    )
    .await;
    assert_eq!(other, StatusCode::UNAUTHORIZED);
    app.assert_alive().await;
    app.stop().await;
}

async fn a_password_change_revokes_the_persons_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("changer@example.org", "correct horse battery")
        .await;
    let api = Api::sign_in(&app, "changer@example.org", "correct horse battery").await;
    let created = api
        .send(
            Method::POST,
            "/api/tokens",
            json!({"name": "laptop", "scope": "write"}),
            StatusCode::CREATED,
        )
        .await;
    let token = created["token"].as_str().unwrap().to_owned();
    let http = reqwest::Client::new();
    let me = |token: String| {
        let http = http.clone();
        let url = app.http("/api/me");
        async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(me(token.clone()).await, StatusCode::OK);
    api.send(
        Method::PUT,
        "/api/me/password",
        json!({"current": "correct horse battery", "new": "a brand new passphrase"}),
        StatusCode::NO_CONTENT,
    )
    .await;
    assert_eq!(
        me(token).await,
        StatusCode::UNAUTHORIZED,
        "the token outlived the password change"
    );
    let (status, _) = api.call(Method::GET, "/api/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the session outlived it");
    app.stop().await;
}

async fn an_observer_with_a_mandate_cannot_sign_off(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let agreement = chair
        .send(
            Method::POST,
            &format!("/api/bodies/{}/role-agreements", group.body_id),
            json!({
                "title": "Rollen bij de onderzoeksagenda",
                "description": "Wie trekt de onderzoeksagenda?",
                "draft_id": group.draft_id,
                "parties": [
                    {"party": "ZIN", "role": "trekker"},
                    {"party": "VWS", "role": "medeverantwoordelijk"},
                ],
            }),
            StatusCode::CREATED,
        )
        .await;
    let sign = format!("/api/role-agreements/{}/sign-offs", agreement["id"]);
    // ZIN's mandate holder becomes an observer of the working group, keeping the mandate
    let joost = app
        .storage
        .find_user_by_email("joost@zin.demo")
        .await
        .unwrap()
        .unwrap();
    app.storage
        .put_membership(group.body_id, joost.id, BodyRole::Observer, true)
        .await
        .unwrap();
    let zin = WorkingGroup::person(&app, "joost@zin.demo").await;
    let refused = zin
        .send(
            Method::POST,
            &sign,
            json!({"state": "akkoord"}),
            StatusCode::FORBIDDEN,
        )
        .await;
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("observer"),
        "{refused}"
    );
    // nor is the observer named as the one to ask
    let pending = zin
        .get(&format!("/api/role-agreements/{}/pending", agreement["id"]))
        .await;
    let zin_pending = pending["pending"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "ZIN")
        .unwrap();
    assert_eq!(zin_pending["mandate_holders"], json!([]), "{pending}");
    // as a member again, the same person signs
    app.storage
        .put_membership(group.body_id, joost.id, BodyRole::Member, true)
        .await
        .unwrap();
    zin.send(
        Method::POST,
        &sign,
        json!({"state": "akkoord"}),
        StatusCode::CREATED,
    )
    .await;
    app.stop().await;
}

async fn metrics_need_the_metrics_token_or_an_admin_token(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| {
        config.auth.metrics_token = Some("scrape-me-0123456789".to_owned().into());
    })
    .await;
    app.create_user("plain@example.org", "correct horse battery")
        .await;
    let personal = app.token_for("plain@example.org", "write").await;
    let http = reqwest::Client::new();
    let metrics = |bearer: Option<String>| {
        let mut request = http.get(app.http("/metrics"));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(metrics(None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        metrics(Some("scrape-me-wrong".into())).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(metrics(Some(personal)).await, StatusCode::FORBIDDEN);
    assert_eq!(
        metrics(Some("scrape-me-0123456789".into())).await,
        StatusCode::OK
    );
    assert_eq!(metrics(Some(app.admin_token.clone())).await, StatusCode::OK);
    app.assert_alive().await;
    app.stop().await;
}

async fn too_many_mentions_and_parties_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let group = WorkingGroup::seed(&app).await;
    let chair = WorkingGroup::person(&app, "anna@vws.demo").await;
    let joost = app
        .storage
        .find_user_by_email("joost@zin.demo")
        .await
        .unwrap()
        .unwrap();
    let comments = format!("/api/drafts/{}/comments", group.draft_id);
    let refused = chair
        .send(
            Method::POST,
            &comments,
            json!({"body": "Zie hierboven", "mention_people": vec![joost.id; 51]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let message = refused["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("mention_people") && message.contains("at most 50"),
        "{message}"
    );
    let refused = chair
        .send(
            Method::POST,
            &comments,
            json!({"body": "Zie hierboven", "mention_parties": vec!["ZIN"; 51]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("mention_parties"),
        "{refused}"
    );
    // up to the limit is fine, and repeated mentions count once
    let comment = chair
        .send(
            Method::POST,
            &comments,
            json!({"body": "Zie hierboven", "mention_people": vec![joost.id; 50], "mention_parties": ["ZIN", "ZIN"]}),
            StatusCode::CREATED,
        )
        .await;
    assert!(comment["id"].as_i64().is_some());
    let refused = chair
        .send(
            Method::POST,
            &format!("/api/bodies/{}/disputes", group.body_id),
            json!({
                "subject_kind": "draft_passage",
                "subject_id": group.draft_id,
                "title": "Te veel partijen",
                "description": "Iedereen erbij",
                "parties": vec!["ZIN"; 51],
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    let message = refused["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("parties") && message.contains("got 51"),
        "{message}"
    );
    app.assert_alive().await;
    app.stop().await;
}

/// The value of cookie `name` in a `Cookie` header value.
fn cookie_value<'a>(cookies: &'a str, name: &str) -> &'a str {
    cookies
        .split("; ")
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {cookies}"))
}

async fn a_csrf_token_of_another_session_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("twice@example.org", "correct horse battery")
        .await;
    let first = Api::sign_in(&app, "twice@example.org", "correct horse battery").await;
    let second = Api::sign_in(&app, "twice@example.org", "correct horse battery").await;
    let first_session = cookie_value(first.cookie().unwrap(), "polder_session").to_owned();
    let second_csrf = cookie_value(second.cookie().unwrap(), "polder_csrf").to_owned();
    let first_csrf = cookie_value(first.cookie().unwrap(), "polder_csrf").to_owned();
    let http = reqwest::Client::new();
    let create = |session: String, csrf: String| {
        let request = http
            .post(app.http("/api/tokens"))
            .header(
                "cookie",
                format!("polder_session={session}; polder_csrf={csrf}"),
            )
            .header("x-csrf-token", csrf)
            .json(&json!({"name": "cli", "scope": "read"}));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    // cookie and header agree, but the token is the other session's
    let (status, body) = create(first_session.clone(), second_csrf).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "csrf_mismatch");
    // a made-up token that the attacker planted as the cookie too
    let (status, _) = create(first_session.clone(), "planted".into()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // a page whose CSRF cookie is outdated gets the session's token back when it loads
    let state = http
        .get(app.http("/api/session"))
        .header(
            "cookie",
            format!("polder_session={first_session}; polder_csrf=outdated"),
        )
        .send()
        .await
        .unwrap();
    let renewed = state
        .headers()
        .get_all("set-cookie")
        .iter()
        .find_map(|v| {
            let pair = v.to_str().unwrap().split(';').next().unwrap();
            pair.strip_prefix("polder_csrf=").map(str::to_owned)
        })
        .expect("the CSRF cookie is set again");
    assert_eq!(renewed, first_csrf);
    // the session's own token works
    let (status, body) = create(first_session, first_csrf).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.assert_alive().await;
    app.stop().await;
}

/// The `Set-Cookie` headers of a sign-in, and whether it sent HSTS.
async fn sign_in_headers(app: &TestApp, email: &str) -> (Vec<String>, Option<String>) {
    let response = reqwest::Client::new()
        .post(app.http("/api/session"))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let hsts = response
        .headers()
        .get("strict-transport-security")
        .map(|v| v.to_str().unwrap().to_owned());
    (cookies, hsts)
}

async fn https_deployments_get_host_cookies_and_hsts(backend: Backend) {
    // over HTTPS: __Host- cookies, Secure, Path=/, no Domain; HSTS on every response
    let app = TestApp::spawn_with(backend.clone(), |config| config.secure_cookies = true).await;
    app.create_user("secure@example.org", "correct horse battery")
        .await;
    let (cookies, hsts) = sign_in_headers(&app, "secure@example.org").await;
    assert!(hsts.is_some_and(|h| h.contains("max-age=")));
    for name in ["__Host-polder_session=", "__Host-polder_csrf="] {
        let cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("no {name} in {cookies:?}"));
        assert!(cookie.contains("Secure"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        assert!(!cookie.to_lowercase().contains("domain"), "{cookie}");
    }
    let health = reqwest::get(app.http("/healthz")).await.unwrap();
    assert!(health.headers().contains_key("strict-transport-security"));
    // the prefixed cookie is the session; the plain name is not accepted
    let api = Api::sign_in(&app, "secure@example.org", "correct horse battery").await;
    assert_eq!(
        api.call(Method::GET, "/api/me", None).await.0,
        StatusCode::OK
    );
    api.send(
        Method::POST,
        "/api/tokens",
        json!({"name": "cli", "scope": "read"}),
        StatusCode::CREATED,
    )
    .await;
    let session = cookie_value(api.cookie().unwrap(), "__Host-polder_session");
    let plain = reqwest::Client::new()
        .get(app.http("/api/me"))
        .header("cookie", format!("polder_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;

    // an https:// public URL means the same
    let app = TestApp::spawn_with(backend.clone(), |config| {
        config.scheduler.public_url = Some("https://polder.example.org".into());
    })
    .await;
    let health = reqwest::get(app.http("/healthz")).await.unwrap();
    assert!(health.headers().contains_key("strict-transport-security"));
    app.stop().await;

    // plain HTTP (a local demo) keeps the plain names and sends no HSTS
    let app = TestApp::spawn(backend).await;
    app.create_user("plain@example.org", "correct horse battery")
        .await;
    let (cookies, hsts) = sign_in_headers(&app, "plain@example.org").await;
    assert!(hsts.is_none());
    assert!(cookies.iter().any(|c| c.starts_with("polder_session=")));
    assert!(cookies.iter().any(|c| c.starts_with("polder_csrf=")));
    assert!(cookies.iter().all(|c| !c.contains("Secure")));
    app.stop().await;
}
