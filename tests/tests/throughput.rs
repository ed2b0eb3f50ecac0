//! Many operations from one session-key client at once, on the devnet:
//!
//! - concurrent first calls of a new client land exactly once each (Counter delta == calls,
//!   distinct hashes) with at most one request per cold read (code, permission state, gas price,
//!   estimate), and a second wave reuses the nonce lanes with no read at all;
//! - the local usage-limit pre-check holds under concurrency (reservations);
//! - concurrent first calls of a deferred (ENABLE) grant send exactly one ENABLE operation;
//! - nonce lanes cost at least 15,000 gas less per warm USE than fresh keys (same operation);
//! - two clients of one session key on disjoint lane ranges never collide (one send per
//!   operation, one `getNonce` per lane).

use alloy_primitives::B256;
use e2e::{Owner, counter};
use nexus_sessions::{
    ActionPermission, Error, NonceKey, NonceStrategy, PermissionRequest, PrivateKeySigner,
    SessionKeyClient, UserOperationReceipt,
    policy_check::ViolatedRule,
    sessions::{SessionData, SmartSessionMode, SmartSessionSignature},
};
use nexus_sessions_bundler::BundlerClient;
use nexus_sessions_devnet::Devnet;
use std::{collections::HashSet, sync::Arc};
use tokio::task::JoinSet;

/// A session-key client for `data` with the given nonce strategy.
async fn client(
    devnet: &Devnet,
    key: PrivateKeySigner,
    data: &SessionData,
    nonces: NonceStrategy,
) -> Arc<SessionKeyClient> {
    let client = SessionKeyClient::builder(
        key,
        devnet.rpc_url(),
        devnet.bundler_url(),
        devnet.deployment(),
        data.clone(),
    )
    .chain_id(devnet.chain_id())
    .nonce_strategy(nonces)
    .build()
    .await
    .unwrap();
    Arc::new(client)
}

/// `n` concurrent `use_permission(increment)` calls; their results in completion order.
async fn burst(
    client: &Arc<SessionKeyClient>,
    counter: alloy_primitives::Address,
    n: usize,
) -> Vec<Result<B256, Error>> {
    let mut tasks = JoinSet::new();
    for _ in 0..n {
        let client = Arc::clone(client);
        tasks.spawn(async move { client.use_permission(&[counter::increment(counter)]).await });
    }
    tasks.join_all().await
}

/// Every hash distinct and included successfully; the receipts.
async fn land_all(client: &SessionKeyClient, hashes: &[B256]) -> Vec<UserOperationReceipt> {
    let distinct: HashSet<_> = hashes.iter().collect();
    assert_eq!(distinct.len(), hashes.len(), "distinct userOpHashes");
    let mut receipts = Vec::new();
    for hash in hashes {
        let receipt = client.wait_for_user_operation_receipt(*hash).await.unwrap();
        assert!(receipt.success);
        receipts.push(receipt);
    }
    receipts
}

fn grant_increment(key: &PrivateKeySigner, owner: &Owner) -> PermissionRequest {
    PermissionRequest::new(key.address()).action(ActionPermission::new(
        owner.counter,
        counter::INCREMENT_NUMBER,
    ))
}

