//! `cargo xtask devnet`: runs the local devnet until interrupted.

/// Runs the task.
pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    Err("not implemented yet".into())
}
