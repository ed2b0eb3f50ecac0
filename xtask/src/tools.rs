//! `cargo xtask tools`: installs the pinned tooling and prints where each tool is.

use std::time::Instant;

use devnet::Toolchain;

/// Runs the task.
pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let tc = Toolchain::ensure().map_err(|e| e.to_string())?;
    println!("repo root      {}", tc.repo_root.display());
    println!("cache          {}", tc.cache_dir.display());
    println!(
        "forge          {}  ({})",
        tc.forge.display(),
        tc.versions.forge
    );
    println!(
        "anvil          {}  ({})",
        tc.anvil.display(),
        tc.versions.anvil
    );
    println!(
        "cast           {}  ({})",
        tc.cast.display(),
        tc.versions.cast
    );
    println!(
        "solc shim      {}  ({})",
        tc.solc_shim.display(),
        tc.versions.solc
    );
    println!("alto           {}", tc.alto_package_dir.display());
    println!("modulekit      {}", tc.modulekit_dir.display());
    println!("entry point    {}", tc.entry_point_artifact.display());
    println!("ready in {:.2?}", started.elapsed());
    Ok(())
}
