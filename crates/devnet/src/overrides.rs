//! The override manifest: replace any replaceable devnet contract with other bytecode, so the same test
//! suites run unchanged against other builds (for example another SmartSession version).
//!
//! # Format
//!
//! A JSON object. Each key names a contract (the snake_case field names of
//! [`DevnetAddresses`](crate::DevnetAddresses)); each value says which bytecode to place and how:
//!
//! ```json
//! {
//!   "smart_session": {
//!     "module_version": "v1-registry-free",
//!     "runtime_code_file": "SmartSession.json",
//!     "address": "0x00000000008bDABA73cD9815d79069c247Eb4bDA"
//!   },
//!   "registry": { "runtime_code": "0x00" },
//!   "sudo_policy": { "creation_code": "0x6080…", "constructor_args": "0x" },
//!   "session_validator": { "creation_code_file": "out/OwnableValidator.sol/OwnableValidator.json" }
//! }
//! ```
//!
//! Keys that can be overridden: `smart_session`, `registry`, `account_validator`, `session_validator`,
//! `counter`, `token`, `sudo_policy`, `universal_action_policy`, `time_frame_policy`, `usage_limit_policy`,
//! `value_limit_policy`, `spending_limits_policy`. The EntryPoint and the Nexus contracts are the frame
//! every account address depends on and cannot be replaced.
//!
//! Per contract, exactly one bytecode source:
//!
//! | field | meaning |
//! |---|---|
//! | `runtime_code` / `runtime_code_file` | runtime code, **etched** with `anvil_setCode` (no constructor runs) |
//! | `creation_code` / `creation_code_file` | creation code, **deployed** with CREATE from the deployer key |
//! | `constructor_args` | ABI-encoded constructor arguments appended to the creation code (creation only) |
//! | `address` | where to etch runtime code (runtime only); default: the contract's usual address, for `smart_session` the canonical address of its `module_version` |
//! | `module_version` | `smart_session` only, required: `"pre-v1"`, `"v1"` or `"v1-registry-free"` |
//!
//! Bytecode is `0x`-hex. A `*_file` path is relative to the manifest's directory and holds either hex
//! text or a Foundry / Hardhat JSON artifact (`bytecode.object` / `deployedBytecode.object`, or the plain
//! `bytecode` / `deployedBytecode` strings).
//!
//! Addresses: a CREATE-deployed contract keeps its usual address whatever its bytecode (the deployer's
//! nonce sequence is fixed, and a nonce whose contract is etched instead is consumed by an empty
//! transaction). A normally etched contract (`smart_session`, `registry`) given creation code is deployed
//! with CREATE after all the others and lives at that CREATE address.
//!
//! The manifest is read from the file named by the environment variable `DEVNET_OVERRIDES` when
//! [`Devnet::start`](crate::Devnet::start) runs, or passed to
//! [`DevnetBuilder::overrides`](crate::DevnetBuilder::overrides).

use crate::{DevnetContract, DevnetError, ModuleVersion};
use alloy_primitives::{Address, Bytes, hex};
use serde::Deserialize;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

/// The environment variable naming the override manifest file.
pub const OVERRIDES_ENV: &str = "DEVNET_OVERRIDES";

/// The contracts the manifest may replace.
pub const OVERRIDABLE: [DevnetContract; 12] = [
    DevnetContract::SmartSession,
    DevnetContract::Registry,
    DevnetContract::AccountValidator,
    DevnetContract::SessionValidator,
    DevnetContract::Counter,
    DevnetContract::Token,
    DevnetContract::SudoPolicy,
    DevnetContract::UniversalActionPolicy,
    DevnetContract::TimeFramePolicy,
    DevnetContract::UsageLimitPolicy,
    DevnetContract::ValueLimitPolicy,
    DevnetContract::SpendingLimitsPolicy,
];

/// How one contract's replacement bytecode is placed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContractOverride {
    /// Etch runtime code with `anvil_setCode`.
    Runtime {
        /// The runtime code.
        code: Bytes,
        /// Where to etch it; `None` = the contract's usual address (for the SmartSession: the canonical
        /// address of the declared module version).
        address: Option<Address>,
    },
    /// Deploy with CREATE from the deployer.
    Creation {
        /// Creation code followed by the ABI-encoded constructor arguments.
        init_code: Bytes,
    },
}

/// A validated override manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverrideManifest {
    contracts: BTreeMap<DevnetContract, ContractOverride>,
    module_version: Option<ModuleVersion>,
    source: Option<PathBuf>,
}

/// One manifest entry as written (before validation).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    runtime_code: Option<String>,
    runtime_code_file: Option<PathBuf>,
    creation_code: Option<String>,
    creation_code_file: Option<PathBuf>,
    constructor_args: Option<String>,
    address: Option<Address>,
    module_version: Option<String>,
}

