//! Pinned tool installation: npm packages, the modulekit tarball and the solc-js shim, all inside the
//! repository's git-ignored `.cache/` and `tools/**/node_modules/`.
//!
//! [`Toolchain::ensure`] is idempotent and cheap when everything is in place (it only compares stamp files
//! and file metadata), and it serialises the slow path with a lock file so that several test binaries
//! starting at once do not install into the same directories concurrently.

use std::{
    ffi::OsStr,
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output},
    time::UNIX_EPOCH,
};

use alloy_primitives::{hex, keccak256};
use serde::{Deserialize, Serialize};

use crate::DevnetError;

/// Environment variable that overrides the repository root search.
pub const REPO_ROOT_ENV: &str = "NEXUS_SESSIONS_REPO_ROOT";

/// The pinned Foundry release (forge, anvil and cast from `@foundry-rs/*-linux-amd64`).
pub const FOUNDRY_VERSION: &str = "1.7.1";

/// The solc version the shim reports, as forge expects it from a native solc.
pub const SOLC_VERSION: &str = "0.8.23+commit.f704f362";

/// The pinned `@rhinestone/modulekit` version whose precompiled Nexus and SmartSession bytecode is used.
pub const MODULEKIT_VERSION: &str = "0.5.9";

/// npm's integrity string for `@rhinestone/modulekit@0.5.9`, checked after `npm pack` so a changed tarball
/// is noticed instead of silently used.
const MODULEKIT_INTEGRITY: &str = "sha512-Zc5Qo3dkyVhBo7OQRKOltYd+jlGCtV18TWSmpSvIdXKwUgo5xj8zL73wAwFKTww00zt/wXMbW6Z6ysIQWH3Ezw==";

/// The modulekit source files holding `bytes constant NAME = hex"…"` literals, searched in this order.
const MODULEKIT_PRECOMPILES: [&str; 2] = [
    "src/deployment/precompiles/NexusPrecompiles.sol",
    "src/deployment/precompiles/SmartSessionsPrecompiles.sol",
];

/// How many leading and trailing output lines a command error carries (npm puts the error code first and a
/// long usage text after it; forge puts the error last).
const OUTPUT_HEAD_LINES: usize = 8;
const OUTPUT_TAIL_LINES: usize = 30;

/// Versions reported by the installed tools, checked once per install and remembered in a stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolVersions {
    /// First line of `forge --version`.
    pub forge: String,
    /// First line of `anvil --version`.
    pub anvil: String,
    /// First line of `cast --version`.
    pub cast: String,
    /// Second line of `solc --version` as printed by the shim.
    pub solc: String,
}

/// Paths of the installed, pinned tools.
///
/// Obtain it with [`Toolchain::ensure`], which installs whatever is missing first.
///
/// ```no_run
/// let tc = nexus_sessions_devnet::Toolchain::ensure()?;
/// let nexus = tc.modulekit_bytecode("NEXUS_BYTECODE")?;
/// assert!(!nexus.is_empty());
/// # Ok::<(), nexus_sessions_devnet::DevnetError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The repository root (the directory of the workspace `Cargo.toml`).
    pub repo_root: PathBuf,
    /// `<repo>/.cache`: stamps, the solc shim, the unpacked modulekit tarball.
    pub cache_dir: PathBuf,
    /// The forge binary.
    pub forge: PathBuf,
    /// The anvil binary.
    pub anvil: PathBuf,
    /// The cast binary.
    pub cast: PathBuf,
    /// The solc command-line stand-in wrapping solc-js (pass to `forge --use`).
    pub solc_shim: PathBuf,
    /// `tools/alto/node_modules/@pimlico/alto`.
    pub alto_package_dir: PathBuf,
    /// The unpacked `npm pack` of `@rhinestone/modulekit@0.5.9` (the tarball's `package/` directory).
    pub modulekit_dir: PathBuf,
    /// `@account-abstraction/contracts@0.7.0`'s `artifacts/EntryPoint.json`.
    pub entry_point_artifact: PathBuf,
    /// What the tools reported when they were last checked.
    pub versions: ToolVersions,
}

