//! Building the Solidity fixtures in `contracts/` with forge and reading their artifacts.
//!
//! [`Fixtures::build`] runs `forge build --use <solc shim> --offline --skip test` only when the fixture
//! sources changed since the last successful build (a content hash kept in `.cache/stamps/fixtures`), so it is
//! a cheap no-op for every test binary after the first. Builds and `forge test` runs are serialised with a lock file.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use alloy_primitives::{hex, keccak256};

use crate::{
    DevnetError, Toolchain,
    toolchain::{describe, io_err, run_captured, write_atomic},
};

/// The project's fixture contracts (sources in `contracts/src`).
pub const FIXTURE_CONTRACTS: [&str; 13] = [
    "Counter",
    "TestToken",
    "EcdsaValidator",
    "OwnableSessionValidator",
    "RawHashSessionValidator",
    "SudoPolicy",
    "UniversalActionPolicy",
    "TimeFramePolicy",
    "UsageLimitPolicy",
    "ValueLimitPolicy",
    "SpendingLimitPolicy",
    "TestRegistry",
    "VerifyingPaymaster",
];

/// Built fixture artifacts (forge's `contracts/out`).
///
/// ```no_run
/// let tc = nexus_sessions_devnet::Toolchain::ensure()?;
/// let fixtures = nexus_sessions_devnet::Fixtures::build(&tc)?;
/// let counter = fixtures.creation_code("Counter")?;
/// assert!(!counter.is_empty());
/// # Ok::<(), nexus_sessions_devnet::DevnetError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Fixtures {
    out_dir: PathBuf,
}

impl Fixtures {
    /// Builds `contracts/` with forge (offline, through the solc shim) unless it is already up to date.
    pub fn build(tc: &Toolchain) -> Result<Self, DevnetError> {
        let project = FoundryProject::new(tc);
        let fixtures = Self {
            out_dir: project.dir.join("out"),
        };
        if project.is_built()? {
            return Ok(fixtures);
        }
        let _lock = project.lock()?;
        if !project.is_built()? {
            let hash = project.source_hash()?;
            // Test files are left to `forge test`: the devnet only needs `src/`, and this keeps a cold
            // build at about a third of the time.
            run_captured(project.forge(tc, "build").args(["--skip", "test"]))?;
            write_atomic(&project.stamp, hash.as_bytes())?;
        }
        Ok(fixtures)
    }

    /// Runs the Foundry tests (`forge test`, offline, through the solc shim) with the output going to this
    /// process's stdout/stderr; `extra_args` are passed on (e.g. `-vvv`, `--match-test x`).
    pub fn test(tc: &Toolchain, extra_args: &[String]) -> Result<(), DevnetError> {
        let project = FoundryProject::new(tc);
        let _lock = project.lock()?;
        let mut command = project.forge(tc, "test");
        command.args(extra_args);
        let status = command.status().map_err(|e| DevnetError::Command {
            command: describe(&command),
            detail: format!("could not start it: {e}"),
        })?;
        if status.success() {
            Ok(())
        } else {
            Err(DevnetError::Command {
                command: describe(&command),
                detail: format!("{status}; see its output above"),
            })
        }
    }

    /// The creation code (`bytecode.object`) of a contract.
    pub fn creation_code(&self, contract: &str) -> Result<Vec<u8>, DevnetError> {
        self.read_bytecode(contract, "bytecode")
    }

    /// The runtime code (`deployedBytecode.object`) of a contract, e.g. for `anvil_setCode`.
    pub fn runtime_code(&self, contract: &str) -> Result<Vec<u8>, DevnetError> {
        self.read_bytecode(contract, "deployedBytecode")
    }

    /// The artifact file of a contract: `contracts/out/<Name>.sol/<Name>.json`.
    pub fn artifact_path(&self, contract: &str) -> PathBuf {
        self.out_dir
            .join(format!("{contract}.sol"))
            .join(format!("{contract}.json"))
    }

    fn read_bytecode(&self, contract: &str, field: &str) -> Result<Vec<u8>, DevnetError> {
        let path = self.artifact_path(contract);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(DevnetError::MissingContract {
                    contract: contract.into(),
                    path,
                });
            }
            Err(e) => return Err(io_err("read", &path)(e)),
        };
        parse_artifact_bytecode(&bytes, field)
            .map_err(|reason| DevnetError::Artifact { path, reason })
    }
}

