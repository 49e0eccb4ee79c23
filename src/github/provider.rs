//! The GitHub provider behind the core's [`Provider`] trait: its description (kinds and
//! wording), the live read (the GraphQL reader's parallel page chains, or a saved snapshot),
//! its plan part, guards and executor.

use super::desired::{DesiredGithub, desired_github};
use super::execute::{ExecContext, execute, teams_with_member};
use super::guard::{GuardInput, check};
use super::plan::plan_part;
use super::resources::PROVIDER;
use super::state::GithubState;
use super::{
    GithubConfig, GraphqlReader, LiveReader, ProgressSink, RestWriter, Transport, WritePacing,
};
use crate::apply::{ApplyReport, ChangeResult, Progress};
use crate::interface::{Description, Group, Kind, Provider, ProviderFuture};
use crate::model::Org;
use crate::plan::{Change, PlanPart, fingerprint};
use anyhow::{Context as _, bail};
use jiff::civil::Date;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The GitHub provider's description.
pub static DESCRIPTION: Description = Description {
    name: PROVIDER,
    title: "GitHub",
    about: "GitHub: organisation members, teams and their members (org.yaml `github:`)",
    configured_by: "`github:` block",
    desired: "the org files",
    live: "GitHub",
    account_noun: Some("GitHub organisation"),
    configured: |org| org.spec.github.is_some(),
    kinds: &[
        Kind {
            name: "org_member",
            doc: "a person's membership of the organisation, with its role",
            group: Group::Fixed {
                title: "organisation members",
                rank: 0,
            },
        },
        Kind {
            name: "team",
            doc: "a team: name, description, privacy, parent",
            group: TEAM_GROUP,
        },
        Kind {
            name: "team_member",
            doc: "a person's membership of a team, member or maintainer",
            group: TEAM_GROUP,
        },
        Kind {
            name: "team_repo",
            doc: "a team's permission on a repository",
            group: TEAM_GROUP,
        },
        Kind {
            name: "team_settings",
            doc: "a team's settings: whether its members are notified when it is mentioned",
            group: TEAM_GROUP,
        },
    ],
};

/// Every kind about one team is shown under `# team <slug>`.
const TEAM_GROUP: Group = Group::ByName {
    noun: "team",
    rank: 1,
};

/// Where the provider reads the live organisation.
#[derive(Debug, Clone)]
pub enum Source {
    /// GitHub itself, with the credentials of the environment ([`GithubConfig::from_env`]).
    Live,
    /// A snapshot written by `orgctl state pull` (plan only: nothing can be applied to it).
    Snapshot(PathBuf),
}

/// The GitHub provider: how it reads and writes, and what it read.
pub struct GithubProvider {
    source: Source,
    pacing: Option<WritePacing>,
    progress: Option<Arc<dyn ProgressSink>>,
    read: Option<Read>,
}

/// What [`Provider::plan`] read, for the guards and apply.
struct Read {
    desired: DesiredGithub,
    live: GithubState,
    transport: Option<Arc<Transport>>,
}

impl GithubProvider {
    /// A provider reading from `source`.
    pub fn new(source: Source) -> GithubProvider {
        GithubProvider {
            source,
            pacing: None,
            progress: None,
            read: None,
        }
    }

    /// Paces writes (GitHub's content-creation limits).
    pub fn with_write_pacing(mut self, pacing: WritePacing) -> GithubProvider {
        self.pacing = Some(pacing);
        self
    }

    /// Reports waits and retries to `sink`.
    pub fn with_progress(mut self, sink: Arc<dyn ProgressSink>) -> GithubProvider {
        self.progress = Some(sink);
        self
    }

    async fn connect(&self) -> anyhow::Result<Arc<Transport>> {
        let config = GithubConfig::from_env(None)?;
        let mut transport = Transport::connect(&config).await?;
        if let Some(p) = &self.pacing {
            transport = transport.with_write_pacing(p.clone());
        }
        if let Some(s) = &self.progress {
            transport = transport.with_progress(s.clone());
        }
        Ok(Arc::new(transport))
    }

