//! [`Api`]: a signed-in browser-like HTTP client (session cookie plus CSRF header), and the
//! demo-backed [`WorkingGroup`] fixture the working-group tests share.

use polder::demo::{DEMO_DOC_ID, DEMO_PASSWORD};
use polder_tests::YClient;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

/// A client holding a session like a browser: cookies, and the CSRF token echoed in a header.
pub struct Api {
    base: String,
    http: reqwest::Client,
    csrf: Option<String>,
    cookie: Option<String>,
}

impl Api {
    /// A client that has not signed in.
    pub fn anonymous(app: &TestApp) -> Self {
        Self {
            base: app.http(""),
            http: reqwest::Client::new(),
            csrf: None,
            cookie: None,
        }
    }

    /// Signs in; panics when that fails.
    pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Self {
        let mut api = Self::anonymous(app);
        let response = api
            .http
            .post(format!("{}/api/session", api.base))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "sign-in of {email}"
        );
        api.keep_session(&response);
        api
    }

    /// Signs in as a guest with the secret of an invitation link; returns the client and the
    /// answer (`{consultation_id}`), or panics when that fails.
    pub async fn sign_in_guest(app: &TestApp, secret: &str) -> (Self, Value) {
        let mut api = Self::anonymous(app);
        let response = api
            .http
            .post(format!("{}/api/guest/session", api.base))
            .json(&serde_json::json!({ "secret": secret }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "guest sign-in");
        api.keep_session(&response);
        let answer = response.json().await.unwrap();
        (api, answer)
    }

    /// A request with a raw body (`content_type`), answering the whole response.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(token) = &self.csrf {
            request = request.header("x-csrf-token", token);
        }
        request.send().await.unwrap()
    }

    fn keep_session(&mut self, response: &reqwest::Response) {
        let api = self;
        let mut cookies = Vec::new();
        for value in response.headers().get_all("set-cookie") {
            let pair = value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned();
            let csrf = pair
                .strip_prefix("polder_csrf=")
                .or_else(|| pair.strip_prefix("__Host-polder_csrf="));
            if let Some(token) = csrf {
                api.csrf = Some(token.to_owned());
            }
            cookies.push(pair);
        }
        api.cookie = Some(cookies.join("; "));
    }

    /// The `Cookie` header value of this session.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    /// Sends a request; returns status and JSON body (`Null` when empty or not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_with(method, path, body, true).await
    }

    /// Like [`Api::call`], optionally without the CSRF header.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        csrf: bool,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let (true, Some(token)) = (csrf, &self.csrf) {
            request = request.header("x-csrf-token", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// GET, asserting 200.
    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// The items of a list route, asserting the page shape every list answers:
    /// `{"items": […], "total": n, "offset": o, "limit": l}`.
    pub async fn items(&self, path: &str) -> Value {
        let page = self.get(path).await;
        assert!(page["items"].is_array(), "GET {path}: {page}");
        for key in ["total", "offset", "limit"] {
            assert!(page[key].is_i64(), "GET {path} has no {key}: {page}");
        }
        page["items"].clone()
    }

    /// The actions of the audit log (newest first), as this client may read them.
    pub async fn audit_actions(&self, path: &str) -> Vec<String> {
        self.get(path).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    }

    /// A request with a JSON body, asserting `expected`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Value,
        expected: StatusCode,
    ) -> Value {
        let (status, answer) = self.call(method.clone(), path, Some(body)).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
        answer
    }
}

/// The demo working group, signed in as its people.
pub struct WorkingGroup {
    /// The working group's body id.
    #[allow(dead_code)]
    pub body_id: i64,
    /// The demo draft's id.
    pub draft_id: i64,
}

impl WorkingGroup {
    /// Seeds the demo working group (people, bodies, the draft) into the app's empty database.
    pub async fn seed(app: &TestApp) -> Self {
        assert!(polder::demo::seed_working_group(&app.storage)
            .await
            .unwrap());
        Self::find(app).await
    }

    /// Seeds the whole demo, with its role agreement, milestones and open dispute.
    pub async fn seed_full(app: &TestApp) -> Self {
        assert!(polder::demo::seed(&app.storage).await.unwrap());
        Self::find(app).await
    }

    /// Seeds the demo without its meetings and decisions (the working group, its role
    /// agreement, milestones and open dispute), for tests that make their own meetings.
    pub async fn seed_without_meetings(app: &TestApp) -> Self {
        assert!(polder::demo::seed_working_group(&app.storage)
            .await
            .unwrap());
        polder::storage::governance::demo::seed(&app.storage)
            .await
            .unwrap();
        polder::storage::escalation::demo::seed(&app.storage)
            .await
            .unwrap();
        Self::find(app).await
    }

    async fn find(app: &TestApp) -> Self {
        let admin = Self::person(app, "beheer@polder.demo").await;
        let bodies = admin.get("/api/bodies").await;
        let body_id = bodies["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["kind"] == "working_group")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let drafts = admin.get(&format!("/api/bodies/{body_id}/drafts")).await;
        let draft_id = drafts["items"][0]["id"].as_i64().unwrap();
        Self { body_id, draft_id }
    }

    /// Signs in a demo person.
    pub async fn person(app: &TestApp, email: &str) -> Api {
        Api::sign_in(app, email, DEMO_PASSWORD).await
    }

    /// Opens the demo draft's document over the websocket as a signed-in person.
    pub async fn open_draft(app: &TestApp, api: &Api) -> YClient {
        let origin = format!("http://{}", app.addr);
        let client = YClient::connect_with_headers(
            &app.ws_base(DEMO_DOC_ID),
            &[("cookie", api.cookie().unwrap()), ("origin", &origin)],
        )
        .await
        .unwrap();
        client.synced().await.unwrap();
        client
    }
}
