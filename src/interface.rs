//! The provider interface: what the core asks of every service orgctl manages (GitHub, email;
//! next Zulip, Discourse), and how a provider describes itself.
//!
//! Part of the core: it names no provider. Each provider implements [`Provider`] in its own
//! folder (`github/provider.rs`, `email/provider.rs`); the shell's registry (`cli/registry.rs`)
//! lists them, and `plan` and `apply` drive them all through this trait. See docs/providers.md.

use crate::apply::{ApplyReport, Progress};
use crate::model::Org;
use crate::plan::{Address, Change, PlanPart};
use jiff::civil::Date;
use std::future::Future;
use std::pin::Pin;

/// A provider's description: its name, what it is, and its resource kinds.
#[derive(Debug)]
pub struct Description {
    /// The name in addresses and `--provider` (`github`).
    pub name: &'static str,
    /// The service as people say it (`GitHub`), for messages.
    pub title: &'static str,
    /// One line for `--provider`'s help (`GitHub: organisation members, teams, …`).
    pub about: &'static str,
    /// What org.yaml must have for it, as in "org.yaml has no …" (`` `github:` block ``).
    pub configured_by: &'static str,
    /// How messages name what it reads of the files (`the org files`, `the email aliases in
    /// the org files`).
    pub desired: &'static str,
    /// How messages name its live side (`GitHub`, `the mail server`).
    pub live: &'static str,
    /// What its account is called when it names the plan's organisation (`GitHub
    /// organisation`); `None` for a provider without one.
    pub account_noun: Option<&'static str>,
    /// Its resource kinds.
    pub kinds: &'static [Kind],
    /// Whether the org files configure it (`github:` in org.yaml, `email.backend`).
    pub configured: fn(&Org) -> bool,
}

/// One resource kind of a provider.
#[derive(Debug)]
pub struct Kind {
    /// The kind's name (`team_member`): addresses print `<provider>_<kind>`.
    pub name: &'static str,
    /// One line for people (`a person's membership of a team`).
    pub doc: &'static str,
    /// Where `plan` shows its changes.
    pub group: Group,
}

/// Where `plan` groups a kind's changes for people. Groups are shown by rank, then title.
#[derive(Debug, Clone, Copy)]
pub enum Group {
    /// One group per name (`team infra` for `github_team_member.infra[…]`).
    ByName {
        /// The word before the name (`team`).
        noun: &'static str,
        /// Position among the groups.
        rank: u8,
    },
    /// One group for every change of the kind (`organisation members`).
    Fixed {
        /// The group's title.
        title: &'static str,
        /// Position among the groups.
        rank: u8,
    },
}

/// The providers' descriptions, as the shell composed them: the display hook of the core.
#[derive(Debug, Clone, Copy, Default)]
pub struct Catalog<'a> {
    /// Every provider's description, in registry order.
    pub providers: &'a [&'static Description],
}

impl Catalog<'_> {
    /// The description of `address`'s kind, if a listed provider has it.
    pub fn kind(&self, address: &Address) -> Option<&'static Kind> {
        self.providers
            .iter()
            .find(|p| p.name == address.provider)
            .and_then(|p| p.kinds.iter().find(|k| k.name == address.kind))
    }

    /// The group `plan` shows `address` in, as `(rank, title)`; an unknown kind gets its own
    /// group after the known ones, titled with its resource type.
    pub fn group(&self, address: &Address) -> (u8, String) {
        match self.kind(address).map(|k| k.group) {
            Some(Group::ByName { noun, rank }) => match &address.name {
                Some(name) => (rank, format!("{noun} {name}")),
                None => (rank, noun.to_string()),
            },
            Some(Group::Fixed { title, rank }) => (rank, title.to_string()),
            None => (u8::MAX, address.resource_type()),
        }
    }

    /// The description of provider `name`.
    pub fn provider(&self, name: &str) -> Option<&'static Description> {
        self.providers.iter().copied().find(|p| p.name == name)
    }

    /// What `plan` is for: `GitHub organisation `acme`` when a planned provider names the
    /// organisation, else `` `acme` ``.
    pub fn subject(&self, providers: &[&str], org: &str) -> String {
        match providers
            .iter()
            .find_map(|p| self.provider(p).and_then(|d| d.account_noun))
        {
            Some(noun) => format!("{noun} `{org}`"),
            None => format!("`{org}`"),
        }
    }

    /// The live sides of `providers`, as one subject: `GitHub`, `GitHub and the mail server`;
    /// and whether it is plural.
    pub fn live_sides(&self, providers: &[&str]) -> (String, bool) {
        let names: Vec<&str> = providers
            .iter()
            .filter_map(|p| self.provider(p).map(|d| d.live))
            .collect();
        match names.as_slice() {
            [] => ("the live state".to_string(), false),
            [one] => (one.to_string(), false),
            [init @ .., last] => (format!("{} and {last}", init.join(", ")), true),
        }
    }
}

/// A future a provider returns; not `Send` (apply drives providers one at a time).
pub type ProviderFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One service orgctl manages. `plan` calls [`Provider::plan`] for each chosen provider and
/// concatenates the parts in registry order; `apply` then runs the removal limit and every
/// provider's [`Provider::guard`] before the first write, and [`Provider::apply`] for each
/// provider's selected changes, in plan order.
///
/// A provider keeps what it read in `plan` (the live state, its API client) for `guard` and
/// `apply`: one read per run.
pub trait Provider {
    /// Its name, kinds and wording.
    fn describe(&self) -> &'static Description;

    /// SHA-256 of its desired state on `today`, from the files alone (no I/O): `apply` checks a
    /// saved plan's against it before this provider reads anything live. `None` when not
    /// configured.
    fn desired_fingerprint(&self, org: &Org, today: Date) -> Option<String>;

    /// Reads the live side (all kinds, in as few requests as the API allows) and computes its
    /// part of the plan: every change, in execution order, its notes and fingerprints.
    fn plan<'a>(
        &'a mut self,
        org: &'a Org,
        today: Date,
    ) -> ProviderFuture<'a, anyhow::Result<PlanPart>>;

    /// Every reason to refuse running `selected` (its changes chosen for this run, `--target`
    /// applied) out of `planned` (every change its part had before any `--target`), checked
    /// before any provider writes. Pure over what [`Provider::plan`] read.
    fn guard(&self, planned: &[Change], selected: &[Change]) -> Vec<String>;

    /// Executes `changes` (its own, in plan order), reporting each through `progress`.
    fn apply<'a>(
        &'a self,
        changes: &'a [Change],
        progress: &'a mut dyn FnMut(Progress<'_>),
    ) -> ProviderFuture<'a, ApplyReport>;

    /// The organisation or account it manages on its service, when it names one (GitHub's
    /// organisation login): the plan's `org`.
    fn account(&self, org: &Org) -> Option<String> {
        let _ = org;
        None
    }

    /// The account it acts as, for the audit record (GitHub's token account).
    fn actor(&self) -> Option<String> {
        None
    }

    /// A line on the requests it made, printed after apply.
    fn requests(&self) -> Option<String> {
        None
    }
}
