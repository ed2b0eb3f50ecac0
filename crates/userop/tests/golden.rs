//! Known-answer tests from nexus-and-reference-sdks.md Appendix A.5 (recomputed there with viem).

use alloy_primitives::{B256, Bytes, U256, address, b256, hex};
use alloy_sol_types::{SolCall, SolError};
use nexus_sessions_userop::{ENTRY_POINT_V07, PackedUserOperation, UserOperation, abi};

const SINGLE_CALL: &str = "0xe9ae5c5300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000003811111111111111111111111111111111111111110000000000000000000000000000000000000000000000000000000000000000273ea3e30000000000000000";
const BATCH_CALL: &str = "0xe9ae5c530100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000000000000000000000000000000000001c000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000000000000000000000000000000000000e00000000000000000000000001111111111111111111111111111111111111111000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000600000000000000000000000000000000000000000000000000000000000000004273ea3e3000000000000000000000000000000000000000000000000000000000000000000000000000000001111111111111111111111111111111111111111000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000600000000000000000000000000000000000000000000000000000000000000004273ea3e300000000000000000000000000000000000000000000000000000000";

fn reference_op(call_data: &str) -> UserOperation {
    UserOperation::builder()
        .sender(address!("0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb"))
        .nonce(U256::from_be_bytes(
            b256!("0x000000000000000071727de22e5e9d8baf0edac6f37da0340000000000000000").0,
        ))
        .call_data(hex::decode(call_data).unwrap())
        .call_gas_limit(100_000u64)
        .verification_gas_limit(500_000u64)
        .pre_verification_gas(50_000u64)
        .max_fee_per_gas(2_000_000_000u64)
        .max_priority_fee_per_gas(1_000_000_000u64)
        .build()
        .unwrap()
}

const SINGLE_HASH: B256 =
    b256!("0x631c3900e7181ae6d5cf1cdeb13c59a97f2f6aabdc5b704de6ab8410a3d8eb22");
const BATCH_HASH: B256 =
    b256!("0xf1bde47b4ed51b1167f3a7325103a9308e11d8c99142430ff93579c8cf9e9c1d");

#[test]
fn appendix_a5_single_call_hash() {
    let op = reference_op(SINGLE_CALL);
    assert_eq!(op.hash(ENTRY_POINT_V07, 31337), SINGLE_HASH);
    assert_eq!(op.pack().hash(ENTRY_POINT_V07, 31337), SINGLE_HASH);
}

#[test]
fn appendix_a5_batch_call_hash() {
    let op = reference_op(BATCH_CALL);
    assert_eq!(op.hash(ENTRY_POINT_V07, 31337), BATCH_HASH);
    assert_eq!(op.pack().hash(ENTRY_POINT_V07, 31337), BATCH_HASH);
}

#[test]
fn hash_commits_to_entry_point_chain_and_every_packed_field() {
    let op = reference_op(SINGLE_CALL);
    assert_ne!(op.hash(ENTRY_POINT_V07, 1), SINGLE_HASH);
    assert_ne!(
        op.hash(
            address!("0x0000000071727De22E5E9d8BAf0edAc6f37da033"),
            31337
        ),
        SINGLE_HASH
    );
    // The signature is not hashed.
    let mut signed = op.clone();
    signed.signature = Bytes::from(vec![1u8; 65]);
    assert_eq!(signed.hash(ENTRY_POINT_V07, 31337), SINGLE_HASH);
    let mutations: Vec<fn(&mut UserOperation)> = vec![
        |o| o.nonce += U256::from(1),
        |o| o.call_gas_limit += 1,
        |o| o.verification_gas_limit += 1,
        |o| o.pre_verification_gas += U256::from(1),
        |o| o.max_fee_per_gas += 1,
        |o| o.max_priority_fee_per_gas += 1,
        |o| o.factory = Some(address!("0x000000000000000000000000000000000000fAc7")),
        |o| o.paymaster = Some(address!("0x000000000000000000000000000000000000Fee5")),
        |o| o.call_data = Bytes::new(),
        |o| o.sender = address!("0x000000000000000000000000000000000000dEaD"),
    ];
    for (i, mutate) in mutations.into_iter().enumerate() {
        let mut changed = op.clone();
        mutate(&mut changed);
        assert_ne!(
            changed.hash(ENTRY_POINT_V07, 31337),
            SINGLE_HASH,
            "mutation {i} kept the hash"
        );
        assert_eq!(
            changed.hash(ENTRY_POINT_V07, 31337),
            changed.pack().hash(ENTRY_POINT_V07, 31337)
        );
    }
}

#[test]
fn packed_fields_are_laid_out_as_the_entry_point_reads_them() {
    let mut op = reference_op(SINGLE_CALL);
    op.factory = Some(address!("0x00000000000000000000000000000000000000F1"));
    op.factory_data = Bytes::from_static(&[0xab, 0xcd]);
    op.paymaster = Some(address!("0x00000000000000000000000000000000000000Aa"));
    op.paymaster_verification_gas_limit = 0x1234;
    op.paymaster_post_op_gas_limit = 0x56;
    op.paymaster_data = Bytes::from_static(&[0xee]);
    let packed = op.pack();
    assert_eq!(
        packed.init_code,
        Bytes::from(hex!("00000000000000000000000000000000000000F1abcd").to_vec())
    );
    assert_eq!(
        packed.account_gas_limits,
        b256!("0x0000000000000000000000000007a120000000000000000000000000000186a0")
    );
    assert_eq!(
        packed.gas_fees,
        b256!("0x0000000000000000000000003b9aca0000000000000000000000000077359400")
    );
    assert_eq!(
        packed.paymaster_and_data,
        Bytes::from(
            hex!(
                "00000000000000000000000000000000000000Aa"
                "00000000000000000000000000001234"
                "00000000000000000000000000000056"
                "ee"
            )
            .to_vec()
        )
    );
    assert_eq!(packed.unpack().unwrap(), op);
}

#[test]
fn abi_selectors_and_encoding() {
    // Selectors quoted in nexus-and-reference-sdks.md §5.
    assert_eq!(
        abi::IEntryPoint::getSenderAddressCall::SELECTOR,
        hex!("9b249f69")
    );
    assert_eq!(
        abi::IEntryPoint::SenderAddressResult::SELECTOR,
        hex!("6ca7b806")
    );

    let packed = reference_op(SINGLE_CALL).pack();
    let calldata = abi::get_user_op_hash_calldata(&packed);
    let decoded = abi::IEntryPoint::getUserOpHashCall::abi_decode(&calldata).unwrap();
    assert_eq!(PackedUserOperation::from(decoded.userOp), packed);

    let handle = abi::handle_ops_calldata(&[packed.clone(), packed.clone()], ENTRY_POINT_V07);
    let decoded = abi::IEntryPoint::handleOpsCall::abi_decode(&handle).unwrap();
    assert_eq!(decoded.ops.len(), 2);
    assert_eq!(decoded.beneficiary, ENTRY_POINT_V07);
    assert_eq!(PackedUserOperation::from(decoded.ops[1].clone()), packed);

    // `abi.encode(op)` of a struct with dynamic members starts with the offset 0x20.
    let encoded = packed.abi_encode();
    assert_eq!(&encoded[..32], B256::left_padding_from(&[0x20]).as_slice());
}
