//! The served schema keeps the contract: the schema a running `reestr serve`
//! answers by introspection (graphql-js's standard introspection query, then
//! its `buildClientSchema` and `printSchema`), and the SDL `reestr schema`
//! prints, each compared with `../shared/api.graphql`; any breaking
//! difference fails. Introspection is what clients and codegen see, and types
//! only registered (reachable from no root) show in the printed SDL alone.

mod support;

use std::process::Command;

use graphql::contract::breaking_changes;

use support::tools::{node, succeeded};
use support::{Server, init};

fn contract() -> String {
    let contract_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/api.graphql");
    std::fs::read_to_string(contract_path)
        .unwrap_or_else(|error| panic!("reading {contract_path}: {error}"))
}

/// Additions the contract records by name: the served schema must keep them too.
fn has_the_additions(served: &str) {
    // The member's cabinet (issue 18): its role is the viewer's kind, its
    // sign-in the two mutations, its record `viewer { member }`.
    for addition in [
        "enum ViewerKind",
        "MEMBER",
        "requestCabinetCode(snils: String!, email: String!): Boolean!",
        "signInToCabinet(snils: String!, email: String!, code: String!): CabinetSession!",
        "kind: ViewerKind!",
        "member: Member",
        // Consultations (issue 16): a question to a region's service, its
        // thread, the desk, the publication to the library.
        "enum ConsultationService",
        "enum ConsultationFilter",
        "type Consultation",
        "type ConsultationAnswer",
        "askConsultation(input: AskConsultationInput!): Consultation!",
        "answerConsultation(input: AnswerConsultationInput!): Consultation!",
        "closeConsultation(input: CloseConsultationInput!): Consultation!",
        "publishConsultation(input: PublishConsultationInput!): Consultation!",
        "consultation(id: ID!): Consultation!",
        "publishedDocumentId: ID",
        "CONSULTATION",
    ] {
        assert!(
            served.contains(addition),
            "no {addition} in the served schema"
        );
    }
}

fn assert_keeps_the_contract(served: &str, how: &str) {
    assert!(served.contains("type Query"), "not a schema:\n{served}");
    let changes = breaking_changes(&contract(), served).unwrap_or_else(|error| {
        panic!("the contract or the SDL {how} does not parse: {error}\n{served}")
    });
    let listed: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert!(
        listed.is_empty(),
        "the schema {how} breaks the contract in {} ways:\n{}",
        listed.len(),
        listed.join("\n")
    );
}

#[tokio::test]
async fn the_schema_served_by_introspection_breaks_nothing_in_the_contract() {
    let Some(mut sdl) = node("sdl.mjs") else {
        return;
    };
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;
    let url = format!("{}/graphql", server.url);
    let output = tokio::task::spawn_blocking(move || sdl.arg(url).output().unwrap())
        .await
        .unwrap();
    let served = succeeded("graphql-js introspection", output);
    assert_keeps_the_contract(&served, "served over HTTP");
    for band in ["enum AgeBand", "enum TenureBand"] {
        assert!(served.contains(band), "no {band} in the served schema");
    }
    has_the_additions(&served);
}

#[test]
fn the_printed_schema_breaks_nothing_in_the_contract() {
    let output = Command::new(env!("CARGO_BIN_EXE_reestr"))
        .arg("schema")
        .env_remove("REESTR_DATA_DIR")
        .env_remove("REESTR_DATABASE_URL")
        .output()
        .expect("the reestr binary runs");
    let printed = succeeded("reestr schema", output);
    assert_keeps_the_contract(&printed, "printed by `reestr schema`");
    has_the_additions(&printed);
}
