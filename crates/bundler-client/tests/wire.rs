//! The lenient wire types on their own: shapes different bundlers send.

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::SolError;
use bundler_client::{GasEstimate, RevertReason, UserOperationReceipt};
use serde_json::json;
use userop::abi::IEntryPoint;

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
            assert_eq!(op.aa_code(), Some(bundler_client::AaCode::AA51))
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
