//! Every list route answers one shape: `{"items": […], "total": n, "offset": o, "limit": l}`
//! for `?offset=&limit=` (limit 1 to 200, default 50), and refuses a page out of range alike.
//!
//! The routes are found in the OpenAPI document (every `GET` whose `200` body is a `Paged_…`
//! schema) and called on a seeded server, so a list route added later is checked too.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::api::{Api, WorkingGroup};
use crate::helpers::{backend_tests, Backend, TestApp};

backend_tests!(every_list_route_answers_a_page_and_refuses_one_out_of_range);

/// List routes that must be among the ones the document describes as a page.
const KNOWN: [&str; 23] = [
    "/api/parties",
    "/api/people",
    "/api/bodies",
    "/api/bodies/{id}/members",
    "/api/bodies/{id}/drafts",
    "/api/drafts/{id}/transitions",
    "/api/drafts/{id}/versions",
    "/api/drafts/{id}/comments",
    "/api/tokens",
    "/api/audit",
    "/api/notifications",
    "/api/me/calendar-feeds",
    "/api/bodies/{id}/role-agreements",
    "/api/role-agreements/{id}/sign-offs",
    "/api/bodies/{id}/action-lines",
    "/api/bodies/{id}/milestones",
    "/api/milestones/{id}/status",
    "/api/milestones/{id}/notes",
    "/api/milestones/{id}/links",
    "/api/bodies/{id}/disputes",
    "/api/bodies/{id}/webhooks",
    "/api/webhooks/{id}/deliveries",
    "/api/bodies/{id}/ladder/forums",
];

/// The paths of the `GET` operations whose `200` body is a page.
fn paged_routes(spec: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        let schema =
            &item["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        if schema
            .as_str()
            .is_some_and(|r| r.starts_with("#/components/schemas/Paged_"))
        {
            out.push(path.clone());
        }
    }
    out
}

/// The first item's id of a list.
fn first_id(page: &Value) -> i64 {
    page["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no items in {page}"))
}

/// The page's items, after checking the page's shape and that it is the page asked for.
fn checked_page(route: &str, page: &Value, offset: i64, limit: i64) -> usize {
    let items = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{route}: no items array in {page}"));
    assert_eq!(page["offset"], offset, "{route}: {page}");
    assert_eq!(page["limit"], limit, "{route}: {page}");
    let total = page["total"]
        .as_i64()
        .unwrap_or_else(|| panic!("{route}: no total in {page}"));
    let shown = i64::try_from(items.len()).unwrap();
    assert!(shown <= limit, "{route}: more items than the limit: {page}");
    assert!(
        shown <= (total - offset).max(0),
        "{route}: more items than there are: {page}"
    );
    items.len()
}

async fn every_list_route_answers_a_page_and_refuses_one_out_of_range(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.scheduler.enabled = false).await;
    let group = WorkingGroup::seed_full(&app).await;
    let admin = WorkingGroup::person(&app, "beheer@polder.demo").await;
    let spec = Api::anonymous(&app).get("/api/openapi.json").await;
    let routes = paged_routes(&spec);
    for known in KNOWN {
        assert!(
            routes.iter().any(|r| r == known),
            "GET {known} is not documented as a page; the pages: {routes:?}"
        );
    }

    let body = group.body_id;
    let milestone = first_id(&admin.get(&format!("/api/bodies/{body}/milestones")).await);
    let agreement = first_id(
        &admin
            .get(&format!("/api/bodies/{body}/role-agreements"))
            .await,
    );
    // a name under .invalid never resolves; the scheduler is off, so nothing is delivered
    let webhook = admin
        .send(
            Method::POST,
            &format!("/api/bodies/{body}/webhooks"),
            json!({"url": "http://hooks.invalid:9/lists"}),
            StatusCode::CREATED,
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let id_for = |path: &str| -> i64 {
        if path.starts_with("/api/bodies/") {
            body
        } else if path.starts_with("/api/drafts/") {
            group.draft_id
        } else if path.starts_with("/api/milestones/") {
            milestone
        } else if path.starts_with("/api/role-agreements/") {
            agreement
        } else if path.starts_with("/api/webhooks/") {
            webhook
        } else {
            panic!("no id known for the list route {path}: add one to this test")
        }
    };

    for route in &routes {
        let address = if route.contains("{id}") {
            route.replace("{id}", &id_for(route).to_string())
        } else {
            route.clone()
        };
        assert!(!address.contains('{'), "{route}: an unknown path parameter");

        let page = admin.get(&address).await;
        let all = checked_page(route, &page, 0, 50);
        if page["total"].as_i64().unwrap() <= 50 {
            assert_eq!(
                page["total"],
                json!(all),
                "{route}: a whole list on one page"
            );
        }

        let separator = if address.contains('?') { '&' } else { '?' };
        let one = admin
            .get(&format!("{address}{separator}offset=0&limit=1"))
            .await;
        assert_eq!(one["total"], page["total"], "{route}: {one}");
        assert_eq!(checked_page(route, &one, 0, 1), all.min(1), "{route}");
        let beyond = admin
            .get(&format!("{address}{separator}offset=1000&limit=200"))
            .await;
        assert_eq!(checked_page(route, &beyond, 1000, 200), 0, "{route}");

        for (query, field) in [
            ("limit=201", "limit"),
            ("limit=0", "limit"),
            ("offset=-1", "offset"),
        ] {
            let (status, answer) = admin
                .call(Method::GET, &format!("{address}{separator}{query}"), None)
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "GET {route}?{query}: {answer}"
            );
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(field)),
                "GET {route}?{query} names {field}: {answer}"
            );
        }
    }
    app.stop().await;
}
