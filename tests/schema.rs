//! The served schema keeps the contract: `reestr schema` printed, parsed, and
//! compared with `../shared/api.graphql`; any breaking difference fails.

use std::process::Command;

use graphql::contract::breaking_changes;

#[test]
fn the_served_schema_breaks_nothing_in_the_contract() {
    let contract_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/api.graphql");
    let contract = std::fs::read_to_string(contract_path)
        .unwrap_or_else(|error| panic!("reading {contract_path}: {error}"));
    let output = Command::new(env!("CARGO_BIN_EXE_reestr"))
        .arg("schema")
        .env_remove("REESTR_DATA_DIR")
        .env_remove("REESTR_DATABASE_URL")
        .output()
        .expect("the reestr binary runs");
    assert!(
        output.status.success(),
        "reestr schema failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let served = String::from_utf8(output.stdout).expect("the SDL is UTF-8");
    assert!(served.contains("type Query"), "not a schema:\n{served}");

    let changes = breaking_changes(&contract, &served)
        .unwrap_or_else(|error| panic!("the contract or the served SDL does not parse: {error}"));
    let listed: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert!(
        listed.is_empty(),
        "the served schema breaks the contract in {} ways:\n{}",
        listed.len(),
        listed.join("\n")
    );
}
