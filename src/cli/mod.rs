//! The command line: argument parsing, dispatch, exit codes. The only place that prints.
//!
//! Each command is one module with `run(&Global, Args) -> anyhow::Result<ExitCode>` that turns
//! arguments into calls of the library and writes the result. Exit codes: 0 success, 1 problems
//! found (or failure), 2 usage errors; `plan --detailed-exitcode` adds 2 = changes present.

mod apply;
mod budget;
mod check;
mod codeowners;
mod common;
mod diff;
mod email;
mod format;
mod generate;
mod history;
mod import;
mod output;
mod owners;
mod plan;
pub mod registry;
mod report;
mod reporting;
mod reviewers;
mod rules;
mod schema;
mod select;
mod state;

use crate::pipeline::{OrgLocation, today_utc};
use crate::validate::Context;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// orgctl: run an open-source organisation as code.
#[derive(Debug, Parser)]
#[command(name = "orgctl", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every command takes.
#[derive(Debug, clap::Args)]
pub struct Global {
    /// The org directory.
    #[arg(
        long,
        global = true,
        default_value = "org",
        env = "ORGCTL_ORG",
        value_name = "DIR"
    )]
    pub org: PathBuf,
    /// Read the org at this git revision (branch, tag, commit, HEAD~3) instead of the work tree.
    #[arg(long, global = true, value_name = "REV")]
    pub rev: Option<String>,
    /// Judge terms, expiries and budgets as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, global = true, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
    /// When to use colours.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colours on a terminal unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Global {
    /// Where the org is.
    pub fn location(&self) -> OrgLocation {
        OrgLocation {
            dir: self.org.clone(),
            rev: self.rev.clone(),
        }
    }

    /// The rule context: today or `--as-of`, the operator's `ORGCTL_*` settings, every rule.
    pub fn context(&self) -> Context {
        Context {
            today: self.as_of.unwrap_or_else(today_utc),
            env: crate::email::operator_env(),
            rules: registry::rules(),
        }
    }

    /// Whether to colour output going to a stream that is a terminal or not.
    pub fn color(&self, is_terminal: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate the org: schemas and semantic rules, every problem at its line.
    Check(check::Args),
    /// What a change to the org files means: people, teams, aliases, budgets, GitHub, email.
    Diff(diff::Args),
    /// Who must approve a change to the org files (from the base's leads and owners).
    Reviewers(reviewers::Args),
    /// Who joined and left which team, and when, from the git history of the team files.
    History(history::Args),
    /// Show what apply would change on GitHub and the mail server, without changing anything.
    Plan(plan::Args),
    /// Change GitHub to match the org files (plans and asks, or executes a saved plan).
    Apply(apply::Args),
    /// Save or inspect observed GitHub state snapshots.
    State(state::Args),
    /// Write an org/ tree from an existing GitHub org (snapshot) or a peribolos config.
    Import(import::Args),
    /// List the semantic rules (names for `check --skip`).
    Rules(rules::Args),
    /// Write the JSON Schemas of the file kinds (for editors and CI).
    Schema(schema::Args),
    /// Plan or apply the email aliases on the mail server (Postfix map or Mailgun).
    Email(email::Args),
    /// Who owns a path of a repository, who to ask and why; or ownership coverage of a checkout.
    Owners(owners::Args),
    /// Print (or write, or check) a repository's CODEOWNERS file generated from `owns:`.
    Codeowners(codeowners::Args),
    /// Money per fund: allocated, spent and remaining per team and purpose, expiring soon.
    Budget(budget::Args),
    /// Write the organisation as a static HTML site or a Markdown tree.
    Report(report::Args),
    /// Write a synthetic org for benchmarks (deterministic from --seed).
    #[command(hide = true)]
    Generate(generate::Args),
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Check(a) => check::run(&cli.global, a),
        Command::Diff(a) => diff::run(&cli.global, a),
        Command::Reviewers(a) => reviewers::run(&cli.global, a),
        Command::History(a) => history::run(&cli.global, a),
        Command::Plan(a) => plan::run(&cli.global, a),
        Command::Apply(a) => apply::run(&cli.global, a),
        Command::State(a) => state::run(&cli.global, a),
        Command::Import(a) => import::run(a),
        Command::Rules(a) => rules::run(&cli.global, a),
        Command::Schema(a) => schema::run(&cli.global, a),
        Command::Email(a) => email::run(&cli.global, a),
        Command::Owners(a) => owners::run(&cli.global, a),
        Command::Codeowners(a) => codeowners::run(&cli.global, a),
        Command::Budget(a) => budget::run(&cli.global, a),
        Command::Report(a) => report::run(&cli.global, a),
        Command::Generate(a) => generate::run(&cli.global, a),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "orgctl", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            let color = cli.global.color(std::io::stderr().is_terminal());
            let prefix = if color {
                "\x1b[1;31merror:\x1b[0m"
            } else {
                "error:"
            };
            let mut msg = e.to_string();
            for cause in e.chain().skip(1) {
                msg.push_str(&format!("\n  caused by: {cause}"));
            }
            // Errors quote names from the files and messages from servers.
            let msg = crate::render::text::terminal_safe(&msg);
            let _ = writeln!(std::io::stderr(), "{prefix} {msg}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Terminal width for wrapping human output.
pub fn width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

/// Writes `s` to stdout, treating a closed pipe as success.
pub fn print(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// The command modules named by `super::NAME::` (or `crate::cli::NAME::`) in `text`.
    fn imports(text: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for prefix in ["super::", "crate::cli::"] {
            for (at, _) in text.match_indices(prefix) {
                let rest = &text[at + prefix.len()..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() && rest[name.len()..].starts_with("::") {
                    found.insert(name);
                }
            }
        }
        found
    }

    /// No two modules of `cli/` import each other (shared helpers live in `common`).
    #[test]
    fn no_cli_module_imports_one_that_imports_it() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
        let mut graph = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(&dir).expect("src/cli") {
            let path = entry.expect("entry").path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if stem == "mod" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            graph.insert(stem.to_string(), imports(&text));
        }
        for (module, uses) in &graph {
            for other in uses {
                if other == module {
                    continue;
                }
                let back = graph.get(other).is_some_and(|u| u.contains(module));
                assert!(
                    !back,
                    "cli/{module}.rs and cli/{other}.rs import each other"
                );
            }
        }
    }
}
