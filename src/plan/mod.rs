//! Plans: the ordered list of changes that would make the live org match the files.
//!
//! A [`Plan`] is plain, versioned, serialisable data (like Terraform's plan): resource
//! [`Address`]es, an [`Action`], the resource's state before and after, plus fingerprints of the
//! desired and observed state so `apply` can refuse a stale plan, and the digest binding them.
//! Providers compute their part with pure functions (the GitHub provider's `github/desired.rs`
//! projects the model and `github/plan.rs` diffs it with the observed state; the email
//! provider hands a [`PlanPart`]); it is rendered elsewhere (`crate::render::plan`).
//! Display-only fields (`reason`) never drive apply.

use crate::github::state::{OrgRole, TeamRole};
use crate::schema::{Permission, Privacy};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Version of the plan file format written by this build; `apply` refuses other versions.
/// Version 2 added `targets` and `digest` (the saved plan's content bound to its fingerprints).
pub const PLAN_FORMAT_VERSION: u32 = 2;

/// The address of one managed resource, printed Terraform-style (`github_team.infra`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Address {
    /// A GitHub team.
    GithubTeam {
        /// Team slug.
        slug: String,
    },
    /// A person's membership of a GitHub team.
    GithubTeamMember {
        /// Team slug.
        slug: String,
        /// User login.
        login: String,
    },
    /// A team's permission on a repository.
    GithubTeamRepo {
        /// Team slug.
        slug: String,
        /// Repository name.
        repo: String,
    },
    /// A person's membership of the GitHub organisation.
    GithubOrgMember {
        /// User login.
        login: String,
    },
    /// An email alias.
    EmailAlias {
        /// The alias address.
        address: String,
    },
}

impl Address {
    /// The team slug this address belongs to, for grouping output.
    pub fn team(&self) -> Option<&str> {
        match self {
            Address::GithubTeam { slug }
            | Address::GithubTeamMember { slug, .. }
            | Address::GithubTeamRepo { slug, .. } => Some(slug),
            _ => None,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::GithubTeam { slug } => write!(f, "github_team.{slug}"),
            Address::GithubTeamMember { slug, login } => {
                write!(f, "github_team_member.{slug}[\"{login}\"]")
            }
            Address::GithubTeamRepo { slug, repo } => {
                write!(f, "github_team_repo.{slug}[\"{repo}\"]")
            }
            Address::GithubOrgMember { login } => write!(f, "github_org_member[\"{login}\"]"),
            Address::EmailAlias { address } => write!(f, "email_alias[\"{address}\"]"),
        }
    }
}

/// What a change does.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create (or invite).
    Create,
    /// Change fields in place.
    Update,
    /// Remove.
    Delete,
}

impl Action {
    /// Terraform's symbol: `+`, `~`, `-`.
    pub fn symbol(self) -> char {
        match self {
            Action::Create => '+',
            Action::Update => '~',
            Action::Delete => '-',
        }
    }
}

/// The state of one resource, as desired or as observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Resource {
    /// A team.
    GithubTeam {
        /// Display name on GitHub.
        name: String,
        /// Description.
        description: Option<String>,
        /// Visibility.
        privacy: Privacy,
        /// Parent team slug.
        parent: Option<String>,
    },
    /// A team membership.
    GithubTeamMember {
        /// GitHub user id, when known.
        user_id: Option<u64>,
        /// Member or maintainer.
        role: TeamRole,
    },
    /// A team's repository permission.
    GithubTeamRepo {
        /// Permission.
        permission: Permission,
    },
    /// An org membership.
    GithubOrgMember {
        /// GitHub user id, when known.
        user_id: Option<u64>,
        /// Admin or member.
        role: OrgRole,
        /// True while the invitation is not accepted.
        pending: bool,
    },
    /// An email alias (recipients as displayed: private ones redacted).
    EmailAlias {
        /// Recipients, sorted.
        recipients: Vec<String>,
    },
}

impl Resource {
    /// `(field, value)` pairs for display and field-level diffs.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "(none)".into());
        match self {
            Resource::GithubTeam {
                name,
                description,
                privacy,
                parent,
            } => vec![
                ("name", name.clone()),
                ("description", opt(description)),
                ("privacy", format!("{privacy:?}").to_lowercase()),
                ("parent", opt(parent)),
            ],
            Resource::GithubTeamMember { role, .. } => {
                vec![("role", format!("{role:?}").to_lowercase())]
            }
            Resource::GithubTeamRepo { permission } => {
                vec![("permission", format!("{permission:?}").to_lowercase())]
            }
            Resource::GithubOrgMember { role, pending, .. } => {
                let mut v = vec![("role", format!("{role:?}").to_lowercase())];
                if *pending {
                    v.push(("state", "pending invitation".into()));
                }
                v
            }
            Resource::EmailAlias { recipients } => vec![("recipients", recipients.join(", "))],
        }
    }
}

