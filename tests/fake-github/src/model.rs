//! The fake's state: one organisation as GitHub stores it (members, invitations,
//! repositories, teams), with the validation rules GitHub documents.
//!
//! Everything here is pure data and pure functions; the HTTP layer translates
//! requests into these operations and [`ApiError`]s into responses. Logins and
//! repository names are case-insensitive on GitHub, so the maps are keyed by the
//! lowercased name and the canonical spelling is kept in [`User`] / [`Repo`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Role of an organisation member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgRole {
    /// Organisation owner.
    Admin,
    /// Ordinary member.
    Member,
}

impl OrgRole {
    /// REST spelling (`admin` / `member`).
    pub fn rest(self) -> &'static str {
        match self {
            OrgRole::Admin => "admin",
            OrgRole::Member => "member",
        }
    }
}

/// Role of a team member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// Ordinary team member.
    Member,
    /// Team maintainer.
    Maintainer,
}

impl TeamRole {
    /// REST spelling (`member` / `maintainer`).
    pub fn rest(self) -> &'static str {
        match self {
            TeamRole::Member => "member",
            TeamRole::Maintainer => "maintainer",
        }
    }

    /// Parses the REST spelling.
    pub fn parse(s: &str) -> Option<TeamRole> {
        match s {
            "member" => Some(TeamRole::Member),
            "maintainer" => Some(TeamRole::Maintainer),
            _ => None,
        }
    }
}

/// Team visibility (REST vocabulary; GraphQL calls `closed` `VISIBLE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    /// Visible to every organisation member.
    Closed,
    /// Visible only to owners and team members.
    Secret,
}

impl Privacy {
    /// REST spelling.
    pub fn rest(self) -> &'static str {
        match self {
            Privacy::Closed => "closed",
            Privacy::Secret => "secret",
        }
    }

    /// Parses the REST spelling.
    pub fn parse(s: &str) -> Option<Privacy> {
        match s {
            "closed" => Some(Privacy::Closed),
            "secret" => Some(Privacy::Secret),
            _ => None,
        }
    }
}

/// Permission of a team on a repository, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read.
    Pull,
    /// Triage.
    Triage,
    /// Write.
    Push,
    /// Maintain.
    Maintain,
    /// Admin.
    Admin,
}

impl Permission {
    /// REST spelling.
    pub fn rest(self) -> &'static str {
        match self {
            Permission::Pull => "pull",
            Permission::Triage => "triage",
            Permission::Push => "push",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        }
    }

    /// `role_name` spelling used in repository bodies.
    pub fn role_name(self) -> &'static str {
        match self {
            Permission::Pull => "read",
            Permission::Triage => "triage",
            Permission::Push => "write",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        }
    }

    /// GraphQL `RepositoryPermission` spelling.
    pub fn graphql(self) -> &'static str {
        match self {
            Permission::Pull => "READ",
            Permission::Triage => "TRIAGE",
            Permission::Push => "WRITE",
            Permission::Maintain => "MAINTAIN",
            Permission::Admin => "ADMIN",
        }
    }

    /// Parses the REST spelling.
    pub fn parse(s: &str) -> Option<Permission> {
        match s {
            "pull" => Some(Permission::Pull),
            "triage" => Some(Permission::Triage),
            "push" => Some(Permission::Push),
            "maintain" => Some(Permission::Maintain),
            "admin" => Some(Permission::Admin),
            _ => None,
        }
    }
}

/// Role recorded on an organisation invitation (REST vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationRole {
    /// Will become an owner.
    Admin,
    /// Will become a member (`member` in membership vocabulary).
    DirectMember,
    /// Billing manager.
    BillingManager,
}

impl InvitationRole {
    /// REST spelling.
    pub fn rest(self) -> &'static str {
        match self {
            InvitationRole::Admin => "admin",
            InvitationRole::DirectMember => "direct_member",
            InvitationRole::BillingManager => "billing_manager",
        }
    }
}

