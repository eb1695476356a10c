//! The contract's guard: what a served schema may not do to `api.graphql`.
//!
//! Clients and reports are written against the contract, so the server may add
//! types, fields, arguments and enum values, but may not remove or rename what
//! stands there, change a type, or make an optional argument required.

use std::collections::BTreeMap;
use std::fmt;

use async_graphql::parser::types::{
    FieldDefinition, InputValueDefinition, ServiceDocument, TypeDefinition, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::parser::{Error as ParseError, parse_schema};

/// One way the served schema breaks the contract.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BreakingChange {
    /// A type of the contract is missing.
    TypeRemoved(String),
    /// A type is of another kind (object, enum, input, …) than in the contract.
    TypeKindChanged(String),
    /// A field of an object, interface or input object is missing.
    FieldRemoved { type_name: String, field: String },
    /// A field's type differs from the contract's.
    FieldTypeChanged {
        type_name: String,
        field: String,
        contract: String,
        served: String,
    },
    /// An argument of a field is missing.
    ArgumentRemoved {
        type_name: String,
        field: String,
        argument: String,
    },
    /// An argument's type differs from the contract's.
    ArgumentTypeChanged {
        type_name: String,
        field: String,
        argument: String,
        contract: String,
        served: String,
    },
    /// A new argument is required: old clients do not send it.
    RequiredArgumentAdded {
        type_name: String,
        field: String,
        argument: String,
    },
    /// A new field of an input object is required: old clients do not send it.
    RequiredInputFieldAdded { type_name: String, field: String },
    /// An enum value is missing.
    EnumValueRemoved { type_name: String, value: String },
    /// A member of a union is missing.
    UnionMemberRemoved { type_name: String, member: String },
    /// The query, mutation or subscription root is another type.
    RootChanged { operation: &'static str },
}

impl fmt::Display for BreakingChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BreakingChange::TypeRemoved(t) => write!(f, "type {t} is missing"),
            BreakingChange::TypeKindChanged(t) => write!(f, "type {t} changed its kind"),
            BreakingChange::FieldRemoved { type_name, field } => {
                write!(f, "{type_name}.{field} is missing")
            }
            BreakingChange::FieldTypeChanged {
                type_name,
                field,
                contract,
                served,
            } => {
                write!(
                    f,
                    "{type_name}.{field} is {served}, the contract says {contract}"
                )
            }
            BreakingChange::ArgumentRemoved {
                type_name,
                field,
                argument,
            } => {
                write!(f, "{type_name}.{field}({argument}) is missing")
            }
            BreakingChange::ArgumentTypeChanged {
                type_name,
                field,
                argument,
                contract,
                served,
            } => {
                write!(
                    f,
                    "{type_name}.{field}({argument}) is {served}, the contract says {contract}"
                )
            }
            BreakingChange::RequiredArgumentAdded {
                type_name,
                field,
                argument,
            } => {
                write!(f, "{type_name}.{field}({argument}) is new and required")
            }
            BreakingChange::RequiredInputFieldAdded { type_name, field } => {
                write!(f, "{type_name}.{field} is new and required")
            }
            BreakingChange::EnumValueRemoved { type_name, value } => {
                write!(f, "{type_name}.{value} is missing")
            }
            BreakingChange::UnionMemberRemoved { type_name, member } => {
                write!(f, "union {type_name} lost {member}")
            }
            BreakingChange::RootChanged { operation } => write!(f, "the {operation} root changed"),
        }
    }
}

/// Every way `served` breaks `contract` (both SDL), sorted; empty when it keeps it.
///
/// # Errors
/// Either document does not parse as SDL.
pub fn breaking_changes(contract: &str, served: &str) -> Result<Vec<BreakingChange>, ParseError> {
    let contract = Sdl::parse(contract)?;
    let served = Sdl::parse(served)?;
    let mut changes = Vec::new();
    for (operation, root) in &contract.roots {
        if served.roots.get(operation) != Some(root) {
            changes.push(BreakingChange::RootChanged { operation });
        }
    }
    for (name, old) in &contract.types {
        match served.types.get(name) {
            None => changes.push(BreakingChange::TypeRemoved(name.clone())),
            Some(new) => compare_type(name, old, new, &mut changes),
        }
    }
    changes.sort();
    Ok(changes)
}

/// The parts of a schema the guard compares, by name.
struct Sdl {
    roots: BTreeMap<&'static str, String>,
    types: BTreeMap<String, TypeKind>,
}