/// One planned change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// What it changes.
    pub address: Address,
    /// How.
    pub action: Action,
    /// The observed state (absent for a create).
    pub before: Option<Resource>,
    /// The desired state (absent for a delete).
    pub after: Option<Resource>,
    /// Why, for people (display only; apply never reads it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Change {
    /// Fields whose value differs, as `(field, before, after)`.
    pub fn changed_fields(&self) -> Vec<(&'static str, Option<String>, Option<String>)> {
        let before = self
            .before
            .as_ref()
            .map(Resource::fields)
            .unwrap_or_default();
        let after = self
            .after
            .as_ref()
            .map(Resource::fields)
            .unwrap_or_default();
        let mut names: Vec<&'static str> = before.iter().chain(&after).map(|(n, _)| *n).collect();
        names.dedup();
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for n in names {
            if seen.contains(&n) {
                continue;
            }
            seen.push(n);
            let b = before.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone());
            let a = after.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone());
            if a != b {
                out.push((n, b, a));
            }
        }
        out
    }
}

/// Something found on the live side that the plan does not change, worth a reviewer's look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The resource concerned.
    pub address: Address,
    /// What was found and what to do.
    pub message: String,
}

/// Counts of a plan, Terraform's summary line.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Summary {
    /// Creates.
    pub add: usize,
    /// Updates.
    pub change: usize,
    /// Deletes.
    pub destroy: usize,
}

/// A complete plan.
///
/// A saved plan is bound to what it was computed from: [`Plan::digest`] covers every field apply
/// acts on, and `apply plan.json` recomputes the plan from the files and live state and refuses
/// unless it is this one (see [`Plan::binding_mismatch`]). Unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// [`PLAN_FORMAT_VERSION`].
    pub format_version: u32,
    /// The orgctl version that made it.
    pub orgctl_version: String,
    /// The GitHub organisation.
    pub org: String,
    /// SHA-256 of the desired state (the org files as interpreted).
    pub desired_fingerprint: String,
    /// SHA-256 of the observed live state the plan was computed against.
    pub observed_fingerprint: String,
    /// The changes, in the order apply executes them.
    pub changes: Vec<Change>,
    /// Drift and renames that the plan reports but does not change.
    pub notes: Vec<Note>,
    /// Number of removals (deletes) in `changes`.
    pub removals: usize,
    /// The org's `limits.max_removals`.
    pub max_removals: u32,
    /// The email backend the `email_alias` changes are for, when email is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_backend: Option<String>,
    /// Fingerprint of the desired email aliases (secrets as references), when email is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_desired_fingerprint: Option<String>,
    /// Fingerprint of the observed email aliases, when email is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_observed_fingerprint: Option<String>,
    /// The `--target` addresses the plan was restricted to (empty: everything). `apply`
    /// recomputes a saved plan with the same selection.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// `sha256:` digest of the plan's content ([`Plan::content_digest`]), written by
    /// [`Plan::to_json`]; `apply` refuses a saved plan whose content does not match it.
    #[serde(default)]
    pub digest: String,
}

/// Options of planning that do not come from the files.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Only changes whose address is listed (`--target`); empty = all.
    pub targets: Vec<String>,
}

impl Policy {
    /// Whether `--target` selects this change: the exact address, every `[...]` instance of a
    /// resource (`github_org_member` selects all org members), or a whole team
    /// (`github_team.infra` also selects its members and repositories).
    pub fn selects(&self, change: &Change) -> bool {
        if self.targets.is_empty() {
            return true;
        }
        let a = change.address.to_string();
        self.targets.iter().any(|t| {
            a == *t
                || a.starts_with(&format!("{t}["))
                || change
                    .address
                    .team()
                    .is_some_and(|slug| t.strip_prefix("github_team.") == Some(slug))
        })
    }
}

/// One provider's part of a plan, as the provider computed it from its own types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPart {
    /// The changes, in the order the provider executes them.
    pub changes: Vec<Change>,
    /// Drift and other findings the plan reports but does not change.
    pub notes: Vec<Note>,
    /// Where the changes go (`postfix map /etc/postfix/virtual`).
    pub backend: String,
    /// Fingerprint of the desired state the changes were computed from.
    pub desired_fingerprint: String,
    /// Fingerprint of the observed state the changes were computed against.
    pub observed_fingerprint: String,
}

/// Prefix of [`Plan::digest`].
const DIGEST_PREFIX: &str = "sha256:";

