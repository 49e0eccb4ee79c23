//! The GitHub Actions workflows (`.github/workflows/*.yml`) call orgctl with arguments that
//! exist: every `orgctl` command line in a `run:` step is parsed with orgctl's own command-line
//! parser, so a renamed flag breaks this test, not the org's pull requests.

use clap::Parser;
use orgctl::cli::Cli;
use std::path::Path;

/// Words of a shell command line up to the first operator (`>>`, `|`, `||`, `&&`, `;`), quotes
/// removed; a `$VAR` word stands for a value.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, ' ' | '\t') => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '>' | '|' | '&' | ';') => break,
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out.into_iter()
        .map(|w| {
            if w.starts_with('$') {
                "value".into()
            } else {
                w
            }
        })
        .collect()
}

#[test]
fn every_orgctl_call_in_the_workflows_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    let mut calls = 0;
    for entry in std::fs::read_dir(&dir).expect("workflows") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let doc = orgctl::yaml::parse(&text)
            .unwrap_or_else(|e| panic!("{} is not valid YAML: {e:?}", path.display()));
        let jobs = doc["jobs"].as_object().expect("jobs");
        for (name, job) in jobs {
            assert!(job["runs-on"].is_string(), "{name}: runs-on");
            for step in job["steps"].as_array().expect("steps") {
                if let Some(uses) = step["uses"].as_str() {
                    assert!(uses.contains('@'), "{name}: pin {uses} to a version");
                }
                let Some(script) = step["run"].as_str() else {
                    continue;
                };
                let script = script.replace("\\\n", " ");
                for line in script.lines() {
                    let Some(at) = line.find("target/release/orgctl ") else {
                        continue;
                    };
                    let mut args = words(&line[at..]);
                    args[0] = "orgctl".into();
                    if let Err(e) = Cli::try_parse_from(&args) {
                        panic!("{}: `{}` does not parse:\n{e}", path.display(), line.trim());
                    }
                    calls += 1;
                }
            }
        }
    }
    assert!(calls >= 6, "found {calls} orgctl calls");
}

#[test]
fn the_word_splitter_stops_at_redirections() {
    assert_eq!(
        words("orgctl diff --base \"$BASE\" --format markdown >> \"$GITHUB_STEP_SUMMARY\""),
        ["orgctl", "diff", "--base", "value", "--format", "markdown"]
    );
    assert_eq!(words("orgctl reviewers || echo x"), ["orgctl", "reviewers"]);
}
