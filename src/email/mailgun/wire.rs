//! Mailgun's HTTP wire: where the key may be sent ([`endpoint`]), the request deadline
//! ([`deadline_from_env`]), one request with its retries, the Routes API calls (list, create,
//! update, delete) and the JSON and form shapes they exchange.

use super::super::EmailError;
use super::Mailgun;
use crate::schema::MailgunRegion;
use base64::Engine;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::time::Duration;

/// Priority of orgctl's routes (smaller runs first).
pub const PRIORITY: i64 = 0;

/// A route orgctl wants, as it is sent (`routes.rs` builds it from an alias).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spec {
    pub(super) description: String,
    pub(super) expression: String,
    pub(super) actions: Vec<String>,
}

/// Mailgun's API base URL for US accounts, the default (EU accounts: `region: eu`).
pub const DEFAULT_API_URL: &str = "https://api.mailgun.net";
/// The environment variable that replaces Mailgun's API base URL (tests, an https proxy). The
/// org files can only choose between Mailgun's two regions.
pub const API_URL_ENV: &str = "ORGCTL_MAILGUN_API_URL";
/// The environment variable that replaces the total deadline of one request, in seconds.
pub const DEADLINE_ENV: &str = "ORGCTL_MAILGUN_TIMEOUT_SECS";
/// The total deadline of one request (connect, headers and body), unless [`DEADLINE_ENV`] says
/// otherwise: a server trickling its answer cannot hold plan or apply for longer.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// Page size when listing routes (the API's maximum).
pub const PAGE: usize = 1000;
/// The most routes orgctl reads (100 pages): more than any organisation's aliases, so a server
/// announcing more, or paging forever, is refused instead of read without end.
pub const MAX_ROUTES: usize = 100_000;
/// The largest answer body read (a page of 1,000 routes is well under 1 MiB).
pub const MAX_BODY: usize = 64 << 20;
const ATTEMPTS: u32 = 4;

pub(super) type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// A route as the API returns it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub(super) struct Route {
    pub(super) id: String,
    #[serde(default)]
    pub(super) priority: i64,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) expression: String,
    #[serde(default)]
    pub(super) actions: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Page {
    #[serde(default)]
    total_count: usize,
    #[serde(default)]
    items: Vec<Route>,
}

/// Where the API key is sent. Pure.
///
/// `env_override` ([`API_URL_ENV`], from the operator's environment) wins, and must be an
/// `https://` URL, or `http://` to a loopback address (local fakes in tests). Otherwise the org
/// files choose only between Mailgun's hosts: `region` (default `us`), or an `api_url` that is
/// one of the two region URLs; any other `api_url`, or one contradicting `region`, is refused
/// (`check` reports it at its line too, rule `email-backend`).
pub fn endpoint(
    region: Option<MailgunRegion>,
    api_url: Option<&str>,
    env_override: Option<&str>,
) -> Result<String, EmailError> {
    if let Some(url) = env_override.filter(|u| !u.trim().is_empty()) {
        return check_base(url).map_err(|why| {
            EmailError::Config(format!(
                "{API_URL_ENV}: {why}; the Mailgun API key is only sent over https (plain http only to 127.0.0.1, ::1 or localhost)"
            ))
        });
    }
    let from_url = match api_url {
        None => None,
        Some(url) => Some(MailgunRegion::from_api_url(url).ok_or_else(|| {
            EmailError::Config(format!(
                "org.yaml `email.backend.api_url: {url}` is not one of Mailgun's API hosts: \
                 write `region: us` or `region: eu` instead (tests and proxies set {API_URL_ENV} in the environment)"
            ))
        })?),
    };
    match (region, from_url) {
        (Some(r), Some(u)) if r != u => Err(EmailError::Config(format!(
            "org.yaml `email.backend`: `api_url` ({}) contradicts `region`; remove `api_url`",
            u.api_url()
        ))),
        (r, u) => Ok(r.or(u).unwrap_or(MailgunRegion::Us).api_url().to_string()),
    }
}