/// Reads `<field>.object` from a forge artifact as bytes.
fn parse_artifact_bytecode(artifact: &[u8], field: &str) -> Result<Vec<u8>, String> {
    let json: serde_json::Value =
        serde_json::from_slice(artifact).map_err(|e| format!("not JSON: {e}"))?;
    let object = json
        .get(field)
        .and_then(|f| f.get("object"))
        .and_then(|o| o.as_str())
        .ok_or_else(|| format!("no string at `{field}.object`"))?;
    if object.contains("__$") {
        return Err(format!(
            "`{field}.object` has unlinked library placeholders"
        ));
    }
    let code = hex::decode(object).map_err(|e| format!("`{field}.object` is not hex: {e}"))?;
    if code.is_empty() {
        return Err(format!(
            "`{field}.object` is empty (abstract contract or interface?)"
        ));
    }
    Ok(code)
}

/// The `contracts/` Foundry project and its build stamp.
#[derive(Debug)]
struct FoundryProject {
    dir: PathBuf,
    stamp: PathBuf,
    lock_path: PathBuf,
    /// Inputs besides the sources that change the build: the shim and the pinned npm packages.
    extra_inputs: Vec<PathBuf>,
}

impl FoundryProject {
    fn new(tc: &Toolchain) -> Self {
        Self {
            dir: tc.contracts_dir(),
            stamp: tc.cache_dir.join("stamps").join("fixtures"),
            lock_path: tc.cache_dir.join("fixtures.lock"),
            extra_inputs: vec![
                tc.solc_shim.clone(),
                tc.repo_root.join("tools").join("package-lock.json"),
            ],
        }
    }

    fn forge(&self, tc: &Toolchain, subcommand: &str) -> Command {
        let mut command = Command::new(&tc.forge);
        command
            .arg(subcommand)
            .arg("--use")
            .arg(&tc.solc_shim)
            .arg("--offline")
            .current_dir(&self.dir);
        command
    }

    fn lock(&self) -> Result<fs::File, DevnetError> {
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .map_err(io_err("open lock file", &self.lock_path))?;
        file.lock().map_err(io_err("lock", &self.lock_path))?;
        Ok(file)
    }

    /// True when the stamp matches the current sources and every fixture artifact exists.
    fn is_built(&self) -> Result<bool, DevnetError> {
        let Ok(stamp) = fs::read_to_string(&self.stamp) else {
            return Ok(false);
        };
        if stamp.trim() != self.source_hash()? {
            return Ok(false);
        }
        Ok(FIXTURE_CONTRACTS.iter().all(|name| {
            self.dir
                .join("out")
                .join(format!("{name}.sol"))
                .join(format!("{name}.json"))
                .is_file()
        }))
    }

    /// keccak-256 over every build input: `foundry.toml`, the `.sol` files under `src/` (path and content, in
    /// sorted order) and the extra inputs.
    fn source_hash(&self) -> Result<String, DevnetError> {
        let mut files = vec![self.dir.join("foundry.toml")];
        collect_sol_files(&self.dir.join("src"), &mut files)?;
        files.sort();
        files.extend(self.extra_inputs.iter().cloned());
        let mut material = Vec::new();
        for file in &files {
            let content = fs::read(file).map_err(io_err("read", file))?;
            material.extend_from_slice(file.to_string_lossy().as_bytes());
            material.push(0);
            material.extend_from_slice(keccak256(&content).as_slice());
        }
        Ok(hex::encode(keccak256(&material)))
    }
}

fn collect_sol_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), DevnetError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err("list directory", dir)(e)),
    };
    for entry in entries {
        let path = entry.map_err(io_err("list directory", dir))?.path();
        if path.is_dir() {
            collect_sol_files(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "sol") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_artifact_bytecode;

    #[test]
    fn reads_bytecode_objects() {
        let artifact = br#"{"bytecode":{"object":"0x6080"},"deployedBytecode":{"object":"0x00"}}"#;
        assert_eq!(
            parse_artifact_bytecode(artifact, "bytecode").unwrap(),
            vec![0x60, 0x80]
        );
        assert_eq!(
            parse_artifact_bytecode(artifact, "deployedBytecode").unwrap(),
            vec![0x00]
        );
    }

    #[test]
    fn rejects_malformed_artifacts() {
        assert!(parse_artifact_bytecode(b"not json", "bytecode").is_err());
        assert!(parse_artifact_bytecode(br#"{"bytecode":{}}"#, "bytecode").is_err());
        assert!(parse_artifact_bytecode(br#"{"bytecode":{"object":"0x"}}"#, "bytecode").is_err());
        assert!(parse_artifact_bytecode(br#"{"bytecode":{"object":"0xzz"}}"#, "bytecode").is_err());
        let linked = br#"{"bytecode":{"object":"0x60__$abcdef$__"}}"#;
        assert!(
            parse_artifact_bytecode(linked, "bytecode")
                .unwrap_err()
                .contains("unlinked")
        );
    }
}
