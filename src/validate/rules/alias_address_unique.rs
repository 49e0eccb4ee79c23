//! `alias-address-unique`: every alias address is declared once, across teams and alias files.

use crate::diagnostic::{At, Diagnostic};
use crate::model::Org;
use crate::validate::{Context, finding};
use std::collections::BTreeMap;

/// Checks addresses case-insensitively.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen = BTreeMap::new();
    for site in org.alias_sites() {
        let key = site.address.to_ascii_lowercase();
        match seen.get(&key) {
            Some((file, pointer)) => out.push(
                finding(format!("alias address `{}` is declared twice", site.address))
                    .at(site.file, site.pointer.clone())
                    .label("declared again here")
                    .related(*file, At::Value(String::clone(pointer)), "first declared here")
                    .help("one address has one list of recipients: merge the two, or use `alias:` to include one in the other"),
            ),
            None => {
                seen.insert(key, (site.file, site.pointer.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn same_address_in_team_and_alias() {
        let d = check(
            "alias-address-unique",
            &[
                ("people/a.yaml", "name: A\nemail: a@x.org\n"),
                (
                    "teams/t.yaml",
                    "name: T\nmembers: [a]\nemail:\n  - address: sec@example.org\n",
                ),
                (
                    "aliases/sec.yaml",
                    "address: SEC@example.org\nrecipients: [{person: a}]\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            ["alias address `SEC@example.org` is declared twice"]
        );
    }
}
