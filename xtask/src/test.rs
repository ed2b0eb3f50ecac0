//! `cargo xtask test`: the project's one test command (README and `.ci/run` call it).
//!
//! Installs the pinned tooling when missing, runs the Foundry fixture tests offline, then the whole Rust
//! workspace (every target, then the documentation examples), then the example crate outside the
//! workspace (`examples/own-provider`), then packages every published crate (`publish-check
//! --no-verify`: manifests, MSRV, `cargo publish --dry-run` without the builds, which take minutes:
//! `cargo xtask publish-check` runs them). Extra arguments go to `cargo test`.

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
    run_outside_example(&cargo)?;
    crate::publish_check::run(&["--no-verify".to_owned()])
}

/// Builds and runs `examples/own-provider`, a crate outside the workspace that uses the SDK by
/// path with its own alloy provider (grant + use on a devnet it starts). Its own lock file
/// (`--locked`) pins the workspace's versions, and it shares the workspace target dir, so only
/// what its feature set changes is rebuilt.
fn run_outside_example(cargo: &str) -> Result<(), String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("xtask has no parent directory")?;
    let manifest = root.join("examples/own-provider/Cargo.toml");
    let target = std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| root.join("target").into());
    eprintln!("xtask: cargo run --locked --manifest-path examples/own-provider/Cargo.toml");
    let status = Command::new(cargo)
        .args(["run", "--locked", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .map_err(|e| format!("could not run the own-provider example: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the own-provider example failed ({status}); if its lock file is stale (a workspace \
             crate's dependencies changed), refresh it with `cargo metadata --format-version 1 \
             --manifest-path examples/own-provider/Cargo.toml > /dev/null` and commit it"
        ));
    }
    Ok(())
}
