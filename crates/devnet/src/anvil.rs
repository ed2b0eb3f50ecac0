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
}

/// Starts anvil with `--port 0` (no port race: the kernel picks a free port, anvil prints it) and waits
/// until `eth_chainId` answers `chain_id`.
pub(crate) async fn start(anvil: &Path, log: &Path, chain_id: u64) -> Result<Anvil, DevnetError> {
    let mut cmd = Command::new(anvil);
    cmd.args(["--host", "127.0.0.1", "--port", "0", "--chain-id"])
        .arg(chain_id.to_string());
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
    let provider = ProviderBuilder::new()
        .connect(&url)
        .await
        .map_err(|e| not_ready(&child, &format!("cannot connect to {url}: {e}")))?;
    loop {
        if let Some(status) = child.exited() {
            return Err(child.died(status));
        }
        match tokio::time::timeout(Duration::from_secs(2), provider.get_chain_id()).await {
            Ok(Ok(id)) if id == chain_id => break,
            Ok(Ok(other)) => {
                return Err(not_ready(
                    &child,
                    &format!("answered chain id {other}, expected {chain_id}"),
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
    }
    Ok(Anvil { child, url })
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
