//! Email aliases: desired table, diff, secrets and the mail backends (Postfix map, Mailgun).
//!
//! Functional core, imperative shell. Pure: [`desired_aliases`] (the org on a date → address →
//! recipients), [`diff`] (desired vs observed → ordered [`AliasChange`]s, the
//! `email_alias["<address>"]` resources of a plan), the marker format of each backend. Shell:
//! [`MailBackend::read`] and [`MailBackend::apply`] (files, `postmap`, HTTP) and
//! [`secrets::resolve`], which reads private addresses and is called by [`apply`] only.
//!
//! # Private recipients without resolving them: the marker scheme
//!
//! `plan` never resolves a secret, yet the server holds real addresses. So whenever orgctl
//! writes an alias it also writes, beside it, what it wrote in a form plan can compare:
//!
//! - for each private recipient: the person id, the reference (`env:VAR`, percent-escaped) and
//!   a 16-hex-digit SHA-256 of the resolved address salted with the alias and the person
//!   ([`digest::secret`]). Reading the server, an address whose digest matches is shown as
//!   `alice <redacted>` and compares equal to the desired `Secret { alice, env:VAR }`; plan
//!   thus tells "unchanged" from "added"/"removed" without knowing the address.
//! - a SHA-256 of the entry exactly as written. If the entry on the server no longer hashes to
//!   it, someone edited it by hand: that is **drift**. Plan reports it; apply refuses to
//!   overwrite it unless `--allow-drift` is given. Drift is never silently overwritten.
//!
//! Postfix keeps these in `#` comment lines inside orgctl's marked block (`postfix` module);
//! Mailgun keeps them in the route's `description` (`mailgun` module). A private address that
//! changed value while its reference stayed the same cannot be seen by plan; apply, which holds
//! the values, rewrites such aliases and reports them as `private address changed`.
//!
//! Observed addresses that appear nowhere in the org files (added by hand, or belonging to a
//! person whose file was deleted) may be private: plan shows them as `<unlisted address
//! 1a2b3c4d>` ([`Observed::redact_unlisted`]).
//!
//! The bookkeeping of apply both backends share (the refusals, the report) is in `bookkeeping`,
//! the `secret=` words of both markers in `marker`.
//!
//! Apply re-reads the server first and refuses to run when its fingerprint differs from the
//! plan's (the state changed since the plan), when there is drift (unless allowed) or a
//! conflict, or when any secret fails to resolve: all before the first write.

mod bookkeeping;
pub mod changes;
pub mod digest;
pub mod expand;
pub mod mailgun;
mod marker;
pub mod plan;
pub mod postfix;
pub mod provider;
pub mod render;
pub mod results;
pub mod rules;
pub mod secrets;

pub use bookkeeping::{Applied, ApplyOptions, ApplyReport};
pub(crate) use bookkeeping::{ResolvedAlias, resolve_table};
pub use expand::{AliasTable, Recipient, desired_aliases, public_addresses};
pub use plan::{Action, AliasChange, Drift, EmailPlan, Observed, Summary, diff, resource};
pub use secrets::{Resolved, SecretErrors, SecretSource};

use crate::model::Org;
use crate::schema::{EmailBackend, RawEmailConfig};
use jiff::civil::Date;
use secrecy::SecretString;
use std::future::Future;
use std::path::PathBuf;

/// Why reading or writing aliases failed. Messages never contain a private address.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// `org.yaml` has no usable `email.backend`.
    #[error("{0}")]
    Config(String),
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What orgctl was doing (`reading`, `writing`).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The map file cannot be understood (e.g. a `# BEGIN orgctl` line without its `# END`).
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// `postmap` could not be run.
    #[error("{0}")]
    Postmap(String),
    /// Hand edits would be overwritten.
    #[error("refusing to overwrite changes made by hand since the last apply:{}\n  review them, move what should stay into the org files, then re-run with --allow-drift", list(.0))]
    Drift(Vec<Drift>),
    /// Conflicts no flag overrides.
    #[error("refusing to apply:{}", list(.0))]
    Conflict(Vec<Drift>),
    /// The server changed since the plan was made.
    #[error("the mail aliases on the server changed since the plan was made; plan again")]
    Stale,
    /// Secrets failed to resolve; nothing was written.
    #[error(transparent)]
    Secrets(#[from] SecretErrors),
    /// A value cannot be written safely (an address with a newline or comma, a recipient that
    /// was never resolved).
    #[error("{0}")]
    Invalid(String),
    /// An HTTP request failed.
    #[error("{method} {endpoint}: {message}")]
    Http {
        /// `GET`, `POST`, ...
        method: &'static str,
        /// The path, e.g. `/v3/routes`.
        endpoint: String,
        /// Status and the server's message, or the transport error.
        message: String,
    },
}

