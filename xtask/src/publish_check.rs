//! `cargo xtask publish-check [--no-verify]`: what `cargo publish` would check for every published
//! crate, without uploading.
//!
//! 1. The manifests, from `cargo metadata`: exactly [`PUBLISHED`] may be published; each carries the
//!    metadata crates.io and docs.rs show (description, license, documentation, readme, keywords,
//!    categories); its `rust-version` is at least every `rust-version` its dependency tree declares
//!    (all features), so the MSRV stays honest when a dependency is bumped.
//! 2. `cargo publish --dry-run` for [`PUBLISHED`], one invocation in dependency order. Cargo packages
//!    them all, then builds each from its `.crate` file against the others' `.crate` files (a
//!    temporary local registry overlaid on crates.io), so a crate whose dependencies are not on
//!    crates.io yet is still verified. `--no-verify` skips those builds (packaging and lock-file
//!    resolution only: seconds instead of minutes); `cargo xtask test` runs that form.
//! 3. Unless `--no-verify`: `cargo check --no-default-features` of each published crate that has
//!    default features.
//!
//! Before verifying, the previous run's unpacked packages and their builds are removed (see
//! [`forget_earlier_packages`]): the published crates are rebuilt afterwards.

use std::{collections::BTreeSet, path::Path, process::Command};

use serde_json::Value;

/// The published crates, in dependency order (each only depends on earlier ones).
pub(crate) const PUBLISHED: [&str; 6] = [
    "nexus-sessions-types",
    "nexus-sessions-userop",
    "nexus-sessions-bundler",
    "nexus-sessions",
    "nexus-sessions-devnet",
    "nexus-sessions-cli",
];

/// Runs the check; `--no-verify` skips building the packaged crates.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let no_verify = match args {
        [] => false,
        [flag] if flag == "--no-verify" => true,
        _ => {
            return Err(format!(
                "publish-check: unexpected arguments {args:?} (only --no-verify)"
            ));
        }
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());

    eprintln!("xtask: publish-check: manifests and MSRV (cargo metadata)");
    let output = Command::new(&cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--all-features",
            "--locked",
        ])
        .output()
        .map_err(|e| format!("could not run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    let problems = manifest_problems(&metadata)?;
    if !problems.is_empty() {
        return Err(format!(
            "publish-check: {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        ));
    }

    if !no_verify {
        forget_earlier_packages(&cargo, &metadata)?;
    }
    let mut cmd = Command::new(&cargo);
    // `--allow-dirty`: the check is about what would be packaged, not about uncommitted files.
    cmd.args(["publish", "--dry-run", "--allow-dirty", "--locked"]);
    if no_verify {
        cmd.arg("--no-verify");
    }
    for name in PUBLISHED {
        cmd.args(["--package", name]);
    }
    eprintln!(
        "xtask: publish-check: cargo publish --dry-run{} for {}",
        if no_verify { " --no-verify" } else { "" },
        PUBLISHED.join(", ")
    );
    let status = cmd
        .status()
        .map_err(|e| format!("could not run cargo publish: {e}"))?;
    if !status.success() {
        return Err(format!("cargo publish --dry-run failed ({status})"));
    }
    if !no_verify {
        // The verification above built each crate with its default features; a crate with
        // default features must build without them too (every optional dependency declared).
        for name in with_default_features(&metadata) {
            eprintln!("xtask: publish-check: cargo check -p {name} --no-default-features");
            let status = Command::new(&cargo)
                .args([
                    "check",
                    "--locked",
                    "--no-default-features",
                    "--package",
                    name,
                ])
                .status()
                .map_err(|e| format!("could not run cargo check: {e}"))?;
            if !status.success() {
                return Err(format!(
                    "{name} does not build without default features ({status})"
                ));
            }
        }
    }
    Ok(())
}

/// Removes what an earlier verification left behind, so this one builds today's sources.
///
/// Cargo verifies a crate against the *packages* of the crates it depends on, served by a local
/// registry overlay (`target/package/tmp-registry`) under their unchanged version. It unpacks them
/// into `$CARGO_HOME/registry/src/-<hash>/` once and never again while that directory exists, and it
/// fingerprints registry builds by version only: a second run would silently build against the
/// first run's sources. So the unpacked copies of the published crates (in every overlay source
/// directory; crates.io's `index.*` directories are left alone) and their build artifacts
/// (`cargo clean --package`) go first.
fn forget_earlier_packages(cargo: &str, metadata: &Value) -> Result<(), String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    let packages = array(metadata, "packages")?;
    let unpacked: Vec<String> = PUBLISHED
        .iter()
        .filter_map(|name| {
            let package = packages.iter().find(|p| text(p, "name") == *name)?;
            Some(format!("{name}-{}", text(package, "version")))
        })
        .collect();
    if let Ok(sources) = std::fs::read_dir(home.join("registry").join("src")) {
        for source in sources.flatten() {
            if source.file_name().to_string_lossy().starts_with("index.") {
                continue;
            }
            for dir in &unpacked {
                let dir = source.path().join(dir);
                if dir.is_dir() {
                    std::fs::remove_dir_all(&dir)
                        .map_err(|e| format!("removing {}: {e}", dir.display()))?;
                }
            }
        }
    }
    let mut clean = Command::new(cargo);
    clean.args(["clean", "--quiet"]);
    for name in PUBLISHED {
        clean.args(["--package", name]);
    }
    let status = clean
        .status()
        .map_err(|e| format!("could not run cargo clean: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo clean of the published crates failed ({status})"
        ));
    }
    Ok(())
}

/// The published crates whose `default` feature turns something on.
fn with_default_features(metadata: &Value) -> Vec<&'static str> {
    PUBLISHED
        .into_iter()
        .filter(|name| {
            array(metadata, "packages").is_ok_and(|packages| {
                packages.iter().any(|p| {
                    text(p, "name") == *name
                        && p["features"]["default"]
                            .as_array()
                            .is_some_and(|d| !d.is_empty())
                })
            })
        })
        .collect()
}

