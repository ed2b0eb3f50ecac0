//! Golden tests over the Nexus 1.2 vectors (`tests/vectors/nexus-1.2/`, measured with abstractjs 1.2.3
//! on byte-identical production bytecode; every operation in them landed or failed as recorded):
//!
//! - `address-vectors.json`: init data, factory data, initCodeHash and address of 8 (owner, index)
//!   pairs, from the deployment's default [`AccountInit`] and the vector's NexusProxy creation code;
//! - `owner-userops.json`: the 3 owner operations — userOpHash, nonce key (validator `address(0)`),
//!   callData rebuilt from the calls (deploy + single, batch, SmartSession install + safe sender),
//!   and the owner's EIP-191 signature, re-signed byte-identically;
//! - `session-grant.json` + `session-use-manual.json`: abstractjs's persisted session JSON parsed into
//!   a [`SessionData`], the enable payload and USE/ENABLE signatures a session-key client builds from
//!   it equal the landed operations' bytes, and each session-key signature style re-signs identically;
//! - `session-use-abstractjs.json`: abstractjs's own operations carry EIP-191 v 27/28 signatures,
//!   which this SDK refuses locally for the current OwnableValidator.
//!
//! No chain, no network: the session-key client is built offline (chain id given).

use alloy_primitives::{Address, B256, Bytes, U256, address, b256, keccak256};
use nexus_sessions::{
    AccountInit, Call, Deployment, NexusClient, NexusVersion, NonceKey, PrivateKeySigner,
    SendOptions, SessionKeyClient, SessionSignatureStyle, UserOperation,
    account::{counterfactual_address, factory_data, init_code_hash, salt_for_index},
    execution::encode_execute,
    modules::smart_session_install_calls,
    sessions::{
        ModuleVersion, OWNABLE_VALIDATOR_RAW_OR_V4, SessionData, SessionDetail, SmartSessionMode,
        SmartSessionSignature, multichain_hash, session_digest,
    },
};
use serde_json::Value;

const ENTRY_POINT: Address = address!("0x0000000071727De22E5E9d8BAf0edAc6f37da032");
const CHAIN_ID: u64 = 31337;
/// anvil key #3, the vectors' account owner (0x90F79bf6…).
const OWNER_KEY: B256 = b256!("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
/// anvil key #4, the vectors' session key (0x15d34AAf…).
const SESSION_KEY: B256 =
    b256!("0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a");

fn vector(name: &str) -> Value {
    let path = format!(
        "{}/tests/vectors/nexus-1.2/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {v}"))
}

fn parse<T: std::str::FromStr>(v: &Value, key: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s(v, key).parse().unwrap()
}

/// The Nexus 1.2 preset with the vector's NexusProxy creation code (addresses computed locally).
fn deployment() -> Deployment {
    let a = vector("address-vectors.json");
    let proxy: Bytes = parse(&a, "proxyCreationCode");
    assert_eq!(
        keccak256(&proxy),
        parse::<B256>(&a, "proxyCreationCodeKeccak")
    );
    let d = Deployment::nexus_1_2_smart_session_v1_registry_free()
        .with_proxy_creation_code(Some(proxy));
    assert_eq!(d.factory, parse::<Address>(&a, "factory"));
    assert_eq!(
        d.implementation,
        Some(parse::<Address>(&a, "implementation"))
    );
    assert_eq!(d.bootstrap, parse::<Address>(&a, "bootstrap"));
    d
}

