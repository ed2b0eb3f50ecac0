//! EIP-7702: the owner's own EOA as the Nexus account. It delegates in its first user operation
//! (`eip7702Auth`, sent by alto as a type-4 bundle), installs SmartSession, grants a session that the
//! unchanged `SessionKeyClient` uses twice; ERC-1271 through the default validator; un-delegation
//! stops everything (typed error / AA20), re-delegation restores the session. Failure modes: a
//! self-sent authorization with the wrong nonce (silently skipped by the chain) is a typed error;
//! `initializeAccount` is refused; an EOA delegated to another contract is refused until re-delegated.
//!
//! Needs a Nexus 1.2 devnet (`DEVNET_OVERRIDES=tests/manifests/production-stack.json`). On the
//! default devnet (modulekit's Nexus 1.0.1 build, no default validator) the client refuses
//! EIP-7702 with a typed error, which is what runs there.

use alloy_primitives::{Address, Bytes, eip191_hash_message};
use alloy_provider::Provider;
use alloy_signer::SignerSync;
use e2e::{Chain, counter, ten_eth};
use nexus_sessions::{
    ActionPermission, DelegateVia, DelegationState, Error, NexusClient, NexusVersion,
    PermissionRequest, PrivateKeySigner, sessions::SmartSessionMode,
};
use nexus_sessions_devnet::Devnet;

/// A devnet running Nexus 1.2 (the production-stack manifest), or `None` with a note naming `what`
/// would have been checked: the full EIP-7702 flows need a Nexus with a default validator.
async fn nexus_1_2_devnet(what: &str) -> Option<Devnet> {
    let devnet = Devnet::start().await.expect("devnet");
    if devnet.nexus_version() == NexusVersion::V1_2 {
        return Some(devnet);
    }
    eprintln!(
        "eip7702: the devnet runs Nexus {}; the {what} needs DEVNET_OVERRIDES=tests/manifests/production-stack.json",
        devnet.nexus_version()
    );
    None
}