/// `url` without a trailing `/` when the key may be sent there: `https://` anywhere, `http://`
/// only to a loopback host; no user info, no spaces or control characters.
fn check_base(url: &str) -> Result<String, String> {
    let url = url.trim().trim_end_matches('/');
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the URL contains spaces or control characters".into());
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("`{url}` is not a URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(format!("`{url}` carries user information"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err(format!("`{url}` has no host"));
    }
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(url.to_string()),
        "http" if loopback => Ok(url.to_string()),
        "http" => Err(format!(
            "`{url}` is plain http to a host that is not loopback"
        )),
        other => Err(format!("`{url}`: scheme `{other}` is not https")),
    }
}

/// The request deadline [`DEADLINE_ENV`] asks for (seconds, fractions allowed), if valid.
pub fn deadline_from_env(value: Option<&str>) -> Result<Duration, EmailError> {
    let Some(v) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(DEADLINE);
    };
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            EmailError::Config(format!(
                "{DEADLINE_ENV}={v}: expected a number of seconds between 0 and 3600"
            ))
        })
}

impl Mailgun {
    /// A client for `api_url` (no trailing `/v3`) with `api_key`. `domain` is the Mailgun
    /// domain the aliases belong to (shown in descriptions of the backend). `api_url` must be
    /// https (or http to a loopback address); use [`endpoint`] to choose it. Each request has
    /// a total deadline of [`DEADLINE`] (see [`Mailgun::with_deadline`]).
    pub fn new(api_url: &str, domain: &str, api_key: SecretString) -> Result<Mailgun, EmailError> {
        let base = check_base(api_url).map_err(|why| {
            EmailError::Config(format!(
                "Mailgun API URL: {why}; the API key is only sent over https"
            ))
        })?;
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| {
                EmailError::Config(format!("loading the system's TLS root certificates: {e}"))
            })?
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("api:{}", api_key.expose_secret()));
        Ok(Mailgun {
            base,
            domain: domain.to_string(),
            authorization: SecretString::from(format!("Basic {token}")),
            client,
            deadline: DEADLINE,
            exchanges: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The write requests recorded since the last call.
    pub(super) fn take_exchanges(&self) -> Vec<crate::apply::Exchange> {
        std::mem::take(
            &mut *self
                .exchanges
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Records one write attempt (reads are not audited).
    fn record(
        &self,
        method: &'static str,
        path: &str,
        started_at: jiff::Timestamp,
        took: Duration,
        status: Option<u16>,
        error: Option<String>,
    ) {
        if method == "GET" {
            return;
        }
        self.exchanges
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(crate::apply::Exchange {
                method: method.to_string(),
                path: path.to_string(),
                status,
                error,
                started_at,
                duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            });
    }

    /// The same client with another total deadline per request.
    pub fn with_deadline(mut self, deadline: Duration) -> Mailgun {
        self.deadline = deadline;
        self
    }

    /// One request within the deadline: connecting, the headers and the whole body.
    async fn send_once(
        &self,
        method: &Method,
        path: &str,
        form: Option<&str>,
    ) -> Result<(StatusCode, Option<u64>, Bytes), String> {
        let deadline = self.deadline;
        tokio::time::timeout(deadline, self.exchange(method, path, form))
            .await
            .map_err(|_| {
                format!(
                    "no complete response within {:.1}s (the deadline of one request; {DEADLINE_ENV} changes it)",
                    deadline.as_secs_f64()
                )
            })?
    }

    async fn exchange(
        &self,
        method: &Method,
        path: &str,
        form: Option<&str>,
    ) -> Result<(StatusCode, Option<u64>, Bytes), String> {
        let mut auth = header::HeaderValue::from_str(self.authorization.expose_secret())
            .map_err(|_| "invalid API key characters".to_string())?;
        auth.set_sensitive(true);
        let mut req = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base))
            .header(header::AUTHORIZATION, auth)
            .header(header::ACCEPT, "application/json")
            .header(
                header::USER_AGENT,
                concat!("orgctl/", env!("CARGO_PKG_VERSION")),
            );
        if form.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let body = Full::new(Bytes::from(form.unwrap_or_default().to_string()));
        let req = req.body(body).map_err(|e| e.to_string())?;
        let resp = self
            .client
            .request(req)
            .await
            .map_err(|e| format!("transport error: {e}"))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let bytes = http_body_util::Limited::new(resp.into_body(), MAX_BODY)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    format!("the answer is larger than {} MiB", MAX_BODY >> 20)
                } else {
                    format!("reading the body: {e}")
                }
            })?
            .to_bytes();
        Ok((status, retry_after, bytes))
    }

    /// One request, retried when idempotent and transient. Returns the body of a 2xx.
    async fn send(
        &self,
        method: Method,
        path: &str,
        form: Option<&str>,
    ) -> Result<Bytes, EmailError> {
        let name: &'static str = match method {
            Method::GET => "GET",
            Method::POST => "POST",
            Method::PUT => "PUT",
            Method::DELETE => "DELETE",
            _ => "request",
        };
        let retry = method != Method::POST;
        let endpoint = path.split('?').next().unwrap_or(path).to_string();
        let fail = |message: String| EmailError::Http {
            method: name,
            endpoint: endpoint.clone(),
            message,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let started_at = jiff::Timestamp::now();
            let clock = std::time::Instant::now();
            let result = self.send_once(&method, path, form).await;
            match &result {
                Ok((status, _, body)) => self.record(
                    name,
                    path,
                    started_at,
                    clock.elapsed(),
                    Some(status.as_u16()),
                    (!status.is_success()).then(|| api_message(body)),
                ),
                Err(e) => self.record(
                    name,
                    path,
                    started_at,
                    clock.elapsed(),
                    None,
                    Some(e.clone()),
                ),
            }
            let (wait, error) = match result {
                Ok((status, _, body)) if status.is_success() => return Ok(body),
                Ok((status, retry_after, body)) => {
                    let msg = api_message(&body);
                    let transient =
                        status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                    let hint = match status {
                        StatusCode::UNAUTHORIZED => {
                            "; check MAILGUN_API_KEY (and the region: EU accounts need `region: eu` in org.yaml's email.backend)"
                        }
                        StatusCode::FORBIDDEN => "; the key lacks permission to manage routes",
                        _ => "",
                    };
                    let error = fail(format!("HTTP {}: {msg}{hint}", status.as_u16()));
                    if !transient {
                        return Err(error);
                    }
                    (retry_after.map(Duration::from_secs), error)
                }
                Err(e) => (None, fail(e)),
            };
            if !retry || attempt >= ATTEMPTS {
                return Err(error);
            }
            let backoff = Duration::from_millis(200 * (1 << attempt) + fastrand::u64(0..200));
            let wait = wait.unwrap_or(backoff).min(Duration::from_secs(60));
            eprintln!(
                "mailgun: {}; retrying in {:.1}s",
                crate::render::text::terminal_safe(&error.to_string()),
                wait.as_secs_f64()
            );
            tokio::time::sleep(wait).await;
        }
    }

    pub(super) async fn list(&self) -> Result<Vec<Route>, EmailError> {
        let mut out = Vec::new();
        loop {
            let body = self
                .send(
                    Method::GET,
                    &format!("/v3/routes?skip={}&limit={PAGE}", out.len()),
                    None,
                )
                .await?;
            let page: Page = serde_json::from_slice(&body).map_err(|e| EmailError::Http {
                method: "GET",
                endpoint: "/v3/routes".into(),
                message: format!("unexpected response: {e}"),
            })?;
            let n = page.items.len();
            out.extend(page.items);
            if n == 0 || out.len() >= page.total_count {
                return Ok(out);
            }
            if out.len() >= MAX_ROUTES {
                return Err(EmailError::Http {
                    method: "GET",
                    endpoint: "/v3/routes".into(),
                    message: format!(
                        "the server lists more than {MAX_ROUTES} routes (total_count {}); orgctl stops reading rather than page without end: check the Mailgun domain and ORGCTL_MAILGUN_API_URL",
                        page.total_count
                    ),
                });
            }
        }
    }

    pub(super) async fn create(&self, spec: &Spec) -> Result<(), EmailError> {
        self.send(Method::POST, "/v3/routes", Some(&form(spec)))
            .await
            .map(drop)
    }

    pub(super) async fn update(&self, id: &str, spec: &Spec) -> Result<(), EmailError> {
        self.send(
            Method::PUT,
            &format!("/v3/routes/{}", path_segment(id)),
            Some(&form(spec)),
        )
        .await
        .map(drop)
    }

    pub(super) async fn delete(&self, id: &str) -> Result<(), EmailError> {
        self.send(
            Method::DELETE,
            &format!("/v3/routes/{}", path_segment(id)),
            None,
        )
        .await
        .map(drop)
    }
}

