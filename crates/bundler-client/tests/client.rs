//! The client against a loopback stub bundler: happy paths, lenient shapes, every fault class.

mod support;

use alloy_primitives::{B256, Bytes, U256, address, b256};
use alloy_sol_types::{SolError, SolEvent};
use nexus_sessions_bundler::{
    AaCode, BundlerClient, BundlerError, ReceiptPolling, RevertReason, RpcErrorKind,
};
use nexus_sessions_userop::{ENTRY_POINT_V07, UserOperation, abi::IEntryPoint};
use serde_json::json;
use std::time::Duration;
use support::{Reply, Stub, refused_url};

const CHAIN_ID: u64 = 31337;
const HASH: B256 = b256!("0x1111111111111111111111111111111111111111111111111111111111111111");

fn op() -> UserOperation {
    support::sample_op(3)
}

/// A client with short delays so fault tests stay fast.
fn client(url: &str) -> BundlerClient {
    BundlerClient::builder(url)
        .chain_id(CHAIN_ID)
        .request_timeout(Duration::from_millis(500))
        .max_retries(2)
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(40))
        .receipt_polling(ReceiptPolling::backoff(
            Duration::from_millis(10),
            Duration::from_millis(40),
        ))
        .build()
        .unwrap()
}

fn receipt_json(hash: B256, success: bool, logs: serde_json::Value) -> serde_json::Value {
    json!({
        "userOpHash": hash,
        "entryPoint": ENTRY_POINT_V07,
        "sender": "0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb",
        "nonce": "0x3",
        "paymaster": "0x0000000000000000000000000000000000000000",
        "actualGasCost": "0x1d1a94a2000",
        "actualGasUsed": 123456,
        "success": success,
        "reason": "",
        "logs": logs,
        "receipt": {
            "transactionHash": "0x2222222222222222222222222222222222222222222222222222222222222222",
            "blockHash": "0x3333333333333333333333333333333333333333333333333333333333333333",
            "blockNumber": "0x10",
            "from": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            "to": ENTRY_POINT_V07,
            "gasUsed": "0x2dc6c",
            "effectiveGasPrice": "0x77359400",
            "status": "0x1",
            "logs": []
        }
    })
}

#[tokio::test]
async fn send_returns_the_bundlers_hash_with_the_unpacked_wire_form() {
    let local = op().hash(ENTRY_POINT_V07, CHAIN_ID);
    let stub = Stub::start(move |_, _| Reply::Result(json!(local))).await;
    let bundler = client(&stub.url());
    assert_eq!(
        bundler
            .send_user_operation(&op(), ENTRY_POINT_V07)
            .await
            .unwrap(),
        local
    );
    let requests = stub.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "eth_sendUserOperation");
    assert_eq!(requests[0].params, json!([op(), ENTRY_POINT_V07]));
    assert_eq!(requests[0].params[0]["callGasLimit"], json!("0x186a0"));
    assert!(requests[0].params[0].get("factory").is_none());
    assert_eq!(bundler.request_counts().get("eth_sendUserOperation"), 1);
}

#[tokio::test]
async fn already_known_counts_as_success_with_the_local_hash() {
    for message in [
        "Already known",
        "AA25 invalid account nonce: userOp already in mempool",
        "AlreadyKnown",
    ] {
        let stub = Stub::start(move |_, _| Reply::error(-32602, message)).await;
        let hash = client(&stub.url())
            .send_user_operation(&op(), ENTRY_POINT_V07)
            .await
            .unwrap();
        assert_eq!(hash, op().hash(ENTRY_POINT_V07, CHAIN_ID), "{message}");
    }
}

