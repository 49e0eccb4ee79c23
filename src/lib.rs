//! orgctl: an open-source organisation as code.
//!
//! Data flow: `load` (files from a directory or a git revision) → `parse` (YAML → JSON value,
//! JSON-Schema check, typed `schema::Raw*`) → `model` (the org with its indexes) → `validate`
//! (named semantic rules) → desired state → plan → apply / report. See ARCHITECTURE.md.

pub mod apply;
pub mod budget;
pub mod cli;
pub mod codeowners;
pub mod contact;
pub mod diagnostic;
pub mod email;
pub mod generate;
pub mod github;
pub mod history;
pub mod interface;
pub mod load;
pub mod locate;
pub mod model;
pub mod orgdiff;
pub mod ownership;
pub mod par;
pub mod parse;
pub mod pipeline;
pub mod plan;
pub mod readfile;
pub mod render;
pub mod report;
pub mod reviewers;
pub mod schema;
pub mod source;
pub mod validate;
pub mod words;
pub mod yaml;
