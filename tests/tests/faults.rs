//! Exactly-once under bundler faults: a session-key client talks to the REAL alto through a
//! fault-injecting proxy ([`nexus_sessions_devnet::fault_proxy`]), one intent (`counter.incrementNumber()`) per case.
//!
//! For every intent the test checks that the classification is true and that nothing lands twice:
//! - reported sent ⇒ the receipt comes and the Counter moved by exactly one;
//! - reported not sent ([`nexus_sessions::Error::is_definitely_not_sent`]) ⇒ the Counter did not move;
//! - reported unknown ⇒ the error carries the userOpHash and the signed operation, and the retry
//!   recipe (resend the SAME operation, wait) lands it exactly once — whether or not the first
//!   attempt had landed already.
//!
//! At the end, the Counter equals the number of intents that landed: no intent landed twice.

use alloy_primitives::B256;
use alloy_provider::Provider;
use e2e::{Owner, counter, fixed_fees};
use nexus_sessions::{
    ActionPermission, Call, PermissionRequest, PrivateKeySigner, ReceiptPolling, SendOptions,
    SendOutcome, SessionKeyClient, sessions::SessionData,
};
use nexus_sessions_devnet::{
    Devnet,
    fault_proxy::{Fault, FaultProxy},
};
use serde_json::json;
use std::{borrow::Cow, time::Duration};

const SEND: &str = "eth_sendUserOperation";
const RECEIPT: &str = "eth_getUserOperationReceipt";

/// What a case expects the first call to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Sent,
    NotSent,
    Unknown,
}

struct Suite {
    owner: Owner,
    client: SessionKeyClient,
    proxy: FaultProxy,
    fees: SendOptions,
    /// Intents that landed so far (the Counter must equal this).
    landed: u64,
}

impl Suite {
    async fn count(&self) -> u64 {
        self.owner.count().await.unwrap()
    }

    /// One intent with `faults` armed: classify, settle with the retry recipe, check the Counter.
    async fn intent(&mut self, name: &str, faults: &[(&str, usize, Fault)], expect: Expect) {
        assert_eq!(
            self.count().await,
            self.landed,
            "{name}: an earlier intent landed late"
        );
        for (method, times, fault) in faults {
            self.proxy.arm(method, *times, fault.clone());
        }
        let sent = self
            .client
            .use_permission_with(&[self.increment()], &self.fees)
            .await;
        self.proxy.disarm();
        self.settle(name, sent, expect).await;
    }

    fn increment(&self) -> Call {
        counter::increment(self.owner.counter)
    }

