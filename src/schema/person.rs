//! `people/<id>.yaml`: one person.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `people/<id>.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "orgctl person (people/<id>.yaml)")]
pub struct RawPerson {
    /// Full name as the person wants it shown.
    pub name: String,
    /// GitHub login.
    #[serde(default)]
    pub github: Option<String>,
    /// GitHub's immutable numeric user id: a renamed account is recognised by it.
    #[serde(default)]
    pub github_id: Option<u64>,
    /// A public address, a secret reference resolved only by `apply`, or `none`: the person
    /// receives no alias mail (they stay members of their teams).
    #[serde(default)]
    pub email: Option<RawEmail>,
    /// Chat handles by network (`matrix`, `discourse`, `zulip`, ...).
    #[serde(default)]
    pub chat: BTreeMap<String, String>,
    /// True when the person is not expected to belong to any team.
    #[serde(default)]
    pub inactive: bool,
}

/// A person's email: a public address, a reference to a secret, or `none`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RawEmail {
    /// `email: none`: the person receives no alias mail; aliases of their teams leave them out
    /// (tried first, so the word is never read as an address).
    NoMail(NoMail),
    /// A public address, printed anywhere.
    Address(String),
    /// A private address kept outside the repository.
    Secret(SecretRef),
}

/// The word `none` of `email: none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NoMail {
    /// Receives no alias mail.
    None,
}

/// `email: { secret: "env:VAR" }`: where `apply` finds a private address.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    /// `env:VARIABLE` or `file:PATH`.
    #[schemars(regex(pattern = r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"))]
    pub secret: String,
}
