//! The ERC-7677 paymaster client against a loopback stub service: the request shape, typed answers,
//! hostile answers as typed errors, faults, and URL secrets kept out of errors and Debug.

mod support;

use alloy_primitives::Bytes;
use nexus_sessions_bundler::{BundlerError, PaymasterClient};
use nexus_sessions_userop::{ENTRY_POINT_V07, UserOperation};
use serde_json::{Value, json};
use std::time::Duration;
use support::{Reply, Stub, refused_url};

const CHAIN_ID: u64 = 31337;
const PAYMASTER: &str = "0x2222222222222222222222222222222222222222";

fn client(url: &str) -> PaymasterClient {
    PaymasterClient::builder(url)
        .request_timeout(Duration::from_millis(500))
        .max_retries(1)
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(20))
        .build()
        .unwrap()
}

fn op() -> UserOperation {
    support::sample_op(5)
}

fn answering(result: Value) -> impl Fn(&support::Request, usize) -> Reply + Send + Sync {
    move |_, _| Reply::Result(result.clone())
}

#[tokio::test]
async fn stub_and_final_data_round_trip() {
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "pm_getPaymasterStubData" => Reply::Result(json!({
            "paymaster": PAYMASTER,
            "paymasterData": format!("0x{}", "00".repeat(77)),
            "paymasterVerificationGasLimit": "0x9c40",
            "paymasterPostOpGasLimit": "0x0",
            "sponsor": {"name": "Devnet", "icon": "data:,"}
        })),
        "pm_getPaymasterData" => Reply::Result(json!({
            "paymaster": PAYMASTER,
            "paymasterData": "0xabcdef"
        })),
        other => panic!("unexpected method {other}"),
    })
    .await;
    let pm = client(&stub.url());
    let ctx = json!({"policy": "sp_1"});
    let mut op = op();
    let s = pm
        .stub_data(&op, ENTRY_POINT_V07, CHAIN_ID, Some(&ctx))
        .await
        .unwrap();
    assert_eq!(
        s.paymaster,
        PAYMASTER.parse::<alloy_primitives::Address>().unwrap()
    );
    assert_eq!(s.paymaster_data.len(), 77);
    assert_eq!(s.paymaster_verification_gas_limit, Some(40_000));
    assert!(!s.is_final);
    assert_eq!(s.sponsor.as_ref().unwrap().name, "Devnet");
    s.apply_to(&mut op);
    assert_eq!(op.paymaster_verification_gas_limit, 40_000);
    op.call_gas_limit = 100_000;
    let d = pm
        .data(&op, ENTRY_POINT_V07, CHAIN_ID, Some(&ctx))
        .await
        .unwrap();
    d.apply_to(&mut op);
    assert_eq!(op.paymaster_data, Bytes::from(vec![0xab, 0xcd, 0xef]));
    assert_eq!(op.paymaster_verification_gas_limit, 40_000, "limits stay");

    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        let p = r.params.as_array().expect("params array");
        assert_eq!(p.len(), 4, "[userOp, entryPoint, chainId, context]");
        assert_eq!(p[1], json!(ENTRY_POINT_V07));
        assert_eq!(p[2], json!("0x7a69"));
        assert_eq!(p[3], ctx);
    }
    assert!(requests[0].params[0].get("paymaster").is_none());
    assert_eq!(requests[1].params[0]["paymaster"], json!(PAYMASTER));
    assert_eq!(requests[1].params[0]["callGasLimit"], json!("0x186a0"));
    assert_eq!(pm.request_count(), 2);
}

#[tokio::test]
async fn data_as_stub_asks_the_data_method_for_stub_data() {
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "pm_getPaymasterData" => Reply::Result(json!({
            "paymaster": PAYMASTER,
            "paymasterData": "0x01",
            "paymasterVerificationGasLimit": "0x100"
        })),
        _ => Reply::error(-32601, "method not found"),
    })
    .await;
    let pm = PaymasterClient::builder(&stub.url())
        .data_as_stub(true)
        .build()
        .unwrap();
    assert_ne!(pm, client(&stub.url()), "another way of asking");
    let s = pm
        .stub_data(&op(), ENTRY_POINT_V07, CHAIN_ID, None)
        .await
        .unwrap();
    assert_eq!(s.paymaster_verification_gas_limit, Some(0x100));
    assert!(!s.is_final);
    assert_eq!(stub.count("pm_getPaymasterData"), 1);
    assert_eq!(stub.count("pm_getPaymasterStubData"), 0);
}