#[tokio::test]
async fn eight_account_addresses() {
    let d = deployment();
    let a = vector("address-vectors.json");
    let vectors = a["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 8);
    for v in vectors {
        let owner: Address = parse(v, "owner");
        let index: u64 = parse(v, "index");
        let salt = salt_for_index(index);
        assert_eq!(salt, parse::<B256>(v, "salt"));
        let init = AccountInit::for_owner(&d, owner);
        let init_data = init.init_data();
        assert_eq!(init_data, parse::<Bytes>(v, "initData"), "{owner} #{index}");
        assert_eq!(&init.bootstrap_call()[..4], [0x41, 0xbe, 0xde, 0x03]);
        assert_eq!(
            factory_data(&init_data, salt),
            parse::<Bytes>(v, "factoryData")
        );
        let proxy = d.proxy_creation_code.as_ref().unwrap();
        let implementation = d.implementation.unwrap();
        assert_eq!(
            init_code_hash(proxy, implementation, &init_data),
            parse::<B256>(v, "initCodeHash")
        );
        let expected: Address = parse(v, "address");
        assert_eq!(
            counterfactual_address(d.factory, proxy, implementation, &init_data, salt),
            expected
        );
    }
    // the facade computes the same address offline (owner key #3, index 0 is the first vector)
    let owner = PrivateKeySigner::from_bytes(&OWNER_KEY).unwrap();
    let client = NexusClient::builder(owner, "http://127.0.0.1:9", "http://127.0.0.1:9", d)
        .chain_id(CHAIN_ID)
        .build()
        .await
        .unwrap();
    assert_eq!(client.address(), parse::<Address>(&vectors[0], "address"));
    assert_eq!(client.rpc_stats().total(), 0);
}

#[test]
fn three_owner_operations() {
    let d = deployment();
    let o = vector("owner-userops.json");
    let account: Address = parse(&o, "account");
    let owner_address: Address = parse(&o, "owner");
    let counter: Address = parse(&o, "counter");
    assert_eq!(parse::<Address>(&o, "entryPoint"), ENTRY_POINT);
    assert_eq!(o["chainId"].as_u64(), Some(CHAIN_ID));
    let owner = PrivateKeySigner::from_bytes(&OWNER_KEY).unwrap();
    assert_eq!(owner.address(), owner_address);

    let increment = Call::new(counter, alloy_primitives::hex!("273ea3e3"));
    let mut set_42 = alloy_primitives::hex!("3fb5c1cb").to_vec();
    set_42.extend_from_slice(&U256::from(42).to_be_bytes::<32>());
    let set_42 = Call::new(counter, set_42);
    let expected_calls = [
        vec![increment.clone()],
        vec![increment, set_42],
        smart_session_install_calls(&d, account),
    ];
    let ops = o["ops"].as_array().unwrap();
    assert_eq!(ops.len(), 3);
    for (op_json, calls) in ops.iter().zip(&expected_calls) {
        let label = s(op_json, "label");
        let op: UserOperation = serde_json::from_value(op_json["userOp"].clone()).unwrap();
        let hash = op.hash(ENTRY_POINT, CHAIN_ID);
        for k in ["userOpHash", "userOpHashViem", "userOpHashEntryPoint"] {
            assert_eq!(hash, parse::<B256>(op_json, k), "{label}: {k}");
        }
        assert_eq!(op.sender, account);
        // owner operations select the default validator: address(0), validation mode 0x00
        let (key, sequence) = NonceKey::from_nonce(op.nonce).unwrap();
        assert_eq!(key.validator(), d.owner_validator(), "{label}");
        assert_eq!(key.validator(), Address::ZERO);
        assert_eq!(sequence, 0);
        assert_eq!(op.call_data, encode_execute(calls).unwrap(), "{label}");
        // the owner signs personal_sign(userOpHash), v 27/28, no prefix: re-signing gives the
        // same bytes (RFC 6979), and it recovers as recorded
        let recovery = &op_json["signatureRecovery"];
        assert_eq!(parse::<Address>(recovery, "eip191Recovers"), owner_address);
        let sig = sign_in_style(&owner, SessionSignatureStyle::Eip191, hash);
        assert_eq!(Bytes::copy_from_slice(&sig), op.signature, "{label}");
        assert_eq!(
            SessionSignatureStyle::RawHash
                .recover(hash, &op.signature)
                .unwrap(),
            parse::<Address>(recovery, "rawHashRecovers")
        );
    }
    // the first operation deploys the account with the default init data at index 0
    let first: UserOperation = serde_json::from_value(ops[0]["userOp"].clone()).unwrap();
    assert_eq!(first.factory, Some(d.factory));
    let init = AccountInit::for_owner(&d, owner_address).init_data();
    assert_eq!(first.factory_data, factory_data(&init, salt_for_index(0)));
}

/// `key`'s signature over `hash` in `style` (the local signer is synchronous).
fn sign_in_style(key: &PrivateKeySigner, style: SessionSignatureStyle, hash: B256) -> [u8; 65] {
    use alloy_signer::SignerSync;
    let sig = if style.signs_eip191_message() {
        key.sign_message_sync(hash.as_slice()).unwrap()
    } else {
        key.sign_hash_sync(&hash).unwrap()
    };
    style.encode(&sig)
}

fn style_of(name: &str) -> SessionSignatureStyle {
    match name {
        "eip191" => SessionSignatureStyle::Eip191,
        "eip191_v_plus_4" => SessionSignatureStyle::Eip191VPlus4,
        "raw_hash" => SessionSignatureStyle::RawHash,
        other => panic!("unknown style {other}"),
    }
}

/// The two persisted grants (typed-data and personal-sign), parsed.
fn grants() -> [(String, SessionDetail); 2] {
    let g = vector("session-grant.json");
    ["grantTypedDataSign", "grantPersonalSign"].map(|k| {
        let json = s(&g[k], "sessionDetailsJSON");
        let mut list = SessionDetail::parse_list(json).unwrap();
        assert_eq!(list.len(), 1, "{k}");
        (json.to_owned(), list.remove(0))
    })
}

#[test]
fn abstractjs_session_json_parses_and_its_enable_payload_is_ours() {
    let d = deployment();
    let g = vector("session-grant.json");
    let account: Address = parse(&g, "account");
    let session_key: Address = parse(&g, "sessionKey");
    let owner = PrivateKeySigner::from_bytes(&OWNER_KEY).unwrap();
    for (json, detail) in grants() {
        assert_eq!(detail.mode, SmartSessionMode::UnsafeEnable);
        let enable = detail.enable_session_data.as_ref().unwrap();
        // ENABLE signatures name the default validator, address(0)
        assert_eq!(enable.validator, Address::ZERO);
        assert_eq!(enable.validator, d.owner_validator());
        let session = &enable.enable_session.session;
        assert_eq!(session.permission_id(), detail.permission_id);
        assert_eq!(session.session_validator(), OWNABLE_VALIDATOR_RAW_OR_V4);
        assert_eq!(session.actions()[0].policies[0].policy, d.policies.sudo);
        // the session digest is what this crate computes for a fresh account (nonce 0); the owner's
        // enable signature is over the multichain hash, either EIP-712 or personal_sign of it
        let digest = session_digest(
            ModuleVersion::V1RegistryFree,
            session,
            account,
            d.smart_session,
            detail.mode,
            U256::ZERO,
        );
        let digests = &enable.enable_session.hashes_and_chain_ids;
        assert_eq!(digests[0].session_digest, digest);
        assert_eq!(digests[0].chain_id, CHAIN_ID);
        let hash = multichain_hash(ModuleVersion::V1RegistryFree, digests);
        let sig = &enable.enable_session.permission_enable_sig;
        let by_raw = SessionSignatureStyle::RawHash.recover(hash, sig).ok();
        let by_191 = SessionSignatureStyle::Eip191.recover(hash, sig).ok();
        assert!(
            by_raw == Some(owner.address()) || by_191 == Some(owner.address()),
            "enable signature recovers to neither: {by_raw:?} {by_191:?}"
        );

        // → SessionData: the session key, the permission, the enable payload; JSON round trips
        let data = detail
            .to_session_data(account, d.smart_session, d.module_version)
            .unwrap();
        assert_eq!(data.session_public_key.as_ref(), session_key.as_slice());
        assert_eq!(
            data.module_data.active_permission_id(),
            Some(detail.permission_id)
        );
        assert_eq!(SessionData::from_json(&data.to_json()).unwrap(), data);

        // ← written back in abstractjs's shape: the same JSON value (key order aside)
        let written = SessionDetail::to_json_list(&SessionDetail::from_session_data(&data));
        let mut theirs: Value = serde_json::from_str(&json).unwrap();
        let ours: Value = serde_json::from_str(&written).unwrap();
        // abstractjs also writes each policy's address under `address` (= `policy`)
        for a in theirs[0]["enableSessionData"]["enableSession"]["sessionToEnable"]["actions"]
            .as_array_mut()
            .unwrap()
        {
            for p in a["actionPolicies"].as_array_mut().unwrap() {
                assert_eq!(p["address"], p["policy"]);
                p.as_object_mut().unwrap().remove("address");
            }
        }
        assert_eq!(lowercase(ours), lowercase(theirs));
    }
}

/// The JSON value with every string lower-cased (hex case is not meaningful).
fn lowercase(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.to_lowercase()),
        Value::Array(a) => Value::Array(a.into_iter().map(lowercase).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, lowercase(v))).collect()),
        other => other,
    }
}