/// REST spellings of a team's `notification_setting`, the request enum of
/// `POST /orgs/{org}/teams` (OAS `teams/create`, "Default:
/// `notifications_enabled`") and `PATCH /orgs/{org}/teams/{team_slug}` (OAS
/// `teams/update-in-org`); see `github-api-notes.md` §2.
pub const NOTIFICATION_SETTINGS: [&str; 2] = ["notifications_enabled", "notifications_disabled"];

/// GraphQL `TeamNotificationSetting` value (`NOTIFICATIONS_ENABLED` /
/// `NOTIFICATIONS_DISABLED`, GitHub's schema `enum TeamNotificationSetting`)
/// for a REST `notification_setting`; `None` for anything else.
pub fn notification_setting_graphql(rest: &str) -> Option<&'static str> {
    match rest {
        "notifications_enabled" => Some("NOTIFICATIONS_ENABLED"),
        "notifications_disabled" => Some("NOTIFICATIONS_DISABLED"),
        _ => None,
    }
}

/// Checks a requested `notification_setting` against the documented enum;
/// another value is a 422 `validation_failed` (the 422 both operations declare).
fn check_notification_setting(setting: Option<&str>) -> Result<(), ApiError> {
    match setting {
        Some(s) if !NOTIFICATION_SETTINGS.contains(&s) => {
            Err(validation("Team", "notification_setting", "invalid", None))
        }
        _ => Ok(()),
    }
}

/// A GitHub account known to the fake (anyone who can be invited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Canonical login.
    pub login: String,
    /// Database id.
    pub id: u64,
}

/// A repository owned by the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repo {
    /// Database id.
    pub id: u64,
    /// Canonical name (without owner).
    pub name: String,
    /// Whether the repository is private.
    pub private: bool,
}

/// A pending organisation invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Invitation id (not the user's id).
    pub id: u64,
    /// Lowercased login of the invitee, `None` for an e-mail invitation.
    pub login: Option<String>,
    /// E-mail of the invitee for e-mail invitations.
    pub email: Option<String>,
    /// Role the invitee gets on acceptance.
    pub role: InvitationRole,
    /// Teams (by id) the invitee joins on acceptance, with the role there.
    pub teams: BTreeMap<u64, TeamRole>,
}

/// A team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// Database id.
    pub id: u64,
    /// GraphQL node id.
    pub node_id: String,
    /// Display name, unique in the organisation.
    pub name: String,
    /// URL slug derived from the name.
    pub slug: String,
    /// Description, `None` when never set.
    pub description: Option<String>,
    /// Visibility.
    pub privacy: Privacy,
    /// `notifications_enabled` / `notifications_disabled` (REST spelling; GraphQL
    /// serves it as `TeamNotificationSetting`, see [`notification_setting_graphql`]).
    pub notification_setting: String,
    /// Default repository permission of the team (`pull`).
    pub permission: String,
    /// Parent team id.
    pub parent: Option<u64>,
    /// Immediate members keyed by lowercased login.
    pub members: BTreeMap<String, TeamRole>,
    /// Repositories keyed by lowercased name.
    pub repos: BTreeMap<String, Permission>,
}

/// Result of adding someone to a team or to the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipState {
    /// The person is a member now.
    Active,
    /// An invitation is pending.
    Pending,
}

impl MembershipState {
    /// REST spelling.
    pub fn rest(self) -> &'static str {
        match self {
            MembershipState::Active => "active",
            MembershipState::Pending => "pending",
        }
    }
}

/// Fields of a team creation request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewTeam {
    /// Name (required).
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Privacy; `None` = GitHub's default (secret, or closed when nested).
    pub privacy: Option<Privacy>,
    /// Parent team id.
    pub parent: Option<u64>,
    /// Logins to add as maintainers.
    pub maintainers: Vec<String>,
    /// Repositories as `org/repo`.
    pub repo_names: Vec<String>,
    /// Permission for `repo_names` (default pull).
    pub permission: Option<Permission>,
    /// Notification setting; `None` = GitHub's default, `notifications_enabled`.
    pub notification_setting: Option<String>,
}

