//! The HTTP shell: an axum server on `127.0.0.1:0` that numbers each request,
//! applies latency and injected faults, checks the token, charges the primary
//! rate limit, dispatches to the REST handlers or the GraphQL executor, adds
//! GitHub's headers and records the request. [`FakeGithub`] is the handle tests
//! hold to reach the URL, the state, the behaviour and the request counters.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::behaviour::{Behaviour, Fault, RequestNumber};
use crate::error::ApiError;
use crate::graphql::{self, GqlEnv, RateInfo};
use crate::model::FakeState;
use crate::paging::Query;
use crate::ratelimit::{Bucket, iso8601, now_epoch};
use crate::rest::{self, Reply, Route};
use crate::stats::{RequestRecord, RequestStats};

/// Values of `x-github-api-version` GitHub accepts; anything else is a 400.
const SUPPORTED_API_VERSIONS: &[&str] = &["2022-11-28", "2026-03-10"];
const SECONDARY_MESSAGE: &str = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.";
const SECONDARY_DOCS: &str = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
const PRIMARY_DOCS: &str =
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-rate-limit";

/// Everything behind the lock.
struct Inner {
    state: FakeState,
    behaviour: Behaviour,
    stats: RequestStats,
    n_any: u64,
    n_rest: u64,
    n_graphql: u64,
    n_write: u64,
    core: Bucket,
    graphql: Bucket,
}

struct Shared {
    inner: Mutex<Inner>,
    base: String,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake GitHub. Dropping the handle stops the server.
pub struct FakeGithub {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl FakeGithub {
    /// Starts a fake serving `state` with default behaviour (any token).
    pub async fn start(state: FakeState) -> std::io::Result<FakeGithub> {
        FakeGithub::start_with(state, Behaviour::default()).await
    }

    /// Starts a fake serving `state` with `behaviour`.
    pub async fn start_with(state: FakeState, behaviour: Behaviour) -> std::io::Result<FakeGithub> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let now = now_epoch();
        let core = Bucket::new("core", behaviour.core_limit, behaviour.rate_window, now);
        let gql = Bucket::new(
            "graphql",
            behaviour.graphql_limit,
            behaviour.rate_window,
            now,
        );
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                state,
                behaviour,
                stats: RequestStats::default(),
                n_any: 0,
                n_rest: 0,
                n_graphql: 0,
                n_write: 0,
                core,
                graphql: gql,
            }),
            base: format!("http://{addr}"),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(FakeGithub {
            shared,
            addr,
            shutdown: Some(tx),
        })
    }

    /// REST base URL with a trailing slash, e.g. `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("{}/", self.shared.base)
    }

    /// GraphQL endpoint, e.g. `http://127.0.0.1:PORT/graphql`.
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.shared.base)
    }

    /// The socket address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A snapshot of the state.
    pub fn state(&self) -> FakeState {
        self.shared.lock().state.clone()
    }

    /// Reads or modifies the state.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut FakeState) -> R) -> R {
        f(&mut self.shared.lock().state)
    }

    /// A copy of the behaviour.
    pub fn behaviour(&self) -> Behaviour {
        self.shared.lock().behaviour.clone()
    }

    /// Reads or modifies the behaviour (latency, faults, tokens, limits).
    pub fn with_behaviour<R>(&self, f: impl FnOnce(&mut Behaviour) -> R) -> R {
        f(&mut self.shared.lock().behaviour)
    }

    /// Counters and log of the requests answered so far.
    pub fn requests(&self) -> RequestStats {
        self.shared.lock().stats.clone()
    }

    /// Clears the request log and restarts request numbering (for `Nth` faults).
    pub fn reset_requests(&self) {
        let mut inner = self.shared.lock();
        inner.stats = RequestStats::default();
        inner.n_any = 0;
        inner.n_rest = 0;
        inner.n_graphql = 0;
        inner.n_write = 0;
    }

    /// The primary rate-limit buckets `(core, graphql)`.
    pub fn rate_limits(&self) -> (Bucket, Bucket) {
        let inner = self.shared.lock();
        (inner.core.clone(), inner.graphql.clone())
    }
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Who a request authenticated as.
struct Grant {
    login: String,
    scopes: Option<Vec<String>>,
}

