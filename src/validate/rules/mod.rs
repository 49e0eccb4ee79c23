//! The rule registry: one module per rule, one entry per rule in [`RULES`], sorted by name.

mod alias_address_unique;
mod alias_domain;
mod alias_loop;
mod alias_recipient_address;
mod allocation_expired;
mod archived_team_members;
mod budget_allocation_unique;
mod budget_currency;
mod budget_overallocated;
mod codeowners_pattern;
mod codeowners_write_access;
mod dangling_reference;
mod duplicate_member;
mod expense_over_allocation;
mod expired_term;
mod github_admin;
mod github_id;
mod github_id_missing;
mod github_login;
mod lead_not_member;
mod member_and_alumnus;
mod member_without_github;
mod orphan_person;
mod parent_cycle;
mod person_email;
mod repo_name;
mod secret_team_nesting;
mod team_slug;
mod term_order;

pub use alias_recipient_address::looks_like_address;
pub use github_login::is_valid_login;
pub use repo_name::is_valid_repo;
pub use team_slug::{expected_slug, is_valid_slug};

use super::Rule;
use crate::diagnostic::Severity::{Error, Warning};

/// Every rule, sorted by name.
pub static RULES: &[Rule] = &[
    Rule {
        name: "alias-address-unique",
        severity: Error,
        summary: "Every alias address is declared once, across team files and alias files.",
        check: alias_address_unique::check,
    },
    Rule {
        name: "alias-domain",
        severity: Error,
        summary: "Every alias address is a valid address in one of org.yaml's email domains.",
        check: alias_domain::check,
    },
    Rule {
        name: "alias-loop",
        severity: Error,
        summary: "Aliases that include other aliases never include themselves.",
        check: alias_loop::check,
    },
    Rule {
        name: "alias-recipient-address",
        severity: Error,
        summary: "Every alias recipient resolves to an email address (people need `email:`).",
        check: alias_recipient_address::check,
    },
    Rule {
        name: "allocation-expired",
        severity: Warning,
        summary: "An allocation past its expiry date holds no unspent money.",
        check: allocation_expired::check,
    },
    Rule {
        name: "archived-team-members",
        severity: Error,
        summary: "An archived team has no leads and no members, only alumni.",
        check: archived_team_members::check,
    },
    Rule {
        name: "budget-allocation-unique",
        severity: Error,
        summary: "Allocation ids are unique within a budget.",
        check: budget_allocation_unique::check,
    },
    Rule {
        name: "budget-currency",
        severity: Error,
        summary: "Allocations and expenses that name a currency use the fund's currency.",
        check: budget_currency::check,
    },
    Rule {
        name: "budget-overallocated",
        severity: Error,
        summary: "A fund's allocations add up to no more than its total.",
        check: budget_overallocated::check,
    },
    Rule {
        name: "codeowners-pattern",
        severity: Error,
        summary: "Every `owns:` path is a pattern GitHub's CODEOWNERS supports (no `!`, `[ ]`, `\\#`, `#` or spaces).",
        check: codeowners_pattern::check,
    },
    Rule {
        name: "codeowners-write-access",
        severity: Error,
        summary: "A team that owns paths in a repository is a visible GitHub team with push, maintain or admin on it.",
        check: codeowners_write_access::check,
    },
    Rule {
        name: "dangling-reference",
        severity: Error,
        summary: "Every person, team, alias and allocation a file names exists.",
        check: dangling_reference::check,
    },
    Rule {
        name: "duplicate-member",
        severity: Error,
        summary: "Nobody is listed twice in one team's leads, members or alumni.",
        check: duplicate_member::check,
    },
    Rule {
        name: "expense-over-allocation",
        severity: Error,
        summary: "The expenses paid from an allocation add up to no more than the allocation.",
        check: expense_over_allocation::check,
    },
    Rule {
        name: "expired-term",
        severity: Warning,
        summary: "Members whose term has ended are moved to alumni.",
        check: expired_term::check,
    },
    Rule {
        name: "github-admin",
        severity: Error,
        summary: "A synced GitHub org lists at least one admin, and every admin has a GitHub login.",
        check: github_admin::check,
    },
    Rule {
        name: "github-id",
        severity: Error,
        summary: "GitHub ids are unique and belong to a person with a GitHub login.",
        check: github_id::check,
    },
    Rule {
        name: "github-id-missing",
        severity: Warning,
        summary: "A person with a GitHub login records GitHub's numeric user id, so renames are recognised.",
        check: github_id_missing::check,
    },
    Rule {
        name: "github-login",
        severity: Error,
        summary: "GitHub logins follow GitHub's rules and are unique, ignoring case.",
        check: github_login::check,
    },
    Rule {
        name: "lead-not-member",
        severity: Error,
        summary: "Every lead of a team is also one of its members.",
        check: lead_not_member::check,
    },
    Rule {
        name: "member-and-alumnus",
        severity: Error,
        summary: "Nobody is both a member and an alumnus of the same team.",
        check: member_and_alumnus::check,
    },
    Rule {
        name: "member-without-github",
        severity: Warning,
        summary: "Current members of GitHub-synced teams have a GitHub login.",
        check: member_without_github::check,
    },
    Rule {
        name: "orphan-person",
        severity: Warning,
        summary: "Every person is a current member of a team or an org admin, or is marked inactive.",
        check: orphan_person::check,
    },
    Rule {
        name: "parent-cycle",
        severity: Error,
        summary: "Following `parent:` from any team ends at a root team.",
        check: parent_cycle::check,
    },
    Rule {
        name: "person-email",
        severity: Error,
        summary: "A person's public email is a well-formed address.",
        check: person_email::check,
    },
    Rule {
        name: "repo-name",
        severity: Error,
        summary: "Repository names in `github.repos` and `owns:` are valid GitHub repository names.",
        check: repo_name::check,
    },
    Rule {
        name: "secret-team-nesting",
        severity: Error,
        summary: "A secret GitHub team has no parent and no child teams (GitHub's rule).",
        check: secret_team_nesting::check,
    },
    Rule {
        name: "team-slug",
        severity: Error,
        summary: "GitHub team slugs are valid, unique, match what GitHub derives from the name, and are not unmanaged.",
        check: team_slug::check,
    },
    Rule {
        name: "term-order",
        severity: Error,
        summary: "A term's `since` is not after its `until`, nor a budget period's start after its end.",
        check: term_order::check,
    },
];
