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
use nexus_sessions_types::{ModuleVersion, NexusVersion};
use serde_json::Value;

use crate::{
    cli::Endpoints,
    error::{Location, Result},
    input::{self, Obj},
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
    let value = input::parse_json(&text, &loc)?;
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
        let value = input::parse_json(&input::read_source("--chain", path)?, &loc)?;
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

fn opt_string(o: &Obj<'_>, name: &str) -> Result<Option<String>> {
    o.opt(name)
        .map(|(v, l)| input::json_str(v, &l).map(str::to_owned))
        .transpose()
}

fn addr(o: &Obj<'_>, name: &str) -> Result<Address> {
    let (v, l) = o.req(name)?;
    input::address(input::json_str(v, &l)?, &l)
}

fn version(o: &Obj<'_>) -> Result<ModuleVersion> {
    let (v, l) = o.req("module_version")?;
    let name = input::json_str(v, &l)?;
    name.parse()
        .map_err(|e: nexus_sessions_types::Error| l.error(e.to_string()))
}

/// Parses either deployment file format.
pub(crate) fn parse_deployment(v: &Value, loc: &Location) -> Result<DeploymentFile> {
    const DEVNET_INFO: &[&str] = &[
        "rpc_url",
        "bundler_url",
        "paymaster_url",
        "chain_id",
        "module_version",
        "nexus_version",
        "session_signature_style",
        "default_validator",
        "addresses",
        "accounts",
        "log_dir",
    ];
    let is_devnet_info = v.get("addresses").is_some();
    if is_devnet_info {
        let o = Obj::new(v, loc, DEVNET_INFO)?;
        let (av, al) = o.req("addresses")?;
        let map = av
            .as_object()
            .ok_or_else(|| al.error("expected an object"))?;
        let names: Vec<&str> = map.keys().map(String::as_str).collect();
        let a = Obj::new(av, &al, &names)?;
        let addresses = LocalAddresses {
            entry_point: addr(&a, "entry_point")?,
            implementation: addr(&a, "nexus_implementation")?,
            factory: addr(&a, "nexus_factory")?,
            bootstrap: addr(&a, "nexus_bootstrap")?,
            smart_session: addr(&a, "smart_session")?,
            registry: addr(&a, "registry")?,
            account_validator: addr(&a, "account_validator")?,
            session_validator: addr(&a, "session_validator")?,
            policies: PolicyAddresses {
                sudo: addr(&a, "sudo_policy")?,
                universal_action: addr(&a, "universal_action_policy")?,
                time_frame: addr(&a, "time_frame_policy")?,
                usage_limit: addr(&a, "usage_limit_policy")?,
                value_limit: addr(&a, "value_limit_policy")?,
                spending_limits: addr(&a, "spending_limits_policy")?,
            },
        };
        let chain_id = o
            .opt("chain_id")
            .map(|(v, l)| input::json_u64(v, &l))
            .transpose()?;
        let nexus_version = o
            .opt("nexus_version")
            .map(|(v, l)| {
                input::json_str(v, &l)?
                    .parse::<NexusVersion>()
                    .map_err(|e| l.error(e.to_string()))
            })
            .transpose()?
            .unwrap_or_default();
        let mut deployment =
            Deployment::local(addresses, version(&o)?, None).with_nexus_version(nexus_version);
        if let Some((v, l)) = o.opt("session_signature_style") {
            deployment.session_signature_style = Some(
                input::json_str(v, &l)?
                    .parse()
                    .map_err(|e: nexus_sessions_types::Error| l.error(e.to_string()))?,
            );
        }
        Ok(DeploymentFile {
            deployment,
            rpc_url: opt_string(&o, "rpc_url")?,
            bundler_url: opt_string(&o, "bundler_url")?,
            chain_id,
        })
    } else {
        let mut v = v.clone();
        let obj = v
            .as_object_mut()
            .ok_or_else(|| loc.error("expected a JSON object"))?;
        let take_str =
            |obj: &mut serde_json::Map<String, Value>, k: &str| -> Result<Option<String>> {
                match obj.remove(k) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) => Ok(Some(s)),
                    Some(_) => Err(loc.field(k).error("expected a string")),
                }
            };
        let rpc_url = take_str(obj, "rpc_url")?;
        let bundler_url = take_str(obj, "bundler_url")?;
        let chain_id = match obj.remove("chain_id") {
            None | Some(Value::Null) => None,
            Some(c) => Some(input::json_u64(&c, &loc.field("chain_id"))?),
        };
        let deployment: Deployment = serde_json::from_value(v).map_err(|e| {
            loc.error(format!(
                "neither `cargo xtask devnet` output (no `addresses`) nor a nexus Deployment: {e}"
            ))
        })?;
        Ok(DeploymentFile {
            deployment,
            rpc_url,
            bundler_url,
            chain_id,
        })
    }
}