impl Sdl {
    fn parse(sdl: &str) -> Result<Sdl, ParseError> {
        let document: ServiceDocument = parse_schema(without_schema_description(sdl))?;
        let mut roots = BTreeMap::from([
            ("query", "Query".to_string()),
            ("mutation", "Mutation".to_string()),
            ("subscription", "Subscription".to_string()),
        ]);
        let mut types = BTreeMap::new();
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    for (operation, root) in [
                        ("query", schema.query),
                        ("mutation", schema.mutation),
                        ("subscription", schema.subscription),
                    ] {
                        if let Some(root) = root {
                            roots.insert(operation, root.node.to_string());
                        }
                    }
                }
                TypeSystemDefinition::Type(definition) => {
                    let TypeDefinition { name, kind, .. } = definition.node;
                    types.insert(name.node.to_string(), kind);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Ok(Sdl { roots, types })
    }
}

/// `sdl` without a description on its `schema { … }` definition: the October 2021
/// spec allows one (the contract opens with it), async-graphql's parser does not,
/// and the guard compares no descriptions anyway.
fn without_schema_description(sdl: &str) -> &str {
    let trimmed = sdl.trim_start();
    let Some(rest) = trimmed.strip_prefix("\"\"\"") else {
        return sdl;
    };
    match rest.find("\"\"\"") {
        Some(end) if rest[end + 3..].trim_start().starts_with("schema") => &rest[end + 3..],
        _ => sdl,
    }
}

fn compare_type(name: &str, old: &TypeKind, new: &TypeKind, changes: &mut Vec<BreakingChange>) {
    match (old, new) {
        (TypeKind::Scalar, TypeKind::Scalar) => {}
        (TypeKind::Object(old), TypeKind::Object(new)) => {
            compare_fields(name, &old.fields, &new.fields, changes)
        }
        (TypeKind::Interface(old), TypeKind::Interface(new)) => {
            compare_fields(name, &old.fields, &new.fields, changes)
        }
        (TypeKind::InputObject(old), TypeKind::InputObject(new)) => {
            compare_inputs(name, "", &old.fields, &new.fields, changes)
        }
        (TypeKind::Enum(old), TypeKind::Enum(new)) => {
            for value in &old.values {
                let value = value.node.value.node.as_str();
                if !new
                    .values
                    .iter()
                    .any(|v| v.node.value.node.as_str() == value)
                {
                    changes.push(BreakingChange::EnumValueRemoved {
                        type_name: name.into(),
                        value: value.into(),
                    });
                }
            }
        }
        (TypeKind::Union(old), TypeKind::Union(new)) => {
            for member in &old.members {
                let member = member.node.as_str();
                if !new.members.iter().any(|m| m.node.as_str() == member) {
                    changes.push(BreakingChange::UnionMemberRemoved {
                        type_name: name.into(),
                        member: member.into(),
                    });
                }
            }
        }
        _ => changes.push(BreakingChange::TypeKindChanged(name.into())),
    }
}

fn compare_fields(
    type_name: &str,
    old: &[async_graphql::Positioned<FieldDefinition>],
    new: &[async_graphql::Positioned<FieldDefinition>],
    changes: &mut Vec<BreakingChange>,
) {
    for old in old {
        let field = old.node.name.node.as_str();
        let Some(new) = new.iter().find(|f| f.node.name.node.as_str() == field) else {
            changes.push(BreakingChange::FieldRemoved {
                type_name: type_name.into(),
                field: field.into(),
            });
            continue;
        };
        let (contract, served) = (old.node.ty.node.to_string(), new.node.ty.node.to_string());
        if contract != served {
            changes.push(BreakingChange::FieldTypeChanged {
                type_name: type_name.into(),
                field: field.into(),
                contract,
                served,
            });
        }
        compare_inputs(
            type_name,
            field,
            &old.node.arguments,
            &new.node.arguments,
            changes,
        );
    }
}

/// Arguments of `field` (or, with `field` empty, the fields of an input object).
fn compare_inputs(
    type_name: &str,
    field: &str,
    old: &[async_graphql::Positioned<InputValueDefinition>],
    new: &[async_graphql::Positioned<InputValueDefinition>],
    changes: &mut Vec<BreakingChange>,
) {
    for old_input in old {
        let name = old_input.node.name.node.as_str();
        let (field_name, argument) = label(field, name);
        let Some(new_input) = new.iter().find(|a| a.node.name.node.as_str() == name) else {
            if field.is_empty() {
                changes.push(BreakingChange::FieldRemoved {
                    type_name: type_name.into(),
                    field: field_name,
                });
            } else {
                changes.push(BreakingChange::ArgumentRemoved {
                    type_name: type_name.into(),
                    field: field_name,
                    argument,
                });
            }
            continue;
        };
        let (contract, served) = (
            old_input.node.ty.node.to_string(),
            new_input.node.ty.node.to_string(),
        );
        if contract != served {
            if field.is_empty() {
                changes.push(BreakingChange::FieldTypeChanged {
                    type_name: type_name.into(),
                    field: field_name,
                    contract,
                    served,
                });
            } else {
                changes.push(BreakingChange::ArgumentTypeChanged {
                    type_name: type_name.into(),
                    field: field_name,
                    argument,
                    contract,
                    served,
                });
            }
        }
    }
    for new_input in new {
        let name = new_input.node.name.node.as_str();
        let required = !new_input.node.ty.node.nullable && new_input.node.default_value.is_none();
        if required && !old.iter().any(|a| a.node.name.node.as_str() == name) {
            let (field_name, argument) = label(field, name);
            changes.push(if field.is_empty() {
                BreakingChange::RequiredInputFieldAdded {
                    type_name: type_name.into(),
                    field: field_name,
                }
            } else {
                BreakingChange::RequiredArgumentAdded {
                    type_name: type_name.into(),
                    field: field_name,
                    argument,
                }
            });
        }
    }
}

