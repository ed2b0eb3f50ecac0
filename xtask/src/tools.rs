//! `cargo xtask tools`: installs the pinned tooling.

/// Runs the task.
pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    Err("not implemented yet".into())
}