fn path_segment(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

fn form(spec: &Spec) -> String {
    let mut f = form_urlencoded::Serializer::new(String::new());
    f.append_pair("priority", &PRIORITY.to_string());
    f.append_pair("description", &spec.description);
    f.append_pair("expression", &spec.expression);
    for a in &spec.actions {
        f.append_pair("action", a);
    }
    f.finish()
}

/// The `message` of an error body, or a short prefix of it.
fn api_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct M {
        message: String,
    }
    match serde_json::from_slice::<M>(body) {
        Ok(m) => m.message,
        Err(_) => String::from_utf8_lossy(body).chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_goes_only_to_mailgun_or_the_operators_override() {
        use MailgunRegion::{Eu, Us};
        let ok = |r, u, e| endpoint(r, u, e).map_err(|e| e.to_string());
        assert_eq!(
            ok(None, None, None).as_deref(),
            Ok("https://api.mailgun.net")
        );
        assert_eq!(
            ok(Some(Eu), None, None).as_deref(),
            Ok("https://api.eu.mailgun.net")
        );
        assert_eq!(
            ok(None, Some("https://API.eu.mailgun.net/v3/"), None).as_deref(),
            Ok("https://api.eu.mailgun.net")
        );
        assert_eq!(
            ok(Some(Us), Some("https://api.mailgun.net"), None).as_deref(),
            Ok("https://api.mailgun.net")
        );
        for hostile in [
            "http://api.mailgun.net",
            "https://evil.example",
            "https://api.mailgun.net.evil.example",
            "https://api.mailgun.net@evil.example",
            "http://127.0.0.1:8080",
        ] {
            let e = ok(None, Some(hostile), None).expect_err(hostile);
            assert!(e.contains("is not one of Mailgun's API hosts"), "{e}");
            assert!(e.contains("region: eu"), "{e}");
        }
        let e = ok(Some(Us), Some("https://api.eu.mailgun.net"), None).expect_err("contradiction");
        assert!(e.contains("contradicts `region`"), "{e}");
        // The environment override wins over the files, and is https or loopback http only.
        assert_eq!(
            ok(
                Some(Eu),
                Some("https://evil.example"),
                Some("http://127.0.0.1:4242/")
            )
            .as_deref(),
            Ok("http://127.0.0.1:4242")
        );
        assert_eq!(
            ok(None, None, Some("http://[::1]:80")).as_deref(),
            Ok("http://[::1]:80")
        );
        assert_eq!(
            ok(None, None, Some("http://localhost:1")).as_deref(),
            Ok("http://localhost:1")
        );
        assert_eq!(
            ok(None, None, Some("https://proxy.example/mailgun")).as_deref(),
            Ok("https://proxy.example/mailgun")
        );
        for bad in [
            "http://evil.example",
            "http://127.0.0.1.evil.example",
            "http://user@127.0.0.1",
            "ftp://127.0.0.1",
            "127.0.0.1:80",
            "https://a b.example",
        ] {
            let e = ok(None, None, Some(bad)).expect_err(bad);
            assert!(e.starts_with("ORGCTL_MAILGUN_API_URL: "), "{e}");
        }
        // Mailgun::new refuses plain http too, whoever calls it.
        let e = Mailgun::new("http://evil.example", "x.org", SecretString::from("k"))
            .expect_err("plain http");
        assert!(e.to_string().contains("only sent over https"), "{e}");
    }

    #[test]
    fn deadline_from_the_environment() {
        assert_eq!(deadline_from_env(None).ok(), Some(DEADLINE));
        assert_eq!(
            deadline_from_env(Some("1.5")).ok(),
            Some(Duration::from_millis(1500))
        );
        for bad in ["0", "-1", "abc", "NaN", "1e9"] {
            assert!(deadline_from_env(Some(bad)).is_err(), "{bad}");
        }
    }
}
