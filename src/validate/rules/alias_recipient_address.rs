//! `alias-recipient-address`: every alias recipient resolves to an email address.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::schema::{AliasTarget, RawRecipient, TeamRecipient};
use crate::source::FileId;
use crate::validate::{Context, finding};
use jiff::civil::Date;
use std::collections::HashMap;

/// Checks people without an address among the recipients of every alias, and external
/// addresses' form.
pub fn check(org: &Org, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let no_email = NoEmail::new(org, ctx.today);
    let ctx = &no_email;
    for t in org.teams.values() {
        for (i, alias) in t.spec.email.iter().enumerate() {
            let base = crate::schema::TeamRecipient {
                team: t.id.clone(),
                leads_only: alias.to == AliasTarget::Leads,
                include_subteams: alias.include_subteams,
            };
            let own = RawRecipient::Team(base);
            let at = format!("/email/{i}/address");
            person_recipients(org, ctx, &own, &alias.address, t.file, &at, out);
            for (j, r) in alias.extra.iter().enumerate() {
                person_recipients(
                    org,
                    ctx,
                    r,
                    &alias.address,
                    t.file,
                    &format!("/email/{i}/extra/{j}"),
                    out,
                );
            }
        }
    }
    for a in org.aliases.values() {
        for (j, r) in a.spec.recipients.iter().enumerate() {
            person_recipients(
                org,
                ctx,
                r,
                &a.spec.address,
                a.file,
                &format!("/recipients/{j}"),
                out,
            );
        }
    }
}

/// The current members and leads without an address, per team: usually none, so a team
/// recipient costs one lookup per team it covers, and the rule stays linear in the size of the
/// org and of the aliases' expansions (never aliases × teams).
struct NoEmail<'a> {
    members: HashMap<&'a str, Vec<&'a str>>,
    leads: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> NoEmail<'a> {
    fn new(org: &'a Org, today: Date) -> NoEmail<'a> {
        let lacks = |person: &str| org.people.get(person).is_some_and(|p| !p.declares_email());
        let (mut members, mut leads) = (HashMap::new(), HashMap::new());
        for t in org.teams.values() {
            let m: Vec<&str> = t
                .current_members(today)
                .map(|m| m.person)
                .filter(|p| lacks(p))
                .collect();
            if !m.is_empty() {
                members.insert(t.id.as_str(), m);
                let l: Vec<&str> = t.current_leads(today).filter(|p| lacks(p)).collect();
                if !l.is_empty() {
                    leads.insert(t.id.as_str(), l);
                }
            }
        }
        NoEmail { members, leads }
    }

    /// The people without an address among those `recipient_people` gives for team recipient
    /// `r`, sorted and de-duplicated like it.
    fn team(&self, org: &Org, r: &TeamRecipient) -> Vec<&'a str> {
        let lists = if r.leads_only {
            &self.leads
        } else {
            &self.members
        };
        let mut out: Vec<&str> = Vec::new();
        if r.include_subteams {
            // The subtree's teams, each looked up: the cost of the alias's own expansion,
            // not of the number of teams in the org.
            for team in org.subtree(&r.team) {
                if let Some(people) = lists.get(team) {
                    out.extend(people);
                }
            }
        } else if let Some(people) = lists.get(r.team.as_str()) {
            out.extend(people);
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn person_recipients(
    org: &Org,
    ctx: &NoEmail<'_>,
    r: &RawRecipient,
    address: &str,
    file: FileId,
    pointer: &str,
    out: &mut Vec<Diagnostic>,
) {
    if let RawRecipient::Address(a) = r {
        if !looks_like_address(&a.address) {
            out.push(
                finding(format!("`{}` is not an email address", a.address))
                    .at(file, format!("{pointer}/address"))
                    .help("write a full address like `someone@example.org`"),
            );
        }
        return;
    }
    let people = match r {
        RawRecipient::Person(p) => vec![p.person.as_str()],
        RawRecipient::Team(t) => ctx.team(org, t),
        RawRecipient::Alias(_) | RawRecipient::Address(_) => Vec::new(),
    };
    for person in people {
        if let Some(p) = org.people.get(person) {
            if !p.declares_email() {
                out.push(
                    finding(format!("`{person}` receives mail for `{address}` but has no email address"))
                        .at(file, pointer.to_string())
                        .help(format!(
                            "add `email:` to people/{person}.yaml (a secret reference keeps it private; `email: none` if they receive no alias mail), or leave them out of this alias"
                        )),
                );
            }
        }
    }
}

/// A deliverable plain address, strictly: what every address field of the org files (a
/// person's `email`, alias and team addresses, external recipients) and every resolved private
/// address must be before it is written into a Postfix map or a Mailgun route.
///
/// Exactly one `@`. The local part is at most 64 characters: letters, digits (any script) and
/// `. ! # % & ' * + = ? ^ _ ~ -`, not starting or ending with `.`, no `..` (RFC 5322 dot-atom
/// without the characters that mean something to mail servers: no quotes, backslashes, `|`,
/// `/`, `:`, `$`, braces or backticks). The domain is at most 253 characters, two or more
/// labels of 1-63 letters, digits or `-` (not at either end). So no spaces, control
/// characters, commas, angle brackets, quotes or URL schemes (`http://…`) ever pass.
pub fn looks_like_address(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else {
        return false;
    };
    valid_local_part(local) && valid_domain(domain)
}

fn valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || ".!#%&'*+=?^_~-".contains(c))
}

