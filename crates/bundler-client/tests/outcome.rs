//! Send outcomes (not sent / unknown with the hash), JSON-RPC id checks and receipt waiting that
//! rides out faults, against the loopback stub. The same promises against a real alto behind a
//! fault-injecting proxy: `tests/tests/faults.rs`.

mod support;

use alloy_primitives::B256;
use nexus_sessions_bundler::{AaCode, BundlerClient, BundlerError, ReceiptPolling};
use nexus_sessions_userop::{ENTRY_POINT_V07, UserOperation};
use serde_json::json;
use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};
use support::{Reply, Stub, refused_url};

const CHAIN_ID: u64 = 31337;

fn op() -> UserOperation {
    support::sample_op(7)
}

fn hash() -> B256 {
    op().hash(ENTRY_POINT_V07, CHAIN_ID)
}

/// Short timeouts, a 300 ms look-up window and a 50 ms forgotten-operation resend.
fn client(url: &str) -> BundlerClient {
    BundlerClient::builder(url)
        .chain_id(CHAIN_ID)
        .request_timeout(Duration::from_millis(300))
        .max_retries(1)
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(20))
        .receipt_polling(ReceiptPolling::fixed(Duration::from_millis(20)))
        .send_lookup(Duration::from_millis(300))
        .resend_forgotten_after(Some(Duration::from_millis(50)))
        .build()
        .unwrap()
}

fn by_hash_json() -> serde_json::Value {
    json!({
        "userOperation": op(), "entryPoint": ENTRY_POINT_V07,
        "blockNumber": null, "blockHash": null, "transactionHash": null
    })
}

fn receipt_json(hash: B256) -> serde_json::Value {
    json!({
        "userOpHash": hash, "entryPoint": ENTRY_POINT_V07,
        "sender": "0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb", "nonce": "0x7",
        "actualGasCost": "0x1", "actualGasUsed": "0x1", "success": true, "logs": [],
        "receipt": {
            "transactionHash": "0x2222222222222222222222222222222222222222222222222222222222222222",
            "blockHash": "0x3333333333333333333333333333333333333333333333333333333333333333",
            "blockNumber": "0x10", "status": "0x1", "logs": []
        }
    })
}

/// Asserts `err` is an unknown outcome for [`op`] and not "not sent".
fn assert_unknown(err: &BundlerError, case: &str) {
    let (h, sent) = err
        .unknown_outcome()
        .unwrap_or_else(|| panic!("{case}: not an unknown outcome: {err:?}"));
    assert_eq!(h, hash(), "{case}");
    assert_eq!(sent, &op(), "{case}");
    assert!(!err.is_definitely_not_sent(), "{case}");
    let line = err.to_string();
    assert!(line.contains(&hash().to_string()), "{case}: {line}");
    assert!(
        line.contains("resend the same signed operation"),
        "{case}: {line}"
    );
}

#[tokio::test]
async fn answers_with_another_id_are_a_typed_error() {
    let stub = Stub::start(|_, _| {
        Reply::Raw(r#"{"jsonrpc":"2.0","id":424242,"result":["0x0000000071727De22E5E9d8BAf0edAc6f37da032"]}"#.into())
    })
    .await;
    let err = client(&stub.url())
        .supported_entry_points()
        .await
        .unwrap_err();
    match &err {
        BundlerError::IdMismatch {
            method, received, ..
        } => {
            assert_eq!(*method, "eth_supportedEntryPoints");
            assert_eq!(received, "424242");
        }
        other => panic!("unexpected {other:?}"),
    }
    // An error about an unreadable request may carry a null id (JSON-RPC 2.0): accepted.
    let stub = Stub::start(|_, _| {
        Reply::Raw(
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}"#.into(),
        )
    })
    .await;
    let err = client(&stub.url())
        .supported_entry_points()
        .await
        .unwrap_err();
    assert_eq!(err.rpc_code(), Some(-32700), "{err:?}");
}

