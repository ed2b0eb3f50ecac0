//! Starting the alto bundler on 127.0.0.1.

use crate::{DevnetError, DevnetKeys, process::ManagedChild};
use alloy_provider::{Provider, ProviderBuilder};
use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

/// alto 0.0.20 hard-codes this listen call; there is no `--host` flag.
const LISTEN_ALL: &str = "host: \"0.0.0.0\"";
/// What the devnet patches it to.
const LISTEN_LOCAL: &str = "host: \"127.0.0.1\"";

/// alto deploys its simulation contracts before it answers; the recipe measured 2–3 s.
const ALTO_READY_TIMEOUT: Duration = Duration::from_secs(60);

/// How often to retry on a port taken between probing and binding.
const PORT_ATTEMPTS: usize = 3;

/// A running alto.
#[derive(Debug)]
pub(crate) struct Alto {
    pub(crate) child: ManagedChild,
    pub(crate) url: String,
}

/// Makes the installed alto listen on 127.0.0.1 only. Idempotent; fails if the expected text is missing.
pub(crate) fn patch_listen_host(alto_package_dir: &Path) -> Result<(), DevnetError> {
    let path = alto_package_dir.join("esm").join("rpc").join("server.js");
    let text = std::fs::read_to_string(&path).map_err(|source| DevnetError::Io {
        action: "read alto's server",
        path: path.clone(),
        source,
    })?;
    if text.contains(LISTEN_ALL) {
        let patched = text.replace(LISTEN_ALL, LISTEN_LOCAL);
        // Write to a sibling file and rename, so a concurrent reader never sees half a file.
        let tmp = path.with_extension(format!("js.devnet-{}", crate::process::unique_suffix()));
        std::fs::write(&tmp, patched).map_err(|source| DevnetError::Io {
            action: "write patched alto server",
            path: tmp.clone(),
            source,
        })?;
        std::fs::rename(&tmp, &path).map_err(|source| DevnetError::Io {
            action: "replace alto server",
            path: path.clone(),
            source,
        })?;
    }
    verify_patched(&path)
}

fn verify_patched(path: &Path) -> Result<(), DevnetError> {
    let text = std::fs::read_to_string(path).map_err(|source| DevnetError::Io {
        action: "read alto's server",
        path: path.to_path_buf(),
        source,
    })?;
    let refuse = |detail: &str| DevnetError::AltoPatch {
        path: path.to_path_buf(),
        detail: detail.into(),
    };
    if text.contains("0.0.0.0") {
        return Err(refuse("still mentions 0.0.0.0 after patching"));
    }
    if !text.contains(LISTEN_LOCAL) {
        return Err(refuse(&format!(
            "`{LISTEN_LOCAL}` not found: this alto version listens differently"
        )));
    }
    Ok(())
}

/// Everything alto needs to start.
#[derive(Debug)]
pub(crate) struct AltoConfig<'a> {
    pub(crate) package_dir: &'a Path,
    pub(crate) rpc_url: &'a str,
    pub(crate) entry_point: alloy_primitives::Address,
    pub(crate) keys: &'a DevnetKeys,
    pub(crate) log_dir: &'a Path,
}

/// Starts alto on a free port (retrying if the port got taken meanwhile) and waits for `eth_chainId`.
pub(crate) async fn start(config: &AltoConfig<'_>, chain_id: u64) -> Result<Alto, DevnetError> {
    patch_listen_host(config.package_dir)?;
    let mut last = None;
    for attempt in 0..PORT_ATTEMPTS {
        let port = crate::process::free_port()?;
        let log = config.log_dir.join(if attempt == 0 {
            "alto.log".to_string()
        } else {
            format!("alto-{attempt}.log")
        });
        match start_on(config, port, &log, chain_id).await {
            Ok(alto) => return Ok(alto),
            Err((err, port_taken)) if port_taken => last = Some(err),
            Err((err, _)) => return Err(err),
        }
    }
    Err(last.expect("at least one attempt"))
}