/// Fingerprint of the checked binaries, so the `--version` checks run once per install, not per call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct VersionStamp {
    fingerprint: Vec<String>,
    versions: ToolVersions,
}

impl Toolchain {
    /// Finds the repository root and makes sure every pinned tool is installed, then returns their paths.
    ///
    /// Installs on first use (`npm ci` in `tools/` and `tools/alto/`, `npm pack` of modulekit, the solc shim)
    /// and whenever a `package-lock.json` changed since the last install. Returns in well under a second when
    /// everything is present.
    pub fn ensure() -> Result<Self, DevnetError> {
        Self::ensure_at(&find_repo_root()?)
    }

    /// Like [`Toolchain::ensure`], for an explicit repository root.
    pub fn ensure_at(repo_root: &Path) -> Result<Self, DevnetError> {
        let layout = Layout::new(repo_root);
        if let Some(versions) = layout.current_versions()? {
            return Ok(layout.into_toolchain(versions));
        }
        mkdir(&layout.cache_dir)?;
        let lock_path = layout.cache_dir.join("toolchain.lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_err("open lock file", &lock_path))?;
        lock.lock().map_err(io_err("lock", &lock_path))?;
        // Another process may have finished the work while we waited for the lock.
        let versions = match layout.current_versions()? {
            Some(versions) => versions,
            None => layout.install()?,
        };
        drop(lock);
        Ok(layout.into_toolchain(versions))
    }

    /// The `contracts/` Foundry project.
    pub fn contracts_dir(&self) -> PathBuf {
        self.repo_root.join("contracts")
    }

    /// `tools/node_modules`.
    pub fn node_modules(&self) -> PathBuf {
        self.repo_root.join("tools").join("node_modules")
    }

    /// Reads a `bytes constant NAME = hex"…"` literal from modulekit's precompile sources.
    ///
    /// Known names: `NEXUS_BYTECODE`, `NEXUS_ACCOUNT_FACTORY_BYTECODE`, `NEXUS_BOOTSTRAP_BYTECODE`,
    /// `NEXUS_PROXY_BYTECODE` (creation code) and `SMART_SESSION_DEPLOYED_BYTECODE` (runtime code).
    pub fn modulekit_bytecode(&self, constant: &str) -> Result<Vec<u8>, DevnetError> {
        let mut searched = Vec::new();
        for relative in MODULEKIT_PRECOMPILES {
            let file = self.modulekit_dir.join(relative);
            let source = fs::read_to_string(&file).map_err(io_err("read", &file))?;
            match extract_hex_constant(&source, constant) {
                Ok(Some(bytes)) => return Ok(bytes),
                Ok(None) => searched.push(file.display().to_string()),
                Err(reason) => {
                    return Err(DevnetError::BytecodeConstant {
                        name: constant.into(),
                        file,
                        reason,
                    });
                }
            }
        }
        Err(DevnetError::BytecodeConstant {
            name: constant.into(),
            file: self.modulekit_dir.join(MODULEKIT_PRECOMPILES[0]),
            reason: format!("no such constant (searched {})", searched.join(", ")),
        })
    }
}

/// Finds the repository root: `$NEXUS_SESSIONS_REPO_ROOT` if set, else the first ancestor of the running
/// package's manifest directory, the current directory or this crate's source directory that holds a
/// workspace `Cargo.toml` and `tools/package.json`.
pub fn find_repo_root() -> Result<PathBuf, DevnetError> {
    if let Some(root) = std::env::var_os(REPO_ROOT_ENV) {
        let root = PathBuf::from(root);
        return if is_repo_root(&root) {
            Ok(root)
        } else {
            Err(DevnetError::RepoRootNotFound {
                searched: format!(
                    "{REPO_ROOT_ENV}={} (no workspace Cargo.toml + tools/package.json)",
                    root.display()
                ),
            })
        };
    }
    let mut starts: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        starts.push(dir.into());
    }
    if let Ok(dir) = std::env::current_dir() {
        starts.push(dir);
    }
    starts.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    for start in &starts {
        if let Some(root) = start.ancestors().find(|dir| is_repo_root(dir)) {
            return Ok(root.to_path_buf());
        }
    }
    Err(DevnetError::RepoRootNotFound {
        searched: starts
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn is_repo_root(dir: &Path) -> bool {
    dir.join("tools").join("package.json").is_file()
        && fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
}

/// Every path the toolchain uses, derived from the repository root.
#[derive(Debug)]
struct Layout {
    repo_root: PathBuf,
    cache_dir: PathBuf,
    stamps_dir: PathBuf,
    tools_dir: PathBuf,
    alto_dir: PathBuf,
    forge: PathBuf,
    anvil: PathBuf,
    cast: PathBuf,
    solc_shim: PathBuf,
    solc_package: PathBuf,
    modulekit_dir: PathBuf,
}

impl Layout {
    fn new(repo_root: &Path) -> Self {
        let tools_dir = repo_root.join("tools");
        let foundry = |tool: &str| {
            tools_dir
                .join("node_modules/@foundry-rs")
                .join(format!("{tool}-linux-amd64"))
                .join("bin")
                .join(tool)
        };
        let cache_dir = repo_root.join(".cache");
        Self {
            repo_root: repo_root.to_path_buf(),
            stamps_dir: cache_dir.join("stamps"),
            alto_dir: tools_dir.join("alto"),
            forge: foundry("forge"),
            anvil: foundry("anvil"),
            cast: foundry("cast"),
            solc_shim: cache_dir.join("bin").join("solc"),
            solc_package: tools_dir.join("node_modules").join("solc"),
            modulekit_dir: cache_dir.join("modulekit"),
            tools_dir,
            cache_dir,
        }
    }

    fn into_toolchain(self, versions: ToolVersions) -> Toolchain {
        Toolchain {
            alto_package_dir: self.alto_dir.join("node_modules/@pimlico/alto"),
            entry_point_artifact: self
                .tools_dir
                .join("node_modules/@account-abstraction/contracts/artifacts/EntryPoint.json"),
            repo_root: self.repo_root,
            cache_dir: self.cache_dir,
            forge: self.forge,
            anvil: self.anvil,
            cast: self.cast,
            solc_shim: self.solc_shim,
            modulekit_dir: self.modulekit_dir,
            versions,
        }
    }

    /// The checked versions if every step is already done, without taking the lock.
    fn current_versions(&self) -> Result<Option<ToolVersions>, DevnetError> {
        if !self.npm_is_current(&self.tools_dir, "tools")?
            || !self.npm_is_current(&self.alto_dir, "alto")?
            || !self.modulekit_is_current()
            || !self.shim_is_current()
        {
            return Ok(None);
        }
        let Some(stamp) = self.read_version_stamp() else {
            return Ok(None);
        };
        Ok((stamp.fingerprint == self.binary_fingerprint()).then_some(stamp.versions))
    }

    /// The slow path, run while holding the lock.
    fn install(&self) -> Result<ToolVersions, DevnetError> {
        mkdir(&self.stamps_dir)?;
        for (dir, label) in [(&self.tools_dir, "tools"), (&self.alto_dir, "alto")] {
            if !self.npm_is_current(dir, label)? {
                self.npm_install(dir, label)?;
            }
        }
        self.check_platform_binaries()?;
        if !self.modulekit_is_current() {
            self.install_modulekit()?;
        }
        if !self.shim_is_current() {
            self.write_shim()?;
        }
        let versions = self.check_versions()?;
        let stamp = VersionStamp {
            fingerprint: self.binary_fingerprint(),
            versions: versions.clone(),
        };
        let json = serde_json::to_vec_pretty(&stamp).expect("stamp serialises");
        write_atomic(&self.stamps_dir.join("versions.json"), &json)?;
        Ok(versions)
    }

    // ---- npm ci ----------------------------------------------------------------------------------------

    fn npm_stamp(&self, label: &str) -> PathBuf {
        self.stamps_dir.join(format!("npm-{label}"))
    }

    fn npm_is_current(&self, dir: &Path, label: &str) -> Result<bool, DevnetError> {
        if !dir.join("node_modules").is_dir() {
            return Ok(false);
        }
        let want = lock_hash(dir)?;
        Ok(fs::read_to_string(self.npm_stamp(label)).is_ok_and(|have| have.trim() == want))
    }

    fn npm_install(&self, dir: &Path, label: &str) -> Result<(), DevnetError> {
        let want = lock_hash(dir)?;
        // An install made by hand (or before stamps existed) is adopted when every pinned dependency is
        // present at its pinned version: `npm ci` would delete node_modules under other running processes.
        if dir.join("node_modules").is_dir()
            && !self.npm_stamp(label).exists()
            && pinned_deps_installed(dir)?
        {
            return write_atomic(&self.npm_stamp(label), want.as_bytes());
        }
        eprintln!(
            "devnet: installing the pinned npm packages in {} (first use)",
            dir.display()
        );
        let ci = run_captured(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(dir),
        );
        match ci {
            Ok(_) => {}
            // npm leaves optional platform packages that were never published (e.g. the darwin/win builds
            // of msgpackr-extract 3.0.7 under alto) out of the lock file, and `npm ci` then calls that same
            // lock file out of sync. `npm install --no-save` installs exactly the locked versions without
            // rewriting the lock; the lock hash is checked to be sure.
            Err(DevnetError::Command { detail, .. }) if detail.contains("EUSAGE") => {
                run_captured(
                    Command::new("npm")
                        .args(["install", "--no-save", "--no-audit", "--no-fund"])
                        .current_dir(dir),
                )?;
                if lock_hash(dir)? != want {
                    return Err(DevnetError::Command {
                        command: format!("npm install --no-save (in {})", dir.display()),
                        detail: "it changed package-lock.json; the lock file needs regenerating"
                            .into(),
                    });
                }
            }
            Err(e) => return Err(e),
        }
        write_atomic(&self.npm_stamp(label), want.as_bytes())
    }

    // ---- binaries ----------------------------------------------------------------------------------------

    fn check_platform_binaries(&self) -> Result<(), DevnetError> {
        for (tool, path) in [
            ("forge", &self.forge),
            ("anvil", &self.anvil),
            ("cast", &self.cast),
        ] {
            if !path.is_file() {
                return Err(DevnetError::Tool {
                    tool: tool.into(),
                    path: path.clone(),
                    reason: format!(
                        "missing; the pinned package @foundry-rs/{tool}-linux-amd64 only exists for Linux x86-64 \
                         (this machine: {}-{}); check `npm ci` in tools/",
                        std::env::consts::OS,
                        std::env::consts::ARCH
                    ),
                });
            }
        }
        Ok(())
    }

    fn check_versions(&self) -> Result<ToolVersions, DevnetError> {
        let first_line = |tool: &str, path: &Path| -> Result<String, DevnetError> {
            let output = run_captured(Command::new(path).arg("--version"))?;
            let text = String::from_utf8_lossy(&output.stdout);
            let line = text.lines().next().unwrap_or_default().trim().to_string();
            if !line.contains(FOUNDRY_VERSION) {
                return Err(DevnetError::Tool {
                    tool: tool.into(),
                    path: path.to_path_buf(),
                    reason: format!(
                        "expected version {FOUNDRY_VERSION}, `--version` printed {line:?}"
                    ),
                });
            }
            Ok(line)
        };
        let forge = first_line("forge", &self.forge)?;
        let anvil = first_line("anvil", &self.anvil)?;
        let cast = first_line("cast", &self.cast)?;
        let output = run_captured(Command::new(&self.solc_shim).arg("--version"))?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let expected = format!("Version: {SOLC_VERSION}.Linux.g++");
        let mut lines = text.lines();
        if lines.next() != Some("solc, the solidity compiler commandline interface")
            || lines.next() != Some(&expected)
        {
            return Err(DevnetError::Tool {
                tool: "solc".into(),
                path: self.solc_shim.clone(),
                reason: format!(
                    "shim `--version` printed {text:?}, expected the two solc lines with {expected:?}"
                ),
            });
        }
        Ok(ToolVersions {
            forge,
            anvil,
            cast,
            solc: expected,
        })
    }

    /// Size and modification time of everything `check_versions` ran, so a reinstall re-runs the checks.
    fn binary_fingerprint(&self) -> Vec<String> {
        [
            &self.forge,
            &self.anvil,
            &self.cast,
            &self.solc_shim,
            &self.solc_package.join("package.json"),
        ]
        .iter()
        .map(|path| match fs::metadata(path) {
            Ok(meta) => {
                let mtime = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{} {} {mtime}", path.display(), meta.len())
            }
            Err(_) => format!("{} missing", path.display()),
        })
        .collect()
    }

    fn read_version_stamp(&self) -> Option<VersionStamp> {
        let bytes = fs::read(self.stamps_dir.join("versions.json")).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    // ---- modulekit ---------------------------------------------------------------------------------------

    fn modulekit_is_current(&self) -> bool {
        fs::read_to_string(self.stamps_dir.join("modulekit"))
            .is_ok_and(|s| s.trim() == MODULEKIT_INTEGRITY)
            && MODULEKIT_PRECOMPILES
                .iter()
                .all(|file| self.modulekit_dir.join(file).is_file())
    }

    fn install_modulekit(&self) -> Result<(), DevnetError> {
        let staging = self
            .cache_dir
            .join(format!("modulekit.staging.{}", std::process::id()));
        remove_dir_if_exists(&staging)?;
        mkdir(&staging)?;
        let spec = format!("@rhinestone/modulekit@{MODULEKIT_VERSION}");
        // `npm pack`, not `npm install`: modulekit's package.json has github: dependencies.
        let output = run_captured(
            Command::new("npm")
                .args(["pack", &spec, "--json", "--pack-destination"])
                .arg(&staging),
        )?;
        let packed: serde_json::Value =
            serde_json::from_slice(&output.stdout).map_err(|e| DevnetError::Command {
                command: format!("npm pack {spec} --json"),
                detail: format!("unreadable JSON output: {e}"),
            })?;
        let entry = &packed[0];
        let integrity = entry["integrity"].as_str().unwrap_or_default();
        if integrity != MODULEKIT_INTEGRITY {
            return Err(DevnetError::Command {
                command: format!("npm pack {spec}"),
                detail: format!(
                    "tarball integrity {integrity:?} differs from the pinned {MODULEKIT_INTEGRITY:?}"
                ),
            });
        }
        let filename = entry["filename"]
            .as_str()
            .unwrap_or("rhinestone-modulekit-0.5.9.tgz");
        let tarball = staging.join(filename);
        run_captured(
            Command::new("tar")
                .arg("-xzf")
                .arg(&tarball)
                .arg("-C")
                .arg(&staging),
        )?;
        remove_dir_if_exists(&self.modulekit_dir)?;
        let unpacked = staging.join("package");
        fs::rename(&unpacked, &self.modulekit_dir)
            .map_err(io_err("move unpacked modulekit", &unpacked))?;
        remove_dir_if_exists(&staging)?;
        write_atomic(
            &self.stamps_dir.join("modulekit"),
            MODULEKIT_INTEGRITY.as_bytes(),
        )
    }

    // ---- solc shim ---------------------------------------------------------------------------------------

    fn shim_source(&self) -> String {
        let solc = serde_json::to_string(&self.solc_package.display().to_string())
            .expect("string serialises");
        SHIM_TEMPLATE.replace("__SOLC_PACKAGE__", &solc)
    }

    fn shim_is_current(&self) -> bool {
        fs::read_to_string(&self.solc_shim).is_ok_and(|have| have == self.shim_source())
            && self.solc_package.join("package.json").is_file()
    }

    fn write_shim(&self) -> Result<(), DevnetError> {
        if !self.solc_package.join("package.json").is_file() {
            return Err(DevnetError::Tool {
                tool: "solc".into(),
                path: self.solc_package.clone(),
                reason: "the solc-js package is not installed; check `npm ci` in tools/".into(),
            });
        }
        mkdir(self.solc_shim.parent().expect("shim has a parent"))?;
        write_atomic_with_mode(&self.solc_shim, self.shim_source().as_bytes(), 0o755)
    }
}

/// The solc command-line stand-in forge runs via `--use`: `--version` prints what a native solc prints;
/// `--standard-json` compiles stdin with solc-js and writes the result to stdout.
const SHIM_TEMPLATE: &str = r#"#!/usr/bin/env node
// Generated by nexus_sessions_devnet::Toolchain::ensure; do not edit. A solc command-line stand-in wrapping solc-js.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(__SOLC_PACKAGE__);

const args = process.argv.slice(2);
if (args.includes('--version')) {
  const version = solc.version().replace('Emscripten.clang', 'Linux.g++');
  process.stdout.write('solc, the solidity compiler commandline interface\nVersion: ' + version + '\n');
} else if (args.includes('--standard-json')) {
  // Imports resolve against the directory forge starts us in (the project root), then any given paths.
  const roots = [process.cwd()];
  for (let i = 0; i + 1 < args.length; i++) {
    if (args[i] === '--base-path' || args[i] === '--include-path') roots.push(path.resolve(args[i + 1]));
  }
  const findImports = (wanted) => {
    for (const root of roots) {
      try {
        return { contents: fs.readFileSync(path.resolve(root, wanted), 'utf8') };
      } catch (_) {}
    }
    return { error: 'File not found: ' + wanted };
  };
  const chunks = [];
  process.stdin.on('data', (chunk) => chunks.push(chunk));
  process.stdin.on('end', () => {
    const output = solc.compile(Buffer.concat(chunks).toString('utf8'), { import: findImports });
    process.stdout.write(output);
  });
} else {
  process.stderr.write('solc shim: only --version and --standard-json are supported\n');
  process.exitCode = 2;
}
"#;

/// Extracts the hex literal of `bytes [visibility] constant NAME = hex"…"` from Solidity source.
///
/// `Ok(None)` when the constant is not declared; `Err` when it is declared but its literal is malformed.
pub(crate) fn extract_hex_constant(source: &str, name: &str) -> Result<Option<Vec<u8>>, String> {
    let needle = format!("constant {name}");
    let mut search_from = 0;
    while let Some(found) = source[search_from..].find(&needle) {
        let after_name = search_from + found + needle.len();
        search_from = after_name;
        let rest = &source[after_name..];
        // `constant NAME` must not be a prefix of a longer identifier such as NAME_2.
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix("hex\"") else {
            return Err("the initialiser is not a hex\"…\" literal".into());
        };
        let end = rest.find('"').ok_or("unterminated hex literal")?;
        let literal = &rest[..end];
        if literal.is_empty() {
            return Err("empty hex literal".into());
        }
        return hex::decode(literal)
            .map(Some)
            .map_err(|e| format!("invalid hex literal: {e}"));
    }
    Ok(None)
}

/// The keccak-256 of a directory's `package-lock.json`, as hex.
fn lock_hash(dir: &Path) -> Result<String, DevnetError> {
    let lock = dir.join("package-lock.json");
    let bytes = fs::read(&lock).map_err(io_err("read", &lock))?;
    Ok(hex::encode(keccak256(bytes)))
}

/// True when every dependency in `package.json` is installed in `node_modules` at exactly its pinned version.
fn pinned_deps_installed(dir: &Path) -> Result<bool, DevnetError> {
    let manifest = dir.join("package.json");
    let bytes = fs::read(&manifest).map_err(io_err("read", &manifest))?;
    let manifest: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| DevnetError::Tool {
            tool: "npm".into(),
            path: manifest.clone(),
            reason: e.to_string(),
        })?;
    let Some(deps) = manifest["dependencies"].as_object() else {
        return Ok(false);
    };
    Ok(deps.iter().all(|(name, pinned)| {
        let installed = dir.join("node_modules").join(name).join("package.json");
        fs::read(installed)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .is_some_and(|pkg| {
                pkg["version"].as_str().is_some() && pkg["version"].as_str() == pinned.as_str()
            })
    }))
}

/// Runs a command with captured output; a failure names the command and carries the tail of its output.
pub(crate) fn run_captured(command: &mut Command) -> Result<Output, DevnetError> {
    let line = describe(command);
    let output = command.output().map_err(|e| DevnetError::Command {
        command: line.clone(),
        detail: format!("could not start it: {e} (is it installed and on PATH?)"),
    })?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(DevnetError::Command {
            command: line,
            detail: format!("{}\n{}", output.status, output_tail(&output)),
        })
    }
}

/// The first and last lines of a command's stdout and stderr, with the middle elided.
pub(crate) fn output_tail(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= OUTPUT_HEAD_LINES + OUTPUT_TAIL_LINES {
        return lines.join("\n");
    }
    let skipped = lines.len() - OUTPUT_HEAD_LINES - OUTPUT_TAIL_LINES;
    format!(
        "{}\n[… {skipped} lines …]\n{}",
        lines[..OUTPUT_HEAD_LINES].join("\n"),
        lines[lines.len() - OUTPUT_TAIL_LINES..].join("\n")
    )
}

/// A command line for messages (program, arguments and working directory).
pub(crate) fn describe(command: &Command) -> String {
    let mut line = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    if let Some(dir) = command.get_current_dir() {
        line.push_str(&format!(" (in {})", dir.display()));
    }
    line
}

pub(crate) fn io_err<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> DevnetError + 'a {
    move |source| DevnetError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

fn mkdir(dir: &Path) -> Result<(), DevnetError> {
    fs::create_dir_all(dir).map_err(io_err("create directory", dir))
}

fn remove_dir_if_exists(dir: &Path) -> Result<(), DevnetError> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(io_err("remove directory", dir)(e))
        }
        _ => Ok(()),
    }
}

