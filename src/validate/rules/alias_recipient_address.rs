//! `alias-recipient-address`: every alias recipient resolves to an email address.

use crate::diagnostic::Diagnostic;
use crate::model::{Org, recipient_people};
use crate::schema::{AliasTarget, RawRecipient};
use crate::source::FileId;
use crate::validate::{Context, finding};

/// Checks people without an address among the recipients of every alias, and external
/// addresses' form.
pub fn check(org: &Org, ctx: &Context, out: &mut Vec<Diagnostic>) {
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

fn person_recipients(
    org: &Org,
    ctx: &Context,
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
    for person in recipient_people(org, r, ctx.today) {
        if let Some(p) = org.people.get(person) {
            if !p.has_email() {
                out.push(
                    finding(format!("`{person}` receives mail for `{address}` but has no email address"))
                        .at(file, pointer.to_string())
                        .help(format!(
                            "add `email:` to people/{person}.yaml (a secret reference keeps it private), or leave them out of this alias"
                        )),
                );
            }
        }
    }
}

/// A plausible address: one `@`, a non-empty local part and a dotted domain, no spaces.
pub fn looks_like_address(a: &str) -> bool {
    match a.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !a.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || c == ',' || c == '<' || c == '>'
                })
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
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
}