fn authenticate(inner: &Inner, authorization: Option<&str>) -> Result<Grant, ApiError> {
    let token = authorization
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("token "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("Requires authentication".into()))?;
    if let Some(inst) = inner
        .behaviour
        .installation
        .as_ref()
        .filter(|i| i.token == token)
    {
        return Ok(Grant {
            login: inst.bot_login.clone(),
            scopes: None,
        });
    }
    if inner.behaviour.tokens.is_empty() {
        return Ok(Grant {
            login: inner.state.viewer.clone(),
            scopes: None,
        });
    }
    inner
        .behaviour
        .tokens
        .iter()
        .find(|g| g.token == token)
        .map(|g| Grant {
            login: g.login.clone(),
            scopes: g.scopes.clone(),
        })
        .ok_or_else(|| ApiError::Unauthorized("Bad credentials".into()))
}

fn with_headers(mut reply: Reply, bucket: &Bucket) -> Reply {
    for (k, v) in bucket.headers() {
        reply.headers.push((k.to_string(), v));
    }
    reply
}

fn exhausted_headers(bucket: &Bucket, reset: u64) -> Vec<(String, String)> {
    vec![
        ("x-ratelimit-limit".into(), bucket.limit.to_string()),
        ("x-ratelimit-remaining".into(), "0".into()),
        ("x-ratelimit-used".into(), bucket.limit.to_string()),
        ("x-ratelimit-reset".into(), reset.to_string()),
        ("x-ratelimit-resource".into(), bucket.resource.to_string()),
    ]
}

fn primary_limit_reply(inner: &Inner, is_graphql: bool, login: &str, reset: u64) -> Reply {
    let id = inner.state.user(login).map(|u| u.id).unwrap_or(0);
    if is_graphql {
        let mut reply = Reply::json(
            200,
            json!({"errors": [{"type": "RATE_LIMITED", "code": "graphql_rate_limit", "message": format!("API rate limit already exceeded for user ID {id}.")}]}),
        );
        reply.headers = exhausted_headers(&inner.graphql, reset);
        reply
    } else {
        let mut reply = Reply::json(
            403,
            json!({"message": format!("API rate limit exceeded for user ID {id}. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000."), "documentation_url": PRIMARY_DOCS, "status": "403"}),
        );
        reply.headers = exhausted_headers(&inner.core, reset);
        reply
    }
}

fn fault_reply(inner: &Inner, fault: Fault, is_graphql: bool) -> Reply {
    let bucket = if is_graphql {
        &inner.graphql
    } else {
        &inner.core
    };
    match fault {
        Fault::Status(status) => with_headers(
            Reply::json(
                status,
                json!({"message": "Server Error", "status": status.to_string()}),
            ),
            bucket,
        ),
        Fault::SecondaryRateLimit {
            status,
            retry_after,
        } => {
            let mut reply = with_headers(
                Reply::json(
                    status,
                    json!({"message": SECONDARY_MESSAGE, "documentation_url": SECONDARY_DOCS, "status": status.to_string()}),
                ),
                bucket,
            );
            if let Some(secs) = retry_after {
                reply.headers.push(("retry-after".into(), secs.to_string()));
            }
            reply
        }
        Fault::PrimaryRateLimit { reset_after } => {
            let viewer = inner.state.viewer.clone();
            primary_limit_reply(inner, is_graphql, &viewer, now_epoch() + reset_after)
        }
        // Delays and lost answers are served before this point and never reach here.
        Fault::Delay(_) | Fault::LoseAnswer(_) => Reply::error(&ApiError::NotFound),
    }
}

