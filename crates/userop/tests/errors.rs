//! The builder, unpacker and deserialiser refuse inconsistent operations with typed errors.

use alloy_primitives::{Address, Bytes, U256, address};
use nexus_sessions_userop::{Error, PackedUserOperation, UserOperation};

const SENDER: Address = address!("0x1111111111111111111111111111111111111111");
const PAYMASTER: Address = address!("0x2222222222222222222222222222222222222222");

fn over_u128() -> U256 {
    U256::from(u128::MAX) + U256::from(1)
}

#[test]
fn missing_sender() {
    assert_eq!(UserOperation::builder().build(), Err(Error::MissingSender));
}

#[test]
fn factory_data_without_factory() {
    let err = UserOperation::builder()
        .sender(SENDER)
        .factory_data(vec![1, 2, 3])
        .build()
        .unwrap_err();
    assert_eq!(err, Error::FactoryDataWithoutFactory { len: 3 });
    assert_eq!(
        err.to_string(),
        "factoryData (3 bytes) is set but factory is absent"
    );
}

#[test]
fn paymaster_fields_without_paymaster() {
    let cases = [
        (
            UserOperation::builder().paymaster_verification_gas_limit(1u8),
            "paymasterVerificationGasLimit",
        ),
        (
            UserOperation::builder().paymaster_post_op_gas_limit(1u8),
            "paymasterPostOpGasLimit",
        ),
        (
            UserOperation::builder().paymaster_data(vec![0u8]),
            "paymasterData",
        ),
    ];
    for (builder, field) in cases {
        assert_eq!(
            builder.sender(SENDER).build(),
            Err(Error::PaymasterFieldWithoutPaymaster { field })
        );
    }
    // The same fields are fine with a paymaster.
    let op = UserOperation::builder()
        .sender(SENDER)
        .paymaster(PAYMASTER)
        .paymaster_verification_gas_limit(1u8)
        .paymaster_post_op_gas_limit(2u8)
        .paymaster_data(vec![0u8])
        .build()
        .unwrap();
    assert_eq!(op.paymaster_post_op_gas_limit, 2);
}

#[test]
fn values_wider_than_their_packed_width() {
    type Setter = fn(
        nexus_sessions_userop::UserOperationBuilder,
        U256,
    ) -> nexus_sessions_userop::UserOperationBuilder;
    let cases: [(Setter, &str); 6] = [
        (|b, v| b.call_gas_limit(v), "callGasLimit"),
        (|b, v| b.verification_gas_limit(v), "verificationGasLimit"),
        (|b, v| b.max_fee_per_gas(v), "maxFeePerGas"),
        (|b, v| b.max_priority_fee_per_gas(v), "maxPriorityFeePerGas"),
        (
            |b, v| b.paymaster(PAYMASTER).paymaster_verification_gas_limit(v),
            "paymasterVerificationGasLimit",
        ),
        (
            |b, v| b.paymaster(PAYMASTER).paymaster_post_op_gas_limit(v),
            "paymasterPostOpGasLimit",
        ),
    ];
    for (set, field) in cases {
        let builder = UserOperation::builder().sender(SENDER);
        assert_eq!(
            set(builder.clone(), over_u128()).build(),
            Err(Error::ValueTooLarge {
                field,
                value: over_u128(),
                bits: 128
            })
        );
        assert!(
            set(builder, U256::from(u128::MAX)).build().is_ok(),
            "{field} at u128::MAX"
        );
    }
    // preVerificationGas and nonce are full uint256 words.
    let op = UserOperation::builder()
        .sender(SENDER)
        .pre_verification_gas(U256::MAX)
        .nonce(U256::MAX)
        .build()
        .unwrap();
    assert_eq!(op.pre_verification_gas, U256::MAX);
}

#[test]
fn malformed_init_code() {
    for len in 1..20 {
        let packed = PackedUserOperation {
            init_code: Bytes::from(vec![0xaa; len]),
            ..Default::default()
        };
        assert_eq!(packed.unpack(), Err(Error::MalformedInitCode { len }));
    }
    let packed = PackedUserOperation {
        init_code: Bytes::from(vec![0xaa; 20]),
        ..Default::default()
    };
    let op = packed.unpack().unwrap();
    assert_eq!(op.factory, Some(Address::repeat_byte(0xaa)));
    assert!(op.factory_data.is_empty());
}

#[test]
fn malformed_paymaster_and_data() {
    for len in 1..52 {
        let packed = PackedUserOperation {
            paymaster_and_data: Bytes::from(vec![0xbb; len]),
            ..Default::default()
        };
        assert_eq!(
            packed.unpack(),
            Err(Error::MalformedPaymasterAndData { len })
        );
    }
    let packed = PackedUserOperation {
        paymaster_and_data: Bytes::from(vec![0x01; 52]),
        ..Default::default()
    };
    let op = packed.unpack().unwrap();
    assert_eq!(op.paymaster, Some(Address::repeat_byte(0x01)));
    assert_eq!(
        op.paymaster_verification_gas_limit,
        u128::from_be_bytes([1; 16])
    );
    assert_eq!(op.paymaster_post_op_gas_limit, u128::from_be_bytes([1; 16]));
    assert!(op.paymaster_data.is_empty());
}

#[test]
fn builder_round_trips_an_operation() {
    let op = UserOperation::builder()
        .sender(SENDER)
        .factory(PAYMASTER)
        .factory_data(vec![9, 9])
        .call_gas_limit(5u8)
        .build()
        .unwrap();
    let rebuilt = nexus_sessions_userop::UserOperationBuilder::from(op.clone())
        .call_gas_limit(6u8)
        .build()
        .unwrap();
    assert_eq!(rebuilt.call_gas_limit, 6);
    assert_eq!(
        UserOperation {
            call_gas_limit: 5,
            ..rebuilt
        },
        op
    );
}
