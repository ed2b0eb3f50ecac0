//! Every public decoder of sessions-types, userop, bundler-client and the nexus facade, as fuzz targets.
//!
//! A target feeds one input to one decoder (for every module version where the decoder takes one) and
//! also exercises what a caller does with a decoded value (re-encode, hash, display), so a value that
//! decodes but cannot be used is found too. The CLI's parsers are fuzzed by the CLI's own tests with the
//! same runner (they are private to its binary).

use alloy_primitives::U256;
use alloy_sol_types::SolValue;
use nexus_sessions_bundler::{
    AaCode, FailedOp, GasEstimate, GasPrices, Log, PaymasterData, PaymasterStubData, RevertReason,
    TransactionReceipt, UserOperationByHash, UserOperationReceipt,
};
use nexus_sessions_types::{
    ModuleVersion, OwnableValidatorConfig, Session, SessionData, SessionDetail,
    SmartSessionSignature, abi::decode_revert, decode_install_data, flz, policy,
};

use crate::runner::{InputKind, Target};

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn signature(data: &[u8]) {
    for v in ModuleVersion::ALL {
        if let Ok(sig) = SmartSessionSignature::decode(v, data) {
            let _ = sig.permission_id();
            let _ = sig.try_encode(v);
        }
    }
}

/// Seeds for [`enable_payload`]: the decompressed ABI payload of ENABLE signatures.
fn enable_payload_seed(seed: &[u8]) -> Option<Vec<u8>> {
    match seed.split_first() {
        Some((1 | 2, rest)) => flz::decompress(rest).ok(),
        _ => None,
    }
}

/// The ABI layer of ENABLE signatures: the input is the raw payload, compressed here.
fn enable_payload(data: &[u8]) {
    let mut sig = vec![1u8];
    sig.extend_from_slice(&flz::compress(data));
    signature(&sig);
}

fn install_data(data: &[u8]) {
    for v in ModuleVersion::ALL {
        if let Ok(install) = decode_install_data(v, data) {
            for s in &install.sessions {
                let _ = s.permission_id();
            }
        }
    }
}

fn session_abi(data: &[u8]) {
    for v in ModuleVersion::ALL {
        if let Ok(s) = Session::abi_decode(v, data) {
            let _ = s.permission_id();
            let _ = s.abi_encode(v);
        }
    }
}

fn policies(data: &[u8]) {
    let _ = policy::decode_usage_limit(data);
    let _ = policy::decode_value_limit(data);
    let _ = policy::decode_spending_limits(data);
    let _ = policy::TimeFrame::decode(data);
    let _ = policy::TimeFrame::decode_legacy(data);
    if let Ok(cfg) = policy::ActionConfig::abi_decode(data) {
        let _ = cfg.abi_encode();
    }
    let _ = OwnableValidatorConfig::abi_decode(data);
}

fn flz_decompress(data: &[u8]) {
    if let Ok(out) = flz::decompress(data) {
        let _ = flz::compress(&out);
    }
}

fn revert(data: &[u8]) {
    let _ = decode_revert(data).to_string();
    let _ = RevertReason::decode(data).to_string();
    let _ = FailedOp::decode(data);
    let _ = RevertReason::from_reason_field(&text(data));
    let _ = AaCode::find_in(&text(data));
}

fn session_json(data: &[u8]) {
    let text = text(data);
    if let Ok(s) = Session::from_json(&text) {
        let _ = s.permission_id();
        // What parses writes back to the same session.
        assert_eq!(Session::from_json(&s.to_json()).ok().as_ref(), Some(&s));
    }
    if let Ok(d) = SessionData::from_json(&text) {
        let _ = serde_json::to_string(&d);
    }
    if let Ok(details) = SessionDetail::parse_list(&text) {
        for d in &details {
            let _ = d.session().map(Session::permission_id);
        }
        let _ = SessionDetail::to_json_list(&details);
    }
}

/// The policies' JSON configs: whatever parses encodes, and its init data decodes back to a config that
/// encodes to the same bytes.
fn policy_config_json(data: &[u8]) {
    use nexus_sessions_types::json::{from_str, from_value};
    use policy::{
        ActionConfig, SpendingLimit, SudoConfig, TimeFrameConfig, UsageLimitConfig,
        ValueLimitConfig,
    };
    fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(
        bytes: &[u8],
        decode: impl Fn(&[u8]) -> nexus_sessions_types::Result<T>,
        encode: impl Fn(&T) -> Option<Vec<u8>>,
    ) {
        let decoded = decode(bytes).expect("our own init data decodes");
        let json = serde_json::to_value(&decoded).expect("a config serializes");
        let again: T = from_value(json).expect("a decoded config parses back");
        assert_eq!(
            encode(&again).as_deref(),
            Some(bytes),
            "decode/encode round trip"
        );
    }
    let text = text(data);
    let _ = from_str::<SudoConfig>(&text);
    if let Ok(c) = from_str::<ActionConfig>(&text) {
        let bytes = policy::universal_action(&c);
        round_trip(&bytes, ActionConfig::abi_decode, |c| {
            Some(policy::universal_action(c).to_vec())
        });
    }
    if let Ok(Ok(bytes)) = from_str::<TimeFrameConfig>(&text).map(|c| c.encode()) {
        round_trip(&bytes, TimeFrameConfig::decode, |c| {
            c.encode().ok().map(Into::into)
        });
    }
    if let Ok(Ok(bytes)) = from_str::<UsageLimitConfig>(&text).map(|c| c.encode()) {
        round_trip(&bytes, UsageLimitConfig::decode, |c| {
            c.encode().ok().map(Into::into)
        });
    }
    if let Ok(c) = from_str::<ValueLimitConfig>(&text) {
        round_trip(&c.encode(), ValueLimitConfig::decode, |c| {
            Some(c.encode().to_vec())
        });
    }
    if let Ok(limits) = from_str::<Vec<SpendingLimit>>(&text) {
        let pairs =
            |l: &Vec<SpendingLimit>| l.iter().map(|l| (l.token, l.limit)).collect::<Vec<_>>();
        if let Ok(bytes) = policy::spending_limits(&pairs(&limits)) {
            round_trip(&bytes, policy::decode_spending_limits, |l| {
                policy::spending_limits(&pairs(l)).ok().map(Into::into)
            });
        }
    }
}