/// A change to a team; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamPatch {
    /// New name (changes the slug).
    pub name: Option<String>,
    /// New description (`Some(None)` clears it).
    pub description: Option<Option<String>>,
    /// New privacy.
    pub privacy: Option<Privacy>,
    /// New parent (`Some(None)` removes the parent).
    pub parent: Option<Option<u64>>,
    /// New notification setting.
    pub notification_setting: Option<String>,
    /// New default permission.
    pub permission: Option<String>,
}

/// The whole state of the fake: one organisation and the accounts around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FakeState {
    /// Organisation login.
    pub org: String,
    /// Organisation database id.
    pub org_id: u64,
    /// Login of the default token owner (the "viewer").
    pub viewer: String,
    /// Every account, keyed by lowercased login.
    pub users: BTreeMap<String, User>,
    /// Organisation members keyed by lowercased login.
    pub members: BTreeMap<String, OrgRole>,
    /// Pending organisation invitations.
    pub invitations: Vec<Invitation>,
    /// Repositories of the organisation keyed by lowercased name.
    pub repos: BTreeMap<String, Repo>,
    /// Teams keyed by id.
    pub teams: BTreeMap<u64, Team>,
    /// Next id handed out for any new object.
    pub next_id: u64,
}

/// Derives a team slug from its name as GitHub documents it: special characters
/// replaced, words lowercased, spaces turned into `-` (`"My TEam Näme"` becomes
/// `my-team-name`). Underscores are kept; runs of separators collapse to one `-`.
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars().flat_map(fold_char) {
        if c.is_ascii_alphanumeric() || c == '_' {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    out
}

/// Folds common Latin letters with diacritics to ASCII; other characters pass.
fn fold_char(c: char) -> Vec<char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        _ => return vec![c],
    };
    folded.chars().collect()
}

/// Lowercased key for logins and repository names.
pub fn key(s: &str) -> String {
    s.to_lowercase()
}

fn validation(resource: &str, field: &str, code: &str, message: Option<&str>) -> ApiError {
    ApiError::validation(resource, field, code, message)
}

impl FakeState {
    /// An organisation `org` whose only member is `viewer`, an owner.
    pub fn new(org: &str, viewer: &str) -> FakeState {
        let mut state = FakeState {
            org: org.to_string(),
            org_id: 1,
            viewer: viewer.to_string(),
            users: BTreeMap::new(),
            members: BTreeMap::new(),
            invitations: Vec::new(),
            repos: BTreeMap::new(),
            teams: BTreeMap::new(),
            next_id: 100,
        };
        state.add_member(viewer, OrgRole::Admin);
        state
    }

    fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Adds an account to the directory (idempotent) and returns its id.
    pub fn add_user(&mut self, login: &str) -> u64 {
        if let Some(user) = self.users.get(&key(login)) {
            return user.id;
        }
        let id = self.fresh_id();
        self.users.insert(
            key(login),
            User {
                login: login.to_string(),
                id,
            },
        );
        id
    }

    /// Adds `login` to the directory and to the organisation with `role`.
    pub fn add_member(&mut self, login: &str, role: OrgRole) -> u64 {
        let id = self.add_user(login);
        self.members.insert(key(login), role);
        id
    }

    /// Adds a repository to the organisation (idempotent) and returns its id.
    pub fn add_repo(&mut self, name: &str) -> u64 {
        if let Some(repo) = self.repos.get(&key(name)) {
            return repo.id;
        }
        let id = self.fresh_id();
        self.repos.insert(
            key(name),
            Repo {
                id,
                name: name.to_string(),
                private: false,
            },
        );
        id
    }

