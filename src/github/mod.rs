//! orgctl's view of GitHub: reading the live state of an organisation.
//!
//! * [`state`]: the observed state as plain data and its JSON snapshot format.
//! * [`desired`]: the model projected onto GitHub; [`plan`]: desired against observed, diffed
//!   into the plan's ordered changes; [`simulate`]: a plan applied to a state in memory.
//! * [`graphql`]: the GraphQL reader ([`GraphqlReader`]), fewest requests.
//! * [`rest_reader`]: a per-resource REST reader ([`RestReader`]), the
//!   comparison point.
//! * [`writer`]: the writes apply makes ([`GithubWriter`], REST: [`RestWriter`]).
//! * [`execute`]: apply's GitHub part: runs the GitHub changes of a plan over a
//!   [`GithubWriter`].
//! * [`guard`]: apply's GitHub refusals before any write (the acting account, the last owner,
//!   unmanaged teams, cascading team deletions).
//! * [`import`]: adopting an existing organisation: an `org/` tree from a state snapshot or a
//!   peribolos config.
//! * [`transport`]: octocrab clients, request counting, write pacing; [`retry`]: rate limits
//!   and retries; [`config`]: endpoints and credentials; [`error`]: errors
//!   that name the endpoint and the fix.
//!
//! Both readers implement [`LiveReader`]; plan code takes a `LiveReader` so
//! tests can hand it a [`StaticReader`] instead.

pub mod config;
pub mod desired;
pub mod error;
pub mod execute;
pub mod graphql;
pub mod guard;
pub mod http;
pub mod import;
mod listing;
pub mod plan;
pub mod provider;
pub mod resources;
pub mod rest_reader;
pub mod retry;
pub mod simulate;
pub mod state;
pub mod transport;
pub mod writer;

use std::future::Future;

pub use config::{Credentials, GithubConfig};
pub use desired::{DesiredGithub, DesiredTeam, DesiredUser, desired_github};
pub use error::GithubError;
pub use graphql::{GraphqlReader, ReadOptions};
pub use plan::plan_github;
pub use rest_reader::RestReader;
pub use retry::{Clock, ProgressEvent, ProgressSink, RetryPolicy, ScaledClock, SystemClock};
pub use state::GithubState;
pub use transport::{Exchange, RequestCount, Transport, WriteMethod, WritePacing};
pub use writer::{GithubWriter, RestWriter};

/// Reads the live state of an organisation.
pub trait LiveReader: Send + Sync {
    /// Reads organisation `org` completely.
    fn read_org(&self, org: &str) -> impl Future<Output = Result<GithubState, GithubError>> + Send;
}

/// A [`LiveReader`] that returns a fixed state (for plan tests).
#[derive(Debug, Clone)]
pub struct StaticReader(pub GithubState);

impl LiveReader for StaticReader {
    async fn read_org(&self, org: &str) -> Result<GithubState, GithubError> {
        if self.0.org.eq_ignore_ascii_case(org) {
            Ok(self.0.clone())
        } else {
            Err(GithubError::OrgNotFound {
                org: org.to_string(),
                endpoint: "static state".into(),
                message: format!("the static state describes `{}`", self.0.org),
            })
        }
    }
}