/// For an argument: (its field, the argument); for an input object's field: (the field, "").
fn label(field: &str, name: &str) -> (String, String) {
    if field.is_empty() {
        (name.to_string(), String::new())
    } else {
        (field.to_string(), name.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTRACT: &str = r#"
        schema { query: Query mutation: Mutation }
        enum Gender { FEMALE MALE }
        type Member { id: ID! gender: Gender! tenureDays(asOf: Date): Int! }
        input AdmitInput { orgId: ID! patronymic: String }
        type Query { member(id: ID!): Member members(first: Int = 50): [Member!]! }
        type Mutation { admit(input: AdmitInput!): Member! }
        scalar Date
    "#;

    fn check(served: &str, expected: &[&str]) {
        let changes: Vec<String> = breaking_changes(CONTRACT, served)
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(changes, expected);
    }

    #[test]
    fn the_contract_keeps_itself_and_additions_are_allowed() {
        check(CONTRACT, &[]);
        let grown = CONTRACT
            .replace("MALE }", "MALE OTHER }")
            .replace(
                "tenureDays(asOf: Date): Int!",
                "tenureDays(asOf: Date, exact: Boolean = false): Int! erased: Boolean!",
            )
            .replace("patronymic: String }", "patronymic: String phone: String }")
            + "type Extra { x: Int }";
        check(&grown, &[]);
    }

    #[test]
    fn removals_renames_and_type_changes_are_breaking() {
        check(
            &CONTRACT.replace("FEMALE ", ""),
            &["Gender.FEMALE is missing"],
        );
        check(
            &CONTRACT.replace("gender: Gender!", "sex: Gender!"),
            &["Member.gender is missing"],
        );
        check(
            &CONTRACT.replace("gender: Gender!", "gender: Gender"),
            &["Member.gender is Gender, the contract says Gender!"],
        );
        check(
            &CONTRACT.replace("(asOf: Date)", "(on: Date)"),
            &["Member.tenureDays(asOf) is missing"],
        );
        check(
            &CONTRACT.replace("member(id: ID!)", "member(id: String!)"),
            &["Query.member(id) is String!, the contract says ID!"],
        );
        check(
            &CONTRACT
                .replace("scalar Date", "scalar Day")
                .replace("Date)", "Day)"),
            &[
                "type Date is missing",
                "Member.tenureDays(asOf) is Day, the contract says Date",
            ],
        );
        check(
            &CONTRACT.replace("enum Gender { FEMALE MALE }", "scalar Gender"),
            &["type Gender changed its kind"],
        );
        check(
            &CONTRACT
                .replace("mutation: Mutation", "mutation: Mutations")
                .replace("type Mutation", "type Mutations"),
            &["type Mutation is missing", "the mutation root changed"],
        );
    }

    #[test]
    fn a_new_required_argument_or_input_field_is_breaking() {
        check(
            &CONTRACT.replace(
                "members(first: Int = 50)",
                "members(first: Int = 50, orgId: ID!)",
            ),
            &["Query.members(orgId) is new and required"],
        );
        check(
            &CONTRACT.replace(
                "members(first: Int = 50)",
                "members(first: Int = 50, level: Int! = 1)",
            ),
            &[],
        );
        check(
            &CONTRACT.replace(
                "patronymic: String }",
                "patronymic: String consent: Boolean! }",
            ),
            &["AdmitInput.consent is new and required"],
        );
        check(
            &CONTRACT.replace("patronymic: String }", "}"),
            &["AdmitInput.patronymic is missing"],
        );
    }

    #[test]
    fn the_real_contract_parses_and_keeps_itself() {
        let contract = include_str!("../../../shared/api.graphql");
        assert_eq!(breaking_changes(contract, contract).unwrap(), vec![]);
        let broken = contract.replace("  youth: Int!\n", "");
        assert_eq!(
            breaking_changes(contract, &broken).unwrap(),
            vec![BreakingChange::FieldRemoved {
                type_name: "Statistics".into(),
                field: "youth".into(),
            }]
        );
    }
}
