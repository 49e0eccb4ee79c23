//! `orgctl schema`: write (or verify) the JSON Schemas generated from the file types.

use super::{Global, print};
use crate::schema::FileKind;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write `<kind>.schema.json` files into.
    #[arg(long, default_value = "schemas")]
    out: PathBuf,
    /// Do not write: exit 1 if the files in `--out` differ from the generated schemas.
    #[arg(long)]
    check: bool,
}

/// The schema files as `(file name, content)`: one per org file kind, plus the documents orgctl
/// writes (the saved plan and the GitHub state snapshot).
pub fn files() -> Vec<(String, String)> {
    let text = |schema: &schemars::Schema| {
        let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
        text.push('\n');
        text
    };
    let mut out: Vec<(String, String)> = FileKind::ALL
        .into_iter()
        .map(|k| (k.schema_file_name(), text(&k.schema())))
        .collect();
    out.push((
        "plan.schema.json".into(),
        text(&schemars::schema_for!(crate::plan::Plan)),
    ));
    out.push((
        "state.schema.json".into(),
        text(&schemars::schema_for!(crate::github::state::GithubState)),
    ));
    out
}

/// Runs `schema`.
pub fn run(_: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let mut stale = Vec::new();
    for (name, text) in files() {
        let path = args.out.join(&name);
        if args.check {
            let current =
                crate::readfile::read_regular_to_string(&path, 16 << 20).unwrap_or_default();
            if current != text {
                stale.push(path.display().to_string());
            }
        } else {
            super::output::OutDir::create(&args.out)?.write(&name, text.as_bytes())?;
        }
    }
    if args.check && !stale.is_empty() {
        print(&format!(
            "stale schemas: {}\nrun `orgctl schema --out {}` and commit the result\n",
            stale.join(", "),
            args.out.display()
        ))?;
        return Ok(ExitCode::from(1));
    }
    if !args.check {
        print(&format!(
            "wrote {} schemas to {}\n",
            files().len(),
            args.out.display()
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
