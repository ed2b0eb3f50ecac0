//! Verified vectors from the reference docs (smart-sessions-onchain.md §20, nexus-and-reference-sdks.md
//! §15 / Appendix A): ids, ABI encodings, calldata, digests, signatures, install data.

mod common;

use alloy_primitives::{Address, B256, Bytes, address, b256, fixed_bytes, hex, keccak256};
use alloy_sol_types::SolCall;
use nexus_sessions_types::{
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

// ----- digests -------------------------------------------------------------------------------------------

use alloy_primitives::U256;
use nexus_sessions_types::{
    ChainDigest, EnableSession, SmartSessionMode, SmartSessionSignature, decode_install_data,
    install_data, multichain_hash, session_digest, validator_prefixed_permission_enable_sig,
};

fn one_chain(d: B256) -> Vec<ChainDigest> {
    vec![ChainDigest {
        chain_id: 31337,
        session_digest: d,
    }]
}

#[test]
fn session_a_digests_pre_v1() {
    let v = ModuleVersion::PreV1;
    let s = session_a(v);
    let cases = [
        (
            SmartSessionMode::Enable,
            b256!("0xba39bc0af8a267a8d5d314e0d9404e8ab373e67f57cd3de0de96ef5d67b3f7c5"),
            b256!("0xd1a1164b382ecde483b5ef77a0a71aa4254a7fb515e59fa9316c4532d5e05361"),
            b256!("0x82beceac08d7b27fa6f67f78f2508280e10496cf7ad4860f5a1ad3c66a9169f1"),
        ),
        (
            SmartSessionMode::UnsafeEnable,
            b256!("0x893e753dfb467a49bb6c6bde88eec6bea542f6ef0ad254441fa0bcc4582d7f58"),
            b256!("0x5d54fe5ec03b3af3e3a85b5982f44ace084def6b6c8ab9dee9c96b0095d94030"),
            b256!("0x846767d4021263f1375ddeb4ff44b35f628baa310948d23c4d915a38b09212be"),
        ),
    ];
    for (mode, digest, mc1, mc2) in cases {
        let d = session_digest(v, &s, ACCOUNT_A, MODULEKIT_SMART_SESSION, mode, U256::ZERO);
        assert_eq!(d, digest, "{mode}");
        assert_eq!(multichain_hash(v, &one_chain(d)), mc1, "{mode}");
        let two = [
            ChainDigest {
                chain_id: 1,
                session_digest: B256::repeat_byte(0x11),
            },
            one_chain(d)[0],
        ];
        assert_eq!(multichain_hash(v, &two), mc2, "{mode}");
    }
}

#[test]
fn session_a_digests_v1() {
    for v in [ModuleVersion::V1, ModuleVersion::V1RegistryFree] {
        let s = session_a(v);
        let cases = [
            (
                SmartSessionMode::Enable,
                b256!("0x5c492f2319b7c702aad9479e29f6c0af9f2b3d32facaeb16a6cf99103603cc7f"),
                b256!("0xac79e440b216f5584c26e0e828d74e54a161bbc5d99aede0464da5008516bbb8"),
            ),
            (
                SmartSessionMode::UnsafeEnable,
                b256!("0x65a5bdb209183df86261a8b3754116a99cabb9a9d3603adbb6199966772d7e3a"),
                b256!("0x333a9b280cbb8e2d2aa2c25b225a395fe8e4f199ab505f41de0186a7b4ccaebd"),
            ),
        ];
        for (mode, digest, mc) in cases {
            let d = session_digest(v, &s, ACCOUNT_A, V1_SMART_SESSION, mode, U256::ZERO);
            assert_eq!(d, digest, "{v} {mode}");
            assert_eq!(multichain_hash(v, &one_chain(d)), mc, "{v} {mode}");
        }
        // Derived flags change the digest: a fallback action sets permitGenericPolicy.
        let with_fallback = s
            .to_builder()
            .action(nexus_sessions_types::ActionData::fallback(vec![]))
            .build()
            .unwrap();
        assert!(with_fallback.permit_generic_policy() && !s.permit_generic_policy());
        let enable_digest = |session: &Session| {
            session_digest(
                v,
                session,
                ACCOUNT_A,
                V1_SMART_SESSION,
                SmartSessionMode::Enable,
                U256::ZERO,
            )
        };
        assert_ne!(enable_digest(&with_fallback), enable_digest(&s));
        let paymaster = s
            .to_builder()
            .permit_erc4337_paymaster(true)
            .build()
            .unwrap();
        assert_ne!(enable_digest(&paymaster), enable_digest(&s));
    }
}

#[test]
fn session_b_digests_and_enable_hashes() {
    let v = ModuleVersion::PreV1;
    let s = session_b();
    let cases = [
        (
            SmartSessionMode::Enable,
            b256!("0x9c16d984b1dd153f71febd72623bd2762b67b5ce01f3993a97d1431e1068683f"),
            b256!("0x46f22c7d14dbe453ae45eb4a4f1d80623e96ecc146883fdcde38e6e83d93ca97"),
        ),
        (
            SmartSessionMode::UnsafeEnable,
            b256!("0x3562c05b0cf90524bbef0eb4c77f6fb6f42f547a20ef03366eea21386d77ef6e"),
            b256!("0x4900358698e73958e21a4e1c7174dd0e2f14ae5f35179a8a0a836a969a0ac0e3"),
        ),
    ];
    for (mode, digest, hash) in cases {
        let d = session_digest(v, &s, ACCOUNT_B, MODULEKIT_SMART_SESSION, mode, U256::ZERO);
        assert_eq!(d, digest);
        assert_eq!(multichain_hash(v, &one_chain(d)), hash);
    }
}

// ----- signatures ----------------------------------------------------------------------------------------

const SIG65_A: [u8; 65] = hex!(
    "1111111111111111111111111111111111111111111111111111111111111111"
    "2222222222222222222222222222222222222222222222222222222222222222"
    "1b"
);
const SESSION_KEY_SIG: [u8; 65] = hex!(
    "4afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a8c1"
    "26a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa3453"
    "1c"
);

fn use_sig(pid: B256, sig: &[u8]) -> SmartSessionSignature {
    SmartSessionSignature::Use {
        permission_id: PermissionId(pid),
        signature: Bytes::copy_from_slice(sig),
    }
}

#[test]
fn use_signatures_session_a() {
    let pid = b256!("0x5fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b");
    let s = use_sig(pid, &SIG65_A);
    let pre = hex!(
        "005fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b010000e014010020e0141d0300004111e016000022e01600001b2044e00e00040000000000"
    );
    assert_eq!(s.encode(ModuleVersion::PreV1).as_ref(), &pre[..]);
    let raw = hex!(
        "005fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b111111111111111111111111111111111111111111111111111111111111111122222222222222222222222222222222222222222222222222222222222222221b"
    );
    for v in [ModuleVersion::V1, ModuleVersion::V1RegistryFree] {
        assert_eq!(s.encode(v).as_ref(), &raw[..]);
        assert_eq!(SmartSessionSignature::decode(v, &raw).unwrap(), s);
    }
    assert_eq!(
        SmartSessionSignature::decode(ModuleVersion::PreV1, &pre).unwrap(),
        s
    );
    // The alternative (non-solady) stream of §20.2 decodes to the same signature.
    let alt = hex!(
        "005fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b02000000e013000020e0131c2000014111e016000022e01600001b2044e00e00040000000000"
    );
    assert_eq!(
        SmartSessionSignature::decode(ModuleVersion::PreV1, &alt).unwrap(),
        s
    );
}

#[test]
fn use_signature_mock_validator_and_stub() {
    let s = use_sig(
        b256!("0x401ff264aa02a67b6ad7a15359c3eb94ef5a59aa2ec2f3ed71e87717a268c372"),
        &SESSION_KEY_SIG,
    );
    let expected = hex!(
        "00401ff264aa02a67b6ad7a15359c3eb94ef5a59aa2ec2f3ed71e87717a268c372010000e014010020e0141d1f0000414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d51fc6a8c126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6e03fa34531c2044e00e00040000000000"
    );
    assert_eq!(s.encode(ModuleVersion::PreV1).as_ref(), &expected[..]);
    let dummy = hex!(
        "e8b94748580ca0b4993c9a1b86b5be851bfc076ff5ce3a1ff65bf16392acfcb800f9b4f1aef1555c7fce5599fffb17e7c635502154a0333ba21f3ae491839af51c"
    );
    let stub = use_sig(session_b().permission_id().0, &dummy);
    let expected = hex!(
        "00ba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957010000e014010020e0141d1f000041e8b94748580ca0b4993c9a1b86b5be851bfc076ff5ce3a1ff65bf163921facfcb800f9b4f1aef1555c7fce5599fffb17e7c635502154a0333ba21f3ae49103839af51c2044e00e00040000000000"
    );
    assert_eq!(stub.encode(ModuleVersion::PreV1).as_ref(), &expected[..]);
}

struct EnableCase {
    mode: SmartSessionMode,
    salt: u8,
    digest: B256,
    hash: B256,
    owner_sig: &'static [u8],
    expected: &'static [u8],
}

const ENABLE_SIG: &[u8] = &hex!(
    "01010000e014010040e0141d020004e02004e033000080e0163ce0165f010420e0163f0001e0151f1f7a6904d6c4b30857314402c895e17fa1c0f5a2387a4200b3305f9fb722b3125501aef4e0033f135fc8d32690cc91d4c39d9d3abcbd16989f875707e0031fe00a0000c0e00a13e00300000be0030ce00900010160e00913e003000001e1163f0002e0032ce00b00e0163fe1173fe2171fe0053f1370997970c51812dc3a010c7d01b50e0d17dc79c82023e03300e2169f0000e1163fe03800e2165f050020273ea3e32007e01c000011e00a00e01638e017dfe0189fe0035f13dc64a140aa3e981100a9beca4e685f962f0cf6c9e0031fe00a00e1177fe017001f550165878a594ca255338adfa4d48449f69242eb8f506b4db791a9032f0e26041fddfc446510676fa19a1432be3b5198a3084427aff742f89821e89ea10de440cb15bd4ea8cb37a864bbdd83e96aa7c0958bff5c6307821be01775e001001f414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a81fc126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa3401531ce0014be00700040000000000"
);
const UNSAFE_ENABLE_SIG: &[u8] = &hex!(
    "02010000e014010040e0141d020004e02004e033000080e0163ce0165f010420e0163f0001e0151f1f7a694073f2c31e0d30584c0988f9814a0247937c16bf40417e8b0b36a507d079013db9e0033f135fc8d32690cc91d4c39d9d3abcbd16989f875707e0031fe00a0000c0e00a13e00300000ce0030ce00900010160e00913e003000001e1163f0002e0032ce00b00e0163fe1173fe2171fe0053f1370997970c51812dc3a010c7d01b50e0d17dc79c82023e03300e2169f0000e1163fe03800e2165f050020273ea3e32007e01c000011e00a00e01638e017dfe0189fe0035f13dc64a140aa3e981100a9beca4e685f962f0cf6c9e0031fe00a00e1177fe017001f550165878a594ca255338adfa4d48449f69242eb8f09479384b72d95027fa3e71f7a238a72867d49489a18ed0a325dcecea33840d6d27dfd11df82a45a504ff7ef1515a1a12facdf32956f76ffd81b3a5b4ab50d4fd9ae1ce01775e001001f414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a81fc126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa340053e0126b040000000000"
);

#[test]
fn enable_and_unsafe_enable_signatures_pre_v1() {
    let v = ModuleVersion::PreV1;
    let cases = [
        EnableCase {
            mode: SmartSessionMode::Enable,
            salt: 0x0b,
            digest: b256!("0x04d6c4b30857314402c895e17fa1c0f5a2387a4200b3305f9fb722b31255aef4"),
            hash: b256!("0xee91e5a4130d0501e78fa82e6afe2638cebef2704b32fe11398300b1fd781b8d"),
            owner_sig: &hex!(
                "506b4db791a9032f0e2604ddfc446510676fa19a1432be3b5198a3084427aff742f89821e89ea10de440cbbd4ea8cb37a864bbdd83e96aa7c0958bff5c6307821b"
            ),
            expected: ENABLE_SIG,
        },
        EnableCase {
            mode: SmartSessionMode::UnsafeEnable,
            salt: 0x0c,
            digest: b256!("0x4073f2c31e0d30584c0988f9814a0247937c16bf40417e8b0b36a507d0793db9"),
            hash: b256!("0xdf95754032cb6dfcc72fa00a4ddf08ba5f48af7a5ca4c57e811c2dff1fbe1a72"),
            owner_sig: &hex!(
                "09479384b72d95027fa3e77a238a72867d49489a18ed0a325dcecea33840d6d27dfd11df82a45a504ff7ef15a1a12facdf32956f76ffd81b3a5b4ab50d4fd9ae1c"
            ),
            expected: UNSAFE_ENABLE_SIG,
        },
    ];
    for c in cases {
        let session = session_mock(c.salt);
        let d = session_digest(
            v,
            &session,
            ACCOUNT_B,
            MODULEKIT_SMART_SESSION,
            c.mode,
            U256::ZERO,
        );
        assert_eq!(d, c.digest);
        assert_eq!(multichain_hash(v, &one_chain(d)), c.hash);
        let sig = SmartSessionSignature::Enable {
            mode: c.mode,
            enable_session: EnableSession {
                chain_digest_index: 0,
                hashes_and_chain_ids: one_chain(d),
                session,
                permission_enable_sig: validator_prefixed_permission_enable_sig(
                    ENABLE_VALIDATOR,
                    c.owner_sig,
                ),
            },
            signature: Bytes::copy_from_slice(&SESSION_KEY_SIG),
        };
        let enc = sig.try_encode(v).unwrap();
        assert_eq!(enc.as_ref(), c.expected, "{}", c.mode);
        let decoded = SmartSessionSignature::decode(v, c.expected).unwrap();
        assert_eq!(decoded, sig);
        // The uncompressed payload is 1376 bytes with head (0x40, 0x4e0).
        let raw = nexus_sessions_types::flz::decompress(&c.expected[1..]).unwrap();
        assert_eq!(raw.len(), 1376);
        assert_eq!(U256::from_be_slice(&raw[32..64]), U256::from(0x4e0));
        assert_eq!(decoded.permission_id(), sig.permission_id());
    }
}

// ----- install data --------------------------------------------------------------------------------------

#[test]
fn install_data_per_version() {
    let s = session_b();
    let pre = install_data(
        ModuleVersion::PreV1,
        std::slice::from_ref(&s),
        SmartSessionMode::Enable,
    )
    .unwrap();
    // pre-v1 install data is exactly the enableSessions argument (A.2 calldata without the selector).
    let call = abi::pre_v1::ISmartSession::enableSessionsCall {
        sessions: vec![s.to_pre_v1()],
    }
    .abi_encode();
    assert_eq!(pre.as_ref(), &call[4..]);
    assert!(
        install_data(ModuleVersion::PreV1, &[], SmartSessionMode::Enable)
            .unwrap()
            .is_empty()
    );
    assert!(
        install_data(
            ModuleVersion::PreV1,
            std::slice::from_ref(&s),
            SmartSessionMode::UnsafeEnable
        )
        .is_err()
    );
    for v in [ModuleVersion::V1, ModuleVersion::V1RegistryFree] {
        for mode in [SmartSessionMode::Enable, SmartSessionMode::UnsafeEnable] {
            let d = install_data(v, std::slice::from_ref(&s), mode).unwrap();
            assert_eq!(d[0], mode.as_u8());
            let call = abi::v1::ISmartSession::enableSessionsCall {
                sessions: vec![s.to_v1()],
            }
            .abi_encode();
            assert_eq!(&d[1..], &call[4..]);
            let back = decode_install_data(v, &d).unwrap();
            assert_eq!((back.mode, back.sessions), (Some(mode), vec![s.clone()]));
        }
        assert!(install_data(v, std::slice::from_ref(&s), SmartSessionMode::Use).is_err());
    }
    assert_eq!(
        decode_install_data(ModuleVersion::PreV1, &pre)
            .unwrap()
            .sessions,
        vec![s]
    );
    assert!(nexus_sessions_types::uninstall_data().is_empty());
}
