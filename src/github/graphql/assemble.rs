//! Putting the organisation together: the first page and the invitations start the read, each
//! piece that arrives is merged and schedules the pages it calls for (bounded by the
//! semaphore), and the most specific error wins when a read fails.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::super::error::GithubError;
use super::super::listing::{self, task_failed};
use super::super::state::{GithubState, OrgMember, Team};
use super::GraphqlReader;
use super::decode::PagedTeam;
use super::paging::{Chain, Outer};
use super::query::{Ctx, MEMBERS_PAGE_SIZE, Piece};

/// Accumulates pieces and schedules follow-up requests.
pub(super) struct Assembly {
    pub(super) ctx: Arc<Ctx>,
    pub(super) tasks: JoinSet<Result<Piece, GithubError>>,
    pub(super) state: GithubState,
    /// Organisation members by lowercased login.
    pub(super) members: BTreeMap<String, OrgMember>,
    pub(super) members_outer: Outer,
    pub(super) teams: BTreeMap<String, Team>,
    pub(super) teams_outer: Outer,
}

impl Assembly {
    pub(super) fn spawn<F>(&mut self, make: impl FnOnce(Arc<Ctx>) -> F)
    where
        F: Future<Output = Result<Piece, GithubError>> + Send + 'static,
    {
        let future = make(self.ctx.clone());
        self.tasks.spawn(future);
    }

    pub(super) fn spawn_members(&mut self, chain: Chain) {
        self.spawn(move |ctx| async move { ctx.members_page(chain).await });
    }

    pub(super) fn spawn_teams(&mut self, chain: Chain) {
        self.spawn(move |ctx| async move { ctx.teams_page(Some(chain)).await });
    }

    /// Adds the teams not seen yet (the page where the two ends of the teams
    /// connection meet repeats some) and schedules their overflowing nested
    /// connections. Returns how many were new.
    pub(super) fn add_teams(&mut self, teams: Vec<PagedTeam>) -> usize {
        let mut new = 0;
        for paged in teams {
            let slug = paged.team.slug.clone();
            if self.teams.contains_key(&slug) {
                continue;
            }
            new += 1;
            if let Some(after) = paged.members_next {
                let s = slug.clone();
                self.spawn(move |ctx| async move { ctx.team_members_page(s, after).await });
            }
            if let Some(after) = paged.repos_next {
                let s = slug.clone();
                self.spawn(move |ctx| async move { ctx.team_repos_page(s, after).await });
            }
            self.teams.insert(slug, paged.team);
        }
        new
    }

    pub(super) fn accept(&mut self, piece: Piece) -> Result<(), GithubError> {
        match piece {
            Piece::First {
                viewer,
                members,
                teams,
            } => {
                self.state.viewer = viewer;
                self.accept(Piece::Members(members))?;
                self.accept(Piece::Teams(teams))?;
            }
            Piece::Members(page) => {
                let on_page = page.items.len();
                let mut new = 0;
                for m in page.items {
                    if let std::collections::btree_map::Entry::Vacant(e) =
                        self.members.entry(m.login.to_lowercase())
                    {
                        e.insert(m);
                        new += 1;
                    }
                }
                let chains = self.members_outer.next_chains(
                    page.chain.as_ref(),
                    &page.info,
                    page.total,
                    on_page,
                    new,
                    MEMBERS_PAGE_SIZE as usize,
                );
                for chain in chains {
                    self.spawn_members(chain);
                }
            }
            Piece::Teams(page) => {
                let on_page = page.items.len();
                let new = self.add_teams(page.items);
                let chains = self.teams_outer.next_chains(
                    page.chain.as_ref(),
                    &page.info,
                    page.total,
                    on_page,
                    new,
                    self.ctx.team_page_size as usize,
                );
                for chain in chains {
                    self.spawn_teams(chain);
                }
            }
            Piece::Invitations(invitations) => self.state.invitations.extend(invitations),
            Piece::TeamMembers {
                slug,
                members,
                next,
            } => {
                let team = self
                    .teams
                    .get_mut(&slug)
                    .ok_or_else(|| GithubError::Inconsistent { slug: slug.clone() })?;
                team.members.extend(members);
                if let Some(after) = next {
                    self.spawn(move |ctx| async move { ctx.team_members_page(slug, after).await });
                }
            }
            Piece::TeamRepos { slug, repos, next } => {
                let team = self
                    .teams
                    .get_mut(&slug)
                    .ok_or_else(|| GithubError::Inconsistent { slug: slug.clone() })?;
                team.repos.extend(repos);
                if let Some(after) = next {
                    self.spawn(move |ctx| async move { ctx.team_repos_page(slug, after).await });
                }
            }
        }
        Ok(())
    }

