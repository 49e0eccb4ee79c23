//! A stateful local fake of Mailgun's Routes API, written from Mailgun's documentation, for
//! orgctl's email tests. Not a general Mailgun emulator.
//!
//! Implemented (documentation.mailgun.com, Routes API reference and user manual):
//! - HTTP basic auth, user `api`, password = the API key; anything else is `401`.
//! - `GET /v3/routes?skip=&limit=`: `{"total_count", "items"}` in creation order; `limit`
//!   defaults to 100; above 1000 is `400 {"message": "The 'limit' parameter can't be larger
//!   than 1000"}`.
//! - `GET /v3/routes/{id}`: `{"route": {...}}` or `404`.
//! - `POST /v3/routes` (form fields `priority` (default 0), `description`, `expression`
//!   (required), repeated `action`): `{"message": "Route has been created", "route": {...}}`.
//! - `PUT /v3/routes/{id}`: updates only the fields given (actions are replaced when any
//!   `action` is given): `{"message": "Route has been updated", "route": {...}}`.
//! - `DELETE /v3/routes/{id}`: `{"message": "Route has been deleted", "id"}` or `404`.
//! - "The length of the Filter or Action fields cannot exceed 4k": an expression longer than
//!   4,000 bytes, or actions whose total length exceeds 4,000 bytes, are rejected with `400`
//!   (the strictest reading of "4k").
//!
//! Bodies are `application/x-www-form-urlencoded` (Mailgun also takes multipart, which orgctl
//! does not send). Tests can inject failures (`fail_next`), add routes by hand and edit them,
//! and read the request log.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The longest expression, and the longest total of a route's actions, accepted.
pub const MAX_FIELD: usize = 4000;

/// A route as Mailgun returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// 24 hex digits.
    pub id: String,
    /// Smaller runs first.
    pub priority: i64,
    /// Free text.
    pub description: String,
    /// The filter.
    pub expression: String,
    /// The actions.
    pub actions: Vec<String>,
    /// RFC 1123 timestamp.
    pub created_at: String,
}

#[derive(Debug, Default)]
struct Inner {
    routes: Vec<Route>,
    next_id: u64,
    log: Vec<(String, String)>,
    failures: Vec<u16>,
    method_failures: Vec<(String, u16)>,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    auth: String,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// A running fake; stops when the test's runtime ends.
#[derive(Clone)]
pub struct FakeMailgun {
    /// Base URL, e.g. `http://127.0.0.1:41234` (no `/v3`).
    pub url: String,
    shared: Shared,
}

impl FakeMailgun {
    /// Starts a fake on a free local port accepting `api_key`.
    pub async fn start(api_key: &str) -> std::io::Result<FakeMailgun> {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("api:{api_key}"));
        let shared = Shared {
            inner: Arc::default(),
            auth: format!("Basic {token}"),
        };
        let app = Router::new()
            .route("/v3/routes", get(list).post(create))
            .route("/v3/routes/{id}", get(show).put(update).delete(remove))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeMailgun { url, shared })
    }

    /// Every route, in creation order.
    pub fn routes(&self) -> Vec<Route> {
        self.shared.lock().routes.clone()
    }

    /// Adds a route as if made in the control panel; returns its id.
    pub fn insert(
        &self,
        priority: i64,
        description: &str,
        expression: &str,
        actions: &[&str],
    ) -> String {
        let mut inner = self.shared.lock();
        let id = new_id(&mut inner);
        inner.routes.push(Route {
            id: id.clone(),
            priority,
            description: description.into(),
            expression: expression.into(),
            actions: actions.iter().map(|a| a.to_string()).collect(),
            created_at: "Wed, 15 Feb 2012 13:03:31 GMT".into(),
        });
        id
    }

    /// Edits a route by hand.
    pub fn edit(&self, id: &str, f: impl FnOnce(&mut Route)) {
        if let Some(r) = self.shared.lock().routes.iter_mut().find(|r| r.id == id) {
            f(r);
        }
    }

    /// The requests received so far, as (method, path with query).
    pub fn requests(&self) -> Vec<(String, String)> {
        self.shared.lock().log.clone()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// The next request with `method` (`POST`, ...) fails with `status` before reaching the API.
    pub fn fail_next_method(&self, method: &str, status: u16) {
        self.shared
            .lock()
            .method_failures
            .push((method.to_string(), status));
    }

    /// The next `n` requests fail with `status` (e.g. 503) before reaching the API.
    pub fn fail_next(&self, n: usize, status: u16) {
        self.shared
            .lock()
            .failures
            .extend(std::iter::repeat_n(status, n));
    }
}

fn new_id(inner: &mut Inner) -> String {
    inner.next_id += 1;
    format!(
        "{:024x}",
        0x4f3b_ad23_3533_5426_0000_0000u128 + u128::from(inner.next_id)
    )
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "message": text }))).into_response()
}

