//! Node and bundler URLs with credentials go through the builders' Debug and every error path that
//! quotes a URL (invalid URL, unsupported scheme, unreachable node, unreachable bundler); the output
//! never contains the secrets.

use nexus_sessions::{Deployment, Error, NexusClient, PrivateKeySigner};
use nexus_sessions_types::Address;

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

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret:?}: {text}");
    }
}

fn assert_error_clean(what: &str, err: &Error) {
    let display = err.to_string();
    assert_clean(what, &display);
    assert!(
        display.contains("***"),
        "{what} should show the masked URL: {display}"
    );
    assert_clean(what, &format!("{err:?}"));
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        assert_clean(what, &s.to_string());
        assert_clean(what, &format!("{s:?}"));
        source = s.source();
    }
}

fn signer() -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&nexus_sessions_types::B256::with_last_byte(7)).unwrap()
}

async fn build(rpc: &str, bundler: &str, chain_id: Option<u64>) -> Result<NexusClient, Error> {
    let mut builder = NexusClient::builder(
        signer(),
        rpc,
        bundler,
        Deployment::nexus_1_0_smart_session_pre_v1(),
    )
    .account_address(Address::repeat_byte(0x11));
    if let Some(id) = chain_id {
        builder = builder.chain_id(id);
    }
    let debug = format!("{builder:?} {builder:#?}");
    assert_clean("NexusClientBuilder Debug", &debug);
    assert!(debug.contains("***"), "{debug}");
    builder.build().await
}

#[tokio::test]
async fn every_url_error_and_debug_is_redacted() {
    let closed = url("http", "127.0.0.1:9");
    // The node URL: unsupported scheme, unparsable, unreachable.
    let node_urls = [
        url("ftp", "host"),
        url("http", "host:99999999"),
        closed.clone(),
    ];
    for rpc in &node_urls {
        let err = build(rpc, &closed, None).await.unwrap_err();
        assert_error_clean(&format!("node {rpc}"), &err);
    }
    // The bundler URL, with a known chain id so the node is not asked first.
    for bundler in [url("ftp", "host"), url("http", "host:99999999")] {
        let err = build(&closed, &bundler, Some(1)).await.unwrap_err();
        assert!(matches!(err, Error::Bundler { .. }), "{err}");
        assert_error_clean(&format!("bundler {bundler}"), &err);
    }
    // A built client prints neither URL.
    let client = build(&closed, &closed, Some(1)).await.unwrap();
    assert_clean("NexusClient Debug", &format!("{client:?} {client:#?}"));
}
