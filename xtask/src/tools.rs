//! `cargo xtask tools`: installs the pinned tooling and prints where each tool is.

use std::time::Instant;

use nexus_sessions_devnet::Toolchain;

/// Runs the task.
pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let tc = Toolchain::ensure().map_err(|e| e.to_string())?;
    println!("repo root      {}", tc.repo_root.display());
    println!("cache          {}", tc.cache_dir.display());
    for (name, path, version) in [
        ("forge", &tc.forge, &tc.versions.forge),
        ("anvil", &tc.anvil, &tc.versions.anvil),
        ("cast", &tc.cast, &tc.versions.cast),
        ("solc shim", &tc.solc_shim, &tc.versions.solc),
    ] {
        println!("{name:<15}{}  ({version})", path.display());
    }
    println!("alto           {}", tc.alto_package_dir.display());
    println!("modulekit      {}", tc.modulekit_dir.display());
    println!("entry point    {}", tc.entry_point_artifact.display());
    println!("ready in {:.2?}", started.elapsed());
    Ok(())
}
