//! `codeowners-pattern`: every `owns:` path is a pattern GitHub's CODEOWNERS supports.
//!
//! GitHub documents that `!` negation, `[ ]` ranges and `\#` escapes do not work in CODEOWNERS,
//! and a file with an invalid line is not used at all; whitespace and `#` cannot be written on a
//! CODEOWNERS line either. See `crate::ownership::pattern`.

use crate::diagnostic::Diagnostic;
use crate::model::Org;
use crate::ownership::Pattern;
use crate::validate::{Context, finding};

/// Parses every `owns:` path as a CODEOWNERS pattern.
pub fn check(org: &Org, _: &Context, out: &mut Vec<Diagnostic>) {
    for t in org.teams.values() {
        for (i, owns) in t.spec.owns.iter().enumerate() {
            for (j, path) in owns.paths.iter().enumerate() {
                if let Err(e) = Pattern::parse(path) {
                    out.push(
                        finding(format!(
                            "`{path}` is not a valid CODEOWNERS pattern: {}",
                            e.reason()
                        ))
                        .at(t.file, format!("/owns/{i}/paths/{j}"))
                        .label("unsupported in CODEOWNERS")
                        .help(e.help()),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::testing::{check, messages};

    #[test]
    fn rejects_what_github_ignores() {
        let d = check(
            "codeowners-pattern",
            &[(
                "teams/t.yaml",
                "name: T\nowns:\n  - repo: r\n    paths: ['!/docs/', '/src/[ab]/', '\\#x', '#x', 'a b', '/ok/', '*.md']\n",
            )],
        );
        let m = messages(&d);
        assert_eq!(m.len(), 5, "{m:?}");
        assert!(m[0].starts_with("`!/docs/` is not a valid CODEOWNERS pattern: negation with `!`"));
        assert!(m[1].contains("character ranges"));
        assert!(m[2].contains("escapes"));
        assert!(m[3].contains("comment"));
        assert!(m[4].contains("whitespace"));
        assert_eq!(
            d[0].at,
            crate::diagnostic::At::Value("/owns/0/paths/0".into())
        );
    }
}