    /// Creates a `closed` team with `name` under the parent with slug `parent`
    /// (no creator is added as maintainer, unlike the REST endpoint).
    pub fn add_team(&mut self, name: &str, parent: Option<&str>) -> Result<u64, ApiError> {
        let parent = match parent {
            Some(slug) => Some(self.team_by_slug(slug).ok_or(ApiError::NotFound)?.id),
            None => None,
        };
        self.create_team(
            NewTeam {
                name: name.to_string(),
                parent,
                privacy: Some(Privacy::Closed),
                ..NewTeam::default()
            },
            None,
        )
    }

    /// Sets the immediate membership of `login` (an organisation member) in
    /// team `slug`.
    pub fn set_team_member(
        &mut self,
        slug: &str,
        login: &str,
        role: TeamRole,
    ) -> Result<(), ApiError> {
        let login = key(login);
        if !self.users.contains_key(&login) {
            return Err(ApiError::NotFound);
        }
        let team = self.team_by_slug_mut(slug).ok_or(ApiError::NotFound)?;
        team.members.insert(login, role);
        Ok(())
    }

    /// Grants team `slug` `permission` on repository `repo`.
    pub fn set_team_repo(
        &mut self,
        slug: &str,
        repo: &str,
        permission: Permission,
    ) -> Result<(), ApiError> {
        let repo = key(repo);
        if !self.repos.contains_key(&repo) {
            return Err(validation(
                "Team",
                "repo",
                "custom",
                Some("Repository is not owned by the organization"),
            ));
        }
        let team = self.team_by_slug_mut(slug).ok_or(ApiError::NotFound)?;
        team.repos.insert(repo, permission);
        Ok(())
    }

    /// Records a pending invitation of `login` (added to the directory) and
    /// returns the invitation id.
    pub fn invite(&mut self, login: &str, role: InvitationRole) -> u64 {
        self.add_user(login);
        if let Some(inv) = self.invitation_mut(login) {
            inv.role = role;
            return inv.id;
        }
        let id = self.fresh_id();
        self.invitations.push(Invitation {
            id,
            login: Some(key(login)),
            email: None,
            role,
            teams: BTreeMap::new(),
        });
        id
    }

    /// Simulates `login` accepting their invitation: they become a member with
    /// the invited role and join the invitation's teams. Returns false when no
    /// invitation exists.
    pub fn accept_invitation(&mut self, login: &str) -> bool {
        let k = key(login);
        let Some(pos) = self
            .invitations
            .iter()
            .position(|i| i.login.as_deref() == Some(k.as_str()))
        else {
            return false;
        };
        let inv = self.invitations.remove(pos);
        let role = match inv.role {
            InvitationRole::Admin => OrgRole::Admin,
            _ => OrgRole::Member,
        };
        self.members.insert(k.clone(), role);
        for (team_id, team_role) in inv.teams {
            if let Some(team) = self.teams.get_mut(&team_id) {
                team.members.insert(k.clone(), team_role);
            }
        }
        true
    }

    /// Looks up an account case-insensitively.
    pub fn user(&self, login: &str) -> Option<&User> {
        self.users.get(&key(login))
    }

    /// Looks up a team by slug.
    pub fn team_by_slug(&self, slug: &str) -> Option<&Team> {
        self.teams
            .values()
            .find(|t| t.slug.eq_ignore_ascii_case(slug))
    }

    /// Looks up a team by slug for modification.
    pub fn team_by_slug_mut(&mut self, slug: &str) -> Option<&mut Team> {
        self.teams
            .values_mut()
            .find(|t| t.slug.eq_ignore_ascii_case(slug))
    }

    /// The pending invitation of `login`, if any.
    pub fn invitation(&self, login: &str) -> Option<&Invitation> {
        let k = key(login);
        self.invitations
            .iter()
            .find(|i| i.login.as_deref() == Some(k.as_str()))
    }

    fn invitation_mut(&mut self, login: &str) -> Option<&mut Invitation> {
        let k = key(login);
        self.invitations
            .iter_mut()
            .find(|i| i.login.as_deref() == Some(k.as_str()))
    }