/// Everything about one request the shell needs after reading it.
struct Incoming<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a Query,
    route: Option<Route>,
    authorization: Option<&'a str>,
    accept: &'a str,
    api_version: Option<&'a str>,
    body: &'a [u8],
}

fn process(inner: &mut Inner, base: &str, req: &Incoming<'_>) -> Reply {
    let now = now_epoch();
    let window = inner.behaviour.rate_window;
    inner.core.limit = inner.behaviour.core_limit;
    inner.graphql.limit = inner.behaviour.graphql_limit;
    inner.core.refresh(window, now);
    inner.graphql.refresh(window, now);
    let Some(route) = req.route.clone() else {
        return with_headers(Reply::error(&ApiError::NotFound), &inner.core);
    };
    if let Some(version) = req.api_version {
        if !SUPPORTED_API_VERSIONS.contains(&version) {
            let message = format!(
                "Invalid API version: {version}. Supported versions: {}",
                SUPPORTED_API_VERSIONS.join(", ")
            );
            return with_headers(Reply::error(&ApiError::BadRequest(message)), &inner.core);
        }
    }
    if let Route::AppToken(id) = &route {
        return app_token(inner, id, req);
    }
    let grant = match authenticate(inner, req.authorization) {
        Ok(g) => g,
        Err(e) => return with_headers(Reply::error(&e), &inner.core),
    };
    match route {
        Route::RateLimit if req.method == "GET" => {
            let body = json!({
                "resources": {"core": inner.core.json(), "graphql": inner.graphql.json()},
                "rate": inner.core.json(),
            });
            with_headers(Reply::json(200, body), &inner.core)
        }
        Route::Graphql if req.method == "POST" => {
            let Inner {
                state,
                graphql: bucket,
                ..
            } = inner;
            if bucket.remaining() == 0 {
                let reset = bucket.reset;
                return primary_limit_reply(inner, true, &grant.login, reset);
            }
            let env = GqlEnv {
                state,
                viewer: &grant.login,
                scopes: grant.scopes.as_deref(),
            };
            let mut charge = |cost: u64, nodes: u64| {
                bucket.try_take(cost).then(|| RateInfo {
                    cost,
                    limit: bucket.limit,
                    remaining: bucket.remaining(),
                    used: bucket.used,
                    reset: bucket.reset,
                    node_count: nodes,
                })
            };
            let reply = match graphql::run(&env, req.body, &mut charge) {
                Ok(r) => Reply::json(200, r.body),
                Err(e) => Reply::error(&e),
            };
            with_headers(reply, &inner.graphql)
        }
        route => {
            if !inner.core.try_take(1) {
                let reset = inner.core.reset;
                return primary_limit_reply(inner, false, &grant.login, reset);
            }
            if route.org().is_some() {
                if let Some(scopes) = &grant.scopes {
                    let needed: &[&str] = if req.method == "GET" {
                        &["read:org", "write:org", "admin:org"]
                    } else {
                        &["write:org", "admin:org"]
                    };
                    if !scopes.iter().any(|s| needed.contains(&s.as_str())) {
                        let mut reply = with_headers(
                            Reply::error(&ApiError::Forbidden(
                                "Resource not accessible by personal access token".into(),
                            )),
                            &inner.core,
                        );
                        reply
                            .headers
                            .push(("x-accepted-oauth-scopes".into(), needed.join(", ")));
                        reply
                            .headers
                            .push(("x-oauth-scopes".into(), scopes.join(", ")));
                        return reply;
                    }
                }
            }
            let rest_req = rest::Request {
                method: req.method,
                path: req.path,
                query: req.query,
                accept: req.accept,
                body: req.body,
                base,
                viewer: &grant.login,
            };
            let reply = match rest::handle(&mut inner.state, &route, &rest_req) {
                Ok(r) => r,
                Err(e) => Reply::error(&e),
            };
            with_headers(reply, &inner.core)
        }
    }
}

