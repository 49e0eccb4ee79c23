//! `teams/<id>.yaml`: one team, working group, committee or board.

use jiff::civil::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `teams/<id>.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "orgctl team (teams/<id>.yaml)")]
pub struct RawTeam {
    /// Display name.
    pub name: String,
    /// What the team does, shown in reports.
    #[serde(default)]
    pub description: Option<String>,
    /// What kind of group this is.
    #[serde(default)]
    pub kind: TeamKind,
    /// The parent team's id.
    #[serde(default)]
    #[schemars(schema_with = "super::opt_id_schema")]
    pub parent: Option<String>,
    /// Archived teams keep their alumni but have no leads or members.
    #[serde(default)]
    pub archived: bool,
    /// Person ids of the leads; each must also be a member. Leads are GitHub team maintainers.
    #[serde(default)]
    #[schemars(schema_with = "super::id_list_schema")]
    pub leads: Vec<String>,
    /// Current members: person ids, or mappings with a role and a term.
    #[serde(default)]
    pub members: Vec<RawTeamMember>,
    /// Former members.
    #[serde(default)]
    #[schemars(schema_with = "super::id_list_schema")]
    pub alumni: Vec<String>,
    /// How the team appears on GitHub; omit and it is not synced.
    #[serde(default)]
    pub github: Option<RawTeamGithub>,
    /// Email aliases of the team.
    #[serde(default)]
    pub email: Vec<RawTeamAlias>,
    /// Repositories and paths the team owns.
    #[serde(default)]
    pub owns: Vec<RawOwns>,
}

/// What kind of group a team is.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TeamKind {
    /// A team (the default).
    #[default]
    Team,
    /// A working group with a limited mandate.
    WorkingGroup,
    /// A committee (steering, moderation...).
    Committee,
    /// A board (foundation board).
    Board,
    /// A special-interest group.
    Sig,
    /// A project team.
    Project,
}

impl TeamKind {
    /// The kind as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            TeamKind::Team => "team",
            TeamKind::WorkingGroup => "working-group",
            TeamKind::Committee => "committee",
            TeamKind::Board => "board",
            TeamKind::Sig => "sig",
            TeamKind::Project => "project",
        }
    }
}

/// One entry of `members:`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RawTeamMember {
    /// A person id.
    Id(#[schemars(schema_with = "super::id_schema")] String),
    /// A person with a role and an optional term.
    Detailed(RawMemberTerm),
}

/// A member written as a mapping: a person with a role and an optional term.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMemberTerm {
    /// The person id.
    #[schemars(schema_with = "super::id_schema")]
    pub person: String,
    /// A free-form role (chair, secretary, ...).
    #[serde(default)]
    pub role: Option<String>,
    /// First day of the term (inclusive).
    #[serde(default)]
    pub since: Option<Date>,
    /// Last day of the term (inclusive).
    #[serde(default)]
    pub until: Option<Date>,
}

/// The `github:` block of a team.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTeamGithub {
    /// The GitHub team slug (default: the team id).
    #[serde(default)]
    pub slug: Option<String>,
    /// The GitHub team's display name (default: the slug, so that a team orgctl creates gets
    /// exactly that slug: GitHub derives a new team's slug from its name).
    #[serde(default)]
    pub name: Option<String>,
    /// The GitHub team description (default: the team's description).
    #[serde(default)]
    pub description: Option<String>,
    /// Who can see the team.
    #[serde(default)]
    pub privacy: Privacy,
    /// Repository name → permission.
    #[serde(default)]
    pub repos: BTreeMap<String, Permission>,
    /// Whether GitHub notifies the team's members when the team is mentioned (GitHub's
    /// `notification_setting`). Default: not managed (GitHub's value is left as it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notifications: Option<Notifications>,
}

/// A GitHub team's notification setting.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Notifications {
    /// Everyone in the team is notified when it is mentioned (GitHub's default for a new team).
    Enabled,
    /// No one is notified (large teams).
    Disabled,
}

/// GitHub team privacy.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Privacy {
    /// Visible to every member of the organisation (GraphQL `VISIBLE`).
    #[default]
    Closed,
    /// Visible only to its members and owners; cannot be nested.
    Secret,
}

/// A team's permission on a repository (GitHub's REST names).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Permission {
    /// Read.
    Pull,
    /// Read and manage issues and pull requests.
    Triage,
    /// Write.
    Push,
    /// Write and manage the repository without destructive actions.
    Maintain,
    /// Full control.
    Admin,
}

impl Permission {
    /// Maps a GraphQL `RepositoryPermission`.
    pub fn from_graphql(p: &str) -> Option<Permission> {
        Some(match p {
            "READ" => Permission::Pull,
            "TRIAGE" => Permission::Triage,
            "WRITE" => Permission::Push,
            "MAINTAIN" => Permission::Maintain,
            "ADMIN" => Permission::Admin,
            _ => return None,
        })
    }

    /// The strongest permission whose REST `permissions` flag is set.
    pub fn from_flags(admin: bool, maintain: bool, push: bool, triage: bool) -> Permission {
        if admin {
            Permission::Admin
        } else if maintain {
            Permission::Maintain
        } else if push {
            Permission::Push
        } else if triage {
            Permission::Triage
        } else {
            Permission::Pull
        }
    }

    /// The REST name (`push`).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Pull => "pull",
            Permission::Triage => "triage",
            Permission::Push => "push",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        }
    }
}

/// One alias of a team (`email:` entry).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTeamAlias {
    /// The address, in one of the org's email domains.
    pub address: String,
    /// Who receives mail: all current members or only the leads.
    #[serde(default)]
    pub to: AliasTarget,
    /// Also the members of child teams (recursively).
    #[serde(default)]
    pub include_subteams: bool,
    /// Additional recipients.
    #[serde(default)]
    pub extra: Vec<RawRecipient>,
}

/// Which part of a team receives a team alias.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AliasTarget {
    /// All current members (leads included).
    #[default]
    Members,
    /// Only the leads.
    Leads,
}

/// One recipient of an alias.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RawRecipient {
    /// A person (their email address).
    Person(PersonRecipient),
    /// A team's current members (or leads).
    Team(TeamRecipient),
    /// Another alias (by id), expanded.
    Alias(AliasRecipient),
    /// An external address, verbatim.
    Address(AddressRecipient),
}

/// `- person: ID`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonRecipient {
    /// Person id.
    #[schemars(schema_with = "super::id_schema")]
    pub person: String,
}

/// `- team: ID`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRecipient {
    /// Team id.
    #[schemars(schema_with = "super::id_schema")]
    pub team: String,
    /// Only the leads.
    #[serde(default)]
    pub leads_only: bool,
    /// Also the members of child teams (recursively).
    #[serde(default)]
    pub include_subteams: bool,
}

/// `- alias: ID`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AliasRecipient {
    /// Alias id.
    #[schemars(schema_with = "super::id_schema")]
    pub alias: String,
}

/// `- address: ADDRESS`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressRecipient {
    /// An external address.
    pub address: String,
}

/// One `owns:` entry.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOwns {
    /// Repository name in the org (`nixpkgs`).
    pub repo: String,
    /// CODEOWNERS-style path patterns; empty means the whole repository.
    #[serde(default)]
    pub paths: Vec<String>,
}

/// `aliases/<id>.yaml`: a cross-team alias.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "orgctl alias (aliases/<id>.yaml)")]
pub struct RawAlias {
    /// The address, in one of the org's email domains.
    pub address: String,
    /// What the alias is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Who receives mail sent to it.
    #[schemars(length(min = 1))]
    pub recipients: Vec<RawRecipient>,
}

/// `budgets/<id>.yaml`: a fund with its allocations and expenses.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "orgctl budget (budgets/<id>.yaml)")]
pub struct RawBudget {
    /// Display name of the fund.
    pub name: String,
    /// Where the money comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// ISO 4217 currency code.
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
    /// The fund's total.
    pub total: super::Money,
    /// The period the fund covers.
    #[serde(default)]
    pub period: Option<RawPeriod>,
    /// The team that approves spending.
    #[schemars(schema_with = "super::id_schema")]
    pub approvers: String,
    /// Money set aside for teams.
    #[serde(default)]
    pub allocations: Vec<RawAllocation>,
    /// Money spent.
    #[serde(default)]
    pub expenses: Vec<RawExpense>,
}

/// A budget period.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

/// An allocation of a fund to a team.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAllocation {
    /// Unique within the budget; expenses refer to it.
    #[schemars(schema_with = "super::id_schema")]
    pub id: String,
    /// The team receiving the money.
    #[schemars(schema_with = "super::id_schema")]
    pub team: String,
    /// How much.
    pub amount: super::Money,
    /// What for.
    pub purpose: String,
    /// After this day the unspent rest returns to the fund.
    #[serde(default)]
    pub expires: Option<Date>,
    /// Currency, when given: must equal the fund's.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: Option<String>,
}

/// A recorded expense.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpense {
    /// The allocation it is paid from.
    #[schemars(schema_with = "super::id_schema")]
    pub allocation: String,
    /// When it was paid.
    pub date: Date,
    /// How much.
    pub amount: super::Money,
    /// What it was.
    pub description: String,
    /// Invoice or transaction reference.
    #[serde(default)]
    pub reference: Option<String>,
    /// Currency, when given: must equal the fund's.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: Option<String>,
}
