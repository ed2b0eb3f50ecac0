//! `cargo xtask vectors`: regenerates the golden vectors.

/// Runs the task.
pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    Err("not implemented yet".into())
}
