//! Malformed input: every case must give exit code 2 and one line on stderr naming the problem and
//! where it is, never a panic.

mod common;

use common::{data, input_error, input_error_stdin};

const PID: &str = "0x5fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b";
const ADDR: &str = "0x5555555555555555555555555555555555555555";

fn temp_file(name: &str, contents: &str) -> String {
    let dir = std::env::temp_dir().join(format!("nexus-sessions-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.display().to_string()
}

/// `session-digest` arguments: `session` (a path, or `-` for stdin) in `version`'s layout, with
/// `mode` and `nonce`; account and SmartSession are both [`ADDR`].
fn digest_args<'a>(
    session: &'a str,
    version: &'a str,
    mode: &'a str,
    nonce: &'a str,
) -> Vec<&'a str> {
    vec![
        "session-digest",
        "--session",
        session,
        "--module-version",
        version,
        "--account",
        ADDR,
        "--smart-session",
        ADDR,
        "--mode",
        mode,
        "--nonce",
        nonce,
    ]
}

fn session_with(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("session_a_pre_v1.json")).unwrap())
            .unwrap();
    edit(&mut v);
    v.to_string()
}

#[test]
fn bad_hex_arguments() {
    input_error(
        &["flz", "decompress", "0xzz"],
        &["argument HEX", "'z'", "not a hex digit"],
    );
    input_error(
        &["flz", "compress", "0xabc"],
        &["argument HEX", "odd number of hex digits"],
    );
    input_error(
        &[
            "encode-use",
            "--module-version",
            "v1",
            "--permission-id",
            "0x1234",
            "--signature",
            "0x11",
        ],
        &["--permission-id", "expected 32 bytes, got 2"],
    );
    input_error(
        &[
            "action-id",
            "--target",
            "0x1234",
            "--selector",
            "0x273ea3e3",
        ],
        &["--target", "expected 20 bytes"],
    );
    input_error(
        &["action-id", "--target", ADDR, "--selector", "0x273ea3"],
        &["--selector", "expected 4 bytes, got 3"],
    );
    input_error(
        &[
            "action-id",
            "--target",
            ADDR,
            "--selector",
            "transfer(address, uint256)",
        ],
        &["--selector", "canonical"],
    );
    input_error(
        &[
            "action-id",
            "--target",
            "0x70997970c51812dc3A010C7d01b50e0d17dc79C8",
            "--selector",
            "0x00000000",
        ],
        &["--target", "checksum"],
    );
}

#[test]
fn unknown_version_mode_and_policy() {
    input_error(
        &["decode-signature", "--module-version", "v2", "0x00"],
        &[
            "invalid value 'v2'",
            "--module-version",
            "pre-v1, v1, v1-registry-free",
        ],
    );
    input_error(
        &["policy", "allow-all", "--config", "{}"],
        &["invalid value 'allow-all'", "sudo"],
    );
    input_error(&["decode-policy", "nope", "0x"], &["invalid value 'nope'"]);
    input_error(
        &digest_args(&data("session_b.json"), "pre-v1", "use", "0"),
        &["invalid value 'use'", "--mode"],
    );
    input_error(&["frobnicate"], &["unrecognized subcommand 'frobnicate'"]);
    input_error(&["permission-id"], &["--session"]);
}

