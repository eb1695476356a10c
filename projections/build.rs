//! The fingerprint of the read models' layout: a SHA-256 of every source file
//! of this crate, of `domain` and of `eventlog` (its codec and upcasters say
//! what an event folds to), and of the workspace's lock file. A snapshot
//! written by another build is discarded and the models rebuilt (see
//! `src/snapshot`): any change to the code that folds or lays out a model, or
//! to a serialising crate, makes the old bytes meaningless, and a hand-kept
//! version number would be forgotten.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let roots = [
        manifest.join("src"),
        manifest.join("Cargo.toml"),
        manifest.join("../domain/src"),
        manifest.join("../eventlog/src"),
        manifest.join("../Cargo.lock"),
    ];
    let mut hash = Sha256::new();
    for root in &roots {
        println!("cargo:rerun-if-changed={}", root.display());
        let mut found = Vec::new();
        if root.is_dir() {
            files(root, &mut found);
        } else {
            found.push(root.clone());
        }
        found.sort();
        for path in found {
            let relative = path.strip_prefix(&manifest).unwrap_or(&path);
            let bytes = std::fs::read(&path).unwrap_or_default();
            hash.update(relative.to_string_lossy().as_bytes());
            hash.update([0]);
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        }
    }
    let digest: [u8; 32] = hash.finalize().into();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let bytes: Vec<String> = digest.iter().map(|b| format!("{b:#04x}")).collect();
    std::fs::write(
        out.join("fingerprint.rs"),
        format!("[{}]\n", bytes.join(", ")),
    )
    .unwrap_or_else(|error| panic!("writing the fingerprint: {error}"));
}
