//! `SessionData` and `Session` JSON in the reference SDKs' stringify / parse format.

mod common;

use alloy_primitives::{B256, Bytes, U256, address, hex};
use nexus_sessions_types::{
    AccountType, ChainDigest, EnableSession, EnableSessionData, ModuleVersion, PermissionId,
    Session, SessionAction, SessionData, SmartSessionMode, UsePermissionModuleData,
    enable_sessions_calldata,
};
use serde_json::{Value, json};

use common::*;

fn reference_json() -> String {
    let call = enable_sessions_calldata(ModuleVersion::PreV1, &[session_b()]).unwrap();
    format!(
        r#"{{"granter":"0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb","sessionPublicKey":"0x70997970C51812dc3A010C7d01b50e0d17dc79C8","description":"Session to increment a counter for 0x1111111111111111111111111111111111111111","moduleData":{{"permissionIds":["0xba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957"],"action":{{"target":"0x0000000071727De22e5E9D8bAF0EDAc6F37da034","value":{{"__type":"bigint","value":"0"}},"callData":"{call}"}},"mode":"0x00"}}}}"#
    )
}

#[test]
fn parses_and_reproduces_reference_stringify_output() {
    let text = reference_json();
    let data = SessionData::from_json(&text).unwrap();
    assert_eq!(data.granter, ACCOUNT_B);
    assert_eq!(data.session_public_key.as_ref(), SESSION_KEY.as_slice());
    assert_eq!(
        data.module_data.active_permission_id(),
        Some(session_b().permission_id())
    );
    assert_eq!(data.module_data.active_mode(), SmartSessionMode::Use);
    assert_eq!(data.module_data.action.value, U256::ZERO);
    // Byte-identical output: same key order, same checksummed addresses, tagged bigint.
    assert_eq!(data.to_json(), text);
}

#[test]
fn bigints_are_tagged_and_numbers_stay_numbers() {
    let mut d = SessionData::from_json(&reference_json()).unwrap();
    d.module_data.action.value =
        U256::from_str_radix("123456789012345678901234567890", 10).unwrap();
    d.module_data.permission_id_index = Some(0);
    let v: Value = serde_json::from_str(&d.to_json()).unwrap();
    assert_eq!(
        v["moduleData"]["action"]["value"],
        json!({"__type": "bigint", "value": "123456789012345678901234567890"})
    );
    assert_eq!(v["moduleData"]["permissionIdIndex"], json!(0));
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["granter", "sessionPublicKey", "description", "moduleData"]
    );
    let md: Vec<&str> = v["moduleData"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(md, ["permissionIds", "action", "mode", "permissionIdIndex"]);
    assert_eq!(SessionData::from_json(&d.to_json()).unwrap(), d);
}

fn enable_data(v: ModuleVersion) -> SessionData {
    let session = session_a(v).to_builder().chain_id(31337).build().unwrap();
    SessionData {
        granter: ACCOUNT_A,
        session_public_key: Bytes::from(hex!("04aabbcc")),
        description: None,
        module_data: UsePermissionModuleData {
            permission_ids: vec![session.permission_id()],
            action: SessionAction {
                target: v.canonical_address(),
                value: U256::ZERO,
                call_data: enable_sessions_calldata(v, std::slice::from_ref(&session)).unwrap(),
            },
            mode: Some(SmartSessionMode::UnsafeEnable),
            permission_id_index: None,
            enable_session_data: Some(EnableSessionData {
                enable_session: EnableSession {
                    chain_digest_index: 0,
                    hashes_and_chain_ids: vec![ChainDigest {
                        chain_id: 31337,
                        session_digest: B256::repeat_byte(5),
                    }],
                    session: session.clone(),
                    permission_enable_sig: Bytes::from(vec![0x1b; 65]),
                },
                validator: ENABLE_VALIDATOR,
                account_type: AccountType::Nexus,
            }),
            sessions: Some(vec![session]),
        },
        module_version: Some(v),
        chain_id: Some(31337),
        smart_session: Some(v.canonical_address()),
        session_signature_style: None,
    }
}

#[test]
fn enable_mode_session_data_round_trips_for_every_version() {
    for v in ModuleVersion::ALL {
        let d = enable_data(v);
        let text = d.to_json();
        let back = SessionData::from_json(&text).unwrap();
        assert_eq!(back, d, "{v}");
        let j: Value = serde_json::from_str(&text).unwrap();
        let es = &j["moduleData"]["enableSessionData"];
        assert_eq!(es["accountType"], json!("nexus"));
        assert_eq!(es["enableSession"]["chainDigestIndex"], json!(0));
        assert_eq!(
            es["enableSession"]["hashesAndChainIds"][0]["chainId"],
            json!({"__type":"bigint","value":"31337"})
        );
        let s = &es["enableSession"]["sessionToEnable"];
        assert_eq!(s["chainId"], json!({"__type":"bigint","value":"31337"}));
        assert_eq!(
            s["sessionValidator"],
            json!("0x2483DA3A338895199E5e538530213157e931Bf06")
        );
        let content = &s["erc7739Policies"]["allowedERC7739Content"][0];
        if v.is_v1() {
            assert_eq!(content["contentName"], json!(["Permit(address owner)"]));
        } else {
            assert_eq!(content, &json!("Permit(address owner)"));
        }
        assert_eq!(j["moduleVersion"], json!(v.as_str()));
        // Wire form gets the validator prefix.
        let wire = back.module_data.enable_session_data.unwrap().to_wire();
        assert_eq!(
            &wire.permission_enable_sig[..20],
            ENABLE_VALIDATOR.as_slice()
        );
        assert_eq!(wire.permission_enable_sig.len(), 85);
    }
}

