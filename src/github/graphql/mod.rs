//! The GraphQL reader: reads a whole organisation with the fewest requests.
//!
//! * `OrgctlOrgPage` (queries/org_page.graphql) pages the teams, each with its
//!   first 100 immediate members and repositories; the first page also brings
//!   the first 100 organisation members and the viewer.
//! * `OrgctlOrgMembers` continues the organisation members when there are
//!   more than 100.
//! * The two outer connections (teams, organisation members) are cursor
//!   paged, so each is a chain of dependent requests: the latency of a read
//!   is the latency of its longest chain. Both are read from their two ends
//!   at once (`first`/`after` forwards, `last`/`before` backwards), splitting
//!   the pages the first answer's `totalCount` says are left, which halves
//!   the chain without adding a request; items of the page where the two
//!   ends meet are deduplicated. Should the connection change during the
//!   read (fewer items than `totalCount`), the forward chain goes on until a
//!   page brings nothing new.
//! * `OrgctlTeamMembers` / `OrgctlTeamRepos` continue, per team, only the
//!   nested connections whose `hasNextPage` is true (an inner cursor must not
//!   go into the outer query: it would apply to every team).
//! * Pending invitations come from REST `GET /orgs/{org}/invitations` (GraphQL
//!   has no invitation role); after the first page the rest are fetched
//!   concurrently.
//!
//! Independent chains run concurrently, bounded by [`ReadOptions::concurrency`].
//!
//! The queries and the request of each page are in `query`, the response shapes and their
//! conversion into [`GithubState`] parts in `decode`, the cursor chains that page a connection
//! from both ends in `paging`, and the tasks that put the organisation together in `assemble`.

mod assemble;
mod decode;
mod paging;
mod query;

pub use query::QUERIES;

use std::sync::Arc;

use super::LiveReader;
use super::config::GithubConfig;
use super::error::GithubError;
use super::state::GithubState;
use super::transport::{RequestCount, Transport};

/// Tuning of a read. The defaults are measured in `benches/plan.rs` (see
/// docs/benchmarks.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Teams per GraphQL page (1..=100). 100 gives the fewest requests; such
    /// a page is at most 20,200 nodes (the limit is 500,000) and costs about
    /// 2 points.
    pub team_page_size: u32,
    /// Requests in flight at once (GitHub allows 100 and asks clients to be
    /// gentle). 8: the two ends of the teams and of the members connections
    /// keep four chains busy, the other four permits serve overflowing
    /// teams and invitation pages.
    pub concurrency: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            team_page_size: 100,
            concurrency: 8,
        }
    }
}

/// Reads organisations through GraphQL (plus REST for invitations).
pub struct GraphqlReader {
    transport: Arc<Transport>,
    options: ReadOptions,
}

impl GraphqlReader {
    /// A reader over `transport` with default options.
    pub fn new(transport: Arc<Transport>) -> GraphqlReader {
        GraphqlReader {
            transport,
            options: ReadOptions::default(),
        }
    }

    /// Connects with `config` (see [`Transport::connect`]).
    pub async fn connect(config: &GithubConfig) -> Result<GraphqlReader, GithubError> {
        Ok(GraphqlReader::new(Arc::new(
            Transport::connect(config).await?,
        )))
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: ReadOptions) -> GraphqlReader {
        self.options = options;
        self
    }

    /// Requests sent so far.
    pub fn requests(&self) -> RequestCount {
        self.transport.requests()
    }
}

/// Checks an organisation login before it goes into URLs.
pub(crate) fn check_org_name(org: &str) -> Result<(), GithubError> {
    let ok = !org.is_empty()
        && org
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(GithubError::Config(format!(
            "`{org}` is not a valid GitHub organisation name"
        )))
    }
}

impl LiveReader for GraphqlReader {
    /// Reads `org` within the read deadline (`ORGCTL_GITHUB_READ_DEADLINE`).
    async fn read_org(&self, org: &str) -> Result<GithubState, GithubError> {
        check_org_name(org)?;
        self.transport
            .within_read_deadline(&format!("reading organisation `{org}`"), self.read_now(org))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_names_are_checked() {
        assert!(check_org_name("rust-lang").is_ok());
        assert!(check_org_name("a/b").is_err());
        assert!(check_org_name("").is_err());
    }
}