impl OverrideManifest {
    /// An empty manifest (no overrides).
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the manifest named by `DEVNET_OVERRIDES`, or returns `None` when the variable is unset or
    /// empty.
    pub fn from_env() -> Result<Option<Self>, DevnetError> {
        match std::env::var_os(OVERRIDES_ENV) {
            Some(path) if !path.is_empty() => Self::from_file(Path::new(&path)).map(Some),
            _ => Ok(None),
        }
    }

    /// Reads and validates a manifest file; `*_file` paths resolve against its directory.
    pub fn from_file(path: &Path) -> Result<Self, DevnetError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| invalid(path, "", format!("cannot read the file: {e}")))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut manifest = Self::from_json_str(&text, base).map_err(|e| match e {
            DevnetError::InvalidOverrides { entry, detail, .. } => DevnetError::InvalidOverrides {
                manifest: path.to_path_buf(),
                entry,
                detail,
            },
            other => other,
        })?;
        manifest.source = Some(path.to_path_buf());
        Ok(manifest)
    }

    /// Parses and validates manifest JSON; `*_file` paths resolve against `base_dir`.
    pub fn from_json_str(json: &str, base_dir: &Path) -> Result<Self, DevnetError> {
        let top: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
            .map_err(|e| invalid(Path::new("<json>"), "", format!("not a JSON object: {e}")))?;
        let mut manifest = Self::new();
        for (key, value) in top {
            let Some(contract) =
                DevnetContract::from_name(&key).filter(|c| OVERRIDABLE.contains(c))
            else {
                let allowed: Vec<_> = OVERRIDABLE.iter().map(|c| c.name()).collect();
                return Err(invalid(
                    Path::new("<json>"),
                    &key,
                    format!(
                        "unknown or non-overridable contract; expected one of: {}",
                        allowed.join(", ")
                    ),
                ));
            };
            let raw: RawEntry = serde_json::from_value(value)
                .map_err(|e| invalid(Path::new("<json>"), &key, e.to_string()))?;
            let (entry, version) = validate(contract, raw, base_dir)
                .map_err(|detail| invalid(Path::new("<json>"), &key, detail))?;
            if let Some(v) = version {
                manifest.module_version = Some(v);
            }
            manifest.contracts.insert(contract, entry);
        }
        manifest.check_addresses()?;
        Ok(manifest)
    }

    /// Adds or replaces one contract's override (programmatic use). A SmartSession override needs
    /// [`OverrideManifest::with_module_version`] as well.
    pub fn with_contract(
        mut self,
        contract: DevnetContract,
        entry: ContractOverride,
    ) -> Result<Self, DevnetError> {
        if !OVERRIDABLE.contains(&contract) {
            return Err(invalid(
                Path::new("<builder>"),
                contract.name(),
                "this contract cannot be overridden".into(),
            ));
        }
        self.contracts.insert(contract, entry);
        self.check_addresses()?;
        Ok(self)
    }

    /// Declares which SmartSession version the `smart_session` override is.
    pub fn with_module_version(mut self, version: ModuleVersion) -> Self {
        self.module_version = Some(version);
        self
    }

    /// The override for one contract, if any.
    pub fn get(&self, contract: DevnetContract) -> Option<&ContractOverride> {
        self.contracts.get(&contract)
    }

    /// Whether the manifest overrides nothing.
    pub fn is_empty(&self) -> bool {
        self.contracts.is_empty()
    }

    /// The SmartSession version declared with the `smart_session` override.
    pub fn module_version(&self) -> Option<ModuleVersion> {
        self.module_version
    }

    /// The file the manifest was read from, if any.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// Cross-entry checks: the SmartSession version is declared, etch addresses are distinct and not
    /// reserved.
    pub(crate) fn check_addresses(&self) -> Result<(), DevnetError> {
        let here = self
            .source
            .clone()
            .unwrap_or_else(|| PathBuf::from("<json>"));
        if self.contracts.contains_key(&DevnetContract::SmartSession)
            && self.module_version.is_none()
        {
            return Err(invalid(
                &here,
                "smart_session",
                "`module_version` is required".into(),
            ));
        }
        let mut seen: BTreeMap<Address, DevnetContract> = BTreeMap::new();
        for (contract, entry) in &self.contracts {
            let ContractOverride::Runtime {
                address: Some(address),
                ..
            } = entry
            else {
                continue;
            };
            if *address == Address::ZERO || address.0[..19].iter().all(|b| *b == 0) {
                return Err(invalid(
                    &here,
                    contract.name(),
                    format!("address {address} is zero or a precompile"),
                ));
            }
            if [crate::ENTRY_POINT_V07, crate::DETERMINISTIC_DEPLOYER].contains(address) {
                return Err(invalid(
                    &here,
                    contract.name(),
                    format!("address {address} is reserved"),
                ));
            }
            if let Some(other) = seen.insert(*address, *contract) {
                return Err(invalid(
                    &here,
                    contract.name(),
                    format!("address {address} is also used by `{other}`"),
                ));
            }
        }
        Ok(())
    }
}

