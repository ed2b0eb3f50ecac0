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
    /// The repository root (the workspace `Cargo.toml` next to `tools/package.json`) could not be found.
    #[error(
        "repository root not found (looked upward from {searched}); set NEXUS_SESSIONS_REPO_ROOT"
    )]
    RepoRootNotFound {
        /// The directories the search started from.
        searched: String,
    },
    /// A pinned tool is missing or does not run as expected.
    #[error("tool `{tool}` unusable at {path}: {reason}")]
    Tool {
        /// The tool's name (forge, anvil, cast, solc, npm, ...).
        tool: String,
        /// Where it was expected.
        path: PathBuf,
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// A `bytes constant NAME = hex"…"` could not be read from the modulekit sources.
    #[error("bytecode constant `{name}` in {file}: {reason}")]
    BytecodeConstant {
        /// The constant's name.
        name: String,
        /// The Solidity file searched.
        file: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// A fixture contract has no build artifact.
    #[error("no artifact for contract `{contract}` (expected {path}); is it in contracts/src?")]
    MissingContract {
        /// The contract name asked for.
        contract: String,
        /// The artifact path that does not exist.
        path: PathBuf,
    },
    /// A forge build artifact is malformed.
    #[error("bad forge artifact {path}: {reason}")]
    Artifact {
        /// The artifact file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// The override manifest (`DEVNET_OVERRIDES`) is invalid.
    #[error("invalid devnet override manifest {manifest}, entry `{entry}`: {detail}")]
    InvalidOverrides {
        /// The manifest file (or `<json>` for in-memory JSON).
        manifest: PathBuf,
        /// The manifest key at fault (empty for the whole document).
        entry: String,
        /// What was wrong.
        detail: String,
    },
    /// A JSON-RPC call to anvil or alto failed or returned something unexpected.
    #[error("{context}: {detail}")]
    Rpc {
        /// What was being done.
        context: String,
        /// The error or the unexpected reply.
        detail: String,
    },
    /// A contract deployment failed its checks (receipt status, code at the address).
    #[error("deploying `{contract}`: {detail}")]
    Deployment {
        /// The contract (devnet address field name).
        contract: String,
        /// What went wrong.
        detail: String,
    },
    /// anvil or alto exited early or never became ready.
    #[error("{name} (log: {log}) {detail}")]
    Process {
        /// `anvil` or `alto`.
        name: &'static str,
        /// What happened, with the tail of the log.
        detail: String,
        /// The process's log file.
        log: PathBuf,
    },
    /// The installed alto could not be patched to listen on 127.0.0.1 only.
    #[error("refusing to start alto: {path}: {detail}")]
    AltoPatch {
        /// alto's `esm/rpc/server.js`.
        path: PathBuf,
        /// What was found instead of the expected text.
        detail: String,
    },
    /// Starting the devnet failed; the logs of anvil and alto are in `log_dir`.
    #[error("devnet failed to start (logs in {log_dir}): {source}")]
    Startup {
        /// `target/devnet-logs/<instance>/`.
        log_dir: PathBuf,
        /// The underlying error.
        source: Box<Self>,
    },
}