    async fn read(&mut self, org: &Org, today: Date) -> anyhow::Result<PlanPart> {
        let Some(desired) = desired_github(org, today) else {
            bail!("org.yaml has no `github:` block: GitHub is not managed by these org files");
        };
        let (live, transport) = match &self.source {
            Source::Snapshot(path) => (read_snapshot(path)?, None),
            Source::Live => {
                let transport = self.connect().await?;
                let live = GraphqlReader::new(transport.clone())
                    .read_org(&desired.org)
                    .await?;
                eprintln!(
                    "read GitHub organisation `{}` in {} requests",
                    desired.org,
                    transport.requests().total()
                );
                (live, Some(transport))
            }
        };
        if !live.org.eq_ignore_ascii_case(&desired.org) {
            bail!(
                "{} is of organisation `{}` but org.yaml manages `{}`",
                match &self.source {
                    Source::Snapshot(_) => "the state snapshot",
                    Source::Live => "the organisation GitHub answered for",
                },
                live.org,
                desired.org
            );
        }
        let part = plan_part(&desired, &live);
        self.read = Some(Read {
            desired,
            live,
            transport,
        });
        Ok(part)
    }
}

/// Reads a state snapshot file (`orgctl state pull`), bounded, regular files only.
pub fn read_snapshot(path: &Path) -> anyhow::Result<GithubState> {
    let text = crate::readfile::read_regular_to_string(path, crate::readfile::MAX_DOCUMENT)
        .with_context(|| format!("reading state snapshot {}", path.display()))?;
    GithubState::from_json(&text).with_context(|| format!("in {}", path.display()))
}

impl Provider for GithubProvider {
    fn describe(&self) -> &'static Description {
        &DESCRIPTION
    }

    fn desired_fingerprint(&self, org: &Org, today: Date) -> Option<String> {
        desired_github(org, today).map(|d| fingerprint(&d))
    }

    fn plan<'a>(
        &'a mut self,
        org: &'a Org,
        today: Date,
    ) -> ProviderFuture<'a, anyhow::Result<PlanPart>> {
        Box::pin(self.read(org, today))
    }

    fn guard(&self, _planned: &[Change], selected: &[Change]) -> Vec<String> {
        let Some(read) = &self.read else {
            return Vec::new();
        };
        check(
            selected,
            &GuardInput {
                live: &read.live,
                unmanaged_teams: &read.desired.unmanaged_teams,
            },
        )
        .iter()
        .map(ToString::to_string)
        .collect()
    }

    fn apply<'a>(
        &'a self,
        changes: &'a [Change],
        progress: &'a mut dyn FnMut(Progress<'_>),
    ) -> ProviderFuture<'a, ApplyReport> {
        Box::pin(async move {
            let failed = |error: String| ApplyReport {
                results: changes
                    .iter()
                    .map(|c| ChangeResult::failed(c, &error))
                    .collect(),
                stopped: None,
            };
            let Some(read) = &self.read else {
                return failed("GitHub was not read before applying".into());
            };
            let Some(transport) = &read.transport else {
                return failed("a state snapshot cannot be applied to; apply reads GitHub".into());
            };
            let viewer_teams = read
                .live
                .viewer
                .as_deref()
                .map(|v| teams_with_member(&read.desired, v))
                .unwrap_or_default();
            let ctx = ExecContext::from_live(&read.live, viewer_teams);
            let writer = match RestWriter::new(transport.clone(), &read.desired.org) {
                Ok(w) => w,
                Err(e) => return failed(e.to_string()),
            };
            execute(changes, &ctx, &writer, progress).await
        })
    }

    fn account(&self, org: &Org) -> Option<String> {
        org.spec.github.as_ref().map(|g| g.org.clone())
    }

    fn actor(&self) -> Option<String> {
        self.read.as_ref().and_then(|r| r.live.viewer.clone())
    }

    fn requests(&self) -> Option<String> {
        let n = self.read.as_ref()?.transport.as_ref()?.requests();
        Some(format!(
            "{} GitHub write requests, {} in all",
            n.writes,
            n.total()
        ))
    }
}