fn list(d: &[Drift]) -> String {
    d.iter().map(|d| format!("\n  ! {d}")).collect()
}

/// A mail server holding aliases. Implemented by [`postfix::Postfix`], [`mailgun::Mailgun`]
/// and [`Backend`] (which dispatches on `org.yaml`).
pub trait MailBackend {
    /// A one-line description for humans (`postfix map /etc/postfix/virtual`).
    fn describe(&self) -> String;

    /// Reads the aliases orgctl manages on the server, with drift and a fingerprint. Never
    /// resolves a secret.
    fn read(&self) -> impl Future<Output = Result<Observed, EmailError>> + Send;

    /// Makes the server hold `plan.desired` (with private addresses from `secrets`). Re-reads
    /// the server first and refuses a stale plan, drift (unless allowed) and conflicts before
    /// any write.
    fn apply(
        &self,
        plan: &EmailPlan,
        secrets: &Resolved,
        options: ApplyOptions,
    ) -> impl Future<Output = Result<ApplyReport, EmailError>> + Send;
}

/// Settings of the backends that do not belong in the org repository.
#[derive(Debug, Clone)]
pub struct BackendOptions {
    /// The `postmap` program (default `postmap`, found on `PATH`).
    pub postmap: PathBuf,
    /// `postmap -c DIR`: the Postfix configuration directory, if not the default.
    pub postfix_config_dir: Option<PathBuf>,
    /// Whether apply runs `postmap` after writing the map.
    pub run_postmap: bool,
    /// The Mailgun API key (`MAILGUN_API_KEY`).
    pub mailgun_api_key: Option<SecretString>,
}

impl Default for BackendOptions {
    fn default() -> Self {
        BackendOptions {
            postmap: PathBuf::from("postmap"),
            postfix_config_dir: None,
            run_postmap: true,
            mailgun_api_key: None,
        }
    }
}

/// The backend chosen in `org.yaml`.
#[derive(Debug)]
pub enum Backend {
    /// A Postfix virtual alias map.
    Postfix(postfix::Postfix),
    /// Mailgun routes.
    Mailgun(mailgun::Mailgun),
}

impl Backend {
    /// The backend of `org.yaml`'s `email:` block. A relative Postfix path is relative to the
    /// current directory. The Mailgun endpoint and request deadline may be overridden from the
    /// environment only ([`mailgun::API_URL_ENV`], [`mailgun::DEADLINE_ENV`]).
    pub fn from_config(
        config: Option<&RawEmailConfig>,
        options: BackendOptions,
    ) -> Result<Backend, EmailError> {
        let Some(backend) = config.and_then(|c| c.backend.as_ref()) else {
            return Err(EmailError::Config(
                "org.yaml has no `email.backend`: add `backend: {kind: postfix, path: ...}` or `{kind: mailgun, domain: ...}`"
                    .into(),
            ));
        };
        Ok(match backend {
            EmailBackend::Postfix { path } => {
                if let Some(problem) = postfix::map_path_problem(path) {
                    return Err(EmailError::Config(format!(
                        "org.yaml `email.backend.path`: {path:?} {problem}; write a plain file path such as /etc/postfix/virtual"
                    )));
                }
                let path = postfix::MapPolicy::from_env().resolve(path).map_err(|why| {
                    EmailError::Config(format!(
                        "org.yaml `email.backend.path`: {path:?} {why}; the operator decides where the map may be ({})",
                        postfix::MapPolicy::DIR_VAR
                    ))
                })?;
                Backend::Postfix(postfix::Postfix {
                    path,
                    postmap: options.postmap,
                    config_dir: options.postfix_config_dir,
                    run_postmap: options.run_postmap,
                })
            }
            EmailBackend::Mailgun {
                domain,
                region,
                api_url,
            } => {
                // The endpoint first: a refused URL is reported even without a key.
                let env = |name| std::env::var(name).ok();
                let base = mailgun::endpoint(
                    *region,
                    api_url.as_deref(),
                    env(mailgun::API_URL_ENV).as_deref(),
                )?;
                let deadline = mailgun::deadline_from_env(env(mailgun::DEADLINE_ENV).as_deref())?;
                let Some(key) = options.mailgun_api_key else {
                    return Err(EmailError::Config(
                        "the Mailgun backend needs an API key: set MAILGUN_API_KEY (or --mailgun-api-key-env)".into(),
                    ));
                };
                Backend::Mailgun(mailgun::Mailgun::new(&base, domain, key)?.with_deadline(deadline))
            }
        })
    }
}