/// Logs the request, applies injected failures and checks authentication.
fn gate(s: &Shared, method: Method, path: String, headers: &HeaderMap) -> Option<Response> {
    let mut inner = s.lock();
    inner.log.push((method.to_string(), path));
    if let Some(i) = inner
        .method_failures
        .iter()
        .position(|(m, _)| *m == method.as_str())
    {
        let (_, status) = inner.method_failures.remove(i);
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Some(message(status, "injected failure"));
    }
    if !inner.failures.is_empty() {
        let status = inner.failures.remove(0);
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Some(message(status, "injected failure"));
    }
    let ok = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(s.auth.as_str());
    (!ok).then(|| message(StatusCode::UNAUTHORIZED, "Invalid private key"))
}

fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn check_lengths(r: &Route) -> Option<Response> {
    if r.expression.len() > MAX_FIELD {
        return Some(message(
            StatusCode::BAD_REQUEST,
            "The length of the Filter field cannot exceed 4k",
        ));
    }
    if r.actions.iter().map(String::len).sum::<usize>() > MAX_FIELD {
        return Some(message(
            StatusCode::BAD_REQUEST,
            "The length of the Action field cannot exceed 4k",
        ));
    }
    None
}

async fn list(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut path = String::from("/v3/routes");
    let mut query: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
    query.sort();
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    if let Some(r) = gate(&s, Method::GET, path, &headers) {
        return r;
    }
    let skip: usize = q.get("skip").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(100);
    if limit > 1000 {
        return message(
            StatusCode::BAD_REQUEST,
            "The 'limit' parameter can't be larger than 1000",
        );
    }
    let inner = s.lock();
    let items: Vec<&Route> = inner.routes.iter().skip(skip).take(limit).collect();
    axum::Json(json!({ "total_count": inner.routes.len(), "items": items })).into_response()
}

async fn show(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s, Method::GET, format!("/v3/routes/{id}"), &headers) {
        return r;
    }
    match s.lock().routes.iter().find(|r| r.id == id) {
        Some(r) => axum::Json(json!({ "route": r })).into_response(),
        None => message(StatusCode::NOT_FOUND, "Route not found"),
    }
}

async fn create(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = gate(&s, Method::POST, "/v3/routes".into(), &headers) {
        return r;
    }
    let f = fields(&body);
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let Some(expression) = get("expression") else {
        return message(StatusCode::BAD_REQUEST, "'expression' parameter is missing");
    };
    let priority = match get("priority").map(|p| p.parse::<i64>()) {
        None => 0,
        Some(Ok(p)) => p,
        Some(Err(_)) => {
            return message(
                StatusCode::BAD_REQUEST,
                "'priority' parameter is not an integer",
            );
        }
    };
    let mut inner = s.lock();
    let route = Route {
        id: new_id(&mut inner),
        priority,
        description: get("description").unwrap_or_default(),
        expression,
        actions: f
            .iter()
            .filter(|(k, _)| k == "action")
            .map(|(_, v)| v.clone())
            .collect(),
        created_at: "Wed, 15 Feb 2012 13:03:31 GMT".into(),
    };
    if let Some(r) = check_lengths(&route) {
        return r;
    }
    inner.routes.push(route.clone());
    axum::Json(json!({ "message": "Route has been created", "route": route })).into_response()
}

async fn update(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(r) = gate(&s, Method::PUT, format!("/v3/routes/{id}"), &headers) {
        return r;
    }
    let f = fields(&body);
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut inner = s.lock();
    let Some(route) = inner.routes.iter_mut().find(|r| r.id == id) else {
        return message(StatusCode::NOT_FOUND, "Route not found");
    };
    let mut new = route.clone();
    if let Some(p) = get("priority") {
        match p.parse() {
            Ok(p) => new.priority = p,
            Err(_) => {
                return message(
                    StatusCode::BAD_REQUEST,
                    "'priority' parameter is not an integer",
                );
            }
        }
    }
    if let Some(d) = get("description") {
        new.description = d;
    }
    if let Some(e) = get("expression") {
        new.expression = e;
    }
    let actions: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "action")
        .map(|(_, v)| v.clone())
        .collect();
    if !actions.is_empty() {
        new.actions = actions;
    }
    if let Some(r) = check_lengths(&new) {
        return r;
    }
    *route = new.clone();
    axum::Json(json!({ "message": "Route has been updated", "route": new })).into_response()
}

async fn remove(State(s): State<Shared>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(r) = gate(&s, Method::DELETE, format!("/v3/routes/{id}"), &headers) {
        return r;
    }
    let mut inner = s.lock();
    let before = inner.routes.len();
    inner.routes.retain(|r| r.id != id);
    if inner.routes.len() == before {
        return message(StatusCode::NOT_FOUND, "Route not found");
    }
    axum::Json(json!({ "message": "Route has been deleted", "id": id })).into_response()
}