#[test]
fn module_sdk_session_json_is_accepted() {
    // abstractjs-style session: chainId bigint first, policies carrying module-sdk's extra `address` key,
    // lower-case hex, v1 contexts with `contentNames`.
    let text = r#"{"chainId":{"__type":"bigint","value":"84532"},"permitERC4337Paymaster":true,
        "sessionValidator":"0x2483da3a338895199e5e538530213157e931bf06",
        "sessionValidatorInitData":"0x00000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000000100000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8",
        "salt":"0x0000000000000000000000000000000000000000000000000000000000000001",
        "userOpPolicies":[{"policy":"0x529ad04f4d83aab25144a90267d4a1443b84f5a6","address":"0x529ad04f4d83aab25144a90267d4a1443b84f5a6","initData":"0x"}],
        "actions":[{"actionTarget":"0x1111111111111111111111111111111111111111","actionTargetSelector":"0x273ea3e3","actionPolicies":[{"policy":"0x529ad04f4d83aab25144a90267d4a1443b84f5a6","initData":"0x"}]}],
        "erc7739Policies":{"allowedERC7739Content":[{"appDomainSeparator":"0xabababababababababababababababababababababababababababababababab","contentNames":["Mail"]}],"erc1271Policies":[]}}"#;
    let s = Session::from_json(text).unwrap();
    assert_eq!(s.chain_id(), Some(84532));
    assert!(s.permit_erc4337_paymaster());
    assert_eq!(s.permission_id(), session_b().permission_id());
    assert_eq!(
        s.erc7739_policies().contexts[0].content_names,
        vec!["Mail".to_owned()]
    );
    assert_eq!(Session::from_json(&s.to_json()).unwrap(), s);
    s.check_version(ModuleVersion::V1).unwrap();
    assert!(s.check_version(ModuleVersion::PreV1).is_err());
}