/// Writes a file by renaming a sibling temporary file over it, so readers never see half a file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DevnetError> {
    write_atomic_with_mode(path, bytes, 0o644)
}

fn write_atomic_with_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<(), DevnetError> {
    use std::os::unix::fs::PermissionsExt;
    let file_name = path
        .file_name()
        .unwrap_or(OsStr::new("file"))
        .to_string_lossy();
    let tmp = path.with_file_name(format!(".{file_name}.tmp.{}", std::process::id()));
    let mut file = fs::File::create(&tmp).map_err(io_err("create", &tmp))?;
    file.write_all(bytes).map_err(io_err("write", &tmp))?;
    file.set_permissions(fs::Permissions::from_mode(mode))
        .map_err(io_err("set permissions of", &tmp))?;
    file.sync_all().map_err(io_err("sync", &tmp))?;
    drop(file);
    fs::rename(&tmp, path).map_err(io_err("rename into place", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_constants_with_and_without_visibility() {
        let source = r#"
            bytes public constant A_BYTECODE_2 = hex"ff";
            bytes public constant A_BYTECODE =
                hex"60806040";
            bytes constant B = hex"00";
        "#;
        assert_eq!(
            extract_hex_constant(source, "A_BYTECODE").unwrap(),
            Some(vec![0x60, 0x80, 0x60, 0x40])
        );
        assert_eq!(
            extract_hex_constant(source, "A_BYTECODE_2").unwrap(),
            Some(vec![0xff])
        );
        assert_eq!(extract_hex_constant(source, "B").unwrap(), Some(vec![0]));
        assert_eq!(extract_hex_constant(source, "C").unwrap(), None);
    }

    #[test]
    fn malformed_literals_are_errors() {
        assert!(extract_hex_constant(r#"bytes constant X = hex"6"; "#, "X").is_err());
        assert!(extract_hex_constant(r#"bytes constant X = hex"zz"; "#, "X").is_err());
        assert!(extract_hex_constant(r#"bytes constant X = hex""; "#, "X").is_err());
        assert!(extract_hex_constant(r#"bytes constant X = hex"00"#, "X").is_err());
        assert!(extract_hex_constant(r#"bytes constant X = abi.encode(1);"#, "X").is_err());
    }

    #[test]
    fn output_tail_keeps_the_first_and_last_lines() {
        use std::os::unix::process::ExitStatusExt;
        let stdout: String = (0..100).map(|i| format!("line {i}\n")).collect();
        let output = Output {
            status: std::process::ExitStatus::from_raw(256),
            stdout: stdout.into_bytes(),
            stderr: b"boom\n".to_vec(),
        };
        let tail = output_tail(&output);
        assert_eq!(
            tail.lines().count(),
            OUTPUT_HEAD_LINES + 1 + OUTPUT_TAIL_LINES
        );
        assert!(tail.starts_with("line 0\n"));
        assert!(tail.contains("[… 63 lines …]"));
        assert!(tail.ends_with("boom"));
        assert!(!tail.contains("line 8\n"));
    }
}