fn userop_json(data: &[u8]) {
    if let Ok(op) = serde_json::from_slice::<nexus_sessions_userop::UserOperation>(data) {
        if op.validate().is_ok() {
            let packed = op.pack();
            let _ = packed.unpack();
            let _ = op.hash(nexus_sessions_userop::Address::ZERO, 1);
        }
        let _ = serde_json::to_string(&op);
    }
    if let Ok(auth) = serde_json::from_slice::<nexus_sessions_userop::Eip7702Auth>(data) {
        let _ = auth.authority();
    }
    let _ = text(data).parse::<nexus_sessions_userop::Quantity>();
}

fn userop_packed(data: &[u8]) {
    if let Ok(p) = nexus_sessions_userop::abi::PackedUserOperation::abi_decode(data) {
        let packed = nexus_sessions_userop::PackedUserOperation::from(p);
        let _ = packed.unpack();
        let _ = packed.abi_encode();
    }
}

fn nexus_execute(data: &[u8]) {
    let _ = nexus_sessions::DelegationState::from_code(
        data,
        alloy_primitives::Address::repeat_byte(0x11),
    );
    if let Ok(calls) = nexus_sessions::execution::decode_execute(data) {
        let _ = nexus_sessions::execution::encode_execute(&calls);
    }
}

fn bundler_replies(data: &[u8]) {
    if let Ok(r) = serde_json::from_slice::<UserOperationReceipt>(data) {
        let _ = r.revert_reason();
    }
    let _ = serde_json::from_slice::<TransactionReceipt>(data);
    let _ = serde_json::from_slice::<GasEstimate>(data);
    let _ = serde_json::from_slice::<GasPrices>(data);
    let _ = serde_json::from_slice::<UserOperationByHash>(data);
    let _ = serde_json::from_slice::<Vec<Log>>(data);
    // ERC-7677 paymaster service answers, applied as the facade does.
    let mut op = nexus_sessions_userop::UserOperation::default();
    if let Ok(stub) = serde_json::from_slice::<PaymasterStubData>(data) {
        stub.apply_to(&mut op);
        let _ = op.paymaster_and_data();
    }
    if let Ok(data) = serde_json::from_slice::<PaymasterData>(data) {
        data.apply_to(&mut op);
        let _ = op.pack();
    }
}

/// Bundler replies have no golden vectors: receipts, estimates, prices, lookups and paymaster
/// answers in the shapes bundlers and paymaster services send, added to the JSON seeds.
pub const BUNDLER_REPLY_SEEDS: &[&str] = &[
    r#"{"userOpHash":"0x1111111111111111111111111111111111111111111111111111111111111111","entryPoint":"0x0000000071727De22E5E9d8BAf0edAc6f37da032","sender":"0x2222222222222222222222222222222222222222","nonce":"0x0","paymaster":null,"actualGasCost":"0x10","actualGasUsed":"0x20","success":false,"reason":"0x08c379a0","logs":[{"address":"0x0000000071727De22E5E9d8BAf0edAc6f37da032","topics":["0x1c4fada7374c0a9ee8841fc38afe82932dc0f8e69012e927f061a8bae611a201"],"data":"0x"}],"receipt":{"transactionHash":"0x3333333333333333333333333333333333333333333333333333333333333333","blockNumber":"0x10","status":"0x1","gasUsed":"0x5208","effectiveGasPrice":"0x1","logs":[]}}"#,
    r#"{"preVerificationGas":"0xb5ee","verificationGasLimit":"0x1a4b2","callGasLimit":"0x5b8d","paymasterVerificationGasLimit":null,"paymasterPostOpGasLimit":"0x0"}"#,
    r#"{"paymaster":"0x2222222222222222222222222222222222222222","paymasterData":"0x0000000000010000000000000000","paymasterVerificationGasLimit":"0xea60","paymasterPostOpGasLimit":"0x0","isFinal":false,"sponsor":{"name":"x","icon":null}}"#,
    r#"{"slow":{"maxFeePerGas":"0x1","maxPriorityFeePerGas":"0x1"},"standard":{"maxFeePerGas":"0x2","maxPriorityFeePerGas":"0x1"},"fast":{"maxFeePerGas":"0x3","maxPriorityFeePerGas":"0x2"}}"#,
    r#"{"userOperation":{"sender":"0x2222222222222222222222222222222222222222","nonce":"0x0","callData":"0x","callGasLimit":"0x1","verificationGasLimit":"0x1","preVerificationGas":"0x1","maxFeePerGas":"0x1","maxPriorityFeePerGas":"0x1","signature":"0x"},"entryPoint":"0x0000000071727De22E5E9d8BAf0edAc6f37da032","blockNumber":"0x1","blockHash":null,"transactionHash":null}"#,
];

