//! Fork mode, offline: a devnet plays the live chain; a second anvil forks it at a pinned block
//! with its own alto on top. The whole session flow runs on the fork against the upstream's
//! contracts (nothing deployed on the fork), the fork continues from the pinned block and keeps its
//! own state. With the production-stack manifest the Nexus 1.2 preset is
//! found complete on the fork, as `cargo xtask devnet --fork-url` reports it.

use alloy_provider::Provider;
use e2e::{Chain, counter, missing_code, ten_eth};
use nexus_sessions::{
    ActionPermission, Deployment, NexusClient, NexusVersion, PermissionRequest, PrivateKeySigner,
};
use nexus_sessions_devnet::{Devnet, ForkedDevnet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fork_of_a_chain_runs_the_session_flow_on_its_contracts() {
    let upstream = Devnet::start().await.expect("upstream devnet");
    let up = Chain::of(&upstream).await.unwrap();
    // anvil_setCode changes the pending state: mine, so the pinned block holds the Counter.
    let counter_addr = up.deploy_counter().await.unwrap();
    up.mine().await.unwrap();
    let pinned = up.block_number().await.unwrap();
    // A block after the pin: the fork starts from the pinned one.
    up.mine().await.unwrap();

    let fork = ForkedDevnet::builder(upstream.rpc_url())
        .block(pinned)
        .start()
        .await
        .expect("fork");
    assert_eq!(fork.chain_id(), upstream.chain_id());
    assert_ne!(fork.rpc_url(), upstream.rpc_url());
    let d = upstream.deployment();
    assert!(
        missing_code(fork.rpc_url(), &d).await.unwrap().is_empty(),
        "the fork holds the upstream's deployment"
    );
    let on_fork = Chain::connect(fork.rpc_url(), counter_addr).await.unwrap();
    assert_eq!(on_fork.block_number().await.unwrap(), pinned);
    let hash_at = |chain: &Chain| {
        let p = chain.provider().clone();
        async move {
            p.get_block_by_number(pinned.into())
                .await
                .unwrap()
                .expect("pinned block")
                .header
                .hash
        }
    };
    assert_eq!(
        hash_at(&on_fork).await,
        hash_at(&up).await,
        "the fork continues the upstream's pinned block"
    );
    if upstream.nexus_version() == NexusVersion::V1_2 {
        // The production stack sits at the production addresses: the preset describes the fork.
        let preset = Deployment::nexus_1_2_smart_session_v1_registry_free();
        assert_eq!(
            missing_code(fork.rpc_url(), &preset).await.unwrap(),
            vec![],
            "the Nexus 1.2 preset is complete on the fork"
        );
    }

    // Owner account, grant and session use, all through the fork's alto.
    let owner = NexusClient::builder(
        PrivateKeySigner::random(),
        fork.rpc_url(),
        fork.bundler_url(),
        d.clone(),
    )
    .build()
    .await
    .unwrap();
    on_fork.fund(owner.address(), ten_eth()).await.unwrap();
    let h = owner.install_smart_sessions().await.unwrap();
    owner.wait_for_user_operation_receipt(h).await.unwrap();
    let key = PrivateKeySigner::random();
    let grant =
        owner
            .grant_permission(&[PermissionRequest::new(key.address()).action(
                ActionPermission::new(counter_addr, counter::INCREMENT_NUMBER),
            )])
            .await
            .unwrap();
    owner
        .wait_for_user_operation_receipt(grant.user_op_hash)
        .await
        .unwrap();
    let session = owner
        .session_client(key, owner.session_data(&grant, 0).unwrap())
        .await
        .unwrap();
    let h = session
        .use_permission(&[counter::increment(counter_addr)])
        .await
        .unwrap();
    session.wait_for_user_operation_receipt(h).await.unwrap();

    assert_eq!(on_fork.counter_number(counter_addr).await.unwrap(), 1);
    assert_eq!(
        up.counter_number(counter_addr).await.unwrap(),
        0,
        "the upstream is untouched"
    );
    assert!(
        up.provider()
            .get_code_at(owner.address())
            .await
            .unwrap()
            .is_empty(),
        "the account exists on the fork only"
    );
}
