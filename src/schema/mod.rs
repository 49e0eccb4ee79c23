//! The file types: what a YAML file under `org/` may contain, exactly as written.
//!
//! These `Raw*` types are the single source of truth for the format: serde reads them and schemars
//! derives the JSON Schemas in `schemas/` from them (`orgctl schema`). They hold no resolved
//! references; `crate::model` turns them into the checked model. Stage: load.

mod money;
mod org;
mod person;
mod team;

pub use money::Money;
pub use org::{EmailBackend, MailgunRegion, RawEmailConfig, RawGithubOrg, RawLimits, RawOrg};
pub use person::{NoMail, RawEmail, RawPerson, SecretRef};
pub use team::{
    AddressRecipient, AliasRecipient, AliasTarget, Notifications, Permission, PersonRecipient,
    Privacy, RawAlias, RawAllocation, RawBudget, RawExpense, RawMemberTerm, RawOwns, RawPeriod,
    RawRecipient, RawTeam, RawTeamAlias, RawTeamGithub, RawTeamMember, TeamKind, TeamRecipient,
};

use schemars::Schema;

/// The kinds of file in an org directory, each with its own schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// `org.yaml`: the organisation itself.
    Org,
    /// `people/<id>.yaml`.
    Person,
    /// `teams/<id>.yaml`.
    Team,
    /// `aliases/<id>.yaml`.
    Alias,
    /// `budgets/<id>.yaml`.
    Budget,
}

impl FileKind {
    /// Every kind, in schema-file order.
    pub const ALL: [FileKind; 5] = [
        FileKind::Org,
        FileKind::Person,
        FileKind::Team,
        FileKind::Alias,
        FileKind::Budget,
    ];

    /// The kind's short name, used for schema file names (`team.schema.json`).
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Org => "org",
            FileKind::Person => "person",
            FileKind::Team => "team",
            FileKind::Alias => "alias",
            FileKind::Budget => "budget",
        }
    }

    /// The directory holding files of this kind, relative to the org root (`None` for `org.yaml`).
    pub fn dir(self) -> Option<&'static str> {
        match self {
            FileKind::Org => None,
            FileKind::Person => Some("people"),
            FileKind::Team => Some("teams"),
            FileKind::Alias => Some("aliases"),
            FileKind::Budget => Some("budgets"),
        }
    }

    /// The kind whose files live in directory `dir`.
    pub fn from_dir(dir: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.dir() == Some(dir))
    }

    /// The JSON Schema (draft 2020-12) of this kind, generated from the Rust type.
    pub fn schema(self) -> Schema {
        let mut schema = match self {
            FileKind::Org => schemars::schema_for!(RawOrg),
            FileKind::Person => schemars::schema_for!(RawPerson),
            FileKind::Team => schemars::schema_for!(RawTeam),
            FileKind::Alias => schemars::schema_for!(RawAlias),
            FileKind::Budget => schemars::schema_for!(RawBudget),
        };
        schema.insert(
            "$id".to_owned(),
            format!("https://orgctl.dev/schemas/{}.schema.json", self.name()).into(),
        );
        schema
    }

    /// The schema file name in `schemas/`.
    pub fn schema_file_name(self) -> String {
        format!("{}.schema.json", self.name())
    }
}

/// The regular expression every id (file stem) must match.
pub const ID_PATTERN: &str = "^[a-z0-9][a-z0-9-]{0,63}$";

/// Whether `s` is a valid id: lowercase ASCII letters, digits and hyphens, not starting with a
/// hyphen, 1 to 64 characters.
pub fn is_valid_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0] != b'-'
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// Schema of an id reference, shared by every field that names a person, team or alias.
pub(crate) fn id_schema(_: &mut schemars::SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "string",
        "pattern": ID_PATTERN,
        "description": "An id: the file stem of the referenced file (lowercase letters, digits, hyphens)."
    })
}

/// Schema of a list of id references.
pub(crate) fn id_list_schema(g: &mut schemars::SchemaGenerator) -> Schema {
    let item = id_schema(g);
    schemars::json_schema!({ "type": "array", "items": item })
}

/// Schema of an optional id reference.
pub(crate) fn opt_id_schema(g: &mut schemars::SchemaGenerator) -> Schema {
    id_schema(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_valid_id("alice"));
        assert!(is_valid_id("a-1"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id("Alice"));
        assert!(!is_valid_id("a_b"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id(&"a".repeat(65)));
    }
}
