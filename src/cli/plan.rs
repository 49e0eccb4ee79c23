//! `orgctl plan`: what apply would change on GitHub, without changing anything.

use super::common::{checked_or_bail, email_options, pull_live, read_state};
use super::format::{Format, Formats};
use super::select::{Provider, Selection, nothing_selected};
use super::{Global, print};
use crate::github::{desired_github, plan_github};
use crate::plan::{Plan, Policy};
use crate::render::plan::{human, markdown};
use anyhow::{Context as _, bail};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Plan against a saved state snapshot (`orgctl state pull`) instead of live GitHub.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Save the plan for `orgctl apply plan.json`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 0 with no changes, 2 with changes, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Providers and addresses.
    #[command(flatten)]
    pub selection: Selection,
}

/// The `--format` values of `plan`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "Terraform-style text"),
    (
        Format::Json,
        "The versioned plan document (schemas/plan.schema.json)",
    ),
    (Format::Markdown, "A pull-request comment"),
]);

/// Computes the plan: GitHub, then email aliases, of the selected providers.
pub fn make_plan(global: &Global, args: &Args) -> anyhow::Result<Plan> {
    let checked = checked_or_bail(global)?;
    let org = &checked.org;
    let selection = &args.selection;
    selection.check_configured(org)?;
    let today = global.context().today;
    let policy = Policy {
        targets: selection.target.clone(),
    };
    let github = if selection.wants(Provider::Github) {
        desired_github(org, today)
    } else {
        None
    };
    let with_email = selection.wants(Provider::Email) && Provider::Email.configured(org);
    let mut plan = match github {
        Some(desired) => {
            let state = match &args.state {
                Some(path) => read_state(path)?,
                None => pull_live(&desired.org)?,
            };
            if !state.org.eq_ignore_ascii_case(&desired.org) {
                bail!(
                    "the state snapshot is of organisation `{}` but org.yaml manages `{}`",
                    state.org,
                    desired.org
                );
            }
            plan_github(&desired, &state, &policy)
        }
        None if with_email => Plan::without_github(&org.spec.name, org.spec.limits.max_removals),
        None => bail!("nothing to plan: {}", nothing_selected(org)),
    };
    if with_email {
        let backend = crate::email::Backend::from_config(
            checked.org.spec.email.as_ref(),
            email_options(true),
        )?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let email = runtime.block_on(crate::email::plan(org, today, &backend))?;
        plan.add_email(crate::email::changes::plan_part(&email), &policy);
    }
    Ok(plan)
}

/// Runs `plan`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let plan = make_plan(global, &args)?;
    if let Some(out) = &args.out {
        super::output::write_file(out, plan.to_json().as_bytes())?;
    }
    let text = match args.format {
        Format::Human => human(&plan, global.color(std::io::stdout().is_terminal())),
        Format::Json => plan.to_json(),
        Format::Markdown => markdown(&plan),
        other => return Err(super::format::unsupported("plan", other)),
    };
    print(&text)?;
    if let Some(out) = &args.out {
        if args.format == Format::Human {
            eprintln!(
                "Saved the plan to {} ({}): run `orgctl apply {}` to execute exactly these changes.",
                out.display(),
                plan.content_digest(),
                out.display()
            );
        }
    }
    Ok(if args.detailed_exitcode && !plan.changes.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
