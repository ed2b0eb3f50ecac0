//! The override manifest: replace any replaceable devnet contract with other bytecode, so the same test
//! suites run unchanged against other builds (another SmartSession version, another Nexus version, the
//! production stack).
//!
//! # Format
//!
//! A JSON object. Each key names a contract (the snake_case field names of
//! [`DevnetAddresses`](crate::DevnetAddresses)), plus `nexus_proxy`; each value says which bytecode to
//! place and how:
//!
//! ```json
//! {
//!   "smart_session": {
//!     "module_version": "v1-registry-free",
//!     "runtime_code_file": "SmartSession.json",
//!     "address": "0x00000000008bDABA73cD9815d79069c247Eb4bDA"
//!   },
//!   "nexus_implementation": {
//!     "nexus_version": "1.2",
//!     "creation_code_file": "Nexus.json",
//!     "constructor_args": "0x…",
//!     "salt": "0x0000000000000000000000000000000000000000f036b687a1f82003988bd953",
//!     "address": "0x000000004F43C49e93C970E84001853a70923B03"
//!   },
//!   "nexus_proxy": { "creation_code_file": "NexusProxy.json" },
//!   "registry": { "runtime_code": "0x00" },
//!   "sudo_policy": { "creation_code": "0x6080…", "constructor_args": "0x" }
//! }
//! ```
//!
//! Keys that can be overridden: `smart_session`, `registry`, `account_validator`, `session_validator`,
//! `raw_hash_session_validator`, `counter`, `token`, `sudo_policy`, `universal_action_policy`,
//! `time_frame_policy`, `usage_limit_policy`, `value_limit_policy`, `spending_limits_policy`, and the
//! Nexus set `nexus_implementation`, `nexus_factory`, `nexus_bootstrap`, `nexus_proxy`. The EntryPoint
//! stays the canonical v0.7.
//!
//! Per contract, exactly one bytecode source:
//!
//! | field | meaning |
//! |---|---|
//! | `runtime_code` / `runtime_code_file` | runtime code, **etched** with `anvil_setCode` (no constructor runs) |
//! | `creation_code` / `creation_code_file` | creation code, **deployed** with CREATE from the deployer key, or with CREATE2 when `salt` is given |
//! | `constructor_args` | ABI-encoded constructor arguments appended to the creation code (creation only) |
//! | `salt` | 32-byte salt: deploy through the deterministic deployment proxy `0x4e59…956C` (CREATE2), so the address is `keccak(0xff ‖ proxy ‖ salt ‖ keccak(creation code ‖ args))` — production addresses are reproduced by byte-identical init code |
//! | `address` | runtime code: where to etch it (default: the contract's usual address, for `smart_session` the canonical address of its `module_version`); CREATE2: the address the deployment must land on (checked when the manifest is read) |
//! | `module_version` | `smart_session` only, required: `"pre-v1"`, `"v1"` or `"v1-registry-free"` |
//! | `nexus_version` | `nexus_implementation` only, required: `"1.0"` (1.0.x, e.g. modulekit's 1.0.1 dev build) or `"1.2"`; checked against the implementation's `accountId()` |
//!
//! The Nexus contracts are replaced as a set: `nexus_implementation`, `nexus_factory`, `nexus_bootstrap`
//! and `nexus_proxy` (the NexusProxy creation code the factory deploys per account, creation code only,
//! never placed; used to compute account addresses offline) all or none. For Nexus 1.2 the
//! `account_validator` entry is required too: it is the default validator baked into the implementation.
//!
//! Bytecode is `0x`-hex. A `*_file` path is relative to the manifest's directory and holds either hex
//! text or a Foundry / Hardhat JSON artifact (`bytecode.object` / `deployedBytecode.object`, or the plain
//! `bytecode` / `deployedBytecode` strings).
//!
//! Addresses: a CREATE-deployed contract keeps its usual address whatever its bytecode (the deployer's
//! nonce sequence is fixed, and a nonce whose contract is etched or CREATE2-deployed instead is consumed
//! by an empty transaction). A normally etched contract (`smart_session`, `registry`) given creation code
//! without a salt is deployed with CREATE after all the others and lives at that CREATE address. CREATE2
//! deployments run last, the default validator (`account_validator`) first, then the Nexus
//! implementation, bootstrap and factory (their constructors may call the ones before).
//!
//! The manifest is read from the file named by the environment variable `DEVNET_OVERRIDES` when
//! [`Devnet::start`](crate::Devnet::start) runs, or passed to
//! [`DevnetBuilder::overrides`](crate::DevnetBuilder::overrides). Errors name the manifest file and the
//! entry at fault.