    /// Ids of the teams below `id` (children, grandchildren, …).
    pub fn descendants(&self, id: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut frontier = vec![id];
        while let Some(current) = frontier.pop() {
            for team in self.teams.values().filter(|t| t.parent == Some(current)) {
                out.push(team.id);
                frontier.push(team.id);
            }
        }
        out
    }

    /// Ids of the teams above `id`, nearest first.
    pub fn ancestors(&self, id: u64) -> Vec<u64> {
        let mut out = Vec::new();
        let mut current = self.teams.get(&id).and_then(|t| t.parent);
        while let Some(p) = current {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            current = self.teams.get(&p).and_then(|t| t.parent);
        }
        out
    }

    /// Children of team `id`, by name.
    pub fn children(&self, id: u64) -> Vec<&Team> {
        let mut children: Vec<&Team> = self
            .teams
            .values()
            .filter(|t| t.parent == Some(id))
            .collect();
        children.sort_by_key(|t| (t.name.to_lowercase(), t.id));
        children
    }

    /// Teams sorted by name (case-insensitive), the order of REST listings.
    pub fn teams_by_name(&self) -> Vec<&Team> {
        let mut teams: Vec<&Team> = self.teams.values().collect();
        teams.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        teams
    }

    fn check_name_free(&self, name: &str, except: Option<u64>) -> Result<String, ApiError> {
        if name.trim().is_empty() {
            return Err(validation("Team", "name", "missing_field", None));
        }
        let slug = slugify(name);
        if slug.is_empty() {
            return Err(validation(
                "Team",
                "name",
                "invalid",
                Some("Name must contain at least one letter or digit"),
            ));
        }
        let clash = self
            .teams
            .values()
            .any(|t| Some(t.id) != except && (t.name.eq_ignore_ascii_case(name) || t.slug == slug));
        if clash {
            return Err(validation(
                "Team",
                "name",
                "custom",
                Some("Name must be unique for this org"),
            ));
        }
        Ok(slug)
    }

    fn check_parent(
        &self,
        team: Option<u64>,
        parent: u64,
        privacy: Privacy,
    ) -> Result<(), ApiError> {
        let Some(p) = self.teams.get(&parent) else {
            return Err(validation(
                "Team",
                "parent_team_id",
                "invalid",
                Some("Parent team does not exist"),
            ));
        };
        if p.privacy == Privacy::Secret {
            return Err(validation(
                "Team",
                "parent_team_id",
                "invalid",
                Some("You cannot change a team's parent to a secret team"),
            ));
        }
        if privacy == Privacy::Secret {
            return Err(validation(
                "Team",
                "privacy",
                "invalid",
                Some("Secret teams cannot be nested under parent teams"),
            ));
        }
        if let Some(id) = team {
            if id == parent || self.descendants(id).contains(&parent) {
                return Err(validation(
                    "Team",
                    "parent_team_id",
                    "invalid",
                    Some("You cannot nest a parent team beneath one of its child teams"),
                ));
            }
        }
        Ok(())
    }

