//! Membership history: who joined and left which team, who became or stopped being a lead, and
//! when, from the git history of the team files (`crate::load::history`). Pure: revisions in,
//! events out, newest first.

use crate::load::history::TeamRevision;
use crate::schema::{RawTeam, RawTeamMember};
use serde::Serialize;
use std::collections::BTreeMap;

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The team file was added.
    TeamCreated,
    /// The team file was removed.
    TeamDeleted,
    /// The team file was renamed, its content unchanged (`git mv`): nobody joined or left.
    TeamRenamed {
        /// The old id.
        from: String,
    },
    /// The person was listed as a member.
    Joined {
        /// Their role, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        role: Option<String>,
        /// Their term, as written (`2026-01-01 – 2026-12-31`).
        #[serde(skip_serializing_if = "Option::is_none")]
        term: Option<String>,
    },
    /// The person was no longer listed as a member.
    Left {
        /// Whether they were listed among the alumni at the same time.
        alumnus: bool,
    },
    /// The member's role or term changed.
    Updated {
        /// What changed, as `role: a → b`, `term: … → …`.
        what: String,
    },
    /// The person was listed as a lead.
    BecameLead,
    /// The person was no longer listed as a lead.
    StoppedLeading,
}

/// One event of a person in a team (no person for a team's creation or deletion).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEvent {
    /// Commit date, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Abbreviated commit id.
    pub commit: String,
    /// Who made the commit.
    pub author: String,
    /// The team id.
    pub team: String,
    /// The person id, for membership events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// A team file's membership as written: members with their entry, leads, alumni.
#[derive(Debug, Default)]
struct Listing {
    members: BTreeMap<String, (Option<String>, Option<String>)>,
    leads: Vec<String>,
    alumni: Vec<String>,
}

/// Reads a team file's text; `None` when it is absent or does not parse (then nothing is
/// concluded from it).
fn listing(text: Option<&str>) -> Option<Listing> {
    let value = crate::yaml::parse(text?).ok()?;
    let team: RawTeam = serde_json::from_value(value).ok()?;
    let mut l = Listing {
        leads: team.leads,
        alumni: team.alumni,
        ..Listing::default()
    };
    for m in team.members {
        let (person, role, term) = match m {
            RawTeamMember::Id(p) => (p, None, None),
            RawTeamMember::Detailed(t) => {
                let term = match (t.since, t.until) {
                    (None, None) => None,
                    (s, u) => Some(format!(
                        "{} – {}",
                        s.map_or("…".into(), |d| d.to_string()),
                        u.map_or("…".into(), |d| d.to_string())
                    )),
                };
                (t.person, t.role, term)
            }
        };
        l.members.entry(person).or_insert((role, term));
    }
    Some(l)
}

/// The events of `revisions` (newest first, as read), optionally only of `person` or `team`.
pub fn events(
    revisions: &[TeamRevision],
    person: Option<&str>,
    team: Option<&str>,
) -> Vec<HistoryEvent> {
    let mut out = Vec::new();
    for rev in revisions {
        let date = jiff::Timestamp::from_second(rev.time)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            .unwrap_or_default();
        // A file removed and another added with the same text is a rename, not a team
        // deleted (everyone left) and another created (everyone joined).
        let removed: std::collections::HashMap<&str, &str> = rev
            .changed
            .iter()
            .filter(|c| c.after.is_none())
            .filter_map(|c| Some((c.before.as_deref()?, c.id.as_str())))
            .collect();
        let renamed: BTreeMap<&str, &str> = rev
            .changed
            .iter()
            .filter(|c| c.before.is_none())
            .filter_map(|added| Some((added.id.as_str(), *removed.get(added.after.as_deref()?)?)))
            .collect();
        let renamed_from: Vec<&str> = renamed.values().copied().collect();
        for change in &rev.changed {
            if renamed_from.contains(&change.id.as_str()) {
                continue;
            }
            if let Some(from) = renamed.get(change.id.as_str()) {
                if team.is_none_or(|t| t == change.id || t == *from) && person.is_none() {
                    out.push(HistoryEvent {
                        date: date.clone(),
                        commit: rev.commit.clone(),
                        author: rev.author.clone(),
                        team: change.id.clone(),
                        person: None,
                        event: Event::TeamRenamed {
                            from: from.to_string(),
                        },
                    });
                }
                continue;
            }
            if team.is_some_and(|t| t != change.id) {
                continue;
            }
            let mut push = |person: Option<&str>, event: Event| {
                out.push(HistoryEvent {
                    date: date.clone(),
                    commit: rev.commit.clone(),
                    author: rev.author.clone(),
                    team: change.id.clone(),
                    person: person.map(str::to_string),
                    event,
                });
            };
            let (before, after) = (
                listing(change.before.as_deref()),
                listing(change.after.as_deref()),
            );
            // A file that stopped parsing (or started) is not a membership change.
            if (change.before.is_some() && before.is_none())
                || (change.after.is_some() && after.is_none())
            {
                continue;
            }
            match (&before, &after) {
                (None, Some(_)) if person.is_none() => push(None, Event::TeamCreated),
                (Some(_), None) if person.is_none() => push(None, Event::TeamDeleted),
                _ => {}
            }
            let (b, a) = (before.unwrap_or_default(), after.unwrap_or_default());
            let mut people: Vec<&String> = b.members.keys().chain(a.members.keys()).collect();
            people.extend(b.leads.iter().chain(&a.leads));
            people.sort();
            people.dedup();
            for p in people {
                if person.is_some_and(|x| x != p) {
                    continue;
                }
                match (b.members.get(p), a.members.get(p)) {
                    (None, Some((role, term))) => push(
                        Some(p),
                        Event::Joined {
                            role: role.clone(),
                            term: term.clone(),
                        },
                    ),
                    (Some(_), None) => push(
                        Some(p),
                        Event::Left {
                            alumnus: a.alumni.contains(p),
                        },
                    ),
                    (Some(x), Some(y)) if x != y => {
                        let mut what = Vec::new();
                        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
                        if x.0 != y.0 {
                            what.push(format!("role: {} → {}", show(&x.0), show(&y.0)));
                        }
                        if x.1 != y.1 {
                            what.push(format!("term: {} → {}", show(&x.1), show(&y.1)));
                        }
                        push(
                            Some(p),
                            Event::Updated {
                                what: what.join(", "),
                            },
                        );
                    }
                    _ => {}
                }
                match (b.leads.contains(p), a.leads.contains(p)) {
                    (false, true) => push(Some(p), Event::BecameLead),
                    (true, false) => push(Some(p), Event::StoppedLeading),
                    _ => {}
                }
            }
        }
    }
    out
}

