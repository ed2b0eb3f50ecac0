//! URLs with credentials go through every Debug impl and every error path that quotes a URL; the output
//! never contains the secrets.

use std::time::Duration;

use nexus_sessions_bundler::{BundlerClient, BundlerError};

/// Secrets in every place a hosted endpoint puts them: userinfo, query values, key-like path segments.
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

fn assert_no_secrets(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret:?}: {text}");
    }
}

fn assert_clean(what: &str, text: &str) {
    assert_no_secrets(what, text);
    assert!(
        text.contains("***"),
        "{what} should show the masked URL: {text}"
    );
}

/// `check` on the error's Display and Debug; no secret anywhere in its source chain.
fn assert_error_with(what: &str, err: &BundlerError, check: fn(&str, &str)) {
    check(what, &err.to_string());
    check(what, &format!("{err:?}"));
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        assert_no_secrets(what, &s.to_string());
        source = s.source();
    }
}

fn assert_error_clean(what: &str, err: &BundlerError) {
    assert_error_with(what, err, assert_clean);
}

#[test]
fn builder_and_client_debug_mask_the_url() {
    let builder = BundlerClient::builder(&url("http", "127.0.0.1:9"));
    assert_clean("builder Debug", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean("client Debug", &format!("{client:?}"));
    assert_clean("client Debug (pretty)", &format!("{client:#?}"));
}

#[test]
fn url_errors_mask_the_url() {
    // Unparsable (bad port), unsupported schemes.
    for bad in [
        url("http", "host:99999999"),
        url("ftp", "host"),
        url("ws", "host"),
    ] {
        let err = BundlerClient::new(&bad).unwrap_err();
        assert!(matches!(err, BundlerError::InvalidUrl { .. }), "{err}");
        assert_error_clean("InvalidUrl", &err);
    }
}

#[test]
fn transport_errors_mask_the_url() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Port 9 (discard) is closed on loopback: connection refused, which reqwest reports with the URL.
    let client = BundlerClient::builder(&url("http", "127.0.0.1:9"))
        .max_retries(0)
        .request_timeout(Duration::from_secs(5))
        .chain_id(1)
        .build()
        .unwrap();
    let err = rt.block_on(client.supported_entry_points()).unwrap_err();
    assert!(
        matches!(
            err,
            BundlerError::Transport { .. } | BundlerError::Timeout { .. }
        ),
        "{err}"
    );
    // Transport errors leave the URL out altogether (the caller knows which endpoint it called).
    assert_error_with("Transport", &err, assert_no_secrets);
}
