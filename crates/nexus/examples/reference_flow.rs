//! The reference smart-sessions flow as a plain program, against any running devnet or chain.
//!
//! ```text
//! cargo xtask devnet > devnet.json        # leave it running (another terminal), or any chain + bundler
//! cargo run -p nexus-sessions --example reference_flow -- devnet.json
//! ```
//!
//! `devnet.json` is what `cargo xtask devnet` prints: endpoints, chain id, SmartSession version and
//! contract addresses. The owner key comes from `OWNER_KEY` (hex; its account must hold ETH) or is
//! random, in which case the account is funded with anvil's `anvil_setBalance` (devnets only).
//!
//! Steps: owner client → first operation deploys the account and increments the Counter → install
//! SmartSession → grant a session key `incrementNumber()` on the Counter only → SessionData JSON →
//! a session-key client built from that JSON uses the permission → the counter went up.

use alloy_primitives::{Address, U256, hex};
use alloy_provider::{
    Provider, ProviderBuilder,
    network::{Ethereum, Network, TransactionBuilder},
};
use nexus_sessions::{
    ActionPermission, Call, Deployment, LocalAddresses, NexusClient, PermissionRequest,
    PolicyAddresses, PrivateKeySigner, SessionKeyClient, sessions::SessionData,
};
use serde::Deserialize;
use std::error::Error;

/// `incrementNumber()`.
const INCREMENT_NUMBER: [u8; 4] = hex!("273ea3e3");
/// `number()`.
const NUMBER: [u8; 4] = hex!("8381f58a");

/// The parts of `cargo xtask devnet`'s output this program needs.
#[derive(Deserialize)]
struct DevnetInfo {
    rpc_url: String,
    bundler_url: String,
    module_version: nexus_sessions::sessions::ModuleVersion,
    addresses: Addresses,
}

#[derive(Deserialize)]
struct Addresses {
    entry_point: Address,
    nexus_implementation: Address,
    nexus_factory: Address,
    nexus_bootstrap: Address,
    smart_session: Address,
    registry: Address,
    account_validator: Address,
    session_validator: Address,
    counter: Address,
    sudo_policy: Address,
    universal_action_policy: Address,
    time_frame_policy: Address,
    usage_limit_policy: Address,
    value_limit_policy: Address,
    spending_limits_policy: Address,
}

impl DevnetInfo {
    fn deployment(&self) -> Deployment {
        let a = &self.addresses;
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
        // No proxy creation code here: the client asks the factory for the account address.
        Deployment::local(addresses, self.module_version, None)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: reference_flow <devnet.json from `cargo xtask devnet`>")?;
    let info: DevnetInfo = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let deployment = info.deployment();
    let (rpc, bundler) = (info.rpc_url.as_str(), info.bundler_url.as_str());
    let counter = info.addresses.counter;
    let node = ProviderBuilder::new().connect(rpc).await?;

    // 1. The owner's client. The account address is known before the account exists.
    let (owner_key, fund) = match std::env::var("OWNER_KEY") {
        Ok(hex_key) => (hex_key.trim().parse::<PrivateKeySigner>()?, false),
        Err(_) => (PrivateKeySigner::random(), true),
    };
    let owner = NexusClient::connect(owner_key, rpc, bundler, deployment.clone()).await?;
    println!("account      {}", owner.address());
    if fund {
        let ten_eth = U256::from(10u64).pow(U256::from(19u64));
        node.raw_request::<_, serde_json::Value>(
            "anvil_setBalance".into(),
            (owner.address(), ten_eth),
        )
        .await?;
    }

    // 2. Its first user operation deploys it (factory + factoryData) and calls the Counter.
    let hash = owner
        .send_calls(&[Call::new(counter, INCREMENT_NUMBER)])
        .await?;
    let receipt = owner.wait_for_user_operation_receipt(hash).await?;
    println!(
        "deployed     op {hash}, gas used {}",
        receipt.actual_gas_used
    );

    // 3. Install the SmartSession module.
    let hash = owner.install_smart_sessions().await?;
    owner.wait_for_user_operation_receipt(hash).await?;
    println!("installed    SmartSession {}", deployment.smart_session);

    // 4. Grant: this session key may call incrementNumber() on the Counter, and nothing else.
    let session_key = PrivateKeySigner::random();
    let request = PermissionRequest::new(session_key.address())
        .action(ActionPermission::new(counter, INCREMENT_NUMBER));
    let grant = owner.grant_permission(&[request]).await?;
    owner
        .wait_for_user_operation_receipt(grant.user_op_hash)
        .await?;
    println!("granted      permission {}", grant.permission_ids[0]);

    // 5. What the session key holder receives: JSON without secrets.
    let json = owner.session_data(&grant, 0)?.to_json();
    println!("SessionData  {} bytes of JSON", json.len());

    // 6. The session key's own client, from the JSON: it acts for the owner's account.
    let data = SessionData::from_json(&json)?;
    let session = SessionKeyClient::connect(session_key, rpc, bundler, deployment, data).await?;
    let hash = session
        .use_permission(&[Call::new(counter, INCREMENT_NUMBER)])
        .await?;
    let receipt = session.wait_for_user_operation_receipt(hash).await?;
    println!(
        "used         op {hash}, gas used {}",
        receipt.actual_gas_used
    );

    // 7. Read the counter back.
    let call = <Ethereum as Network>::TransactionRequest::default()
        .with_to(counter)
        .with_input(NUMBER.to_vec());
    let number = U256::from_be_slice(&node.call(call).await?);
    println!("counter      {number}");
    Ok(())
}
