//! Garbage and mutated input never panics: every run ends with exit code 0 or 2 (never 101), and every
//! failure is one line on stderr.

mod common;

use common::{input_error, run_with_stdin};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = (self.next() as usize) % (max_len + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn hex(b: &[u8]) -> String {
    format!(
        "0x{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    )
}

/// Runs with the hex on stdin and checks the exit contract.
fn survives(args: &[&str], input: &str) -> bool {
    let out = run_with_stdin(args, input);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(2)),
        "{args:?} on {input}: exit {code:?}: {stderr}"
    );
    if code == Some(2) {
        assert_eq!(stderr.lines().count(), 1, "{args:?} on {input}: {stderr}");
    }
    code == Some(0)
}

const ENABLE: &str = "0x01010000e014010040e0141d020004e02004e033000080e0163ce0165f010420e0163f0001e0151f1f7a6904d6c4b30857314402c895e17fa1c0f5a2387a4200b3305f9fb722b3125501aef4e0033f135fc8d32690cc91d4c39d9d3abcbd16989f875707e0031fe00a0000c0e00a13e00300000be0030ce00900010160e00913e003000001e1163f0002e0032ce00b00e0163fe1173fe2171fe0053f1370997970c51812dc3a010c7d01b50e0d17dc79c82023e03300e2169f0000e1163fe03800e2165f050020273ea3e32007e01c000011e00a00e01638e017dfe0189fe0035f13dc64a140aa3e981100a9beca4e685f962f0cf6c9e0031fe00a00e1177fe017001f550165878a594ca255338adfa4d48449f69242eb8f506b4db791a9032f0e26041fddfc446510676fa19a1432be3b5198a3084427aff742f89821e89ea10de440cb15bd4ea8cb37a864bbdd83e96aa7c0958bff5c6307821be01775e001001f414afb64ee6258f48a08f9bb54125205f5b3bfe0acaa166152d942eba1d5c6a81fc126a6abad674c7943fe6d7c599136a59ad00a19e466cd50da01ed9f5a6efa3401531ce0014be00700040000000000";

#[test]
fn random_signatures() {
    let mut rng = Rng(0x5eed_0001);
    for version in ["pre-v1", "v1", "v1-registry-free"] {
        for _ in 0..40 {
            let mut b = rng.bytes(300);
            if let Some(first) = b.first_mut() {
                *first %= 4; // mostly valid mode bytes, so decoding goes deep
            }
            survives(
                &["decode-signature", "--module-version", version, "-"],
                &hex(&b),
            );
        }
    }
}

#[test]
fn mutated_enable_signature() {
    let original: Vec<u8> = (2..ENABLE.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&ENABLE[i..i + 2], 16).unwrap())
        .collect();
    let mut rng = Rng(0x5eed_0002);
    let mut decoded = 0;
    for _ in 0..80 {
        let mut b = original.clone();
        for _ in 0..=(rng.next() % 3) {
            let i = 1 + (rng.next() as usize) % (b.len() - 1);
            b[i] = rng.next() as u8;
        }
        if rng.next().is_multiple_of(4) {
            b.truncate(1 + (rng.next() as usize) % b.len());
        }
        if survives(
            &["decode-signature", "--module-version", "pre-v1", "-"],
            &hex(&b),
        ) {
            decoded += 1;
        }
    }
    // Some mutations still decode (e.g. inside signatures); most do not. Both paths ran.
    assert!(decoded < 80);
}

#[test]
fn random_flz_streams_and_policy_data() {
    let mut rng = Rng(0x5eed_0003);
    for _ in 0..60 {
        let b = hex(&rng.bytes(200));
        survives(&["flz", "decompress", "-"], &b);
    }
    for kind in [
        "sudo",
        "universal-action",
        "time-frame",
        "usage-limit",
        "value-limit",
        "spending-limits",
    ] {
        for len in [0usize, 1, 12, 16, 31, 32, 64, 192, 3136] {
            let b = hex(&rng
                .bytes(len)
                .into_iter()
                .chain(std::iter::repeat(0))
                .take(len)
                .collect::<Vec<_>>());
            survives(&["decode-policy", kind, "-"], &b);
        }
    }
}

#[test]
fn random_json_documents() {
    let docs = [
        "",
        "null",
        "0",
        "\"x\"",
        "[]",
        "{}",
        "[[[[",
        "{\"salt\":",
        "\u{feff}{}",
        "{\"sessionValidator\": null}",
        "{\"sessionValidator\": \"0x5555555555555555555555555555555555555555\", \"sessionValidatorInitData\": \"0x\", \"salt\": \"0x0000000000000000000000000000000000000000000000000000000000000000\", \"actions\": [{}]}",
        "{\"sessionValidator\": \"0x0000000000000000000000000000000000000000\", \"sessionValidatorInitData\": \"0x\", \"salt\": \"0x0000000000000000000000000000000000000000000000000000000000000000\"}",
    ];
    let digest_args = |session| {
        [
            "session-digest",
            "--session",
            session,
            "--module-version",
            "v1",
            "--account",
            "0x5555555555555555555555555555555555555555",
            "--smart-session",
            "0x5555555555555555555555555555555555555555",
            "--mode",
            "enable",
            "--nonce",
            "0",
        ]
    };
    for doc in docs {
        survives(&["permission-id", "--session", "-"], doc);
        survives(&digest_args("-"), doc);
        survives(&["userop-hash", "--userop", "-", "--chain-id", "1"], doc);
        survives(&["policy", "universal-action", "--config", "-"], doc);
        survives(
            &[
                "multichain-hash",
                "--module-version",
                "v1",
                "--digests",
                "-",
            ],
            doc,
        );
    }
    // A zero session validator is refused by the library with a message, not a panic.
    input_error(&digest_args("/dev/null"), &["--session", "invalid JSON"]);
}

#[test]
fn a_panic_is_one_line_with_exit_code_101() {
    let out = common::bin()
        .env("NEXUS_SESSIONS_PANIC_TEST", "1")
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: internal error"), "{stderr}");
}
