//! orgctl: an open-source organisation as code.
//!
//! Data flow: `load` (files from a directory or a git revision) → `parse` (YAML → JSON value,
//! JSON-Schema check, typed `schema::Raw*`) → `model` (the org with its indexes) → `validate`
//! (named semantic rules) → desired state → plan → apply / report. See ARCHITECTURE.md.

pub mod diagnostic;
pub mod schema;
pub mod source;
pub mod yaml;
pub mod load;
pub mod par;
pub mod parse;
pub mod model;
pub mod validate;
pub mod locate;
pub mod render;
pub mod contact;
pub mod ownership;
pub mod codeowners;
pub mod budget;
pub mod report;
pub mod cli;
pub mod pipeline;
