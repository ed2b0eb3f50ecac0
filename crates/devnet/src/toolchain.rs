//! Pinned tool installation (npm packages into the repository cache).

/// Paths of the installed tools (filled in by the toolchain work).
#[derive(Debug, Clone)]
pub struct Toolchain {}