async fn concurrent_first_calls_land_once_with_one_request_per_cold_read(devnet: &Devnet) {
    const CALLS: usize = 24;
    let owner = Owner::new(devnet).await.unwrap();
    let key = PrivateKeySigner::random();
    let json = owner.grant(grant_increment(&key, &owner)).await.unwrap();
    let data = SessionData::from_json(&json).unwrap();
    let session = client(devnet, key, &data, NonceStrategy::default()).await;
    let before = owner.count().await.unwrap();

    let hashes: Vec<B256> = burst(&session, owner.counter, CALLS)
        .await
        .into_iter()
        .map(|r| r.expect("every concurrent call is sent"))
        .collect();
    let (node, bundler) = (
        session.node_request_counts(),
        session.bundler_request_counts(),
    );
    for (read, n) in [
        ("eth_getCode", node.get("eth_getCode")),
        (
            "isPermissionEnabled",
            node.get("eth_call:isPermissionEnabled"),
        ),
        ("gas price", bundler.get("pimlico_getUserOperationGasPrice")),
        ("estimate", bundler.get("eth_estimateUserOperationGas")),
    ] {
        assert!(n <= 1, "{read}: {n} requests for {CALLS} concurrent calls");
    }
    assert_eq!(node.get("eth_call:getNonce"), 0, "random lanes start at 0");
    assert_eq!(bundler.get("eth_sendUserOperation"), CALLS as u64);
    let receipts = land_all(&session, &hashes).await;
    assert_eq!(owner.count().await.unwrap() - before, CALLS as u64);
    let keys: HashSet<u32> = receipts
        .iter()
        .map(|r| NonceKey::from_nonce(r.nonce).unwrap().0.free_key())
        .collect();
    assert!(keys.len() <= NonceStrategy::DEFAULT_LANES as usize);

    // A second wave: warm lanes (sequence > 0), no node request, one bundler request per call.
    let (node_before, bundler_before) = (
        session.node_request_counts(),
        session.bundler_request_counts(),
    );
    let hashes: Vec<B256> = burst(&session, owner.counter, CALLS)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let node = session.node_request_counts().since(&node_before);
    let bundler = session.bundler_request_counts().since(&bundler_before);
    assert_eq!(node.total, 0, "{node:?}");
    assert_eq!(bundler.total, CALLS as u64, "{bundler:?}");
    let receipts = land_all(&session, &hashes).await;
    let reused = receipts
        .iter()
        .filter(|r| NonceKey::from_nonce(r.nonce).unwrap().1 > 0)
        .count();
    assert_eq!(reused, CALLS, "every warm operation increments a used lane");
    assert_eq!(owner.count().await.unwrap() - before, 2 * CALLS as u64);
}

async fn usage_limit_holds_under_concurrency(devnet: &Devnet) {
    let owner = Owner::new(devnet).await.unwrap();
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address())
        .action(ActionPermission::new(owner.counter, counter::INCREMENT_NUMBER).usage_limit(3));
    let data = SessionData::from_json(&owner.grant(request).await.unwrap()).unwrap();
    let session = client(devnet, key, &data, NonceStrategy::default()).await;
    let results = burst(&session, owner.counter, 8).await;
    let sent: Vec<B256> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .copied()
        .collect();
    assert_eq!(sent.len(), 3, "exactly the limit passes the local check");
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(
                e.policy_violation().map(|v| &v.rule),
                Some(ViolatedRule::UsageLimit { limit: 3, .. })
            ),
            "{e}"
        );
    }
    assert_eq!(
        session
            .bundler_request_counts()
            .get("eth_sendUserOperation"),
        3
    );
    land_all(&session, &sent).await;
    assert_eq!(owner.count().await.unwrap(), 3);
}

async fn concurrent_first_calls_send_one_enable(devnet: &Devnet) {
    let owner = Owner::new(devnet).await.unwrap();
    let key = PrivateKeySigner::random();
    let data = owner
        .client
        .grant_deferred_permission(&grant_increment(&key, &owner), SmartSessionMode::Enable)
        .await
        .unwrap();
    let session = client(devnet, key, &data, NonceStrategy::default()).await;
    let hashes: Vec<B256> = burst(&session, owner.counter, 6)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    land_all(&session, &hashes).await;
    assert_eq!(owner.count().await.unwrap(), 6);
    assert!(
        session
            .node_request_counts()
            .get("eth_call:isPermissionEnabled")
            <= 1
    );
    let bundler = BundlerClient::new(devnet.bundler_url()).unwrap();
    let mut enables = 0;
    for hash in &hashes {
        let op = bundler
            .get_user_operation_by_hash(*hash)
            .await
            .unwrap()
            .expect("included operation is known");
        let sig =
            SmartSessionSignature::decode(devnet.module_version(), &op.user_operation.signature)
                .unwrap();
        enables += usize::from(matches!(sig, SmartSessionSignature::Enable { .. }));
    }
    assert_eq!(enables, 1, "one ENABLE, the rest USE");
}

