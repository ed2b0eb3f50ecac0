//! Property tests: encode/decode round trips for every version and mode, permission id inputs, JSON round
//! trips, and decoders that never panic on arbitrary or mutated input.

use alloy_primitives::{Address, B256, Bytes, FixedBytes, U256};
use nexus_sessions_types::{
    AccountType, ActionData, ChainDigest, EnableSession, EnableSessionData, Erc7739Context,
    ModuleVersion, OwnableValidatorConfig, PolicyData, Session, SessionAction, SessionData,
    SmartSessionMode, SmartSessionSignature, UsePermissionModuleData, abi, decode_install_data,
    install_data, permission_id,
    policy::{self, ActionConfig, ParamCondition, ParamRule, TimeFrame},
};
use proptest::prelude::*;

fn version() -> impl Strategy<Value = ModuleVersion> {
    prop_oneof![
        Just(ModuleVersion::PreV1),
        Just(ModuleVersion::V1),
        Just(ModuleVersion::V1RegistryFree)
    ]
}

fn nonzero_address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>()
        .prop_filter("non-zero", |a| a != &[0; 20])
        .prop_map(Address::from)
}

fn b256() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(B256::from)
}

fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

fn policy_data() -> impl Strategy<Value = PolicyData> {
    (nonzero_address(), bytes(80)).prop_map(|(p, d)| PolicyData::new(p, d))
}

fn action() -> impl Strategy<Value = ActionData> {
    (
        nonzero_address(),
        any::<[u8; 4]>(),
        prop::collection::vec(policy_data(), 0..3),
    )
        .prop_map(|(t, s, p)| ActionData::new(t, FixedBytes::from(s), p))
}

fn names() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[A-Za-z(), ]{0,24}", 0..3)
}

fn session(v: ModuleVersion) -> impl Strategy<Value = Session> {
    (
        nonzero_address(),
        bytes(200),
        b256(),
        prop::collection::vec(policy_data(), 0..3),
        prop::collection::vec(action(), 0..4),
        names(),
        prop::collection::vec((b256(), names()), 0..2),
        prop::collection::vec(policy_data(), 0..2),
        any::<bool>(),
    )
        .prop_map(
            move |(val, init, salt, user_ops, actions, content, contexts, erc1271, paymaster)| {
                let mut b = Session::builder()
                    .session_validator(val)
                    .session_validator_init_data(init)
                    .salt(salt)
                    .user_op_policies(user_ops)
                    .actions(actions);
                for p in erc1271 {
                    b = b.erc1271_policy(p);
                }
                if v.is_v1() {
                    for (sep, names) in contexts {
                        b = b.erc7739_context(Erc7739Context {
                            app_domain_separator: sep,
                            content_names: names,
                        });
                    }
                    b = b.permit_erc4337_paymaster(paymaster);
                } else {
                    for n in content {
                        b = b.erc7739_content_name(n);
                    }
                }
                b.build().expect("valid by construction")
            },
        )
}

fn versioned_session() -> impl Strategy<Value = (ModuleVersion, Session)> {
    version().prop_flat_map(|v| (Just(v), session(v)))
}

