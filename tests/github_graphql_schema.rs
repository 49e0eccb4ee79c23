//! orgctl's GraphQL queries (`src/github/queries/*.graphql`) are valid against GitHub's public
//! GraphQL schema, not only against the local fake: every field, argument, enum value and
//! variable type is checked. The schema is `tests/fixtures/github-graphql/schema.graphql`, from
//! the npm package @octokit/graphql-schema 15.26.1 (MIT, see LICENSE.md beside it).

use apollo_compiler::{ExecutableDocument, Schema};
use std::path::Path;

/// GitHub's published schema. It has one defect of its own (a field of
/// `EnterpriseOwnerInfo` is defined twice), so it is parsed, not validated: the types our
/// queries use are all there, and each query is validated against them.
fn schema() -> apollo_compiler::validation::Valid<Schema> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github-graphql/schema.graphql");
    let text = std::fs::read_to_string(&path).expect("schema");
    let schema = match Schema::parse(text, &path) {
        Ok(s) => s,
        Err(with_errors) => {
            let text = with_errors.errors.to_string();
            assert!(
                text.contains("duplicate definitions") && !text.contains("syntax error"),
                "unexpected schema problems:\n{text}"
            );
            with_errors.partial
        }
    };
    apollo_compiler::validation::Valid::assume_valid(schema)
}

#[test]
fn every_query_is_valid_against_githubs_schema() {
    let schema = schema();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/github/queries");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("queries") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        if let Err(e) = ExecutableDocument::parse_and_validate(&schema, text, &path) {
            panic!(
                "{} is not valid against GitHub's schema:\n{}",
                path.display(),
                e.errors
            );
        }
        n += 1;
    }
    assert_eq!(n, 4, "queries checked");
}

#[test]
fn a_wrong_field_is_caught() {
    let schema = schema();
    let bad = "query { organization(login: \"x\") { teams(first: 1) { nodes { slugg } } } }";
    let err =
        ExecutableDocument::parse_and_validate(&schema, bad, "bad.graphql").expect_err("invalid");
    assert!(err.errors.to_string().contains("slugg"), "{}", err.errors);
}
