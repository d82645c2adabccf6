//! The answers every route gives by the kind of input it takes, added to the document in one
//! place instead of repeated on each handler.
//!
//! Each operation gets, unless its own annotation already documents that status:
//! - `401` when it needs a credential (the document's default security applies to it);
//! - `400` when it has path parameters (an id that is not a number) or query parameters (a
//!   value of the wrong type);
//! - `422` when it has the `offset`/`limit` pagination parameters (out of range);
//! - `413` when it takes a body (over the request body limit), and `400` and `415` when that
//!   body is JSON (malformed or of the wrong shape, sent without
//!   `Content-Type: application/json`).
//!
//! Operation ids are qualified by the operation's tag, so they are unique.
//!
//! All of them carry the shared error body: the server answers every rejection of the
//! framework with it too (see `crate::error::json_error_bodies`).
//!
//! To document a status a route gives beyond these, add it to the route's
//! `#[utoipa::path(responses(...))]` with `body = ApiErrorBody`; to document one that every
//! route with some kind of input gives, add a rule to [`CommonResponses::modify`].

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Content, OpenApi, Ref, Response, ResponseBuilder};
use utoipa::Modify;

/// Name of the bearer-token security scheme.
pub const BEARER: &str = "bearer";
/// Name of the session-cookie security scheme.
pub const SESSION: &str = "session";

/// Adds the security schemes and the common error answers; see the module documentation.
pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.security_schemes.insert(
            BEARER.to_owned(),
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.security_schemes.insert(
            SESSION.to_owned(),
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "the session cookie set by `POST /api/session`; state-changing requests also \
                 send the `polder_csrf` cookie's value in `x-csrf-token`",
            ))),
        );
        let default_security = vec![
            SecurityRequirement::new(BEARER, Vec::<String>::new()),
            SecurityRequirement::new(SESSION, Vec::<String>::new()),
        ];
        openapi.security = Some(default_security);
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                qualify_operation_id(operation);
                add_common_responses(operation);
            }
        }
    }
}

/// Operation ids are the handler's name, which repeats across resources (`list`, `show`):
/// they become `TAG_NAME` (`bodies_list`), unique as OpenAPI requires and readable as method
/// names in generated clients. Two handlers of one tag with one name set `operation_id`.
fn qualify_operation_id(operation: &mut Operation) {
    let Some(id) = operation.operation_id.as_deref() else {
        return;
    };
    let tag = operation
        .tags
        .as_ref()
        .and_then(|tags| tags.first())
        .map(|tag| tag.replace('-', "_"));
    if let Some(tag) = tag {
        operation.operation_id = Some(format!("{tag}_{id}"));
    }
}

/// Every operation of a path item.
fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// Whether the operation needs a credential: it has no security of its own (so the document's
/// default applies), or its own names a scheme. `security(())` makes an operation public.
fn needs_credential(operation: &Operation) -> bool {
    match &operation.security {
        None => true,
        Some(requirements) => !requirements.iter().any(is_anonymous),
    }
}

fn is_anonymous(requirement: &SecurityRequirement) -> bool {
    requirement == &SecurityRequirement::default()
}

fn add_common_responses(operation: &mut Operation) {
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| {
        parameters
            .iter()
            .any(|p| std::mem::discriminant(&p.parameter_in) == std::mem::discriminant(&place))
    };
    let in_path = has(ParameterIn::Path);
    let in_query = has(ParameterIn::Query);
    let paginated = parameters
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query) && p.name == "limit");
    let has_body = operation.request_body.is_some();
    let json_body = operation
        .request_body
        .as_ref()
        .is_some_and(|body| body.content.contains_key("application/json"));

    let authenticated = needs_credential(operation);
    let mut add = |status: &str, description: &str| {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| error_response(description).into());
    };
    if authenticated {
        add("401", "not signed in: no valid session or token");
    }
    let mut malformed = Vec::new();
    if in_path {
        malformed.push("a path parameter is malformed (for example an id that is not a number)");
    }
    if in_query {
        malformed.push("a query parameter is malformed");
    }
    if json_body {
        malformed.push("the body is not valid JSON or does not have the documented shape");
    }
    if !malformed.is_empty() {
        add("400", &malformed.join("; "));
    }
    if paginated {
        add(
            "422",
            "`offset` is negative or `limit` is outside 1 to 200; the message names the parameter",
        );
    }
    if has_body {
        add("413", "the body is larger than the server accepts");
    }
    if json_body {
        add(
            "415",
            "the body was not sent as `Content-Type: application/json`",
        );
    }
}

/// An error answer with the shared error body.
fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ApiErrorBody"))),
        )
        .build()
}