async fn eoa_client(devnet: &Devnet, key: PrivateKeySigner, via: DelegateVia) -> NexusClient {
    NexusClient::builder(
        key,
        devnet.rpc_url(),
        devnet.bundler_url(),
        devnet.deployment(),
    )
    .chain_id(devnet.chain_id())
    .eip7702_via(via)
    .build()
    .await
    .expect("EIP-7702 client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eoa_delegates_in_its_first_operation_and_serves_sessions() {
    let devnet = Devnet::start().await.expect("devnet");
    if devnet.nexus_version() != NexusVersion::V1_2 {
        let refused = NexusClient::builder(
            PrivateKeySigner::random(),
            devnet.rpc_url(),
            devnet.bundler_url(),
            devnet.deployment(),
        )
        .eip7702()
        .build()
        .await
        .unwrap_err();
        assert!(
            matches!(refused, Error::Eip7702Unsupported { version } if version == devnet.nexus_version()),
            "{refused}"
        );
        eprintln!(
            "eip7702: the devnet runs Nexus {} (no default validator): refused as expected; the on-chain flow needs DEVNET_OVERRIDES=tests/manifests/production-stack.json",
            devnet.nexus_version()
        );
        return;
    }
    let chain = Chain::of(&devnet).await.unwrap();
    let key = PrivateKeySigner::random();
    let eoa = key.address();
    chain.fund(eoa, ten_eth()).await.unwrap();
    let counter_addr = chain.deploy_counter().await.unwrap();
    let owner = eoa_client(&devnet, key.clone(), DelegateVia::UserOperation).await;
    assert_eq!(owner.address(), eoa, "the account is the EOA");
    assert!(owner.is_eip7702());
    assert_eq!(
        owner.delegation_state().await.unwrap(),
        DelegationState::None
    );

    // First operation: delegation (eip7702Auth) + SmartSession install, no factory, no init.
    let hash = owner.install_smart_sessions().await.unwrap();
    let receipt = owner.wait_for_user_operation_receipt(hash).await.unwrap();
    assert!(receipt.success);
    let implementation = devnet.deployment().implementation.unwrap();
    assert_eq!(
        owner.delegation_state().await.unwrap(),
        DelegationState::Nexus(implementation)
    );
    assert!(
        owner
            .is_module_installed(
                nexus_sessions::ModuleType::Validator,
                devnet.addresses().smart_session
            )
            .await
            .unwrap()
    );
    assert!(
        owner
            .is_safe_sender(devnet.addresses().smart_session)
            .await
            .unwrap()
    );

    // Owner operation through validator address(0).
    let hash = owner
        .send_calls(&[counter::increment(counter_addr)])
        .await
        .unwrap();
    owner.wait_for_user_operation_receipt(hash).await.unwrap();
    assert_eq!(chain.counter_number(counter_addr).await.unwrap(), 1);

    // Initializing the delegated EOA is refused locally.
    let init = nexus_sessions::Call::new(
        eoa,
        [[0x4b, 0x6a, 0x14, 0x19].as_slice(), &[0u8; 64]].concat(),
    );
    assert!(matches!(
        owner.send_calls(&[init]).await,
        Err(Error::Eip7702Refused { .. })
    ));

    // ERC-1271: validator prefix address(0) + ERC-7739 PersonalSign signature.
    let message = b"hello 7702";
    let sig = owner.sign_message_erc1271(message).await.unwrap();
    assert_eq!(&sig[..20], Address::ZERO.as_slice());
    let hash = eip191_hash_message(message);
    assert!(owner.is_valid_signature(hash, &sig).await.unwrap());
    let plain = key.sign_message_sync(message).unwrap().as_bytes();
    let zero_plain: Bytes = [Address::ZERO.as_slice(), &plain].concat().into();
    assert!(
        !owner.is_valid_signature(hash, &zero_plain).await.unwrap(),
        "a plain EIP-191 signature is not what K1Mee accepts for ERC-1271"
    );

    // USE grant, used twice by the unchanged session-key client.
    let session_key = PrivateKeySigner::random();
    let request = PermissionRequest::new(session_key.address()).action(ActionPermission::new(
        counter_addr,
        counter::INCREMENT_NUMBER,
    ));
    let grant = owner
        .grant_permission(std::slice::from_ref(&request))
        .await
        .unwrap();
    owner
        .wait_for_user_operation_receipt(grant.user_op_hash)
        .await
        .unwrap();
    let permission_id = grant.permission_ids[0];
    assert!(owner.is_permission_enabled(permission_id).await.unwrap());
    let session = owner
        .session_client(session_key.clone(), owner.session_data(&grant, 0).unwrap())
        .await
        .unwrap();
    for expected in [2u64, 3] {
        let h = session
            .use_permission(&[counter::increment(counter_addr)])
            .await
            .unwrap();
        session.wait_for_user_operation_receipt(h).await.unwrap();
        assert_eq!(chain.counter_number(counter_addr).await.unwrap(), expected);
    }

    // ENABLE and UNSAFE_ENABLE grants signed by the EOA key (validator address(0)), no owner op.
    for mode in [SmartSessionMode::Enable, SmartSessionMode::UnsafeEnable] {
        let k = PrivateKeySigner::random();
        let req = PermissionRequest::new(k.address()).action(ActionPermission::new(
            counter_addr,
            counter::INCREMENT_NUMBER,
        ));
        let data = owner.grant_deferred_permission(&req, mode).await.unwrap();
        let s = owner.session_client(k, data).await.unwrap();
        let h = s
            .use_permission(&[counter::increment(counter_addr)])
            .await
            .unwrap();
        s.wait_for_user_operation_receipt(h).await.unwrap();
    }
    assert_eq!(chain.counter_number(counter_addr).await.unwrap(), 5);

    // Un-delegation: the EOA is a plain EOA; the owner gets a typed error, the session key AA20.
    owner.undelegate().await.unwrap();
    assert_eq!(
        owner.delegation_state().await.unwrap(),
        DelegationState::None
    );
    assert!(!owner.is_deployed().await.unwrap());
    let err = owner
        .send_calls(&[counter::increment(counter_addr)])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotDelegated {
                state: DelegationState::None,
                ..
            }
        ),
        "{err}"
    );
    let err = session
        .use_permission(&[counter::increment(counter_addr)])
        .await
        .unwrap_err();
    assert_eq!(
        err.aa_code(),
        Some(nexus_sessions_bundler::AaCode::AA20),
        "{err}"
    );
    assert!(
        err.to_string().contains("EIP-7702"),
        "AA20 explained: {err}"
    );

    // Re-delegation restores the account as it was: the session works again.
    owner.redelegate().await.unwrap();
    assert!(owner.delegation_state().await.unwrap().is_nexus());
    assert!(
        owner
            .is_module_installed(
                nexus_sessions::ModuleType::Validator,
                devnet.addresses().smart_session
            )
            .await
            .unwrap(),
        "modules survive un-delegation"
    );
    assert!(owner.is_permission_enabled(permission_id).await.unwrap());
    let h = session
        .use_permission(&[counter::increment(counter_addr)])
        .await
        .unwrap();
    session.wait_for_user_operation_receipt(h).await.unwrap();
    assert_eq!(chain.counter_number(counter_addr).await.unwrap(), 6);

    // Revoke: the session stops.
    let h = owner.revoke_permission(permission_id).await.unwrap();
    owner.wait_for_user_operation_receipt(h).await.unwrap();
    assert!(!owner.is_permission_enabled(permission_id).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delegation_by_transaction_and_a_wrong_authorization_nonce() {
    let Some(devnet) = nexus_1_2_devnet("delegation-transaction test").await else {
        return;
    };
    let chain = Chain::of(&devnet).await.unwrap();
    let implementation = devnet.deployment().implementation.unwrap();

    // A self-sent authorization must name the transaction nonce + 1; naming the current one is
    // skipped silently by the chain, and the client says so after reading the code.
    let key = PrivateKeySigner::random();
    chain.fund(key.address(), ten_eth()).await.unwrap();
    let client = eoa_client(&devnet, key, DelegateVia::Transaction).await;
    let err = client
        .send_delegation_transaction(implementation, Some(0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::DelegationNotApplied { expected, state: DelegationState::None, .. } if expected == implementation
        ),
        "{err}"
    );

    // The transaction path: the first operation delegates with the EOA's own type-4 transaction.
    let counter_addr = chain.deploy_counter().await.unwrap();
    let hash = client
        .send_calls(&[counter::increment(counter_addr)])
        .await
        .unwrap();
    client.wait_for_user_operation_receipt(hash).await.unwrap();
    assert_eq!(
        client.delegation_state().await.unwrap(),
        DelegationState::Nexus(implementation)
    );
    assert_eq!(chain.counter_number(counter_addr).await.unwrap(), 1);
    assert_eq!(client.delegate().await.unwrap(), None, "already delegated");

    // Delegated elsewhere: operations and delegate() refuse; redelegate() takes it back.
    client
        .send_delegation_transaction(counter_addr, None)
        .await
        .unwrap();
    let elsewhere = DelegationState::Other(counter_addr);
    assert_eq!(client.delegation_state().await.unwrap(), elsewhere);
    let err = client
        .send_calls(&[counter::increment(counter_addr)])
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::NotDelegated { state, .. } if state == elsewhere),
        "{err}"
    );
    assert!(matches!(
        client.delegate().await,
        Err(Error::NotDelegated { .. })
    ));
    client.redelegate().await.unwrap();
    let hash = client
        .send_calls(&[counter::increment(counter_addr)])
        .await
        .unwrap();
    client.wait_for_user_operation_receipt(hash).await.unwrap();
    assert_eq!(chain.counter_number(counter_addr).await.unwrap(), 2);
}

