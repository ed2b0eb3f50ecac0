//! `policy` and `decode-policy` against module-sdk golden values (nexus-and-reference-sdks.md §15.6,
//! §15.7) and round trips.

mod common;

use common::{ok, ok_json, ok_stdin};
use serde_json::json;

fn policy(kind: &str, config: &str) -> String {
    ok(&["policy", kind, "--config", config])
}

fn word(hex: &str) -> String {
    format!("{hex:0>64}")
}

#[test]
fn module_sdk_golden_values() {
    assert_eq!(ok(&["policy", "sudo"]), "0x");
    assert_eq!(policy("sudo", "{}"), "0x");
    assert_eq!(
        policy("usage-limit", r#"{"limit": 10}"#),
        "0x0000000000000000000000000000000a"
    );
    assert_eq!(
        policy("value-limit", r#"{"limit": "1000000000000000000"}"#),
        "0x0000000000000000000000000000000000000000000000000de0b6b3a7640000"
    );
    let weth = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2";
    let expected = format!(
        "0x{}{}{}{}{}{}",
        word("40"),
        word("80"),
        word("1"),
        word("c02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"),
        word("1"),
        word("de0b6b3a7640000")
    );
    assert_eq!(
        policy(
            "spending-limits",
            &format!(
                r#"[{{"token": "{weth}", "limit": {{"__type":"bigint","value":"1000000000000000000"}}}}]"#
            )
        ),
        expected
    );
}

#[test]
fn time_frame_is_twelve_packed_bytes() {
    // abi.encodePacked(uint48 validUntil, uint48 validAfter): what the smartsessions TimeFramePolicy reads.
    let out = policy(
        "time-frame",
        r#"{"validUntil": 1735689600, "validAfter": "0x10"}"#,
    );
    assert_eq!(out, format!("0x{:012x}{:012x}", 1_735_689_600u64, 16));
    let back = ok_json(&["decode-policy", "time-frame", &out]);
    assert_eq!(back, json!({"validUntil": 1735689600u64, "validAfter": 16}));
}

#[test]
fn universal_action_golden_and_round_trip() {
    // §15.7: one EQUAL rule on argument 0 against the session key address, value limit 0.
    let sk = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    let cfg = format!(
        r#"{{"valueLimitPerUse": "0", "rules": [{{"condition": "equal", "argIndex": 0, "ref": "{sk}"}}]}}"#
    );
    let out = policy("universal-action", &cfg);
    let mut words = vec![word("0"); 98];
    words[1] = word("1");
    words[5] = word(&sk[2..]);
    assert_eq!(out, format!("0x{}", words.concat()));

    // decode-policy gives the config shape back, and it rebuilds the same bytes.
    let decoded = ok_json(&["decode-policy", "universal-action", &out]);
    assert_eq!(decoded["rules"][0]["condition"], "equal");
    assert_eq!(decoded["rules"][0]["offset"], 0);
    assert_eq!(decoded["rules"][0]["ref"], format!("0x{}", word(&sk[2..])));
    assert_eq!(policy("universal-action", &decoded.to_string()), out);

    // Every condition, limits, IN_RANGE and byte offsets survive the round trip.
    let rich = json!({"valueLimitPerUse": "0x1000", "rules": [
        {"condition": "greaterThan", "argIndex": 1, "ref": "5"},
        {"condition": "lessThan", "offset": 4, "ref": 7},
        {"condition": "greaterThanOrEqual", "argIndex": 2, "ref": true},
        {"condition": "lessThanOrEqual", "argIndex": 3, "ref": format!("0x{}", "ab".repeat(32))},
        {"condition": "notEqual", "argIndex": 4, "ref": {"__type": "bigint", "value": "9"}},
        {"condition": "inRange", "argIndex": 5, "min": "1", "max": "340282366920938463463374607431768211455",
         "isLimited": true, "limit": "1000000"},
    ]});
    let out = ok_stdin(
        &["policy", "universal-action", "--config", "-"],
        &rich.to_string(),
    );
    let decoded = ok_json(&["decode-policy", "universal-action", &out]);
    assert_eq!(decoded["valueLimitPerUse"], "4096");
    assert_eq!(decoded["rules"].as_array().unwrap().len(), 6);
    assert_eq!(decoded["rules"][1]["offset"], 4);
    assert_eq!(decoded["rules"][5]["min"], "1");
    assert_eq!(
        decoded["rules"][5]["max"],
        "340282366920938463463374607431768211455"
    );
    assert_eq!(decoded["rules"][5]["isLimited"], true);
    assert_eq!(decoded["rules"][5]["limit"], "1000000");
    assert_eq!(policy("universal-action", &decoded.to_string()), out);
}

#[test]
fn simple_policies_round_trip() {
    for (kind, cfg) in [
        (
            "usage-limit",
            json!({"limit": "340282366920938463463374607431768211455"}),
        ),
        (
            "value-limit",
            json!({"limit": "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}),
        ),
        (
            "spending-limits",
            json!([
                {"token": "0x1111111111111111111111111111111111111111", "limit": "1"},
                {"token": "0x2222222222222222222222222222222222222222", "limit": "2"}
            ]),
        ),
    ] {
        let out = policy(kind, &cfg.to_string());
        let decoded = ok_json(&["decode-policy", kind, &out]);
        assert_eq!(policy(kind, &decoded.to_string()), out, "{kind}");
    }
    assert_eq!(ok_json(&["decode-policy", "sudo", "0x"]), json!({}));
}

#[test]
fn rule_less_universal_action_encodes_with_a_warning() {
    // module-sdk encodes it; the contract reverts PolicyNotInitialized when it is used.
    let out = common::run(&[
        "policy",
        "universal-action",
        "--config",
        r#"{"valueLimitPerUse": "5", "rules": []}"#,
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut words = vec![word("0"); 98];
    words[0] = word("5");
    assert_eq!(stdout.trim(), format!("0x{}", words.concat()));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("warning:") && stderr.contains("PolicyNotInitialized"),
        "{stderr}"
    );
}
