//! The client over an in-memory `BundlerTransport` (no network): the request bodies it writes
//! (JSON-RPC 2.0 envelopes with fresh ids, the operation in its wire shape), and how each class of
//! `DeliveryError` a transport reports turns into retries and send outcomes. Then `AlloyTransport`
//! (an alloy RPC client's transport) against the loopback stub: answers and failure classes.

mod support;

use alloy_primitives::B256;
use alloy_rpc_client::ClientBuilder;
use nexus_sessions_bundler::{
    AlloyTransport, BundlerClient, BundlerError, BundlerTransport, Delivery, DeliveryError,
    TransportFuture, install_tls_provider,
};
use nexus_sessions_userop::{ENTRY_POINT_V07, UserOperation};
use serde_json::{Value, json};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};
use support::{Reply, Stub, refused_url};

const CHAIN_ID: u64 = 31337;

/// What the mock does with a request: `(method, attempt of that method)` → a reply body or a
/// delivery error.
type Script = dyn Fn(&str, usize) -> Result<Value, DeliveryError> + Send + Sync;

/// Records every request body and answers from a script.
struct Mock {
    requests: Arc<Mutex<Vec<Value>>>,
    script: Box<Script>,
}

impl std::fmt::Debug for Mock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Mock")
    }
}

impl BundlerTransport for Mock {
    fn send(&self, body: String) -> TransportFuture<'_> {
        Box::pin(async move {
            let request: Value = serde_json::from_str(&body).expect("the client sends JSON");
            let method = request["method"].as_str().unwrap_or_default().to_owned();
            let attempt = {
                let mut requests = self.requests.lock().unwrap();
                requests.push(request.clone());
                requests.iter().filter(|r| r["method"] == method).count()
            };
            let result = (self.script)(&method, attempt)?;
            let reply = json!({"jsonrpc": "2.0", "id": request["id"], "result": result});
            Ok(reply.to_string().into_bytes())
        })
    }
}

fn client(
    script: impl Fn(&str, usize) -> Result<Value, DeliveryError> + Send + Sync + 'static,
) -> (BundlerClient, Arc<Mutex<Vec<Value>>>) {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let mock = Mock {
        requests: requests.clone(),
        script: Box::new(script),
    };
    let client = BundlerClient::builder_with_transport(mock)
        .chain_id(CHAIN_ID)
        .max_retries(2)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(2))
        .send_lookup(Duration::from_millis(50))
        .build()
        .unwrap();
    (client, requests)
}

fn op() -> UserOperation {
    support::sample_op(5)
}

fn hash() -> B256 {
    op().hash(ENTRY_POINT_V07, CHAIN_ID)
}

#[tokio::test]
async fn requests_are_json_rpc_envelopes_with_fresh_ids_and_wire_shaped_operations() {
    let (bundler, requests) = client(|method, _| match method {
        "eth_sendUserOperation" => Ok(json!(hash())),
        "eth_supportedEntryPoints" => Ok(json!([ENTRY_POINT_V07])),
        other => panic!("unexpected {other}"),
    });
    assert!(bundler.url().is_none(), "no URL with a transport");
    assert_eq!(
        bundler.supported_entry_points().await.unwrap(),
        vec![ENTRY_POINT_V07]
    );
    assert_eq!(
        bundler
            .send_user_operation(&op(), ENTRY_POINT_V07)
            .await
            .unwrap(),
        hash()
    );

    let requests = requests.lock().unwrap();
    assert_eq!(requests.len(), 2);
    for r in requests.iter() {
        assert_eq!(r["jsonrpc"], "2.0");
        assert_eq!(r.as_object().unwrap().len(), 4, "{r}");
    }
    assert_ne!(
        requests[0]["id"], requests[1]["id"],
        "every request its own id"
    );
    assert_eq!(requests[0]["method"], "eth_supportedEntryPoints");
    assert_eq!(
        requests[0]["params"],
        json!([]),
        "alto rejects missing params"
    );
    assert_eq!(requests[1]["method"], "eth_sendUserOperation");
    let params = requests[1]["params"].as_array().unwrap();
    assert_eq!(params.len(), 2);
    assert_eq!(params[0], serde_json::to_value(op()).unwrap());
    assert_eq!(params[0]["nonce"], "0x5", "quantities as hex");
    assert_eq!(params[1], json!(ENTRY_POINT_V07));
    assert_eq!(bundler.request_counts().get("eth_sendUserOperation"), 1);
}