#[tokio::test]
async fn a_send_answered_with_another_id_is_unknown_not_failed() {
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "eth_sendUserOperation" => Reply::Raw(format!(
            r#"{{"jsonrpc":"2.0","id":99999,"result":"{}"}}"#,
            hash()
        )),
        _ => Reply::Result(json!(null)),
    })
    .await;
    let started = Instant::now();
    let err = client(&stub.url())
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap_err();
    assert_unknown(&err, "wrong id");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "looked up for the window"
    );
    assert!(stub.count("eth_getUserOperationByHash") >= 2);
    assert!(matches!(
        err,
        BundlerError::OutcomeUnknown { ref cause, .. } if matches!(**cause, BundlerError::IdMismatch { .. })
    ));
}

#[tokio::test]
async fn refused_connections_are_definitely_not_sent() {
    let err = client(&refused_url().await)
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap_err();
    assert!(matches!(err, BundlerError::Transport { .. }), "{err:?}");
    assert!(err.is_definitely_not_sent(), "{err}");
    assert!(err.unknown_outcome().is_none());
}

#[tokio::test]
async fn a_typed_rejection_of_the_first_delivered_attempt_is_not_sent() {
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "eth_sendUserOperation" => Reply::error(-32507, "AA24 signature error"),
        _ => Reply::Result(json!(null)),
    })
    .await;
    let err = client(&stub.url())
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap_err();
    assert_eq!(err.aa_code(), Some(AaCode::AA24));
    assert!(err.is_definitely_not_sent());
    assert_eq!(stub.count("eth_sendUserOperation"), 1);
}

#[tokio::test]
async fn lost_answers_are_looked_up_and_settled_when_the_bundler_has_the_operation() {
    // Every send answer is lost (hang-up after reading); the bundler knows the operation.
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "eth_sendUserOperation" => Reply::Hangup,
        _ => Reply::Result(by_hash_json()),
    })
    .await;
    let sent = client(&stub.url())
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap();
    assert_eq!(sent, hash());

    // The bundler never shows it: unknown, with the hash and the operation.
    for reply in [
        Reply::Hangup,
        Reply::Status(502, "bad gateway".into()),
        Reply::Status(429, "slow down".into()),
        Reply::Raw("{\"jsonrpc\":\"2.0\",\"id\":".into()),
        Reply::error(-32603, "internal error"),
        Reply::Delay(
            Duration::from_secs(2),
            Box::new(Reply::Result(json!(hash()))),
        ),
    ] {
        let case = format!("{reply:?}");
        let stub = Stub::start(move |req, _| match req.method.as_str() {
            "eth_sendUserOperation" => reply.clone(),
            _ => Reply::Result(json!(null)),
        })
        .await;
        let err = client(&stub.url())
            .send_user_operation(&op(), ENTRY_POINT_V07)
            .await
            .unwrap_err();
        assert_unknown(&err, &case);
    }
}

#[tokio::test]
async fn an_unclear_first_answer_then_already_known_is_sent() {
    let stub = Stub::start(|req, n| match (req.method.as_str(), n) {
        ("eth_sendUserOperation", 0) => Reply::error(-32603, "upstream hiccup"),
        ("eth_sendUserOperation", _) => Reply::error(-32602, "Already known"),
        _ => Reply::Result(json!(null)),
    })
    .await;
    let sent = client(&stub.url())
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap();
    assert_eq!(sent, hash());
}

#[tokio::test]
async fn a_rejection_after_a_possibly_delivered_attempt_proves_nothing() {
    // Attempt 1 times out (it may have landed and used up the session), attempt 2 is refused with
    // AA23: that refusal may be the consequence of the first landing.
    let included = Arc::new(AtomicBool::new(false));
    let seen = included.clone();
    let stub = Stub::start(move |req, n| match (req.method.as_str(), n) {
        ("eth_sendUserOperation", 0) => {
            Reply::Delay(Duration::from_secs(2), Box::new(Reply::Result(json!(null))))
        }
        ("eth_sendUserOperation", _) => Reply::error(-32500, "AA23 reverted 0x"),
        ("eth_getUserOperationByHash", _) if seen.load(Ordering::Relaxed) => {
            Reply::Result(by_hash_json())
        }
        _ => Reply::Result(json!(null)),
    })
    .await;
    let err = client(&stub.url())
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap_err();
    assert_unknown(&err, "AA23 after a timeout");
    // Once the bundler shows the operation, the same call settles it as sent.
    included.store(true, Ordering::Relaxed);
    let stub2_hash = client(&stub.url())
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await;
    assert_eq!(stub2_hash.unwrap(), hash());
}

