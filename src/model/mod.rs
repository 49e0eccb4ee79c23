//! The org model: every entity by id, with the lookups that rules, plans and reports share.
//!
//! Built by [`build`] from parsed documents; pure. Entities keep their file's `Raw*` spec (the
//! format is the model's vocabulary) plus id and file, and expose derived views (a team's slug,
//! its current members on a date, its children). Ids of files that failed to parse are kept in
//! `broken`, so a typo in one file does not make every reference to it "dangling". Stage: model.

pub mod aliases;
mod team;

pub use team::{Member, MemberLookup, Team};

use crate::diagnostic::Diagnostic;
use crate::parse::{Document, Parsed};
use crate::schema::{FileKind, RawAlias, RawBudget, RawEmail, RawOrg, RawPerson, RawRecipient};
use crate::source::FileId;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};

/// The whole organisation.
#[derive(Debug, Clone)]
pub struct Org {
    /// `org.yaml`'s file, if present.
    pub file: Option<FileId>,
    /// `org.yaml` (a placeholder named "unnamed" when the file is missing or broken).
    pub spec: RawOrg,
    /// People by id.
    pub people: BTreeMap<String, Person>,
    /// Teams by id.
    pub teams: BTreeMap<String, Team>,
    /// Cross-team aliases by id.
    pub aliases: BTreeMap<String, Alias>,
    /// Budgets by id.
    pub budgets: BTreeMap<String, Budget>,
    /// Entities whose file exists but could not be parsed.
    pub broken: BTreeSet<(FileKind, String)>,
    children: BTreeMap<String, Vec<String>>,
}

/// A person.
#[derive(Debug, Clone)]
pub struct Person {
    /// Id (file stem).
    pub id: String,
    /// File.
    pub file: FileId,
    /// As written.
    pub spec: RawPerson,
}

impl Person {
    /// The public address, if the person has one that may be printed.
    pub fn public_email(&self) -> Option<&str> {
        match &self.spec.email {
            Some(RawEmail::Address(a)) => Some(a),
            _ => None,
        }
    }

    /// Whether the person's file says where alias mail goes: an address (public or secret),
    /// or `email: none` (nowhere). Only a person with no `email` at all is a gap in an alias.
    pub fn declares_email(&self) -> bool {
        self.spec.email.is_some()
    }

    /// Whether the person said `email: none`: aliases leave them out.
    pub fn receives_no_mail(&self) -> bool {
        matches!(self.spec.email, Some(RawEmail::NoMail(_)))
    }
}

/// A cross-team alias.
#[derive(Debug, Clone)]
pub struct Alias {
    /// Id (file stem).
    pub id: String,
    /// File.
    pub file: FileId,
    /// As written.
    pub spec: RawAlias,
}

/// A budget.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Id (file stem).
    pub id: String,
    /// File.
    pub file: FileId,
    /// As written.
    pub spec: RawBudget,
}

/// Where an alias address is declared: a team's `email:` entry or an alias file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasSite<'a> {
    /// The address.
    pub address: &'a str,
    /// The file declaring it.
    pub file: FileId,
    /// JSON pointer of the address value.
    pub pointer: String,
    /// The owning team id, or the alias id.
    pub owner: AliasOwner<'a>,
}

/// Who declares an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasOwner<'a> {
    /// `teams/<id>.yaml`, entry `index` of `email:`.
    Team(&'a str, usize),
    /// `aliases/<id>.yaml`.
    Alias(&'a str),
}

impl Org {
    /// Whether an entity of `kind` with `id` exists (or exists but failed to parse).
    pub fn exists(&self, kind: FileKind, id: &str) -> bool {
        let found = match kind {
            FileKind::Org => self.file.is_some(),
            FileKind::Person => self.people.contains_key(id),
            FileKind::Team => self.teams.contains_key(id),
            FileKind::Alias => self.aliases.contains_key(id),
            FileKind::Budget => self.budgets.contains_key(id),
        };
        found || self.broken.contains(&(kind, id.to_string()))
    }

    /// Ids of the direct children of team `id`, sorted.
    pub fn children(&self, id: &str) -> &[String] {
        self.children.get(id).map_or(&[], Vec::as_slice)
    }

    /// `id` and all its descendants, parents before children; safe on cycles.
    pub fn subtree<'a>(&'a self, id: &'a str) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![id];
        while let Some(t) = stack.pop() {
            if !seen.insert(t) {
                continue;
            }
            out.push(t);
            for c in self.children(t).iter().rev() {
                stack.push(c);
            }
        }
        out
    }

    /// Ancestors of team `id`, nearest first; stops at a cycle.
    pub fn ancestors<'a>(&'a self, id: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::from([id]);
        let mut cur = self.teams.get(id).and_then(|t| t.spec.parent.as_deref());
        while let Some(p) = cur {
            if !seen.insert(p) {
                break;
            }
            out.push(p);
            cur = self.teams.get(p).and_then(|t| t.spec.parent.as_deref());
        }
        out
    }

    /// Every alias address declared anywhere, in file order.
    pub fn alias_sites(&self) -> Vec<AliasSite<'_>> {
        let mut out = Vec::new();
        for t in self.teams.values() {
            for (i, a) in t.spec.email.iter().enumerate() {
                out.push(AliasSite {
                    address: &a.address,
                    file: t.file,
                    pointer: format!("/email/{i}/address"),
                    owner: AliasOwner::Team(&t.id, i),
                });
            }
        }
        for a in self.aliases.values() {
            out.push(AliasSite {
                address: &a.spec.address,
                file: a.file,
                pointer: "/address".into(),
                owner: AliasOwner::Alias(&a.id),
            });
        }
        out
    }

    /// Teams a person is a current member of on `today`, sorted by id.
    pub fn teams_of(&self, person: &str, today: Date) -> Vec<&Team> {
        self.teams
            .values()
            .filter(|t| t.is_current_member(person, today))
            .collect()
    }

    /// The GitHub parent of a synced team: its parent team, when that team is synced too.
    pub fn github_parent(&self, team: &Team) -> Option<&Team> {
        let parent = self.teams.get(team.spec.parent.as_deref()?)?;
        parent.spec.github.as_ref().map(|_| parent)
    }
}