#[test]
fn truncated_and_garbage_signatures() {
    for v in ["pre-v1", "v1", "v1-registry-free"] {
        input_error(
            &["decode-signature", "--module-version", v, "0x"],
            &["argument HEX", "empty"],
        );
        input_error(
            &["decode-signature", "--module-version", v, "0x03"],
            &["argument HEX", "mode byte 0x03"],
        );
        // USE with a cut permission id.
        input_error(
            &[
                "decode-signature",
                "--module-version",
                v,
                &format!("0x00{}", &PID[2..40]),
            ],
            &["argument HEX", "truncated"],
        );
        // ENABLE with a payload that is not an enable session.
        input_error(
            &["decode-signature", "--module-version", v, "0x01deadbeef"],
            &["argument HEX"],
        );
    }
    // pre-v1 USE whose compressed part is not a valid FastLZ stream / not abi.encode(bytes).
    input_error(
        &[
            "decode-signature",
            "--module-version",
            "pre-v1",
            &format!("{PID}ff").replacen("0x", "0x00", 1),
        ],
        &["argument HEX"],
    );
    // A valid ENABLE signature cut in the middle.
    let full = "0x01010000e014010040e0141d020004e02004e033000080e0163ce0165f010420e0163f0001e0151f1f7a6904d6c4b30857314402c895e17fa1c0f5a2387a4200b3305f9fb722b3125501aef4e0033f135fc8d32690cc91d4c39d9d3abcbd16989f875707e0031fe00a0000c0e00a13e00300000be0030ce00900010160e00913e003000001e1163f0002e0032ce00b00e0163fe1173fe2171fe0053f1370997970c51812dc3a010c7d01b50e0d17dc79c82023e03300e2169f0000e1163fe03800e2165f050020273ea3e32007e01c000011e00a00e01638e017dfe0189fe0035f13dc64a140aa3e981100a9beca4e685f962f0cf6c9e0031fe00a00e1177fe017001f550165878a594ca255338adfa4d48449f69242eb8f506b4db791a9032f0e26041fddfc446510676fa19a1432be3b5198a3084427aff742f89821e89ea10de440cb15bd4ea8cb37a864bbdd83e96aa7c0958bff5c6307821be01775e001001f414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a81fc126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa3401531ce0014be00700040000000000";
    for cut in [4, 100, 400, full.len() - 10] {
        let cut = cut - cut % 2;
        input_error(
            &[
                "decode-signature",
                "--module-version",
                "pre-v1",
                &full[..cut],
            ],
            &["argument HEX"],
        );
    }
    input_error(&["flz", "decompress", "0xe0"], &["argument HEX", "FastLZ"]);
    input_error_stdin(
        &["decode-signature", "--module-version", "v1", "-"],
        "not hex\n",
        &["(stdin)", "not a hex digit"],
    );
}

#[test]
fn missing_files_and_invalid_json() {
    input_error(
        &["permission-id", "--session", "/nonexistent/session.json"],
        &["--session", "/nonexistent/session.json"],
    );
    input_error(
        &[
            "userop-hash",
            "--userop",
            "/nonexistent/op.json",
            "--chain-id",
            "1",
        ],
        &["--userop", "cannot read"],
    );
    let bad = temp_file("bad.json", "{\"sessionValidator\": ");
    input_error(
        &["permission-id", "--session", &bad],
        &["--session", "invalid JSON", "line 1"],
    );
    input_error_stdin(
        &["permission-id", "--session", "-"],
        "[1,",
        &["(stdin)", "invalid JSON"],
    );
    input_error(
        &[
            "multichain-hash",
            "--module-version",
            "v1",
            "--digests",
            "[{",
        ],
        &["--digests", "invalid JSON"],
    );
    input_error(
        &[
            "policy",
            "usage-limit",
            "--config",
            "@/nonexistent/cfg.json",
        ],
        &["--config", "cannot read"],
    );
    let op = temp_file("op.json", r#"{"sender": "0x1234"}"#);
    input_error(
        &["userop-hash", "--userop", &op, "--chain-id", "1"],
        &["--userop", "not a v0.7 user operation"],
    );
}

#[test]
fn session_file_errors_name_the_json_path() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            session_with(|v| v["actions"][0]["actionTarget"] = "0x12".into()),
            vec!["actions[0].actionTarget", "expected 20 bytes, got 1"],
        ),
        (
            session_with(|v| v["salt"] = "0x01".into()),
            vec!["at salt", "expected 32 bytes"],
        ),
        (
            session_with(|v| v["sessionValidatorInitData"] = "0x123".into()),
            vec!["sessionValidatorInitData", "odd number"],
        ),
        (
            session_with(|v| v["userOpPolicies"][0]["initData"] = 5.into()),
            vec!["userOpPolicies[0].initData", "expected a string"],
        ),
        (
            session_with(|v| v["actions"][0]["actionPolicies"][0]["polcy"] = "0x".into()),
            vec!["actions[0].actionPolicies[0]", "unknown field `polcy`"],
        ),
        (
            session_with(|v| {
                v.as_object_mut().unwrap().remove("sessionValidator");
            }),
            vec!["missing field `sessionValidator`"],
        ),
        (
            session_with(|v| v["actions"][0]["actionTargetSelector"] = "0x1234567890".into()),
            vec!["actionTargetSelector", "expected 4 bytes, got 5"],
        ),
        (
            session_with(|v| v["chainId"] = (-1).into()),
            vec!["at chainId"],
        ),
        (
            session_with(|v| {
                v["erc7739Policies"]["allowedERC7739Content"] =
                    serde_json::json!(["a", {"appDomainSeparator": "0x"}])
            }),
            vec!["allowedERC7739Content", "all strings"],
        ),
    ];
    for (text, needles) in cases {
        input_error_stdin(&["permission-id", "--session", "-"], &text, &needles);
    }
}

