//! Starting anvil on 127.0.0.1 with a port the kernel picks.

use crate::{DevnetError, process::ManagedChild};
use alloy_provider::{Provider, ProviderBuilder};
use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

/// The devnet's chain id (anvil's default, and the one the golden vectors use).
pub const CHAIN_ID: u64 = 31337;

/// How long anvil may take to bind its port.
const ANVIL_READY_TIMEOUT: Duration = Duration::from_secs(20);

/// A running anvil.
#[derive(Debug)]
pub(crate) struct Anvil {
    pub(crate) child: ManagedChild,
    pub(crate) url: String,
    /// The chain id it answers (31337, or the forked chain's).
    pub(crate) chain_id: u64,
}

/// How to run anvil beyond the defaults.
#[derive(Clone, Debug, Default)]
pub(crate) struct AnvilOptions<'a> {
    /// `--hardfork` (anvil 1.7.1's default, `latest`, already accepts EIP-7702 type-4 transactions).
    pub(crate) hardfork: Option<&'a str>,
    /// `--fork-url` and `--fork-block-number`: the chain id is then the forked chain's.
    pub(crate) fork: Option<(&'a str, Option<u64>)>,
    /// `--chain-id` when not forking.
    pub(crate) chain_id: u64,
}

/// Starts anvil with `--port 0` (no port race: the kernel picks a free port, anvil prints it) and waits
/// until `eth_chainId` answers (31337 unless forking).
pub(crate) async fn start(
    anvil: &Path,
    log: &Path,
    options: &AnvilOptions<'_>,
) -> Result<Anvil, DevnetError> {
    let mut cmd = Command::new(anvil);
    cmd.args(["--host", "127.0.0.1", "--port", "0"]);
    if let Some(hardfork) = options.hardfork {
        cmd.args(["--hardfork", hardfork]);
    }
    let expected = match options.fork {
        Some((url, block)) => {
            cmd.args(["--fork-url", url]);
            if let Some(block) = block {
                cmd.args(["--fork-block-number", &block.to_string()]);
            }
            None
        }
        None => {
            cmd.args(["--chain-id", &options.chain_id.to_string()]);
            Some(options.chain_id)
        }
    };
    let mut child = ManagedChild::spawn("anvil", cmd, log)?;
    let started = Instant::now();
    let port = loop {
        if let Some(status) = child.exited() {
            return Err(child.died(status));
        }
        if let Some(port) = listening_port(log) {
            break port;
        }
        if started.elapsed() > ANVIL_READY_TIMEOUT {
            return Err(not_ready(
                &child,
                "never printed `Listening on 127.0.0.1:<port>`",
            ));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let url = format!("http://127.0.0.1:{port}");
    // reqwest with rustls needs a crypto provider before any client is built.
    let provider = ProviderBuilder::new()
        .connect(&url)
        .await
        .map_err(|e| not_ready(&child, &format!("cannot connect to {url}: {e}")))?;
    let chain_id = loop {
        if let Some(status) = child.exited() {
            return Err(child.died(status));
        }
        match tokio::time::timeout(Duration::from_secs(2), provider.get_chain_id()).await {
            Ok(Ok(id)) if expected.is_none_or(|e| e == id) => break id,
            Ok(Ok(other)) => {
                return Err(not_ready(
                    &child,
                    &format!("answered chain id {other}, expected {}", options.chain_id),
                ));
            }
            _ if started.elapsed() > ANVIL_READY_TIMEOUT => {
                return Err(not_ready(
                    &child,
                    &format!("eth_chainId on {url} did not answer"),
                ));
            }
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    };
    Ok(Anvil {
        child,
        url,
        chain_id,
    })
}

fn not_ready(child: &ManagedChild, detail: &str) -> DevnetError {
    DevnetError::Process {
        name: "anvil",
        detail: format!("not ready after {ANVIL_READY_TIMEOUT:?}: {detail}"),
        log: child.log().to_path_buf(),
    }
}

/// The port in anvil's `Listening on 127.0.0.1:<port>` line, once it is in the log.
fn listening_port(log: &Path) -> Option<u16> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines().find_map(|line| {
        line.trim()
            .strip_prefix("Listening on 127.0.0.1:")?
            .trim()
            .parse()
            .ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_listening_line() {
        let path = std::env::temp_dir().join(format!("devnet-anvil-log-{}", std::process::id()));
        std::fs::write(
            &path,
            "Chain ID\n==================\n\n31337\n\nListening on 127.0.0.1:40751\n",
        )
        .unwrap();
        assert_eq!(listening_port(&path), Some(40751));
        std::fs::write(&path, "Listening on 127.0.0.1:\n").unwrap();
        assert_eq!(listening_port(&path), None);
        std::fs::remove_file(&path).unwrap();
    }
}
