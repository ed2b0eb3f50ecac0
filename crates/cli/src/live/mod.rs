//! Live commands: `status`, `grant`, `use`, `revoke`, `resolve`, over the `nexus-sessions` facade.
//!
//! Progress goes to stderr; the result goes to stdout as text, or as JSON with `--json`. Exit codes
//! of the commands that send: 0 = landed, 1 = failed and nothing landed, 2 = bad input, 3 = outcome
//! unknown (stdout names the userOpHash, the signed operation and the `resolve` command).

use clap::Args;

use crate::{
    cli::{Endpoints, KeySource},
    error::Result,
};

mod actions;
pub(crate) use actions::run;
mod delegation;
pub(crate) use delegation::{DelegateArgs, delegate, undelegate};
pub(crate) mod endpoints;
mod keys;

/// Which account: its address, or the owner whose (counterfactual) Nexus account it is.
#[derive(Debug, Clone, Args)]
pub(crate) struct AccountArgs {
    /// The smart account address.
    #[arg(long, value_name = "ADDR", conflicts_with = "owner")]
    pub(crate) account: Option<String>,
    /// The owner address: the account is the owner's Nexus account (index `--account-index`).
    #[arg(long, value_name = "ADDR")]
    pub(crate) owner: Option<String>,
    /// The account index (factory salt) for `--owner` and for the signing owner of `grant` / `revoke`.
    #[arg(long, value_name = "N", default_value = "0")]
    pub(crate) account_index: String,
}

/// Which permission: its id, or the session file it comes from.
#[derive(Debug, Clone, Args)]
pub(crate) struct PermissionArgs {
    /// The permission id.
    #[arg(long, value_name = "HEX", conflicts_with_all = ["session", "session_data"])]
    pub(crate) permission_id: Option<String>,
    /// A session file (module-sdk `Session` JSON); `-` = stdin.
    #[arg(long, value_name = "FILE", conflicts_with = "session_data")]
    pub(crate) session: Option<String>,
    /// A SessionData file (reference SDK format, as `grant --out` writes it; names the account too), or
    /// the session JSON abstractjs 1.x persists (a one-element array; name the account with
    /// `--account` / `--owner`).
    #[arg(long, value_name = "FILE")]
    pub(crate) session_data: Option<String>,
}

/// The signing owner of `grant` / `revoke`: its key, and which of its accounts.
#[derive(Debug, Clone, Args)]
pub(crate) struct OwnerArgs {
    #[command(flatten)]
    pub(crate) key: KeySource,
    /// The account index (factory salt) of the owner's account.
    #[arg(long, value_name = "N", default_value = "0")]
    pub(crate) account_index: String,
    /// The account is the owner key's own EOA, delegated to the Nexus 1.2 implementation (EIP-7702;
    /// the first operation delegates it). Use the EOA as `--account` for `use` and `status`.
    #[arg(long, conflicts_with = "account_index")]
    pub(crate) eip7702: bool,
}

/// Show an account's SmartSession state.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) account: AccountArgs,
    #[command(flatten)]
    pub(crate) permission: PermissionArgs,
}

