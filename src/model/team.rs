//! `Team`: a team with its members, terms and derived views.

use crate::schema::{RawTeam, RawTeamMember};
use crate::source::FileId;
use jiff::civil::Date;
use std::collections::HashMap;

/// A team.
#[derive(Debug, Clone)]
pub struct Team {
    /// Id (file stem).
    pub id: String,
    /// File.
    pub file: FileId,
    /// As written.
    pub spec: RawTeam,
}

/// One `members:` entry, however it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    /// Person id.
    pub person: &'a str,
    /// Free-form role.
    pub role: Option<&'a str>,
    /// Term start (inclusive).
    pub since: Option<Date>,
    /// Term end (inclusive).
    pub until: Option<Date>,
    /// Position in `members:`.
    pub index: usize,
    /// Whether it was written as a mapping (`person:`).
    pub detailed: bool,
}

impl Member<'_> {
    /// Whether the term covers `today` (no term: always).
    pub fn is_current(&self, today: Date) -> bool {
        self.since.is_none_or(|s| s <= today) && self.until.is_none_or(|u| today <= u)
    }

    /// JSON pointer of the person id in the team file.
    pub fn pointer(&self) -> String {
        if self.detailed {
            format!("/members/{}/person", self.index)
        } else {
            format!("/members/{}", self.index)
        }
    }
}

impl Team {
    /// The GitHub team slug: `github.slug`, or the id.
    pub fn slug(&self) -> &str {
        self.spec
            .github
            .as_ref()
            .and_then(|g| g.slug.as_deref())
            .unwrap_or(&self.id)
    }

    /// Every `members:` entry, in file order.
    pub fn members(&self) -> impl Iterator<Item = Member<'_>> {
        self.spec
            .members
            .iter()
            .enumerate()
            .map(|(index, m)| match m {
                RawTeamMember::Id(person) => Member {
                    person,
                    role: None,
                    since: None,
                    until: None,
                    index,
                    detailed: false,
                },
                RawTeamMember::Detailed(d) => Member {
                    person: &d.person,
                    role: d.role.as_deref(),
                    since: d.since,
                    until: d.until,
                    index,
                    detailed: true,
                },
            })
    }

    /// Members whose term covers `today`.
    pub fn current_members(&self, today: Date) -> impl Iterator<Item = Member<'_>> {
        self.members().filter(move |m| m.is_current(today))
    }

    /// Whether `person` is a current member on `today`.
    pub fn is_current_member(&self, person: &str, today: Date) -> bool {
        self.current_members(today).any(|m| m.person == person)
    }

    /// Leads who are current members on `today`.
    pub fn current_leads(&self, today: Date) -> impl Iterator<Item = &str> {
        self.spec
            .leads
            .iter()
            .map(String::as_str)
            .filter(move |l| self.is_current_member(l, today))
    }

    /// The member entry of `person`, if listed (the first, if listed twice). A linear scan: to
    /// look up many people in a large team, use [`Team::member_lookup`].
    pub fn member(&self, person: &str) -> Option<Member<'_>> {
        self.members().find(|m| m.person == person)
    }

    /// A lookup answering like [`Team::member`] for `lookups` queries in time linear in the
    /// team's size overall (a hash index when a scan per query would cost more).
    pub fn member_lookup(&self, lookups: usize) -> MemberLookup<'_> {
        let index = (lookups.saturating_mul(self.spec.members.len()) > 256).then(|| {
            let mut index = HashMap::with_capacity(self.spec.members.len());
            for m in self.members() {
                index.entry(m.person).or_insert(m);
            }
            index
        });
        MemberLookup { team: self, index }
    }
}

/// Member lookups by person id; see [`Team::member_lookup`].
#[derive(Debug)]
pub struct MemberLookup<'a> {
    team: &'a Team,
    index: Option<HashMap<&'a str, Member<'a>>>,
}

impl<'a> MemberLookup<'a> {
    /// The member entry of `person`, if listed (the first, if listed twice).
    pub fn get(&self, person: &str) -> Option<Member<'a>> {
        match &self.index {
            Some(index) => index.get(person).copied(),
            None => self.team.member(person),
        }
    }
}
