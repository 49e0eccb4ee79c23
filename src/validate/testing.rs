//! Test helpers: build an org from in-memory files and run one rule on it.

use super::Context;
use crate::diagnostic::Diagnostic;
use crate::load::{Content, assemble};
use crate::model::{self, Org};
use crate::parse::{Validators, parse_all};

/// The date rule tests judge terms against.
pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 25)
}

/// Builds an org from `(path, text)` pairs; `org.yaml` is added if missing. Panics on parse
/// errors, so a rule test cannot pass by accident on a file that did not load.
pub fn org(files: &[(&str, &str)]) -> Org {
    org_with_sources(files).0
}

/// Like [`org`], with the files it was built from.
pub fn org_with_sources(files: &[(&str, &str)]) -> (Org, crate::source::SourceSet) {
    let mut all: Vec<(String, Content)> = files
        .iter()
        .map(|(p, t)| (p.to_string(), Content::Bytes(t.as_bytes().to_vec())))
        .collect();
    if !files.iter().any(|(p, _)| *p == "org.yaml") {
        all.push((
            "org.yaml".into(),
            Content::Bytes(b"name: Test\nemail:\n  domains: [example.org]\n".to_vec()),
        ));
    }
    let loaded = assemble("test".into(), "", all, Vec::new());
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let (parsed, diags) = parse_all(&loaded.sources, &loaded.entries, &Validators::new());
    assert!(diags.is_empty(), "test files must parse: {diags:?}");
    (model::build(parsed).0, loaded.sources)
}

/// Runs rule `name` on the org made of `files`.
pub fn check(name: &str, files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let rule = crate::cli::registry::rules()
        .into_iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no rule {name}"));
    let org = org(files);
    let mut out = Vec::new();
    (rule.check)(&org, &Context::new(today()), &mut out);
    out
}

/// Messages of the findings, for compact assertions.
pub fn messages(d: &[Diagnostic]) -> Vec<String> {
    d.iter().map(|d| d.message.clone()).collect()
}