impl Plan {
    /// A plan with no GitHub part (an org that only manages email).
    pub fn without_github(org: &str, max_removals: u32) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            orgctl_version: env!("CARGO_PKG_VERSION").to_string(),
            org: org.to_string(),
            desired_fingerprint: fingerprint(&()),
            observed_fingerprint: fingerprint(&()),
            changes: Vec::new(),
            notes: Vec::new(),
            removals: 0,
            max_removals,
            email_backend: None,
            email_desired_fingerprint: None,
            email_observed_fingerprint: None,
            targets: Vec::new(),
            digest: String::new(),
        }
    }

    /// Adds the email provider's part (changes selected by `policy`, its notes and
    /// fingerprints; the email provider's `email/changes.rs` computes it). The plan document keeps
    /// its `email_*` fields for it (docs/plan-format.md).
    pub fn add_email(&mut self, part: PlanPart, policy: &Policy) {
        self.changes
            .extend(part.changes.into_iter().filter(|c| policy.selects(c)));
        self.notes.extend(part.notes);
        self.removals = removals(&self.changes);
        self.email_backend = Some(part.backend);
        self.email_desired_fingerprint = Some(part.desired_fingerprint);
        self.email_observed_fingerprint = Some(part.observed_fingerprint);
        self.targets.clone_from(&policy.targets);
    }

    /// Counts by action.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.destroy += 1,
            }
        }
        s
    }

    /// Whether apply needs `--allow-removals N` to run this plan.
    pub fn needs_override(&self) -> bool {
        self.removals > self.max_removals as usize
    }

    /// The plan as versioned pretty JSON, with its [`digest`](Plan::digest) computed now.
    pub fn to_json(&self) -> String {
        let mut sealed = self.clone();
        sealed.digest = self.content_digest();
        let mut s = serde_json::to_string_pretty(&sealed).unwrap_or_default();
        s.push('\n');
        s
    }

    /// `sha256:` and the SHA-256 of the plan's content: its canonical JSON without `digest`,
    /// `orgctl_version` (informational) and each change's `reason` (display only). Everything
    /// apply acts on or checks (organisation, fingerprints, targets, the ordered changes with
    /// their before and after, notes, removal counts, the email backend) is covered.
    pub fn content_digest(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("digest");
            map.remove("orgctl_version");
            if let Some(changes) = map.get_mut("changes").and_then(|c| c.as_array_mut()) {
                for change in changes {
                    if let Some(c) = change.as_object_mut() {
                        c.remove("reason");
                    }
                }
            }
        }
        format!("{DIGEST_PREFIX}{}", fingerprint(&value))
    }

    /// Whether the recorded digest matches the content (a saved plan that was not edited).
    pub fn digest_matches(&self) -> bool {
        self.digest == self.content_digest()
    }

    /// Why `self` (a saved plan) is not the plan `fresh` that the files and live state produce
    /// now, or `None` when they agree on everything apply acts on (reasons and notes, display
    /// only, may differ). `None` for `fresh` computed with the saved plan's `targets`, its
    /// fingerprints already checked, means apply executes exactly what was reviewed.
    pub fn binding_mismatch(&self, fresh: &Plan) -> Option<Vec<String>> {
        let strip = |changes: &[Change]| -> Vec<Change> {
            changes
                .iter()
                .map(|c| Change {
                    reason: None,
                    ..c.clone()
                })
                .collect()
        };
        let saved_changes = strip(&self.changes);
        let fresh_changes = strip(&fresh.changes);
        let mut why = Vec::new();
        for (field, saved, now) in [
            ("org", self.org.clone(), fresh.org.clone()),
            (
                "max_removals",
                self.max_removals.to_string(),
                fresh.max_removals.to_string(),
            ),
            (
                "removals",
                self.removals.to_string(),
                fresh.removals.to_string(),
            ),
            ("targets", self.targets.join(", "), fresh.targets.join(", ")),
        ] {
            if saved != now {
                why.push(format!("`{field}` is {saved} in the plan file, {now} now"));
            }
        }
        if saved_changes != fresh_changes {
            let saved_counts = counted(&saved_changes);
            let fresh_counts = counted(&fresh_changes);
            for (key, (n, c)) in &saved_counts {
                let wanted = fresh_counts.get(key).map_or(0, |(m, _)| *m);
                if wanted == 0 {
                    why.push(format!(
                        "{} {} {} is in the plan file but the files and live state do not call for it",
                        c.action.symbol(),
                        c.address,
                        describe(c)
                    ));
                } else if *n > wanted {
                    why.push(format!(
                        "{} {} appears {n} times in the plan file",
                        c.action.symbol(),
                        c.address
                    ));
                }
            }
            for (key, (_, c)) in &fresh_counts {
                if !saved_counts.contains_key(key) {
                    why.push(format!(
                        "{} {} {} is called for but missing from the plan file",
                        c.action.symbol(),
                        c.address,
                        describe(c)
                    ));
                }
            }
            if why.is_empty() {
                why.push("the changes are in another order".to_string());
            }
        }
        (!why.is_empty()).then_some(why)
    }
}

