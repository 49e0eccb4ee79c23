//! The email provider's `check` rules: what only the email provider knows to check (safe mail
//! backends, secret references the operator allows). The CLI runs them with the core's rules
//! (`crate::cli::registry`); they see the operator's settings through the context's environment.

mod email_backend;
mod secret_reference;

use crate::diagnostic::Severity::Error;
use crate::validate::Rule;

/// The email provider's rules, sorted by name.
pub const RULES: &[Rule] = &[
    Rule {
        name: "email-backend",
        severity: Error,
        summary: "org.yaml's mail backend is safe: Mailgun's API only at Mailgun's hosts, a Postfix map path postmap cannot misread, inside the directory the operator allows.",
        check: email_backend::check,
    },
    Rule {
        name: "secret-reference",
        severity: Error,
        summary: "A secret reference is one the operator allows: `env:` with the allowed prefix (default `ORGCTL_EMAIL_`), `file:` without `..` and inside ORGCTL_SECRET_DIR when set.",
        check: secret_reference::check,
    },
];
