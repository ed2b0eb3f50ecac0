//! `cargo xtask devnet`: starts the local devnet, prints its endpoints, accounts and addresses as JSON on
//! stdout, and keeps it up until Ctrl-C; then stops anvil and alto.
//!
//! Options: `--fresh` bypasses the anvil state cache; `--overrides <file>` uses an override manifest
//! (otherwise `DEVNET_OVERRIDES` is honoured). Progress goes to stderr, so stdout is only the JSON.

use devnet::{Devnet, OverrideManifest};
use std::{path::Path, time::Instant};

/// Runs the task.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut builder = Devnet::builder();
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
            other => {
                return Err(format!(
                    "devnet: unknown argument `{other}` (expected --fresh, --overrides <file>)"
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
        let devnet = builder.start().await.map_err(|e| e.to_string())?;
        let info = serde_json::to_string_pretty(&devnet.info()).map_err(|e| e.to_string())?;
        println!("{info}");
        eprintln!(
            "devnet: ready in {:.1?}{}; logs in {}; press Ctrl-C to stop",
            started.elapsed(),
            if devnet.from_cached_state() {
                " (cached state)"
            } else {
                ""
            },
            devnet.log_dir().display()
        );
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
        let (anvil, alto) = devnet.pids();
        drop(devnet);
        eprintln!("devnet: stopped anvil (pid {anvil}) and alto (pid {alto})");
        Ok(())
    })
}
