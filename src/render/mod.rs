//! Rendering results for people and machines: diagnostics (human, JSON, GitHub annotations),
//! plans and org diffs; `text` makes untrusted text safe for a terminal or for Markdown.
//!
//! Renderers take resolved data and return strings; the CLI decides where they go.

pub mod diagnostics;
pub mod diff;
pub mod plan;
pub mod text;

pub use crate::words::count;
