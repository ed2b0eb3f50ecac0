//! The unpacked JSON-RPC form: exact output shape, lenient input, typed rejection.

use alloy_primitives::{Address, U256, address};
use nexus_sessions_userop::UserOperation;
use serde_json::{Value, json};

const SENDER: Address = address!("0x1111111111111111111111111111111111111111");

fn minimal() -> UserOperation {
    UserOperation::builder()
        .sender(SENDER)
        .nonce(U256::from(0x100u64))
        .call_data(vec![0xab])
        .call_gas_limit(0x10u8)
        .verification_gas_limit(0x20u8)
        .pre_verification_gas(0u8)
        .max_fee_per_gas(0x40u8)
        .max_priority_fee_per_gas(0x3u8)
        .signature(vec![0xcd])
        .build()
        .unwrap()
}

#[test]
fn writes_camel_case_minimal_hex_and_omits_absent_parties() {
    let value = serde_json::to_value(minimal()).unwrap();
    assert_eq!(
        value,
        json!({
            "sender": "0x1111111111111111111111111111111111111111",
            "nonce": "0x100",
            "callData": "0xab",
            "callGasLimit": "0x10",
            "verificationGasLimit": "0x20",
            "preVerificationGas": "0x0",
            "maxFeePerGas": "0x40",
            "maxPriorityFeePerGas": "0x3",
            "signature": "0xcd"
        })
    );
}

#[test]
fn writes_factory_and_paymaster_fields_when_present() {
    let op = UserOperation {
        factory: Some(Address::repeat_byte(0xfa)),
        paymaster: Some(Address::repeat_byte(0xbb)),
        paymaster_verification_gas_limit: 0x1000,
        ..minimal()
    };
    let value = serde_json::to_value(&op).unwrap();
    assert_eq!(
        value["factory"],
        json!(format!("{:#x}", Address::repeat_byte(0xfa)))
    );
    assert_eq!(value["factoryData"], json!("0x"));
    assert_eq!(value["paymasterVerificationGasLimit"], json!("0x1000"));
    assert_eq!(value["paymasterPostOpGasLimit"], json!("0x0"));
    assert_eq!(value["paymasterData"], json!("0x"));
    assert_eq!(serde_json::from_value::<UserOperation>(value).unwrap(), op);
}

#[test]
fn reads_decimal_numbers_leading_zeros_and_nulls() {
    let value = json!({
        "sender": "0x1111111111111111111111111111111111111111",
        "nonce": 256,
        "factory": null,
        "factoryData": null,
        "callData": "0xab",
        "callGasLimit": "16",
        "verificationGasLimit": "0x0020",
        "preVerificationGas": "0x",
        "maxFeePerGas": 64,
        "maxPriorityFeePerGas": "0x3",
        "paymaster": null,
        "paymasterVerificationGasLimit": null,
        "paymasterPostOpGasLimit": "0x0",
        "paymasterData": "0x",
        "signature": "0xcd"
    });
    assert_eq!(
        serde_json::from_value::<UserOperation>(value).unwrap(),
        minimal()
    );
}

fn with(field: &str, v: Value) -> Value {
    let mut value = serde_json::to_value(minimal()).unwrap();
    value[field] = v;
    value
}

#[test]
fn rejects_with_a_message_that_names_the_problem() {
    let cases = [
        (
            with("callGasLimit", json!(format!("0x1{}", "0".repeat(32)))),
            "callGasLimit",
        ),
        (with("maxFeePerGas", json!("0xnothex")), "not a hex number"),
        (
            with("factoryData", json!("0x1234")),
            "factoryData (2 bytes) is set but factory is absent",
        ),
        (
            with("paymasterData", json!("0x12")),
            "paymasterData is set but paymaster is absent",
        ),
        (with("nonce", json!(-1)), "negative"),
        (
            with("sender", json!("0x1234")),
            "invalid string length at line 1 column",
        ),
    ];
    for (value, needle) in cases {
        // Parsed from text, serde_json adds the position of the offending value.
        let err = serde_json::from_str::<UserOperation>(&value.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{value}: {err}");
    }
    let mut missing = serde_json::to_value(minimal()).unwrap();
    missing.as_object_mut().unwrap().remove("signature");
    let err = serde_json::from_value::<UserOperation>(missing)
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing field `signature`"), "{err}");
}
