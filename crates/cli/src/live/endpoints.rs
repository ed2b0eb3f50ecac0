//! Where the live commands connect: node and bundler URLs and the contract addresses.
//!
//! Resolution, first match wins per item:
//! - URLs: `--rpc-url` / `--bundler-url`, then `NEXUS_RPC_URL` / `NEXUS_BUNDLER_URL`, then the
//!   deployment file's `rpc_url` / `bundler_url`;
//! - the deployment file: `--deployment FILE`, then `NEXUS_DEPLOYMENT`, then the running devnet's
//!   `.cache/devnet/current.json` (searched from the current directory upwards).
//!
//! A deployment file is either what `cargo xtask devnet` prints (`{rpc_url, bundler_url, chain_id,
//! module_version, nexus_version, default_validator?, session_signature_style?, addresses:
//! {entry_point, nexus_factory, …}}`; save it with
//! `cargo xtask devnet > devnet.json`) or a serialized `nexus_sessions::Deployment`, optionally with
//! `rpc_url` / `bundler_url` next to its fields.

use std::{
    fmt,
    path::{Path, PathBuf},
};

use alloy_primitives::Address;
use nexus_sessions::{Deployment, LocalAddresses, PolicyAddresses};
use nexus_sessions_bundler::{RedactedUrl, redact_url};
use nexus_sessions_types::{
    ModuleVersion, NexusVersion, SessionSignatureStyle,
    json::{hex, number},
};
use serde::{Deserialize, de::IgnoredAny};
use serde_json::Value;

use crate::{
    cli::Endpoints,
    error::{Location, Result},
    input,
};

/// Environment variable with the node URL.
pub(crate) const RPC_ENV: &str = "NEXUS_RPC_URL";
/// Environment variable with the bundler URL.
pub(crate) const BUNDLER_ENV: &str = "NEXUS_BUNDLER_URL";
/// Environment variable with the deployment file.
pub(crate) const DEPLOYMENT_ENV: &str = "NEXUS_DEPLOYMENT";
/// Where a running devnet is expected to describe itself, relative to the repository root.
pub(crate) const DEVNET_CURRENT: &str = ".cache/devnet/current.json";

/// Everything a live command needs to connect.
#[derive(Clone)]
pub(crate) struct Target {
    /// The node.
    pub(crate) rpc_url: String,
    /// The bundler.
    pub(crate) bundler_url: String,
    /// The contracts.
    pub(crate) deployment: Deployment,
    /// The chain id the deployment file states, if any (checked against the node).
    pub(crate) chain_id: Option<u64>,
}

// By hand: URLs may hold credentials.
impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("rpc_url", &RedactedUrl(&self.rpc_url))
            .field("bundler_url", &RedactedUrl(&self.bundler_url))
            .field("deployment", &self.deployment)
            .field("chain_id", &self.chain_id)
            .finish()
    }
}

/// Resolves the target from arguments, environment and files.
pub(crate) fn resolve(args: &Endpoints) -> Result<Target> {
    let deployment_path = args
        .deployment
        .clone()
        .map(|p| ("--deployment".to_owned(), PathBuf::from(p)))
        .or_else(|| env(DEPLOYMENT_ENV).map(|p| (DEPLOYMENT_ENV.to_owned(), PathBuf::from(p))))
        .or_else(|| find_devnet_file().map(|p| ("the running devnet".to_owned(), p)));
    let Some((origin, path)) = deployment_path else {
        return Err(Location::new("--deployment").error(format!(
            "no deployment: pass --deployment FILE (e.g. `cargo xtask devnet > devnet.json`), set \
             {DEPLOYMENT_ENV}, or start the devnet so that {DEVNET_CURRENT} exists"
        )));
    };
    let arg = format!("{origin} file `{}`", path.display());
    let text = input::read_source(&origin, &path.display().to_string())?;
    let loc = Location::new(arg);
    let value: Value = input::parse_json(&text, &loc)?;
    let file = parse_deployment(&value, &loc)?;

    let rpc_url = url("node", "--rpc-url", &args.rpc_url, RPC_ENV, file.rpc_url)?;
    let bundler_url = url(
        "bundler",
        "--bundler-url",
        &args.bundler_url,
        BUNDLER_ENV,
        file.bundler_url,
    )?;
    for (name, url) in [("--rpc-url", &rpc_url), ("--bundler-url", &bundler_url)] {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(
                Location::new(name).error(format!("{:?} is not an http(s) URL", redact_url(url)))
            );
        }
    }
    Ok(Target {
        rpc_url,
        bundler_url,
        deployment: file.deployment,
        chain_id: file.chain_id,
    })
}

