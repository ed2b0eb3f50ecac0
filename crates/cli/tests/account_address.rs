//! `account-address` against the Nexus 1.2 address vectors (abstractjs 1.2.3, 8 owner/index pairs,
//! copied into `crates/nexus/tests/vectors/nexus-1.2/`), offline through a deployment file carrying
//! the vector's NexusProxy creation code; and its errors.

mod common;

use common::{input_error, input_error_stdin, ok_stdin};
use nexus_sessions::Deployment;
use serde_json::Value;

fn address_vectors() -> Value {
    let path = format!(
        "{}/../nexus/tests/vectors/nexus-1.2/address-vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The Nexus 1.2 preset with the vectors' proxy creation code, as a Deployment JSON file.
fn deployment_json(v: &Value) -> String {
    let mut d = Deployment::nexus_1_2_smart_session_v1_registry_free();
    d.proxy_creation_code = Some(v["proxyCreationCode"].as_str().unwrap().parse().unwrap());
    serde_json::to_string(&d).unwrap()
}

#[test]
fn eight_vectors_offline() {
    let v = address_vectors();
    let file = deployment_json(&v);
    let vectors = v["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 8);
    for case in vectors {
        let owner = case["owner"].as_str().unwrap();
        let index = case["index"].as_str().unwrap();
        let out = ok_stdin(
            &[
                "account-address",
                "--owner",
                owner,
                "--index",
                index,
                "--deployment",
                "-",
            ],
            &file,
        );
        assert_eq!(
            out,
            case["address"].as_str().unwrap().to_lowercase(),
            "{owner} #{index}"
        );
    }
}

#[test]
fn errors() {
    let v = address_vectors();
    let owner = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    // a preset carries no proxy code: without a node the address cannot be computed
    input_error(
        &[
            "account-address",
            "--owner",
            owner,
            "--preset",
            "nexus-1.2-smart-session-v1-registry-free",
        ],
        &["--rpc-url", "proxy_creation_code"],
    );
    input_error(
        &["account-address", "--owner", owner, "--preset", "public-v1"],
        &["unknown preset", "nexus-1.0-smart-session-v1"],
    );
    input_error(
        &["account-address", "--owner", "0x1234", "--preset", "x"],
        &["--owner"],
    );
    input_error_stdin(
        &[
            "account-address",
            "--owner",
            owner,
            "--index",
            "18446744073709551616",
            "--deployment",
            "-",
        ],
        &deployment_json(&v),
        &["--index"],
    );
    input_error(&["account-address", "--owner", owner], &["--preset"]);
}
