//! `lead-not-member`: every lead of a team is also listed among its members.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Checks leads against members.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values() {
        let members = t.member_lookup(t.spec.leads.len());
        for (i, lead) in t.spec.leads.iter().enumerate() {
            if members.get(lead).is_none() {
                out.push(
                    finding(format!(
                        "`{lead}` leads team `{}` but is not a member of it",
                        t.id
                    ))
                    .at(t.file, format!("/leads/{i}"))
                    .label("not in members")
                    .help(format!(
                        "add `{lead}` to `members:` or remove them from `leads:`"
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn lead_must_be_member() {
        let d = check(
            "lead-not-member",
            &[
                ("people/a.yaml", "name: A\n"),
                ("people/b.yaml", "name: B\n"),
                ("teams/t.yaml", "name: T\nleads: [a, b]\nmembers: [b]\n"),
            ],
        );
        assert_eq!(
            messages(&d),
            ["`a` leads team `t` but is not a member of it"]
        );
    }
}
