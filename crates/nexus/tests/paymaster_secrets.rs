//! A paymaster URL with credentials never shows in the builders' or clients' Debug, nor in the
//! `SendOptions` that carry a per-operation paymaster.

use nexus_sessions::{
    Deployment, NexusClient, PaymasterClient, PrivateKeySigner, SendOptions, Sponsorship,
};
use nexus_sessions_types::{Address, B256};

const SECRETS: [&str; 3] = [
    "hunter2pw",
    "pm_AbCdEf0123456789",
    "0123456789abcdef0123456789abcdef",
];

fn paymaster() -> PaymasterClient {
    PaymasterClient::new(&format!(
        "http://alice:{}@127.0.0.1:9/v2/{}/rpc?apikey={}",
        SECRETS[0], SECRETS[2], SECRETS[1]
    ))
    .unwrap()
}

fn assert_clean(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret:?}: {text}");
    }
}

#[tokio::test]
async fn paymaster_urls_are_redacted_everywhere() {
    let builder = NexusClient::builder(
        PrivateKeySigner::from_bytes(&B256::with_last_byte(7)).unwrap(),
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        Deployment::nexus_1_0_smart_session_pre_v1(),
    )
    .account_address(Address::repeat_byte(0x11))
    .chain_id(1)
    .paymaster(paymaster())
    .paymaster_context(serde_json::json!({"policy": "sp"}));
    assert_clean("builder Debug", &format!("{builder:?} {builder:#?}"));
    let client = builder.build().await.unwrap();
    assert_clean("client Debug", &format!("{client:?} {client:#?}"));
    let opts = SendOptions::default().sponsored_by(paymaster());
    assert!(matches!(opts.sponsorship, Sponsorship::Paymaster(_)));
    let debug = format!("{opts:?}");
    assert_clean("SendOptions Debug", &debug);
    assert!(debug.contains("***"), "the masked URL: {debug}");
}
