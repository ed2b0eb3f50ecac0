//! The offline commands, and the dispatch of every command.

use nexus_sessions_types::ModuleVersion;

use crate::{
    cli::{Command, EnableModeArg, VersionArg},
    error::{Location, Result},
    input,
};

mod account;
mod codec;
pub(crate) mod ids;
mod policy;

/// Runs one parsed command.
pub(crate) fn run(command: Command) -> Result<()> {
    match command {
        Command::PermissionId { session } => ids::permission_id(&session),
        Command::ActionId { target, selector } => ids::action_id(&target, &selector),
        Command::SessionDigest {
            session,
            module_version,
            account,
            smart_session,
            mode,
            nonce,
            chain_id,
            json,
        } => ids::session_digest(&ids::DigestArgs {
            session: &session,
            version: module_version.into(),
            account: &account,
            smart_session: &smart_session,
            mode,
            nonce: &nonce,
            chain_id: chain_id.as_deref(),
            json,
        }),
        Command::MultichainHash {
            module_version,
            digests,
        } => ids::multichain_hash(module_version.into(), &digests),
        Command::EncodeUse {
            module_version,
            permission_id,
            signature,
        } => codec::encode_use(module_version.into(), &permission_id, &signature),
        Command::DecodeSignature {
            module_version,
            signature,
        } => codec::decode_signature(module_version.into(), &signature),
        Command::Flz(cmd) => codec::flz(cmd),
        Command::UseropHash {
            userop,
            entry_point,
            chain_id,
        } => codec::userop_hash(&userop, &entry_point, &chain_id),
        Command::Policy { kind, config } => policy::build(kind, config.as_deref()),
        Command::DecodePolicy { kind, init_data } => policy::decode(kind, &init_data),
        Command::AccountAddress {
            owner,
            index,
            preset,
            deployment,
            rpc_url,
        } => account::address(&account::AddressArgs {
            owner: &owner,
            index: &index,
            preset: preset.as_deref(),
            deployment: deployment.as_deref(),
            rpc_url: rpc_url.as_deref(),
        }),
        Command::Status(args) => crate::live::status(args),
        Command::Grant(args) => crate::live::grant(args),
        Command::Use(args) => crate::live::use_session(args),
        Command::Revoke(args) => crate::live::revoke(args),
        Command::Resolve(args) => crate::live::resolve(args),
        Command::Delegate(args) => crate::live::delegate(args),
        Command::Undelegate(args) => crate::live::undelegate(args),
    }
}

impl From<VersionArg> for ModuleVersion {
    fn from(v: VersionArg) -> Self {
        match v {
            VersionArg::PreV1 => Self::PreV1,
            VersionArg::V1 => Self::V1,
            VersionArg::V1RegistryFree => Self::V1RegistryFree,
        }
    }
}

impl From<EnableModeArg> for nexus_sessions_types::SmartSessionMode {
    fn from(m: EnableModeArg) -> Self {
        match m {
            EnableModeArg::Enable => Self::Enable,
            EnableModeArg::UnsafeEnable => Self::UnsafeEnable,
        }
    }
}

/// A positional hex argument, or stdin when it is `-`.
pub(crate) fn hex_arg(name: &str, value: &str) -> Result<Vec<u8>> {
    if value == "-" {
        let text = input::read_source(name, "-")?;
        input::hex_bytes(&text, &Location::new(format!("{name} (stdin)")))
    } else {
        input::hex_bytes(value, &Location::new(name.to_owned()))
    }
}
