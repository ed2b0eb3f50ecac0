//! Sponsored operations through the devnet's ERC-7677 paymaster service and `VerifyingPaymaster`
//! fixture (real anvil, EntryPoint, Nexus, SmartSession, alto):
//!
//! - the owner's deployment + SmartSession install and its grant, then session-key uses, then the
//!   revocation, all sponsored: the account's ETH balance never moves, the paymaster's EntryPoint deposit pays;
//! - stub gas limits from the service are used as given (no paymaster gas from the estimate), and a
//!   final stub (`isFinal`, with fixed gas) is sent without `pm_getPaymasterData`;
//! - a session granted without `permitERC4337Paymaster`, sponsored: refused locally on SmartSession
//!   v1 (zero requests); pre-v1 has no such rule, so there it lands sponsored;
//! - an account without any ETH: deployed, SmartSession installed, and sessions granted off-chain
//!   (ENABLE, UNSAFE_ENABLE) enabled and used by the session key, all sponsored;
//! - a paymaster refusal, an unreachable service, or final data naming another paymaster than the
//!   stub: a not-sent error, nothing reaches the bundler, and the same client then sends normally.

use alloy_primitives::{Address, U256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, sol};
use e2e::{Chain, counter};
use nexus_sessions::{
    ActionPermission, Error, NexusClient, PaymasterClient, PermissionRequest, PrivateKeySigner,
    SendOptions, SendOutcome, SessionKeyClient, Sponsorship,
    sessions::{SessionData, SmartSessionMode},
};
use nexus_sessions_devnet::Devnet;
use serde_json::json;

sol! {
    function balanceOf(address account) external view returns (uint256);
}

/// The paymaster's deposit at the EntryPoint.
async fn deposit(chain: &Chain, devnet: &Devnet) -> U256 {
    deposit_of(chain, devnet, devnet.addresses().paymaster).await
}

/// `account`'s deposit at the EntryPoint.
async fn deposit_of(chain: &Chain, devnet: &Devnet, account: Address) -> U256 {
    let tx = TransactionRequest::default()
        .to(devnet.addresses().entry_point)
        .input(balanceOfCall { account }.abi_encode().into());
    let out = chain.provider().call(tx).await.unwrap();
    balanceOfCall::abi_decode_returns(&out).unwrap()
}

fn paymaster(devnet: &Devnet) -> PaymasterClient {
    PaymasterClient::new(devnet.paymaster_url()).unwrap()
}

/// An owner client for a fresh key whose account holds exactly `funds` and has no code yet.
async fn owner(devnet: &Devnet, chain: &Chain, sponsored: bool, funds: U256) -> NexusClient {
    let mut builder = NexusClient::builder(
        PrivateKeySigner::random(),
        devnet.rpc_url(),
        devnet.bundler_url(),
        devnet.deployment(),
    )
    .chain_id(devnet.chain_id());
    if sponsored {
        builder = builder.paymaster(paymaster(devnet));
    }
    let client = builder.build().await.unwrap();
    chain.fund(client.address(), funds).await.unwrap();
    client
}

