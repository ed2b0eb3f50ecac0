//! Multi-chain sessions on three devnets (chain ids 31337, 31338, 31339; same contracts): the owner
//! signs ONE multichain hash for chains A and B, and the session key enables and uses the session on
//! each chain with that chain's SessionData. Chain C is refused locally, and so are a wrong
//! `chainDigestIndex` and a stale enable signature (nothing sent). Revoking on chain A leaves chain B
//! working.

use alloy_primitives::Signature;
use e2e::{Owner, counter};
use nexus_sessions::{
    ActionPermission, Error, NexusClient, PermissionRequest, PrivateKeySigner,
    sessions::{SessionData, SmartSessionMode, multichain_hash},
};
use nexus_sessions_devnet::{Devnet, Devnets};

/// A session-key client on `devnet` for `data`, built from its JSON; the build error if refused.
async fn session_on(
    owner: &Owner,
    devnet: &Devnet,
    key: &PrivateKeySigner,
    data: &SessionData,
) -> Result<nexus_sessions::SessionKeyClient, e2e::SetupError> {
    owner
        .session_client(devnet, key.clone(), &data.to_json(), true)
        .await
}

/// Sends one `incrementNumber()` and waits for it.
async fn increment(session: &nexus_sessions::SessionKeyClient, owner: &Owner) -> Result<(), Error> {
    let hash = session
        .use_permission(&[counter::increment(owner.counter)])
        .await?;
    let receipt = session.wait_for_user_operation_receipt(hash).await?;
    assert!(receipt.success);
    Ok(())
}

