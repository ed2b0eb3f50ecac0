//! Fork mode: anvil forking a live chain (or any node) with a local alto on top, so the demo and
//! tests run against the contracts really deployed there. Nothing is deployed: what the chain holds
//! is what runs (describe it with a preset of the `nexus-sessions` crate).

use crate::{
    DevnetError, DevnetKeys, ENTRY_POINT_V07, Toolchain,
    alto::{self, AltoConfig},
    anvil::{self, AnvilOptions},
    process::{self, ManagedChild},
};
use alloy_primitives::Address;
use nexus_sessions_bundler::redact_url as redact;
use serde::Serialize;
use std::{fmt, path::PathBuf};

/// The hardfork a fork runs with unless told otherwise: the first with EIP-7702, the rules the
/// EIP-7702 facts were measured under. Pass a later one for chains past it.
pub const DEFAULT_FORK_HARDFORK: &str = "prague";

/// Options for [`ForkedDevnet`].
#[derive(Clone)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct ForkBuilder {
    url: String,
    block: Option<u64>,
    hardfork: String,
    entry_point: Address,
}

impl fmt::Debug for ForkBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForkBuilder")
            .field("url", &redact(&self.url))
            .field("block", &self.block)
            .field("hardfork", &self.hardfork)
            .finish_non_exhaustive()
    }
}

impl ForkBuilder {
    /// Forks at this block (default: the latest).
    pub fn block(mut self, block: u64) -> Self {
        self.block = Some(block);
        self
    }

    /// anvil's `--hardfork` (default [`DEFAULT_FORK_HARDFORK`]).
    pub fn hardfork(mut self, name: impl Into<String>) -> Self {
        self.hardfork = name.into();
        self
    }

    /// The EntryPoint alto serves (default: v0.7's canonical address).
    pub fn entry_point(mut self, entry_point: Address) -> Self {
        self.entry_point = entry_point;
        self
    }

    /// Installs the tools if needed, starts anvil forking the URL and alto on top; fails when the
    /// EntryPoint has no code on the fork.
    pub async fn start(self) -> Result<ForkedDevnet, DevnetError> {
        let toolchain = tokio::task::spawn_blocking(Toolchain::ensure)
            .await
            .map_err(|e| DevnetError::Rpc {
                context: "preparing the fork".into(),
                detail: e.to_string(),
            })??;
        let log_dir = process::instance_log_dir(&process::target_dir(&toolchain.repo_root))?;
        let node = anvil::start(
            &toolchain.anvil,
            &log_dir.join("anvil.log"),
            &AnvilOptions {
                hardfork: Some(&self.hardfork),
                fork: Some((&self.url, self.block)),
                // Ignored when forking: the chain id is the forked chain's.
                chain_id: anvil::CHAIN_ID,
            },
        )
        .await?;
        scrub_log(&log_dir.join("anvil.log"), &self.url);
        // reqwest with rustls needs a crypto provider before any client is built.
        let provider = alloy_provider::ProviderBuilder::new()
            .connect(&node.url)
            .await
            .map_err(|e| crate::deploy::rpc_err("connect to anvil", e))?;
        let hashes = crate::deploy::code_hashes(&provider, &[self.entry_point]).await?;
        if hashes.first().is_none_or(|h| h.is_zero()) {
            return Err(DevnetError::Rpc {
                context: format!("forking {}", redact(&self.url)),
                detail: format!("no EntryPoint code at {} on the fork", self.entry_point),
            });
        }
        let keys = DevnetKeys::anvil_defaults();
        let bundler = alto::start(
            &AltoConfig {
                package_dir: &toolchain.alto_package_dir,
                rpc_url: &node.url,
                entry_point: self.entry_point,
                keys: &keys,
                log_dir: &log_dir,
            },
            node.chain_id,
        )
        .await?;
        Ok(ForkedDevnet {
            alto: bundler.child,
            anvil: node.child,
            rpc_url: node.url,
            bundler_url: bundler.url,
            chain_id: node.chain_id,
            fork_url: redact(&self.url),
            fork_block: self.block,
            hardfork: self.hardfork,
            entry_point: self.entry_point,
            keys,
            log_dir,
        })
    }
}

/// anvil forking another chain, with alto on top. Dropping it stops both (by PID).
///
/// ```no_run
/// # async fn demo() -> Result<(), nexus_sessions_devnet::DevnetError> {
/// let fork = nexus_sessions_devnet::ForkedDevnet::builder("https://rpc.example.org").start().await?;
/// println!("chain {} rpc {} bundler {}", fork.chain_id(), fork.rpc_url(), fork.bundler_url());
/// # Ok(()) }
/// ```
pub struct ForkedDevnet {
    // Field order is drop order: the bundler goes before the node it talks to.
    alto: ManagedChild,
    anvil: ManagedChild,
    rpc_url: String,
    bundler_url: String,
    chain_id: u64,
    fork_url: String,
    fork_block: Option<u64>,
    hardfork: String,
    entry_point: Address,
    keys: DevnetKeys,
    log_dir: PathBuf,
}

