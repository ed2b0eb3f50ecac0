//! `cargo xtask devnet`: starts the local devnet, prints its endpoints, versions (`module_version`,
//! `nexus_version`, `default_validator` on Nexus 1.2), accounts and addresses as JSON on stdout, and
//! keeps it up until Ctrl-C; then stops anvil and alto.
//!
//! Options: `--fresh` bypasses the anvil state cache; `--overrides <file>` uses an override manifest
//! (otherwise `DEVNET_OVERRIDES` is honoured); `--hardfork <name>` sets anvil's hardfork; `--chains N`
//! starts N chains (chain ids 31337, 31338, …, each its own anvil and alto, the same contract addresses)
//! and prints `{"chains": [<one chain>, …]}` instead of the single-chain object. Progress goes to
//! stderr, so stdout is only the JSON.
//!
//! Fork mode: `--fork-url <url> [--fork-block <n>] [--hardfork <name>] [--preset <name>]` forks that
//! chain (hardfork `prague` unless told) with a local alto on top, deploys nothing, and prints the
//! deployment of the preset (default `nexus-1.2-smart-session-v1-registry-free`) with the contracts
//! it finds without code on the fork.
//!
//! While it runs, the (first) chain's JSON is also in `.cache/devnet/current.json`, where
//! `nexus-sessions`' live commands find the running devnet by default; it is removed when the devnet
//! stops.

use nexus_sessions_devnet::{Devnet, DevnetsInfo, ForkedDevnet, OverrideManifest};
use std::{
    path::{Path, PathBuf},
    time::Instant,
};

/// Where a running devnet describes itself, relative to the repository root (read by `nexus-sessions`).
const CURRENT_FILE: &str = ".cache/devnet/current.json";

/// Runs the task.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut builder = Devnet::builder();
    let mut fork: Option<ForkArgs> = None;
    let mut hardfork = None;
    let mut chains = 1usize;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--fresh" => builder = builder.state_cache(false),
            "--fork-url" => {
                let url = rest.next().ok_or("--fork-url needs a URL")?;
                fork.get_or_insert_with(ForkArgs::default).url = Some(url.clone());
            }
            "--fork-block" => {
                let n = rest.next().ok_or("--fork-block needs a block number")?;
                let n = n
                    .parse()
                    .map_err(|_| format!("--fork-block: `{n}` is not a block number"))?;
                fork.get_or_insert_with(ForkArgs::default).block = Some(n);
            }
            "--preset" => {
                let name = rest.next().ok_or("--preset needs a name")?;
                fork.get_or_insert_with(ForkArgs::default).preset = Some(name.clone());
            }
            "--hardfork" => {
                hardfork = Some(rest.next().ok_or("--hardfork needs a name")?.clone());
            }
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
                    "devnet: unknown argument `{other}` (expected --fresh, --overrides <file>, --chains <n>, --hardfork <name>, --fork-url <url>, --fork-block <n>, --preset <name>)"
                ));
            }
        }
    }
    if let Some(fork) = fork {
        if chains != 1 {
            return Err("--chains cannot be combined with --fork-url".into());
        }
        return run_fork(fork, hardfork);
    }
    if let Some(h) = hardfork {
        builder = builder.hardfork(h);
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
                "devnet: chain {} ready in {:.1?}{}; rpc {} bundler {} paymaster {}; logs in {}",
                devnet.chain_id(),
                started.elapsed(),
                if devnet.from_cached_state() {
                    " (cached state)"
                } else {
                    ""
                },
                devnet.rpc_url(),
                devnet.bundler_url(),
                devnet.paymaster_url(),
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
    let root = nexus_sessions_devnet::toolchain::find_repo_root().map_err(|e| e.to_string())?;
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

/// The fork-mode arguments.
#[derive(Default)]
struct ForkArgs {
    url: Option<String>,
    block: Option<u64>,
    preset: Option<String>,
}

/// Fork mode: anvil forking the URL, alto on top, the preset's deployment checked for code.
fn run_fork(args: ForkArgs, hardfork: Option<String>) -> Result<(), String> {
    let url = args
        .url
        .ok_or("--fork-block/--preset need --fork-url <url>")?;
    let preset_name = args
        .preset
        .unwrap_or_else(|| "nexus-1.2-smart-session-v1-registry-free".into());
    let deployment = nexus_sessions::Deployment::preset(&preset_name).ok_or_else(|| {
        let names: Vec<_> = nexus_sessions::Deployment::PRESETS
            .iter()
            .map(|(n, _)| *n)
            .collect();
        format!(
            "--preset: unknown `{preset_name}` (one of {})",
            names.join(", ")
        )
    })?;
    let mut builder = ForkedDevnet::builder(url).entry_point(deployment.entry_point);
    if let Some(block) = args.block {
        builder = builder.block(block);
    }
    if let Some(h) = hardfork {
        builder = builder.hardfork(h);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        eprintln!("devnet: forking (anvil + alto)…");
        let fork = builder.start().await.map_err(|e| e.to_string())?;
        let missing = e2e::missing_code(fork.rpc_url(), &deployment)
            .await
            .map_err(|e| e.to_string())?;
        let info = serde_json::json!({
            "fork": fork.info(),
            "preset": preset_name,
            "deployment": deployment,
            "missing_code": missing,
        });
        let info = serde_json::to_string_pretty(&info).map_err(|e| e.to_string())?;
        println!("{info}");
        if missing.is_empty() {
            eprintln!("devnet: every contract of `{preset_name}` has code on the fork");
        } else {
            eprintln!(
                "devnet: WARNING: {} contract(s) of `{preset_name}` have no code on the fork (missing_code)",
                missing.len()
            );
        }
        eprintln!("devnet: fork ready; press Ctrl-C to stop");
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
        let (anvil, alto) = fork.pids();
        drop(fork);
        eprintln!("devnet: stopped anvil (pid {anvil}) and alto (pid {alto})");
        Ok(())
    })
}
