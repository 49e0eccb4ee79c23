//! `person-email`: a person's public email address is a well-formed address.

use super::alias_recipient_address::looks_like_address;
use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Checks public addresses (secret references are checked by the schema and resolved by apply).
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for p in org.people.values() {
        if let Some(a) = p.public_email() {
            if !looks_like_address(a) {
                out.push(
                    finding(format!("`{a}` is not an email address"))
                        .at(p.file, "/email")
                        .help("write a full address, or `{ secret: \"env:VARIABLE\" }` to keep it private"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn malformed() {
        let d = check(
            "person-email",
            &[("people/a.yaml", "name: A\nemail: alice at example\n")],
        );
        assert_eq!(messages(&d), ["`alice at example` is not an email address"]);
    }
}