    /// Creates a team as `POST /orgs/{org}/teams` does; `creator` (the token
    /// owner) becomes a maintainer. Returns the new team's id.
    pub fn create_team(&mut self, new: NewTeam, creator: Option<&str>) -> Result<u64, ApiError> {
        let slug = self.check_name_free(&new.name, None)?;
        check_notification_setting(new.notification_setting.as_deref())?;
        let privacy = new.privacy.unwrap_or(if new.parent.is_some() {
            Privacy::Closed
        } else {
            Privacy::Secret
        });
        if let Some(parent) = new.parent {
            self.check_parent(None, parent, privacy)?;
        }
        let mut members = BTreeMap::new();
        for login in &new.maintainers {
            let k = key(login);
            if !self.members.contains_key(&k) {
                return Err(validation(
                    "Team",
                    "maintainers",
                    "invalid",
                    Some("Maintainers must be organization members"),
                ));
            }
            members.insert(k, TeamRole::Maintainer);
        }
        if let Some(creator) = creator {
            members.insert(key(creator), TeamRole::Maintainer);
        }
        let permission = new.permission.unwrap_or(Permission::Pull);
        let mut repos = BTreeMap::new();
        for full in &new.repo_names {
            let name = match full.split_once('/') {
                Some((owner, name)) if owner.eq_ignore_ascii_case(&self.org) => name,
                _ => {
                    return Err(validation(
                        "Team",
                        "repo_names",
                        "invalid",
                        Some("Repositories must be owned by the organization"),
                    ));
                }
            };
            if !self.repos.contains_key(&key(name)) {
                return Err(validation(
                    "Team",
                    "repo_names",
                    "invalid",
                    Some("Repositories must be owned by the organization"),
                ));
            }
            repos.insert(key(name), permission);
        }
        let id = self.fresh_id();
        self.teams.insert(
            id,
            Team {
                id,
                node_id: format!("T_kwDOAA{id:06}"),
                name: new.name,
                slug,
                description: new.description,
                privacy,
                // OAS `teams/create` `notification_setting`: "Default: `notifications_enabled`".
                notification_setting: new
                    .notification_setting
                    .unwrap_or_else(|| "notifications_enabled".into()),
                permission: "pull".into(),
                parent: new.parent,
                members,
                repos,
            },
        );
        Ok(id)
    }

    /// Applies a PATCH to team `id`; returns whether anything changed.
    pub fn update_team(&mut self, id: u64, patch: TeamPatch) -> Result<bool, ApiError> {
        let current = self.teams.get(&id).cloned().ok_or(ApiError::NotFound)?;
        check_notification_setting(patch.notification_setting.as_deref())?;
        let mut next = current.clone();
        if let Some(name) = patch.name {
            if name != current.name {
                next.slug = self.check_name_free(&name, Some(id))?;
            }
            next.name = name;
        }
        if let Some(description) = patch.description {
            next.description = description;
        }
        if let Some(parent) = patch.parent {
            next.parent = parent;
        }
        if let Some(privacy) = patch.privacy {
            next.privacy = privacy;
        }
        // OAS `teams/update-in-org`: "Editing teams without specifying this
        // parameter leaves `notification_setting` intact."
        if let Some(setting) = patch.notification_setting {
            next.notification_setting = setting;
        }
        if let Some(permission) = patch.permission {
            next.permission = permission;
        }
        if let Some(parent) = next.parent {
            self.check_parent(Some(id), parent, next.privacy)?;
        }
        if next.privacy == Privacy::Secret && self.teams.values().any(|t| t.parent == Some(id)) {
            return Err(validation(
                "Team",
                "privacy",
                "invalid",
                Some("A team with child teams cannot be secret"),
            ));
        }
        let changed = next != current;
        self.teams.insert(id, next);
        Ok(changed)
    }

    /// Deletes team `id` and, as GitHub documents, all of its child teams.
    pub fn delete_team(&mut self, id: u64) -> Result<(), ApiError> {
        if !self.teams.contains_key(&id) {
            return Err(ApiError::NotFound);
        }
        let mut doomed = self.descendants(id);
        doomed.push(id);
        for t in &doomed {
            self.teams.remove(t);
        }
        for inv in &mut self.invitations {
            inv.teams.retain(|t, _| !doomed.contains(t));
        }
        Ok(())
    }

    /// Adds or updates a team membership as
    /// `PUT /orgs/{org}/teams/{slug}/memberships/{user}` does: organisation
    /// members join at once, others get a pending organisation invitation.
    pub fn put_team_membership(
        &mut self,
        team_id: u64,
        login: &str,
        role: TeamRole,
    ) -> Result<MembershipState, ApiError> {
        let k = key(login);
        if !self.users.contains_key(&k) {
            return Err(ApiError::NotFound);
        }
        if !self.teams.contains_key(&team_id) {
            return Err(ApiError::NotFound);
        }
        if self.members.contains_key(&k) {
            if let Some(team) = self.teams.get_mut(&team_id) {
                team.members.insert(k, role);
            }
            return Ok(MembershipState::Active);
        }
        self.invite(login, InvitationRole::DirectMember);
        if let Some(inv) = self.invitation_mut(login) {
            inv.teams.insert(team_id, role);
        }
        Ok(MembershipState::Pending)
    }

