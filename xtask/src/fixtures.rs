//! `cargo xtask fixtures`: builds the Solidity fixtures in `contracts/` and lists their code sizes.

use std::time::Instant;

use nexus_sessions_devnet::{Fixtures, Toolchain, fixtures::FIXTURE_CONTRACTS};

/// Runs the task.
pub(crate) fn run(_args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let tc = Toolchain::ensure().map_err(|e| e.to_string())?;
    let fixtures = Fixtures::build(&tc).map_err(|e| e.to_string())?;
    println!("{:<26} {:>9} {:>9}", "contract", "creation", "runtime");
    for name in FIXTURE_CONTRACTS {
        let creation = fixtures.creation_code(name).map_err(|e| e.to_string())?;
        let runtime = fixtures.runtime_code(name).map_err(|e| e.to_string())?;
        println!("{name:<26} {:>9} {:>9}", creation.len(), runtime.len());
    }
    println!("artifacts in {}", tc.contracts_dir().join("out").display());
    println!("ready in {:.2?}", started.elapsed());
    Ok(())
}
