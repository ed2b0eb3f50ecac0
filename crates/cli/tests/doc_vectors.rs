//! Every offline command against the verified vectors of smart-sessions-onchain.md §20 and
//! nexus-and-reference-sdks.md §15 / Appendix A (values equal to on-chain results or accepted by
//! `validateUserOp`).

mod common;

use common::{data, ok, ok_json, ok_stdin};

const PID_A: &str = "0x5fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b";
const PID_B: &str = "0xba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957";
const PRE_V1_SMART_SESSION: &str = "0x0000000071727De22e5E9D8bAF0EDAc6F37da034";
const V1_SMART_SESSION: &str = "0x00000000002B0eCfbD0496EE71e01257dA0E37DE";
const ACCOUNT_A: &str = "0x5555555555555555555555555555555555555555";
const ACCOUNT_B: &str = "0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb";
const SIG65: &str = "0x111111111111111111111111111111111111111111111111111111111111111122222222222222222222222222222222222222222222222222222222222222221b";

fn digest(session: &str, version: &str, account: &str, smart_session: &str, mode: &str) -> String {
    ok(&[
        "session-digest",
        "--session",
        &data(session),
        "--module-version",
        version,
        "--account",
        account,
        "--smart-session",
        smart_session,
        "--mode",
        mode,
        "--nonce",
        "0",
        "--chain-id",
        "31337",
    ])
}

fn multichain(digests: &str) -> String {
    ok(&[
        "multichain-hash",
        "--module-version",
        "pre-v1",
        "--digests",
        digests,
    ])
}

#[test]
fn permission_ids() {
    assert_eq!(
        ok(&["permission-id", "--session", &data("session_a_pre_v1.json")]),
        PID_A
    );
    assert_eq!(
        ok(&["permission-id", "--session", &data("session_a_v1.json")]),
        PID_A
    );
    assert_eq!(
        ok(&["permission-id", "--session", &data("session_b.json")]),
        PID_B
    );
    let text = std::fs::read_to_string(data("session_b.json")).unwrap();
    assert_eq!(ok_stdin(&["permission-id", "--session", "-"], &text), PID_B);
}

#[test]
fn action_ids() {
    let expected = "0x5925bd5bd51b40f14e7ad7ba583e31e71a0200ad8bb32da4df0dd2d5b8bd22d9";
    let target = "0x1111111111111111111111111111111111111111";
    assert_eq!(
        ok(&["action-id", "--target", target, "--selector", "0x273ea3e3"]),
        expected
    );
    assert_eq!(
        ok(&[
            "action-id",
            "--target",
            target,
            "--selector",
            "incrementNumber()"
        ]),
        expected
    );
}

