//! `email-backend`: org.yaml's mail backend cannot redirect credentials or inject options.
//!
//! A Mailgun `api_url` may only name one of Mailgun's two API hosts (the API key is sent
//! there; tests and proxies override the endpoint from the environment, never from the files)
//! and must agree with `region`. A Postfix map path is passed to `postmap`: it must not start
//! with `-` (an option), hold a `:` (postmap reads `type:name`) or control characters.

use crate::diagnostic::Diagnostic;
use crate::email::postfix::map_path_problem;
use crate::model::Org;
use crate::schema::{EmailBackend, MailgunRegion};
use crate::validate::{Context, finding};

/// Checks `email.backend` in org.yaml.
pub fn check(org: &Org, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(file) = org.file else {
        return;
    };
    let Some(backend) = org.spec.email.as_ref().and_then(|e| e.backend.as_ref()) else {
        return;
    };
    match backend {
        EmailBackend::Mailgun {
            region,
            api_url: Some(url),
            ..
        } => match MailgunRegion::from_api_url(url) {
            None => out.push(
                finding(format!(
                    "`api_url: {url}` is not one of Mailgun's API hosts: the API key would be sent there"
                ))
                .at(file, "/email/backend/api_url")
                .help(format!(
                    "replace it with `region: us` (https://api.mailgun.net) or `region: eu` (https://api.eu.mailgun.net); tests and proxies set {} in the environment instead",
                    crate::email::mailgun::API_URL_ENV
                )),
            ),
            Some(r) if region.is_some_and(|region| region != r) => out.push(
                finding(format!("`api_url: {url}` contradicts `region`"))
                    .at(file, "/email/backend/api_url")
                    .help("remove `api_url`: `region` says which Mailgun host to use"),
            ),
            Some(_) => {}
        },
        EmailBackend::Postfix { path } => {
            if let Some(problem) = map_path_problem(path) {
                out.push(
                    finding(format!("the Postfix map path {path:?} {problem}"))
                        .at(file, "/email/backend/path")
                        .help("write a plain file path such as `/etc/postfix/virtual` (a relative path is relative to the directory orgctl runs in)"),
                );
            } else if let Some(why) = crate::email::postfix::MapPolicy::from_vars(&ctx.env).refusal(path) {
                out.push(
                    finding(format!("the Postfix map path {path:?} {why}"))
                        .at(file, "/email/backend/path")
                        .help(format!(
                            "the operator allows the map in one directory ({}, or the current directory when unset); name a file there",
                            crate::email::postfix::MapPolicy::DIR_VAR
                        )),
                );
            }
        }
        EmailBackend::Mailgun { api_url: None, .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    fn org_yaml(backend: &str) -> String {
        format!("name: T\nemail:\n  domains: [example.org]\n  backend:\n{backend}")
    }

    #[test]
    fn mailgun_api_url_outside_mailgun() {
        for (backend, want) in [
            (
                "    kind: mailgun\n    domain: example.org\n    api_url: http://evil.example\n",
                vec![
                    "`api_url: http://evil.example` is not one of Mailgun's API hosts: the API key would be sent there",
                ],
            ),
            (
                "    kind: mailgun\n    domain: example.org\n    api_url: http://api.mailgun.net\n",
                vec![
                    "`api_url: http://api.mailgun.net` is not one of Mailgun's API hosts: the API key would be sent there",
                ],
            ),
            (
                "    kind: mailgun\n    domain: example.org\n    region: us\n    api_url: https://api.eu.mailgun.net\n",
                vec!["`api_url: https://api.eu.mailgun.net` contradicts `region`"],
            ),
            (
                "    kind: mailgun\n    domain: example.org\n    api_url: https://api.eu.mailgun.net/\n",
                vec![],
            ),
            (
                "    kind: mailgun\n    domain: example.org\n    region: eu\n",
                vec![],
            ),
        ] {
            let d = check("email-backend", &[("org.yaml", &org_yaml(backend))]);
            assert_eq!(messages(&d), want, "{backend}");
        }
    }

    #[test]
    fn postfix_path_that_postmap_would_misread() {
        for (path, want) in [
            (
                "'-v'",
                Some("starts with `-`: postmap would read it as an option"),
            ),
            (
                "'hash:/etc/postfix/virtual'",
                Some("contains `:`: postmap would read it as `type:name`"),
            ),
            ("\"a\\nb\"", Some("contains a control character")),
            ("''", Some("is empty")),
            ("/etc/postfix/virtual", None),
            ("mail/virtual", None),
            ("./-v", None),
        ] {
            let d = check(
                "email-backend",
                &[(
                    "org.yaml",
                    &org_yaml(&format!("    kind: postfix\n    path: {path}\n")),
                )],
            );
            let got: Vec<String> = messages(&d);
            match want {
                Some(w) => {
                    assert_eq!(got.len(), 1, "{path}: {got:?}");
                    assert!(got[0].ends_with(w), "{path}: {got:?}");
                }
                None => assert!(got.is_empty(), "{path}: {got:?}"),
            }
        }
    }
}