impl fmt::Debug for ForkedDevnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForkedDevnet")
            .field("rpc_url", &self.rpc_url)
            .field("bundler_url", &self.bundler_url)
            .field("chain_id", &self.chain_id)
            .field("fork_url", &self.fork_url)
            .field("fork_block", &self.fork_block)
            .finish_non_exhaustive()
    }
}

impl ForkedDevnet {
    /// Options for forking the chain at `url` (HTTP(S) JSON-RPC; it may carry an API key, which
    /// is never printed).
    pub fn builder(url: impl Into<String>) -> ForkBuilder {
        ForkBuilder {
            url: url.into(),
            block: None,
            hardfork: DEFAULT_FORK_HARDFORK.into(),
            entry_point: ENTRY_POINT_V07,
        }
    }

    /// The local anvil's URL.
    pub fn rpc_url(&self) -> &str {
        &self.rpc_url
    }

    /// The local alto's URL.
    pub fn bundler_url(&self) -> &str {
        &self.bundler_url
    }

    /// The forked chain's id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// anvil's default accounts (funded on the fork too; alto uses two of them).
    pub fn keys(&self) -> &DevnetKeys {
        &self.keys
    }

    /// The process ids of anvil and alto.
    pub fn pids(&self) -> (u32, u32) {
        (self.anvil.pid(), self.alto.pid())
    }

    /// A serializable summary (the fork URL redacted).
    pub fn info(&self) -> ForkInfo {
        ForkInfo {
            rpc_url: self.rpc_url.clone(),
            bundler_url: self.bundler_url.clone(),
            chain_id: self.chain_id,
            fork_url: self.fork_url.clone(),
            fork_block: self.fork_block,
            hardfork: self.hardfork.clone(),
            entry_point: self.entry_point,
            log_dir: self.log_dir.clone(),
        }
    }
}

/// What [`ForkedDevnet::info`] returns.
#[derive(Clone, Debug, Serialize)]
pub struct ForkInfo {
    /// The local anvil.
    pub rpc_url: String,
    /// The local alto.
    pub bundler_url: String,
    /// The forked chain's id.
    pub chain_id: u64,
    /// The upstream, redacted (no credentials, API keys or query values).
    pub fork_url: String,
    /// The fork block, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fork_block: Option<u64>,
    /// anvil's hardfork.
    pub hardfork: String,
    /// The EntryPoint alto serves.
    pub entry_point: Address,
    /// The log directory.
    pub log_dir: PathBuf,
}

/// anvil prints the fork URL (`Endpoint: …`) in its start-up banner: overwrite it in the log,
/// in place and with the same length (anvil appends to the file meanwhile).
fn scrub_log(log: &std::path::Path, url: &str) {
    use std::io::{Seek, SeekFrom, Write};
    let Ok(text) = std::fs::read(log) else { return };
    let (needle, red) = (url.as_bytes(), redact(url));
    let replacement = if red.len() <= url.len() {
        format!("{red:<width$}", width = url.len())
    } else {
        "*".repeat(url.len())
    };
    let mut out = text.clone();
    let mut i = 0;
    while let Some(pos) = out[i..].windows(needle.len()).position(|w| w == needle) {
        let at = i + pos;
        out[at..at + needle.len()].copy_from_slice(replacement.as_bytes());
        i = at + needle.len();
    }
    if out != text
        && let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(log)
    {
        let _ = f.seek(SeekFrom::Start(0)).and_then(|_| f.write_all(&out));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fork_url_is_redacted() {
        let b = ForkedDevnet::builder("https://eth.example/v2/0123456789abcdefSECRET").block(5);
        let text = format!("{b:?}");
        assert!(!text.contains("SECRET"), "{text}");
        assert!(text.contains("eth.example"), "{text}");
    }

    #[test]
    fn the_fork_url_is_scrubbed_from_the_log() {
        let path = std::env::temp_dir().join(format!("devnet-fork-log-{}", std::process::id()));
        let url = "https://eth.example/v2/0123456789abcdefSECRET";
        let text = format!("Fork\nEndpoint:       {url}\nBlock number:   5\n");
        std::fs::write(&path, &text).unwrap();
        scrub_log(&path, url);
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(!after.contains("SECRET"), "{after}");
        assert!(after.contains("eth.example"), "{after}");
        assert_eq!(after.len(), text.len());
        std::fs::remove_file(&path).unwrap();
    }
}
