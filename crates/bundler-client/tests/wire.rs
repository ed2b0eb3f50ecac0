//! The lenient wire types on their own: shapes different bundlers send.

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::SolError;
use nexus_sessions_bundler::{GasEstimate, RevertReason, UserOperationReceipt};
use nexus_sessions_userop::abi::IEntryPoint;
use serde_json::json;

fn receipt(overrides: serde_json::Value) -> serde_json::Result<UserOperationReceipt> {
    let mut value = json!({
        "userOpHash": B256::repeat_byte(1),
        "sender": Address::repeat_byte(2),
        "nonce": "0x0",
        "actualGasCost": "0x10",
        "actualGasUsed": "0x20",
        "success": true,
        "logs": [],
        "receipt": {"transactionHash": B256::repeat_byte(3)}
    });
    for (k, v) in overrides.as_object().unwrap() {
        value[k] = v.clone();
    }
    serde_json::from_value(value)
}

#[test]
fn minimal_receipt_without_optional_members() {
    let r = receipt(json!({})).unwrap();
    assert_eq!(
        (r.entry_point, r.paymaster, r.reason.as_deref()),
        (None, None, None)
    );
    assert_eq!(r.receipt.logs.len(), 0);
    assert_eq!(r.actual_gas_cost, U256::from(16));
}

#[test]
fn success_flag_shapes() {
    for (v, want) in [
        (json!(true), true),
        (json!("0x1"), true),
        (json!(0), false),
        (json!("false"), false),
    ] {
        assert_eq!(receipt(json!({"success": v})).unwrap().success, want, "{v}");
    }
    for bad in [json!("0x2"), json!("yes"), json!(null)] {
        assert!(receipt(json!({"success": bad.clone()})).is_err(), "{bad}");
    }
}

/// Fuzz-found regression: a `success`/`status` quantity >= 2^64 panicked in a u64 conversion.
#[test]
fn huge_success_and_status_quantities_are_errors() {
    for huge in [
        json!("0x10000000000000000"),
        json!("0x10000000000000001"),
        json!(format!("{:#x}", U256::MAX)),
        json!("18446744073709551617"),
    ] {
        let err = receipt(json!({"success": huge.clone()})).unwrap_err();
        assert!(err.to_string().contains("expected a boolean"), "{err}");
        let status = json!({"transactionHash": B256::repeat_byte(3), "status": huge.clone()});
        let err = receipt(json!({"receipt": status})).unwrap_err();
        assert!(err.to_string().contains("expected a boolean"), "{err}");
    }
}

#[test]
fn reason_as_text_or_revert_data() {
    let r = receipt(json!({"success": false, "reason": "AA23 reverted"})).unwrap();
    assert_eq!(
        r.revert_reason(),
        Some(RevertReason::Message("AA23 reverted".into()))
    );

    let data = IEntryPoint::FailedOp {
        opIndex: U256::ZERO,
        reason: "AA51 prefund below actualGasCost".into(),
    }
    .abi_encode();
    let r = receipt(json!({"success": false, "reason": Bytes::from(data)})).unwrap();
    match r.revert_reason() {
        Some(RevertReason::FailedOp(op)) => {
            assert_eq!(op.aa_code(), Some(nexus_sessions_bundler::AaCode::AA51))
        }
        other => panic!("unexpected {other:?}"),
    }
    // A successful operation has no revert reason, whatever the field says.
    assert_eq!(
        receipt(json!({"reason": "ignored"}))
            .unwrap()
            .revert_reason(),
        None
    );
}

#[test]
fn paymaster_shapes() {
    let pm = Address::repeat_byte(9);
    assert_eq!(
        receipt(json!({"paymaster": pm})).unwrap().paymaster,
        Some(pm)
    );
    assert_eq!(receipt(json!({"paymaster": null})).unwrap().paymaster, None);
    assert_eq!(receipt(json!({"paymaster": "0x"})).unwrap().paymaster, None);
    assert!(receipt(json!({"paymaster": "0x1234"})).is_err());
}