/// Every target, in report order.
pub const TARGETS: &[Target] = &[
    Target {
        name: "signature",
        kind: InputKind::Bytes,
        run: signature,
        prepare_seed: None,
    },
    Target {
        name: "enable-payload",
        kind: InputKind::Bytes,
        run: enable_payload,
        prepare_seed: Some(enable_payload_seed),
    },
    Target {
        name: "install-data",
        kind: InputKind::Bytes,
        run: install_data,
        prepare_seed: None,
    },
    Target {
        name: "session-abi",
        kind: InputKind::Bytes,
        run: session_abi,
        prepare_seed: None,
    },
    Target {
        name: "policy-init-data",
        kind: InputKind::Bytes,
        run: policies,
        prepare_seed: None,
    },
    Target {
        name: "flz-decompress",
        kind: InputKind::Bytes,
        run: flz_decompress,
        prepare_seed: None,
    },
    Target {
        name: "decode-revert",
        kind: InputKind::Bytes,
        run: revert,
        prepare_seed: None,
    },
    Target {
        name: "session-json",
        kind: InputKind::Json,
        run: session_json,
        prepare_seed: None,
    },
    Target {
        name: "policy-config-json",
        kind: InputKind::Json,
        run: policy_config_json,
        prepare_seed: None,
    },
    Target {
        name: "userop-json",
        kind: InputKind::Json,
        run: userop_json,
        prepare_seed: None,
    },
    Target {
        name: "userop-packed",
        kind: InputKind::Bytes,
        run: userop_packed,
        prepare_seed: None,
    },
    Target {
        name: "nexus-execute",
        kind: InputKind::Bytes,
        run: nexus_execute,
        prepare_seed: None,
    },
    Target {
        name: "bundler-replies",
        kind: InputKind::Json,
        run: bundler_replies,
        prepare_seed: None,
    },
];

/// Extra seeds a target gets besides the vectors.
pub fn extra_seeds(target: &Target) -> Vec<Vec<u8>> {
    match target.name {
        "policy-config-json" => [
            r#"{}"#,
            r#"{"validUntil": 1735689600, "validAfter": "0x10", "encoding": "uint128-packed"}"#,
            r#"{"limit": {"__type": "bigint", "value": "10"}}"#,
            r#"[{"token": "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "limit": "1000000000000000000"}]"#,
            r#"{"valueLimitPerUse": "0x1000", "rules": [{"condition": "equal", "argIndex": 0, "ref": "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"}, {"condition": "inRange", "offset": 4, "min": "1", "max": "16", "isLimited": true, "limit": 100, "used": 3}, {"condition": "notEqual", "argIndex": 2, "ref": true}]}"#,
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        "bundler-replies" => BUNDLER_REPLY_SEEDS
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
        "decode-revert" => vec![
            // The fuzz-found Panic(uint256 2^64).
            [
                &[0x4e, 0x48, 0x7b, 0x71][..],
                &(U256::from(1u128 << 64)).to_be_bytes::<32>(),
            ]
            .concat(),
        ],
        "enable-payload" => ModuleVersion::ALL
            .iter()
            .map(|v| crate::hostile::aliased_enable_payload(*v, 4, 64))
            .collect(),
        "nexus-execute" => {
            let call = nexus_sessions::Call::new(
                alloy_primitives::Address::repeat_byte(0x11),
                vec![0x27, 0x3e, 0xa3, 0xe3],
            );
            [1, 3]
                .iter()
                .filter_map(|n| {
                    nexus_sessions::execution::encode_execute(&vec![call.clone(); *n]).ok()
                })
                .map(|b| b.to_vec())
                .collect()
        }
        "userop-packed" => {
            let mut op = nexus_sessions_userop::UserOperation {
                call_data: vec![0xe9, 0xae, 0x5c, 0x53, 1, 2, 3].into(),
                signature: vec![7; 65].into(),
                ..Default::default()
            };
            let plain = op.pack().abi_encode();
            op.factory = Some(nexus_sessions_userop::Address::repeat_byte(0xfa));
            op.factory_data = vec![1; 40].into();
            op.paymaster = Some(nexus_sessions_userop::Address::repeat_byte(0xba));
            vec![plain, op.pack().abi_encode()]
        }
        _ => vec![],
    }
}
