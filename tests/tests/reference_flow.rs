//! The reference flow, step by step, through the `nexus-sessions` facade on a real devnet (anvil, EntryPoint
//! v0.7, Nexus, SmartSession, alto):
//!
//! 1. the owner's client; the account is deployed by its first user operation;
//! 2. the SmartSession module is installed;
//! 3. a session key is granted `incrementNumber()` on a Counter, nothing else;
//! 4. the grant's SessionData is written as JSON;
//! 5. a new client for the session key, built only from that JSON (and its own key), acts for the
//!    owner's account; the counter goes up.

use e2e::{Chain, counter, ten_eth};
use nexus_sessions::{
    ActionPermission, NexusClient, PermissionRequest, PrivateKeySigner, SessionKeyClient,
    sessions::{SessionData, SmartSessionMode},
};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_grants_increment_and_a_new_session_key_client_uses_it() {
    let devnet = nexus_sessions_devnet::Devnet::start()
        .await
        .expect("devnet");
    let chain = Chain::of(&devnet).await.unwrap();
    let deployment = devnet.deployment();
    let counter = chain.deploy_counter().await.unwrap();

    // 1. Owner client; the address is known (computed offline) before anything is deployed.
    let owner = NexusClient::connect(
        PrivateKeySigner::random(),
        devnet.rpc_url(),
        devnet.bundler_url(),
        deployment.clone(),
    )
    .await
    .unwrap();
    assert_eq!(
        owner.factory_account_address().await.unwrap(),
        owner.address(),
        "offline address = factory.computeAccountAddress"
    );
    assert!(!owner.is_deployed().await.unwrap());
    chain.fund(owner.address(), ten_eth()).await.unwrap();

    let hash = owner
        .send_calls(&[counter::increment(counter)])
        .await
        .unwrap();
    let receipt = owner.wait_for_user_operation_receipt(hash).await.unwrap();
    assert!(receipt.success);
    assert_eq!(receipt.sender, owner.address());
    assert!(
        owner.is_deployed().await.unwrap(),
        "deployed by its first op"
    );
    assert_eq!(chain.counter_number(counter).await.unwrap(), 1);

    // 2. Install SmartSession.
    assert!(
        !owner
            .is_module_installed(
                nexus_sessions::ModuleType::Validator,
                deployment.smart_session
            )
            .await
            .unwrap()
    );
    let hash = owner.install_smart_sessions().await.unwrap();
    owner.wait_for_user_operation_receipt(hash).await.unwrap();
    assert!(
        owner
            .is_module_installed(
                nexus_sessions::ModuleType::Validator,
                deployment.smart_session
            )
            .await
            .unwrap()
    );

    // 3. Grant: the session key may call incrementNumber() on this Counter only.
    let session_key = PrivateKeySigner::random();
    let request = PermissionRequest::new(session_key.address())
        .action(ActionPermission::new(counter, counter::INCREMENT_NUMBER));
    let grant = owner.grant_permission(&[request]).await.unwrap();
    assert_eq!(grant.permission_ids.len(), 1);
    let permission_id = grant.permission_ids[0];
    assert!(!owner.is_permission_enabled(permission_id).await.unwrap());
    owner
        .wait_for_user_operation_receipt(grant.user_op_hash)
        .await
        .unwrap();
    assert!(owner.is_permission_enabled(permission_id).await.unwrap());

    // 4. The SessionData the session key holder receives: JSON, no secrets.
    let json = owner.session_data(&grant, 0).unwrap().to_json();
    let key_hex = alloy_primitives::hex::encode(session_key.to_bytes());
    assert!(!json.contains(&key_hex), "no private key in SessionData");
    assert!(json.contains(&permission_id.to_string()));
    drop(owner);

    // 5. A new process would have only the JSON, its key and the endpoints.
    let data = SessionData::from_json(&json).unwrap();
    assert_eq!(data.module_data.active_mode(), SmartSessionMode::Use);
    // it says how the session key signs for this stack's session validator
    assert_eq!(
        data.session_signature_style,
        deployment.session_signature_style()
    );
    assert!(data.session_signature_style.is_some());
    let session = SessionKeyClient::builder(
        session_key,
        devnet.rpc_url(),
        devnet.bundler_url(),
        deployment,
        data,
    )
    .receipt_timeout(Duration::from_secs(60))
    .build()
    .await
    .unwrap();
    assert_eq!(session.permission_id(), permission_id);
    let granter = session.account();

    let hash = session
        .use_permission(&[counter::increment(counter)])
        .await
        .unwrap();
    let receipt = session.wait_for_user_operation_receipt(hash).await.unwrap();
    assert!(receipt.success);
    assert_eq!(receipt.sender, granter, "executed by the owner's account");
    assert_eq!(receipt.user_op_hash, hash);
    assert_eq!(
        chain.counter_number(counter).await.unwrap(),
        2,
        "the counter went up"
    );
}