/// The targets of `grant --deferred --chain FILE…`: every chain of every file, in order. Each chain
/// must name its node and bundler in its file (flags and environment name one chain only).
pub(crate) fn resolve_chains(paths: &[String]) -> Result<Vec<Target>> {
    let mut targets = Vec::new();
    for path in paths {
        let arg = format!("--chain file `{path}`");
        let loc = Location::new(arg);
        let value: Value = input::parse_json(&input::read_source("--chain", path)?, &loc)?;
        let entries: Vec<(Value, Location)> = match value.get("chains") {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, v)| (v.clone(), loc.field(&format!("chains[{i}]"))))
                .collect(),
            Some(_) => return Err(loc.field("chains").error("expected a list of chains")),
            None => vec![(value, loc)],
        };
        for (v, loc) in entries {
            let file = parse_deployment(&v, &loc)?;
            let need = |url: Option<String>, name: &str| {
                url.filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                    .ok_or_else(|| {
                        loc.field(name)
                            .error("each --chain needs an http(s) URL here")
                    })
            };
            targets.push(Target {
                rpc_url: need(file.rpc_url, "rpc_url")?,
                bundler_url: need(file.bundler_url, "bundler_url")?,
                deployment: file.deployment,
                chain_id: file.chain_id,
            });
        }
    }
    Ok(targets)
}

/// One endpoint's URL: the flag, then the environment variable, then the deployment file.
fn url(
    what: &str,
    flag: &str,
    arg: &Option<String>,
    env_name: &str,
    from_file: Option<String>,
) -> Result<String> {
    arg.clone()
        .or_else(|| env(env_name))
        .or(from_file)
        .ok_or_else(|| {
            Location::new(flag).error(format!("no {what} URL: pass {flag} or set {env_name}"))
        })
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Looks for `.cache/devnet/current.json` in the current directory and its ancestors.
fn find_devnet_file() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors()
        .map(|dir| dir.join(DEVNET_CURRENT))
        .find(|p| Path::new(p).is_file())
}

/// A parsed deployment file.
pub(crate) struct DeploymentFile {
    pub(crate) deployment: Deployment,
    pub(crate) rpc_url: Option<String>,
    pub(crate) bundler_url: Option<String>,
    pub(crate) chain_id: Option<u64>,
}

// By hand: URLs may hold credentials.
impl fmt::Debug for DeploymentFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeploymentFile")
            .field("deployment", &self.deployment)
            .field("rpc_url", &self.rpc_url.as_deref().map(RedactedUrl))
            .field("bundler_url", &self.bundler_url.as_deref().map(RedactedUrl))
            .field("chain_id", &self.chain_id)
            .finish()
    }
}

/// `cargo xtask devnet` output.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DevnetInfo {
    #[serde(default)]
    rpc_url: Option<String>,
    #[serde(default)]
    bundler_url: Option<String>,
    #[serde(default, with = "opt_u64")]
    chain_id: Option<u64>,
    module_version: ModuleVersion,
    #[serde(default)]
    nexus_version: Option<NexusVersion>,
    #[serde(default)]
    session_signature_style: Option<SessionSignatureStyle>,
    // Printed for people; the commands do not need them.
    #[serde(default, rename = "default_validator")]
    _default_validator: IgnoredAny,
    #[serde(default, rename = "accounts")]
    _accounts: IgnoredAny,
    #[serde(default, rename = "log_dir")]
    _log_dir: IgnoredAny,
    #[serde(default, rename = "paymaster_url")]
    _paymaster_url: IgnoredAny,
    addresses: DevnetAddresses,
}