use crate::{DETERMINISTIC_DEPLOYER, DevnetContract, DevnetError, ModuleVersion, NexusVersion};
use alloy_primitives::{Address, B256, Bytes, hex};
use serde::Deserialize;
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

/// The environment variable naming the override manifest file.
pub const OVERRIDES_ENV: &str = "DEVNET_OVERRIDES";

/// The key of the NexusProxy creation code (not a contract the devnet places).
pub const NEXUS_PROXY_KEY: &str = "nexus_proxy";

/// The Nexus contracts, replaced together (with [`NEXUS_PROXY_KEY`]).
const NEXUS_SET: [DevnetContract; 3] = [
    DevnetContract::NexusImplementation,
    DevnetContract::NexusFactory,
    DevnetContract::NexusBootstrap,
];

/// The contracts the manifest may replace.
pub const OVERRIDABLE: [DevnetContract; 16] = [
    DevnetContract::NexusImplementation,
    DevnetContract::NexusFactory,
    DevnetContract::NexusBootstrap,
    DevnetContract::RawHashSessionValidator,
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
    /// Deploy with CREATE2 through the deterministic deployment proxy; lands on
    /// [`ContractOverride::create2_address`].
    Create2 {
        /// The CREATE2 salt.
        salt: B256,
        /// Creation code followed by the ABI-encoded constructor arguments.
        init_code: Bytes,
    },
}

impl ContractOverride {
    /// Where a [`ContractOverride::Create2`] entry lands: `keccak(0xff ‖ proxy ‖ salt ‖
    /// keccak(init_code))[12..]` with the deterministic deployment proxy; `None` for other entries.
    pub fn create2_address(&self) -> Option<Address> {
        match self {
            Self::Create2 { salt, init_code } => {
                Some(DETERMINISTIC_DEPLOYER.create2_from_code(salt, init_code))
            }
            _ => None,
        }
    }
}

/// A validated override manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverrideManifest {
    contracts: BTreeMap<DevnetContract, ContractOverride>,
    module_version: Option<ModuleVersion>,
    nexus_version: Option<NexusVersion>,
    nexus_proxy: Option<Bytes>,
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
    salt: Option<B256>,
    address: Option<Address>,
    module_version: Option<String>,
    nexus_version: Option<String>,
}