/// The authorizations of the bundle transaction that included `receipt` (alto sends a bundle
/// carrying `eip7702Auth` as a type-4 transaction; others carry none).
async fn bundle_authorizations(chain: &Chain, tx: alloy_primitives::B256) -> usize {
    let tx: serde_json::Value = chain
        .provider()
        .raw_request("eth_getTransactionByHash".into(), (tx,))
        .await
        .expect("bundle transaction");
    tx["authorizationList"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_operations_carry_one_authorization() {
    const N: u64 = 6;
    let Some(devnet) = nexus_1_2_devnet("concurrent-delegation test").await else {
        return;
    };
    let chain = Chain::of(&devnet).await.unwrap();
    let owner_key = PrivateKeySigner::random();
    chain.fund(owner_key.address(), ten_eth()).await.unwrap();
    let counter_addr = chain.deploy_counter().await.unwrap();
    let owner = std::sync::Arc::new(
        eoa_client(&devnet, owner_key.clone(), DelegateVia::UserOperation).await,
    );
    assert_eq!(
        owner.delegation_state().await.unwrap(),
        DelegationState::None
    );

    // N first operations at once from the plain EOA: one delegates, the others wait for it.
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..N)
        .map(|_| {
            let owner = owner.clone();
            tokio::spawn(async move {
                let hash = owner
                    .send_calls(&[counter::increment(counter_addr)])
                    .await?;
                owner.wait_for_user_operation_receipt(hash).await
            })
        })
        .collect();
    let mut receipts = Vec::new();
    for t in tasks {
        receipts.push(t.await.unwrap().expect("every first operation lands"));
    }
    eprintln!(
        "eip7702: {N} concurrent first operations of a plain EOA sent and landed in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let mut hashes: Vec<_> = receipts.iter().map(|r| r.user_op_hash).collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len() as u64, N, "N distinct operations");
    assert_eq!(
        chain.counter_number(counter_addr).await.unwrap(),
        alloy_primitives::U256::from(N),
        "each landed exactly once"
    );
    let mut bundles: Vec<_> = receipts
        .iter()
        .map(|r| r.receipt.transaction_hash)
        .collect();
    bundles.sort();
    bundles.dedup();
    let mut authorizations = 0;
    for tx in bundles {
        authorizations += bundle_authorizations(&chain, tx).await;
    }
    assert_eq!(authorizations, 1, "exactly one authorization went on chain");
    assert!(owner.delegation_state().await.unwrap().is_nexus());
    // The EOA's transaction nonce moved once (the one applied authorization).
    let nonce = chain
        .provider()
        .get_transaction_count(owner.address())
        .await
        .unwrap();
    assert_eq!(nonce, 1);

    // A new client of the delegated EOA: its concurrent first operations read the code once.
    let again = std::sync::Arc::new(
        eoa_client(&devnet, owner_key.clone(), DelegateVia::UserOperation).await,
    );
    let tasks: Vec<_> = (0..N)
        .map(|_| {
            let again = again.clone();
            tokio::spawn(async move {
                let hash = again
                    .send_calls(&[counter::increment(counter_addr)])
                    .await?;
                again.wait_for_user_operation_receipt(hash).await
            })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().expect("lands").success);
    }
    let code_reads = again.node_request_counts().get("eth_getCode");
    eprintln!(
        "eip7702: {N} concurrent first operations of a new client of a delegated EOA: {code_reads} eth_getCode"
    );
    assert_eq!(code_reads, 1, "one code read for all first operations");
    let counted = alloy_primitives::U256::from(2 * N);
    assert_eq!(chain.counter_number(counter_addr).await.unwrap(), counted);

    // Un-delegating while the delegating operation is out: undelegate() waits for it to land, then
    // un-delegates; operations started afterwards are refused (no new authorization).
    let key = PrivateKeySigner::random();
    chain.fund(key.address(), ten_eth()).await.unwrap();
    let owner = std::sync::Arc::new(eoa_client(&devnet, key, DelegateVia::UserOperation).await);
    let delegating = owner
        .send_calls(&[counter::increment(counter_addr)])
        .await
        .unwrap();
    owner.undelegate().await.unwrap();
    let receipt = owner
        .wait_for_user_operation_receipt(delegating)
        .await
        .unwrap();
    assert!(receipt.success);
    assert_eq!(
        chain.counter_number(counter_addr).await.unwrap(),
        alloy_primitives::U256::from(2 * N + 1)
    );
    assert_eq!(
        owner.delegation_state().await.unwrap(),
        DelegationState::None
    );
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let owner = owner.clone();
            tokio::spawn(async move { owner.send_calls(&[counter::increment(counter_addr)]).await })
        })
        .collect();
    for t in tasks {
        let err = t.await.unwrap().unwrap_err();
        assert!(
            matches!(
                err,
                Error::NotDelegated {
                    state: DelegationState::None,
                    ..
                }
            ),
            "{err}"
        );
    }
    // Nonce 0 → 1: the operation's authorization; 1 → 3: the un-delegation transaction and its
    // own authorization. Nothing else was applied.
    let nonce = chain
        .provider()
        .get_transaction_count(owner.address())
        .await
        .unwrap();
    assert_eq!(nonce, 3);
    assert_eq!(
        owner.delegation_state().await.unwrap(),
        DelegationState::None
    );

    // Delegating by transaction: 4 first operations and 2 delegate() calls at once send ONE
    // delegation transaction.
    let key = PrivateKeySigner::random();
    chain.fund(key.address(), ten_eth()).await.unwrap();
    let owner = std::sync::Arc::new(eoa_client(&devnet, key, DelegateVia::Transaction).await);
    let ops: Vec<_> = (0..4)
        .map(|_| {
            let owner = owner.clone();
            tokio::spawn(async move {
                let hash = owner
                    .send_calls(&[counter::increment(counter_addr)])
                    .await?;
                owner.wait_for_user_operation_receipt(hash).await
            })
        })
        .collect();
    let delegations: Vec<_> = (0..2)
        .map(|_| {
            let owner = owner.clone();
            tokio::spawn(async move { owner.delegate().await })
        })
        .collect();
    for t in ops {
        assert!(t.await.unwrap().expect("every operation lands").success);
    }
    let mut sent = 0;
    for t in delegations {
        sent += usize::from(t.await.unwrap().expect("delegate()").is_some());
    }
    assert!(sent <= 1, "{sent} delegate() calls sent a transaction");
    assert_eq!(
        chain.counter_number(counter_addr).await.unwrap(),
        alloy_primitives::U256::from(2 * N + 5)
    );
    // One self-sent type-4 transaction: its nonce and its authorization's.
    let nonce = chain
        .provider()
        .get_transaction_count(owner.address())
        .await
        .unwrap();
    assert_eq!(nonce, 2, "one delegation transaction");
    assert!(owner.delegation_state().await.unwrap().is_nexus());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_grants_need_the_delegation() {
    let Some(devnet) = nexus_1_2_devnet("deferred-grant test").await else {
        return;
    };
    let chain = Chain::of(&devnet).await.unwrap();
    let counter_addr = chain.deploy_counter().await.unwrap();
    let request = |k: &PrivateKeySigner| {
        PermissionRequest::new(k.address()).action(ActionPermission::new(
            counter_addr,
            counter::INCREMENT_NUMBER,
        ))
    };

    // Delegating in operations: an offline grant on the plain EOA is refused at grant time (the
    // session key could not carry the owner's authorization; its first use would fail AA20).
    let key = PrivateKeySigner::random();
    chain.fund(key.address(), ten_eth()).await.unwrap();
    let owner = eoa_client(&devnet, key, DelegateVia::UserOperation).await;
    let session_key = PrivateKeySigner::random();
    for mode in [SmartSessionMode::Enable, SmartSessionMode::UnsafeEnable] {
        let err = owner
            .grant_deferred_permission(&request(&session_key), mode)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::NotDelegated { account, state: DelegationState::None } if account == owner.address()),
            "{err}"
        );
        assert!(
            err.to_string().contains("delegate()"),
            "names the way: {err}"
        );
    }
    let err = NexusClient::grant_multichain_deferred_permission(
        &[&owner],
        &request(&session_key),
        SmartSessionMode::Enable,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::NotDelegated { .. }), "{err}");
    assert_eq!(
        owner.delegation_state().await.unwrap(),
        DelegationState::None,
        "nothing sent"
    );
    // Once delegated (here by the SmartSession install, which a deferred grant needs anyway) the
    // same grant works and the session key's first use lands.
    let h = owner.install_smart_sessions().await.unwrap();
    owner.wait_for_user_operation_receipt(h).await.unwrap();
    let data = owner
        .grant_deferred_permission(&request(&session_key), SmartSessionMode::UnsafeEnable)
        .await
        .unwrap();
    let s = owner.session_client(session_key, data).await.unwrap();
    let h = s
        .use_permission(&[counter::increment(counter_addr)])
        .await
        .unwrap();
    s.wait_for_user_operation_receipt(h).await.unwrap();
    assert_eq!(chain.counter_number(counter_addr).await.unwrap(), 1);

    // Delegating by transaction: after an explicit un-delegation the grant is refused...
    let key = PrivateKeySigner::random();
    chain.fund(key.address(), ten_eth()).await.unwrap();
    let owner = eoa_client(&devnet, key.clone(), DelegateVia::Transaction).await;
    let h = owner.install_smart_sessions().await.unwrap();
    owner.wait_for_user_operation_receipt(h).await.unwrap();
    owner.undelegate().await.unwrap();
    let err = owner
        .grant_deferred_permission(
            &request(&PrivateKeySigner::random()),
            SmartSessionMode::Enable,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotDelegated { .. }), "{err}");
    assert_eq!(
        owner.delegation_state().await.unwrap(),
        DelegationState::None
    );
    // ...while a client of the EOA that may delegate by transaction (e.g. after a restart)
    // delegates first (the EOA pays), then signs; the session key's first use lands.
    let owner = eoa_client(&devnet, key, DelegateVia::Transaction).await;
    let session_key = PrivateKeySigner::random();
    let data = owner
        .grant_deferred_permission(&request(&session_key), SmartSessionMode::UnsafeEnable)
        .await
        .unwrap();
    assert!(owner.delegation_state().await.unwrap().is_nexus());
    let s = owner.session_client(session_key, data).await.unwrap();
    let h = s
        .use_permission(&[counter::increment(counter_addr)])
        .await
        .unwrap();
    s.wait_for_user_operation_receipt(h).await.unwrap();
    assert_eq!(chain.counter_number(counter_addr).await.unwrap(), 2);
}