/// The devnet's contracts (other entries, such as fixtures, are ignored).
#[derive(Deserialize)]
struct DevnetAddresses {
    #[serde(with = "hex::address")]
    entry_point: Address,
    #[serde(with = "hex::address")]
    nexus_implementation: Address,
    #[serde(with = "hex::address")]
    nexus_factory: Address,
    #[serde(with = "hex::address")]
    nexus_bootstrap: Address,
    #[serde(with = "hex::address")]
    smart_session: Address,
    #[serde(with = "hex::address")]
    registry: Address,
    #[serde(with = "hex::address")]
    account_validator: Address,
    #[serde(with = "hex::address")]
    session_validator: Address,
    #[serde(with = "hex::address")]
    sudo_policy: Address,
    #[serde(with = "hex::address")]
    universal_action_policy: Address,
    #[serde(with = "hex::address")]
    time_frame_policy: Address,
    #[serde(with = "hex::address")]
    usage_limit_policy: Address,
    #[serde(with = "hex::address")]
    value_limit_policy: Address,
    #[serde(with = "hex::address")]
    spending_limits_policy: Address,
}

/// The URLs and chain id that may sit next to a serialized `Deployment`'s fields.
#[derive(Deserialize)]
struct Extras {
    #[serde(default)]
    rpc_url: Option<String>,
    #[serde(default)]
    bundler_url: Option<String>,
    #[serde(default, with = "opt_u64")]
    chain_id: Option<u64>,
}

/// An optional chain id in any integer form.
mod opt_u64 {
    use super::*;

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<u64>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "number::u64")] u64);
        Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
    }
}

/// Parses either deployment file format.
pub(crate) fn parse_deployment(v: &Value, loc: &Location) -> Result<DeploymentFile> {
    if v.get("addresses").is_some() {
        let info: DevnetInfo = input::from_value(v.clone(), loc)?;
        let a = info.addresses;
        let addresses = LocalAddresses {
            entry_point: a.entry_point,
            implementation: a.nexus_implementation,
            factory: a.nexus_factory,
            bootstrap: a.nexus_bootstrap,
            smart_session: a.smart_session,
            registry: a.registry,
            account_validator: a.account_validator,
            session_validator: a.session_validator,
            policies: PolicyAddresses {
                sudo: a.sudo_policy,
                universal_action: a.universal_action_policy,
                time_frame: a.time_frame_policy,
                usage_limit: a.usage_limit_policy,
                value_limit: a.value_limit_policy,
                spending_limits: a.spending_limits_policy,
            },
        };
        let mut deployment = Deployment::local(addresses, info.module_version, None)
            .with_nexus_version(info.nexus_version.unwrap_or_default());
        // Absent: keep what the deployment derives for its validator.
        if let Some(style) = info.session_signature_style {
            deployment = deployment.with_session_signature_style(style);
        }
        Ok(DeploymentFile {
            deployment,
            rpc_url: info.rpc_url,
            bundler_url: info.bundler_url,
            chain_id: info.chain_id,
        })
    } else {
        let Value::Object(mut fields) = v.clone() else {
            return Err(loc.error("expected a JSON object"));
        };
        let extras: serde_json::Map<String, Value> = ["rpc_url", "bundler_url", "chain_id"]
            .into_iter()
            .filter_map(|k| fields.remove(k).map(|v| (k.to_owned(), v)))
            .collect();
        let extras: Extras = input::from_value(Value::Object(extras), loc)?;
        let deployment: Deployment = input::typed_value(
            Value::Object(fields),
            loc,
            "neither `cargo xtask devnet` output (no `addresses`) nor a nexus Deployment",
        )?;
        Ok(DeploymentFile {
            deployment,
            rpc_url: extras.rpc_url,
            bundler_url: extras.bundler_url,
            chain_id: extras.chain_id,
        })
    }
}
