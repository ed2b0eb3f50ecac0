//! The live commands' local checks, which run before any network request: missing deployment, bad
//! deployment files, keys (never from argv; unreadable, world-readable, malformed, missing env var),
//! and an unreachable node (exit code 1, one line).

mod common;

use common::{bin, input_error};
use std::{os::unix::fs::PermissionsExt, process::Stdio};

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nexus-sessions-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(name: &str, contents: &str, mode: u32) -> String {
    let path = temp_dir().join(name);
    std::fs::write(&path, contents).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path.display().to_string()
}

const KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/// A deployment in the `cargo xtask devnet` format pointing at a closed port.
fn devnet_json() -> String {
    let a = |b: u8| format!("0x{}", format!("{b:02x}").repeat(20));
    let names = [
        "entry_point",
        "nexus_implementation",
        "nexus_factory",
        "nexus_bootstrap",
        "smart_session",
        "registry",
        "account_validator",
        "session_validator",
        "counter",
        "token",
        "sudo_policy",
        "universal_action_policy",
        "time_frame_policy",
        "usage_limit_policy",
        "value_limit_policy",
        "spending_limits_policy",
    ];
    let addresses: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.to_string(), a(i as u8 + 1).into()))
        .collect();
    serde_json::json!({
        "rpc_url": "http://127.0.0.1:9",
        "bundler_url": "http://127.0.0.1:9",
        "chain_id": 31337,
        "module_version": "pre-v1",
        "addresses": addresses,
    })
    .to_string()
}

#[test]
fn no_deployment_anywhere() {
    let dir = temp_dir();
    let out = bin()
        .current_dir(&dir)
        .args([
            "status",
            "--account",
            "0x1111111111111111111111111111111111111111",
        ])
        .env_remove("NEXUS_DEPLOYMENT")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("no deployment") && stderr.contains("--deployment"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
}

#[test]
fn bad_deployment_files() {
    let missing = write(
        "missing_field.json",
        &devnet_json().replace("\"smart_session\"", "\"smart_sesion\""),
        0o600,
    );
    input_error(
        &[
            "status",
            "--deployment",
            &missing,
            "--account",
            "0x1111111111111111111111111111111111111111",
        ],
        &["--deployment", "missing field `smart_session`"],
    );
    let version = write(
        "version.json",
        &devnet_json().replace("pre-v1", "v9"),
        0o600,
    );
    input_error(
        &[
            "status",
            "--deployment",
            &version,
            "--account",
            "0x1111111111111111111111111111111111111111",
        ],
        &["module_version", "unknown SmartSession module version"],
    );
    let other = write("other.json", "{\"hello\": 1}", 0o600);
    input_error(
        &[
            "status",
            "--deployment",
            &other,
            "--account",
            "0x1111111111111111111111111111111111111111",
        ],
        &["nexus Deployment"],
    );
    let good = write("good.json", &devnet_json(), 0o600);
    input_error(
        &[
            "status",
            "--deployment",
            &good,
            "--rpc-url",
            "ftp://x",
            "--account",
            "0x1111111111111111111111111111111111111111",
        ],
        &["--rpc-url", "not an http(s) URL"],
    );
    input_error(
        &["status", "--deployment", &good],
        &["--account", "--owner"],
    );
}

#[test]
fn keys_never_come_from_argv_and_are_checked() {
    let good = write("d.json", &devnet_json(), 0o600);
    let grant = |extra: &[&str]| {
        let mut args = vec![
            "grant",
            "--deployment",
            &good,
            "--session-key",
            "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
            "--action",
            "0x1111111111111111111111111111111111111111:0x273ea3e3",
        ];
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |args: Vec<String>, needles: &[&str]| {
        input_error(
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            needles,
        )
    };
    // There is no flag that takes the key itself.
    run(grant(&["--key", KEY]), &["unexpected argument '--key'"]);
    run(
        grant(&[]),
        &["owner key", "--key-file PATH or --key-env VAR"],
    );
    let open = write("open.key", KEY, 0o644);
    let line = run(
        grant(&["--key-file", &open]),
        &["owner key", "accessible by other users", "chmod 600"],
    );
    assert!(
        !line.contains(&KEY[2..]),
        "the key must never be echoed: {line}"
    );
    let bad = write("bad.key", "0x1234", 0o600);
    run(
        grant(&["--key-file", &bad]),
        &["not a private key", "64 hex digits"],
    );
    let secret = write("secret.key", &format!("{}zz", &KEY[..64]), 0o600);
    let line = run(grant(&["--key-file", &secret]), &["not a private key"]);
    assert!(
        !line.contains(&KEY[2..20]),
        "the key must never be echoed: {line}"
    );
    run(
        grant(&["--key-file", "/nonexistent/owner.key"]),
        &["owner key", "--key-file"],
    );
    run(
        grant(&["--key-env", "NEXUS_SESSIONS_TEST_UNSET_VAR"]),
        &["--key-env", "not set"],
    );
    // A key pasted by mistake as the path or the variable name is never echoed.
    for flag in ["--key-file", "--key-env"] {
        let line = run(grant(&[flag, KEY]), &["owner key", flag]);
        assert!(!line.contains(&KEY[2..]), "{flag} value echoed: {line}");
    }
    run(
        grant(&["--key-file", &bad, "--key-env", "X"]),
        &["cannot be used with"],
    );
    // Local argument errors come before any network request.
    let ok_key = write("ok.key", KEY, 0o600);
    let mut args = grant(&["--key-file", &ok_key]);
    args[6] = "0x1111111111111111111111111111111111111111-0x273ea3e3".into();
    run(args, &["--action", "TARGET:SELECTOR"]);
}

#[test]
fn unreachable_node_is_a_runtime_error() {
    let good = write("d2.json", &devnet_json(), 0o600);
    let out = bin()
        .args([
            "status",
            "--deployment",
            &good,
            "--account",
            "0x1111111111111111111111111111111111111111",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn use_rejects_signatures_with_arguments() {
    let good = write("d3.json", &devnet_json(), 0o600);
    let key = write("s.key", KEY, 0o600);
    input_error(
        &[
            "use",
            "--deployment",
            &good,
            "--key-file",
            &key,
            "--account",
            "0x1111111111111111111111111111111111111111",
            "--permission-id",
            &format!("0x{}", "11".repeat(32)),
            "--target",
            "0x1111111111111111111111111111111111111111",
            "--call",
            "setNumber(uint256)",
        ],
        &["--call", "no arguments"],
    );
}

#[test]
fn use_rejects_unknown_signature_styles() {
    let good = write("d4.json", &devnet_json(), 0o600);
    let key = write("s4.key", KEY, 0o600);
    input_error(
        &[
            "use",
            "--deployment",
            &good,
            "--key-file",
            &key,
            "--account",
            "0x1111111111111111111111111111111111111111",
            "--permission-id",
            &format!("0x{}", "11".repeat(32)),
            "--target",
            "0x1111111111111111111111111111111111111111",
            "--signature-style",
            "eip-191",
        ],
        &["--signature-style", "eip191-v-plus-4"],
    );
}
