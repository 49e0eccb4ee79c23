//! Plans: the ordered list of changes that would make the live org match the files.
//!
//! A [`Plan`] is plain, versioned, serialisable data (like Terraform's plan): resource
//! [`Address`]es, an [`Action`], the resource's state before and after, plus fingerprints of the
//! desired and observed state so `apply` can refuse a stale plan, and the digest binding them.
//! Providers compute their part with pure functions (the GitHub provider's `github/desired.rs`
//! projects the model and `github/plan.rs` diffs it with the observed state; the email
//! provider hands a [`PlanPart`]); it is rendered elsewhere (`crate::render::plan`).
//! Display-only fields (`reason`) never drive apply.

pub mod address;
pub mod resource;

pub use address::Address;
pub use resource::Resource;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Version of the plan file format written by this build; `apply` refuses other versions.
/// Version 2 added `targets` and `digest` (the saved plan's content bound to its fingerprints);
/// version 3 made addresses and resources generic (provider, kind, name, index; attributes)
/// and lists each provider's fingerprints in `parts` (docs/plan-format.md).
pub const PLAN_FORMAT_VERSION: u32 = 3;

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
    /// The resources that must exist before this change runs (a team member's team, a team's
    /// parent): with `--target`, their creations in the plan run too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Address>,
}

impl Change {
    /// Attributes whose value differs, as `(name, before, after)` values, in the providers'
    /// order (the after side's first).
    pub fn changed_values(
        &self,
    ) -> Vec<(&str, Option<&serde_json::Value>, Option<&serde_json::Value>)> {
        let before: Vec<(&str, &serde_json::Value)> =
            self.before.iter().flat_map(Resource::attributes).collect();
        let after: Vec<(&str, &serde_json::Value)> =
            self.after.iter().flat_map(Resource::attributes).collect();
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for (n, _) in before.iter().chain(&after) {
            if seen.contains(n) {
                continue;
            }
            seen.push(n);
            let b = before.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
            let a = after.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
            if a != b {
                out.push((*n, b, a));
            }
        }
        out
    }

    /// Attributes whose value differs, as `(name, before, after)` as printed.
    pub fn changed_fields(&self) -> Vec<(&str, Option<String>, Option<String>)> {
        self.changed_values()
            .into_iter()
            .map(|(n, b, a)| (n, b.map(resource::display), a.map(resource::display)))
            .collect()
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
    /// The GitHub organisation (the org's name when GitHub is not planned).
    pub org: String,
    /// Each planned provider: what it changes and the fingerprints of the desired and observed
    /// state its changes were computed from, in plan order.
    pub parts: Vec<PartOrigin>,
    /// The changes, in the order apply executes them.
    pub changes: Vec<Change>,
    /// Drift and renames that the plan reports but does not change.
    pub notes: Vec<Note>,
    /// Number of removals (deletes) in `changes`.
    pub removals: usize,
    /// The org's `limits.max_removals`.
    pub max_removals: u32,
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
    /// resource (`github_org_member` selects all org members), or a resource with everything
    /// that belongs to it (`github_team.infra` also selects `github_team_member.infra[…]`,
    /// [`Address::owners`]).
    pub fn selects(&self, change: &Change) -> bool {
        if self.targets.is_empty() {
            return true;
        }
        let a = change.address.to_string();
        let owners = change.address.owners();
        self.targets
            .iter()
            .any(|t| a == *t || a.starts_with(&format!("{t}[")) || owners.contains(t))
    }

    /// Which of `changes` run: those [`Policy::selects`] picks, plus the creations in
    /// `changes` that they need ([`Change::needs`], transitively: a member's team, its
    /// parent). Returns a flag per change and the indexes added for the targets, in the order
    /// found. Everything when there are no targets.
    pub fn choose(&self, changes: &[Change]) -> (Vec<bool>, Vec<usize>) {
        let mut chosen: Vec<bool> = changes.iter().map(|c| self.selects(c)).collect();
        let mut added = Vec::new();
        if self.targets.is_empty() {
            return (chosen, added);
        }
        // The first creation of each address (a provider never plans two).
        let mut creations: std::collections::HashMap<&Address, usize> =
            std::collections::HashMap::new();
        for (i, c) in changes.iter().enumerate() {
            if c.action == Action::Create {
                creations.entry(&c.address).or_insert(i);
            }
        }
        let mut frontier: Vec<usize> = (0..changes.len()).filter(|i| chosen[*i]).collect();
        while let Some(i) = frontier.pop() {
            for j in changes[i]
                .needs
                .iter()
                .filter_map(|n| creations.get(n).copied())
            {
                if !chosen[j] {
                    chosen[j] = true;
                    added.push(j);
                    frontier.push(j);
                }
            }
        }
        (chosen, added)
    }
}

/// One provider's part of a plan, as the provider computed it from its own types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPart {
    /// The changes, in the order the provider executes them.
    pub changes: Vec<Change>,
    /// Drift and other findings the plan reports but does not change.
    pub notes: Vec<Note>,
    /// The provider, what it changes and its fingerprints.
    pub origin: PartOrigin,
}