fn invalid(manifest: &Path, entry: &str, detail: String) -> DevnetError {
    DevnetError::InvalidOverrides {
        manifest: manifest.to_path_buf(),
        entry: entry.to_string(),
        detail,
    }
}

fn validate(
    contract: DevnetContract,
    raw: RawEntry,
    base: &Path,
) -> Result<(ContractOverride, Option<ModuleVersion>), String> {
    let version = match (&raw.module_version, contract) {
        (Some(v), DevnetContract::SmartSession) => Some(
            v.parse::<ModuleVersion>()
                .map_err(|e| format!("module_version: {e}"))?,
        ),
        (None, DevnetContract::SmartSession) => return Err("`module_version` is required".into()),
        (Some(_), _) => return Err("`module_version` is only allowed on `smart_session`".into()),
        (None, _) => None,
    };
    let sources = [
        raw.runtime_code.is_some(),
        raw.runtime_code_file.is_some(),
        raw.creation_code.is_some(),
        raw.creation_code_file.is_some(),
    ];
    if sources.iter().filter(|s| **s).count() != 1 {
        return Err("give exactly one of `runtime_code`, `runtime_code_file`, `creation_code`, `creation_code_file`".into());
    }
    let entry = if raw.runtime_code.is_some() || raw.runtime_code_file.is_some() {
        if raw.constructor_args.is_some() {
            return Err("`constructor_args` needs creation code, not runtime code".into());
        }
        let code = match (raw.runtime_code, raw.runtime_code_file) {
            (Some(hex), _) => parse_hex("runtime_code", &hex)?,
            (_, Some(file)) => read_code_file(&base.join(file), ArtifactPart::Runtime)?,
            _ => unreachable!("checked above"),
        };
        ContractOverride::Runtime {
            code,
            address: raw.address,
        }
    } else {
        if raw.address.is_some() {
            return Err("`address` applies to runtime code only (CREATE decides the address of creation code)".into());
        }
        let mut init = match (raw.creation_code, raw.creation_code_file) {
            (Some(hex), _) => parse_hex("creation_code", &hex)?.to_vec(),
            (_, Some(file)) => read_code_file(&base.join(file), ArtifactPart::Creation)?.to_vec(),
            _ => unreachable!("checked above"),
        };
        if let Some(args) = raw.constructor_args {
            init.extend_from_slice(&parse_hex_allow_empty("constructor_args", &args)?);
        }
        ContractOverride::Creation {
            init_code: init.into(),
        }
    };
    Ok((entry, version))
}

fn parse_hex_allow_empty(field: &str, text: &str) -> Result<Bytes, String> {
    let trimmed = text.trim();
    let body = trimmed.strip_prefix("0x").unwrap_or(trimmed);
    hex::decode(body)
        .map(Bytes::from)
        .map_err(|e| format!("`{field}` is not valid hex: {e}"))
}

fn parse_hex(field: &str, text: &str) -> Result<Bytes, String> {
    let bytes = parse_hex_allow_empty(field, text)?;
    if bytes.is_empty() {
        return Err(format!("`{field}` is empty"));
    }
    Ok(bytes)
}

#[derive(Clone, Copy)]
enum ArtifactPart {
    Creation,
    Runtime,
}