/// Each distinct change (by its canonical JSON) with how often it occurs. Linear-logarithmic,
/// so comparing two plans of 20,000 changes stays instant.
fn counted(changes: &[Change]) -> std::collections::BTreeMap<String, (usize, &Change)> {
    let mut out = std::collections::BTreeMap::new();
    for c in changes {
        let key = serde_json::to_string(c).unwrap_or_default();
        out.entry(key).or_insert((0, c)).0 += 1;
    }
    out
}

/// `(role = maintainer)`: the desired fields of a change, for refusal messages.
fn describe(c: &Change) -> String {
    let fields = c.after.as_ref().or(c.before.as_ref()).map(Resource::fields);
    match fields {
        Some(f) if !f.is_empty() => {
            let parts: Vec<String> = f.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("({})", parts.join(", "))
        }
        _ => String::new(),
    }
}

/// How many of `changes` remove something (the plan's `removals`, the guard's count).
pub fn removals(changes: &[Change]) -> usize {
    changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .count()
}

/// Hex SHA-256 of the canonical JSON of `value`.
pub fn fingerprint<T: Serialize>(value: &T) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(login: &str, role: TeamRole) -> Change {
        Change {
            address: Address::GithubTeamMember {
                slug: "infra".into(),
                login: login.into(),
            },
            action: Action::Create,
            before: None,
            after: Some(Resource::GithubTeamMember {
                user_id: Some(7),
                role,
            }),
            reason: Some("teams/infra.yaml".into()),
        }
    }

    fn plan() -> Plan {
        let mut p = Plan::without_github("example", 5);
        p.changes = vec![
            member("ann", TeamRole::Member),
            member("bo", TeamRole::Maintainer),
        ];
        p
    }

    #[test]
    fn the_digest_covers_what_apply_acts_on_and_not_reasons() {
        let p = plan();
        let sealed: Plan = serde_json::from_str(&p.to_json()).expect("json");
        assert!(sealed.digest.starts_with("sha256:"));
        assert!(sealed.digest_matches());
        let mut reasons = sealed.clone();
        reasons.changes[0].reason = Some("edited".into());
        reasons.orgctl_version = "9.9.9".into();
        assert!(
            reasons.digest_matches(),
            "display-only fields are not covered"
        );
        for edit in [
            |p: &mut Plan| {
                p.changes[1].after = Some(Resource::GithubTeamMember {
                    user_id: Some(7),
                    role: TeamRole::Member,
                })
            },
            |p: &mut Plan| p.changes.swap(0, 1),
            |p: &mut Plan| p.max_removals = 50,
            |p: &mut Plan| p.targets.push("github_team.infra".into()),
            |p: &mut Plan| p.observed_fingerprint = "0".repeat(64),
            |p: &mut Plan| p.changes.pop().map_or((), drop),
        ] {
            let mut edited = sealed.clone();
            edit(&mut edited);
            assert!(!edited.digest_matches(), "{edited:?}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut v: serde_json::Value = serde_json::from_str(&plan().to_json()).expect("json");
        v["changes"][0]["run"] = "rm -rf /".into();
        assert!(serde_json::from_value::<Plan>(v).is_err());
    }

    #[test]
    fn binding_mismatch_names_each_difference() {
        let fresh = plan();
        assert_eq!(fresh.binding_mismatch(&fresh), None);
        let mut reasons = fresh.clone();
        reasons.changes[0].reason = None;
        assert_eq!(reasons.binding_mismatch(&fresh), None);

        let mut saved = fresh.clone();
        saved.changes[0] = member("mallory", TeamRole::Maintainer);
        saved.changes.push(saved.changes[1].clone());
        let why = saved.binding_mismatch(&fresh).expect("differs");
        assert_eq!(
            why,
            vec![
                "+ github_team_member.infra[\"bo\"] appears 2 times in the plan file".to_string(),
                "+ github_team_member.infra[\"mallory\"] (role = maintainer) is in the plan file but the files and live state do not call for it".to_string(),
                "+ github_team_member.infra[\"ann\"] (role = member) is called for but missing from the plan file".to_string(),
            ]
        );
        let mut reordered = fresh.clone();
        reordered.changes.reverse();
        assert_eq!(
            reordered.binding_mismatch(&fresh),
            Some(vec!["the changes are in another order".to_string()])
        );
        let mut limit = fresh.clone();
        limit.max_removals = 100;
        assert_eq!(
            limit.binding_mismatch(&fresh),
            Some(vec![
                "`max_removals` is 100 in the plan file, 5 now".to_string()
            ])
        );
    }
}
