//! Every offline command against the golden vectors of the library crates (generated from the
//! reference JavaScript packages by `cargo xtask vectors`).

mod common;

use common::{ok, ok_json, ok_stdin};
use serde_json::{Value, json};

fn vectors(rel: &str) -> Value {
    let path = format!("{}/../{rel}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let file: Value = serde_json::from_str(&text).unwrap();
    file["vectors"].clone()
}

fn types_vectors(name: &str) -> Value {
    vectors(&format!("sessions-types/tests/vectors/{name}"))
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn lower(v: &Value) -> String {
    s(v).to_lowercase()
}

fn array(v: &Value) -> &Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
}

/// Lower-cases every string in a JSON tree (the CLI prints lowercase hex; the vectors keep checksums).
fn lowercase_strings(v: &Value) -> Value {
    match v {
        Value::String(x) if x.starts_with("0x") => Value::String(x.to_lowercase()),
        Value::Array(a) => a.iter().map(lowercase_strings).collect(),
        Value::Object(o) => o
            .iter()
            .map(|(k, x)| (k.clone(), lowercase_strings(x)))
            .collect(),
        other => other.clone(),
    }
}

#[test]
fn permission_ids() {
    let v = types_vectors("permission_ids.json");
    for case in array(&v) {
        let session = json!({
            "sessionValidator": case["sessionValidator"],
            "sessionValidatorInitData": case["sessionValidatorInitData"],
            "salt": case["salt"],
        });
        let out = ok_stdin(&["permission-id", "--session", "-"], &session.to_string());
        assert_eq!(out, lower(&case["permissionId"]), "{}", case["name"]);
    }
    assert!(array(&v).len() >= 10);
}

#[test]
fn action_ids() {
    let v = types_vectors("action_ids.json");
    for case in array(&v["byTarget"]) {
        let out = ok(&[
            "action-id",
            "--target",
            &lower(&case["target"]),
            "--selector",
            s(&case["selector"]),
        ]);
        assert_eq!(out, lower(&case["actionId"]), "{}", case["name"]);
    }
}

#[test]
fn session_digests_and_enable_hashes() {
    let v = types_vectors("session_digests.json");
    let mut versions = std::collections::BTreeSet::new();
    for case in array(&v) {
        let version = s(&case["version"]);
        versions.insert(version.to_owned());
        let args = [
            "session-digest",
            "--session",
            "-",
            "--module-version",
            version,
            "--account",
            &lower(&case["account"]),
            "--smart-session",
            &lower(&case["smartSession"]),
            "--mode",
            s(&case["mode"]),
            "--nonce",
            s(&case["nonce"]),
            "--chain-id",
            s(&case["chainId"]),
            "--json",
        ];
        let out = ok_stdin(&args, &case["session"].to_string());
        let entry: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            entry["sessionDigest"],
            lower(&case["sessionDigest"]),
            "{} {version}",
            case["name"]
        );
        // The --json entry is exactly what multichain-hash takes.
        let hash = ok(&[
            "multichain-hash",
            "--module-version",
            version,
            "--digests",
            &json!([entry]).to_string(),
        ]);
        assert_eq!(
            hash,
            lower(&case["permissionEnableHash"]),
            "{} {version}",
            case["name"]
        );
    }
    assert_eq!(versions.len(), 3, "vectors cover every module version");
}

#[test]
fn multichain_hashes() {
    let v = types_vectors("multichain_hashes.json");
    for case in array(&v) {
        let out = ok(&[
            "multichain-hash",
            "--module-version",
            s(&case["version"]),
            "--digests",
            &case["chainDigests"].to_string(),
        ]);
        assert_eq!(out, lower(&case["hash"]), "{}", case["name"]);
    }
}

#[test]
fn use_signatures_encode_and_decode() {
    let v = types_vectors("signatures.json");
    let mut n = 0;
    for case in array(&v).iter().filter(|c| c["mode"] == "use") {
        let version = s(&case["version"]);
        let encoded = ok(&[
            "encode-use",
            "--module-version",
            version,
            "--permission-id",
            s(&case["permissionId"]),
            "--signature",
            s(&case["signature"]),
        ]);
        assert_eq!(
            encoded,
            lower(&case["encoded"]),
            "{} {version}",
            case["name"]
        );
        let d = ok_json(&[
            "decode-signature",
            "--module-version",
            version,
            s(&case["encoded"]),
        ]);
        assert_eq!(d["mode"], "use");
        assert_eq!(d["permissionId"], lower(&case["permissionId"]));
        assert_eq!(d["sessionKeySignature"], lower(&case["signature"]));
        n += 1;
    }
    assert!(n >= 30, "{n} USE vectors");
}

