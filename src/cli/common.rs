//! Helpers shared by the commands that read live state or the org's providers (`plan`, `apply`,
//! `state`, `email`, `import`): the checked org, state snapshots, the live GitHub read and the
//! email backend settings of this machine. No command module imports another for these.

use super::Global;
use crate::diagnostic::{Diagnostic, Severity};
use crate::github::state::GithubState;
use crate::locate::locate;
use crate::pipeline::{Checked, checked};
use crate::render::diagnostics::{HumanStyle, human as human_diags};
use crate::source::SourceSet;
use anyhow::{Context as _, bail};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Loads and checks the org, refusing to go on when it has errors (printed to stderr).
pub fn checked_or_bail(global: &Global) -> anyhow::Result<Checked> {
    let checked = checked(&global.location(), &global.context(), &[])?;
    if print_errors(global, &checked.diagnostics, &checked.sources) > 0 {
        bail!("the org files have errors (see above); fix them before planning (`orgctl check`)");
    }
    Ok(checked)
}

/// Prints the errors among `diagnostics` to stderr, each at its line, and returns how many
/// there were (warnings are left for `check`).
pub fn print_errors(global: &Global, diagnostics: &[Diagnostic], sources: &SourceSet) -> usize {
    let errors: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    let n = errors.len();
    if n > 0 {
        let located = locate(errors, sources);
        let style = HumanStyle {
            color: global.color(std::io::stderr().is_terminal()),
            width: super::width(),
        };
        eprint!("{}", human_diags(&located, sources, style));
    }
    n
}

/// Reads the live organisation with the GraphQL reader, using `GITHUB_TOKEN`,
/// `GITHUB_API_URL` and `GITHUB_GRAPHQL_URL` (or GitHub App credentials) from the environment.
pub fn pull_live(org: &str) -> anyhow::Result<GithubState> {
    use crate::github::{GithubConfig, GraphqlReader, LiveReader};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let config = GithubConfig::from_env(None)?;
        let reader = GraphqlReader::connect(&config).await?;
        let state = reader.read_org(org).await?;
        let n = reader.requests();
        eprintln!("read GitHub organisation `{org}` in {} requests", n.total());
        Ok::<_, anyhow::Error>(state)
    })
}

/// Email backend settings of this machine (not of the org), from the environment:
/// `ORGCTL_POSTMAP`, `ORGCTL_POSTFIX_CONFIG_DIR` and `MAILGUN_API_KEY`. Reading aliases never
/// runs postmap; `run_postmap` says whether an apply does after writing the map.
pub fn email_options(run_postmap: bool) -> crate::email::BackendOptions {
    crate::email::BackendOptions {
        postmap: std::env::var_os("ORGCTL_POSTMAP")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("postmap")),
        postfix_config_dir: std::env::var_os("ORGCTL_POSTFIX_CONFIG_DIR").map(PathBuf::from),
        run_postmap,
        mailgun_api_key: std::env::var("MAILGUN_API_KEY")
            .ok()
            .map(secrecy::SecretString::from),
    }
}
