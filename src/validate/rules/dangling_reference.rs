//! `dangling-reference`: every person, team, alias and allocation a file names exists.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::parse::edit_distance;
use crate::schema::{FileKind, RawRecipient};
use crate::source::FileId;
use crate::validate::{Context, finding};
use std::collections::HashSet;

/// Checks every reference by id. The JSON pointer of a reference is only built when it dangles.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    // Hashed ids: one lookup per reference instead of a walk down a sorted map; a miss is
    // confirmed with `Org::exists`, which also knows the files that failed to parse.
    let people: HashSet<&str> = org.people.keys().map(String::as_str).collect();
    let teams: HashSet<&str> = org.teams.keys().map(String::as_str).collect();
    let aliases: HashSet<&str> = org.aliases.keys().map(String::as_str).collect();
    let known = |kind: FileKind, id: &str| match kind {
        FileKind::Person => people.contains(id),
        FileKind::Team => teams.contains(id),
        FileKind::Alias => aliases.contains(id),
        FileKind::Org | FileKind::Budget => false,
    };
    let mut refer = |kind: FileKind, id: &str, file: FileId, pointer: &dyn Fn() -> String| {
        if !known(kind, id) && !org.exists(kind, id) {
            out.push(missing(org, kind, id, file, pointer()));
        }
    };
    if let (Some(file), Some(gh)) = (org.file, &org.spec.github) {
        for (i, a) in gh.admins.iter().enumerate() {
            refer(FileKind::Person, a, file, &|| format!("/github/admins/{i}"));
        }
    }
    for t in org.teams.values() {
        if let Some(p) = &t.spec.parent {
            refer(FileKind::Team, p, t.file, &|| "/parent".into());
        }
        for (i, l) in t.spec.leads.iter().enumerate() {
            refer(FileKind::Person, l, t.file, &|| format!("/leads/{i}"));
        }
        for m in t.members() {
            refer(FileKind::Person, m.person, t.file, &|| m.pointer());
        }
        for (i, a) in t.spec.alumni.iter().enumerate() {
            refer(FileKind::Person, a, t.file, &|| format!("/alumni/{i}"));
        }
        for (i, alias) in t.spec.email.iter().enumerate() {
            for (j, r) in alias.extra.iter().enumerate() {
                recipient(&mut refer, r, t.file, &|| format!("/email/{i}/extra/{j}"));
            }
        }
    }
    for a in org.aliases.values() {
        for (j, r) in a.spec.recipients.iter().enumerate() {
            recipient(&mut refer, r, a.file, &|| format!("/recipients/{j}"));
        }
    }
    for b in org.budgets.values() {
        for (i, a) in b.spec.allocations.iter().enumerate() {
            refer(FileKind::Team, &a.team, b.file, &|| {
                format!("/allocations/{i}/team")
            });
        }
        refer(FileKind::Team, &b.spec.approvers, b.file, &|| {
            "/approvers".into()
        });
    }
    for b in org.budgets.values() {
        let ids: Vec<&str> = b.spec.allocations.iter().map(|a| a.id.as_str()).collect();
        for (i, e) in b.spec.expenses.iter().enumerate() {
            if !ids.contains(&e.allocation.as_str()) {
                let mut d = finding(format!(
                    "expense {} refers to allocation `{}`, which this budget does not have",
                    i + 1,
                    e.allocation
                ))
                .at(b.file, format!("/expenses/{i}/allocation"))
                .label("no such allocation");
                d = match closest(&e.allocation, ids.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("use one of: {}", ids.join(", "))),
                };
                out.push(d);
            }
        }
    }
}

/// A reference to check: what kind, which id, in which file, and how to build its pointer.
type Refer<'f> = dyn FnMut(FileKind, &str, FileId, &dyn Fn() -> String) + 'f;

fn recipient(refer: &mut Refer<'_>, r: &RawRecipient, file: FileId, at: &dyn Fn() -> String) {
    match r {
        RawRecipient::Person(p) => refer(FileKind::Person, &p.person, file, &|| {
            format!("{}/person", at())
        }),
        RawRecipient::Team(t) => refer(FileKind::Team, &t.team, file, &|| format!("{}/team", at())),
        RawRecipient::Alias(a) => refer(FileKind::Alias, &a.alias, file, &|| {
            format!("{}/alias", at())
        }),
        RawRecipient::Address(_) => {}
    }
}

fn missing(org: &Org, kind: FileKind, id: &str, file: FileId, pointer: String) -> Diagnostic {
    let dir = kind.dir().unwrap_or("");
    let ids: Vec<&str> = match kind {
        FileKind::Person => org.people.keys().map(String::as_str).collect(),
        FileKind::Team => org.teams.keys().map(String::as_str).collect(),
        FileKind::Alias => org.aliases.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let d = finding(format!("unknown {} `{id}`", kind.name()))
        .at(file, pointer)
        .label(format!("there is no {dir}/{id}.yaml"));
    match closest(id, ids.into_iter()) {
        Some(s) => d.help(format!(
            "did you mean `{s}`? Otherwise create {dir}/{id}.yaml"
        )),
        None => d.help(format!("create {dir}/{id}.yaml, or fix the id")),
    }
}

fn closest<'a>(id: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(id, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn reports_unknown_people_teams_and_allocations() {
        let d = check(
            "dangling-reference",
            &[
                ("people/alice.yaml", "name: Alice\n"),
                (
                    "teams/a.yaml",
                    "name: A\nparent: nope\nleads: [alice]\nmembers: [alice, alicee]\n",
                ),
                (
                    "budgets/b.yaml",
                    "name: B\ncurrency: EUR\ntotal: 10\napprovers: a\nallocations:\n  - {id: x, team: a, amount: 5, purpose: p}\nexpenses:\n  - {allocation: y, date: 2026-01-01, amount: 1, description: d}\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            [
                "unknown team `nope`",
                "unknown person `alicee`",
                "expense 1 refers to allocation `y`, which this budget does not have"
            ]
        );
        assert!(
            d[1].help
                .as_deref()
                .unwrap()
                .contains("did you mean `alice`")
        );
    }

    #[test]
    fn clean_org_has_no_findings() {
        let d = check(
            "dangling-reference",
            &[
                ("people/alice.yaml", "name: Alice\n"),
                ("teams/a.yaml", "name: A\nmembers: [alice]\n"),
            ],
        );
        assert!(d.is_empty());
    }
}
