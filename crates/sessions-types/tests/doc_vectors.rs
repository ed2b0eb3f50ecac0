//! Verified vectors from the reference docs (smart-sessions-onchain.md §20, nexus-and-reference-sdks.md
//! §15 / Appendix A): ids, ABI encodings, calldata, digests, signatures, install data.

mod common;

use alloy_primitives::{Address, B256, Bytes, address, b256, fixed_bytes, hex, keccak256};
use alloy_sol_types::SolCall;
use sessions_types::{
    ModuleVersion, PermissionId, Session, abi, action_id, ownable_validator_init_data,
};

use common::*;

#[test]
fn session_a_init_data_and_permission_id() {
    let init =
        ownable_validator_init_data(1, &[address!("0x1111111111111111111111111111111111111111")])
            .unwrap();
    assert_eq!(
        init,
        Bytes::from(hex!(
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000000000000000000000000000000000000000000040"
            "0000000000000000000000000000000000000000000000000000000000000001"
            "0000000000000000000000001111111111111111111111111111111111111111"
        ))
    );
    for v in ModuleVersion::ALL {
        let s = session_a(v);
        assert_eq!(
            s.permission_id().0,
            b256!("0x5fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b")
        );
    }
}

#[test]
fn session_b_ids() {
    let s = session_b();
    assert_eq!(
        s.permission_id().0,
        b256!("0xba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957")
    );
    assert_eq!(
        action_id(
            address!("0x1111111111111111111111111111111111111111"),
            fixed_bytes!("0x273ea3e3")
        )
        .0,
        b256!("0x5925bd5bd51b40f14e7ad7ba583e31e71a0200ad8bb32da4df0dd2d5b8bd22d9")
    );
    assert_eq!(
        s.actions()[0].action_id(),
        action_id(s.actions()[0].target, s.actions()[0].selector)
    );
    // Mock-validator sessions of §20.4 / §20.5.
    let mock = |salt: u8| {
        Session::builder()
            .session_validator(MOCK_VALIDATOR)
            .session_validator_init_data(ownable_validator_init_data(1, &[SESSION_KEY]).unwrap())
            .salt(B256::with_last_byte(salt))
            .build()
            .unwrap()
            .permission_id()
    };
    assert_eq!(
        mock(1).0,
        b256!("0x401ff264aa02a67b6ad7a15359c3eb94ef5a59aa2ec2f3ed71e87717a268c372")
    );
    assert_eq!(
        mock(0x0b).0,
        b256!("0x70c718876b4eaa85d283fea2e742cb09ed256bfbfe8a785b2d417aeadf0b8cd0")
    );
    assert_eq!(
        mock(0x0c).0,
        b256!("0x72c92ae58d4932059488984fcd9e2a94c164e86aa90dd22e954d128e132fa376")
    );
}

#[test]
fn enable_sessions_calldata_a2() {
    let s = session_b();
    let call = abi::pre_v1::ISmartSession::enableSessionsCall {
        sessions: vec![s.to_pre_v1()],
    }
    .abi_encode();
    assert_eq!(&call[..4], &hex!("f55af6d1"));
    assert_eq!(
        keccak256(&call),
        b256!("0x018907ea46b9d94a98a185ee635bf5e8a7ed7c01a0210d5ed55e2e7133f6bdb4")
    );
    // The Session[] payload after the selector is exactly abi.encode(Session[]) = pre-v1 install data.
    let decoded = abi::pre_v1::ISmartSession::enableSessionsCall::abi_decode(&call).unwrap();
    assert_eq!(Session::try_from(decoded.sessions[0].clone()).unwrap(), s);
}

#[test]
fn function_selectors_per_version() {
    use abi::{pre_v1::ISmartSession as P, v1::ISmartSession as V};
    assert_eq!(P::enableSessionsCall::SELECTOR, hex!("f55af6d1"));
    assert_eq!(P::getPermissionIdCall::SELECTOR, hex!("0ac8f150"));
    assert_eq!(P::getSessionDigestCall::SELECTOR, hex!("67bb29c4"));
    assert_eq!(P::removeSessionCall::SELECTOR, hex!("f867b08e"));
    assert_eq!(P::revokeEnableSignatureCall::SELECTOR, hex!("f9b80369"));
    assert_eq!(P::getNonceCall::SELECTOR, hex!("795f9269"));
    assert_eq!(P::isPermissionEnabledCall::SELECTOR, hex!("adbc532f"));
    assert_eq!(P::isModuleTypeCall::SELECTOR, hex!("ecd05961"));
    assert_eq!(P::isInitializedCall::SELECTOR, hex!("d60b347f"));
    assert_eq!(P::onInstallCall::SELECTOR, hex!("6d61fe70"));
    assert_eq!(P::onUninstallCall::SELECTOR, hex!("8a91b0e3"));
    assert_eq!(
        P::getSessionValidatorAndConfigCall::SELECTOR,
        hex!("496c8a91")
    );
    assert_eq!(P::getEnabledActionsCall::SELECTOR, hex!("a9fa4b44"));
    assert_eq!(P::isActionIdEnabledCall::SELECTOR, hex!("af29e6b2"));
    assert_eq!(P::getUserOpPoliciesCall::SELECTOR, hex!("44d1628c"));
    assert_eq!(V::enableSessionsCall::SELECTOR, hex!("21712407"));
    assert_eq!(V::getPermissionIdCall::SELECTOR, hex!("1be1fffb"));
    assert_eq!(V::getSessionDigestCall::SELECTOR, hex!("05defba6"));
    assert_eq!(V::setPermit4337PaymasterCall::SELECTOR, hex!("2e644d8d"));
    assert_eq!(V::getPermissionIDsCall::SELECTOR, hex!("7373f181"));
    assert_eq!(
        V::removeSessionCall::SELECTOR,
        P::removeSessionCall::SELECTOR
    );
}

#[test]
fn session_abi_round_trip_per_version() {
    for v in ModuleVersion::ALL {
        let s = session_a(v);
        let enc = s.abi_encode(v);
        assert_eq!(
            Session::abi_decode(v, &enc).unwrap(),
            s.to_builder().no_chain_id().build().unwrap()
        );
        // The other layout does not decode these bytes as the same session.
        let other = if v.is_v1() {
            ModuleVersion::PreV1
        } else {
            ModuleVersion::V1
        };
        assert!(
            Session::abi_decode(other, &enc)
                .map(|o| o != s)
                .unwrap_or(true)
        );
        let mut trailing = enc.clone();
        trailing.extend_from_slice(&[0; 32]);
        assert!(Session::abi_decode(v, &trailing).is_err());
        assert!(Session::abi_decode(v, &enc[..enc.len() - 1]).is_err());
    }
    let _ = (Address::ZERO, PermissionId::default());
}