/// Everything wrong with the workspace's manifests, one line each (empty: ready to publish).
fn manifest_problems(metadata: &Value) -> Result<Vec<String>, String> {
    let packages = array(metadata, "packages")?;
    let members: BTreeSet<&str> = array(metadata, "workspace_members")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut problems = Vec::new();
    let mut publishable = BTreeSet::new();
    for package in packages {
        let id = text(package, "id");
        if !members.contains(id) {
            continue;
        }
        let name = text(package, "name");
        // `publish`: null = any registry, [] = `publish = false`.
        if package["publish"].as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        publishable.insert(name);
        // docs.rs documents libraries only: a binary-only crate (the CLI) has its README.
        let library = package["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == "lib"))
            });
        let required: &[&str] = if library {
            &["description", "license", "documentation", "readme"]
        } else {
            &["description", "license", "readme"]
        };
        for field in required {
            if text(package, field).is_empty() {
                problems.push(format!("{name}: no `{field}`"));
            }
        }
        for field in ["keywords", "categories"] {
            if package[field].as_array().is_none_or(Vec::is_empty) {
                problems.push(format!("{name}: no `{field}`"));
            }
        }
        let readme = text(package, "readme");
        let manifest_dir = Path::new(text(package, "manifest_path"))
            .parent()
            .unwrap_or(Path::new("."));
        if !readme.is_empty() && !manifest_dir.join(readme).is_file() {
            problems.push(format!("{name}: readme `{readme}` does not exist"));
        }
        for field in ["repository", "homepage"] {
            if text(package, field).contains("example.invalid") {
                problems.push(format!("{name}: placeholder `{field}`"));
            }
        }
        problems.extend(msrv_problem(metadata, package)?);
    }
    let expected: BTreeSet<&str> = PUBLISHED.into_iter().collect();
    if publishable != expected {
        problems.push(format!(
            "publishable workspace crates {publishable:?} are not the published list {expected:?} \
             (xtask/src/publish_check.rs)"
        ));
    }
    Ok(problems)
}