impl MailBackend for Backend {
    fn describe(&self) -> String {
        match self {
            Backend::Postfix(b) => b.describe(),
            Backend::Mailgun(b) => b.describe(),
        }
    }

    async fn read(&self) -> Result<Observed, EmailError> {
        match self {
            Backend::Postfix(b) => b.read().await,
            Backend::Mailgun(b) => b.read().await,
        }
    }

    async fn apply(
        &self,
        plan: &EmailPlan,
        secrets: &Resolved,
        options: ApplyOptions,
    ) -> Result<ApplyReport, EmailError> {
        match self {
            Backend::Postfix(b) => b.apply(plan, secrets, options).await,
            Backend::Mailgun(b) => b.apply(plan, secrets, options).await,
        }
    }
}

/// Declared alias addresses that expand to nobody on `today` (left out of the desired table).
pub fn empty_aliases(org: &Org, desired: &AliasTable) -> Vec<String> {
    let mut out: Vec<String> = org
        .alias_sites()
        .iter()
        .map(|s| s.address.to_lowercase())
        .filter(|a| !desired.contains_key(a))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Plans the email aliases of `org` on `today` against `backend`. Reads the server; never
/// resolves a secret. The caller must have refused an org with `check` errors.
pub async fn plan(
    org: &Org,
    today: Date,
    backend: &impl MailBackend,
) -> Result<EmailPlan, EmailError> {
    let desired = desired_aliases(org, today);
    let observed = backend.read().await?;
    let mut plan = EmailPlan::new(
        backend.describe(),
        desired,
        observed,
        &public_addresses(org),
    );
    plan.empty_aliases = empty_aliases(org, &plan.desired);
    Ok(plan)
}

/// Applies `plan`: resolves every private address first (any failure: nothing is written and
/// the error names each person), then lets the backend converge.
pub async fn apply(
    plan: &EmailPlan,
    backend: &impl MailBackend,
    source: &(dyn SecretSource + Sync),
    options: ApplyOptions,
) -> Result<ApplyReport, EmailError> {
    let secrets = secrets::resolve(&plan.desired, source)?;
    backend.apply(plan, &secrets, options).await
}

/// orgctl's variables (`ORGCTL_*`) of this process's environment: the operator's settings, the
/// only place policies such as [`secrets::SecretPolicy`] come from (never the files). Values
/// that are not UTF-8 are left out.
pub fn operator_env() -> std::collections::BTreeMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| k.starts_with("ORGCTL_"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_refuses_a_map_path_postmap_would_misread() {
        for path in ["-v", "hash:/etc/postfix/virtual", "a\nb"] {
            let config = RawEmailConfig {
                domains: vec!["x.org".into()],
                backend: Some(EmailBackend::Postfix { path: path.into() }),
            };
            let e = Backend::from_config(Some(&config), BackendOptions::default())
                .expect_err(path)
                .to_string();
            assert!(e.starts_with("org.yaml `email.backend.path`: "), "{e}");
        }
    }
}
