//! The depth limit on what a query asks of the registry, not counting
//! introspection.
//!
//! The standard introspection query of every tool (graphql-js
//! `getIntrospectionQuery`, GraphiQL, codegen) nests `ofType` nine deep, so a
//! depth limit made for the registry's own types refuses it. Introspection
//! reads only the schema, which is small and fixed: its fields
//! (`__schema`, `__type` and what lies below them) are bounded apart, by
//! [`INTROSPECTION_DEPTH`] and the complexity limit, while everything else
//! keeps the configured depth.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Positioned, ServerError};

/// Deepest nesting an introspection query may have: `getIntrospectionQuery`
/// (with every option on) needs 14; more is an introspection bomb.
pub const INTROSPECTION_DEPTH: usize = 16;

/// What async-graphql's own limit says, so both limits read alike.
pub const TOO_DEEP: &str = "Query is nested too deep.";

/// Refuses `document` when one of its operations nests the registry's fields
/// deeper than `limit` (introspection fields not counted).
///
/// # Errors
/// [`TOO_DEEP`] at the operation that is too deep.
pub fn check(document: &ExecutableDocument, limit: usize) -> Result<(), ServerError> {
    for (_, operation) in document.operations.iter() {
        let mut fragments = Vec::new();
        let depth = depth(document, &operation.node.selection_set, &mut fragments);
        if depth > limit {
            return Err(ServerError::new(TOO_DEEP, Some(operation.pos)));
        }
    }
    Ok(())
}

/// The depth of `set`; `within` holds the fragments being expanded, so a
/// cycle (which validation refuses afterwards) ends the walk instead of
/// recursing forever.
fn depth<'a>(
    document: &'a ExecutableDocument,
    set: &'a Positioned<SelectionSet>,
    within: &mut Vec<&'a Name>,
) -> usize {
    let mut deepest = 0;
    for selection in &set.node.items {
        let below = match &selection.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if name == "__schema" || name == "__type" {
                    0
                } else {
                    1 + depth(document, &field.node.selection_set, within)
                }
            }
            Selection::InlineFragment(fragment) => {
                depth(document, &fragment.node.selection_set, within)
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                match document.fragments.get(name) {
                    Some(fragment) if !within.contains(&name) => {
                        within.push(name);
                        let below = depth(document, &fragment.node.selection_set, within);
                        within.pop();
                        below
                    }
                    _ => 0,
                }
            }
        };
        deepest = deepest.max(below);
    }
    deepest
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn depth_of(query: &str) -> usize {
        let document = parse_query(query).unwrap();
        (0..64)
            .find(|&limit| check(&document, limit).is_ok())
            .unwrap()
    }

    #[test]
    fn fields_count_and_introspection_does_not() {
        assert_eq!(depth_of("{ viewer { role } }"), 2);
        assert_eq!(depth_of("{ __typename }"), 1);
        assert_eq!(
            depth_of("{ __schema { types { fields { type { ofType { name } } } } } }"),
            0
        );
        assert_eq!(
            depth_of("{ __type(name: \"Query\") { name } viewer { organization { id } } }"),
            3
        );
    }

    #[test]
    fn fragments_count_where_they_are_spread_and_a_cycle_ends() {
        let query = "query { viewer { ...V } } fragment V on Viewer { organization { ... on Organization { parent { id } } } }";
        assert_eq!(depth_of(query), 4);
        let cycle = "{ viewer { ...A } } fragment A on Viewer { organization { ...B } } fragment B on Organization { parent { ...B } }";
        assert_eq!(depth_of(cycle), 3);
    }

    #[test]
    fn every_operation_is_held_to_the_limit() {
        let query =
            "query A { viewer { role } } query B { viewer { organization { parent { id } } } }";
        assert_eq!(depth_of(query), 4);
    }
}
