//! Bring your own provider and transport: the clients read the chain through an alloy provider the
//! test builds (with a tower layer adding an API key header) and send operations through an alloy
//! RPC client with the same layer (`AlloyTransport`) and through a `BundlerTransport` of the
//! test's own. Both
//! endpoints sit behind a loopback gate that forwards only requests carrying the key. A grant and a
//! session use land; every counted node request passed the gate; requests without the key are
//! refused (HTTP 401) and reported as such, not as sent.

use alloy_json_rpc::{RequestPacket, ResponsePacket};
use alloy_provider::{DynProvider, Provider, RootProvider};
use alloy_rpc_client::ClientBuilder;
use alloy_transport::{TransportError, TransportFut};
use e2e::{
    Chain,
    gate::{Gate, GateConfig},
    grant_and_use_via,
};
use nexus_sessions::{
    BundlerClient, BundlerEndpoint, BundlerError, BundlerTransport, DeliveryError, Error,
    NexusClient, NodeEndpoint, PrivateKeySigner, RequestCountLayer,
    bundler::AlloyTransport,
    bundler::TransportFuture,
    reqwest::{self, header::HeaderValue},
};
use nexus_sessions_devnet::Devnet;
use std::task::{Context, Poll};
use tower::{Layer, Service};

const KEY_HEADER: &str = "x-api-key";
const NODE_KEY: &str = "node-secret";
const BUNDLER_KEY: &str = "bundler-secret";

fn gate_config(key: &str) -> GateConfig {
    GateConfig {
        required_header: Some((KEY_HEADER.to_owned(), key.to_owned())),
    }
}

/// A user's tower layer on alloy's RPC client: adds the API key header to every request.
#[derive(Clone, Debug)]
struct ApiKeyLayer(HeaderValue);

impl<S> Layer<S> for ApiKeyLayer {
    type Service = ApiKeyService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ApiKeyService {
            inner,
            key: self.0.clone(),
        }
    }
}

#[derive(Clone, Debug)]
struct ApiKeyService<S> {
    inner: S,
    key: HeaderValue,
}

impl<S> Service<RequestPacket> for ApiKeyService<S>
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
        for r in request.requests_mut() {
            r.headers_mut().insert(KEY_HEADER, self.key.clone());
        }
        self.inner.call(request)
    }
}

/// A user's bundler transport: plain reqwest, the key added per request.
#[derive(Debug)]
struct KeyedTransport {
    http: reqwest::Client,
    url: String,
}

impl BundlerTransport for KeyedTransport {
    fn send(&self, body: String) -> TransportFuture<'_> {
        Box::pin(async move {
            let response = self
                .http
                .post(&self.url)
                .header(KEY_HEADER, BUNDLER_KEY)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map_err(|e| {
                    if e.is_connect() {
                        DeliveryError::not_delivered(e.without_url().to_string())
                    } else {
                        DeliveryError::maybe_delivered(e.without_url().to_string())
                    }
                })?;
            let status = response.status().as_u16();
            let body = response
                .bytes()
                .await
                .map_err(|e| DeliveryError::maybe_delivered(e.without_url().to_string()))?;
            if status != 200 {
                return Err(DeliveryError::http_status(status, &body));
            }
            Ok(body.to_vec())
        })
    }
}

/// The user's provider: their layers (a counter the clients can read, the key) over HTTP.
fn provider(url: &str, key: Option<&str>, counter: &RequestCountLayer) -> DynProvider {
    let url = url.parse().unwrap();
    let client = match key {
        Some(key) => ClientBuilder::default()
            .layer(counter.clone())
            .layer(ApiKeyLayer(HeaderValue::from_str(key).unwrap()))
            .http(url),
        None => ClientBuilder::default().layer(counter.clone()).http(url),
    };
    RootProvider::new(client).erased()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_work_through_the_users_provider_and_transports() {
    let devnet = Devnet::start().await.unwrap();
    let node_gate = Gate::start(devnet.rpc_url(), gate_config(NODE_KEY))
        .await
        .unwrap();
    let bundler_gate = Gate::start(devnet.bundler_url(), gate_config(BUNDLER_KEY))
        .await
        .unwrap();
    let counter = RequestCountLayer::new();
    let node = NodeEndpoint::provider(provider(&node_gate.url(), Some(NODE_KEY), &counter))
        .with_request_counter(counter.clone());
    // The owner: the bundler through an alloy RPC client with the same key layer (one middleware
    // stack for node and bundler), wrapped as a prepared bundler client.
    let bundler_rpc = ClientBuilder::default()
        .layer(ApiKeyLayer(HeaderValue::from_static(BUNDLER_KEY)))
        .http(bundler_gate.url().parse().unwrap());
    let bundler =
        BundlerClient::builder_with_transport(AlloyTransport::new(bundler_rpc.transport().clone()))
            .build()
            .unwrap();
    // The session key: the same provider, a transport of its own.
    let transport = KeyedTransport {
        http: reqwest::Client::new(),
        url: bundler_gate.url(),
    };
    let (owner, session, target) = grant_and_use_via(
        &devnet,
        node,
        bundler.into(),
        BundlerEndpoint::transport(transport),
    )
    .await
    .unwrap();
    let chain = Chain::of(&devnet).await.unwrap();
    assert_eq!(chain.counter_number(target).await.unwrap(), 1);

    // Everything went through the gates with the keys, and the user's counter saw each request.
    assert_eq!(node_gate.refused(), 0);
    assert_eq!(bundler_gate.refused(), 0);
    let counts = counter.counts();
    assert_eq!(counts.total as usize, node_gate.forwarded(), "{counts:?}");
    assert!(
        counts.get("eth_call:isPermissionEnabled") >= 1,
        "calls are named: {counts:?}"
    );
    assert_eq!(owner.node_request_counts(), session.node_request_counts());
    let bundler_requests = owner.rpc_stats().bundler + session.rpc_stats().bundler;
    assert_eq!(bundler_requests as usize, bundler_gate.forwarded());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_key_is_refused_and_reported_not_sent() {
    let devnet = Devnet::start().await.unwrap();
    let node_gate = Gate::start(devnet.rpc_url(), gate_config(NODE_KEY))
        .await
        .unwrap();
    let bundler_gate = Gate::start(devnet.bundler_url(), gate_config(BUNDLER_KEY))
        .await
        .unwrap();

    // A provider without the key layer: the first read (eth_chainId) is refused.
    let counter = RequestCountLayer::new();
    let err = NexusClient::builder(
        PrivateKeySigner::random(),
        NodeEndpoint::provider(provider(&node_gate.url(), None, &counter)),
        bundler_gate.url(),
        devnet.deployment(),
    )
    .build()
    .await
    .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Rpc {
                method: "eth_chainId",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("401"), "{err}");
    assert_eq!(node_gate.refused(), 1);
    assert_eq!(node_gate.forwarded(), 0);

    // A bundler client without the key: HTTP 401, not retried, definitely not sent.
    let bundler = BundlerClient::new(&bundler_gate.url()).unwrap();
    let err = bundler.supported_entry_points().await.unwrap_err();
    assert!(
        matches!(
            err,
            BundlerError::Transport {
                status: Some(401),
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_definitely_not_sent());
    assert_eq!(bundler_gate.refused(), 1);
    assert_eq!(bundler_gate.forwarded(), 0);
}
