//! https by default: the node and the bundler behind a loopback TLS endpoint whose self-signed
//! certificate (generated here) only the test's reqwest client trusts. The facade reads, grants
//! and uses a permission over it; a client without that root is refused at the handshake and
//! reports the request as not delivered.

use alloy_provider::{Provider, RootProvider};
use alloy_rpc_client::ClientBuilder;
use e2e::{
    Chain,
    gate::{Gate, GateConfig, SelfSigned},
    grant_and_use_via,
};
use nexus_sessions::{
    BundlerClient, BundlerError, BundlerTransport, Delivery, HttpTransport, NodeEndpoint,
    reqwest::{self, Certificate},
};
use nexus_sessions_devnet::Devnet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_facade_works_over_https_with_a_trusted_self_signed_endpoint() {
    let devnet = Devnet::start().await.unwrap();
    let identity = SelfSigned::generate();
    let node_gate = Gate::start_tls(devnet.rpc_url(), GateConfig::default(), &identity)
        .await
        .unwrap();
    let bundler_gate = Gate::start_tls(devnet.bundler_url(), GateConfig::default(), &identity)
        .await
        .unwrap();
    assert!(node_gate.url().starts_with("https://127.0.0.1:"));

    // Trust exactly the test's certificate (reqwest needs the crypto provider installed first).
    let trusting = reqwest::Client::builder()
        .tls_certs_only([Certificate::from_der(&identity.cert_der).unwrap()])
        .build()
        .unwrap();
    let provider = RootProvider::new(
        ClientBuilder::default()
            .http_with_client(trusting.clone(), node_gate.url().parse().unwrap()),
    )
    .erased();
    assert_eq!(provider.get_chain_id().await.unwrap(), devnet.chain_id());
    let bundler = BundlerClient::builder(&bundler_gate.url())
        .http_client(trusting)
        .build()
        .unwrap();
    assert_eq!(
        bundler.supported_entry_points().await.unwrap(),
        vec![devnet.addresses().entry_point]
    );

    let (owner, session, target) = grant_and_use_via(
        &devnet,
        NodeEndpoint::provider(provider),
        bundler.clone().into(),
        bundler.into(),
    )
    .await
    .unwrap();
    let chain = Chain::of(&devnet).await.unwrap();
    assert_eq!(chain.counter_number(target).await.unwrap(), 1);
    // A read over https through the facade.
    assert!(owner.is_deployed().await.unwrap());
    assert!(session.rpc_stats().bundler > 0);
    assert!(node_gate.forwarded() > 0 && bundler_gate.forwarded() > 0);

    // The default https client does not trust the certificate: refused at the handshake, so the
    // request never reached the bundler.
    let untrusting = BundlerClient::builder(&bundler_gate.url())
        .max_retries(0)
        .build()
        .unwrap();
    let before = bundler_gate.forwarded();
    let err = untrusting.chain_id().await.unwrap_err();
    assert!(
        matches!(err, BundlerError::Transport { status: None, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    let transport = HttpTransport::new(&bundler_gate.url()).unwrap();
    let refused = transport
        .send(r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#.into())
        .await
        .unwrap_err();
    assert_eq!(refused.delivery(), Delivery::NotDelivered, "{refused}");
    assert_eq!(bundler_gate.forwarded(), before);
}
