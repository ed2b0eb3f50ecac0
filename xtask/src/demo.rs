//! `cargo xtask demo`: the main job, the reference flow on a fresh local devnet.

/// Runs the task.
pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    Err("not implemented yet".into())
}
