//! `alias-domain`: every alias address is a valid address in one of org.yaml's email domains.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::validate::{Context, finding};

/// Checks the domain of every alias address.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    let domains: Vec<String> = org
        .spec
        .email
        .as_ref()
        .map(|e| e.domains.iter().map(|d| d.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    for site in org.alias_sites() {
        let Some((local, domain)) = site.address.rsplit_once('@') else {
            out.push(
                finding(format!("`{}` is not an email address", site.address))
                    .at(site.file, site.pointer.clone())
                    .help("write the full address, like `infra@example.org`"),
            );
            continue;
        };
        if local.is_empty()
            || !local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b))
        {
            out.push(
                finding(format!("`{local}` is not a valid local part for an alias"))
                    .at(site.file, site.pointer.clone())
                    .help("alias names are letters, digits, `.`, `_`, `+` and `-`"),
            );
        } else if !super::looks_like_address(site.address) {
            out.push(
                finding(format!("`{}` is not a valid email address", site.address))
                    .at(site.file, site.pointer.clone())
                    .help("the domain is labels of letters, digits and `-` separated by dots, like `infra@example.org`"),
            );
        }
        if !domains.contains(&domain.to_ascii_lowercase()) {
            let help = if domains.is_empty() {
                "declare the domain in org.yaml under `email.domains`".to_string()
            } else {
                format!(
                    "use one of the org's domains ({}), or add this one to `email.domains` in org.yaml",
                    domains.join(", ")
                )
            };
            out.push(
                finding(format!(
                    "`{}` is not in a configured email domain",
                    site.address
                ))
                .at(site.file, site.pointer.clone())
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn foreign_domain() {
        let d = check(
            "alias-domain",
            &[(
                "aliases/x.yaml",
                "address: x@other.org\nrecipients: [{address: a@b.org}]\n",
            )],
        );
        assert_eq!(
            messages(&d),
            ["`x@other.org` is not in a configured email domain"]
        );
    }

    #[test]
    fn malformed_domain_in_a_configured_domain() {
        let d = check(
            "alias-domain",
            &[
                (
                    "org.yaml",
                    "name: T\nemail:\n  domains: ['ex\"ample.org']\n",
                ),
                (
                    "aliases/x.yaml",
                    "address: 'x@ex\"ample.org'\nrecipients: [{address: a@b.org}]\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            ["`x@ex\"ample.org` is not a valid email address"]
        );
    }
}
