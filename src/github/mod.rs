//! The GitHub provider: observed state, reading it live, and (later) applying plans.

pub mod state;
