//! Property tests: pack/unpack and JSON round trips, and hash agreement between both forms.

use alloy_primitives::{Address, Bytes, U256};
use nexus_sessions_userop::{ENTRY_POINT_V07, PackedUserOperation, UserOperation};
use proptest::prelude::*;

fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}

fn u256() -> impl Strategy<Value = U256> {
    any::<[u8; 32]>().prop_map(U256::from_be_bytes)
}

/// Any consistent operation: factory data only with a factory, paymaster fields only with a paymaster.
fn user_operation() -> impl Strategy<Value = UserOperation> {
    let parties = (
        proptest::option::of((address(), bytes(200))),
        proptest::option::of((address(), any::<u128>(), any::<u128>(), bytes(100))),
    );
    let core = (
        address(),
        u256(),
        bytes(300),
        any::<[u128; 4]>(),
        u256(),
        bytes(200),
    );
    (core, parties).prop_map(
        |((sender, nonce, call_data, gas, pvg, signature), (factory, paymaster))| {
            let (factory, factory_data) =
                factory.map_or((None, Bytes::new()), |(f, d)| (Some(f), d));
            let (paymaster, pm_verification, pm_post_op, paymaster_data) = paymaster
                .map_or((None, 0, 0, Bytes::new()), |(p, v, o, d)| {
                    (Some(p), v, o, d)
                });
            UserOperation {
                sender,
                nonce,
                factory,
                factory_data,
                call_data,
                call_gas_limit: gas[0],
                verification_gas_limit: gas[1],
                pre_verification_gas: pvg,
                max_fee_per_gas: gas[2],
                max_priority_fee_per_gas: gas[3],
                paymaster,
                paymaster_verification_gas_limit: pm_verification,
                paymaster_post_op_gas_limit: pm_post_op,
                paymaster_data,
                signature,
                eip7702_auth: None,
            }
        },
    )
}

proptest! {
    #[test]
    fn pack_unpack_round_trip(op in user_operation()) {
        let packed = op.pack();
        prop_assert_eq!(&packed.unpack().unwrap(), &op);
        // The packed lengths follow from the parties present.
        prop_assert_eq!(packed.init_code.len(), op.factory.map_or(0, |_| 20 + op.factory_data.len()));
        prop_assert_eq!(
            packed.paymaster_and_data.len(),
            op.paymaster.map_or(0, |_| 52 + op.paymaster_data.len())
        );
    }

    #[test]
    fn unpack_pack_round_trip(
        sender in address(),
        init_code in bytes(120).prop_filter("valid initCode", |b| b.is_empty() || b.len() >= 20),
        paymaster_and_data in bytes(120).prop_filter("valid paymasterAndData", |b| b.is_empty() || b.len() >= 52),
        words in any::<[[u8; 32]; 2]>(),
        nonce in u256(),
        pvg in u256(),
        call_data in bytes(100),
        signature in bytes(100),
    ) {
        let packed = PackedUserOperation {
            sender,
            nonce,
            init_code,
            call_data,
            account_gas_limits: words[0].into(),
            pre_verification_gas: pvg,
            gas_fees: words[1].into(),
            paymaster_and_data,
            signature,
        };
        prop_assert_eq!(packed.unpack().unwrap().pack(), packed);
    }

    #[test]
    fn json_round_trip(op in user_operation()) {
        let text = serde_json::to_string(&op).unwrap();
        prop_assert_eq!(&serde_json::from_str::<UserOperation>(&text).unwrap(), &op);
        // Quantities never carry leading zeros.
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        for field in ["nonce", "callGasLimit", "verificationGasLimit", "preVerificationGas", "maxFeePerGas", "maxPriorityFeePerGas"] {
            let q = value[field].as_str().unwrap();
            prop_assert!(q == "0x0" || !q.starts_with("0x0"), "{} = {}", field, q);
        }
        prop_assert_eq!(value.get("factory").is_some(), op.factory.is_some());
        prop_assert_eq!(value.get("paymasterData").is_some(), op.paymaster.is_some());
    }

    #[test]
    fn both_hash_paths_agree(op in user_operation(), chain_id in any::<u64>()) {
        prop_assert_eq!(op.hash(ENTRY_POINT_V07, chain_id), op.pack().hash(ENTRY_POINT_V07, chain_id));
    }

    #[test]
    fn abi_round_trip(op in user_operation()) {
        use alloy_sol_types::SolValue;
        let packed = op.pack();
        let decoded = nexus_sessions_userop::abi::PackedUserOperation::abi_decode(&packed.abi_encode()).unwrap();
        prop_assert_eq!(PackedUserOperation::from(decoded), packed);
    }
}
