//! `cargo xtask test`: the project's one test command (README and `.ci/run` call it).
//!
//! Installs the pinned tooling when missing, runs the Foundry fixture tests offline, then the whole Rust
//! workspace (every target, then the documentation examples), then packages every published crate
//! (`publish-check --no-verify`: manifests, MSRV, `cargo publish --dry-run` without the builds, which
//! take minutes: `cargo xtask publish-check` runs them). Extra arguments go to `cargo test`.

use std::process::Command;

use nexus_sessions_devnet::{Fixtures, Toolchain};

/// Runs the whole test suite; extra arguments go to `cargo test`.
pub(crate) fn run(extra: &[String]) -> Result<(), String> {
    let tc = Toolchain::ensure().map_err(|e| format!("installing the toolchain: {e}"))?;
    eprintln!("xtask: forge test (contracts/)");
    Fixtures::test(&tc, &[]).map_err(|e| format!("Foundry tests failed: {e}"))?;

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // `--all-targets` leaves out doc tests: the examples in the docs run as a second step.
    for targets in ["--all-targets", "--doc"] {
        eprintln!("xtask: cargo test --workspace {targets}");
        let status = Command::new(&cargo)
            .args(["test", "--workspace", targets])
            .args(extra)
            .status()
            .map_err(|e| format!("could not run cargo test: {e}"))?;
        if !status.success() {
            return Err(format!("cargo test {targets} failed ({status})"));
        }
    }
    crate::publish_check::run(&["--no-verify".to_owned()])
}
