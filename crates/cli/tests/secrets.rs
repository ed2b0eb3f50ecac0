//! Endpoint URLs with credentials, given as flags, environment variables or in the deployment file,
//! never appear in the binary's output, whatever fails (bad scheme, unreachable node).

mod common;

use common::bin;
use std::process::Stdio;

const SECRETS: [&str; 4] = [
    "hunter2pw",
    "pim_AbCdEf0123456789",
    "0123456789abcdef0123456789abcdef",
    "tok_zyxwvutsrqponmlk",
];

fn url(scheme: &str, host: &str) -> String {
    format!(
        "{scheme}://alice:{}@{host}/v2/{}/rpc?apikey={}&token={}",
        SECRETS[0], SECRETS[2], SECRETS[1], SECRETS[3]
    )
}

fn deployment_file(rpc: &str, bundler: &str) -> String {
    let mut value =
        serde_json::to_value(nexus_sessions::Deployment::nexus_1_0_smart_session_pre_v1()).unwrap();
    value["rpc_url"] = rpc.into();
    value["bundler_url"] = bundler.into();
    let path = std::env::temp_dir().join(format!(
        "nexus-sessions-secrets-{}-{}.json",
        std::process::id(),
        rpc.len() + 7 * bundler.len()
    ));
    std::fs::write(&path, value.to_string()).unwrap();
    path.display().to_string()
}

/// Runs `status` and returns (exit code, stdout + stderr), asserting no secret is printed.
fn status(deployment: &str, extra: &[&str], env: Option<(&str, &str)>) -> (Option<i32>, String) {
    let mut cmd = bin();
    cmd.args(["status", "--deployment", deployment])
        .args(["--account", "0x1111111111111111111111111111111111111111"])
        .args(extra)
        .stdin(Stdio::null());
    if let Some((k, v)) = env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for secret in SECRETS {
        assert!(!text.contains(secret), "{extra:?} leaks {secret:?}: {text}");
    }
    (out.status.code(), text)
}

#[test]
fn urls_with_credentials_are_never_printed() {
    let closed = url("http", "127.0.0.1:9");
    let ftp = url("ftp", "host");
    let plain = deployment_file("http://127.0.0.1:9", "http://127.0.0.1:9");
    // Bad scheme: an input error quoting the masked URL.
    for flag in ["--rpc-url", "--bundler-url"] {
        let (code, text) = status(&plain, &[flag, &ftp], None);
        assert_eq!(code, Some(2), "{text}");
        assert!(
            text.contains("not an http(s) URL") && text.contains("***"),
            "{text}"
        );
    }
    let (code, text) = status(&plain, &[], Some(("NEXUS_RPC_URL", &ftp)));
    assert_eq!(code, Some(2), "{text}");
    let (code, text) = status(&deployment_file(&ftp, &closed), &[], None);
    assert_eq!(code, Some(2), "{text}");
    // Unreachable node, from the flag, the environment and the file, in text and JSON mode.
    for (extra, env, file) in [
        (vec!["--rpc-url", closed.as_str()], None, plain.clone()),
        (vec![], Some(("NEXUS_RPC_URL", closed.as_str())), plain),
        (vec!["--json"], None, deployment_file(&closed, &closed)),
    ] {
        let (code, text) = status(&file, &extra, env);
        assert_eq!(code, Some(1), "{text}");
    }
}