    /// Starts the catch-up chains of outer connections that came up short;
    /// false when there is nothing more to read.
    pub(super) fn catch_up(&mut self) -> bool {
        let mut more = false;
        if let Some(chain) = self.members_outer.catch_up(self.members.len()) {
            self.spawn_members(chain);
            more = true;
        }
        if let Some(chain) = self.teams_outer.catch_up(self.teams.len()) {
            self.spawn_teams(chain);
            more = true;
        }
        more
    }
}

/// How precisely an error explains a failed read (3: nothing better can come).
pub(super) fn specificity(e: &GithubError) -> u8 {
    match e {
        GithubError::OrgNotFound { .. }
        | GithubError::BadCredentials { .. }
        | GithubError::Config(_) => 3,
        GithubError::OrgAccessDenied { .. } => 2,
        _ => 1,
    }
}

impl GraphqlReader {
    /// The whole read, without the deadline.
    pub(super) async fn read_now(&self, org: &str) -> Result<GithubState, GithubError> {
        let ctx = Arc::new(Ctx {
            transport: self.transport.clone(),
            semaphore: Arc::new(Semaphore::new(self.options.concurrency.max(1))),
            org: org.to_string(),
            team_page_size: self.options.team_page_size.clamp(1, 100),
        });
        let mut assembly = Assembly {
            ctx: ctx.clone(),
            tasks: JoinSet::new(),
            state: GithubState::new(org),
            members: BTreeMap::new(),
            members_outer: Outer::default(),
            teams: BTreeMap::new(),
            teams_outer: Outer::default(),
        };
        assembly.spawn(|ctx| async move { ctx.teams_page(None).await });
        assembly.spawn(|ctx| async move {
            let path = listing::invitations_path(&ctx.org);
            let endpoint = format!("GET {path}");
            let items = listing::list_concurrent(
                ctx.transport.clone(),
                ctx.semaphore.clone(),
                ctx.org.clone(),
                path,
            )
            .await?;
            let invitations = items
                .iter()
                .map(|v| listing::invitation(&endpoint, v))
                .collect::<Result<_, _>>()?;
            Ok(Piece::Invitations(invitations))
        });
        // On a failure, stop scheduling and let the requests in flight finish:
        // a GraphQL NOT_FOUND explains a REST 404 on invitations better.
        let mut failure: Option<GithubError> = None;
        loop {
            while let Some(joined) = assembly.tasks.join_next().await {
                let result = joined
                    .map_err(|e| task_failed(&e))
                    .and_then(|r| r)
                    .and_then(|piece| match failure {
                        None => assembly.accept(piece),
                        Some(_) => Ok(()),
                    });
                if let Err(e) = result {
                    if specificity(&e) >= 3 {
                        return Err(e);
                    }
                    failure = match failure {
                        Some(previous) if specificity(&previous) >= specificity(&e) => {
                            Some(previous)
                        }
                        _ => Some(e),
                    };
                }
            }
            if failure.is_some() || !assembly.catch_up() {
                break;
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        let mut state = assembly.state;
        state.members = assembly.members.into_values().collect();
        state.teams = assembly.teams.into_values().collect();
        state.normalize();
        Ok(state)
    }
}
