//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong while installing tools, building fixtures or running the devnet.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevnetError {
    /// A file or directory operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An external command (npm, forge, anvil, node, ...) failed.
    #[error("`{command}` failed: {detail}")]
    Command {
        /// The command line, for the reader.
        command: String,
        /// Exit status and the tail of its output.
        detail: String,
    },
}