#[tokio::test]
async fn already_known_without_a_configured_chain_asks_eth_chain_id_once() {
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "eth_chainId" => Reply::Result(json!("0x7a69")),
        _ => Reply::error(-32602, "Already known"),
    })
    .await;
    let bundler = BundlerClient::new(&stub.url()).unwrap();
    let expected = op().hash(ENTRY_POINT_V07, 31337);
    assert_eq!(
        bundler
            .send_user_operation(&op(), ENTRY_POINT_V07)
            .await
            .unwrap(),
        expected
    );
    assert_eq!(
        bundler
            .send_user_operation(&op(), ENTRY_POINT_V07)
            .await
            .unwrap(),
        expected
    );
    assert_eq!(stub.count("eth_chainId"), 1);
    assert_eq!(bundler.request_count(), 3);
}

#[tokio::test]
async fn resend_after_a_lost_answer_is_safe() {
    // The first send reaches the bundler but the answer never comes back; the retry is "already known".
    let stub = Stub::start(|_, n| match n {
        0 => Reply::Delay(Duration::from_secs(5), Box::new(Reply::Result(json!(HASH)))),
        _ => Reply::error(-32602, "Already known"),
    })
    .await;
    let bundler = client(&stub.url());
    let hash = bundler
        .send_user_operation(&op(), ENTRY_POINT_V07)
        .await
        .unwrap();
    assert_eq!(hash, op().hash(ENTRY_POINT_V07, CHAIN_ID));
    assert_eq!(stub.count("eth_sendUserOperation"), 2);
}

#[tokio::test]
async fn resend_after_inclusion_is_recognised_by_hash() {
    let local = op().hash(ENTRY_POINT_V07, CHAIN_ID);
    let stub = Stub::start(move |req, _| match req.method.as_str() {
        "eth_sendUserOperation" => Reply::error(
            -32500,
            "UserOperation reverted with reason: AA25 invalid account nonce",
        ),
        "eth_getUserOperationByHash" if req.params[0] == json!(local) => Reply::Result(json!({
            "userOperation": op(), "entryPoint": ENTRY_POINT_V07,
            "blockNumber": "0x1", "blockHash": HASH, "transactionHash": HASH
        })),
        _ => Reply::Result(json!(null)),
    })
    .await;
    assert_eq!(
        client(&stub.url())
            .send_user_operation(&op(), ENTRY_POINT_V07)
            .await
            .unwrap(),
        local
    );

    // A different operation with the same nonce is a real AA25.
    let mut other = op();
    other.call_data = Bytes::from_static(&[1, 2, 3]);
    let err = client(&stub.url())
        .send_user_operation(&other, ENTRY_POINT_V07)
        .await
        .unwrap_err();
    assert_eq!(err.aa_code(), Some(AaCode::AA25));
    assert!(err.to_string().contains("getNonce"), "{err}");
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let stub = Stub::start(|_, n| match n {
        0 => Reply::Status(503, "upstream unavailable".into()),
        1 => Reply::Status(500, "oops".into()),
        _ => Reply::Result(json!(["0x0000000071727De22E5E9d8BAf0edAc6f37da032"])),
    })
    .await;
    let bundler = client(&stub.url());
    assert_eq!(
        bundler.supported_entry_points().await.unwrap(),
        vec![ENTRY_POINT_V07]
    );
    assert_eq!(bundler.request_counts().get("eth_supportedEntryPoints"), 3);
}