/// Grant a session: the owner's account enables it with a UserOperation.
#[derive(Debug, Args)]
pub(crate) struct GrantArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) owner: OwnerArgs,
    /// A session file to enable (module-sdk `Session` JSON); `-` = stdin.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["session_key", "actions"])]
    pub(crate) session: Option<String>,
    /// The session key's address (builds the session from the flags below).
    #[arg(long, value_name = "ADDR", required_unless_present = "session")]
    pub(crate) session_key: Option<String>,
    /// An allowed call, `TARGET:SELECTOR` (selector as hex or a signature like `increment()`); repeatable.
    #[arg(
        long = "action",
        value_name = "TARGET:SELECTOR",
        required_unless_present = "session"
    )]
    pub(crate) actions: Vec<String>,
    /// Session valid from this unix time.
    #[arg(long, value_name = "UNIX_TIME")]
    pub(crate) valid_after: Option<String>,
    /// Session valid until this unix time.
    #[arg(long, value_name = "UNIX_TIME")]
    pub(crate) valid_until: Option<String>,
    /// Maximum number of uses of the session.
    #[arg(long, value_name = "N")]
    pub(crate) usage_limit: Option<String>,
    /// Maximum total ETH value (wei) the session may send.
    #[arg(long, value_name = "WEI")]
    pub(crate) value_limit: Option<String>,
    /// Salt of the session (default: random), to grant the same key twice.
    #[arg(long, value_name = "HEX")]
    pub(crate) salt: Option<String>,
    /// Write the grant's SessionData (reference SDK JSON, for `use --session-data`) to this file.
    /// With several `--chain`s: one file per chain, the chain id inserted before the extension
    /// (`grant.json` → `grant.31337.json`, `grant.31338.json`).
    #[arg(long, value_name = "FILE", conflicts_with = "session")]
    pub(crate) out: Option<String>,
    /// No owner UserOperation for the grant: the owner signs the session off-chain and the session
    /// key's first operation enables it. MODE is `enable` (default) or `unsafe-enable`.
    #[arg(
        long,
        value_name = "MODE",
        num_args = 0..=1,
        default_missing_value = "enable",
        conflicts_with = "session"
    )]
    pub(crate) deferred: Option<String>,
    /// With `--deferred`: one chain's deployment file (naming its node and bundler); repeat for
    /// each chain. A file with a `chains` list (`cargo xtask devnet --chains N` output) adds every
    /// chain in it. One owner signature covers all chains (SmartSession multichain hash).
    #[arg(long = "chain", value_name = "FILE", requires = "deferred")]
    pub(crate) chains: Vec<String>,
}

/// Use a session: the session key sends a call from the account.
#[derive(Debug, Args)]
pub(crate) struct UseArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeySource,
    #[command(flatten)]
    pub(crate) account: AccountArgs,
    #[command(flatten)]
    pub(crate) permission: PermissionArgs,
    /// The contract to call.
    #[arg(long, value_name = "ADDR")]
    pub(crate) target: String,
    /// Calldata as hex, or a no-argument function signature such as `increment()`.
    #[arg(long, value_name = "HEX|SIG", default_value = "0x")]
    pub(crate) call: String,
    /// ETH value to send (wei).
    #[arg(long, value_name = "WEI", default_value = "0")]
    pub(crate) value: String,
    /// How the session key signs the userOpHash: `eip191` (v 27/28), `eip191-v-plus-4` or
    /// `raw-hash` [default: the session data's, else the deployment's, else the known session
    /// validator's].
    #[arg(long, value_name = "STYLE")]
    pub(crate) signature_style: Option<String>,
}

/// Revoke a session: the owner's account removes it with a UserOperation.
#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) owner: OwnerArgs,
    #[command(flatten)]
    pub(crate) permission: PermissionArgs,
}

/// Settle a user operation whose outcome is unknown (exit code 3 of `grant` / `use` / `revoke`).
#[derive(Debug, Args)]
pub(crate) struct ResolveArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    /// The signed operation: its JSON, or the `--json` output of the command that reported the
    /// unknown outcome. It is resent exactly as it is (it cannot land twice), then waited for.
    #[arg(long, value_name = "FILE")]
    pub(crate) user_operation: Option<String>,
    /// The userOpHash to wait for (without `--user-operation`: only waits).
    #[arg(long, value_name = "HEX")]
    pub(crate) user_op_hash: Option<String>,
    /// How long to wait for the receipt, in seconds (default 120).
    #[arg(long, value_name = "SECS")]
    pub(crate) timeout: Option<String>,
}

/// Runs `resolve`.
pub(crate) fn resolve(a: ResolveArgs) -> Result<()> {
    actions::run(actions::resolve(a))
}

/// Runs `status`.
pub(crate) fn status(a: StatusArgs) -> Result<()> {
    actions::run(actions::status(a))
}

/// Runs `grant`.
pub(crate) fn grant(a: GrantArgs) -> Result<()> {
    actions::run(actions::grant(a))
}

/// Runs `use`.
pub(crate) fn use_session(a: UseArgs) -> Result<()> {
    actions::run(actions::use_session(a))
}

/// Runs `revoke`.
pub(crate) fn revoke(a: RevokeArgs) -> Result<()> {
    actions::run(actions::revoke(a))
}