/// Reads hex text or a Foundry/Hardhat JSON artifact.
fn read_code_file(path: &Path, part: ArtifactPart) -> Result<Bytes, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let field = match part {
        ArtifactPart::Creation => "bytecode",
        ArtifactPart::Runtime => "deployedBytecode",
    };
    if text.trim_start().starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not valid JSON: {e}", path.display()))?;
        let value = match &json[field] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Object(o) => match o.get("object") {
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => {
                    return Err(format!(
                        "{}: `{field}.object` is missing or not a string",
                        path.display()
                    ));
                }
            },
            _ => return Err(format!("{}: artifact has no `{field}`", path.display())),
        };
        if value.contains("__$") {
            return Err(format!(
                "{}: `{field}` has unlinked library references",
                path.display()
            ));
        }
        parse_hex(field, &value).map_err(|e| format!("{}: {e}", path.display()))
    } else {
        parse_hex("file", &text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<OverrideManifest, String> {
        OverrideManifest::from_json_str(json, Path::new(".")).map_err(|e| e.to_string())
    }

    #[test]
    fn runtime_and_creation_entries() {
        let m = parse(
            r#"{"registry": {"runtime_code": "0x00"},
                "sudo_policy": {"creation_code": "0x6001", "constructor_args": "0x02"},
                "smart_session": {"module_version": "v1", "runtime_code": "0xfe", "address": "0x00000000008bDABA73cD9815d79069c247Eb4bDA"}}"#,
        )
        .unwrap();
        assert_eq!(
            m.get(DevnetContract::Registry),
            Some(&ContractOverride::Runtime {
                code: vec![0u8].into(),
                address: None
            })
        );
        assert_eq!(
            m.get(DevnetContract::SudoPolicy),
            Some(&ContractOverride::Creation {
                init_code: vec![0x60, 0x01, 0x02].into()
            })
        );
        assert_eq!(m.module_version(), Some(ModuleVersion::V1));
        assert!(m.get(DevnetContract::Counter).is_none());
    }

    #[test]
    fn rejects_bad_manifests_with_the_entry_named() {
        let cases = [
            (r#"[]"#, "not a JSON object"),
            (
                r#"{"entry_point": {"runtime_code": "0x00"}}"#,
                "entry_point",
            ),
            (
                r#"{"counterr": {"runtime_code": "0x00"}}"#,
                "expected one of",
            ),
            (r#"{"counter": {}}"#, "exactly one"),
            (
                r#"{"counter": {"runtime_code": "0x00", "creation_code": "0x00"}}"#,
                "exactly one",
            ),
            (r#"{"counter": {"runtime_code": "0xzz"}}"#, "not valid hex"),
            (r#"{"counter": {"runtime_code": "0x"}}"#, "empty"),
            (
                r#"{"counter": {"runtime_code": "0x00", "constructor_args": "0x"}}"#,
                "constructor_args",
            ),
            (
                r#"{"counter": {"creation_code": "0x00", "address": "0x0000000000000000000000000000000000001234"}}"#,
                "runtime code only",
            ),
            (
                r#"{"counter": {"runtime_code": "0x00", "module_version": "v1"}}"#,
                "only allowed",
            ),
            (r#"{"smart_session": {"runtime_code": "0x00"}}"#, "required"),
            (
                r#"{"smart_session": {"runtime_code": "0x00", "module_version": "v2"}}"#,
                "module_version",
            ),
            (
                r#"{"counter": {"runtime_code": "0x00", "adress": "0x00"}}"#,
                "unknown field",
            ),
            (
                r#"{"counter": {"runtime_code": "0x00", "address": "0x0000000000000000000000000000000000000001"}}"#,
                "precompile",
            ),
            (
                r#"{"counter": {"runtime_code": "0x00", "address": "0x0000000071727De22E5E9d8BAf0edAc6f37da032"}}"#,
                "reserved",
            ),
            (
                r#"{"counter": {"runtime_code": "0x00", "address": "0x00000000000000000000000000000000000a1234"},
                    "token": {"runtime_code": "0x00", "address": "0x00000000000000000000000000000000000a1234"}}"#,
                "also used",
            ),
            (
                r#"{"counter": {"runtime_code_file": "does/not/exist.hex"}}"#,
                "cannot read",
            ),
        ];
        for (json, needle) in cases {
            let err = parse(json).expect_err(json);
            assert!(err.contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn reads_hex_files_and_artifacts() {
        let dir =
            std::env::temp_dir().join(format!("devnet-overrides-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("code.hex"), "0xdeadbeef\n").unwrap();
        std::fs::write(
            dir.join("forge.json"),
            r#"{"bytecode":{"object":"0x6000"},"deployedBytecode":{"object":"0x6001"}}"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("hardhat.json"),
            r#"{"bytecode":"0x6002","deployedBytecode":"0x6003"}"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("manifest.json"),
            r#"{"counter": {"runtime_code_file": "code.hex"},
                "token": {"creation_code_file": "forge.json"},
                "registry": {"runtime_code_file": "forge.json"},
                "sudo_policy": {"runtime_code_file": "hardhat.json"}}"#,
        )
        .unwrap();
        let m = OverrideManifest::from_file(&dir.join("manifest.json")).unwrap();
        let runtime = |c| match m.get(c) {
            Some(ContractOverride::Runtime { code, .. }) => code.to_vec(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            runtime(DevnetContract::Counter),
            vec![0xde, 0xad, 0xbe, 0xef]
        );
        assert_eq!(runtime(DevnetContract::Registry), vec![0x60, 0x01]);
        assert_eq!(runtime(DevnetContract::SudoPolicy), vec![0x60, 0x03]);
        assert_eq!(
            m.get(DevnetContract::Token),
            Some(&ContractOverride::Creation {
                init_code: vec![0x60, 0x00].into()
            })
        );
        assert_eq!(m.source(), Some(dir.join("manifest.json").as_path()));
        std::fs::write(dir.join("bad.json"), r#"{"counter": {"runtime_code": 5}}"#).unwrap();
        let err = OverrideManifest::from_file(&dir.join("bad.json"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.json") && err.contains("counter"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
