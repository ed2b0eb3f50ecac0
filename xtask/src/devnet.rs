//! `cargo xtask devnet`: starts the local devnet, prints its endpoints, versions (`module_version`,
//! `nexus_version`, `default_validator` on Nexus 1.2), accounts and addresses as JSON on stdout, and
//! keeps it up until Ctrl-C; then stops anvil and alto.
//!
//! Options: `--fresh` bypasses the anvil state cache; `--overrides <file>` uses an override manifest
//! (otherwise `DEVNET_OVERRIDES` is honoured); `--chains N` starts N chains (chain ids 31337, 31338, …,
//! each its own anvil and alto, the same contract addresses) and prints `{"chains": [<one chain>, …]}`
//! instead of the single-chain object. Progress goes to stderr, so stdout is only the JSON.
//!
//! While it runs, the (first) chain's JSON is also in `.cache/devnet/current.json`, where
//! `nexus-sessions`' live commands find the running devnet by default; it is removed when the devnet
//! stops.

use devnet::{Devnet, DevnetsInfo, OverrideManifest};
use std::{
    path::{Path, PathBuf},
    time::Instant,
};

/// Where a running devnet describes itself, relative to the repository root (read by `nexus-sessions`).
const CURRENT_FILE: &str = ".cache/devnet/current.json";

/// Runs the task.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut builder = Devnet::builder();
    let mut chains = 1usize;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--fresh" => builder = builder.state_cache(false),
            "--overrides" => {
                let path = rest.next().ok_or("--overrides needs a file")?;
                let manifest =
                    OverrideManifest::from_file(Path::new(path)).map_err(|e| e.to_string())?;
                builder = builder.overrides(manifest);
            }
            "--chains" => {
                let n = rest.next().ok_or("--chains needs a number")?;
                chains = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=16).contains(n))
                    .ok_or_else(|| format!("--chains {n:?}: expected a number from 1 to 16"))?;
            }
            other => {
                return Err(format!(
                    "devnet: unknown argument `{other}` (expected --fresh, --overrides <file>, --chains <n>)"
                ));
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let started = Instant::now();
        eprintln!("devnet: starting (the first run installs the tools and builds the fixtures)…");
        let all: Vec<Devnet> = if chains == 1 {
            vec![builder.start().await.map_err(|e| e.to_string())?]
        } else {
            builder
                .start_many(chains)
                .await
                .map_err(|e| e.to_string())?
                .into_chains()
        };
        let first = &all[0];
        let first_info = serde_json::to_string_pretty(&first.info()).map_err(|e| e.to_string())?;
        if chains == 1 {
            println!("{first_info}");
        } else {
            // Several chains: {"chains": [...]}, each entry the single-chain object.
            let info = DevnetsInfo {
                chains: all.iter().map(Devnet::info).collect(),
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&info).map_err(|e| e.to_string())?
            );
        }
        let current = write_current(&first_info)?;
        eprintln!(
            "devnet: Nexus {} + SmartSession {}",
            first.nexus_version(),
            first.module_version()
        );
        for devnet in &all {
            eprintln!(
                "devnet: chain {} ready in {:.1?}{}; rpc {} bundler {}; logs in {}",
                devnet.chain_id(),
                started.elapsed(),
                if devnet.from_cached_state() {
                    " (cached state)"
                } else {
                    ""
                },
                devnet.rpc_url(),
                devnet.bundler_url(),
                devnet.log_dir().display()
            );
        }
        eprintln!("devnet: press Ctrl-C to stop");
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
        let pids: Vec<(u32, u32)> = all.iter().map(|d| d.pids()).collect();
        drop(all);
        remove_current(&current, &first_info);
        for (anvil, alto) in pids {
            eprintln!("devnet: stopped anvil (pid {anvil}) and alto (pid {alto})");
        }
        Ok(())
    })
}

/// Publishes the running devnet's description for other tools; returns where it went.
fn write_current(info: &str) -> Result<PathBuf, String> {
    let root = devnet::toolchain::find_repo_root().map_err(|e| e.to_string())?;
    let path = root.join(CURRENT_FILE);
    let dir = path.parent().expect("CURRENT_FILE has a parent");
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Write then rename, so a reader never sees half a file.
    let tmp = dir.join(format!("current.{}.tmp", std::process::id()));
    std::fs::write(&tmp, info).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// Removes the description, unless another devnet has replaced it in the meantime.
fn remove_current(path: &Path, info: &str) {
    if std::fs::read_to_string(path).is_ok_and(|text| text == info) {
        let _ = std::fs::remove_file(path);
    }
}
