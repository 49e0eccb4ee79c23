//! HTTP answers as plain data ([`RawResponse`], [`Headers`]) and the RFC 5988
//! `link` header GitHub uses for REST pagination. Pure functions only.

use serde_json::Value;

/// Response headers with lowercase names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    /// Builds headers from name/value pairs (names are lowercased).
    pub fn from_pairs<I, K, V>(pairs: I) -> Headers
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: Into<String>,
    {
        Headers(
            pairs
                .into_iter()
                .map(|(k, v)| (k.as_ref().to_ascii_lowercase(), v.into()))
                .collect(),
        )
    }

    /// First value of header `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Header `name` parsed as an unsigned number.
    pub fn get_u64(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }
}

/// One HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: Headers,
    /// Body text.
    pub body: String,
}

impl RawResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// GitHub's `message` from a JSON error body, else the start of the body.
    pub fn message(&self) -> String {
        serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| self.body.chars().take(200).collect())
    }

    /// Types of the GraphQL `errors` in the body (empty when there are none).
    ///
    /// Called on every answer (the retry decision needs it), so it does not
    /// build the whole document: bodies that cannot hold an `errors` member
    /// are skipped and only `errors` is materialised (`data` is scanned past).
    pub fn graphql_error_types(&self) -> Vec<String> {
        /// The top-level `errors` member, everything else skipped.
        #[derive(serde::Deserialize)]
        struct ErrorsOnly {
            #[serde(default)]
            errors: Value,
        }
        if !self.body.trim_start().starts_with('{') || !self.body.contains("\"errors\"") {
            return Vec::new();
        }
        serde_json::from_str::<ErrorsOnly>(&self.body)
            .ok()
            .and_then(|v| match v.errors {
                Value::Array(errors) => Some(errors),
                _ => None,
            })
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e.get("type").and_then(Value::as_str).map(str::to_string))
            .collect()
    }

    /// The URL of `link` relation `rel` (`next`, `last`, …).
    pub fn link(&self, rel: &str) -> Option<String> {
        self.headers.get("link").and_then(|l| link_rel(l, rel))
    }
}

/// Finds relation `rel` in a `link` header value.
pub fn link_rel(header: &str, rel: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        let matches = params.split(';').any(|p| {
            let p = p.trim();
            p == format!("rel=\"{rel}\"") || p == format!("rel={rel}")
        });
        matches.then(|| url.to_string())
    })
}

/// The path and query of an absolute URL (`https://host/a?b` → `/a?b`); a
/// relative reference is returned unchanged.
pub fn path_and_query(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => rest[i..].to_string(),
            None => "/".to_string(),
        },
        None => url.to_string(),
    }
}

/// Value of query parameter `name` in `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `url` with query parameter `name` set to `value` (replaced or appended).
pub fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(name))
        .map(str::to_string)
        .collect();
    params.push(format!("{name}={value}"));
    format!("{base}?{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "<https://api.github.com/orgs/a/teams?per_page=100&page=2>; rel=\"next\", <https://api.github.com/orgs/a/teams?per_page=100&page=5>; rel=\"last\"";

    #[test]
    fn parses_link_relations() {
        assert_eq!(
            link_rel(LINK, "next").as_deref(),
            Some("https://api.github.com/orgs/a/teams?per_page=100&page=2")
        );
        assert_eq!(
            link_rel(LINK, "last")
                .and_then(|u| query_param(&u, "page"))
                .as_deref(),
            Some("5")
        );
        assert_eq!(link_rel(LINK, "prev"), None);
    }

    #[test]
    fn rewrites_urls() {
        assert_eq!(
            path_and_query("http://127.0.0.1:9/orgs/a?x=1"),
            "/orgs/a?x=1"
        );
        assert_eq!(path_and_query("/orgs/a"), "/orgs/a");
        assert_eq!(
            with_query_param("https://h/p?per_page=100&page=5", "page", "3"),
            "https://h/p?per_page=100&page=3"
        );
        assert_eq!(with_query_param("/p", "page", "2"), "/p?page=2");
    }

    #[test]
    fn reads_messages() {
        let r = RawResponse {
            status: 200,
            headers: Headers::from_pairs([("X-RateLimit-Remaining", "5")]),
            body: r#"{"message":"Bad credentials","errors":[{"type":"NOT_FOUND"}]}"#.into(),
        };
        assert_eq!(r.message(), "Bad credentials");
        assert_eq!(r.graphql_error_types(), vec!["NOT_FOUND".to_string()]);
        assert_eq!(r.headers.get_u64("x-ratelimit-remaining"), Some(5));
    }

    #[test]
    fn finds_graphql_error_types_only_in_the_errors_member() {
        let body = |b: &str| RawResponse {
            status: 200,
            headers: Headers::default(),
            body: b.into(),
        };
        let types = |b: &str| body(b).graphql_error_types();
        assert_eq!(
            types(
                r#"{"data":{"teams":[{"name":"errors"}]},"errors":[{"type":"RATE_LIMITED"},{"message":"x"}]}"#
            ),
            vec!["RATE_LIMITED".to_string()]
        );
        assert!(types(r#"{"data":{"note":"\"errors\""}}"#).is_empty());
        assert!(types(r#"[{"errors":[{"type":"RATE_LIMITED"}]}]"#).is_empty());
        assert!(types(r#"{"errors":null}"#).is_empty());
        assert!(types(r#"{"errors":"#).is_empty());
        assert!(types("").is_empty());
    }
}