#[tokio::test]
async fn session_key_client_from_abstractjs_json_builds_the_landed_signatures() {
    let d = deployment();
    let g = vector("session-grant.json");
    let account: Address = parse(&g, "account");
    let key = PrivateKeySigner::from_bytes(&SESSION_KEY).unwrap();
    assert_eq!(key.address(), parse::<Address>(&g, "sessionKey"));
    let [(_, typed), (_, personal)] = grants();
    let m = vector("session-use-manual.json");
    assert_eq!(
        parse::<B256>(&m, "permissionIdTypedGrant"),
        typed.permission_id.0
    );

    let opts = SendOptions::default()
        .with_fees(3_000_000_000, 1_000_000_000)
        .with_gas(100_000, 700_000, 60_000);
    let mut checked = 0;
    for attempt in m["attempts"].as_array().unwrap() {
        let label = s(attempt, "label");
        let style = style_of(s(attempt, "sessionKeySigStyle"));
        let hash: B256 = parse(attempt, "userOpHash");
        let session_sig: Bytes = parse(attempt, "sessionKeySignature");
        let user_op_signature: Bytes = parse(attempt, "userOpSignature");
        let landed = attempt["landed"].as_bool() == Some(true);

        // each style re-signs the recorded userOpHash byte-identically
        assert_eq!(
            Bytes::copy_from_slice(&sign_in_style(&key, style, hash)),
            session_sig,
            "{label} {style}"
        );
        assert_eq!(style.recover(hash, &session_sig).unwrap(), key.address());
        // what the current OwnableValidator accepts is what landed
        assert_eq!(
            style.check_accepted_by(OWNABLE_VALIDATOR_RAW_OR_V4).is_ok(),
            landed,
            "{label} {style}"
        );

        let detail = if label.starts_with("personal") {
            &personal
        } else {
            &typed
        };
        let enable_and_use = s(attempt, "mode") == "ENABLE_AND_USE";
        let mut data = detail
            .to_session_data(account, d.smart_session, d.module_version)
            .unwrap();
        if !enable_and_use {
            // after the enable: the grantee keeps the permission, no enable payload
            data.module_data.mode = Some(SmartSessionMode::Use);
            data.module_data.enable_session_data = None;
        }
        let builder = |data: SessionData| {
            SessionKeyClient::builder(
                key.clone(),
                "http://127.0.0.1:9",
                "http://127.0.0.1:9",
                d.clone(),
                data,
            )
            .chain_id(CHAIN_ID)
        };
        // a style the current OwnableValidator rejects is refused before anything is sent
        let explicit = builder(data.clone()).signature_style(style).build().await;
        assert_eq!(explicit.is_ok(), landed, "{label} {style}");
        let client = match explicit {
            Ok(c) => c,
            Err(e) => {
                assert!(e.to_string().contains("AA24"), "{e}");
                builder(data).build().await.unwrap()
            }
        };
        // without an explicit choice the client picks eip191-v-plus-4 for this validator
        assert!(landed || client.signature_style() == SessionSignatureStyle::Eip191VPlus4);
        let counter = parse::<Address>(&vector("owner-userops.json"), "counter");
        let op = client
            .prepare_user_operation(
                &[Call::new(counter, alloy_primitives::hex!("273ea3e3"))],
                &opts,
            )
            .await
            .unwrap();
        let (nonce_key, _) = NonceKey::from_nonce(op.nonce).unwrap();
        assert_eq!(nonce_key.validator(), d.smart_session);
        let ours = SmartSessionSignature::decode(d.module_version, &op.signature).unwrap();
        // the client's payload with the recorded session-key signature = the landed bytes
        let rebuilt = match ours {
            SmartSessionSignature::Use { permission_id, .. } => {
                assert!(!enable_and_use);
                SmartSessionSignature::Use {
                    permission_id,
                    signature: session_sig.clone(),
                }
            }
            SmartSessionSignature::Enable {
                mode,
                enable_session,
                ..
            } => {
                assert!(enable_and_use);
                assert_eq!(mode, SmartSessionMode::UnsafeEnable);
                SmartSessionSignature::Enable {
                    mode,
                    enable_session,
                    signature: session_sig.clone(),
                }
            }
        };
        assert_eq!(
            rebuilt.try_encode(d.module_version).unwrap(),
            user_op_signature,
            "{label} {style}"
        );
        // and the client's own signature over its operation recovers in its style
        let own = match SmartSessionSignature::decode(d.module_version, &op.signature).unwrap() {
            SmartSessionSignature::Use { signature, .. }
            | SmartSessionSignature::Enable { signature, .. } => signature,
        };
        assert_eq!(
            client
                .signature_style()
                .recover(op.hash(ENTRY_POINT, CHAIN_ID), &own)
                .unwrap(),
            key.address()
        );
        checked += 1;
    }
    // all six attempts: the landed ones in their style, the refused ones rebuilt in eip191-v-plus-4
    // (their payload bytes equal too; only the session-key signature style differed)
    assert_eq!(checked, 6);
}

