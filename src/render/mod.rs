//! Rendering results for people and machines: diagnostics (human, JSON, GitHub annotations),
//! plans and org diffs.
//!
//! Renderers take resolved data and return strings; the CLI decides where they go.

pub mod diagnostics;
pub mod diff;
pub mod plan;
