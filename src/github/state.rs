//! The observed state of one GitHub organisation as plain data, and its JSON
//! snapshot format (`"version": 1`, documented in `docs/state-format.md`).
//!
//! Pure: no I/O. Readers build a [`GithubState`] and call
//! [`GithubState::normalize`], which sorts every list so that two snapshots of
//! the same organisation are byte-identical and diff cleanly.

use serde::{Deserialize, Serialize};

/// Team visibility and repository permissions use the file format's types: one vocabulary
/// (REST's: `closed`/`secret`, `pull`..`admin`) from files to plans.
pub use crate::schema::{Notifications, Permission, Privacy};

/// Version of the snapshot format written by this build.
pub const STATE_FORMAT_VERSION: u32 = 1;

/// Observed state of one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GithubState {
    /// Snapshot format version, always [`STATE_FORMAT_VERSION`] when written.
    pub version: u32,
    /// Organisation login.
    pub org: String,
    /// Login of the token owner (`None` for GitHub App installation tokens).
    /// GitHub makes whoever creates a team its maintainer, so plans need it.
    #[serde(default)]
    pub viewer: Option<String>,
    /// Organisation members, sorted by login.
    pub members: Vec<OrgMember>,
    /// Pending organisation invitations, sorted by login (e-mail invitations last).
    pub invitations: Vec<Invitation>,
    /// Teams, sorted by slug.
    pub teams: Vec<Team>,
}

/// An organisation member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgMember {
    /// Login as GitHub spells it.
    pub login: String,
    /// GitHub user id.
    pub id: u64,
    /// Role in the organisation.
    pub role: OrgRole,
}

/// Role of an organisation member.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    /// Owner.
    Admin,
    /// Member.
    Member,
}

/// A pending invitation to the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    /// Invitee login; `None` for an invitation sent to an e-mail address.
    pub login: Option<String>,
    /// Invitee e-mail, only recorded when there is no login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Invitation id (what `DELETE /orgs/{org}/invitations/{id}` takes), not a user id.
    pub id: u64,
    /// Role the invitee gets on acceptance.
    pub role: InvitationRole,
}

/// Role offered by an invitation.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum InvitationRole {
    /// Owner.
    Admin,
    /// Member (REST calls it `direct_member`).
    Member,
    /// Billing manager.
    BillingManager,
    /// Hiring manager.
    HiringManager,
    /// A role this version does not know.
    #[serde(other)]
    Other,
}

impl InvitationRole {
    /// Maps the REST `role` of an organisation invitation.
    pub fn from_rest(role: &str) -> InvitationRole {
        match role {
            "admin" => InvitationRole::Admin,
            "direct_member" | "member" => InvitationRole::Member,
            "billing_manager" => InvitationRole::BillingManager,
            "hiring_manager" => InvitationRole::HiringManager,
            _ => InvitationRole::Other,
        }
    }
}

/// A team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// GitHub team id.
    pub id: u64,
    /// URL slug (derived by GitHub from the name).
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Description; an empty description is recorded as `None`.
    pub description: Option<String>,
    /// Visibility.
    pub privacy: Privacy,
    /// Slug of the parent team.
    pub parent: Option<String>,
    /// Whether the team's members are notified when it is mentioned; absent in snapshots
    /// written before orgctl read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Notifications>,
    /// Immediate members (not those inherited from child teams), sorted by login.
    pub members: Vec<TeamMember>,
    /// Repositories granted to the team itself, sorted by name.
    pub repos: Vec<TeamRepo>,
}

/// An immediate team member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    /// Login.
    pub login: String,
    /// GitHub user id.
    pub id: u64,
    /// Role in the team.
    pub role: TeamRole,
}

/// Role in a team.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// Member.
    Member,
    /// Maintainer.
    Maintainer,
}

/// A repository permission of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRepo {
    /// Repository name without the owner.
    pub name: String,
    /// Permission.
    pub permission: Permission,
}

/// A snapshot that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StateFormatError {
    /// Not JSON or not the expected shape.
    #[error("not a valid orgctl state snapshot: {0}")]
    Invalid(#[from] serde_json::Error),
    /// Written by an unknown version of the format.
    #[error(
        "state snapshot has format version {found}; this orgctl reads version {STATE_FORMAT_VERSION}"
    )]
    UnsupportedVersion {
        /// Version found in the file.
        found: u64,
    },
}

fn login_key(login: &str) -> (String, String) {
    (login.to_lowercase(), login.to_string())
}

impl GithubState {
    /// An empty state of organisation `org`.
    pub fn new(org: &str) -> GithubState {
        GithubState {
            version: STATE_FORMAT_VERSION,
            org: org.to_string(),
            viewer: None,
            members: Vec::new(),
            invitations: Vec::new(),
            teams: Vec::new(),
        }
    }

