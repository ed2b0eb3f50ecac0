//! `account-address`: an owner's counterfactual Nexus account address, for a preset or a deployment
//! file.

use nexus_sessions::Deployment;

use crate::{
    error::{CliError, Location, Result},
    input,
    live::{
        endpoints::{self, RPC_ENV},
        run,
    },
    output::{self, hex0x},
};

/// The arguments of `account-address`.
pub(crate) struct AddressArgs<'a> {
    pub(crate) owner: &'a str,
    pub(crate) index: &'a str,
    pub(crate) preset: Option<&'a str>,
    pub(crate) deployment: Option<&'a str>,
    pub(crate) rpc_url: Option<&'a str>,
}

/// Prints the address (lowercase hex, like every offline command).
pub(crate) fn address(a: &AddressArgs<'_>) -> Result<()> {
    let owner = input::address(a.owner, &Location::new("--owner"))?;
    let index = input::u64_str(a.index, &Location::new("--index"))?;
    let (deployment, file_rpc) = match (a.preset, a.deployment) {
        (Some(name), _) => (preset(name)?, None),
        (None, Some(path)) => {
            let (value, loc) = input::json_file("--deployment", path)?;
            let file = endpoints::parse_deployment(&value, &loc)?;
            (file.deployment, file.rpc_url)
        }
        (None, None) => {
            return Err(Location::new("--preset").error("pass --preset NAME or --deployment FILE"));
        }
    };
    let rpc_url = a
        .rpc_url
        .map(str::to_owned)
        .or_else(|| std::env::var(RPC_ENV).ok().filter(|v| !v.trim().is_empty()))
        .or(file_rpc);
    run(async {
        let account =
            nexus_sessions::account_address(&deployment, owner, index, rpc_url.as_deref())
                .await
                .map_err(|e| match e {
                    nexus_sessions::Error::NoLocalAddress => Location::new("--rpc-url")
                        .error(format!("{e} (--rpc-url URL or {RPC_ENV})")),
                    e => CliError::Runtime(format!("computeAccountAddress: {e}")),
                })?;
        output::line(&hex0x(account));
        Ok(())
    })
}

fn preset(name: &str) -> Result<Deployment> {
    Deployment::preset(name).ok_or_else(|| {
        let names: Vec<&str> = Deployment::PRESETS.iter().map(|(n, _)| *n).collect();
        Location::new("--preset").error(format!(
            "unknown preset {name:?}; one of: {}",
            names.join(", ")
        ))
    })
}
