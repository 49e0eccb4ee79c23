//! `orgctl email plan` and `orgctl email apply`: the email aliases of the org on their server.
//!
//! Both check the org first and refuse one with errors. `plan` reads the server and shows the
//! `email_alias[...]` changes (never resolving a secret); `apply` plans, asks for confirmation on
//! a terminal (or takes `--auto-approve`), resolves private addresses, then writes. The backend
//! and its path come from `org.yaml`; `--postmap`, `--postfix-config-dir`, `--no-postmap` and
//! the Mailgun API key variable are flags because they belong to the machine, not the org.

use super::format::{Format, Formats};
use super::{Global, print};
use crate::email::{self, ApplyOptions, Backend, BackendOptions, EmailPlan, render, secrets};
use anyhow::{Context as _, bail};
use secrecy::SecretString;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `email`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Show the alias changes apply would make (reads the server; never resolves secrets).
    Plan(PlanArgs),
    /// Make the changes: write the Postfix map and run postmap, or update Mailgun routes.
    Apply(ApplyArgs),
}

/// The `--format` values of `email`.
const FORMATS: Formats = Formats::new(&[
    (Format::Human, "Terraform-style text"),
    (Format::Json, "A versioned JSON document (docs/email.md)"),
]);

#[derive(Debug, clap::Args)]
struct Common {
    /// Output format.
    #[arg(long, value_parser = FORMATS, default_value_t = Format::Human)]
    format: Format,
    /// The postmap program (Postfix backend).
    #[arg(
        long,
        env = "ORGCTL_POSTMAP",
        default_value = "postmap",
        value_name = "PATH"
    )]
    postmap: PathBuf,
    /// Postfix configuration directory passed to `postmap -c`.
    #[arg(long, env = "ORGCTL_POSTFIX_CONFIG_DIR", value_name = "DIR")]
    postfix_config_dir: Option<PathBuf>,
    /// Do not run postmap after writing the map (compile it yourself).
    #[arg(long)]
    no_postmap: bool,
    /// The environment variable holding the Mailgun API key.
    #[arg(long, default_value = "MAILGUN_API_KEY", value_name = "VAR")]
    mailgun_api_key_env: String,
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    #[command(flatten)]
    common: Common,
    /// Exit 2 when there are changes, drift or conflicts (0: nothing to do, 1: error).
    #[arg(long)]
    detailed_exitcode: bool,
}

#[derive(Debug, clap::Args)]
struct ApplyArgs {
    #[command(flatten)]
    common: Common,
    /// Apply without asking for confirmation (CI).
    #[arg(long)]
    auto_approve: bool,
    /// Overwrite entries edited by hand on the server since the last apply.
    #[arg(long)]
    allow_drift: bool,
}

/// Runs `email`.
pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    match args.command {
        Sub::Plan(a) => rt.block_on(plan(global, a)),
        Sub::Apply(a) => rt.block_on(apply(global, a)),
    }
}

async fn make_plan(global: &Global, common: &Common) -> anyhow::Result<(EmailPlan, Backend)> {
    let ctx = global.context();
    let checked = super::common::checked_or_bail(global)?;
    let options = BackendOptions {
        postmap: common.postmap.clone(),
        postfix_config_dir: common.postfix_config_dir.clone(),
        run_postmap: !common.no_postmap,
        mailgun_api_key: std::env::var(&common.mailgun_api_key_env)
            .ok()
            .map(SecretString::from),
    };
    let backend = Backend::from_config(checked.org.spec.email.as_ref(), options)?;
    let plan = email::plan(&checked.org, ctx.today, &backend).await?;
    Ok((plan, backend))
}

fn json_text(v: &serde_json::Value) -> anyhow::Result<String> {
    Ok(format!("{}\n", serde_json::to_string_pretty(v)?))
}

async fn plan(global: &Global, args: PlanArgs) -> anyhow::Result<ExitCode> {
    let (plan, _) = make_plan(global, &args.common).await?;
    let text = match args.common.format {
        Format::Human => render::human(&plan, global.color(std::io::stdout().is_terminal())),
        Format::Json => json_text(&render::json(&plan))?,
        other => return Err(super::format::unsupported("email plan", other)),
    };
    print(&text)?;
    let pending = !plan.changes.is_empty() || !plan.drift.is_empty() || !plan.conflicts.is_empty();
    Ok(if args.detailed_exitcode && pending {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

async fn apply(global: &Global, args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let (plan, backend) = make_plan(global, &args.common).await?;
    let human = args.common.format == Format::Human;
    let color = global.color(std::io::stdout().is_terminal());
    if human {
        print(&render::human(&plan, color))?;
    }
    if !plan.conflicts.is_empty() {
        return Err(email::EmailError::Conflict(plan.conflicts.clone()).into());
    }
    if !plan.drift.is_empty() && !args.allow_drift {
        return Err(email::EmailError::Drift(plan.drift.clone()).into());
    }
    if !plan.changes.is_empty() && !args.auto_approve {
        confirm()?;
    }
    let options = ApplyOptions {
        allow_drift: args.allow_drift,
    };
    let report = email::apply(&plan, &backend, &secrets::Env, options).await?;
    let text = if human {
        render::apply_human(&report, color)
    } else {
        json_text(&render::apply_json(&plan, &report))?
    };
    print(&text)?;
    Ok(if report.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Asks on the terminal; refuses without one.
fn confirm() -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to apply without confirmation: stdin is not a terminal; pass --auto-approve"
        );
    }
    eprint!("\nDo you want to apply these changes? Only 'yes' is accepted: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        bail!("apply cancelled");
    }
    Ok(())
}