    /// Checks what `sent` reported against the chain, resolving an unknown outcome by resending the
    /// same operation.
    async fn settle(
        &mut self,
        name: &str,
        sent: Result<B256, nexus_sessions::Error>,
        expect: Expect,
    ) {
        let got = match &sent {
            Ok(_) => Expect::Sent,
            Err(e) if e.is_definitely_not_sent() => Expect::NotSent,
            Err(_) => Expect::Unknown,
        };
        eprintln!(
            "{name}: {got:?} {:?}",
            sent.as_ref().map_err(ToString::to_string)
        );
        assert_eq!(got, expect, "{name}: {sent:?}");
        match sent {
            Ok(hash) => {
                let receipt = self
                    .client
                    .wait_for_user_operation_receipt(hash)
                    .await
                    .unwrap_or_else(|e| panic!("{name}: reported sent, then {e}"));
                assert_eq!(receipt.user_op_hash, hash, "{name}");
                self.landed += 1;
            }
            Err(e) => match e.outcome() {
                SendOutcome::NotSent => {
                    // Give a wrongly dropped operation time to show up.
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                SendOutcome::Unknown { user_op_hash } => {
                    let (hash, op) = e
                        .unknown_outcome()
                        .unwrap_or_else(|| panic!("{name}: unknown without the operation: {e}"));
                    assert_eq!(hash, user_op_hash, "{name}");
                    // The retry recipe: the same signed operation, then its receipt.
                    let again = self
                        .client
                        .resend_user_operation(op)
                        .await
                        .unwrap_or_else(|e| panic!("{name}: resend: {e}"));
                    assert_eq!(again, hash, "{name}: a resend is the same operation");
                    self.client
                        .wait_for_user_operation_receipt(hash)
                        .await
                        .unwrap_or_else(|e| panic!("{name}: after the resend: {e}"));
                    self.landed += 1;
                }
                SendOutcome::Landed { .. } => panic!("{name}: the increment reverted: {e}"),
            },
        }
        assert_eq!(
            self.count().await,
            self.landed,
            "{name}: the Counter must move by exactly the intents that landed"
        );
    }
}

async fn anvil(owner: &Owner, method: &'static str, params: serde_json::Value) {
    owner
        .chain
        .provider()
        .raw_request::<_, serde_json::Value>(Cow::Borrowed(method), params)
        .await
        .unwrap_or_else(|e| panic!("{method}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_classified_and_no_intent_lands_twice() {
    let mut devnet = Devnet::start().await.expect("devnet");
    let owner = Owner::new(&devnet).await.unwrap();
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address()).action(ActionPermission::new(
        owner.counter,
        counter::INCREMENT_NUMBER,
    ));
    let json = owner.grant(request).await.unwrap();
    let proxy = FaultProxy::start(devnet.bundler_url()).await.unwrap();
    let data = SessionData::from_json(&json).unwrap();
    let client = SessionKeyClient::builder(
        key.clone(),
        devnet.rpc_url(),
        proxy.url(),
        devnet.deployment(),
        data.clone(),
    )
    .chain_id(devnet.chain_id())
    .bundler_request_timeout(Duration::from_millis(500))
    .bundler_max_retries(1)
    .send_lookup(Duration::from_millis(1_500))
    .resend_forgotten_after(Some(Duration::from_millis(800)))
    .receipt_timeout(Duration::from_secs(20))
    .receipt_polling(ReceiptPolling::fixed(Duration::from_millis(50)))
    .build()
    .await
    .unwrap();
    let fees = fixed_fees(&devnet).await.unwrap();
    let mut suite = Suite {
        owner,
        client,
        proxy,
        fees,
        landed: 0,
    };
    // A clean intent first (it also caches the gas estimate, so later intents start with the send).
    suite.intent("no fault", &[], Expect::Sent).await;

    // One fault on the send: the client's retry (the same operation) settles it.
    let once = |fault: Fault| [(SEND, 1, fault)];
    let late = Fault::DelayAfterForward(Duration::from_secs(1));
    for (name, fault) in [
        ("drop before forwarding", Fault::DropBeforeForward),
        ("drop after forwarding", Fault::DropAfterForward),
        ("answer later than the timeout", late),
        ("503 before forwarding", Fault::StatusBeforeForward(503)),
        ("502 after forwarding", Fault::StatusAfterForward(502)),
        (
            "JSON-RPC error after forwarding",
            Fault::RpcErrorAfterForward,
        ),
        ("malformed body", Fault::MalformedAfterForward),
        ("truncated body", Fault::TruncatedAfterForward),
        ("wrong JSON-RPC id", Fault::WrongIdAfterForward),
        ("duplicate send", Fault::Duplicate),
    ] {
        suite.intent(name, &once(fault), Expect::Sent).await;
    }
    // Both attempts answered 429 after forwarding: settled by the look-up.
    suite
        .intent(
            "429 after forwarding, twice",
            &[(SEND, 2, Fault::StatusAfterForward(429))],
            Expect::Sent,
        )
        .await;

    // The request never got through, and the client cannot know: unknown, then the recipe.
    suite
        .intent(
            "every send dropped before forwarding",
            &[(SEND, 1_000, Fault::DropBeforeForward)],
            Expect::Unknown,
        )
        .await;
    // The operation landed, but no answer about it came back: unknown, then the recipe finds it.
    suite
        .intent(
            "every answer dropped after forwarding",
            &[("*", 1_000, Fault::DropAfterForward)],
            Expect::Unknown,
        )
        .await;
    // A gateway that refuses the request itself (4xx): not sent.
    suite
        .intent(
            "400 before forwarding",
            &[(SEND, 1_000, Fault::StatusBeforeForward(400))],
            Expect::NotSent,
        )
        .await;

    // Refused connections: nothing can have arrived. Fixed gas, so the send is the first request.
    // The pause lets the proxy's kept-alive connections close: a request written into one of them
    // before the close is seen may have arrived, which would (rightly) be an unknown outcome.
    suite.proxy.refuse();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = suite
        .client
        .use_permission_with(
            &[suite.increment()],
            &suite.fees.clone().with_gas(100_000, 1_000_000, 100_000),
        )
        .await;
    suite.proxy.listen().await.unwrap();
    assert!(
        matches!(&refused, Err(e) if e.to_string().contains(SEND)),
        "the send itself was refused: {refused:?}"
    );
    suite
        .settle("connections refused", refused, Expect::NotSent)
        .await;

    // Receipt waiting rides out faults of every kind.
    suite
        .intent(
            "faulty receipt polls",
            &[
                (RECEIPT, 2, Fault::MalformedAfterForward),
                (RECEIPT, 2, Fault::RpcErrorAfterForward),
                (RECEIPT, 2, Fault::WrongIdAfterForward),
                (RECEIPT, 2, Fault::StatusAfterForward(503)),
                (RECEIPT, 2, Fault::TruncatedAfterForward),
                (RECEIPT, 2, Fault::DropAfterForward),
            ],
            Expect::Sent,
        )
        .await;
    // ...the faults stay armed while waiting: arm them after the send instead.
    let hash = suite
        .client
        .use_permission_with(&[suite.increment()], &suite.fees)
        .await
        .unwrap();
    suite.proxy.refuse();
    let waiting = suite.client.wait_for_user_operation_receipt(hash);
    let outage = async {
        tokio::time::sleep(Duration::from_millis(600)).await;
        suite.proxy.listen().await.unwrap();
    };
    let (receipt, ()) = tokio::join!(waiting, outage);
    assert_eq!(receipt.unwrap().user_op_hash, hash);
    suite.landed += 1;
    assert_eq!(suite.count().await, suite.landed, "refused while waiting");

    // A bundler restart loses the mempool: hold the operation pending (anvil stops mining), restart
    // alto, drop its bundle transaction from anvil's pool; waiting must resend the same operation.
    anvil(&suite.owner, "evm_setAutomine", json!([false])).await;
    let hash = suite
        .client
        .use_permission_with(&[suite.increment()], &suite.fees)
        .await
        .unwrap();
    let sends_before = suite.proxy.seen(SEND);
    let pool = || async {
        let status: serde_json::Value = suite
            .owner
            .chain
            .provider()
            .raw_request(Cow::Borrowed("txpool_status"), json!([]))
            .await
            .unwrap();
        status["pending"].as_str().map_or_else(
            || status["pending"].as_u64().unwrap_or(0),
            |s| u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap_or(0),
        )
    };
    let started = std::time::Instant::now();
    while pool().await == 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "no bundle");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    devnet.restart_bundler().await.unwrap();
    anvil(&suite.owner, "anvil_dropAllTransactions", json!([])).await;
    suite.proxy.set_upstream(devnet.bundler_url()).unwrap();
    anvil(&suite.owner, "evm_setAutomine", json!([true])).await;
    assert_eq!(
        suite.count().await,
        suite.landed,
        "the lost operation is not on chain"
    );
    let receipt = suite
        .client
        .wait_for_user_operation_receipt(hash)
        .await
        .unwrap();
    assert_eq!(receipt.user_op_hash, hash);
    assert!(
        suite.proxy.seen(SEND) > sends_before,
        "waiting resent the forgotten operation"
    );
    suite.landed += 1;
    assert_eq!(suite.count().await, suite.landed, "bundler restart");

    // The retry recipe itself: the same signed operation sent twice at once, then again after it
    // landed, lands once and always answers its hash.
    let op = suite
        .client
        .prepare_user_operation(
            &[suite.increment()],
            &suite.fees.clone().with_gas(100_000, 1_000_000, 100_000),
        )
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        suite.client.resend_user_operation(&op),
        suite.client.resend_user_operation(&op)
    );
    let hash = a.unwrap();
    assert_eq!(b.unwrap(), hash);
    suite
        .client
        .wait_for_user_operation_receipt(hash)
        .await
        .unwrap();
    suite.landed += 1;
    assert_eq!(
        suite.client.resend_user_operation(&op).await.unwrap(),
        hash,
        "a resend of an included operation resolves to its hash"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(suite.count().await, suite.landed, "resends landed once");

    // A typed rejection by the bundler is "not sent": a call the session does not allow, with the
    // local check off so it reaches alto.
    let unchecked = SessionKeyClient::builder(
        key,
        devnet.rpc_url(),
        suite.proxy.url(),
        devnet.deployment(),
        data,
    )
    .chain_id(devnet.chain_id())
    .with_local_policy_check(false)
    .build()
    .await
    .unwrap();
    let refused = unchecked
        .use_permission_with(&[counter::set_number(suite.owner.counter, 7)], &suite.fees)
        .await
        .expect_err("the session does not allow setNumber");
    assert!(refused.is_definitely_not_sent(), "{refused}");
    assert!(refused.aa_code().is_some(), "{refused}");
    assert_eq!(suite.count().await, suite.landed, "rejected operation");

    // Mixed faults on any request (estimates, sends, look-ups, receipts), a few at a time, from a
    // fixed seed: whatever the client reports must be true.
    let faults = [
        Fault::DropBeforeForward,
        Fault::DropAfterForward,
        Fault::DelayAfterForward(Duration::from_millis(700)),
        Fault::StatusBeforeForward(503),
        Fault::StatusAfterForward(502),
        Fault::StatusAfterForward(429),
        Fault::RpcErrorAfterForward,
        Fault::MalformedAfterForward,
        Fault::TruncatedAfterForward,
        Fault::WrongIdAfterForward,
        Fault::Duplicate,
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for round in 0..8 {
        let armed: Vec<_> = (0..3)
            .map(|_| {
                let method = ["*", SEND, RECEIPT][next(3)];
                (method, 1 + next(3), faults[next(faults.len())].clone())
            })
            .collect();
        for (method, times, fault) in &armed {
            suite.proxy.arm(method, *times, fault.clone());
        }
        let sent = suite
            .client
            .use_permission_with(&[suite.increment()], &suite.fees)
            .await;
        // Receipt faults stay armed while waiting for a sent operation.
        let name = format!("mixed faults {round}: {armed:?}");
        let expect = match &sent {
            Ok(_) => Expect::Sent,
            Err(e) if e.is_definitely_not_sent() => Expect::NotSent,
            Err(_) => Expect::Unknown,
        };
        if let Ok(hash) = &sent {
            suite
                .client
                .wait_for_user_operation_receipt(*hash)
                .await
                .unwrap_or_else(|e| panic!("{name}: waiting through faults: {e}"));
        }
        suite.proxy.disarm();
        suite.settle(&name, sent, expect).await;
    }

    // The client stayed usable through everything.
    suite.intent("after all faults", &[], Expect::Sent).await;
}