    /// Removes `login` from team `team_id` (also from a pending invitation to
    /// it). Removing someone who is not in the team is a no-op.
    pub fn remove_team_membership(&mut self, team_id: u64, login: &str) -> Result<(), ApiError> {
        let k = key(login);
        let team = self.teams.get_mut(&team_id).ok_or(ApiError::NotFound)?;
        team.members.remove(&k);
        if let Some(inv) = self.invitation_mut(login) {
            inv.teams.remove(&team_id);
        }
        Ok(())
    }

    /// Sets an organisation membership as `PUT /orgs/{org}/memberships/{user}`
    /// does: members change role, others get (or update) an invitation.
    pub fn put_org_membership(
        &mut self,
        login: &str,
        role: OrgRole,
    ) -> Result<MembershipState, ApiError> {
        let k = key(login);
        if !self.users.contains_key(&k) {
            return Err(ApiError::NotFound);
        }
        if let Some(current) = self.members.get_mut(&k) {
            *current = role;
            return Ok(MembershipState::Active);
        }
        let inv_role = match role {
            OrgRole::Admin => InvitationRole::Admin,
            OrgRole::Member => InvitationRole::DirectMember,
        };
        self.invite(login, inv_role);
        Ok(MembershipState::Pending)
    }

    /// Removes a member (from every team too) or cancels their invitation.
    /// Returns false when `login` was neither.
    pub fn remove_org_membership(&mut self, login: &str) -> bool {
        let k = key(login);
        let was_member = self.members.remove(&k).is_some();
        if was_member {
            for team in self.teams.values_mut() {
                team.members.remove(&k);
            }
        }
        let before = self.invitations.len();
        self.invitations
            .retain(|i| i.login.as_deref() != Some(k.as_str()));
        was_member || before != self.invitations.len()
    }

    /// Members of team `id`: immediate members first, then (flagged
    /// `inherited`) members of child teams who are not immediate members.
    pub fn team_members_with_children(&self, id: u64) -> Vec<(String, TeamRole, bool)> {
        let mut out: BTreeMap<String, (TeamRole, bool)> = BTreeMap::new();
        if let Some(team) = self.teams.get(&id) {
            for (login, role) in &team.members {
                out.insert(login.clone(), (*role, false));
            }
        }
        for child in self.descendants(id) {
            if let Some(team) = self.teams.get(&child) {
                for (login, role) in &team.members {
                    out.entry(login.clone()).or_insert((*role, true));
                }
            }
        }
        out.into_iter().map(|(l, (r, i))| (l, r, i)).collect()
    }

    /// Permission of team `id` on `repo`, looking through parent teams as the
    /// REST check endpoint does.
    pub fn team_repo_permission(&self, id: u64, repo: &str) -> Option<Permission> {
        let k = key(repo);
        std::iter::once(id)
            .chain(self.ancestors(id))
            .filter_map(|t| {
                self.teams
                    .get(&t)
                    .and_then(|team| team.repos.get(&k).copied())
            })
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_documented_example() {
        assert_eq!(slugify("My TEam Näme"), "my-team-name");
        assert_eq!(slugify("Monkeys & Bananas"), "monkeys-bananas");
        assert_eq!(slugify("core_devs"), "core_devs");
        assert_eq!(slugify("  Infra  "), "infra");
    }

    #[test]
    fn delete_cascades_and_names_are_unique() {
        let mut s = FakeState::new("acme", "boss");
        let a = s.add_team("A", None).expect("a");
        s.add_team("B", Some("a")).expect("b");
        s.add_team("C", Some("b")).expect("c");
        assert!(s.add_team("a", None).is_err());
        s.delete_team(a).expect("delete");
        assert!(s.teams.is_empty());
    }
}
