//! The clients over endpoints of the caller's own, with no network: an alloy provider on alloy's
//! in-memory mock transport (behind a `RequestCountLayer`) for the node, an in-memory
//! `BundlerTransport` for the bundler. The node reads go through the provider (answers in order,
//! requests counted per method and named per contract function); nothing reaches the bundler
//! before an operation is sent.

use alloy_primitives::{Address, Bytes, address};
use alloy_provider::{Provider, RootProvider};
use alloy_rpc_client::ClientBuilder;
use alloy_transport::mock::{Asserter, MockTransport};
use nexus_sessions::{
    BundlerEndpoint, BundlerTransport, DeliveryError, Deployment, NexusClient, NodeEndpoint,
    PrivateKeySigner, RequestCountLayer, bundler::TransportFuture,
};
use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

/// Counts requests and answers none.
#[derive(Debug, Default)]
struct Unreachable(Arc<AtomicUsize>);

impl BundlerTransport for Unreachable {
    fn send(&self, _: String) -> TransportFuture<'_> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Box::pin(async { Err(DeliveryError::not_delivered("offline")) })
    }
}

#[tokio::test]
async fn node_reads_go_through_the_callers_provider_and_are_counted() {
    let asserter = Asserter::new();
    let counter = RequestCountLayer::new();
    let client = ClientBuilder::default()
        .layer(counter.clone())
        .transport(MockTransport::new(asserter.clone()), true);
    let provider = RootProvider::new(client).erased();
    let node = NodeEndpoint::provider(provider).with_request_counter(counter.clone());
    let bundler_requests = Arc::new(AtomicUsize::new(0));
    let bundler = BundlerEndpoint::transport(Unreachable(bundler_requests.clone()));

    // No proxy creation code in this preset: the factory is asked for the address (one eth_call).
    let deployment = Deployment::nexus_1_0_smart_session_pre_v1();
    assert!(!deployment.computes_addresses_locally());
    let account = address!("0x00000000000000000000000000000000000000aa");
    asserter.push_success(&account.into_word());
    let owner = NexusClient::builder(PrivateKeySigner::random(), node, bundler, deployment)
        .chain_id(84532)
        .build()
        .await
        .unwrap();
    assert_eq!(owner.address(), account);

    // One eth_getCode: not deployed yet.
    asserter.push_success(&Bytes::new());
    assert!(!owner.is_deployed().await.unwrap());
    assert!(asserter.read_q().is_empty(), "every answer consumed");

    let counts = owner.node_request_counts();
    assert_eq!(counts.total, 2, "{counts:?}");
    assert_eq!(
        counts.get("eth_call:computeAccountAddress"),
        1,
        "{counts:?}"
    );
    assert_eq!(counts.get("eth_getCode"), 1, "{counts:?}");
    assert_eq!(owner.rpc_stats().node, counter.total());
    assert_eq!(owner.rpc_stats().bundler, 0);
    assert_eq!(bundler_requests.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn a_provider_without_a_counter_counts_nothing_but_works() {
    let asserter = Asserter::new();
    let provider = RootProvider::new(
        ClientBuilder::default().transport(MockTransport::new(asserter.clone()), true),
    );
    asserter.push_success(&"0x14a34");
    let owner = NexusClient::builder(
        PrivateKeySigner::random(),
        NodeEndpoint::provider(provider),
        BundlerEndpoint::transport(Unreachable::default()),
        Deployment::nexus_1_2_smart_session_v1_registry_free(),
    )
    // A known address: only eth_chainId is asked.
    .account_address(Address::repeat_byte(0xbb))
    .build()
    .await
    .unwrap();
    assert_eq!(owner.chain_id(), 0x14a34);
    assert!(asserter.read_q().is_empty(), "eth_chainId answered");
    assert_eq!(
        owner.rpc_stats().node,
        0,
        "documented: no counter, no counts"
    );
}