async fn lanes_cost_less_gas_than_fresh_keys(devnet: &Devnet) {
    let owner = Owner::new(devnet).await.unwrap();
    let key = PrivateKeySigner::random();
    let data =
        SessionData::from_json(&owner.grant(grant_increment(&key, &owner)).await.unwrap()).unwrap();
    let lanes = client(devnet, key.clone(), &data, NonceStrategy::lanes(1)).await;
    let fresh = client(devnet, key, &data, NonceStrategy::FreshKeys).await;
    let gas = |r: &UserOperationReceipt| r.actual_gas_used.to::<u64>();
    let mut used = [Vec::new(), Vec::new()];
    // Round 0 warms up (first lane use, the Counter's slot); later rounds alternate the clients
    // with the same fees and gas limits (those of the first operation), so the operations differ
    // only in their nonce: the charge for unused call gas is the same on both sides.
    let bundler = BundlerClient::new(devnet.bundler_url()).unwrap();
    let mut opts = nexus_sessions::SendOptions::default();
    for round in 0..3 {
        for (i, c) in [&lanes, &fresh].into_iter().enumerate() {
            let hash = c
                .use_permission_with(&[counter::increment(owner.counter)], &opts)
                .await
                .unwrap();
            let receipt = c.wait_for_user_operation_receipt(hash).await.unwrap();
            if round > 0 {
                used[i].push(gas(&receipt));
            } else if i == 0 {
                let op = bundler
                    .get_user_operation_by_hash(hash)
                    .await
                    .unwrap()
                    .unwrap()
                    .user_operation;
                opts = opts
                    .with_fees(op.max_fee_per_gas, op.max_priority_fee_per_gas)
                    .with_gas(
                        op.call_gas_limit,
                        op.verification_gas_limit,
                        op.pre_verification_gas.to(),
                    );
            }
        }
    }
    let saved: Vec<i64> = used[0]
        .iter()
        .zip(&used[1])
        .map(|(l, f)| *f as i64 - *l as i64)
        .collect();
    assert!(
        saved.iter().all(|s| *s >= 15_000),
        "warm USE gas with lanes {:?} vs fresh keys {:?}",
        used[0],
        used[1]
    );
}

async fn shared_session_key_on_lane_ranges(devnet: &Devnet) {
    let owner = Owner::new(devnet).await.unwrap();
    let key = PrivateKeySigner::random();
    let data =
        SessionData::from_json(&owner.grant(grant_increment(&key, &owner)).await.unwrap()).unwrap();
    // disjoint ranges: no collision, so exactly one send per operation
    let a = client(devnet, key.clone(), &data, NonceStrategy::share(0, 4)).await;
    let b = client(devnet, key.clone(), &data, NonceStrategy::share(1, 4)).await;
    let (ra, rb) = tokio::join!(burst(&a, owner.counter, 6), burst(&b, owner.counter, 6));
    let ha: Vec<B256> = ra.into_iter().map(Result::unwrap).collect();
    let hb: Vec<B256> = rb.into_iter().map(Result::unwrap).collect();
    assert_eq!(a.bundler_request_counts().get("eth_sendUserOperation"), 6);
    assert_eq!(b.bundler_request_counts().get("eth_sendUserOperation"), 6);
    assert!(
        a.node_request_counts().get("eth_call:getNonce") <= 4,
        "one read per lane"
    );
    land_all(&a, &ha).await;
    land_all(&b, &hb).await;
    assert_eq!(owner.count().await.unwrap(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_operations_from_one_client() {
    let devnet = Devnet::start().await.unwrap();
    // Alone first: an operation's gas depends on what else its bundle touched before it.
    lanes_cost_less_gas_than_fresh_keys(&devnet).await;
    tokio::join!(
        concurrent_first_calls_land_once_with_one_request_per_cold_read(&devnet),
        usage_limit_holds_under_concurrency(&devnet),
        concurrent_first_calls_send_one_enable(&devnet),
        shared_session_key_on_lane_ranges(&devnet),
    );
}