/// `POST /app/installations/{id}/access_tokens`: accepts any JWT-shaped
/// bearer token (the signature is not verified) for the configured installation.
fn app_token(inner: &Inner, id: &str, req: &Incoming<'_>) -> Reply {
    let jwt_like = req
        .authorization
        .and_then(|h| h.strip_prefix("Bearer "))
        .is_some_and(|t| t.split('.').count() == 3);
    if req.method != "POST" {
        return Reply::error(&ApiError::NotFound);
    }
    if !jwt_like {
        return Reply::error(&ApiError::Unauthorized(
            "A JSON web token could not be decoded".into(),
        ));
    }
    match &inner.behaviour.installation {
        Some(inst) if inst.id.to_string() == id => Reply::json(
            201,
            json!({
                "token": inst.token,
                "expires_at": iso8601(now_epoch() + 3600),
                "permissions": {"members": "write", "organization_administration": "read"},
                "repository_selection": "all",
            }),
        ),
        _ => Reply::error(&ApiError::NotFound),
    }
}

fn into_response(reply: Reply) -> Response {
    let bytes = reply
        .body
        .as_ref()
        .map(|b| serde_json::to_vec(b).unwrap_or_default())
        .unwrap_or_default();
    let has_body = reply.body.is_some();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if has_body {
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    headers.insert(
        "x-github-api-version-selected",
        HeaderValue::from_static("2022-11-28"),
    );
    headers.insert(
        "x-github-media-type",
        HeaderValue::from_static("github.v3; format=json"),
    );
    for (k, v) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            headers.append(name, value);
        }
    }
    response
}

async fn handle(State(shared): State<Arc<Shared>>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let query = Query::parse(parts.uri.query());
    let route = Route::parse(&path);
    let kind = route.as_ref().map(Route::kind).unwrap_or("(unknown)");
    let is_graphql = route == Some(Route::Graphql);
    let authorization = header(&parts.headers, "authorization");
    let accept = header(&parts.headers, "accept").unwrap_or_default();
    let api_version = parts
        .headers
        .get_all("x-github-api-version")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| !SUPPORTED_API_VERSIONS.contains(v))
        .map(str::to_string);
    let method = parts.method.as_str().to_string();

    let is_write = !is_graphql && matches!(method.as_str(), "POST" | "PATCH" | "PUT" | "DELETE");
    let (n, latency, fault) = {
        let mut inner = shared.lock();
        inner.n_any += 1;
        let n_kind = if is_graphql {
            inner.n_graphql += 1;
            inner.n_graphql
        } else {
            inner.n_rest += 1;
            inner.n_rest
        };
        if is_write {
            inner.n_write += 1;
        }
        let number = RequestNumber {
            is_graphql,
            is_write,
            any: inner.n_any,
            kind: n_kind,
            write: if is_write { inner.n_write } else { 0 },
        };
        let n_any = inner.n_any;
        let fault = inner
            .behaviour
            .faults
            .iter()
            .find(|r| r.fires_for(&number))
            .map(|r| r.fault.clone());
        (n_any, inner.behaviour.latency, fault)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let fault = match fault {
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            None
        }
        other => other,
    };
    let incoming = Incoming {
        method: &method,
        path: &path,
        query: &query,
        route,
        authorization: authorization.as_deref(),
        accept: &accept,
        api_version: api_version.as_deref(),
        body: &body,
    };
    let reply = {
        let mut inner = shared.lock();
        let reply = match fault {
            Some(Fault::LoseAnswer(status)) => {
                let _done = process(&mut inner, &shared.base, &incoming);
                fault_reply(&inner, Fault::Status(status), is_graphql)
            }
            Some(f) => fault_reply(&inner, f, is_graphql),
            None => process(&mut inner, &shared.base, &incoming),
        };
        inner.stats.log.push(RequestRecord {
            n,
            method: method.clone(),
            route: kind.to_string(),
            path: path_and_query,
            status: reply.status,
        });
        reply
    };
    into_response(reply)
}
