//! `secret-reference`: a person's secret reference is one the operator allows.
//!
//! The policy comes from the environment of the run (`ORGCTL_SECRET_ENV_PREFIX`, default
//! `ORGCTL_EMAIL_`; `ORGCTL_SECRET_DIR`), never from the files; see
//! `email::secrets::SecretPolicy`. Only what the reference's text shows is judged here:
//! whether a variable is set or a file exists is never looked at (nor revealed).

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::schema::RawEmail;
use crate::validate::{Context, finding};

/// Checks every `email: { secret: ... }`.
pub fn check(org: &Org, ctx: &Context, out: &mut Vec<Diagnostic>) {
    let policy = crate::email::secrets::SecretPolicy::from_vars(&ctx.env);
    for p in org.people.values() {
        let Some(RawEmail::Secret(r)) = &p.spec.email else {
            continue;
        };
        if let Some(why) = policy.refusal(&r.secret) {
            out.push(
                finding(format!("secret reference `{}` is not allowed: {why}", r.secret))
                    .at(p.file, "/email/secret")
                    .help("see docs/email.md, \"Private addresses\": the operator chooses the allowed variables and directory"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn references_outside_the_policy() {
        let d = check(
            "secret-reference",
            &[
                (
                    "people/a.yaml",
                    "name: A\nemail: { secret: \"env:ORGCTL_EMAIL_A\" }\n",
                ),
                (
                    "people/b.yaml",
                    "name: B\nemail: { secret: \"env:GITHUB_TOKEN\" }\n",
                ),
                (
                    "people/c.yaml",
                    "name: C\nemail: { secret: \"file:/run/secrets/c\" }\n",
                ),
                (
                    "people/d.yaml",
                    "name: D\nemail: { secret: \"file:../../etc/d\" }\n",
                ),
            ],
        );
        assert_eq!(
            messages(&d),
            [
                "secret reference `env:GITHUB_TOKEN` is not allowed: `env:` references must name a variable starting with `ORGCTL_EMAIL_` (the operator sets ORGCTL_SECRET_ENV_PREFIX to change it)",
                "secret reference `file:../../etc/d` is not allowed: a `file:` path may not contain `..`",
            ]
        );
    }
}