#[test]
fn bad_json_is_a_typed_error() {
    let good = reference_json();
    for bad in [
        good.replace(
            "\"__type\":\"bigint\",\"value\":\"0\"",
            "\"__type\":\"bigint\",\"value\":\"-1\"",
        ),
        good.replace("\"__type\":\"bigint\"", "\"__type\":\"date\""),
        good.replace("\"mode\":\"0x00\"", "\"mode\":\"0x07\""),
        good.replace("0xba06d407", "0xzz06d407"),
        good.replace("\"granter\"", "\"grantor\""),
        "{".to_owned(),
    ] {
        assert!(SessionData::from_json(&bad).is_err(), "{bad}");
    }
    // A session without validator is rejected with the builder's error.
    let err = Session::from_json(r#"{"sessionValidator":"0x0000000000000000000000000000000000000000","sessionValidatorInitData":"0x","salt":"0x0000000000000000000000000000000000000000000000000000000000000000"}"#)
        .unwrap_err();
    assert!(err.to_string().contains("session validator"), "{err}");
    // Out-of-range chainDigestIndex.
    let mut d = enable_data(ModuleVersion::V1);
    if let Some(e) = &mut d.module_data.enable_session_data {
        e.enable_session.chain_digest_index = 3;
    }
    assert!(SessionData::from_json(&d.to_json()).is_err());
    let _ = (
        PermissionId::default(),
        address!("0x0000000000000000000000000000000000000001"),
    );
}

#[test]
fn never_contains_a_private_key_field() {
    let text = enable_data(ModuleVersion::V1).to_json().to_lowercase();
    assert!(!text.contains("private") && !text.contains("secret"));
}

/// A pre-v1 module-sdk session (no `permitERC4337Paymaster`), edited by `edit`, parsed with paths.
fn session_with(edit: impl FnOnce(&mut Value)) -> nexus_sessions_types::Result<Session> {
    let mut v: Value = serde_json::from_str(&session_b().to_json()).unwrap();
    v.as_object_mut().unwrap().remove("permitERC4337Paymaster");
    edit(&mut v);
    nexus_sessions_types::json::from_str(&v.to_string())
}

#[test]
fn session_input_forms() {
    // v1-only permitERC4337Paymaster defaults to false; null is "absent" for every optional field.
    let s = session_with(|_| {}).unwrap();
    assert!(!s.permit_erc4337_paymaster());
    assert_eq!(s.permission_id(), session_b().permission_id());
    let nulls = session_with(|v| {
        for k in [
            "userOpPolicies",
            "erc7739Policies",
            "permitERC4337Paymaster",
            "chainId",
        ] {
            v[k] = Value::Null;
        }
        v["actions"][0]["actionPolicies"] = Value::Null;
    })
    .unwrap();
    assert!(nulls.user_op_policies().is_empty() && nulls.actions()[0].policies.is_empty());
    // Chain ids in every integer form; hex without 0x; both context spellings.
    for id in [
        json!(5),
        json!("5"),
        json!("0x5"),
        json!({"__type": "bigint", "value": "5"}),
    ] {
        assert_eq!(
            session_with(|v| v["chainId"] = id).unwrap().chain_id(),
            Some(5)
        );
    }
    let bare =
        session_with(|v| v["salt"] = json!(B256::with_last_byte(1).to_string()[2..])).unwrap();
    assert_eq!(bare.salt(), B256::with_last_byte(1));
    for key in ["contentName", "contentNames"] {
        let s = session_with(|v| {
            v["erc7739Policies"]["allowedERC7739Content"] =
                json!([{"appDomainSeparator": B256::ZERO, key: ["Mail"]}])
        })
        .unwrap();
        assert_eq!(s.erc7739_policies().contexts[0].content_names, ["Mail"]);
    }
}

#[test]
fn session_errors_name_the_json_path() {
    let policy = "0x529ad04f4d83aab25144a90267d4a1443b84f5a6";
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(Edit, &str, &str)> = vec![
        (
            Box::new(|v| v["actions"][0]["actionTarget"] = json!("0x12")),
            "actions[0].actionTarget",
            "expected 20 bytes, got 1",
        ),
        (
            Box::new(|v| v["salt"] = json!("0x01")),
            "salt",
            "expected 32 bytes, got 1",
        ),
        (
            Box::new(|v| v["sessionValidatorInitData"] = json!("0x123")),
            "sessionValidatorInitData",
            "odd number of hex digits",
        ),
        (
            Box::new(|v| v["actions"][0]["actionPolicies"][0]["initData"] = json!(5)),
            "actions[0].actionPolicies[0].initData",
            "expected a string",
        ),
        (
            Box::new(|v| v["actions"][0]["actionPolicies"][0]["polcy"] = json!("0x")),
            "actions[0].actionPolicies[0].polcy",
            "unknown field `polcy`",
        ),
        (
            Box::new(|v| v["permitErc4337Paymaster"] = json!(true)),
            "permitErc4337Paymaster",
            "unknown field `permitErc4337Paymaster`",
        ),
        (
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("sessionValidator");
            }),
            "",
            "missing field `sessionValidator`",
        ),
        (
            Box::new(|v| v["actions"][0]["actionTargetSelector"] = json!("0x1234567890")),
            "actions[0].actionTargetSelector",
            "expected 4 bytes, got 5",
        ),
        (
            Box::new(|v| v["chainId"] = json!(-1)),
            "chainId",
            "negative",
        ),
        (
            Box::new(|v| {
                v["sessionValidator"] = json!("0x2483da3a338895199e5e538530213157e931Bf06")
            }),
            "sessionValidator",
            "checksum",
        ),
        (
            Box::new(move |v| {
                v["actions"][0]["actionPolicies"][0]["address"] = json!(policy.replace("52", "53"))
            }),
            "actions[0].actionPolicies[0]",
            "differs from `policy`",
        ),
        (
            Box::new(|v| {
                v["erc7739Policies"]["allowedERC7739Content"] =
                    json!(["a", {"appDomainSeparator": B256::ZERO}])
            }),
            "erc7739Policies.allowedERC7739Content[1]",
            "all strings",
        ),
        (
            Box::new(|v| {
                v["erc7739Policies"]["allowedERC7739Content"] =
                    json!([{"appDomainSeparator": "0x00"}])
            }),
            "erc7739Policies.allowedERC7739Content[0].appDomainSeparator",
            "expected 32 bytes",
        ),
    ];
    // Text that is not JSON is said to be so, before a wrong type early in it.
    let cut = nexus_sessions_types::json::from_str::<Session>("[1,");
    assert!(
        matches!(&cut, Err(nexus_sessions_types::Error::JsonAt { path, source }) if path.is_empty() && source.is_eof()),
        "{cut:?}"
    );
    let array = nexus_sessions_types::json::from_str::<Session>(
        r#"["0x2483da3a338895199e5e538530213157e931bf06", "0x", "0x00"]"#,
    );
    assert!(
        matches!(&array, Err(nexus_sessions_types::Error::JsonAt { source, .. }) if source.to_string().contains("expected a module-sdk Session object")),
        "{array:?}"
    );
    for (edit, want_path, needle) in cases {
        match session_with(edit) {
            Err(nexus_sessions_types::Error::JsonAt { path, source }) => {
                assert_eq!(path, want_path, "{source}");
                assert!(
                    source.to_string().contains(needle),
                    "{source} should contain {needle}"
                );
                assert!(source.line() >= 1, "text input has a line");
            }
            other => panic!("{needle}: {other:?}"),
        }
    }
}
