//! `cargo xtask test`: the project's one test command (README and `.ci/run` call it).

use std::process::Command;

/// Runs the whole test suite; extra arguments go to `cargo test`.
pub(crate) fn run(extra: &[String]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["test", "--workspace", "--all-targets"])
        .args(extra)
        .status()
        .map_err(|e| format!("could not run cargo test: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo test failed ({status})"))
    }
}