#[tokio::test]
async fn receipt_waiting_rides_out_faults_until_the_receipt() {
    let stub = Stub::start(|_, n| match n % 6 {
        _ if n >= 12 => Reply::Result(receipt_json(hash())),
        0 => Reply::Raw("not json".into()),
        1 => Reply::error(-32603, "internal"),
        2 => Reply::Raw(r#"{"jsonrpc":"2.0","id":123456,"result":null}"#.into()),
        3 => Reply::Status(503, "unavailable".into()),
        4 => Reply::Result(json!({"unexpected": true})),
        _ => Reply::Result(json!(null)),
    })
    .await;
    let receipt = client(&stub.url())
        .wait_for_receipt(hash(), Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(receipt.user_op_hash, hash());

    // Strict: the first unreadable answer ends the wait.
    let stub = Stub::start(|_, _| Reply::Raw("not json".into())).await;
    let strict = BundlerClient::builder(&stub.url())
        .chain_id(CHAIN_ID)
        .ride_out_receipt_faults(false)
        .build()
        .unwrap();
    let err = strict
        .wait_for_receipt(hash(), Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(
        matches!(err, BundlerError::InvalidResponse { .. }),
        "{err:?}"
    );
    assert!(
        !err.is_definitely_not_sent(),
        "a receipt error comes after a send"
    );

    // Refused connections until the deadline: a timeout with the hash.
    let err = client(&refused_url().await)
        .wait_for_receipt(hash(), Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(err, BundlerError::ReceiptTimeout { hash: h, .. } if h == hash()));
}

#[tokio::test]
async fn a_forgotten_operation_is_resent_once_and_then_included() {
    // The bundler lost its mempool: no receipt and no operation until the operation is sent again.
    let resent = Arc::new(AtomicBool::new(false));
    let flag = resent.clone();
    let stub = Stub::start(move |req, _| match req.method.as_str() {
        "eth_sendUserOperation" if req.params[0] == json!(op()) => {
            flag.store(true, Ordering::Relaxed);
            Reply::Result(json!(hash()))
        }
        "eth_getUserOperationReceipt" if flag.load(Ordering::Relaxed) => {
            Reply::Result(receipt_json(hash()))
        }
        _ => Reply::Result(json!(null)),
    })
    .await;
    let bundler = client(&stub.url());
    let receipt = bundler
        .wait_or_resend(&op(), ENTRY_POINT_V07, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(receipt.user_op_hash, hash());
    assert_eq!(stub.count("eth_sendUserOperation"), 1);
    assert!(resent.load(Ordering::Relaxed));

    // Turned off: no resend, a timeout.
    let stub = Stub::start(|_, _| Reply::Result(json!(null))).await;
    let never = BundlerClient::builder(&stub.url())
        .chain_id(CHAIN_ID)
        .receipt_polling(ReceiptPolling::fixed(Duration::from_millis(20)))
        .resend_forgotten_after(None)
        .build()
        .unwrap();
    let err = never
        .wait_or_resend(&op(), ENTRY_POINT_V07, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        matches!(err, BundlerError::ReceiptTimeout { .. }),
        "{err:?}"
    );
    assert_eq!(stub.count("eth_sendUserOperation"), 0);
}

#[tokio::test]
async fn the_look_up_is_bounded_when_the_bundler_never_answers() {
    let stub = Stub::start(|_, _| {
        Reply::Delay(
            Duration::from_secs(30),
            Box::new(Reply::Result(json!(null))),
        )
    })
    .await;
    let started = Instant::now();
    let err = client(&stub.url())
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap_err();
    assert_unknown(&err, "black hole");
    // 2 send attempts of 300 ms + back-off, then a 300 ms window of rounds of at most 2 × 300 ms.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