#[test]
fn abstractjs_operations_carry_the_refused_style() {
    let a = vector("session-use-abstractjs.json");
    let results = a["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for r in results {
        assert!(r.get("landed").is_none_or(|l| l == false));
        let Some(op) = r.get("userOp").filter(|o| !o.is_null()) else {
            continue;
        };
        let op: UserOperation = serde_json::from_value(op.clone()).unwrap();
        let decoded =
            SmartSessionSignature::decode(ModuleVersion::V1RegistryFree, &op.signature).unwrap();
        let sig = match decoded {
            SmartSessionSignature::Use { signature, .. }
            | SmartSessionSignature::Enable { signature, .. } => signature,
        };
        // v 27/28: EIP-191 as shipped, which this SDK refuses for the current OwnableValidator
        assert!(matches!(sig[64], 27 | 28));
        assert!(
            SessionSignatureStyle::Eip191
                .check_accepted_by(OWNABLE_VALIDATOR_RAW_OR_V4)
                .is_err()
        );
    }
    assert_eq!(
        Deployment::nexus_1_2_smart_session_v1_registry_free().nexus_version,
        NexusVersion::V1_2
    );
}

#[test]
fn the_preset_names_the_measured_contracts() {
    let d = Deployment::nexus_1_2_smart_session_v1_registry_free();
    let h = vector("deployed-hashes.json");
    let by_name = |list: &str, name: &str| -> Address {
        let entry = h[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| s(e, "name") == name)
            .unwrap_or_else(|| panic!("{name} not in {list}"));
        parse(entry, "address")
    };
    let p = &d.policies;
    for (list, name, ours) in [
        ("create2", "EntryPointV07", d.entry_point),
        ("create2", "K1MeeValidator", d.account_validator),
        ("create2", "Nexus", d.implementation.unwrap()),
        ("create2", "NexusBootstrap", d.bootstrap),
        ("create2", "NexusAccountFactory", d.factory),
        ("etched", "SmartSession(main f5aaf86)", d.smart_session),
        ("etched", "OwnableValidator(core)", d.session_validator),
        ("etched", "SudoPolicy", p.sudo),
        ("etched", "UniActionPolicy", p.universal_action),
        ("etched", "TimeFramePolicy", p.time_frame),
        ("etched", "UsageLimitPolicy", p.usage_limit),
        ("etched", "ValueLimitPolicy", p.value_limit),
        ("etched", "ERC20SpendingLimitPolicy", p.spending_limits),
    ] {
        assert_eq!(ours, by_name(list, name), "{name}");
    }
    assert_eq!(
        d.session_signature_style(),
        Some(SessionSignatureStyle::Eip191VPlus4)
    );
}