#[test]
fn session_layout_must_match_the_version() {
    input_error(
        &digest_args(&data("session_a_pre_v1.json"), "v1", "enable", "0"),
        &["allowedERC7739Content", "pre-v1 layout"],
    );
    input_error(
        &digest_args(&data("session_a_v1.json"), "pre-v1", "enable", "0"),
        &["allowedERC7739Content", "v1 layout"],
    );
    let paymaster = session_with(|v| v["permitERC4337Paymaster"] = true.into());
    input_error_stdin(
        &digest_args("-", "pre-v1", "enable", "0"),
        &paymaster,
        &["permitERC4337Paymaster", "v1"],
    );
    let session_a_v1 = data("session_a_v1.json");
    let mut args = digest_args(&session_a_v1, "v1", "enable", "0");
    args.extend(["--chain-id", "1"]);
    input_error(&args, &["--chain-id", "differs", "31337"]);
    input_error(
        &digest_args(&data("session_b.json"), "pre-v1", "enable", "-1"),
        &["--nonce", "invalid number"],
    );
}

#[test]
fn digest_list_errors() {
    let mh = |d: &str| {
        vec![
            "multichain-hash",
            "--module-version",
            "pre-v1",
            "--digests",
            d,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let cases = [
        ("[]", vec!["--digests", "at least one"]),
        (r#"{"chainId": 1}"#, vec!["--digests", "expected an array"]),
        (
            r#"[{"chainId": 1}]"#,
            vec!["--digests, at [0]", "missing field `sessionDigest`"],
        ),
        (
            r#"[{"chainId": "x", "sessionDigest": "0x00"}]"#,
            vec!["[0].chainId", "invalid number"],
        ),
        (
            r#"[{"chainId": 1, "sessionDigest": "0x00"}]"#,
            vec!["[0].sessionDigest", "expected 32 bytes, got 1"],
        ),
        (
            r#"[{"chainId": 18446744073709551616, "sessionDigest": "0x00"}]"#,
            vec!["[0].chainId"],
        ),
        (
            // Errors come in document order: the digest is valid, the extra field is not.
            r#"[{"chainId": 1, "sessionDigest": "0x5fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b", "extra": 1}]"#,
            vec!["[0].extra", "unknown field `extra`"],
        ),
    ];
    for (d, needles) in cases {
        let args = mh(d);
        input_error(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            &needles,
        );
    }
}

#[test]
fn policy_config_errors() {
    let cases: [(&str, &str, Vec<&str>); 14] = [
        (
            "usage-limit",
            r#"{"limit": "340282366920938463463374607431768211456"}"#,
            vec!["--config, at limit", "uint128"],
        ),
        ("usage-limit", r#"{"limit": 0}"#, vec!["--config", "zero"]),
        (
            "usage-limit",
            r#"{"limt": 1}"#,
            vec!["unknown field `limt`"],
        ),
        (
            "time-frame",
            r#"{"validUntil": 281474976710656}"#,
            vec!["validUntil", "uint48"],
        ),
        (
            "time-frame",
            r#"{"validUntil": 10, "validAfter": 20}"#,
            vec!["--config", "validAfter"],
        ),
        (
            "value-limit",
            r#"{"limit": 1.5}"#,
            vec!["--config, at limit"],
        ),
        (
            "spending-limits",
            r#"[{"token": "0x1111111111111111111111111111111111111111"}]"#,
            vec!["[0]", "missing field `limit`"],
        ),
        (
            "spending-limits",
            r#"[{"token": "0x11", "limit": 1}]"#,
            vec!["[0].token", "expected 20 bytes"],
        ),
        ("spending-limits", r#"[]"#, vec!["--config"]),
        (
            "universal-action",
            r#"{"rules": [{"condition": "equals", "argIndex": 0, "ref": 1}]}"#,
            vec!["rules[0].condition", "unknown condition"],
        ),
        (
            "universal-action",
            r#"{"rules": [{"condition": "equal", "argIndex": 0, "ref": "0x1234"}]}"#,
            vec!["rules[0].ref", "20-byte address or 32 bytes"],
        ),
        (
            "universal-action",
            r#"{"rules": [{"condition": "inRange", "argIndex": 0, "min": 3}]}"#,
            vec!["rules[0]", "missing field `max`"],
        ),
        (
            "universal-action",
            &format!(
                r#"{{"rules": [{}]}}"#,
                vec![r#"{"condition": "equal", "argIndex": 0, "ref": 1}"#; 17].join(",")
            ),
            vec!["rules", "at most 16"],
        ),
        ("sudo", r#"{"x": 1}"#, vec!["unknown field `x`"]),
    ];
    for (kind, cfg, needles) in cases {
        input_error(&["policy", kind, "--config", cfg], &needles);
    }
    input_error(&["policy", "usage-limit"], &["--config", "needs a config"]);
}

#[test]
fn decode_policy_errors() {
    input_error(
        &["decode-policy", "usage-limit", "0x00"],
        &["argument HEX", "16 bytes, got 1"],
    );
    input_error(
        &["decode-policy", "time-frame", "0x00"],
        &["12 bytes, got 1"],
    );
    input_error(
        &["decode-policy", "value-limit", "0x"],
        &["32 bytes, got 0"],
    );
    input_error(&["decode-policy", "sudo", "0x00"], &["0 bytes, got 1"]);
    input_error(
        &["decode-policy", "universal-action", "0x00"],
        &["3136 bytes, got 1"],
    );
    let mut too_many = vec![0u8; 3136];
    too_many[63] = 17; // length 17
    let hex: String = too_many.iter().map(|b| format!("{b:02x}")).collect();
    input_error(
        &["decode-policy", "universal-action", &hex],
        &["argument HEX", "16"],
    );
    let mut bad_condition = vec![0u8; 3136];
    bad_condition[63] = 1; // length 1
    bad_condition[95] = 9; // rule 0 condition 9
    let hex: String = bad_condition.iter().map(|b| format!("{b:02x}")).collect();
    input_error(
        &["decode-policy", "universal-action", &hex],
        &["argument HEX", "ParamCondition: 9 is not a condition"],
    );
    input_error(
        &["decode-policy", "spending-limits", "0x1234"],
        &[
            "argument HEX",
            "ERC20SpendingLimitPolicy init data",
            "invalid ABI layout",
        ],
    );
}