fn enable_signature(v: ModuleVersion) -> impl Strategy<Value = SmartSessionSignature> {
    (
        session(v),
        prop::collection::vec((any::<u64>(), b256()), 1..4),
        bytes(100),
        bytes(140),
        any::<bool>(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(session, digests, enable_sig, sig, unsafe_mode, idx)| {
            let hashes: Vec<ChainDigest> = digests
                .into_iter()
                .map(|(c, d)| ChainDigest {
                    chain_id: c,
                    session_digest: d,
                })
                .collect();
            SmartSessionSignature::Enable {
                mode: if unsafe_mode {
                    SmartSessionMode::UnsafeEnable
                } else {
                    SmartSessionMode::Enable
                },
                enable_session: EnableSession {
                    chain_digest_index: idx.index(hashes.len()) as u8,
                    hashes_and_chain_ids: hashes,
                    session,
                    permission_enable_sig: enable_sig,
                },
                signature: sig,
            }
        })
}

fn any_signature() -> impl Strategy<Value = (ModuleVersion, SmartSessionSignature)> {
    version().prop_flat_map(|v| {
        let use_sig = (b256(), bytes(200)).prop_map(|(pid, sig)| SmartSessionSignature::Use {
            permission_id: pid.into(),
            signature: sig,
        });
        (Just(v), prop_oneof![use_sig, enable_signature(v)])
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn signature_round_trip((v, sig) in any_signature()) {
        let enc = sig.try_encode(v).unwrap();
        prop_assert_eq!(enc[0], sig.mode().as_u8());
        prop_assert_eq!(SmartSessionSignature::decode(v, &enc).unwrap(), sig);
    }

    #[test]
    fn session_abi_round_trip((v, s) in versioned_session()) {
        let enc = s.abi_encode(v);
        prop_assert_eq!(&Session::abi_decode(v, &enc).unwrap(), &s);
        // Through the raw sol! structs too.
        if v.is_v1() {
            prop_assert_eq!(Session::try_from(s.to_v1()).unwrap(), s);
        } else {
            prop_assert_eq!(Session::try_from(s.to_pre_v1()).unwrap(), s);
        }
    }

    #[test]
    fn install_data_round_trip((v, s) in versioned_session(), unsafe_mode in any::<bool>()) {
        let mode = if unsafe_mode && v.is_v1() { SmartSessionMode::UnsafeEnable } else { SmartSessionMode::Enable };
        let data = install_data(v, std::slice::from_ref(&s), mode).unwrap();
        let back = decode_install_data(v, &data).unwrap();
        prop_assert_eq!(back.sessions, vec![s]);
        prop_assert_eq!(back.mode, v.is_v1().then_some(mode));
    }

    #[test]
    fn permission_id_depends_only_on_validator_init_data_and_salt(
        (v, a) in versioned_session(),
        other_actions in prop::collection::vec(action(), 0..3),
        other_user_ops in prop::collection::vec(policy_data(), 0..3),
        other_salt in b256(),
    ) {
        let b = a.to_builder().actions(other_actions).user_op_policies(other_user_ops).build().unwrap();
        prop_assert_eq!(a.permission_id(), b.permission_id());
        prop_assert_eq!(
            a.permission_id(),
            permission_id(a.session_validator(), a.session_validator_init_data(), a.salt())
        );
        if other_salt != a.salt() {
            prop_assert_ne!(a.to_builder().salt(other_salt).build().unwrap().permission_id(), a.permission_id());
        }
        // The id also equals what a digest-less ENABLE signature carries.
        let _ = v;
    }

    #[test]
    fn session_json_round_trip((_v, s) in versioned_session(), chain in prop::option::of(any::<u64>())) {
        let s = match chain { Some(c) => s.to_builder().chain_id(c).build().unwrap(), None => s };
        prop_assert_eq!(Session::from_json(&s.to_json()).unwrap(), s);
    }

    #[test]
    fn session_data_json_round_trip(
        (v, s) in versioned_session(),
        granter in nonzero_address(),
        key in bytes(70),
        value in any::<[u8; 32]>(),
        description in prop::option::of(".{0,40}"),
        index in prop::option::of(any::<u32>()),
        with_enable in any::<bool>(),
        with_ext in any::<bool>(),
    ) {
        let enable_session_data = with_enable.then(|| EnableSessionData {
            enable_session: EnableSession {
                chain_digest_index: 0,
                hashes_and_chain_ids: vec![ChainDigest { chain_id: 10, session_digest: B256::repeat_byte(1) }],
                session: s.clone(),
                permission_enable_sig: Bytes::from(vec![2; 65]),
            },
            validator: granter,
            account_type: AccountType::Kernel,
        });
        let d = SessionData {
            granter,
            session_public_key: key,
            description,
            module_data: UsePermissionModuleData {
                permission_ids: vec![s.permission_id()],
                action: SessionAction { target: granter, value: U256::from_be_bytes(value), call_data: s.abi_encode(v).into() },
                mode: with_enable.then_some(SmartSessionMode::UnsafeEnable),
                permission_id_index: index,
                enable_session_data,
                sessions: Some(vec![s]),
            },
            module_version: with_ext.then_some(v),
            chain_id: with_ext.then_some(8453),
            smart_session: with_ext.then_some(v.canonical_address()),
            session_signature_style: with_ext.then_some(nexus_sessions_types::SessionSignatureStyle::RawHash),
        };
        prop_assert_eq!(SessionData::from_json(&d.to_json()).unwrap(), d);
    }

    #[test]
    fn action_config_round_trip(
        value in any::<[u8; 32]>(),
        rules in prop::collection::vec((0u8..6, any::<u32>(), b256(), prop::option::of(any::<[u8; 32]>())), 0..=16),
        ranges in prop::collection::vec((any::<u128>(), any::<u128>(), any::<u32>()), 0..3),
    ) {
        let mut b = ActionConfig::builder().value_limit_per_use(U256::from_be_bytes(value));
        for (c, idx, r, limit) in rules.iter().take(16 - ranges.len().min(16)) {
            let mut rule = ParamRule::new(ParamCondition::try_from(*c).unwrap(), *idx, *r);
            if let Some(l) = limit { rule = rule.limited(U256::from_be_bytes(*l)); }
            b = b.rule(rule);
        }
        for (x, y, idx) in &ranges {
            let (min, max) = if x <= y { (*x, *y) } else { (*y, *x) };
            b = b.rule(ParamRule::in_range(*idx, U256::from(min), U256::from(max)).unwrap());
        }
        match b.build() {
            Ok(cfg) => {
                let enc = policy::universal_action(&cfg);
                prop_assert_eq!(enc.len(), 3136);
                prop_assert_eq!(ActionConfig::abi_decode(&enc).unwrap(), cfg);
            }
            Err(e) => {
                let too_many = matches!(e, nexus_sessions_types::Error::TooManyParamRules { .. });
                prop_assert!(too_many, "unexpected error {}", e);
            }
        }
    }

    #[test]
    fn policy_init_data_round_trips(until in 0u64..(1 << 48), after in 0u64..(1 << 48), n in 1u128.., tokens in prop::collection::vec((nonzero_address(), 1u64..), 1..5)) {
        match TimeFrame::new(until, after) {
            Ok(tf) => {
                prop_assert_eq!(TimeFrame::decode(&tf.encode()).unwrap(), tf);
                prop_assert_eq!(TimeFrame::decode_legacy(&tf.encode_legacy()).unwrap(), tf);
            }
            Err(_) => prop_assert!(until != 0 && after > until),
        }
        prop_assert_eq!(policy::decode_usage_limit(&policy::usage_limit(n).unwrap()).unwrap(), n);
        let pairs: Vec<(Address, U256)> = tokens.iter().map(|(t, l)| (*t, U256::from(*l))).collect();
        let dec = policy::decode_spending_limits(&policy::spending_limits(&pairs).unwrap()).unwrap();
        prop_assert_eq!(dec.iter().map(|s| (s.token, s.limit)).collect::<Vec<_>>(), pairs);
    }

    #[test]
    fn validator_init_data_round_trip(owners in prop::collection::btree_set(nonzero_address(), 1..=6), t in 1u64..=6) {
        let owners: Vec<Address> = owners.into_iter().rev().collect();
        let threshold = t.min(owners.len() as u64);
        let data = nexus_sessions_types::ownable_validator_init_data(threshold, &owners).unwrap();
        let cfg = OwnableValidatorConfig::abi_decode(&data).unwrap();
        prop_assert_eq!(cfg.threshold, threshold);
        prop_assert!(cfg.owners.windows(2).all(|w| w[0] < w[1]));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(v in version(), data in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = SmartSessionSignature::decode(v, &data);
        let _ = Session::abi_decode(v, &data);
        let _ = decode_install_data(v, &data);
        let _ = ActionConfig::abi_decode(&data);
        let _ = TimeFrame::decode(&data);
        let _ = TimeFrame::decode_legacy(&data);
        let _ = policy::decode_usage_limit(&data);
        let _ = policy::decode_value_limit(&data);
        let _ = policy::decode_spending_limits(&data);
        let _ = OwnableValidatorConfig::abi_decode(&data);
        let _ = abi::decode_revert(&data);
        // Same bytes behind each mode byte and behind a valid-looking compressed stream.
        for mode in 0u8..3 {
            let mut sig = vec![mode];
            sig.extend_from_slice(&data);
            let _ = SmartSessionSignature::decode(v, &sig);
            let mut sig = vec![mode];
            sig.extend_from_slice(&nexus_sessions_types::flz::compress(&data));
            let _ = SmartSessionSignature::decode(v, &sig);
        }
    }

    #[test]
    fn json_parsers_never_panic(text in ".{0,200}") {
        let _ = SessionData::from_json(&text);
        let _ = Session::from_json(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Mutating a valid signature (byte flips, truncation, extension) gives a value or a typed error, never
    /// a panic; mutations of the decompressed payload reach the ABI decoder.
    #[test]
    fn decoders_never_panic_on_mutated_signatures(
        (v, sig) in any_signature(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let enc = sig.encode(v).to_vec();
        let mut m = enc.clone();
        for (i, b) in &flips { let i = i.index(m.len()); m[i] ^= b | 1; }
        let _ = SmartSessionSignature::decode(v, &m);
        let _ = SmartSessionSignature::decode(v, &enc[..cut.index(enc.len())]);
        if let Some(raw) = enc.get(1..).and_then(|r| nexus_sessions_types::flz::decompress(r).ok()) {
            let mut raw = raw;
            for (i, b) in &flips { let i = i.index(raw.len().max(1)); if i < raw.len() { raw[i] ^= b | 1; } }
            let mut again = vec![enc[0]];
            again.extend_from_slice(&nexus_sessions_types::flz::compress(&raw));
            let _ = SmartSessionSignature::decode(v, &again);
        }
    }
}
