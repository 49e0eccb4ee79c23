//! orgctl library (temporary root in the github-reader worktree; the real lib.rs is owned by the model work).

pub mod github;