/// `Some` when `package` declares a `rust-version` below one its dependency tree declares (normal
/// and build dependencies, all features).
fn msrv_problem(metadata: &Value, package: &Value) -> Result<Option<String>, String> {
    let name = text(package, "name");
    let Some(declared) = package["rust_version"].as_str() else {
        return Ok(Some(format!("{name}: no `rust-version`")));
    };
    let packages = array(metadata, "packages")?;
    let nodes = array(&metadata["resolve"], "nodes")?;
    let node = |id: &str| nodes.iter().find(|n| text(n, "id") == id);
    let mut seen = BTreeSet::new();
    let mut stack = vec![text(package, "id")];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let Some(node) = node(id) else { continue };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let runtime = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| matches!(k["kind"].as_str(), None | Some("build")));
            if runtime {
                stack.push(text(dep, "pkg"));
            }
        }
    }
    let highest = packages
        .iter()
        .filter(|p| seen.contains(text(p, "id")) && text(p, "id") != text(package, "id"))
        .filter_map(|p| Some((version(p["rust_version"].as_str()?), p)))
        .max_by_key(|(v, _)| *v);
    Ok(match highest {
        Some((needed, dep)) if needed > version(declared) => Some(format!(
            "{name}: rust-version {declared} is below {} {}'s {}",
            text(dep, "name"),
            text(dep, "version"),
            text(dep, "rust_version"),
        )),
        _ => None,
    })
}

/// `1.94.1` → `(1, 94, 1)`; missing or unreadable parts count as 0.
fn version(v: &str) -> (u64, u64, u64) {
    let mut parts = v.split('.').map(|p| p.parse().unwrap_or(0));
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

fn array<'a>(value: &'a Value, field: &str) -> Result<&'a Vec<Value>, String> {
    value[field]
        .as_array()
        .ok_or_else(|| format!("cargo metadata: no `{field}` array"))
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field].as_str().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(version("1.94.1") > version("1.94"));
        assert!(version("1.100") > version("1.94.1"));
        assert_eq!(version("1.90"), (1, 90, 0));
    }

    /// A two-package workspace: `app` (declared MSRV given) depends on `dep` (MSRV 1.90), which
    /// build-depends on `tool` (MSRV 1.93) and dev-depends on `bench` (MSRV 1.99, not counted).
    fn workspace(app_msrv: &str) -> Value {
        let package = |name: &str, msrv: &str| {
            serde_json::json!({
                "id": name, "name": name, "version": "0.1.0", "rust_version": msrv,
                "description": "d", "license": "MIT", "documentation": "https://docs.rs/x",
                "readme": "Cargo.toml", "keywords": ["k"], "categories": ["c"],
                "manifest_path": concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"),
                "publish": null, "targets": [{ "kind": ["lib"] }],
            })
        };
        let dep = |pkg: &str, kind: Option<&str>| serde_json::json!({ "pkg": pkg, "dep_kinds": [{ "kind": kind }] });
        serde_json::json!({
            "packages": [
                package("app", app_msrv), package("dep", "1.90"),
                package("tool", "1.93"), package("bench", "1.99"),
            ],
            "workspace_members": ["app"],
            "resolve": { "nodes": [
                { "id": "app", "deps": [dep("dep", None)] },
                { "id": "dep", "deps": [dep("tool", Some("build")), dep("bench", Some("dev"))] },
                { "id": "tool", "deps": [] },
                { "id": "bench", "deps": [] },
            ]},
        })
    }

    #[test]
    fn msrv_below_a_dependency_is_reported_dev_dependencies_are_not() {
        let low = workspace("1.92");
        let problem = msrv_problem(&low, &low["packages"][0]).unwrap().unwrap();
        assert!(problem.contains("below tool 0.1.0's 1.93"), "{problem}");
        let ok = workspace("1.93");
        assert_eq!(msrv_problem(&ok, &ok["packages"][0]).unwrap(), None);
    }

    #[test]
    fn missing_metadata_and_an_unexpected_crate_are_reported() {
        let mut ws = workspace("1.93");
        ws["packages"][0]["keywords"] = serde_json::json!([]);
        ws["packages"][0]["documentation"] = Value::Null;
        ws["packages"][0]["repository"] = "https://example.invalid/x".into();
        let problems = manifest_problems(&ws).unwrap();
        for expected in ["app: no `keywords`", "app: no `documentation`"] {
            assert!(problems.iter().any(|p| p == expected), "{problems:?}");
        }
        assert!(
            problems
                .iter()
                .any(|p| p == "app: placeholder `repository`"),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("not the published list")),
            "{problems:?}"
        );
    }

    #[test]
    fn only_crates_with_default_features_are_checked_without_them() {
        let metadata = serde_json::json!({ "packages": [
            { "name": "nexus-sessions", "features": { "default": ["signer-local"] } },
            { "name": "nexus-sessions-types", "features": {} },
            { "name": "nexus-sessions-userop", "features": { "default": [] } },
        ]});
        assert_eq!(with_default_features(&metadata), ["nexus-sessions"]);
    }
}