async fn start_on(
    config: &AltoConfig<'_>,
    port: u16,
    log: &Path,
    chain_id: u64,
) -> Result<Alto, (DevnetError, bool)> {
    let entry: PathBuf = config.package_dir.join("esm").join("cli").join("alto.js");
    let node = std::env::var_os("NODE").unwrap_or_else(|| "node".into());
    let mut cmd = Command::new(node);
    // Inherited ALTO_* variables would silently change alto's configuration (yargs reads them).
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ALTO_") {
            cmd.env_remove(name);
        }
    }
    cmd.arg(entry)
        // The keys go through alto's environment, not argv, so they never show in `ps`.
        .env(
            "ALTO_EXECUTOR_PRIVATE_KEYS",
            config.keys.bundler_executor().expose().to_string(),
        )
        .env(
            "ALTO_UTILITY_PRIVATE_KEY",
            config.keys.bundler_utility().expose().to_string(),
        )
        .env_remove("SENTRY_DSN")
        // alto loads `.env` from its working directory; the per-instance log directory has none.
        .current_dir(config.log_dir)
        .args(["--entrypoints", &config.entry_point.to_string()])
        .args(["--rpc-url", config.rpc_url])
        .args(["--port", &port.to_string()])
        .args(["--safe-mode", "false"])
        .args(["--deploy-simulations-contract", "true"])
        .args(["--min-entity-stake", "1"])
        .args(["--min-entity-unstake-delay", "1"])
        .args(["--log-level", "warn"]);
    let mut child = ManagedChild::spawn("alto", cmd, log).map_err(|e| (e, false))?;
    let url = format!("http://127.0.0.1:{port}");
    // reqwest with rustls needs a crypto provider before any client is built.
    let provider = ProviderBuilder::new().connect(&url).await.map_err(|e| {
        (
            crate::deploy::rpc_err(&format!("connect to alto at {url}"), e),
            false,
        )
    })?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.exited() {
            let taken = crate::process::log_tail(log, 50).contains("EADDRINUSE");
            return Err((child.died(status), taken));
        }
        match tokio::time::timeout(Duration::from_secs(2), provider.get_chain_id()).await {
            Ok(Ok(id)) if id == chain_id => break,
            Ok(Ok(id)) => {
                let detail = format!(
                    "{url} answered chain id {id}, expected {chain_id} (someone else's server?)"
                );
                return Err((
                    DevnetError::Process {
                        name: "alto",
                        detail,
                        log: log.to_path_buf(),
                    },
                    true,
                ));
            }
            _ if started.elapsed() > ALTO_READY_TIMEOUT => {
                let detail = format!(
                    "eth_chainId on {url} did not answer within {ALTO_READY_TIMEOUT:?}; last log lines:\n{}",
                    crate::process::log_tail(log, 30)
                );
                return Err((
                    DevnetError::Process {
                        name: "alto",
                        detail,
                        log: log.to_path_buf(),
                    },
                    false,
                ));
            }
            _ => tokio::time::sleep(Duration::from_millis(25)).await,
        }
    }
    // A server of someone else on this port would answer while our alto dies on EADDRINUSE.
    if let Some(status) = child.exited() {
        let taken = crate::process::log_tail(log, 50).contains("EADDRINUSE");
        return Err((child.died(status), taken));
    }
    Ok(Alto { child, url })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_is_idempotent_and_refuses_unknown_text() {
        let dir = std::env::temp_dir().join(format!("devnet-alto-patch-{}", std::process::id()));
        let server = dir.join("esm").join("rpc");
        std::fs::create_dir_all(&server).unwrap();
        let file = server.join("server.js");
        std::fs::write(
            &file,
            "start() { this.fastify.listen({ port: this.config.port, host: \"0.0.0.0\" }); }",
        )
        .unwrap();
        patch_listen_host(&dir).unwrap();
        let once = std::fs::read_to_string(&file).unwrap();
        assert!(once.contains("host: \"127.0.0.1\"") && !once.contains("0.0.0.0"));
        patch_listen_host(&dir).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), once);
        std::fs::write(
            &file,
            "start() { this.fastify.listen({ port: this.config.port, host: \"::\" }); }",
        )
        .unwrap();
        let err = patch_listen_host(&dir).unwrap_err().to_string();
        assert!(err.contains("refusing to start alto"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
