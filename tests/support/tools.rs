//! The GraphQL tools of other languages the end-to-end tests run against a
//! real server: graphql-js, graphql-http's audit, graphql-ws (node, from
//! `tests/tools/`, installed by `npm ci` there), graphql-core (python) and
//! Chromium. A tool that is missing skips its test with a warning, and fails
//! it under `CI=true` (`.ci/run` installs them all).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `tests/tools/`, where the node scripts and their `node_modules` are.
pub fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools")
}

/// Whether `program --version` runs.
fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// `None` (with a warning) where `what` is missing, or a panic under CI.
fn missing(what: &str) -> Option<Command> {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{what} is missing, and CI must run this test (.ci/run installs it)"
    );
    eprintln!("warning: {what} is missing; skipping this test");
    None
}

/// `node tests/tools/<script>`, when node and the tools' packages are there.
pub fn node(script: &str) -> Option<Command> {
    if !runs("node") {
        return missing("node");
    }
    if !tools_dir().join("node_modules/graphql-http").is_dir() {
        return missing("tests/tools/node_modules (run `npm ci` in tests/tools)");
    }
    let mut command = Command::new("node");
    command.arg(tools_dir().join(script));
    Some(command)
}

/// `python3 tests/tools/<script>`, when python3 has graphql-core.
pub fn python(script: &str) -> Option<Command> {
    let has_graphql_core = Command::new("python3")
        .args(["-c", "import graphql"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !has_graphql_core {
        return missing("python3 with graphql-core (pip install graphql-core)");
    }
    let mut command = Command::new("python3");
    command.arg(tools_dir().join(script));
    Some(command)
}

/// The Chromium binary, where installed.
pub fn chromium() -> Option<PathBuf> {
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(candidate).exists() {
            return Some(PathBuf::from(candidate));
        }
    }
    missing("chromium").map(|_| unreachable!())
}

/// The stdout of a tool's run, which must succeed.
pub fn succeeded(what: &str, output: Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