#[test]
fn session_a_pre_v1_digests_and_multichain_hashes() {
    let d1 = digest(
        "session_a_pre_v1.json",
        "pre-v1",
        ACCOUNT_A,
        PRE_V1_SMART_SESSION,
        "enable",
    );
    assert_eq!(
        d1,
        "0xba39bc0af8a267a8d5d314e0d9404e8ab373e67f57cd3de0de96ef5d67b3f7c5"
    );
    let d2 = digest(
        "session_a_pre_v1.json",
        "pre-v1",
        ACCOUNT_A,
        PRE_V1_SMART_SESSION,
        "unsafe-enable",
    );
    assert_eq!(
        d2,
        "0x893e753dfb467a49bb6c6bde88eec6bea542f6ef0ad254441fa0bcc4582d7f58"
    );

    let one = |d: &str| format!(r#"[{{"chainId": 31337, "sessionDigest": "{d}"}}]"#);
    let two = |d: &str| {
        format!(
            r#"[{{"chainId": "1", "sessionDigest": "0x{}"}}, {{"chainId": {{"__type":"bigint","value":"31337"}}, "sessionDigest": "{d}"}}]"#,
            "11".repeat(32)
        )
    };
    assert_eq!(
        multichain(&one(&d1)),
        "0xd1a1164b382ecde483b5ef77a0a71aa4254a7fb515e59fa9316c4532d5e05361"
    );
    assert_eq!(
        multichain(&two(&d1)),
        "0x82beceac08d7b27fa6f67f78f2508280e10496cf7ad4860f5a1ad3c66a9169f1"
    );
    assert_eq!(
        multichain(&one(&d2)),
        "0x5d54fe5ec03b3af3e3a85b5982f44ace084def6b6c8ab9dee9c96b0095d94030"
    );
    assert_eq!(
        multichain(&two(&d2)),
        "0x846767d4021263f1375ddeb4ff44b35f628baa310948d23c4d915a38b09212be"
    );
}

#[test]
fn session_a_v1_digests() {
    for version in ["v1", "v1-registry-free"] {
        let d1 = digest(
            "session_a_v1.json",
            version,
            ACCOUNT_A,
            V1_SMART_SESSION,
            "enable",
        );
        assert_eq!(
            d1,
            "0x5c492f2319b7c702aad9479e29f6c0af9f2b3d32facaeb16a6cf99103603cc7f"
        );
        let d2 = digest(
            "session_a_v1.json",
            version,
            ACCOUNT_A,
            V1_SMART_SESSION,
            "unsafe-enable",
        );
        assert_eq!(
            d2,
            "0x65a5bdb209183df86261a8b3754116a99cabb9a9d3603adbb6199966772d7e3a"
        );
        let m = |d: &str| {
            ok(&[
                "multichain-hash",
                "--module-version",
                version,
                "--digests",
                &format!(r#"[{{"chainId": 31337, "sessionDigest": "{d}"}}]"#),
            ])
        };
        assert_eq!(
            m(&d1),
            "0xac79e440b216f5584c26e0e828d74e54a161bbc5d99aede0464da5008516bbb8"
        );
        assert_eq!(
            m(&d2),
            "0x333a9b280cbb8e2d2aa2c25b225a395fe8e4f199ab505f41de0186a7b4ccaebd"
        );
    }
}

#[test]
fn session_digest_json_feeds_multichain_hash() {
    let args = [
        "session-digest",
        "--session",
        &data("session_b.json"),
        "--module-version",
        "pre-v1",
        "--account",
        ACCOUNT_B,
        "--smart-session",
        PRE_V1_SMART_SESSION,
        "--mode",
        "enable",
        "--nonce",
        "0x0",
        "--json",
    ];
    let entry = ok_json(&args);
    // The chain id comes from the session file's bigint-tagged chainId.
    assert_eq!(entry["chainId"], 31337);
    assert_eq!(
        entry["sessionDigest"],
        "0x9c16d984b1dd153f71febd72623bd2762b67b5ce01f3993a97d1431e1068683f"
    );
    let digests = serde_json::Value::Array(vec![entry]).to_string();
    assert_eq!(
        ok_stdin(
            &[
                "multichain-hash",
                "--module-version",
                "pre-v1",
                "--digests",
                "-"
            ],
            &digests
        ),
        "0x46f22c7d14dbe453ae45eb4a4f1d80623e96ecc146883fdcde38e6e83d93ca97"
    );
    let d2 = digest(
        "session_b.json",
        "pre-v1",
        ACCOUNT_B,
        PRE_V1_SMART_SESSION,
        "unsafe-enable",
    );
    assert_eq!(
        d2,
        "0x3562c05b0cf90524bbef0eb4c77f6fb6f42f547a20ef03366eea21386d77ef6e"
    );
    assert_eq!(
        multichain(&format!(
            r#"[{{"chainId": 31337, "sessionDigest": "{d2}"}}]"#
        )),
        "0x4900358698e73958e21a4e1c7174dd0e2f14ae5f35179a8a0a836a969a0ac0e3"
    );
}

const USE_PRE_V1_A: &str = "0x005fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b010000e014010020e0141d0300004111e016000022e01600001b2044e00e00040000000000";

#[test]
fn encode_use_all_versions() {
    let enc = |v: &str, pid: &str, sig: &str| {
        ok(&[
            "encode-use",
            "--module-version",
            v,
            "--permission-id",
            pid,
            "--signature",
            sig,
        ])
    };
    assert_eq!(enc("pre-v1", PID_A, SIG65), USE_PRE_V1_A);
    let raw = format!("0x00{}{}", &PID_A[2..], &SIG65[2..]);
    assert_eq!(enc("v1", PID_A, SIG65), raw);
    assert_eq!(enc("v1-registry-free", PID_A, SIG65), raw);
    // §20.6 stub signature.
    let dummy = "0xe8b94748580ca0b4993c9a1b86b5be851bfc076ff5ce3a1ff65bf16392acfcb800f9b4f1aef1555c7fce5599fffb17e7c635502154a0333ba21f3ae491839af51c";
    assert_eq!(
        enc("pre-v1", PID_B, dummy),
        "0x00ba06d407c8d9ddaaac3b680421283c1c424cd21e8205173dfef1840705aa9957010000e014010020e0141d1f000041e8b94748580ca0b4993c9a1b86b5be851bfc076ff5ce3a1ff65bf163921facfcb800f9b4f1aef1555c7fce5599fffb17e7c635502154a0333ba21f3ae49103839af51c2044e00e00040000000000"
    );
}

#[test]
fn decode_use_signatures() {
    let d = ok_json(&[
        "decode-signature",
        "--module-version",
        "pre-v1",
        USE_PRE_V1_A,
    ]);
    assert_eq!(d["mode"], "use");
    assert_eq!(d["modeByte"], "0x00");
    assert_eq!(d["permissionId"], PID_A);
    assert_eq!(d["sessionKeySignature"], SIG65);
    // The alternative (non-solady) stream decodes to the same signature: the contract accepts any stream.
    let alt = "0x005fc0b0bba64e21b771562834e4f26622bc994a4eb2ae13ca2944b7f92cdfdf0b02000000e013000020e0131c2000014111e016000022e01600001b2044e00e00040000000000";
    let d = ok_json(&["decode-signature", "--module-version", "pre-v1", alt]);
    assert_eq!(d["sessionKeySignature"], SIG65);
    let raw = format!("0x00{}{}", &PID_A[2..], &SIG65[2..]);
    let d = ok_json(&["decode-signature", "--module-version", "v1", &raw]);
    assert_eq!(d["permissionId"], PID_A);
    assert_eq!(d["sessionKeySignature"], SIG65);
    // §20.4, verified on-chain; read from stdin with a trailing newline as when pasted.
    let sig = "0x00401ff264aa02a67b6ad7a15359c3eb94ef5a59aa2ec2f3ed71e87717a268c372010000e014010020e0141d1f0000414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d51fc6a8c126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6e03fa34531c2044e00e00040000000000";
    let text = ok_stdin(
        &["decode-signature", "--module-version", "pre-v1", "-"],
        &format!("{sig}\n"),
    );
    let d: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        d["permissionId"],
        "0x401ff264aa02a67b6ad7a15359c3eb94ef5a59aa2ec2f3ed71e87717a268c372"
    );
    assert_eq!(d["sessionKeySignature"], SESSION_KEY_SIG);
}

const SESSION_KEY_SIG: &str = "0x4afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a8c126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa34531c";

/// §20.5 / Appendix A.7: ENABLE and UNSAFE_ENABLE signatures accepted by `validateUserOp`.
#[test]
fn decode_enable_signatures() {
    struct Case {
        sig: &'static str,
        mode: &'static str,
        pid: &'static str,
        digest: &'static str,
        hash: &'static str,
        owner_sig: &'static str,
        salt_byte: &'static str,
    }
    let cases = [
        Case {
            sig: "0x01010000e014010040e0141d020004e02004e033000080e0163ce0165f010420e0163f0001e0151f1f7a6904d6c4b30857314402c895e17fa1c0f5a2387a4200b3305f9fb722b3125501aef4e0033f135fc8d32690cc91d4c39d9d3abcbd16989f875707e0031fe00a0000c0e00a13e00300000be0030ce00900010160e00913e003000001e1163f0002e0032ce00b00e0163fe1173fe2171fe0053f1370997970c51812dc3a010c7d01b50e0d17dc79c82023e03300e2169f0000e1163fe03800e2165f050020273ea3e32007e01c000011e00a00e01638e017dfe0189fe0035f13dc64a140aa3e981100a9beca4e685f962f0cf6c9e0031fe00a00e1177fe017001f550165878a594ca255338adfa4d48449f69242eb8f506b4db791a9032f0e26041fddfc446510676fa19a1432be3b5198a3084427aff742f89821e89ea10de440cb15bd4ea8cb37a864bbdd83e96aa7c0958bff5c6307821be01775e001001f414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a81fc126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa3401531ce0014be00700040000000000",
            mode: "enable",
            pid: "0x70c718876b4eaa85d283fea2e742cb09ed256bfbfe8a785b2d417aeadf0b8cd0",
            digest: "0x04d6c4b30857314402c895e17fa1c0f5a2387a4200b3305f9fb722b31255aef4",
            hash: "0xee91e5a4130d0501e78fa82e6afe2638cebef2704b32fe11398300b1fd781b8d",
            owner_sig: "0x506b4db791a9032f0e2604ddfc446510676fa19a1432be3b5198a3084427aff742f89821e89ea10de440cbbd4ea8cb37a864bbdd83e96aa7c0958bff5c6307821b",
            salt_byte: "0b",
        },
        Case {
            sig: "0x02010000e014010040e0141d020004e02004e033000080e0163ce0165f010420e0163f0001e0151f1f7a694073f2c31e0d30584c0988f9814a0247937c16bf40417e8b0b36a507d079013db9e0033f135fc8d32690cc91d4c39d9d3abcbd16989f875707e0031fe00a0000c0e00a13e00300000ce0030ce00900010160e00913e003000001e1163f0002e0032ce00b00e0163fe1173fe2171fe0053f1370997970c51812dc3a010c7d01b50e0d17dc79c82023e03300e2169f0000e1163fe03800e2165f050020273ea3e32007e01c000011e00a00e01638e017dfe0189fe0035f13dc64a140aa3e981100a9beca4e685f962f0cf6c9e0031fe00a00e1177fe017001f550165878a594ca255338adfa4d48449f69242eb8f09479384b72d95027fa3e71f7a238a72867d49489a18ed0a325dcecea33840d6d27dfd11df82a45a504ff7ef1515a1a12facdf32956f76ffd81b3a5b4ab50d4fd9ae1ce01775e001001f414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a81fc126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa340053e0126b040000000000",
            mode: "unsafe-enable",
            pid: "0x72c92ae58d4932059488984fcd9e2a94c164e86aa90dd22e954d128e132fa376",
            digest: "0x4073f2c31e0d30584c0988f9814a0247937c16bf40417e8b0b36a507d0793db9",
            hash: "0xdf95754032cb6dfcc72fa00a4ddf08ba5f48af7a5ca4c57e811c2dff1fbe1a72",
            owner_sig: "0x09479384b72d95027fa3e77a238a72867d49489a18ed0a325dcecea33840d6d27dfd11df82a45a504ff7ef15a1a12facdf32956f76ffd81b3a5b4ab50d4fd9ae1c",
            salt_byte: "0c",
        },
    ];
    for c in cases {
        let d = ok_json(&["decode-signature", "--module-version", "pre-v1", c.sig]);
        assert_eq!(d["mode"], c.mode);
        assert_eq!(
            d["permissionId"], c.pid,
            "permission id recomputed from the session"
        );
        assert_eq!(d["sessionKeySignature"], SESSION_KEY_SIG);
        assert_eq!(d["permissionEnableHash"], c.hash);
        let e = &d["enableSession"];
        assert_eq!(e["chainDigestIndex"], 0);
        assert_eq!(e["hashesAndChainIds"][0]["chainId"], 31337);
        assert_eq!(e["hashesAndChainIds"][0]["sessionDigest"], c.digest);
        let validator = "0x0165878a594ca255338adfa4d48449f69242eb8f";
        assert_eq!(
            e["permissionEnableSig"],
            format!("{validator}{}", &c.owner_sig[2..])
        );
        assert_eq!(d["permissionEnableSigNexus"]["validator"], validator);
        assert_eq!(d["permissionEnableSigNexus"]["signature"], c.owner_sig);
        let s = &e["sessionToEnable"];
        assert_eq!(
            s["sessionValidator"],
            "0x5fc8d32690cc91d4c39d9d3abcbd16989f875707"
        );
        assert_eq!(s["salt"], format!("0x{}{}", "00".repeat(31), c.salt_byte));
        assert_eq!(s["userOpPolicies"], serde_json::json!([]));
        assert_eq!(
            s["erc7739Policies"],
            serde_json::json!({"allowedERC7739Content": [], "erc1271Policies": []})
        );
        assert_eq!(s["actions"][0]["actionTargetSelector"], "0x273ea3e3");
        assert_eq!(
            s["actions"][0]["actionTarget"],
            "0x1111111111111111111111111111111111111111"
        );
        assert_eq!(
            s["actions"][0]["actionPolicies"],
            serde_json::json!([{"policy": "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9", "initData": "0x"}])
        );
        assert!(
            s.get("permitERC4337Paymaster").is_none(),
            "pre-v1 sessions have no paymaster flag"
        );

        // The decoded session is a valid session file: its id and digest reproduce the vectors.
        let session = s.to_string();
        assert_eq!(
            ok_stdin(&["permission-id", "--session", "-"], &session),
            c.pid
        );
        let digest = ok_stdin(
            &[
                "session-digest",
                "--session",
                "-",
                "--module-version",
                "pre-v1",
                "--account",
                ACCOUNT_B,
                "--smart-session",
                PRE_V1_SMART_SESSION,
                "--mode",
                c.mode,
                "--nonce",
                "0",
            ],
            &session,
        );
        assert_eq!(digest, c.digest);
    }
}

#[test]
fn flz_round_trip_matches_solady() {
    // abi.encode(bytes sig65) compresses to the solady JS stream inside the §20.2 USE signature.
    let encoded = "0x00000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000041111111111111111111111111111111111111111111111111111111111111111122222222222222222222222222222222222222222222222222222222222222221b00000000000000000000000000000000000000000000000000000000000000";
    let compressed = ok(&["flz", "compress", encoded]);
    assert_eq!(compressed, format!("0x{}", &USE_PRE_V1_A[68..]));
    assert_eq!(ok(&["flz", "decompress", &compressed]), encoded);
    assert_eq!(ok_stdin(&["flz", "decompress", "-"], &compressed), encoded);
    assert_eq!(ok(&["flz", "compress", "0x"]), "0x");
}

#[test]
fn userop_hash_of_the_reference_operation() {
    let expected = "0x631c3900e7181ae6d5cf1cdeb13c59a97f2f6aabdc5b704de6ab8410a3d8eb22";
    let file = data("userop_a5.json");
    assert_eq!(
        ok(&["userop-hash", "--userop", &file, "--chain-id", "31337"]),
        expected
    );
    let args = [
        "userop-hash",
        "--userop",
        "-",
        "--entry-point",
        "0x0000000071727De22E5E9d8BAf0edAc6f37da032",
        "--chain-id",
        "0x7a69",
    ];
    assert_eq!(
        ok_stdin(&args, &std::fs::read_to_string(&file).unwrap()),
        expected
    );
    // Another chain id gives another hash.
    assert_ne!(
        ok(&["userop-hash", "--userop", &file, "--chain-id", "1"]),
        expected
    );
}

/// A signature that decodes but would fail on-chain is shown, with the problem named.
#[test]
fn decode_reports_an_out_of_range_chain_digest_index() {
    let sig = include_str!("data/enable_pre_v1.hex").trim();
    // Patch chainDigestIndex (the first head word of the EnableSession at payload offset 0x40) to 5.
    let payload = ok(&["flz", "decompress", &format!("0x{}", &sig[4..])]);
    let at = 2 + 0x40 * 2 + 62;
    assert_eq!(&payload[at..at + 2], "00");
    let patched = format!("{}05{}", &payload[..at], &payload[at + 2..]);
    let compressed = ok(&["flz", "compress", &patched]);
    let d = ok_json(&[
        "decode-signature",
        "--module-version",
        "pre-v1",
        &format!("0x01{}", &compressed[2..]),
    ]);
    assert_eq!(d["enableSession"]["chainDigestIndex"], 5);
    let problems = d["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0]
            .as_str()
            .unwrap()
            .contains("chainDigestIndex 5 is out of range for 1")
    );
}
