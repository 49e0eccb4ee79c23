//! `duplicate-member`: nobody is listed twice in one team's leads, members or alumni.

use crate::diagnostic::{At, Diagnostic};
use crate::model::{Member, Org};
use crate::validate::{Context, finding};
use std::collections::HashMap;

/// One list of a team: its name, the people in it, and how to point at entry `i`.
type List<'a, 'f> = (&'static str, Vec<&'a str>, &'f dyn Fn(usize) -> String);

/// Checks each list of a team for repeated people; pointers are only built for findings.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for t in org.teams.values() {
        let leads = |i: usize| format!("/leads/{i}");
        let members: Vec<Member<'_>> = t.members().collect();
        let member = |i: usize| members[i].pointer();
        let alumni = |i: usize| format!("/alumni/{i}");
        let lists: [List<'_, '_>; 3] = [
            (
                "leads",
                t.spec.leads.iter().map(String::as_str).collect(),
                &leads,
            ),
            (
                "members",
                members.iter().map(|m| m.person).collect(),
                &member,
            ),
            (
                "alumni",
                t.spec.alumni.iter().map(String::as_str).collect(),
                &alumni,
            ),
        ];
        for (list, people, pointer) in lists {
            first.clear();
            for (i, person) in people.into_iter().enumerate() {
                if let Some(prev) = first.get(person) {
                    out.push(
                        finding(format!(
                            "`{person}` is listed twice in `{list}` of team `{}`",
                            t.id
                        ))
                        .at(t.file, pointer(i))
                        .label("listed again here")
                        .related(t.file, At::Value(pointer(*prev)), "first listed here")
                        .help(
                            "remove one of the two entries (a changed term goes in the first one)",
                        ),
                    );
                } else {
                    first.insert(person, i);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn twice_in_members() {
        let d = check(
            "duplicate-member",
            &[
                ("people/a.yaml", "name: A\n"),
                (
                    "teams/t.yaml",
                    "name: T\nmembers:\n  - a\n  - person: a\n    role: chair\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            ["`a` is listed twice in `members` of team `t`"]
        );
        assert_eq!(d[0].related.len(), 1);
    }
}
