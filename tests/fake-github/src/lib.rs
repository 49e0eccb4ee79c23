//! A stateful local fake of GitHub's REST and GraphQL APIs for orgctl's tests
//! and benchmarks.
//!
//! It serves one organisation ([`FakeState`]): members, pending invitations,
//! repositories and teams with members and repository permissions. REST
//! endpoints follow GitHub's documented paths, status codes, bodies,
//! pagination (`per_page`/`page`, `link` header) and `x-ratelimit-*` headers;
//! `POST /graphql` executes the subset of GitHub's schema orgctl uses with
//! GitHub's pagination and node limits. [`Behaviour`] adds latency,
//! deterministic fault injection, token checks and rate limits.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use fake_github::{FakeGithub, FakeState, OrgRole};
//! let mut state = FakeState::new("acme", "octocat");
//! state.add_member("alice", OrgRole::Member);
//! let gh = FakeGithub::start(state).await?;
//! let rest_base = gh.url(); // http://127.0.0.1:PORT/
//! let graphql = gh.graphql_url();
//! gh.with_state(|s| s.add_repo("website"));
//! assert_eq!(gh.requests().total(), 0);
//! # let _ = (rest_base, graphql);
//! # Ok(())
//! # }
//! ```

pub mod behaviour;
pub mod error;
pub mod generate;
pub mod graphql;
pub mod model;
pub mod paging;
pub mod ratelimit;
pub mod render;
pub mod rest;
pub mod server;
pub mod stats;

pub use behaviour::{
    Behaviour, Fault, FaultRule, FaultScope, Installation, RequestNumber, TokenGrant, When,
};
pub use error::ApiError;
pub use generate::OrgShape;
pub use model::{FakeState, InvitationRole, OrgRole, Permission, Privacy, Team, TeamRole, slugify};
pub use server::FakeGithub;
pub use stats::{RequestRecord, RequestStats};
