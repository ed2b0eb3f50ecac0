//! `delegate` / `undelegate`: the owner key's EOA as an EIP-7702 Nexus account.

use clap::Args;
use nexus_sessions::DelegationState;
use serde_json::json;

use super::{
    actions::{self, client_builder, connect, print, progress, runtime, signer},
    endpoints, keys,
};
use crate::{
    cli::{Endpoints, KeySource},
    error::Result,
    output::hex0x,
};

/// The EOA whose delegation changes: its key.
#[derive(Debug, Args)]
pub(crate) struct DelegateArgs {
    #[command(flatten)]
    pub(crate) endpoints: Endpoints,
    #[command(flatten)]
    pub(crate) key: KeySource,
}

/// How `status` and these commands name a delegation.
pub(super) fn state_label(state: &DelegationState) -> &'static str {
    match state {
        DelegationState::Nexus(_) => "nexus",
        DelegationState::Other(_) => "other",
        DelegationState::Contract => "contract",
        _ => "none",
    }
}

/// Runs `delegate`.
pub(crate) fn delegate(a: DelegateArgs) -> Result<()> {
    actions::run(change(a, true))
}

/// Runs `undelegate`.
pub(crate) fn undelegate(a: DelegateArgs) -> Result<()> {
    actions::run(change(a, false))
}

async fn change(a: DelegateArgs, to_nexus: bool) -> Result<()> {
    let target = endpoints::resolve(&a.endpoints)?;
    let key = signer(keys::read_key(&a.key, "owner")?, "owner key")?;
    let client = connect(&target, client_builder(&target, key).eip7702()).await?;
    let before = client
        .delegation_state()
        .await
        .map_err(runtime("reading the delegation"))?;
    let already = if to_nexus {
        before.is_nexus()
    } else {
        before == DelegationState::None
    };
    let tx = if already {
        progress(&format!(
            "{} already {}; nothing sent",
            hex0x(client.address()),
            if to_nexus {
                "delegates to Nexus"
            } else {
                "has no delegation"
            }
        ));
        None
    } else if to_nexus {
        progress("sending the delegation (type-4 transaction)…");
        Some(client.redelegate().await.map_err(runtime("delegate"))?)
    } else {
        progress("removing the delegation (type-4 transaction)…");
        Some(client.undelegate().await.map_err(runtime("undelegate"))?)
    };
    let after = client
        .delegation_state()
        .await
        .map_err(runtime("reading the delegation"))?;
    let delegate = after.delegate().map(hex0x);
    print(
        &a.endpoints,
        &json!({
            "account": hex0x(client.address()),
            "delegation": state_label(&after),
            "delegate": delegate,
            "transactionHash": tx.map(hex0x),
        }),
        &[
            ("account", hex0x(client.address())),
            ("delegation", after.to_string()),
            (
                "transaction",
                tx.map(hex0x).unwrap_or_else(|| "none".into()),
            ),
        ],
    );
    Ok(())
}