#[tokio::test]
async fn no_context_is_sent_as_an_empty_object() {
    let stub = Stub::start(answering(
        json!({"paymaster": PAYMASTER, "paymasterData": "0x", "isFinal": true}),
    ))
    .await;
    let s = client(&stub.url())
        .stub_data(&op(), ENTRY_POINT_V07, CHAIN_ID, None)
        .await
        .unwrap();
    assert!(s.is_final);
    assert_eq!(stub.requests()[0].params[3], json!({}));
}

#[tokio::test]
async fn hostile_answers_are_typed_errors_naming_the_method() {
    let cases = [
        json!(null),
        json!("0x1234"),
        json!({"paymasterData": "0x"}),
        json!({"paymaster": "0x0000000000000000000000000000000000000000", "paymasterData": "0x"}),
        json!({"paymaster": PAYMASTER, "paymasterData": "not hex"}),
        json!({"paymasterAndData": format!("{PAYMASTER}00")}),
        json!({"paymaster": PAYMASTER, "paymasterData": "0x", "paymasterVerificationGasLimit": "-1"}),
        json!({"paymaster": PAYMASTER, "paymasterData": "0x",
               "paymasterPostOpGasLimit": format!("0x1{}", "0".repeat(32))}),
    ];
    for bad in cases {
        let stub = Stub::start(answering(bad.clone())).await;
        let err = client(&stub.url())
            .stub_data(&op(), ENTRY_POINT_V07, CHAIN_ID, None)
            .await
            .unwrap_err();
        match &err {
            BundlerError::InvalidResponse { method, .. } => {
                assert_eq!(*method, "pm_getPaymasterStubData", "{bad}")
            }
            other => panic!("{bad}: expected InvalidResponse, got {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains("paymaster service"), "{text}");
        assert!(
            err.is_definitely_not_sent(),
            "nothing was sent to a bundler"
        );
    }
    // Final data: same checks.
    let stub = Stub::start(answering(json!({"paymaster": PAYMASTER}))).await;
    let err = client(&stub.url())
        .data(&op(), ENTRY_POINT_V07, CHAIN_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            BundlerError::InvalidResponse {
                method: "pm_getPaymasterData",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn service_errors_and_faults() {
    let stub = Stub::start(|_, _| Reply::error(-32602, "sponsorship policy not found")).await;
    let err = client(&stub.url())
        .stub_data(&op(), ENTRY_POINT_V07, CHAIN_ID, None)
        .await
        .unwrap_err();
    assert_eq!(err.rpc_code(), Some(-32602));
    assert!(err.to_string().contains("paymaster service said"), "{err}");

    // Malformed body, HTTP 500 (retried, then reported), refused connection.
    let stub = Stub::start(|_, _| Reply::Raw("<html>".into())).await;
    let err = client(&stub.url())
        .data(&op(), ENTRY_POINT_V07, CHAIN_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, BundlerError::InvalidResponse { .. }),
        "{err:?}"
    );
    let stub = Stub::start(|_, _| Reply::Status(500, "down".into())).await;
    let err = client(&stub.url())
        .data(&op(), ENTRY_POINT_V07, CHAIN_ID, None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            BundlerError::Transport {
                attempts: 2,
                status: Some(500),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(stub.count("pm_getPaymasterData"), 2);
    let err = client(&refused_url().await)
        .stub_data(&op(), ENTRY_POINT_V07, CHAIN_ID, None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("paymaster service unreachable"),
        "{err}"
    );
}

#[tokio::test]
async fn an_inconsistent_operation_is_refused_before_any_request() {
    let stub = Stub::start(answering(json!(null))).await;
    let mut bad = op();
    bad.paymaster = None;
    bad.paymaster_data = Bytes::from(vec![1]);
    let err = client(&stub.url())
        .stub_data(&bad, ENTRY_POINT_V07, CHAIN_ID, None)
        .await
        .unwrap_err();
    assert!(matches!(err, BundlerError::UserOperation(_)), "{err:?}");
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn url_secrets_stay_out_of_debug_and_errors() {
    let url =
        "http://user:hunter2@127.0.0.1:1/rpc/0123456789abcdef0123456789abcdef?apikey=pm_secret_key";
    let pm = client(url);
    let debug = format!("{pm:?}");
    let builder = format!("{:?}", PaymasterClient::builder(url));
    let err = pm
        .stub_data(&op(), ENTRY_POINT_V07, CHAIN_ID, None)
        .await
        .unwrap_err();
    for text in [debug, builder, err.to_string(), format!("{err:?}")] {
        for secret in [
            "hunter2",
            "0123456789abcdef0123456789abcdef",
            "pm_secret_key",
        ] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
}