fn valid_domain(domain: &str) -> bool {
    domain.chars().count() <= 253
        && domain.split('.').count() >= 2
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.chars().count() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use crate::schema::RawRecipient;
    use crate::validate::testing::{check, messages};

    #[test]
    fn person_without_email_in_alias() {
        let d = check(
            "alias-recipient-address",
            &[
                ("people/a.yaml", "name: A\nemail: a@x.org\n"),
                ("people/b.yaml", "name: B\n"),
                (
                    "teams/t.yaml",
                    "name: T\nmembers: [a, b]\nemail:\n  - address: t@example.org\n",
                ),
                (
                    "aliases/x.yaml",
                    "address: x@example.org\nrecipients: [{person: b}, {address: not-an-address}]\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            [
                "`b` receives mail for `t@example.org` but has no email address",
                "`b` receives mail for `x@example.org` but has no email address",
                "`not-an-address` is not an email address"
            ]
        );
    }

    /// Issue 14.4: `email: none` is an answer (no alias mail), not a gap.
    #[test]
    fn a_person_with_email_none_is_not_a_gap() {
        let d = check(
            "alias-recipient-address",
            &[
                ("people/a.yaml", "name: A\nemail: a@x.org\n"),
                ("people/b.yaml", "name: B\nemail: none\n"),
                ("people/c.yaml", "name: C\n"),
                (
                    "teams/t.yaml",
                    "name: T\nmembers: [a, b, c]\nemail:\n  - address: t@example.org\n",
                ),
                (
                    "aliases/x.yaml",
                    "address: x@example.org\nrecipients: [{person: b}, {team: t}]\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            [
                "`c` receives mail for `t@example.org` but has no email address",
                "`c` receives mail for `x@example.org` but has no email address",
            ]
        );
    }

    #[test]
    fn addresses_are_strict() {
        use super::looks_like_address;
        for good in [
            "a@b.org",
            "first.last+tag@lists.example.org",
            "o'brien@example.ie",
            "x_y-z=1@sub-domain.example",
            "josé@bücher.example",
        ] {
            assert!(looks_like_address(good), "{good}");
        }
        for bad in [
            "x\"@evil.example",
            "\"x\"@evil.example",
            "http://evil.example/hook@b.example",
            "a b@c.org",
            "a@b.org, c@d.org",
            "a,b@c.org",
            "a@b@c.org",
            "<a@b.org>",
            "a@b.org\n",
            "a\u{1b}[2J@b.org",
            "a\\b@c.org",
            "|cmd@b.org",
            "a:b@c.org",
            ".a@b.org",
            "a.@b.org",
            "a..b@c.org",
            "a@b",
            "a@.b.org",
            "a@b..org",
            "a@-b.org",
            "a@b-.org",
            "a@b_c.org",
            "@b.org",
            "a@",
            "",
        ] {
            assert!(!looks_like_address(bad), "{bad:?}");
        }
        assert!(!looks_like_address(&format!("{}@b.org", "a".repeat(65))));
        assert!(!looks_like_address(&format!("a@{}.org", "b".repeat(64))));
    }

    /// The pruned expansion finds exactly the people without an address that the full
    /// expansion (`model::recipient_people`) finds, on random forests with cycles, missing
    /// parents, terms and leads.
    #[test]
    fn pruned_expansion_matches_the_full_one() {
        use crate::model::recipient_people;
        use crate::schema::TeamRecipient;
        use crate::validate::testing::{org, today};
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..200 {
            let n_people = rng.usize(1..12);
            let n_teams = rng.usize(1..10);
            let mut files: Vec<(String, String)> = (0..n_people)
                .map(|i| {
                    let email = if rng.bool() { "email: p@x.org\n" } else { "" };
                    (format!("people/p{i}.yaml"), format!("name: P\n{email}"))
                })
                .collect();
            for t in 0..n_teams {
                let parent = match rng.usize(..4) {
                    0 => String::new(),
                    1 => "parent: ghost\n".into(),
                    _ => format!("parent: t{}\n", rng.usize(..n_teams)),
                };
                let members: Vec<String> = (0..rng.usize(..5))
                    .map(|_| {
                        let p = rng.usize(..n_people + 1); // one past the end: a dangling id
                        if rng.bool() {
                            format!("  - p{p}\n")
                        } else {
                            format!("  - person: p{p}\n    until: 2020-01-01\n")
                        }
                    })
                    .collect();
                let leads = format!("leads: [p{}]\n", rng.usize(..n_people));
                files.push((
                    format!("teams/t{t}.yaml"),
                    format!(
                        "name: T\n{parent}{leads}members:\n  - p0\n{}",
                        members.concat()
                    ),
                ));
            }
            let refs: Vec<(&str, &str)> = files
                .iter()
                .map(|(p, t)| (p.as_str(), t.as_str()))
                .collect();
            let org = org(&refs);
            let no_email = super::NoEmail::new(&org, today());
            for team in (0..=n_teams)
                .map(|t| format!("t{t}"))
                .chain(["ghost".to_string()])
            {
                for (leads_only, include_subteams) in
                    [(false, false), (true, false), (false, true), (true, true)]
                {
                    let r = TeamRecipient {
                        team: team.clone(),
                        leads_only,
                        include_subteams,
                    };
                    let recipient = RawRecipient::Team(r.clone());
                    let full: Vec<&str> = recipient_people(&org, &recipient, today())
                        .into_iter()
                        .filter(|p| org.people.get(*p).is_some_and(|p| !p.declares_email()))
                        .collect();
                    assert_eq!(
                        no_email.team(&org, &r),
                        full,
                        "{team} {leads_only} {include_subteams}"
                    );
                }
            }
        }
    }
}
