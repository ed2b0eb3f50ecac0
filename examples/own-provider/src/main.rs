//! An application's own alloy provider driving the Nexus smart-sessions SDK.
//!
//! ```text
//! cargo run --manifest-path examples/own-provider/Cargo.toml
//! ```
//!
//! It starts a local devnet (anvil + alto, `nexus-sessions-devnet`), builds an alloy provider with
//! a tower layer of its own (it tags each request with a header and logs the methods, where a
//! real service would add an API key, retries or rate limits) and the SDK's `RequestCountLayer`,
//! then hands that provider to both clients: the owner grants a session key `incrementNumber()` on
//! the devnet's Counter, the session key uses it, and the Counter went up. Exits non-zero if
//! anything did not happen as expected.

use alloy_json_rpc::{RequestPacket, ResponsePacket};
use alloy_primitives::{Address, U256};
use alloy_provider::{DynProvider, Provider, RootProvider};
use alloy_rpc_client::ClientBuilder;
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, sol};
use alloy_transport::{TransportError, TransportFut};
use nexus_sessions::{
    ActionPermission, Call, NexusClient, NodeEndpoint, PermissionRequest, PrivateKeySigner,
    RequestCountLayer, SessionKeyClient, reqwest::header::HeaderValue, sessions::SessionData,
};
use nexus_sessions_devnet::Devnet;
use std::{
    error::Error,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};
use tower::{Layer, Service};

sol! {
    function incrementNumber() external;
    function number() external view returns (uint256);
}

/// The application's layer: tags every request with `x-app: own-provider` and logs its method.
#[derive(Clone, Debug, Default)]
struct TagAndLog {
    methods: Arc<Mutex<Vec<String>>>,
}

impl<S> Layer<S> for TagAndLog {
    type Service = TagAndLogService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TagAndLogService {
            inner,
            methods: self.methods.clone(),
        }
    }
}

#[derive(Clone, Debug)]
struct TagAndLogService<S> {
    inner: S,
    methods: Arc<Mutex<Vec<String>>>,
}

impl<S> Service<RequestPacket> for TagAndLogService<S>
where
    S: Service<
            RequestPacket,
            Response = ResponsePacket,
            Error = TransportError,
            Future = TransportFut<'static>,
        >,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: RequestPacket) -> Self::Future {
        let mut methods = self.methods.lock().unwrap_or_else(|e| e.into_inner());
        for r in request.requests_mut() {
            r.headers_mut()
                .insert("x-app", HeaderValue::from_static("own-provider"));
            methods.push(r.method().to_owned());
        }
        self.inner.call(request)
    }
}

async fn counter_number(provider: &DynProvider, counter: Address) -> Result<U256, Box<dyn Error>> {
    let tx = TransactionRequest::default()
        .to(counter)
        .input(numberCall {}.abi_encode().into());
    let out = provider.call(tx).await?;
    Ok(numberCall::abi_decode_returns(&out)?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let devnet = Devnet::start().await?;
    let deployment = devnet.deployment();
    let counter = devnet.addresses().counter;

    // The application's provider: its own layer plus the SDK's counter, over HTTP.
    let log = TagAndLog::default();
    let counts = RequestCountLayer::new();
    let client = ClientBuilder::default()
        .layer(counts.clone())
        .layer(log.clone())
        .http(devnet.rpc_url().parse()?);
    let provider = RootProvider::new(client).erased();
    let node = NodeEndpoint::provider(provider.clone()).with_request_counter(counts.clone());

    // The owner: account funded (anvil), deployed with SmartSession installed.
    let owner = NexusClient::builder(
        PrivateKeySigner::random(),
        node.clone(),
        devnet.bundler_url(),
        deployment.clone(),
    )
    .build()
    .await?;
    let ten_eth = U256::from(10u64).pow(U256::from(19u64));
    provider
        .raw_request::<_, ()>("anvil_setBalance".into(), (owner.address(), ten_eth))
        .await?;
    let hash = owner.install_smart_sessions().await?;
    owner.wait_for_user_operation_receipt(hash).await?;
    println!("account   {} (SmartSession installed)", owner.address());

    // Grant: the session key may call incrementNumber() on the Counter, three times.
    let session_key = PrivateKeySigner::random();
    let selector = incrementNumberCall::SELECTOR;
    let request = PermissionRequest::new(session_key.address())
        .action(ActionPermission::new(counter, selector).usage_limit(3));
    let grant = owner.grant_permission(&[request]).await?;
    let receipt = owner
        .wait_for_user_operation_receipt(grant.user_op_hash)
        .await?;
    if !receipt.success {
        return Err("the grant reverted".into());
    }
    let json = owner.session_data(&grant, 0)?.to_json();
    println!("granted   {}", grant.permission_ids[0]);

    // Use: the session key's client, from the SessionData JSON, on the same provider.
    let before = counter_number(&provider, counter).await?;
    let session = SessionKeyClient::builder(
        session_key,
        node,
        devnet.bundler_url(),
        deployment,
        SessionData::from_json(&json)?,
    )
    .build()
    .await?;
    let hash = session
        .use_permission(&[Call::new(counter, selector)])
        .await?;
    let receipt = session.wait_for_user_operation_receipt(hash).await?;
    let after = counter_number(&provider, counter).await?;
    println!("used      op {hash}: counter {before} -> {after}");
    if !receipt.success || after != before + U256::from(1) {
        return Err(format!("the session use did not land: {before} -> {after}").into());
    }

    // Every node request went through the application's layer, and the SDK counted them.
    let seen = log.methods.lock().unwrap_or_else(|e| e.into_inner()).len() as u64;
    let counted = counts.total();
    println!(
        "provider  {seen} requests through the app's layer; clients counted {} (owner) / {} (session)",
        owner.rpc_stats().node,
        session.rpc_stats().node
    );
    if seen == 0 || seen != counted {
        return Err(format!("layer saw {seen} requests, counter {counted}").into());
    }
    Ok(())
}