/// What one provider's part of a plan was computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartOrigin {
    /// The provider (`github`, `email`).
    pub provider: String,
    /// What it changes (`GitHub organisation acme`, `postfix map ./virtual`).
    pub target: String,
    /// SHA-256 of the desired state (the org files as the provider interprets them).
    /// `apply plan.json` recomputes it and refuses the plan if the files changed since.
    pub desired_fingerprint: String,
    /// Fingerprint of the observed live state the changes were computed against (SHA-256 hex;
    /// email's is `absent` while the Postfix map does not exist). `apply plan.json` reads the
    /// live state again and refuses the plan if it changed since.
    pub observed_fingerprint: String,
}

/// Prefix of [`Plan::digest`].
const DIGEST_PREFIX: &str = "sha256:";

impl Plan {
    /// A plan of no provider yet, for organisation `org` with removal limit `max_removals`.
    pub fn new(org: &str, max_removals: u32) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            orgctl_version: env!("CARGO_PKG_VERSION").to_string(),
            org: org.to_string(),
            parts: Vec::new(),
            changes: Vec::new(),
            notes: Vec::new(),
            removals: 0,
            max_removals,
            targets: Vec::new(),
            digest: String::new(),
        }
    }

    /// Adds a provider's part: its changes `policy` chooses (the targeted ones and the
    /// creations they need, [`Policy::choose`]), its notes and its origin.
    pub fn add_part(&mut self, part: PlanPart, policy: &Policy) {
        let (chosen, _) = policy.choose(&part.changes);
        self.changes.extend(
            part.changes
                .into_iter()
                .zip(chosen)
                .filter_map(|(c, keep)| keep.then_some(c)),
        );
        self.notes.extend(part.notes);
        self.removals = removals(&self.changes);
        self.parts.push(part.origin);
        self.targets.clone_from(&policy.targets);
    }

    /// The origin of `provider`'s part, when the plan has one.
    pub fn part(&self, provider: &str) -> Option<&PartOrigin> {
        self.parts.iter().find(|p| p.provider == provider)
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
    /// apply acts on or checks (organisation, each provider's target and fingerprints, targets,
    /// the ordered changes with their before, after and needs, notes, removal counts) is
    /// covered.
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
        // Decided on the whole values; the message shows them shortened.
        if self.parts != fresh.parts {
            why.push(format!(
                "`parts` is {} in the plan file, {} now",
                parts(&self.parts),
                parts(&fresh.parts)
            ));
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

/// The parts as one line for refusal messages: `github: GitHub organisation acme (e3b0…/8f2a…)`.
fn parts(parts: &[PartOrigin]) -> String {
    let short = |f: &str| f.get(..12).unwrap_or(f).to_string();
    let each: Vec<String> = parts
        .iter()
        .map(|p| {
            format!(
                "{}: {} ({}/{})",
                p.provider,
                p.target,
                short(&p.desired_fingerprint),
                short(&p.observed_fingerprint)
            )
        })
        .collect();
    format!("[{}]", each.join("; "))
}

/// Each distinct change (by its canonical JSON) with how often it occurs. Linear-logarithmic,
/// so comparing two plans of 20,000 changes stays instant.
fn counted(changes: &[Change]) -> std::collections::BTreeMap<String, (usize, &Change)> {
    let mut out = std::collections::BTreeMap::new();
    for c in changes {
        // Canonical (keys sorted): attribute order is display only.
        let key = serde_json::to_value(c)
            .map(|v| v.to_string())
            .unwrap_or_default();
        out.entry(key).or_insert((0, c)).0 += 1;
    }
    out
}

/// `(role = maintainer, user_id = 7)`: the desired fields of a change, for refusal messages.
/// Hidden ids are named too, so two changes differing only in an id read differently.
fn describe(c: &Change) -> String {
    let Some(r) = c.after.as_ref().or(c.before.as_ref()) else {
        return String::new();
    };
    let mut parts: Vec<String> = r
        .fields()
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    parts.extend(
        r.ids
            .iter()
            .map(|(k, v)| format!("{k} = {}", resource::display(v))),
    );
    if parts.is_empty() {
        String::new()
    } else {
        format!("({})", parts.join(", "))
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

    fn member(login: &str, role: &str) -> Change {
        Change {
            address: Address::named_indexed("github", "team_member", "infra", login),
            action: Action::Create,
            before: None,
            after: Some(Resource::new().with("role", role).with_id("user_id", 7)),
            reason: Some("teams/infra.yaml".into()),
            needs: vec![Address::named("github", "team", "infra")],
        }
    }

    fn plan() -> Plan {
        let mut p = Plan::new("example", 5);
        p.changes = vec![member("ann", "member"), member("bo", "maintainer")];
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
            |p: &mut Plan| p.changes[1].after = Some(Resource::new().with("role", "member")),
            |p: &mut Plan| p.changes[1].after = Some(Resource::new().with("role", "maintainer")),
            |p: &mut Plan| p.changes[0].needs.clear(),
            |p: &mut Plan| p.changes.swap(0, 1),
            |p: &mut Plan| p.max_removals = 50,
            |p: &mut Plan| p.targets.push("github_team.infra".into()),
            |p: &mut Plan| {
                p.parts.push(PartOrigin {
                    provider: "github".into(),
                    target: "GitHub organisation example".into(),
                    desired_fingerprint: "0".repeat(64),
                    observed_fingerprint: "0".repeat(64),
                })
            },
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
        saved.changes[0] = member("mallory", "maintainer");
        saved.changes.push(saved.changes[1].clone());
        let why = saved.binding_mismatch(&fresh).expect("differs");
        assert_eq!(
            why,
            vec![
                "+ github_team_member.infra[\"bo\"] appears 2 times in the plan file".to_string(),
                "+ github_team_member.infra[\"mallory\"] (role = maintainer, user_id = 7) is in the plan file but the files and live state do not call for it".to_string(),
                "+ github_team_member.infra[\"ann\"] (role = member, user_id = 7) is called for but missing from the plan file".to_string(),
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

#[cfg(test)]
mod selection_tests {
    use super::*;

    fn change(address: Address) -> Change {
        Change {
            address,
            action: Action::Create,
            before: None,
            after: None,
            reason: None,
            needs: Vec::new(),
        }
    }

    #[test]
    fn a_target_selects_the_address_its_instances_and_what_belongs_to_it() {
        let policy = |t: &str| Policy {
            targets: vec![t.to_string()],
        };
        let member = change(Address::named_indexed("github", "team_member", "web", "a"));
        let team = change(Address::named("github", "team", "web"));
        let other = change(Address::named("github", "team", "webmasters"));
        let invite = change(Address::indexed("github", "org_member", "a"));
        assert!(policy("github_team.web").selects(&member));
        assert!(policy("github_team.web").selects(&team));
        assert!(!policy("github_team.web").selects(&other));
        assert!(!policy("github_team.web").selects(&invite));
        assert!(policy("github_org_member").selects(&invite));
        assert!(policy("github_team_member.web").selects(&member));
        assert!(!policy("github_team_member.web[\"b\"]").selects(&member));
        assert!(Policy::default().selects(&other));
    }

    #[test]
    fn a_targeted_plan_keeps_the_creations_its_changes_need() {
        let mut member = change(Address::named_indexed("p", "team_member", "web", "a"));
        member.needs = vec![Address::named("p", "team", "web")];
        let mut web = change(Address::named("p", "team", "web"));
        web.needs = vec![Address::named("p", "team", "eng")];
        let eng = change(Address::named("p", "team", "eng"));
        let ops = change(Address::named("p", "team", "ops"));
        let part = PlanPart {
            changes: vec![eng, ops, web, member],
            notes: Vec::new(),
            origin: PartOrigin {
                provider: "p".into(),
                target: "t".into(),
                desired_fingerprint: String::new(),
                observed_fingerprint: String::new(),
            },
        };
        let mut plan = Plan::new("acme", 5);
        let policy = Policy {
            targets: vec!["p_team_member.web[\"a\"]".into()],
        };
        plan.add_part(part, &policy);
        let got: Vec<String> = plan.changes.iter().map(|c| c.address.to_string()).collect();
        assert_eq!(
            got,
            ["p_team.eng", "p_team.web", "p_team_member.web[\"a\"]"]
        );
    }
}