#[tokio::test]
async fn a_derived_client_shares_the_transport_and_keeps_its_own_counters() {
    let (bundler, requests) = client(|_, _| Err(DeliveryError::not_delivered("refused")));
    let derived = bundler.to_builder().max_retries(0).build().unwrap();
    assert!(derived.supported_entry_points().await.is_err());
    assert_eq!(
        requests.lock().unwrap().len(),
        1,
        "no retry on the derived client"
    );
    assert_eq!(derived.request_count(), 1);
    assert_eq!(bundler.request_count(), 0);
    // The chain id known to the original is kept: no eth_chainId asked.
    assert_eq!(derived.chain_id().await.unwrap(), CHAIN_ID);
    assert_eq!(requests.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn not_delivered_errors_are_retried_and_a_send_that_never_arrived_is_not_sent() {
    // Refused twice, then answered: the client retries and gets the answer.
    let (bundler, requests) = client(|_, attempt| {
        if attempt < 3 {
            Err(DeliveryError::not_delivered("connection refused"))
        } else {
            Ok(json!([ENTRY_POINT_V07]))
        }
    });
    assert_eq!(
        bundler.supported_entry_points().await.unwrap(),
        vec![ENTRY_POINT_V07]
    );
    assert_eq!(requests.lock().unwrap().len(), 3);

    // Never delivered: the send is definitely not sent, never unknown.
    let (bundler, requests) = client(|_, _| Err(DeliveryError::not_delivered("refused")));
    let err = bundler
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap_err();
    assert!(err.is_definitely_not_sent(), "{err:?}");
    assert!(err.unknown_outcome().is_none());
    assert_eq!(requests.lock().unwrap().len(), 3, "1 attempt + 2 retries");
}

#[tokio::test]
async fn refused_requests_are_not_retried() {
    let (bundler, requests) = client(|_, _| Err(DeliveryError::http_status(401, b"no key")));
    let err = bundler
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            BundlerError::Transport {
                status: Some(401),
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_definitely_not_sent());
    assert_eq!(requests.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_send_that_may_have_arrived_is_unknown_with_its_hash_never_failed() {
    // Every send attempt may have arrived; the look-up never finds the operation.
    let (bundler, requests) = client(|method, _| match method {
        "eth_sendUserOperation" => Err(DeliveryError::maybe_delivered("connection reset")),
        "eth_getUserOperationByHash" => Ok(Value::Null),
        other => panic!("unexpected {other}"),
    });
    let err = bundler
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap_err();
    let (unknown_hash, resend) = err.unknown_outcome().expect("outcome unknown");
    assert_eq!(unknown_hash, hash());
    assert_eq!(resend, &op(), "the signed operation, to resend as is");
    assert!(!err.is_definitely_not_sent());
    let requests = requests.lock().unwrap();
    let sends: Vec<&Value> = requests
        .iter()
        .filter(|r| r["method"] == "eth_sendUserOperation")
        .collect();
    assert!(sends.len() >= 3, "{}", sends.len());
    assert!(
        sends.iter().all(|r| r["params"] == sends[0]["params"]),
        "every resend is the same signed operation"
    );
}

#[tokio::test]
async fn a_transport_that_hangs_is_bounded_by_the_request_timeout() {
    #[derive(Debug)]
    struct Hangs;
    impl BundlerTransport for Hangs {
        fn send(&self, _: String) -> TransportFuture<'_> {
            Box::pin(std::future::pending())
        }
    }
    let bundler = BundlerClient::builder_with_transport(Hangs)
        .chain_id(CHAIN_ID)
        .request_timeout(Duration::from_millis(20))
        .max_retries(1)
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(1))
        .build()
        .unwrap();
    let err = bundler.supported_entry_points().await.unwrap_err();
    assert!(
        matches!(err, BundlerError::Timeout { attempts: 2, .. }),
        "{err:?}"
    );
}

fn alloy_transport(url: &str) -> AlloyTransport {
    install_tls_provider();
    let rpc = ClientBuilder::default().http(url.parse().unwrap());
    AlloyTransport::new(rpc.transport().clone())
}

#[tokio::test]
async fn an_alloy_transport_carries_the_clients_envelope() {
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "eth_sendUserOperation" => Reply::Result(json!(hash())),
        _ => Reply::error(-32601, "no such method"),
    })
    .await;
    let bundler = BundlerClient::builder_with_transport(alloy_transport(&stub.url()))
        .chain_id(CHAIN_ID)
        .build()
        .unwrap();
    assert_eq!(
        bundler
            .send_user_operation(&op(), ENTRY_POINT_V07)
            .await
            .unwrap(),
        hash()
    );
    let requests = stub.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].params[0], serde_json::to_value(op()).unwrap());
    // A JSON-RPC error comes back as one, not as a transport failure.
    let err = bundler.supported_entry_points().await.unwrap_err();
    assert!(
        matches!(err, BundlerError::Rpc { code: -32601, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_alloy_transport_classifies_failures() {
    let body = r#"{"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":[]}"#;
    let refused = alloy_transport(&refused_url().await)
        .send(body.into())
        .await
        .unwrap_err();
    assert_eq!(refused.delivery(), Delivery::NotDelivered, "{refused}");
    assert!(refused.is_retryable());

    let stub = Stub::start(|_, n| match n {
        0 => Reply::Status(401, "no key".into()),
        _ => Reply::Status(503, "busy".into()),
    })
    .await;
    let transport = alloy_transport(&stub.url());
    let unauthorized = transport.send(body.into()).await.unwrap_err();
    assert_eq!(unauthorized.status(), Some(401));
    assert_eq!(unauthorized.delivery(), Delivery::NotDelivered);
    assert!(!unauthorized.is_retryable());
    let busy = transport.send(body.into()).await.unwrap_err();
    assert_eq!(busy.status(), Some(503));
    assert_eq!(busy.delivery(), Delivery::MaybeDelivered);
    assert!(busy.is_retryable());
}