fn nexus_error(e: e2e::SetupError) -> Error {
    match e {
        e2e::SetupError::Nexus(e) => e,
        other => panic!("set-up failed: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_owner_signature_used_on_two_chains() {
    let devnets: Devnets = Devnet::builder().start_many(3).await.expect("devnets");
    let (a, b, c) = (&devnets[0], &devnets[1], &devnets[2]);
    assert_eq!(
        (a.chain_id(), b.chain_id(), c.chain_id()),
        (31337, 31338, 31339)
    );
    let owners = Owner::on_chains(&[a, b]).await.unwrap();
    let (owner_a, owner_b) = (&owners[0], &owners[1]);
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address()).action(ActionPermission::new(
        owner_a.counter,
        counter::INCREMENT_NUMBER,
    ));

    // The owner's part: one signature for both chains, nothing sent.
    let (before_a, before_b) = (owner_a.client.rpc_stats(), owner_b.client.rpc_stats());
    let data = NexusClient::grant_multichain_deferred_permission(
        &[&owner_a.client, &owner_b.client],
        &request,
        SmartSessionMode::Enable,
    )
    .await
    .unwrap();
    assert_eq!(owner_a.client.rpc_stats().since(&before_a).bundler, 0);
    assert_eq!(owner_b.client.rpc_stats().since(&before_b).bundler, 0);
    assert_eq!(data.len(), 2);
    let (ea, eb) = (
        data[0].module_data.enable_session_data.clone().unwrap(),
        data[1].module_data.enable_session_data.clone().unwrap(),
    );
    assert_eq!(
        (
            ea.enable_session.chain_digest_index,
            eb.enable_session.chain_digest_index
        ),
        (0, 1)
    );
    assert_eq!(
        ea.enable_session.hashes_and_chain_ids,
        eb.enable_session.hashes_and_chain_ids
    );
    let chains: Vec<u64> = ea
        .enable_session
        .hashes_and_chain_ids
        .iter()
        .map(|d| d.chain_id)
        .collect();
    assert_eq!(chains, vec![a.chain_id(), b.chain_id()]);
    assert_eq!(
        ea.enable_session.permission_enable_sig, eb.enable_session.permission_enable_sig,
        "one signature"
    );
    let hash = multichain_hash(a.module_version(), &ea.enable_session.hashes_and_chain_ids);
    let signer = Signature::from_raw(&ea.enable_session.permission_enable_sig)
        .unwrap()
        .recover_address_from_msg(hash.as_slice())
        .unwrap();
    assert_eq!(
        signer,
        owner_a.client.owner(),
        "the owner signed the multichain hash"
    );
    let permission_id = data[0].module_data.permission_ids[0];
    assert_eq!(data[1].module_data.permission_ids[0], permission_id);
    assert_eq!(
        (data[0].chain_id, data[1].chain_id),
        (Some(a.chain_id()), Some(b.chain_id()))
    );

    // Refused locally: chain C is not covered; A's data on chain B selects chain A.
    let err = nexus_error(session_on(owner_a, c, &key, &data[0]).await.unwrap_err());
    assert!(
        matches!(&err, Error::ChainNotInSession { chain_id: 31339, chains: listed } if listed == &chains),
        "{err}"
    );
    let err = nexus_error(session_on(owner_b, b, &key, &data[0]).await.unwrap_err());
    assert!(
        matches!(
            err,
            Error::WrongChainDigestIndex {
                chain_id: 31338,
                index: 0,
                points_at: Some(31337),
                expected: 1,
                ..
            }
        ),
        "{err}"
    );
    let mut out_of_range = data[1].clone();
    out_of_range
        .module_data
        .enable_session_data
        .as_mut()
        .unwrap()
        .enable_session
        .chain_digest_index = 2;
    // (the JSON parser already refuses it, so build from the struct)
    let err = nexus_sessions::SessionKeyClient::builder(
        key.clone(),
        b.rpc_url(),
        b.bundler_url(),
        owner_b.deployment.clone(),
        out_of_range,
    )
    .chain_id(b.chain_id())
    .build()
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::WrongChainDigestIndex {
                points_at: None,
                len: 2,
                ..
            }
        ),
        "{err}"
    );

    // USE on chain A, then on chain B: each counter moves once per use.
    let session_a = session_on(owner_a, a, &key, &data[0]).await.unwrap();
    let session_b = session_on(owner_b, b, &key, &data[1]).await.unwrap();
    increment(&session_a, owner_a).await.unwrap();
    assert_eq!(
        (
            owner_a.count().await.unwrap(),
            owner_b.count().await.unwrap()
        ),
        (1, 0)
    );
    increment(&session_b, owner_b).await.unwrap();
    assert_eq!(
        (
            owner_a.count().await.unwrap(),
            owner_b.count().await.unwrap()
        ),
        (1, 1)
    );
    assert!(
        owner_a
            .client
            .is_permission_enabled(permission_id)
            .await
            .unwrap()
    );
    assert!(
        owner_b
            .client
            .is_permission_enabled(permission_id)
            .await
            .unwrap()
    );

    // Revoked on chain A: A refuses (the used enable signature is stale there), B keeps working.
    let hash = owner_a
        .client
        .revoke_permission(permission_id)
        .await
        .unwrap();
    owner_a
        .client
        .wait_for_user_operation_receipt(hash)
        .await
        .unwrap();
    let mut refused = None;
    for _ in 0..2 {
        // The first attempt may still believe the session enabled and learn otherwise from the
        // bundler; the next one re-reads the chain and is refused locally.
        refused = increment(&session_a, owner_a).await.err();
        assert!(refused.is_some(), "revoked on chain A");
    }
    let refused = refused.unwrap();
    assert!(
        matches!(
            &refused,
            Error::StaleEnableSignature {
                chain_id: 31337,
                ..
            }
        ),
        "{refused}"
    );
    increment(&session_b, owner_b).await.unwrap();
    assert_eq!(
        (
            owner_a.count().await.unwrap(),
            owner_b.count().await.unwrap()
        ),
        (1, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsafe_enable_on_two_chains_and_a_stale_signature_on_one() {
    let devnets = Devnet::builder().start_many(2).await.expect("devnets");
    let (a, b) = (&devnets[0], &devnets[1]);
    let owners = Owner::on_chains(&[a, b]).await.unwrap();
    let (owner_a, owner_b) = (&owners[0], &owners[1]);
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address()).action(ActionPermission::new(
        owner_a.counter,
        counter::INCREMENT_NUMBER,
    ));
    let data = NexusClient::grant_multichain_deferred_permission(
        &[&owner_a.client, &owner_b.client],
        &request,
        SmartSessionMode::UnsafeEnable,
    )
    .await
    .unwrap();
    let permission_id = data[0].module_data.permission_ids[0];

    // The owner withdraws the unused signature on chain B only.
    let hash = owner_b
        .client
        .revoke_enable_signature(permission_id)
        .await
        .unwrap();
    owner_b
        .client
        .wait_for_user_operation_receipt(hash)
        .await
        .unwrap();

    let session_b = session_on(owner_b, b, &key, &data[1]).await.unwrap();
    let before = session_b.bundler_request_counts();
    let err = increment(&session_b, owner_b).await.unwrap_err();
    assert!(
        matches!(&err, Error::StaleEnableSignature { chain_id: 31338, permission_id: p, .. } if *p == permission_id),
        "{err}"
    );
    assert_eq!(
        session_b
            .bundler_request_counts()
            .since(&before)
            .get("eth_sendUserOperation"),
        0,
        "refused before sending"
    );
    let session_a = session_on(owner_a, a, &key, &data[0]).await.unwrap();
    increment(&session_a, owner_a).await.unwrap();
    assert_eq!(
        (
            owner_a.count().await.unwrap(),
            owner_b.count().await.unwrap()
        ),
        (1, 0)
    );
}
