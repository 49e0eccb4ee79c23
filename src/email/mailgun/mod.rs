//! Mailgun backend: one or more routes per alias, managed through Mailgun's Routes API.
//!
//! API (documentation.mailgun.com, "Routes" API reference and user manual):
//! `GET /v3/routes?skip=N&limit=N` lists the account's routes (`{"total_count", "items"}`;
//! routes are per account, not per domain; `limit` defaults to 100 and may not exceed 1000);
//! `POST /v3/routes` creates one from form fields `priority`, `description`, `expression` and
//! repeated `action`; `PUT /v3/routes/<id>` updates the fields given; `DELETE /v3/routes/<id>`
//! deletes. Authentication is HTTP basic with user `api` and the API key as password.
//! A route `match_recipient("^infra@nixos\.org$")` with actions `forward("a@example.com")`
//! forwards the alias. The user manual says "the length of the Filter or Action fields cannot
//! exceed 4k" and to spread more actions over several routes with the same filter: orgctl keeps
//! the actions of one route at most [`MAX_ACTION_BYTES`] long (4,000 bytes, reading "4k"
//! conservatively) and splits a long recipient list into parts.
//!
//! Only routes whose description starts with `orgctl:v1` are read as orgctl's, and only those
//! are ever updated or deleted. The description carries the marker (see the `email` module
//! doc): `orgctl:v1 alias=<address> part=<i>/<n> sha256=<16 hex of expression and actions>`
//! then one `secret=<person>:<reference>:<digest>` per private recipient of that part. A route
//! whose expression or actions no longer hash to its marker is drift. A route without the
//! marker whose expression matches exactly a desired alias is a conflict (mail would be
//! delivered twice).
//!
//! Apply converges alias by alias, in address order: `PUT` parts that differ, `POST` missing
//! parts, then `DELETE` parts no longer needed, so an alias never loses its routing in between.
//! A permanent error on one alias is recorded and apply continues with the others. Reads,
//! `PUT` and `DELETE` are retried on 429/5xx/timeouts with jittered backoff (honouring
//! `Retry-After`); `POST` is not retried (it is not idempotent), re-running apply converges.
//!
//! The HTTP wire (endpoint, requests, retries, JSON shapes, deadlines) is in `wire`; the routes
//! orgctl writes and how it reads them back (expressions, actions, markers, parts) in `routes`;
//! this file converges the aliases and keeps the apply's books.

mod routes;
mod wire;

pub use routes::MAX_ACTION_BYTES;
pub use wire::{
    API_URL_ENV, DEADLINE, DEADLINE_ENV, DEFAULT_API_URL, PAGE, PRIORITY, deadline_from_env,
    endpoint,
};

use super::bookkeeping::{self, PRIVATE_ADDRESS_CHANGED};
use super::plan::{Action, EmailPlan, Observed};
use super::{ApplyOptions, ApplyReport, EmailError, MailBackend, Resolved, resolve_table};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use routes::{observe, same, specs};
use secrecy::SecretString;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;
use wire::{Https, Route, Spec};

/// A Mailgun account's routes.
pub struct Mailgun {
    base: String,
    domain: String,
    authorization: SecretString,
    client: Client<Https, Full<Bytes>>,
    deadline: Duration,
    /// Every write request sent since the last [`Mailgun::take_exchanges`] (method, path,
    /// status, timing; never a body), for the audit record.
    exchanges: std::sync::Mutex<Vec<crate::apply::Exchange>>,
}

impl fmt::Debug for Mailgun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailgun")
            .field("base", &self.base)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl Mailgun {
    async fn observe(&self) -> Result<(Observed, BTreeMap<String, Vec<Route>>), EmailError> {
        let routes = self.list().await?;
        Ok(observe(routes))
    }

    /// Converges one alias: PUT differing parts, POST missing ones, DELETE extra ones.
    async fn converge(&self, specs: &[Spec], existing: &[Route]) -> Result<usize, EmailError> {
        let mut writes = 0;
        for (i, spec) in specs.iter().enumerate() {
            match existing.get(i) {
                Some(r) if same(r, spec) => {}
                Some(r) => {
                    self.update(&r.id, spec).await?;
                    writes += 1;
                }
                None => {
                    self.create(spec).await?;
                    writes += 1;
                }
            }
        }
        for r in existing.iter().skip(specs.len()) {
            self.delete(&r.id).await?;
            writes += 1;
        }
        Ok(writes)
    }
}

impl MailBackend for Mailgun {
    fn describe(&self) -> String {
        format!("mailgun routes ({} at {})", self.domain, self.base)
    }

    async fn read(&self) -> Result<Observed, EmailError> {
        Ok(self.observe().await?.0)
    }

    async fn apply(
        &self,
        plan: &EmailPlan,
        secrets: &Resolved,
        options: ApplyOptions,
    ) -> Result<ApplyReport, EmailError> {
        let (observed, existing) = self.observe().await?;
        bookkeeping::refuse_unsafe(plan, &observed, options)?;
        let resolved = resolve_table(&plan.desired, secrets)?;
        let desired: BTreeMap<&str, Vec<Spec>> =
            resolved.iter().map(|a| (a.address, specs(a))).collect();
        let planned = bookkeeping::planned(plan);
        let addresses: BTreeSet<&str> = desired
            .keys()
            .copied()
            .chain(existing.keys().map(String::as_str))
            .collect();
        let mut report = ApplyReport::default();
        let mut writes = 0;
        for address in addresses {
            let want = desired.get(address).map(Vec::as_slice).unwrap_or_default();
            let have = existing.get(address).map(Vec::as_slice).unwrap_or_default();
            let differs =
                want.len() != have.len() || want.iter().zip(have).any(|(s, r)| !same(r, s));
            if !differs {
                continue;
            }
            let action = match (want.is_empty(), have.is_empty()) {
                (false, true) => Action::Create,
                (true, false) => Action::Delete,
                _ => Action::Update,
            };
            let note = match planned.get(address) {
                Some(_) => None,
                None if action == Action::Update && want.len() == have.len() => {
                    Some(PRIVATE_ADDRESS_CHANGED.to_string())
                }
                None => Some("route parts rearranged".to_string()),
            };
            let result = self.converge(want, have).await;
            let error = match result {
                Ok(n) => {
                    writes += n;
                    None
                }
                Err(e) => Some(e.to_string()),
            };
            report.record(address, action, note, error);
            report.exchanges(self.take_exchanges());
        }
        report.note(format!("{writes} route write(s) to {}", self.base));
        Ok(report)
    }
}
