//! Request counting: how many requests the fake answered per
//! (method, route kind), plus a log of every request.

use std::collections::BTreeMap;

/// One answered request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// 1-based number of the request.
    pub n: u64,
    /// HTTP method.
    pub method: String,
    /// Route kind, e.g. `/orgs/{org}/teams/{team_slug}/members`.
    pub route: String,
    /// Path and query as requested.
    pub path: String,
    /// Status answered.
    pub status: u16,
}

/// Counters of answered requests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// Every request, in arrival order of completion.
    pub log: Vec<RequestRecord>,
}

impl RequestStats {
    /// Total number of requests.
    pub fn total(&self) -> u64 {
        self.log.len() as u64
    }

    /// Requests per `"METHOD route"`.
    pub fn by_route(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for r in &self.log {
            *out.entry(format!("{} {}", r.method, r.route)).or_insert(0) += 1;
        }
        out
    }

    /// Requests with this method and route kind.
    pub fn count(&self, method: &str, route: &str) -> u64 {
        self.log
            .iter()
            .filter(|r| r.method == method && r.route == route)
            .count() as u64
    }

    /// Number of `POST /graphql` requests.
    pub fn graphql(&self) -> u64 {
        self.count("POST", "/graphql")
    }

    /// Number of REST requests (everything but `/graphql`).
    pub fn rest(&self) -> u64 {
        self.total() - self.graphql()
    }

    /// Requests answered with `status`.
    pub fn with_status(&self, status: u16) -> u64 {
        self.log.iter().filter(|r| r.status == status).count() as u64
    }
}