#[test]
fn enable_signatures_decode() {
    let v = types_vectors("signatures.json");
    let mut n = 0;
    for case in array(&v).iter().filter(|c| c["mode"] != "use") {
        let version = s(&case["version"]);
        let name = format!("{} {version} {}", case["name"], case["mode"]);
        let d = ok_json(&[
            "decode-signature",
            "--module-version",
            version,
            s(&case["encoded"]),
        ]);
        assert_eq!(d["mode"], case["mode"], "{name}");
        assert_eq!(d["problems"], json!([]), "{name}");
        assert_eq!(d["permissionId"], lower(&case["permissionId"]), "{name}");
        assert_eq!(
            d["sessionKeySignature"],
            lower(&case["signature"]),
            "{name}"
        );
        let e = &d["enableSession"];
        let want = &case["enableSession"];
        assert_eq!(e["chainDigestIndex"], want["chainDigestIndex"], "{name}");
        let want_digests: Vec<Value> = array(&want["hashesAndChainIds"])
            .iter()
            .map(|x| json!({"chainId": s(&x["chainId"]).parse::<u64>().unwrap(), "sessionDigest": lower(&x["sessionDigest"])}))
            .collect();
        assert_eq!(e["hashesAndChainIds"], Value::Array(want_digests), "{name}");
        assert_eq!(
            e["permissionEnableSig"],
            lower(&case["formattedPermissionEnableSig"]),
            "{name}"
        );
        assert_eq!(
            d["permissionEnableSigNexus"]["validator"],
            lower(&case["validator"]),
            "{name}"
        );
        assert_eq!(
            d["permissionEnableSigNexus"]["signature"],
            lower(&want["permissionEnableSig"]),
            "{name}"
        );
        // The session, in module-sdk field names, equals the one module-sdk encoded (minus chainId metadata).
        let mut session = e["sessionToEnable"].clone();
        session.as_object_mut().unwrap().remove("chainId");
        let mut want_session = lowercase_strings(&want["sessionToEnable"]);
        if let Some(o) = want_session.as_object_mut() {
            o.remove("chainId");
        }
        assert_eq!(session, want_session, "{name}");
        n += 1;
    }
    assert!(n >= 20, "{n} ENABLE vectors");
}

#[test]
fn policies() {
    let v = types_vectors("policies.json");
    let check = |kind: &str, config: Value, init_data: &Value, label: &str| {
        let out = ok_stdin(&["policy", kind, "--config", "-"], &config.to_string());
        assert_eq!(out, lower(init_data), "{kind} {label}");
        // decode-policy gives a config that rebuilds the same bytes.
        let decoded = ok_json(&["decode-policy", kind, &out]);
        let again = ok_stdin(&["policy", kind, "--config", "-"], &decoded.to_string());
        assert_eq!(again, out, "{kind} {label} round trip");
    };
    for case in array(&v["sudo"]) {
        assert_eq!(ok(&["policy", "sudo"]), lower(&case["initData"]));
    }
    for case in array(&v["usageLimit"])
        .iter()
        .filter(|c| c["contractValid"] != false)
    {
        check(
            "usage-limit",
            json!({"limit": case["limit"]}),
            &case["initData"],
            s(&case["limit"]),
        );
    }
    for case in array(&v["valueLimit"]) {
        check(
            "value-limit",
            json!({"limit": case["limit"]}),
            &case["initData"],
            s(&case["limit"]),
        );
    }
    for case in array(&v["spendingLimits"]) {
        let limits: Vec<Value> = array(&case["limits"])
            .iter()
            .map(|l| json!({"token": lower(&l["token"]), "limit": l["limit"]}))
            .collect();
        check(
            "spending-limits",
            Value::Array(limits),
            &case["initData"],
            s(&case["version"]),
        );
    }
    for case in array(&v["timeFrame"]) {
        let config = json!({
            "validUntil": case["validUntil"],
            "validAfter": case["validAfter"],
            "encoding": case["encoding"],
        });
        check(
            "time-frame",
            config,
            &case["initData"],
            s(&case["encoding"]),
        );
    }
    let names = [
        "equal",
        "greaterThan",
        "lessThan",
        "greaterThanOrEqual",
        "lessThanOrEqual",
        "notEqual",
        "inRange",
    ];
    for case in array(&v["universalAction"]) {
        let rules: Vec<Value> = array(&case["rules"])
            .iter()
            .map(|r| {
                let condition = names[r["condition"].as_u64().unwrap() as usize];
                let mut rule = json!({
                    "condition": condition,
                    "offset": r["offset"],
                    "isLimited": r["isLimited"],
                    "limit": r["limit"],
                    "used": r["used"],
                });
                if condition == "inRange" {
                    let word: alloy_primitives::U256 =
                        alloy_primitives::U256::from_str_radix(&s(&r["ref"])[2..], 16).unwrap();
                    rule["min"] = json!((word >> 128usize).to_string());
                    rule["max"] =
                        json!((word & alloy_primitives::U256::from(u128::MAX)).to_string());
                } else {
                    rule["ref"] = r["ref"].clone();
                }
                rule
            })
            .collect();
        let config = json!({"valueLimitPerUse": case["valueLimitPerUse"], "rules": rules});
        check(
            "universal-action",
            config,
            &case["initData"],
            s(&case["name"]),
        );
    }
}

#[test]
fn flz_compress_and_decompress() {
    let v = types_vectors("flz.json");
    for case in array(&v) {
        let input = lower(&case["input"]);
        let compressed = lower(&case["compressed"]);
        assert_eq!(
            ok_stdin(&["flz", "compress", "-"], &input),
            compressed,
            "{}",
            case["name"]
        );
        assert_eq!(
            ok_stdin(&["flz", "decompress", "-"], &compressed),
            input,
            "{}",
            case["name"]
        );
    }
}

#[test]
fn user_op_hashes() {
    let v = vectors("userop/tests/vectors/user_op_hash.json");
    for case in array(&v) {
        let chain_id = match &case["chainId"] {
            Value::Number(n) => n.to_string(),
            other => s(other).to_owned(),
        };
        let args = [
            "userop-hash",
            "--userop",
            "-",
            "--entry-point",
            &lower(&case["entryPoint"]),
            "--chain-id",
            &chain_id,
        ];
        let out = ok_stdin(&args, &case["userOperation"].to_string());
        assert_eq!(out, lower(&case["hash"]), "{}", case["name"]);
    }
}