    /// Sorts every list (logins case-insensitively) and records empty
    /// descriptions as `None`, so equal states serialize identically.
    pub fn normalize(&mut self) {
        self.members.sort_by_key(|m| login_key(&m.login));
        self.invitations.sort_by(|a, b| {
            (
                a.login.is_none(),
                a.login.as_deref().map(login_key),
                &a.email,
                a.id,
            )
                .cmp(&(
                    b.login.is_none(),
                    b.login.as_deref().map(login_key),
                    &b.email,
                    b.id,
                ))
        });
        self.teams.sort_by(|a, b| a.slug.cmp(&b.slug));
        for team in &mut self.teams {
            team.members.sort_by_key(|m| login_key(&m.login));
            team.repos
                .sort_by_key(|r| (r.name.to_lowercase(), r.name.clone()));
            if team.description.as_deref() == Some("") {
                team.description = None;
            }
        }
    }

    /// The normalized snapshot as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut copy = self.clone();
        copy.normalize();
        let mut out = serde_json::to_string_pretty(&copy).unwrap_or_default();
        out.push('\n');
        out
    }

    /// Reads a snapshot, checking its format version first.
    pub fn from_json(text: &str) -> Result<GithubState, StateFormatError> {
        let raw: serde_json::Value = serde_json::from_str(text)?;
        let found = raw
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if found != u64::from(STATE_FORMAT_VERSION) {
            return Err(StateFormatError::UnsupportedVersion { found });
        }
        Ok(serde_json::from_value(raw)?)
    }

    /// SHA-256 of the normalised state without the reading account, so a plan made with a
    /// read-only token can be applied with another (the write) token.
    pub fn fingerprint(&self) -> String {
        let mut s = self.clone();
        s.normalize();
        s.viewer = None;
        crate::plan::fingerprint(&s)
    }

    /// The team with `slug`.
    pub fn team(&self, slug: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.slug == slug)
    }

    /// The member with `login` (case-insensitive).
    pub fn member(&self, login: &str) -> Option<&OrgMember> {
        self.members
            .iter()
            .find(|m| m.login.eq_ignore_ascii_case(login))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> GithubState {
        let mut s = GithubState::new("acme");
        s.viewer = Some("boss".into());
        s.members = vec![
            OrgMember {
                login: "zed".into(),
                id: 3,
                role: OrgRole::Member,
            },
            OrgMember {
                login: "Alice".into(),
                id: 2,
                role: OrgRole::Admin,
            },
        ];
        s.invitations = vec![
            Invitation {
                login: None,
                email: Some("x@example.org".into()),
                id: 9,
                role: InvitationRole::Member,
            },
            Invitation {
                login: Some("newbie".into()),
                email: None,
                id: 8,
                role: InvitationRole::Admin,
            },
        ];
        s.teams = vec![
            Team {
                id: 20,
                slug: "web".into(),
                name: "Web".into(),
                description: Some(String::new()),
                privacy: Privacy::Closed,
                parent: Some("eng".into()),
                notifications: None,
                members: vec![TeamMember {
                    login: "zed".into(),
                    id: 3,
                    role: TeamRole::Member,
                }],
                repos: vec![
                    TeamRepo {
                        name: "www".into(),
                        permission: Permission::Push,
                    },
                    TeamRepo {
                        name: "api".into(),
                        permission: Permission::Pull,
                    },
                ],
            },
            Team {
                id: 10,
                slug: "eng".into(),
                name: "Eng".into(),
                description: Some("Engineering".into()),
                privacy: Privacy::Closed,
                parent: None,
                notifications: None,
                members: Vec::new(),
                repos: Vec::new(),
            },
        ];
        s
    }

    #[test]
    fn snapshots_are_sorted_and_round_trip() {
        let s = sample();
        let json = s.to_json();
        let back = GithubState::from_json(&json).expect("parse");
        let mut normalized = s.clone();
        normalized.normalize();
        assert_eq!(back, normalized);
        assert_eq!(back.members[0].login, "Alice");
        assert_eq!(back.teams[0].slug, "eng");
        assert_eq!(back.teams[1].repos[0].name, "api");
        assert_eq!(back.teams[1].description, None);
        assert_eq!(back.invitations[0].login.as_deref(), Some("newbie"));
        assert_eq!(json, back.to_json(), "stable output");
        assert!(json.contains("\"version\": 1"));
        assert!(json.contains("\"permission\": \"push\""));
    }

    #[test]
    fn a_notification_setting_outside_the_two_is_refused() {
        let mut v = serde_json::to_value(sample()).expect("json");
        v["teams"][0]["notifications"] = "loud".into();
        let err = GithubState::from_json(&v.to_string()).expect_err("refused");
        assert!(err.to_string().contains("unknown variant `loud`"), "{err}");
        v["teams"][0]["notifications"] = "disabled".into();
        let s = GithubState::from_json(&v.to_string()).expect("read");
        assert_eq!(s.teams[0].notifications, Some(Notifications::Disabled));
    }

    #[test]
    fn versions_are_checked() {
        let err = GithubState::from_json("{\"version\": 2}").expect_err("v2");
        assert!(matches!(
            err,
            StateFormatError::UnsupportedVersion { found: 2 }
        ));
        assert!(GithubState::from_json("[]").is_err());
    }
}