async fn session_client(
    devnet: &Devnet,
    owner: &NexusClient,
    key: PrivateKeySigner,
    request: PermissionRequest,
    sponsored: bool,
) -> SessionKeyClient {
    let grant = owner.grant_permission(&[request]).await.unwrap();
    let receipt = owner
        .wait_for_user_operation_receipt(grant.user_op_hash)
        .await
        .unwrap();
    assert!(receipt.success);
    let json = owner.session_data(&grant, 0).unwrap().to_json();
    let mut builder = SessionKeyClient::builder(
        key,
        devnet.rpc_url(),
        devnet.bundler_url(),
        devnet.deployment(),
        SessionData::from_json(&json).unwrap(),
    )
    .chain_id(devnet.chain_id());
    if sponsored {
        builder = builder.paymaster(paymaster(devnet));
    }
    builder.build().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sponsored_owner_operations_and_session_uses_leave_the_account_balance_unchanged() {
    let devnet = Devnet::start().await.unwrap();
    let chain = Chain::of(&devnet).await.unwrap();
    let pm = devnet.addresses().paymaster;
    let service = devnet.paymaster_service();
    let funds = U256::from(10u64).pow(U256::from(17u64));
    let owner = owner(&devnet, &chain, true, funds).await;
    let account = owner.address();
    let target = chain.deploy_counter().await.unwrap();

    // Owner operations: deployment + install (one op), then the grant.
    let mut last = deposit(&chain, &devnet).await;
    assert!(last > U256::ZERO, "the devnet deposits for its paymaster");
    let hash = owner.install_smart_sessions().await.unwrap();
    let receipt = owner.wait_for_user_operation_receipt(hash).await.unwrap();
    assert!(receipt.success);
    assert_eq!(receipt.paymaster, Some(pm), "sponsored by the fixture");
    assert!(owner.is_deployed().await.unwrap());
    let now = deposit(&chain, &devnet).await;
    assert_eq!(
        last - now,
        receipt.actual_gas_cost,
        "the deposit paid it all"
    );
    last = now;
    assert_eq!(chain.balance(account).await.unwrap(), funds);

    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address())
        .action(ActionPermission::new(target, counter::INCREMENT_NUMBER))
        .permit_erc4337_paymaster(true);
    let session = session_client(&devnet, &owner, key, request, true).await;
    assert!(session.session().unwrap().permit_erc4337_paymaster());
    let now = deposit(&chain, &devnet).await;
    assert!(now < last, "the grant was sponsored");
    last = now;
    assert_eq!(chain.balance(account).await.unwrap(), funds);

    // Session-key uses: the bundler estimates the paymaster's gas, then with the service's own
    // stub gas limits (no final-data shortcut: the fixture signs over them).
    let calls = [counter::increment(target)];
    let stubs = service.request_count("pm_getPaymasterStubData");
    let finals = service.request_count("pm_getPaymasterData");
    for opts in [
        SendOptions::default(),
        SendOptions::default().with_paymaster_context(json!({"stubGasLimits": true})),
    ] {
        let hash = session.use_permission_with(&calls, &opts).await.unwrap();
        let receipt = session.wait_for_user_operation_receipt(hash).await.unwrap();
        assert!(receipt.success);
        assert_eq!(receipt.paymaster, Some(pm));
        let now = deposit(&chain, &devnet).await;
        assert_eq!(last - now, receipt.actual_gas_cost);
        last = now;
    }
    assert_eq!(chain.counter_number(target).await.unwrap(), U256::from(2));
    assert_eq!(
        chain.balance(account).await.unwrap(),
        funds,
        "never charged"
    );
    assert_eq!(service.request_count("pm_getPaymasterStubData") - stubs, 2);
    assert_eq!(service.request_count("pm_getPaymasterData") - finals, 2);

    // Fixed gas and a service whose stub is final (`isFinal`): one paymaster request, no
    // estimate, no pm_getPaymasterData.
    let opts = e2e::fixed_fees(&devnet)
        .await
        .unwrap()
        .with_gas(200_000, 1_500_000, 200_000)
        .with_paymaster_context(json!({"final": true}));
    let estimates = session
        .bundler_request_counts()
        .get("eth_estimateUserOperationGas");
    let hash = session.use_permission_with(&calls, &opts).await.unwrap();
    let receipt = session.wait_for_user_operation_receipt(hash).await.unwrap();
    assert!(receipt.success);
    assert_eq!(receipt.paymaster, Some(pm));
    assert_eq!(service.request_count("pm_getPaymasterStubData") - stubs, 3);
    assert_eq!(service.request_count("pm_getPaymasterData") - finals, 2);
    assert_eq!(
        session
            .bundler_request_counts()
            .get("eth_estimateUserOperationGas"),
        estimates
    );
    let now = deposit(&chain, &devnet).await;
    assert_eq!(last - now, receipt.actual_gas_cost);
    last = now;
    assert_eq!(chain.counter_number(target).await.unwrap(), U256::from(3));
    assert_eq!(chain.balance(account).await.unwrap(), funds);

    // Opting out for one operation: the account pays (its prefund leaves the balance, the
    // unused part stays as its EntryPoint deposit).
    assert_eq!(deposit_of(&chain, &devnet, account).await, U256::ZERO);
    let hash = session
        .use_permission_with(&calls, &SendOptions::default().unsponsored())
        .await
        .unwrap();
    let receipt = session.wait_for_user_operation_receipt(hash).await.unwrap();
    assert_eq!(receipt.paymaster, None);
    let balance = chain.balance(account).await.unwrap();
    assert!(balance < funds);
    assert_eq!(
        balance + deposit_of(&chain, &devnet, account).await,
        funds - receipt.actual_gas_cost
    );
    assert_eq!(deposit(&chain, &devnet).await, last);

    // The owner's revocation, sponsored too.
    let hash = owner
        .revoke_permission(session.permission_id())
        .await
        .unwrap();
    let receipt = owner.wait_for_user_operation_receipt(hash).await.unwrap();
    assert_eq!(receipt.paymaster, Some(pm));
    assert!(
        !owner
            .is_permission_enabled(session.permission_id())
            .await
            .unwrap()
    );
    assert_eq!(
        last - deposit(&chain, &devnet).await,
        receipt.actual_gas_cost
    );
    assert_eq!(chain.balance(account).await.unwrap(), balance);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_without_the_paymaster_permission_and_paymaster_failures_send_nothing() {
    let devnet = Devnet::start().await.unwrap();
    let chain = Chain::of(&devnet).await.unwrap();
    let ten = U256::from(10u64).pow(U256::from(19u64));
    let owner = owner(&devnet, &chain, false, ten).await;
    let hash = owner.install_smart_sessions().await.unwrap();
    owner.wait_for_user_operation_receipt(hash).await.unwrap();
    let target = chain.deploy_counter().await.unwrap();
    let calls = [counter::increment(target)];

    // Granted without permitERC4337Paymaster, used with a paymaster.
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address())
        .action(ActionPermission::new(target, counter::INCREMENT_NUMBER));
    let session = session_client(&devnet, &owner, key, request, true).await;
    assert!(!session.session().unwrap().permit_erc4337_paymaster());
    let before = session.rpc_stats();
    let sent = session.use_permission(&calls).await;
    if devnet.module_version().is_v1() {
        let err = sent.unwrap_err();
        assert!(
            matches!(err, Error::PaymasterNotPermitted { permission_id, .. } if permission_id == session.permission_id()),
            "{err:?}"
        );
        assert!(err.to_string().contains("permitERC4337Paymaster"), "{err}");
        assert!(err.is_definitely_not_sent());
        assert_eq!(session.rpc_stats(), before, "refused before any request");
        assert_eq!(chain.counter_number(target).await.unwrap(), U256::ZERO);
    } else {
        // Pre-v1 SmartSession has no permitERC4337Paymaster and accepts any paymaster.
        let receipt = session
            .wait_for_user_operation_receipt(sent.unwrap())
            .await
            .unwrap();
        assert_eq!(receipt.paymaster, Some(devnet.addresses().paymaster));
        assert_eq!(chain.counter_number(target).await.unwrap(), U256::from(1));
    }
    let start = chain.counter_number(target).await.unwrap();

    // The service refuses (its sponsorship policy), or cannot be reached: not sent, and the
    // bundler never saw the operation.
    let unreachable = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        drop(l);
        PaymasterClient::builder(&url)
            .max_retries(0)
            .build()
            .unwrap()
    };
    let cases = [
        (
            "refused",
            SendOptions::default()
                .sponsored_by(paymaster(&devnet))
                .with_paymaster_context(json!({"deny": true})),
        ),
        (
            "unreachable",
            SendOptions::default().sponsored_by(unreachable),
        ),
        (
            "another paymaster",
            SendOptions::default()
                .sponsored_by(paymaster(&devnet))
                .with_paymaster_context(json!({"otherPaymaster": true})),
        ),
    ];
    for (case, opts) in cases {
        let sends = owner.bundler_request_counts().get("eth_sendUserOperation");
        let err = owner.send_calls_with(&calls, &opts).await.unwrap_err();
        assert!(matches!(opts.sponsorship, Sponsorship::Paymaster(_)));
        match case {
            "refused" => assert!(
                matches!(&err, Error::Paymaster { source } if source.rpc_code() == Some(-32001)),
                "{err:?}"
            ),
            "unreachable" => assert!(matches!(err, Error::Paymaster { .. }), "{err:?}"),
            _ => assert!(
                matches!(err, Error::PaymasterMismatch { stub, .. } if stub == devnet.addresses().paymaster),
                "{err:?}"
            ),
        }
        assert_eq!(err.outcome(), SendOutcome::NotSent, "{case}: {err}");
        assert!(err.to_string().contains("paymaster"), "{err}");
        assert_eq!(
            owner.bundler_request_counts().get("eth_sendUserOperation"),
            sends,
            "{case}"
        );
    }
    assert_eq!(chain.counter_number(target).await.unwrap(), start);

    // Nothing was reserved or burnt: the same client sends the next operation (unsponsored: this
    // owner client has no paymaster of its own).
    let hash = owner.send_calls(&calls).await.unwrap();
    let receipt = owner.wait_for_user_operation_receipt(hash).await.unwrap();
    assert_eq!(receipt.paymaster, None);
    assert_eq!(
        chain.counter_number(target).await.unwrap(),
        start + U256::from(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_without_eth_deploys_grants_off_chain_and_enables_a_session_sponsored() {
    let devnet = Devnet::start().await.unwrap();
    let chain = Chain::of(&devnet).await.unwrap();
    let pm = devnet.addresses().paymaster;
    // No ETH at all: every operation must be sponsored to pass validation.
    let owner = owner(&devnet, &chain, true, U256::ZERO).await;
    let hash = owner.install_smart_sessions().await.unwrap();
    let receipt = owner.wait_for_user_operation_receipt(hash).await.unwrap();
    assert_eq!(receipt.paymaster, Some(pm));
    let target = chain.deploy_counter().await.unwrap();

    // The owner signs off-chain; the session key's first operation enables and uses, sponsored.
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address())
        .action(ActionPermission::new(target, counter::INCREMENT_NUMBER))
        .permit_erc4337_paymaster(true);
    for mode in [SmartSessionMode::Enable, SmartSessionMode::UnsafeEnable] {
        let data = owner
            .grant_deferred_permission(&request, mode)
            .await
            .unwrap();
        let session = SessionKeyClient::builder(
            key.clone(),
            devnet.rpc_url(),
            devnet.bundler_url(),
            devnet.deployment(),
            data,
        )
        .chain_id(devnet.chain_id())
        .paymaster(paymaster(&devnet))
        .build()
        .await
        .unwrap();
        for _ in 0..2 {
            let hash = session
                .use_permission(&[counter::increment(target)])
                .await
                .unwrap();
            let receipt = session.wait_for_user_operation_receipt(hash).await.unwrap();
            assert!(receipt.success);
            assert_eq!(receipt.paymaster, Some(pm));
        }
        assert!(session.is_permission_enabled().await.unwrap());
    }
    assert_eq!(chain.counter_number(target).await.unwrap(), U256::from(4));
    assert_eq!(chain.balance(owner.address()).await.unwrap(), U256::ZERO);
    assert_eq!(
        deposit_of(&chain, &devnet, owner.address()).await,
        U256::ZERO
    );
}