impl OverrideManifest {
    /// An empty manifest (no overrides).
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the manifest named by `DEVNET_OVERRIDES`, or returns `None` when the variable is unset or
    /// empty.
    ///
    /// A relative path that does not exist from the working directory is taken from the repository
    /// root: `cargo test` runs each package's tests in that package's directory, so
    /// `DEVNET_OVERRIDES=tests/manifests/x.json` works from the root for every package.
    pub fn from_env() -> Result<Option<Self>, DevnetError> {
        match std::env::var_os(OVERRIDES_ENV) {
            Some(path) if !path.is_empty() => {
                let path = PathBuf::from(path);
                let path = if path.is_relative() && !path.exists() {
                    crate::toolchain::find_repo_root()
                        .map(|root| root.join(&path))
                        .ok()
                        .filter(|p| p.exists())
                        .unwrap_or(path)
                } else {
                    path
                };
                Self::from_file(&path).map(Some)
            }
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
            if key == NEXUS_PROXY_KEY {
                let raw: RawEntry = serde_json::from_value(value)
                    .map_err(|e| invalid(Path::new("<json>"), &key, e.to_string()))?;
                manifest.nexus_proxy = Some(
                    proxy_code(raw, base_dir)
                        .map_err(|detail| invalid(Path::new("<json>"), &key, detail))?,
                );
                continue;
            }
            let Some(contract) =
                DevnetContract::from_name(&key).filter(|c| OVERRIDABLE.contains(c))
            else {
                let mut allowed: Vec<_> = OVERRIDABLE.iter().map(|c| c.name()).collect();
                allowed.push(NEXUS_PROXY_KEY);
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
            let (entry, versions) = validate(contract, raw, base_dir)
                .map_err(|detail| invalid(Path::new("<json>"), &key, detail))?;
            if let Some(v) = versions.module {
                manifest.module_version = Some(v);
            }
            if let Some(v) = versions.nexus {
                manifest.nexus_version = Some(v);
            }
            manifest.contracts.insert(contract, entry);
        }
        manifest.check_addresses()?;
        manifest.check_complete()?;
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

    /// Declares which Nexus version the `nexus_implementation` override is, with the NexusProxy
    /// creation code its factory deploys (programmatic use; the Nexus set rule is checked when the
    /// devnet starts).
    pub fn with_nexus(mut self, version: NexusVersion, proxy_creation_code: Bytes) -> Self {
        self.nexus_version = Some(version);
        self.nexus_proxy = Some(proxy_creation_code);
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

    /// The Nexus version declared with the `nexus_implementation` override.
    pub fn nexus_version(&self) -> Option<NexusVersion> {
        self.nexus_version
    }

    /// The NexusProxy creation code (`nexus_proxy`) that comes with a Nexus override.
    pub fn nexus_proxy(&self) -> Option<&Bytes> {
        self.nexus_proxy.as_ref()
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
            let address = match entry {
                ContractOverride::Runtime {
                    address: Some(address),
                    ..
                } => *address,
                ContractOverride::Create2 { .. } => {
                    entry.create2_address().expect("a CREATE2 entry")
                }
                _ => continue,
            };
            if address == Address::ZERO || address.0[..19].iter().all(|b| *b == 0) {
                return Err(invalid(
                    &here,
                    contract.name(),
                    format!("address {address} is zero or a precompile"),
                ));
            }
            if [crate::ENTRY_POINT_V07, crate::DETERMINISTIC_DEPLOYER].contains(&address) {
                return Err(invalid(
                    &here,
                    contract.name(),
                    format!("address {address} is reserved"),
                ));
            }
            if let Some(other) = seen.insert(address, *contract) {
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

impl OverrideManifest {
    /// Whole-manifest rules, checked when a manifest is read and when the devnet starts (a manifest
    /// built entry by entry may be incomplete in between): the Nexus contracts come as a set with their
    /// proxy code and version; 1.2 brings its default validator as `account_validator`.
    pub(crate) fn check_complete(&self) -> Result<(), DevnetError> {
        let here = self
            .source
            .clone()
            .unwrap_or_else(|| PathBuf::from("<json>"));
        let here = here.as_path();
        let present: Vec<_> = NEXUS_SET
            .iter()
            .filter(|c| self.contracts.contains_key(c))
            .collect();
        let any = !present.is_empty() || self.nexus_proxy.is_some() || self.nexus_version.is_some();
        if !any {
            return Ok(());
        }
        if let Some(missing) = NEXUS_SET.iter().find(|c| !self.contracts.contains_key(c)) {
            return Err(invalid(
                here,
                missing.name(),
                "the Nexus contracts are replaced together: give `nexus_implementation`, \
                 `nexus_factory`, `nexus_bootstrap` and `nexus_proxy`"
                    .into(),
            ));
        }
        if self.nexus_proxy.is_none() {
            return Err(invalid(
                here,
                NEXUS_PROXY_KEY,
                "missing: a Nexus override needs the NexusProxy creation code its factory deploys"
                    .into(),
            ));
        }
        let Some(version) = self.nexus_version else {
            return Err(invalid(
                here,
                "nexus_implementation",
                "`nexus_version` is required".into(),
            ));
        };
        if version.has_default_validator()
            && !self
                .contracts
                .contains_key(&DevnetContract::AccountValidator)
        {
            return Err(invalid(
                here,
                "account_validator",
                format!(
                    "missing: Nexus {version} needs its default validator (the one its \
                     implementation and bootstrap were built with) as `account_validator`"
                ),
            ));
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

/// The versions an entry declares.
#[derive(Default)]
struct Declared {
    module: Option<ModuleVersion>,
    nexus: Option<NexusVersion>,
}

fn validate(
    contract: DevnetContract,
    raw: RawEntry,
    base: &Path,
) -> Result<(ContractOverride, Declared), String> {
    let mut declared = Declared::default();
    match (&raw.module_version, contract) {
        (Some(v), DevnetContract::SmartSession) => {
            declared.module = Some(
                v.parse::<ModuleVersion>()
                    .map_err(|e| format!("module_version: {e}"))?,
            )
        }
        (None, DevnetContract::SmartSession) => return Err("`module_version` is required".into()),
        (Some(_), _) => return Err("`module_version` is only allowed on `smart_session`".into()),
        (None, _) => {}
    }
    match (&raw.nexus_version, contract) {
        (Some(v), DevnetContract::NexusImplementation) => {
            declared.nexus = Some(
                v.parse::<NexusVersion>()
                    .map_err(|e| format!("nexus_version: {e}"))?,
            )
        }
        (None, DevnetContract::NexusImplementation) => {
            return Err("`nexus_version` is required".into());
        }
        (Some(_), _) => {
            return Err("`nexus_version` is only allowed on `nexus_implementation`".into());
        }
        (None, _) => {}
    }
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
        if raw.salt.is_some() {
            return Err("`salt` needs creation code, not runtime code".into());
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
        let mut init = match (raw.creation_code, raw.creation_code_file) {
            (Some(hex), _) => parse_hex("creation_code", &hex)?.to_vec(),
            (_, Some(file)) => read_code_file(&base.join(file), ArtifactPart::Creation)?.to_vec(),
            _ => unreachable!("checked above"),
        };
        if let Some(args) = raw.constructor_args {
            init.extend_from_slice(&parse_hex_allow_empty("constructor_args", &args)?);
        }
        match raw.salt {
            None => {
                if raw.address.is_some() {
                    return Err("`address` applies to runtime code or CREATE2 (`salt`); CREATE decides the address of creation code".into());
                }
                ContractOverride::Creation {
                    init_code: init.into(),
                }
            }
            Some(salt) => {
                let entry = ContractOverride::Create2 {
                    salt,
                    init_code: init.into(),
                };
                let lands = entry.create2_address().expect("a CREATE2 entry");
                if let Some(expected) = raw.address
                    && expected != lands
                {
                    return Err(format!(
                        "CREATE2 with this salt and init code lands on {lands}, not on `address` \
                         {expected} (is the creation code or are the constructor arguments \
                         different from the deployed ones?)"
                    ));
                }
                entry
            }
        }
    };
    Ok((entry, declared))
}

/// The `nexus_proxy` entry: creation code only, nothing else.
fn proxy_code(raw: RawEntry, base: &Path) -> Result<Bytes, String> {
    let extra = raw.runtime_code.is_some()
        || raw.runtime_code_file.is_some()
        || raw.constructor_args.is_some()
        || raw.salt.is_some()
        || raw.address.is_some()
        || raw.module_version.is_some()
        || raw.nexus_version.is_some();
    match (raw.creation_code, raw.creation_code_file) {
        (Some(hex), None) if !extra => parse_hex("creation_code", &hex),
        (None, Some(file)) if !extra => read_code_file(&base.join(file), ArtifactPart::Creation),
        _ => Err(
            "give exactly one of `creation_code`, `creation_code_file` (the NexusProxy \
                  creation code; it is never placed, only used for account addresses)"
                .into(),
        ),
    }
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
                "CREATE decides",
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
            (
                r#"{"counter": {"runtime_code": "0x00", "salt": "0x0000000000000000000000000000000000000000000000000000000000000001"}}"#,
                "`salt` needs creation code",
            ),
            (
                r#"{"counter": {"creation_code": "0x6001", "salt": "0x01"}}"#,
                "counter",
            ),
            (
                r#"{"counter": {"creation_code": "0x6001", "salt": "0x0000000000000000000000000000000000000000000000000000000000000001",
                                "address": "0x0000000000000000000000000000000000001234"}}"#,
                "lands on 0xda002Fe8Dd9F94C7eb00718a3711cbcB03Ac734D",
            ),
            (
                r#"{"counter": {"runtime_code": "0x00", "nexus_version": "1.2"}}"#,
                "only allowed on `nexus_implementation`",
            ),
            (
                r#"{"nexus_implementation": {"creation_code": "0x00", "nexus_version": "1.2"}}"#,
                "entry `nexus_factory`: the Nexus contracts are replaced together",
            ),
            (
                r#"{"nexus_implementation": {"creation_code": "0x00"}}"#,
                "`nexus_version` is required",
            ),
            (
                r#"{"nexus_implementation": {"creation_code": "0x00", "nexus_version": "1.3"}}"#,
                "not one of 1.0, 1.2",
            ),
            (
                r#"{"nexus_implementation": {"creation_code": "0x01", "nexus_version": "1.2"},
                    "nexus_factory": {"creation_code": "0x02"}, "nexus_bootstrap": {"creation_code": "0x03"}}"#,
                "entry `nexus_proxy`: missing",
            ),
            (
                r#"{"nexus_implementation": {"creation_code": "0x01", "nexus_version": "1.2"},
                    "nexus_factory": {"creation_code": "0x02"}, "nexus_bootstrap": {"creation_code": "0x03"},
                    "nexus_proxy": {"creation_code": "0x04"}}"#,
                "entry `account_validator`: missing",
            ),
            (
                r#"{"nexus_proxy": {"runtime_code": "0x04"}}"#,
                "entry `nexus_proxy`: give exactly one of `creation_code`",
            ),
            (
                r#"{"nexus_proxy": {"creation_code": "0x04"}}"#,
                "entry `nexus_implementation`",
            ),
            (
                r#"{"counter": {"creation_code": "0x6001", "salt": "0x0000000000000000000000000000000000000000000000000000000000000001"},
                    "token": {"creation_code": "0x6001", "salt": "0x0000000000000000000000000000000000000000000000000000000000000001"}}"#,
                "also used by `counter`",
            ),
        ];
        for (json, needle) in cases {
            let err = parse(json).expect_err(json);
            assert!(err.contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn create2_entries_and_the_nexus_set() {
        let salt = "0x0000000000000000000000000000000000000000000000000000000000000001";
        let m = parse(&format!(
            r#"{{"nexus_implementation": {{"creation_code": "0x60", "constructor_args": "0x01", "salt": "{salt}",
                     "address": "0xda002Fe8Dd9F94C7eb00718a3711cbcB03Ac734D", "nexus_version": "1.2"}},
                "nexus_factory": {{"creation_code": "0x02"}},
                "nexus_bootstrap": {{"runtime_code": "0x03"}},
                "nexus_proxy": {{"creation_code": "0x04"}},
                "account_validator": {{"creation_code": "0x05", "salt": "{salt}"}}}}"#
        ))
        .unwrap();
        let implementation = m.get(DevnetContract::NexusImplementation).unwrap();
        assert_eq!(
            implementation,
            &ContractOverride::Create2 {
                salt: salt.parse().unwrap(),
                init_code: vec![0x60, 0x01].into()
            }
        );
        // `cast create2 --deployer 0x4e59…956C --salt 0x…01 --init-code 0x6001`.
        assert_eq!(
            implementation.create2_address(),
            Some(alloy_primitives::address!(
                "0xda002Fe8Dd9F94C7eb00718a3711cbcB03Ac734D"
            ))
        );
        assert_eq!(m.nexus_version(), Some(NexusVersion::V1_2));
        assert_eq!(m.nexus_proxy().map(|c| c.to_vec()), Some(vec![4]));
        assert!(
            m.get(DevnetContract::NexusFactory)
                .unwrap()
                .create2_address()
                .is_none()
        );
        // The 1.0.1 dev build needs no default validator.
        let dev = parse(
            r#"{"nexus_implementation": {"creation_code": "0x01", "nexus_version": "1.0"},
                "nexus_factory": {"creation_code": "0x02"}, "nexus_bootstrap": {"creation_code": "0x03"},
                "nexus_proxy": {"creation_code": "0x04"}}"#,
        )
        .unwrap();
        assert_eq!(dev.nexus_version(), Some(NexusVersion::V1_0));
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

    /// The committed production-stack manifest, moved where its `../../../shared` artifacts do not
    /// exist (as in a fresh clone): it is well-formed JSON with the production addresses, and reading
    /// it fails naming the file and the entry.
    #[test]
    fn production_stack_manifest_without_its_artifacts() {
        let committed = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/manifests/production-stack.json");
        let text = std::fs::read_to_string(&committed).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["nexus_implementation"]["nexus_version"], "1.2");
        assert_eq!(json["smart_session"]["module_version"], "v1-registry-free");
        for (key, address) in [
            (
                "account_validator",
                "0x00000000d12897DDAdC2044614A9677B191A2d95",
            ),
            (
                "nexus_implementation",
                "0x000000004F43C49e93C970E84001853a70923B03",
            ),
            (
                "nexus_bootstrap",
                "0x00000000D3254452a909E4eeD47455Af7E27C289",
            ),
            (
                "nexus_factory",
                "0x000000001D1D5004a02bAfAb9de2D6CE5b7B13de",
            ),
            (
                "session_validator",
                "0x000000000013fdB5234E4E3162a810F54d9f7E98",
            ),
        ] {
            assert_eq!(json[key]["address"], address, "{key}");
        }
        let dir = std::env::temp_dir().join(format!(
            "devnet-production-manifest-{}/a/b",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let moved = dir.join("production-stack.json");
        std::fs::write(&moved, text).unwrap();
        let err = OverrideManifest::from_file(&moved).unwrap_err().to_string();
        assert!(
            err.contains("production-stack.json")
                && err.contains("entry `")
                && err.contains("cannot read"),
            "{err}"
        );
        std::fs::remove_dir_all(dir.parent().unwrap().parent().unwrap()).unwrap();
    }
}