/// The people a recipient names directly (for loop and address checks); teams expand to their
/// current members (or leads), optionally with subteams.
pub fn recipient_people<'a>(org: &'a Org, r: &'a RawRecipient, today: Date) -> Vec<&'a str> {
    match r {
        RawRecipient::Person(p) => vec![p.person.as_str()],
        RawRecipient::Team(t) => {
            let teams = if t.include_subteams {
                org.subtree(&t.team)
            } else {
                vec![t.team.as_str()]
            };
            let mut out: Vec<&str> = Vec::new();
            for id in teams {
                if let Some(team) = org.teams.get(id) {
                    if t.leads_only {
                        out.extend(team.current_leads(today));
                    } else {
                        out.extend(team.current_members(today).map(|m| m.person));
                    }
                }
            }
            out.sort_unstable();
            out.dedup();
            out
        }
        RawRecipient::Alias(_) | RawRecipient::Address(_) => Vec::new(),
    }
}

/// Builds the model from parsed files. Pure; the only diagnostic is a missing `org.yaml`.
pub fn build(parsed: Vec<Parsed>) -> (Org, Vec<Diagnostic>) {
    let mut org = Org {
        file: None,
        spec: RawOrg {
            name: "unnamed".into(),
            description: None,
            github: None,
            email: None,
            limits: Default::default(),
        },
        people: BTreeMap::new(),
        teams: BTreeMap::new(),
        aliases: BTreeMap::new(),
        budgets: BTreeMap::new(),
        broken: BTreeSet::new(),
        children: BTreeMap::new(),
    };
    let mut diagnostics = Vec::new();
    let mut org_file_seen = false;
    // Collected first, then built in bulk: files come sorted by id, and building a map from
    // sorted pairs is linear, where one insertion per entity is not. (A repeated id, which a
    // directory cannot hold, keeps the last, as insertion would.)
    let (mut people, mut teams, mut aliases, mut budgets) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for p in parsed {
        let (file, id) = (p.entry.file, p.entry.id);
        match p.document {
            None => {
                if p.entry.kind == FileKind::Org {
                    org_file_seen = true;
                }
                org.broken.insert((p.entry.kind, id));
            }
            Some(Document::Org(spec)) => {
                org_file_seen = true;
                org.file = Some(file);
                org.spec = spec;
            }
            Some(Document::Person(spec)) => {
                people.push((id.clone(), Person { id, file, spec }));
            }
            Some(Document::Team(spec)) => {
                teams.push((id.clone(), Team { id, file, spec }));
            }
            Some(Document::Alias(spec)) => {
                aliases.push((id.clone(), Alias { id, file, spec }));
            }
            Some(Document::Budget(spec)) => {
                budgets.push((
                    id.clone(),
                    Budget {
                        id,
                        file,
                        spec: *spec,
                    },
                ));
            }
        }
    }
    org.people = people.into_iter().collect();
    org.teams = teams.into_iter().collect();
    org.aliases = aliases.into_iter().collect();
    org.budgets = budgets.into_iter().collect();
    if !org_file_seen {
        diagnostics.push(
            Diagnostic::error("load", "the org has no `org.yaml`")
                .help("create org.yaml with at least `name:` (see docs/format.md), or point --org at the org directory"),
        );
    }
    for t in org.teams.values() {
        if let Some(p) = &t.spec.parent {
            org.children
                .entry(p.clone())
                .or_default()
                .push(t.id.clone());
        }
    }
    (org, diagnostics)
}
