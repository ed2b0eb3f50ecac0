//! `cargo xtask fixtures`: builds the Solidity fixtures.

/// Runs the task.
pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    Err("not implemented yet".into())
}