/// One line of an event for people: `joined (role: chair, term: …)`, `left (now an alumnus)`.
pub fn describe(e: &Event) -> String {
    match e {
        Event::TeamCreated => "team created".into(),
        Event::TeamDeleted => "team deleted".into(),
        Event::TeamRenamed { from } => format!("renamed from `{from}`"),
        Event::Joined { role, term } => {
            let extra: Vec<String> = [
                role.as_ref().map(|r| format!("role: {r}")),
                term.as_ref().map(|t| format!("term: {t}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if extra.is_empty() {
                "joined".into()
            } else {
                format!("joined ({})", extra.join(", "))
            }
        }
        Event::Left { alumnus: true } => "left (now an alumnus)".into(),
        Event::Left { alumnus: false } => "left".into(),
        Event::Updated { what } => what.clone(),
        Event::BecameLead => "became a lead".into(),
        Event::StoppedLeading => "stopped leading".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::history::ChangedTeam;

    fn rev(commit: &str, day: i64, changed: Vec<ChangedTeam>) -> TeamRevision {
        TeamRevision {
            commit: commit.into(),
            time: 1_767_225_600 + day * 86_400, // 2026-01-01 + day
            author: "Ada".into(),
            summary: String::new(),
            changed,
        }
    }

    fn team(id: &str, before: Option<&str>, after: Option<&str>) -> ChangedTeam {
        ChangedTeam {
            id: id.into(),
            before: before.map(str::to_string),
            after: after.map(str::to_string),
        }
    }

    fn lines(e: &[HistoryEvent]) -> Vec<String> {
        e.iter()
            .map(|e| {
                format!(
                    "{} {} {} {}",
                    e.date,
                    e.team,
                    e.person.as_deref().unwrap_or("-"),
                    describe(&e.event)
                )
            })
            .collect()
    }

    #[test]
    fn joins_leaves_leads_roles_and_terms() {
        let v1 = "name: T\nleads: [a]\nmembers: [a, b]\n";
        let v2 = "name: T\nleads: [c]\nmembers:\n  - a\n  - person: c\n    role: chair\n    since: 2026-02-01\nalumni: [b]\n";
        let v3 = "name: T\nleads: [c]\nmembers:\n  - a\n  - person: c\n    role: secretary\n    since: 2026-02-01\n";
        let revs = [
            rev("c3", 40, vec![team("t", Some(v2), Some(v3))]),
            rev("c2", 31, vec![team("t", Some(v1), Some(v2))]),
            rev("c1", 0, vec![team("t", None, Some(v1))]),
        ];
        assert_eq!(
            lines(&events(&revs, None, None)),
            [
                "2026-02-10 t c role: chair → secretary",
                "2026-02-01 t a stopped leading",
                "2026-02-01 t b left (now an alumnus)",
                "2026-02-01 t c joined (role: chair, term: 2026-02-01 – …)",
                "2026-02-01 t c became a lead",
                "2026-01-01 t - team created",
                "2026-01-01 t a joined",
                "2026-01-01 t a became a lead",
                "2026-01-01 t b joined",
            ]
        );
        assert_eq!(
            lines(&events(&revs, Some("b"), None)),
            [
                "2026-02-01 t b left (now an alumnus)",
                "2026-01-01 t b joined"
            ]
        );
        assert!(events(&revs, None, Some("other")).is_empty());
    }

    #[test]
    fn a_renamed_file_is_a_rename_not_everyone_leaving() {
        let v = "name: T\nleads: [a]\nmembers: [a, b]\n";
        let revs = [rev(
            "c1",
            0,
            vec![team("new-t", None, Some(v)), team("old-t", Some(v), None)],
        )];
        assert_eq!(
            lines(&events(&revs, None, None)),
            ["2026-01-01 new-t - renamed from `old-t`"]
        );
        assert!(events(&revs, Some("a"), None).is_empty());
        assert_eq!(events(&revs, None, Some("old-t")).len(), 1);
    }

    #[test]
    fn a_file_that_does_not_parse_is_no_event() {
        let revs = [rev(
            "c1",
            0,
            vec![team(
                "t",
                Some("name: T\nmembers: [a]\n"),
                Some("name: [broken\n"),
            )],
        )];
        assert!(events(&revs, None, None).is_empty());
    }
}
