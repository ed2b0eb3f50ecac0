//! `cargo xtask vectors`: regenerates the golden vectors from the pinned reference JavaScript.
//!
//! Runs `tools/vectors/generate.mjs` (module-sdk per SmartSession era, viem, solady) after making sure
//! `tools/vectors/node_modules` matches the committed `package-lock.json` (`npm ci` otherwise), then reports
//! which vector files changed. With `--check` it fails when a regenerated file differs from the checkout,
//! which is how CI proves the committed vectors come from the committed generator.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "usage: cargo xtask vectors [--check]";

/// Directories (relative to the repo root) the generator writes into.
const VECTOR_DIRS: &[&str] = &[
    "crates/sessions-types/tests/vectors",
    "crates/userop/tests/vectors",
];

/// Written into `node_modules` after a successful `npm ci`: a copy of the lock file it installed.
const STAMP: &str = ".xtask-installed-lock.json";

/// Runs the task.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut check = false;
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }

    let root = repo_root();
    let project = root.join("tools/vectors");
    ensure_installed(&project)?;

    let before = snapshot(&root)?;
    let status = Command::new("node")
        .arg("generate.mjs")
        .current_dir(&project)
        .status()
        .map_err(|e| format!("cannot run `node` (Node 20 is required): {e}"))?;
    if !status.success() {
        return Err(format!("`node generate.mjs` failed ({status})"));
    }
    let after = snapshot(&root)?;

    let mut changed = Vec::new();
    for (path, contents) in &after {
        match before.get(path) {
            None => changed.push(format!("new      {path}")),
            Some(old) if old != contents => changed.push(format!("changed  {path}")),
            Some(_) => {}
        }
    }
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        changed.push(format!("removed  {path}"));
    }

    if changed.is_empty() {
        println!("vectors: all {} files unchanged", after.len());
        return Ok(());
    }
    println!(
        "vectors: {} of {} files differ from before:",
        changed.len(),
        after.len()
    );
    for line in &changed {
        println!("  {line}");
    }
    if check {
        return Err(
            "regenerated vectors differ from the checkout; commit the generator output".into(),
        );
    }
    Ok(())
}

/// The workspace root: the parent of this crate's manifest directory.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Runs `npm ci` unless `node_modules` was installed from the current lock file.
fn ensure_installed(project: &Path) -> Result<(), String> {
    let lock_path = project.join("package-lock.json");
    let lock =
        fs::read(&lock_path).map_err(|e| format!("cannot read {}: {e}", lock_path.display()))?;
    let stamp_path = project.join("node_modules").join(STAMP);
    if fs::read(&stamp_path).is_ok_and(|installed| installed == lock) {
        return Ok(());
    }
    println!("vectors: installing the pinned npm packages (npm ci in tools/vectors)");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(project)
        .status()
        .map_err(|e| format!("cannot run `npm` (Node 20 with npm is required): {e}"))?;
    if !status.success() {
        return Err(format!(
            "`npm ci` in {} failed ({status})",
            project.display()
        ));
    }
    fs::write(&stamp_path, &lock).map_err(|e| format!("cannot write {}: {e}", stamp_path.display()))
}

/// Contents of every file in the vector directories, keyed by repo-relative path.
fn snapshot(root: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut files = BTreeMap::new();
    for dir in VECTOR_DIRS {
        let entries = match fs::read_dir(root.join(dir)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot list {dir}: {e}")),
        };
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot list {dir}: {e}"))?;
            let path = entry.path();
            if path.is_file() {
                let contents =
                    fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                files.insert(
                    format!("{dir}/{}", entry.file_name().to_string_lossy()),
                    contents,
                );
            }
        }
    }
    Ok(files)
}
