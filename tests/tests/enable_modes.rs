//! ENABLE and UNSAFE_ENABLE: the owner signs the session off-chain (no user operation, no
//! transaction); the session key's first user operation enables the session and uses it in one go;
//! its second operation switches to USE on its own. Plus a batch of two calls in one USE operation.
//!
//! The modes are read back from the operations the bundler included (`eth_getUserOperationByHash`,
//! signature decoded with `nexus-sessions-types`), not taken from the client's word.

use alloy_primitives::{B256, U256};
use e2e::{Owner, counter};
use nexus_sessions::{
    ActionPermission, PermissionRequest, PrivateKeySigner,
    sessions::{
        SmartSessionMode, SmartSessionSignature,
        policy::{ParamCondition, ParamRule},
    },
};
use nexus_sessions_bundler::BundlerClient;
use nexus_sessions_devnet::Devnet;

/// The mode of the included operation `hash`, decoded from its on-chain signature.
async fn mode_on_chain(devnet: &Devnet, hash: B256) -> SmartSessionMode {
    let bundler = BundlerClient::new(devnet.bundler_url()).unwrap();
    let op = bundler
        .get_user_operation_by_hash(hash)
        .await
        .unwrap()
        .expect("included operation is known to the bundler");
    match SmartSessionSignature::decode(devnet.module_version(), &op.user_operation.signature)
        .unwrap()
    {
        SmartSessionSignature::Use { .. } => SmartSessionMode::Use,
        SmartSessionSignature::Enable { mode, .. } => mode,
    }
}

async fn enable_then_use(devnet: &Devnet, mode: SmartSessionMode) {
    let owner = Owner::new(devnet).await.unwrap();
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address())
        .action(ActionPermission::new(owner.counter, counter::INCREMENT_NUMBER).usage_limit(5));

    // The owner's part: one eth_call (the session's enable nonce) and a signature; nothing sent.
    let before = owner.client.rpc_stats();
    let data = owner
        .client
        .grant_deferred_permission(&request, mode)
        .await
        .unwrap();
    let owner_rpc = owner.client.rpc_stats().since(&before);
    assert_eq!(
        owner_rpc.bundler, 0,
        "{mode:?}: no user operation for the grant"
    );
    assert!(owner_rpc.node <= 1, "{mode:?}: {owner_rpc:?}");
    assert_eq!(data.module_data.active_mode(), mode);
    let permission_id = data.module_data.permission_ids[0];
    assert!(
        !owner
            .client
            .is_permission_enabled(permission_id)
            .await
            .unwrap()
    );

    // The session key's part, from the JSON only.
    let session = owner
        .session_client(devnet, key, &data.to_json(), true)
        .await
        .unwrap();
    assert_eq!(session.permission_id(), permission_id);

    let first = session
        .use_permission(&[counter::increment(owner.counter)])
        .await
        .unwrap();
    let receipt = session
        .wait_for_user_operation_receipt(first)
        .await
        .unwrap();
    assert!(receipt.success);
    assert_eq!(mode_on_chain(devnet, first).await, mode, "first op enables");
    assert!(
        owner
            .client
            .is_permission_enabled(permission_id)
            .await
            .unwrap(),
        "{mode:?}: enabled by the session key's first operation"
    );
    assert_eq!(owner.count().await.unwrap(), 1);

    let second = session
        .use_permission(&[counter::increment(owner.counter)])
        .await
        .unwrap();
    session
        .wait_for_user_operation_receipt(second)
        .await
        .unwrap();
    assert_eq!(
        mode_on_chain(devnet, second).await,
        SmartSessionMode::Use,
        "{mode:?}: second op is plain USE"
    );
    assert_eq!(owner.count().await.unwrap(), 2);
}

async fn batch_of_two_calls(devnet: &Devnet) {
    let owner = Owner::new(devnet).await.unwrap();
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address())
        .action(ActionPermission::new(
            owner.counter,
            counter::INCREMENT_NUMBER,
        ))
        .action(
            ActionPermission::new(owner.counter, counter::INCREMENT_BY).rule(ParamRule::new(
                ParamCondition::LessThan,
                0,
                U256::from(10u64),
            )),
        );
    let json = owner.grant(request).await.unwrap();
    let session = owner
        .session_client(devnet, key, &json, true)
        .await
        .unwrap();

    let hash = session
        .use_permission(&[
            counter::increment(owner.counter),
            counter::increment_by(owner.counter, 5),
        ])
        .await
        .unwrap();
    let receipt = session.wait_for_user_operation_receipt(hash).await.unwrap();
    assert!(receipt.success);
    assert_eq!(mode_on_chain(devnet, hash).await, SmartSessionMode::Use);
    assert_eq!(
        owner.count().await.unwrap(),
        6,
        "both calls ran, in one operation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enable_and_unsafe_enable_then_use_and_a_batch() {
    let devnet = Devnet::start().await.expect("devnet");
    // Independent accounts and Counters: run the three flows concurrently on one devnet.
    tokio::join!(
        enable_then_use(&devnet, SmartSessionMode::Enable),
        enable_then_use(&devnet, SmartSessionMode::UnsafeEnable),
        batch_of_two_calls(&devnet),
    );
}