#[tokio::test]
async fn persistent_server_errors_give_a_transport_error_with_the_status() {
    let stub = Stub::start(|_, _| Reply::Status(502, "bad gateway".into())).await;
    let err = probe(&client(&stub.url())).await;
    match err {
        BundlerError::Transport {
            attempts, status, ..
        } => {
            assert_eq!(attempts, 3);
            assert_eq!(status, Some(502));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(stub.count("eth_supportedEntryPoints"), 3);
}

/// A read call that is never served from cache, expected to fail.
async fn probe(bundler: &BundlerClient) -> BundlerError {
    bundler.supported_entry_points().await.unwrap_err()
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let stub = Stub::start(|_, _| Reply::Status(401, "unauthorized".into())).await;
    let err = probe(&client(&stub.url())).await;
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
    assert_eq!(stub.requests().len(), 1);
}

#[tokio::test]
async fn timeouts_are_retried_and_reported() {
    let stub = Stub::start(|_, _| {
        Reply::Delay(Duration::from_secs(5), Box::new(Reply::Result(json!([]))))
    })
    .await;
    let bundler = BundlerClient::builder(&stub.url())
        .request_timeout(Duration::from_millis(100))
        .max_retries(1)
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(10))
        .build()
        .unwrap();
    let err = bundler.supported_entry_points().await.unwrap_err();
    assert!(
        matches!(err, BundlerError::Timeout { attempts: 2, timeout, .. } if timeout == Duration::from_millis(100)),
        "{err:?}"
    );
    assert_eq!(bundler.request_count(), 2);
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_after_retries() {
    let bundler = client(&refused_url().await);
    let err = bundler.get_user_operation_receipt(HASH).await.unwrap_err();
    match &err {
        BundlerError::Transport {
            attempts: 3,
            status: None,
            message,
            ..
        } => {
            assert!(!message.is_empty());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(bundler.request_count(), 3);
    assert!(
        err.to_string().contains("unreachable after 3 attempt(s)"),
        "{err}"
    );
}

#[tokio::test]
async fn malformed_json_is_a_typed_error_not_retried() {
    for body in [
        "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":",
        "<html>\n  <body>bad gateway</body>\n</html>",
        "",
    ] {
        let stub = Stub::start(move |_, _| Reply::Raw(body.into())).await;
        let err = probe(&client(&stub.url())).await;
        assert!(
            matches!(
                err,
                BundlerError::InvalidResponse {
                    method: "eth_supportedEntryPoints",
                    ..
                }
            ),
            "{body}: {err:?}"
        );
        assert_eq!(stub.requests().len(), 1, "{body}");
        assert!(!err.to_string().contains('\n'), "{err}");
    }
}

#[tokio::test]
async fn wrong_result_shape_is_a_typed_error() {
    let stub = Stub::start(|_, _| Reply::Result(json!({"preVerificationGas": "0x1"}))).await;
    let err = client(&stub.url())
        .estimate_user_operation_gas(&op(), ENTRY_POINT_V07, None)
        .await
        .unwrap_err();
    match err {
        BundlerError::InvalidResponse {
            method,
            message,
            body,
        } => {
            assert_eq!(method, "eth_estimateUserOperationGas");
            assert!(message.contains("verificationGasLimit"), "{message}");
            assert!(body.contains("preVerificationGas"), "{body}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn estimate_passes_state_overrides_and_reads_alias_names() {
    let stub = Stub::start(|req, _| {
        if req.params.get(2).is_some() {
            // Rundler / older spec names, nulls and decimal numbers.
            Reply::Result(json!({
                "preVerificationGas": 48000,
                "verificationGas": "0x5b309",
                "callGasLimit": "38295",
                "paymasterVerificationGas": null
            }))
        } else {
            // alto's shape (local-devnet-recipe.md §12).
            Reply::Result(json!({
                "preVerificationGas": "0xcb24",
                "verificationGasLimit": "0x5b309",
                "callGasLimit": "0x9597",
                "paymasterVerificationGasLimit": "0x0",
                "paymasterPostOpGasLimit": "0x0"
            }))
        }
    })
    .await;
    let bundler = client(&stub.url());
    let alto = bundler
        .estimate_user_operation_gas(&op(), ENTRY_POINT_V07, None)
        .await
        .unwrap();
    assert_eq!(alto.pre_verification_gas, U256::from(0xcb24));
    assert_eq!(alto.verification_gas_limit, 0x5b309);
    assert_eq!(alto.call_gas_limit, 0x9597);
    assert_eq!(alto.paymaster_post_op_gas_limit, Some(0));

    let overrides =
        json!({"0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb": {"balance": "0xde0b6b3a7640000"}});
    let other = bundler
        .estimate_user_operation_gas(&op(), ENTRY_POINT_V07, Some(overrides.clone()))
        .await
        .unwrap();
    assert_eq!(other.pre_verification_gas, U256::from(48000));
    assert_eq!(other.verification_gas_limit, 0x5b309);
    assert_eq!(other.call_gas_limit, 38295);
    assert_eq!(other.paymaster_verification_gas_limit, None);
    let requests = stub.requests();
    assert_eq!(requests[0].params.as_array().unwrap().len(), 2);
    assert_eq!(requests[1].params[2], overrides);

    let mut filled = op();
    other.apply_to(&mut filled);
    assert_eq!(filled.call_gas_limit, 38295);
}

#[tokio::test]
async fn pending_receipt_is_none_and_wait_backs_off_until_it_arrives() {
    let stub = Stub::start(|req, n| {
        let hash: B256 = serde_json::from_value(req.params[0].clone()).unwrap();
        if n < 3 {
            Reply::Result(json!(null))
        } else {
            Reply::Result(receipt_json(hash, true, json!([])))
        }
    })
    .await;
    let bundler = client(&stub.url());
    assert!(
        bundler
            .get_user_operation_receipt(HASH)
            .await
            .unwrap()
            .is_none()
    );
    let receipt = bundler
        .wait_for_receipt(HASH, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(receipt.success);
    assert_eq!(receipt.user_op_hash, HASH);
    assert_eq!(receipt.paymaster, None, "zero address means no paymaster");
    assert_eq!(receipt.actual_gas_used, U256::from(123456));
    assert_eq!(receipt.receipt.block_number, Some(16));
    assert_eq!(receipt.receipt.status, Some(true));
    assert_eq!(
        receipt.transaction_hash(),
        b256!("0x2222222222222222222222222222222222222222222222222222222222222222")
    );
    assert_eq!(receipt.revert_reason(), None);
    assert_eq!(stub.count("eth_getUserOperationReceipt"), 4);
}

#[tokio::test]
async fn wait_times_out_with_the_hash() {
    let stub = Stub::start(|_, _| Reply::Result(json!(null))).await;
    let bundler = client(&stub.url());
    let err = bundler
        .wait_for_receipt(HASH, Duration::from_millis(200))
        .await
        .unwrap_err();
    match &err {
        BundlerError::ReceiptTimeout { hash, waited } => {
            assert_eq!(*hash, HASH);
            assert!(*waited >= Duration::from_millis(200), "{waited:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    // Backoff: 10, 20, 40, 40, ... ms — far fewer polls than a fixed 10 ms interval would make.
    let polls = stub.count("eth_getUserOperationReceipt");
    assert!((3..=10).contains(&polls), "{polls} polls");
    assert!(err.to_string().contains(&HASH.to_string()));
}

#[tokio::test]
async fn wait_stops_on_a_bundler_error() {
    let stub = Stub::start(|_, _| Reply::error(-32601, "Method not found")).await;
    let err = client(&stub.url())
        .wait_for_receipt(HASH, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(err.rpc_code(), Some(-32601));
    assert!(matches!(
        err,
        BundlerError::Rpc {
            kind: RpcErrorKind::MethodNotFound,
            ..
        }
    ));
}

#[tokio::test]
async fn failed_receipt_decodes_the_revert_reason_from_the_event() {
    let reason = alloy_sol_types::Revert::from("counter overflow").abi_encode();
    let event = IEntryPoint::UserOperationRevertReason {
        userOpHash: HASH,
        sender: address!("0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb"),
        nonce: U256::from(3),
        revertReason: reason.into(),
    };
    let log = event.encode_log_data();
    let logs = json!([{
        "address": ENTRY_POINT_V07,
        "topics": log.topics(),
        "data": log.data,
        "blockNumber": "0x10",
        "logIndex": "0x0",
        "transactionHash": "0x2222222222222222222222222222222222222222222222222222222222222222"
    }]);
    let stub =
        Stub::start(move |_, _| Reply::Result(receipt_json(HASH, false, logs.clone()))).await;
    let receipt = client(&stub.url())
        .get_user_operation_receipt(HASH)
        .await
        .unwrap()
        .unwrap();
    assert!(!receipt.success);
    assert_eq!(receipt.logs.len(), 1);
    assert_eq!(
        receipt.revert_reason(),
        Some(RevertReason::Message("counter overflow".into()))
    );
}

/// An EntryPoint `FailedOpWithRevert` ("AA23 reverted", as a policy violation gives): the
/// account's inner revert bytes and the whole encoded error.
fn aa23_with_inner_revert() -> (Bytes, Vec<u8>) {
    let inner = Bytes::from(vec![0x8b, 0xad, 0xf0, 0x0d, 0, 0, 0, 1]);
    let encoded = IEntryPoint::FailedOpWithRevert {
        opIndex: U256::ZERO,
        reason: "AA23 reverted".into(),
        inner: inner.clone(),
    }
    .abi_encode();
    (inner, encoded)
}

#[tokio::test]
async fn error_codes_map_to_kinds_aa_codes_and_one_actionable_line() {
    let (_, failed_with_revert) = aa23_with_inner_revert();
    let failed = IEntryPoint::FailedOp {
        opIndex: U256::ZERO,
        reason: "AA21 didn't pay prefund".into(),
    }
    .abi_encode();
    let cases = vec![
        (
            -32500,
            "UserOperation reverted with reason: AA13 initCode failed or OOG",
            None,
            RpcErrorKind::ValidationRejected,
            Some(AaCode::AA13),
        ),
        (
            -32501,
            "paymaster validation failed: AA33 reverted",
            None,
            RpcErrorKind::PaymasterRejected,
            Some(AaCode::AA33),
        ),
        (
            -32502,
            "account accessed un-staked storage",
            None,
            RpcErrorKind::BannedOpcode,
            None,
        ),
        (
            -32503,
            "UserOperation expires too soon",
            None,
            RpcErrorKind::OutOfTimeRange,
            None,
        ),
        (
            -32504,
            "paymaster is throttled",
            None,
            RpcErrorKind::ThrottledOrBanned,
            None,
        ),
        (
            -32505,
            "factory stake too low",
            None,
            RpcErrorKind::StakeTooLow,
            None,
        ),
        (
            -32506,
            "unsupported aggregator",
            None,
            RpcErrorKind::UnsupportedAggregator,
            None,
        ),
        (
            -32507,
            "UserOperation reverted with reason: AA24 signature error",
            None,
            RpcErrorKind::InvalidSignature,
            Some(AaCode::AA24),
        ),
        (
            -32508,
            "paymaster deposit too low",
            None,
            RpcErrorKind::PaymasterDepositTooLow,
            None,
        ),
        (
            -32521,
            "execution reverted",
            Some(json!(format!(
                "0x{}",
                alloy_primitives::hex::encode(&failed_with_revert)
            ))),
            RpcErrorKind::ExecutionReverted,
            Some(AaCode::AA23),
        ),
        (
            -32500,
            "validation failed",
            Some(json!({"revertData": format!("0x{}", alloy_primitives::hex::encode(&failed))})),
            RpcErrorKind::ValidationRejected,
            Some(AaCode::AA21),
        ),
        (
            -32602,
            "invalid 1st argument: AA25 invalid account nonce",
            None,
            RpcErrorKind::InvalidParams,
            Some(AaCode::AA25),
        ),
        (
            -32000,
            "AA95 out of gas",
            None,
            RpcErrorKind::Other,
            Some(AaCode::AA95),
        ),
    ];
    for (code, message, data, kind, aa) in cases {
        let data_for_stub = data.clone();
        // Lookups (the AA25 case asks whether this very operation was included) find nothing.
        let stub = Stub::start(move |req, _| match req.method.as_str() {
            "eth_sendUserOperation" => Reply::Error {
                code,
                message: message.into(),
                data: data_for_stub.clone(),
            },
            _ => Reply::Result(json!(null)),
        })
        .await;
        let err = client(&stub.url())
            .send_user_operation(&op(), ENTRY_POINT_V07)
            .await
            .unwrap_err();
        assert_eq!(
            stub.count("eth_sendUserOperation"),
            1,
            "JSON-RPC errors are final ({code})"
        );
        match &err {
            BundlerError::Rpc {
                code: c,
                message: m,
                kind: k,
                aa: a,
                data: d,
                ..
            } => {
                assert_eq!((*c, m.as_str(), *k, *a), (code, message, kind, aa));
                assert_eq!(d.as_deref(), data.as_ref());
            }
            other => panic!("unexpected {other:?}"),
        }
        let line = err.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("eth_sendUserOperation: "), "{line}");
        assert!(line.contains(&code.to_string()), "{line}");
        match aa {
            Some(aa) => assert!(line.contains(aa.explanation()), "{line}"),
            None => assert!(line.contains(kind.description()), "{line}"),
        }
    }
}

#[tokio::test]
async fn failed_op_with_revert_exposes_the_inner_bytes() {
    let (inner, data) = aa23_with_inner_revert();
    let hex = format!("0x{}", alloy_primitives::hex::encode(&data));
    let stub = Stub::start(move |_, _| Reply::Error {
        code: -32500,
        message: "UserOperation reverted during simulation with reason: AA23 reverted".into(),
        data: Some(json!(hex)),
    })
    .await;
    let err = client(&stub.url())
        .estimate_user_operation_gas(&op(), ENTRY_POINT_V07, None)
        .await
        .unwrap_err();
    assert_eq!(err.aa_code(), Some(AaCode::AA23));
    assert_eq!(err.inner_revert(), Some(&inner));
    assert_eq!(err.failed_op().unwrap().reason, "AA23 reverted");
    let line = err.to_string();
    assert!(line.contains("policy violation"), "{line}");
    assert!(line.contains("0x8badf00d00000001"), "{line}");
}

#[tokio::test]
async fn revert_data_quoted_in_an_alto_message_is_exposed() {
    // alto puts the account's revert data in the message text, not in `data`.
    let stub = Stub::start(|_, _| {
        Reply::error(
            -32500,
            "UserOperation reverted during simulation with reason: AA23 reverted 0x3b577361000000000000000000000000000000000000000000000000000000000000002a",
        )
    })
    .await;
    let err = client(&stub.url())
        .estimate_user_operation_gas(&op(), ENTRY_POINT_V07, None)
        .await
        .unwrap_err();
    assert_eq!(err.aa_code(), Some(AaCode::AA23));
    assert!(err.failed_op().is_none());
    let inner = err.inner_revert().expect("inner revert from the message");
    assert_eq!(&inner[..4], &[0x3b, 0x57, 0x73, 0x61]);
    assert_eq!(inner.len(), 36);
}

#[tokio::test]
async fn reads_gas_prices_chain_id_and_operations_by_hash() {
    let stub = Stub::start(|req, _| match req.method.as_str() {
        "pimlico_getUserOperationGasPrice" => Reply::Result(json!({
            "slow": {"maxFeePerGas": "0x1", "maxPriorityFeePerGas": "0x1"},
            "standard": {"maxFeePerGas": "0x2", "maxPriorityFeePerGas": "0x1"},
            "fast": {"maxFeePerGas": "0x3b9aca00", "maxPriorityFeePerGas": "1000"}
        })),
        "eth_chainId" => Reply::Result(json!("0x7a69")),
        "eth_getUserOperationByHash" if req.params[0] == json!(HASH) => Reply::Result(json!({
            "userOperation": {
                "sender": "0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb",
                "nonce": "0x3",
                "factory": null,
                "factoryData": null,
                "callData": "0xe9ae5c53",
                "callGasLimit": "0x186a0",
                "verificationGasLimit": "0x7a120",
                "preVerificationGas": "0xc350",
                "maxFeePerGas": "0x77359400",
                "maxPriorityFeePerGas": "0x3b9aca00",
                "paymaster": null,
                "paymasterVerificationGasLimit": null,
                "paymasterPostOpGasLimit": null,
                "paymasterData": null,
                "signature": format!("0x{}", "aa".repeat(65))
            },
            "entryPoint": ENTRY_POINT_V07,
            "blockNumber": "0x10",
            "blockHash": "0x3333333333333333333333333333333333333333333333333333333333333333",
            "transactionHash": "0x2222222222222222222222222222222222222222222222222222222222222222"
        })),
        "eth_getUserOperationByHash" => {
            // The packed form, as some bundlers return it.
            let packed = op().pack();
            Reply::Result(json!({
                "userOperation": {
                    "sender": packed.sender, "nonce": "0x3", "initCode": "0x", "callData": packed.call_data,
                    "accountGasLimits": packed.account_gas_limits, "preVerificationGas": "0xc350",
                    "gasFees": packed.gas_fees, "paymasterAndData": "0x", "signature": packed.signature
                },
                "entryPoint": ENTRY_POINT_V07,
                "blockNumber": null, "blockHash": null, "transactionHash": null
            }))
        }
        _ => Reply::error(-32601, "Method not found"),
    })
    .await;
    let bundler = BundlerClient::new(&stub.url()).unwrap();
    let prices = bundler.user_operation_gas_price().await.unwrap();
    assert_eq!(prices.fast.max_fee_per_gas, 1_000_000_000);
    assert_eq!(prices.fast.max_priority_fee_per_gas, 1000);
    assert_eq!(prices.slow.max_fee_per_gas, 1);
    assert_eq!(bundler.chain_id().await.unwrap(), 31337);

    let by_hash = bundler
        .get_user_operation_by_hash(HASH)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_hash.user_operation, op());
    assert_eq!(by_hash.block_number, Some(16));
    let packed = bundler
        .get_user_operation_by_hash(B256::ZERO)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(packed.user_operation, op());
    assert_eq!(packed.transaction_hash, None);
    assert_eq!(bundler.request_counts().total, 4);
    // Methods without parameters send `[]` (alto rejects `null`).
    for request in stub
        .requests()
        .iter()
        .filter(|r| !r.method.starts_with("eth_getUserOperation"))
    {
        assert_eq!(request.params, json!([]), "{}", request.method);
    }
    bundler.reset_request_counts();
    assert_eq!(bundler.request_count(), 0);
}

#[tokio::test]
async fn unknown_hash_is_none() {
    let stub = Stub::start(|_, _| Reply::Result(json!(null))).await;
    let bundler = client(&stub.url());
    assert!(
        bundler
            .get_user_operation_by_hash(HASH)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        bundler
            .get_user_operation_receipt(HASH)
            .await
            .unwrap()
            .is_none()
    );
}

#[test]
fn invalid_url_and_inconsistent_operations_are_typed_errors() {
    assert!(matches!(
        BundlerClient::new("not a url"),
        Err(BundlerError::InvalidUrl { .. })
    ));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let bundler = client("http://127.0.0.1:9");
        let mut bad = op();
        bad.factory_data = Bytes::from_static(&[1]);
        let err = bundler
            .send_user_operation(&bad, ENTRY_POINT_V07)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            BundlerError::UserOperation(nexus_sessions_userop::Error::FactoryDataWithoutFactory {
                len: 1
            })
        ));
        assert_eq!(
            bundler.request_count(),
            0,
            "nothing is sent for an inconsistent operation"
        );
    });
}

#[test]
fn unsupported_schemes_are_refused_when_the_client_is_built() {
    let err = BundlerClient::new("ws://127.0.0.1:1").unwrap_err();
    assert!(matches!(err, BundlerError::InvalidUrl { .. }), "{err}");
    assert!(err.to_string().contains("unsupported scheme `ws`"), "{err}");
    // https is never refused here: whether it works is the TLS backend's business.
    assert!(BundlerClient::new("https://bundler.example").is_ok());
}
