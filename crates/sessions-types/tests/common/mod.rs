//! Shared fixtures for the integration tests (sessions of the reference docs' test vectors).
#![allow(dead_code, unreachable_pub)]

use alloy_primitives::{Address, B256, Bytes, address, fixed_bytes, hex};
use nexus_sessions_types::{
    ActionData, Erc7739Context, ModuleVersion, PolicyData, Session, ownable_validator_init_data,
};

pub const OWNABLE_VALIDATOR: Address = address!("0x2483DA3A338895199E5e538530213157e931Bf06");
pub const MOCK_VALIDATOR: Address = address!("0x5FC8d32690cc91D4c39d9d3abcBD16989F875707");
pub const SESSION_KEY: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
pub const SUDO_POLICY: Address = address!("0x529Ad04F4D83aAb25144a90267D4a1443B84f5A6");
pub const MOCK_POLICY: Address = address!("0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9");
pub const COUNTER: Address = address!("0x1111111111111111111111111111111111111111");
pub const ACCOUNT_B: Address = address!("0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb");
pub const ACCOUNT_A: Address = address!("0x5555555555555555555555555555555555555555");
pub const MODULEKIT_SMART_SESSION: Address = address!("0x0000000071727De22e5E9D8bAF0EDAc6F37da034");
pub const V1_SMART_SESSION: Address = address!("0x00000000002B0eCfbD0496EE71e01257dA0E37DE");
pub const ENABLE_VALIDATOR: Address = address!("0x0165878A594ca255338adfa4d48449f69242Eb8F");

/// Session A of smart-sessions-onchain.md §20.1 in `version`'s layout.
pub fn session_a(version: ModuleVersion) -> Session {
    let p3 = address!("0x3333333333333333333333333333333333333333");
    let b = Session::builder()
        .session_validator(OWNABLE_VALIDATOR)
        .session_validator_init_data(
            ownable_validator_init_data(
                1,
                &[address!("0x1111111111111111111111111111111111111111")],
            )
            .unwrap(),
        )
        .salt(B256::with_last_byte(1))
        .user_op_policy(PolicyData::new(p3, hex!("1234")))
        .action(ActionData::new(
            address!("0x4444444444444444444444444444444444444444"),
            fixed_bytes!("0xa9059cbb"),
            vec![PolicyData::new(p3, Bytes::new())],
        ));
    let b = if version.is_v1() {
        b.erc7739_context(Erc7739Context {
            app_domain_separator: B256::repeat_byte(0xab),
            content_names: vec!["Permit(address owner)".into()],
        })
    } else {
        b.erc7739_content_name("Permit(address owner)")
    };
    b.build().unwrap()
}

/// Session B of §20.3 (module-sdk style, SudoPolicy action on incrementNumber()).
pub fn session_b() -> Session {
    Session::builder()
        .session_validator(OWNABLE_VALIDATOR)
        .session_validator_init_data(ownable_validator_init_data(1, &[SESSION_KEY]).unwrap())
        .salt(B256::with_last_byte(1))
        .action(ActionData::new(
            COUNTER,
            fixed_bytes!("0x273ea3e3"),
            vec![PolicyData::new(SUDO_POLICY, Bytes::new())],
        ))
        .build()
        .unwrap()
}

/// The §20.5 mock-validator session with `salt`.
pub fn session_mock(salt: u8) -> Session {
    Session::builder()
        .session_validator(MOCK_VALIDATOR)
        .session_validator_init_data(ownable_validator_init_data(1, &[SESSION_KEY]).unwrap())
        .salt(B256::with_last_byte(salt))
        .action(ActionData::new(
            COUNTER,
            fixed_bytes!("0x273ea3e3"),
            vec![PolicyData::new(MOCK_POLICY, Bytes::new())],
        ))
        .build()
        .unwrap()
}