#[test]
fn gas_estimate_rejects_values_over_128_bits() {
    let err = serde_json::from_value::<GasEstimate>(json!({
        "preVerificationGas": "0x1",
        "verificationGasLimit": format!("0x1{}", "0".repeat(32)),
        "callGasLimit": "0x1"
    }))
    .unwrap_err();
    assert!(
        err.to_string().contains("does not fit in 128 bits"),
        "{err}"
    );
}

#[test]
fn receipts_convert_to_alloy_types() {
    use alloy_sol_types::SolEvent;
    let hash = B256::repeat_byte(1);
    let event = IEntryPoint::UserOperationEvent {
        userOpHash: hash,
        sender: Address::repeat_byte(2),
        paymaster: Address::ZERO,
        nonce: U256::from(7),
        success: true,
        actualGasCost: U256::from(16),
        actualGasUsed: U256::from(32),
    };
    let data = event.encode_log_data();
    let log = json!({
        "address": nexus_sessions_userop::ENTRY_POINT_V07,
        "topics": data.topics(),
        "data": data.data,
        "blockHash": B256::repeat_byte(4),
        "blockNumber": "0x10",
        "transactionHash": B256::repeat_byte(3),
        "transactionIndex": "0x0",
        "logIndex": "0x2",
    });
    let full = json!({
        "transactionHash": B256::repeat_byte(3),
        "blockHash": B256::repeat_byte(4),
        "blockNumber": "0x10",
        "transactionIndex": "0x0",
        "type": "0x2",
        "from": Address::repeat_byte(5),
        "to": nexus_sessions_userop::ENTRY_POINT_V07,
        "gasUsed": "0x2dc6c",
        "cumulativeGasUsed": "0x30000",
        "effectiveGasPrice": "0x77359400",
        "logsBloom": format!("0x{}", "00".repeat(256)),
        "status": "0x1",
        "logs": [log],
    });
    let r = receipt(json!({ "logs": [log], "receipt": full })).unwrap();

    let events: Vec<IEntryPoint::UserOperationEvent> = r.events().collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].userOpHash, hash);
    assert_eq!(events[0].nonce, U256::from(7));
    assert!(r.logs[0].decode::<IEntryPoint::BeforeExecution>().is_none());

    let primitive = alloy_primitives::Log::from(&r.logs[0]);
    let decoded = IEntryPoint::UserOperationEvent::decode_log(&primitive).unwrap();
    assert_eq!(decoded.address, nexus_sessions_userop::ENTRY_POINT_V07);
    let rpc_log = alloy_rpc_types_eth::Log::from(&r.logs[0]);
    assert_eq!(
        (rpc_log.block_number, rpc_log.log_index),
        (Some(16), Some(2))
    );

    let alloy = alloy_rpc_types_eth::TransactionReceipt::try_from(&r.receipt).unwrap();
    assert!(alloy.status());
    assert_eq!(alloy.gas_used, 0x2dc6c);
    assert_eq!(alloy.effective_gas_price, 0x77359400);
    assert_eq!(alloy.from, Address::repeat_byte(5));
    assert_eq!(alloy.inner.cumulative_gas_used(), 0x30000);
    assert_eq!(alloy.inner.logs().len(), 1);
    assert!(matches!(
        alloy.inner,
        alloy_consensus::ReceiptEnvelope::Eip1559(_)
    ));

    // A bundler that leaves out what alloy needs gets a typed error naming the field.
    let bare = receipt(json!({})).unwrap();
    let err = alloy_rpc_types_eth::TransactionReceipt::try_from(&bare.receipt).unwrap_err();
    assert!(
        matches!(
            err,
            nexus_sessions_bundler::BundlerError::IncompleteReceipt { field: "status" }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("status"), "{err}");
}
