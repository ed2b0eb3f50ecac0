//! `nexus-sessions-bundler` against the real alto 0.0.20 bundler on the devnet: every RPC method, the typed
//! errors alto produces, the safe-resend promise of `send_user_operation` and the request counter.
//!
//! The operations are built by hand with the `nexus-sessions-userop` crate (no `nexus` sender in the loop), so what
//! is tested is the bundler client and alto, not the facade. Two tests, two devnets: the first pauses
//! anvil's automine to hold an operation pending, which must not disturb the error cases.

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer::SignerSync;
use alloy_sol_types::SolEvent;
use e2e::{Chain, counter, ten_eth};
use nexus_sessions::{
    AccountInit, NonceKey, PrivateKeySigner,
    account::{counterfactual_address, factory_data, salt_for_index},
    execution::encode_execute,
};
use nexus_sessions_bundler::{AaCode, BundlerClient, BundlerError, RpcErrorKind};
use nexus_sessions_devnet::{Devnet, DevnetAddresses};
use nexus_sessions_userop::{ENTRY_POINT_V07, UserOperation, abi::IEntryPoint};
use serde_json::json;
use std::{
    borrow::Cow,
    time::{Duration, Instant},
};

const RECEIPT_TIMEOUT: Duration = Duration::from_secs(30);

/// A Nexus account driven by hand: its owner key, how the factory creates it and where it lands.
struct HandAccount {
    owner: PrivateKeySigner,
    init_data: Bytes,
    salt: B256,
    sender: Address,
    /// The validator the owner's nonce names (`address(0)` = Nexus 1.2's default validator).
    validator: Address,
}

impl HandAccount {
    /// A fresh owner's account (index 0) on the Nexus the devnet runs: 1.0 with the devnet's ECDSA
    /// validator and no registry, 1.2 with its default validator.
    fn new(devnet: &Devnet) -> Self {
        let a = devnet.addresses();
        let d = devnet.deployment();
        let owner = PrivateKeySigner::random();
        let init_data = AccountInit::for_owner(&d, owner.address()).init_data();
        let salt = salt_for_index(0);
        let sender = counterfactual_address(
            a.nexus_factory,
            devnet.nexus_proxy_creation_code(),
            a.nexus_implementation,
            &init_data,
            salt,
        );
        Self {
            owner,
            init_data,
            salt,
            sender,
            validator: d.owner_validator(),
        }
    }

    /// An unsigned, un-estimated operation calling `counter.incrementNumber()`; with the factory when
    /// `deploy` is set. The signature is a 65-byte stub.
    fn op(
        &self,
        a: &DevnetAddresses,
        counter: Address,
        sequence: u64,
        deploy: bool,
    ) -> UserOperation {
        let call_data = encode_execute(&[counter::increment(counter)]).unwrap();
        let mut builder = UserOperation::builder()
            .sender(self.sender)
            .nonce(NonceKey::for_validator(self.validator).nonce(sequence))
            .call_data(call_data)
            .signature(nexus_sessions::DUMMY_ECDSA_SIGNATURE.to_vec());
        if deploy {
            builder = builder
                .factory(a.nexus_factory)
                .factory_data(factory_data(&self.init_data, self.salt));
        }
        builder.build().unwrap()
    }
}

/// EIP-191 signature of the userOpHash by `key` (what the ECDSA validator checks).
fn sign(op: &mut UserOperation, key: &PrivateKeySigner, chain_id: u64) -> B256 {
    let hash = op.hash(ENTRY_POINT_V07, chain_id);
    op.signature = key
        .sign_message_sync(hash.as_slice())
        .unwrap()
        .as_bytes()
        .to_vec()
        .into();
    hash
}

/// Fees from alto (`fast`), then gas from alto; the operation must be estimable as it stands.
async fn price_and_estimate(bundler: &BundlerClient, op: &mut UserOperation) {
    bundler
        .user_operation_gas_price()
        .await
        .unwrap()
        .fast
        .apply_to(op);
    bundler
        .estimate_user_operation_gas(op, ENTRY_POINT_V07, None)
        .await
        .unwrap_or_else(|e| panic!("estimate: {e}"))
        .apply_to(op);
}

async fn eth_call(chain: &Chain, to: Address, data: Vec<u8>) -> Bytes {
    chain
        .provider()
        .call(TransactionRequest::default().to(to).input(data.into()))
        .await
        .unwrap()
}

async fn anvil(
    chain: &Chain,
    method: &'static str,
    params: serde_json::Value,
) -> serde_json::Value {
    chain
        .provider()
        .raw_request::<_, serde_json::Value>(Cow::Borrowed(method), params)
        .await
        .unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// Polls `check` every 20 ms until it holds or `timeout` passes.
async fn poll_until<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Asserts that alto knows neither the operation `hash` nor a receipt for it: both lookups answer
/// `None`, not an error.
async fn assert_unknown(bundler: &BundlerClient, hash: B256, when: &str) {
    let by_hash = bundler.get_user_operation_by_hash(hash).await.unwrap();
    assert!(by_hash.is_none(), "{when}: {by_hash:?}");
    let receipt = bundler.get_user_operation_receipt(hash).await.unwrap();
    assert!(receipt.is_none(), "{when}: {receipt:?}");
}

/// Asserts that the requests since the last reset were one `eth_sendUserOperation` and one
/// `eth_getUserOperationByHash` (the client looking for an already included operation), nothing
/// else.
fn assert_sent_and_looked_up(bundler: &BundlerClient) {
    let counts = bundler.request_counts();
    assert_eq!(counts.get("eth_sendUserOperation"), 1, "{counts:?}");
    assert_eq!(counts.get("eth_getUserOperationByHash"), 1, "{counts:?}");
    assert_eq!(counts.total, 2, "{counts:?}");
}

/// Sends `op` to `entry_point`, which alto must refuse; returns the error (`case` names the case).
async fn send_refused(
    bundler: &BundlerClient,
    op: &UserOperation,
    entry_point: Address,
    case: &str,
) -> BundlerError {
    match bundler.send_user_operation(op, entry_point).await {
        Ok(hash) => panic!("{case}: alto accepted the operation ({hash})"),
        Err(e) => e,
    }
}

/// How many transactions wait in anvil's pool (`txpool_status.pending`).
async fn anvil_pending(chain: &Chain) -> u64 {
    let status = anvil(chain, "txpool_status", json!([])).await;
    let pending = &status["pending"];
    pending
        .as_u64()
        .or_else(|| {
            pending
                .as_str()
                .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        })
        .unwrap_or_else(|| panic!("txpool_status: {status}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_against_alto_and_safe_resend() {
    let devnet = Devnet::start().await.expect("devnet");
    let a = devnet.addresses().clone();
    let chain_id = devnet.chain_id();
    let chain = Chain::of(&devnet).await.unwrap();
    let counter_address = chain.deploy_counter().await.unwrap();
    let count = || async { chain.counter_number(counter_address).await.unwrap() };
    // No chain id given: the client must ask alto once and remember it.
    let bundler = BundlerClient::new(devnet.bundler_url()).unwrap();

    // eth_chainId, asked once.
    assert_eq!(bundler.chain_id().await.unwrap(), chain_id);
    assert_eq!(bundler.chain_id().await.unwrap(), chain_id);
    assert_eq!(bundler.request_counts().get("eth_chainId"), 1);

    // eth_supportedEntryPoints: exactly the canonical v0.7 EntryPoint the devnet placed.
    let entry_points = bundler.supported_entry_points().await.unwrap();
    assert_eq!(entry_points, vec![ENTRY_POINT_V07]);
    assert_eq!(a.entry_point, ENTRY_POINT_V07);

    // pimlico_getUserOperationGasPrice: three non-zero levels, ordered, priority within max.
    let prices = bundler.user_operation_gas_price().await.unwrap();
    for level in [prices.slow, prices.standard, prices.fast] {
        assert!(level.max_fee_per_gas > 0, "{prices:?}");
        assert!(level.max_priority_fee_per_gas > 0, "{prices:?}");
        assert!(
            level.max_priority_fee_per_gas <= level.max_fee_per_gas,
            "{prices:?}"
        );
    }
    assert!(prices.slow.max_fee_per_gas <= prices.standard.max_fee_per_gas);
    assert!(prices.standard.max_fee_per_gas <= prices.fast.max_fee_per_gas);
    assert!(prices.slow.max_priority_fee_per_gas <= prices.standard.max_priority_fee_per_gas);
    assert!(prices.standard.max_priority_fee_per_gas <= prices.fast.max_priority_fee_per_gas);

    // eth_estimateUserOperationGas for an undeployed, unfunded account. Non-zero fees matter: alto
    // treats an operation with both fees at zero as "boosted" and overrides the sender's balance
    // itself.
    let account = HandAccount::new(&devnet);
    assert_eq!(chain.balance(account.sender).await.unwrap(), U256::ZERO);
    let mut op = account.op(&a, counter_address, 0, true);
    prices.fast.apply_to(&mut op);
    let unfunded = bundler
        .estimate_user_operation_gas(&op, ENTRY_POINT_V07, None)
        .await
        .expect_err("an unfunded account cannot pay its prefund, even in simulation");
    assert_eq!(unfunded.aa_code(), Some(AaCode::AA21), "{unfunded}");

    // The same estimate with a balance override (third parameter) succeeds; the chain is untouched.
    let overrides = json!({ account.sender.to_string(): { "balance": "0x56bc75e2d63100000" } });
    let estimate = bundler
        .estimate_user_operation_gas(&op, ENTRY_POINT_V07, Some(overrides))
        .await
        .unwrap_or_else(|e| panic!("estimate with a balance override: {e}"));
    assert!(estimate.pre_verification_gas > U256::ZERO);
    // Validation includes deploying the proxy and initialising the account.
    assert!(estimate.verification_gas_limit > 100_000, "{estimate:?}");
    assert!(estimate.call_gas_limit > 0, "{estimate:?}");
    assert_eq!(chain.balance(account.sender).await.unwrap(), U256::ZERO);
    assert!(
        chain
            .provider()
            .get_code_at(account.sender)
            .await
            .unwrap()
            .is_empty()
    );

    // Funded, the estimate needs no override and agrees with the overridden one on validation gas.
    chain.fund(account.sender, ten_eth()).await.unwrap();
    let funded = bundler
        .estimate_user_operation_gas(&op, ENTRY_POINT_V07, None)
        .await
        .unwrap();
    assert_eq!(
        funded.verification_gas_limit,
        estimate.verification_gas_limit
    );
    funded.apply_to(&mut op);

    // The userOpHash: local = EntryPoint.getUserOpHash.
    let hash = sign(&mut op, &account.owner, chain_id);
    let on_chain = eth_call(
        &chain,
        ENTRY_POINT_V07,
        nexus_sessions_userop::abi::get_user_op_hash_calldata(&op.pack()),
    )
    .await;
    assert_eq!(B256::from_slice(&on_chain), hash);

    // Unknown hashes are None, not errors.
    assert_unknown(&bundler, B256::repeat_byte(0x42), "a made-up hash").await;
    assert_unknown(&bundler, hash, "not sent yet").await;

    // Hold the operation pending: anvil stops mining, so alto's bundle waits in anvil's pool.
    anvil(&chain, "evm_setAutomine", json!([false])).await;
    bundler.reset_request_counts();
    let sent = bundler
        .send_user_operation(&op, ENTRY_POINT_V07)
        .await
        .unwrap();
    assert_eq!(
        sent, hash,
        "alto's userOpHash = local = EntryPoint.getUserOpHash"
    );
    assert_eq!(bundler.request_counts().get("eth_sendUserOperation"), 1);
    assert_eq!(
        bundler.request_counts().total,
        1,
        "{:?}",
        bundler.request_counts()
    );

    poll_until("alto's bundle in anvil's pool", RECEIPT_TIMEOUT, || async {
        anvil_pending(&chain).await > 0
    })
    .await;
    // Pending: both lookups answer None (no error), and waiting ends in a typed timeout.
    assert_unknown(&bundler, hash, "pending").await;
    match bundler
        .wait_for_receipt(hash, Duration::from_millis(300))
        .await
    {
        Err(BundlerError::ReceiptTimeout { hash: h, waited }) => {
            assert_eq!(h, hash);
            assert!(waited >= Duration::from_millis(300), "{waited:?}");
        }
        other => panic!("expected a receipt timeout while pending, got {other:?}"),
    }

    // alto's own answer to a duplicate: "Already known" (ERC-7769 -32602), which the client reads as
    // "already known"...
    let raw = bundler
        .request::<_, B256>("eth_sendUserOperation", &(&op, ENTRY_POINT_V07))
        .await
        .expect_err("alto refuses a duplicate");
    assert!(raw.is_already_known(), "{raw}");
    assert_eq!(raw.rpc_code(), Some(-32602), "{raw}");
    assert!(matches!(
        raw,
        BundlerError::Rpc {
            kind: RpcErrorKind::InvalidParams,
            ..
        }
    ));
    // ...so a resend while alto is processing the operation returns the same hash, no error.
    bundler.reset_request_counts();
    let again = bundler
        .send_user_operation(&op, ENTRY_POINT_V07)
        .await
        .unwrap();
    assert_eq!(again, hash);
    assert_eq!(bundler.request_counts().get("eth_sendUserOperation"), 1);

    anvil(&chain, "evm_setAutomine", json!([true])).await;
    anvil(&chain, "evm_mine", json!([])).await;

    // eth_getUserOperationReceipt via wait_for_receipt.
    let receipt = bundler
        .wait_for_receipt(hash, RECEIPT_TIMEOUT)
        .await
        .unwrap_or_else(|e| panic!("{e}; logs in {}", devnet.log_dir().display()));
    assert!(receipt.success, "{receipt:?}");
    assert_eq!(receipt.user_op_hash, hash);
    assert_eq!(receipt.sender, account.sender);
    assert_eq!(receipt.nonce, op.nonce);
    assert_eq!(receipt.paymaster, None);
    assert!(receipt.actual_gas_used > U256::ZERO);
    assert!(receipt.actual_gas_cost > U256::ZERO);
    assert!(!receipt.logs.is_empty());
    assert_eq!(receipt.receipt.status, Some(true));
    assert_eq!(receipt.receipt.to, Some(ENTRY_POINT_V07));
    // The operation's own logs: the Counter's event, and they are a subset of the bundle's logs.
    assert!(
        receipt.logs.iter().any(|l| l.address == counter_address),
        "{:?}",
        receipt.logs
    );
    for log in &receipt.logs {
        assert!(receipt.receipt.logs.contains(log), "{log:?}");
        assert_eq!(log.transaction_hash, Some(receipt.transaction_hash()));
    }
    // The bundle's logs carry this operation's UserOperationEvent, agreeing with the receipt.
    let event = receipt
        .receipt
        .logs
        .iter()
        .find(|l| {
            l.address == ENTRY_POINT_V07
                && l.topics.first() == Some(&IEntryPoint::UserOperationEvent::SIGNATURE_HASH)
        })
        .expect("UserOperationEvent in the bundle's logs");
    let event =
        IEntryPoint::UserOperationEvent::decode_raw_log(event.topics.iter().copied(), &event.data)
            .unwrap();
    assert_eq!(event.userOpHash, hash);
    assert_eq!(event.sender, account.sender);
    assert_eq!(event.nonce, receipt.nonce);
    assert_eq!(event.actualGasCost, receipt.actual_gas_cost);
    assert_eq!(event.actualGasUsed, receipt.actual_gas_used);
    assert!(event.success);

    // eth_getUserOperationByHash: the operation as included, with the bundle transaction.
    let by_hash = bundler
        .get_user_operation_by_hash(hash)
        .await
        .unwrap()
        .expect("known once included");
    assert_eq!(
        by_hash.user_operation, op,
        "the included operation, field for field"
    );
    assert_eq!(by_hash.entry_point, ENTRY_POINT_V07);
    assert_eq!(by_hash.transaction_hash, Some(receipt.transaction_hash()));
    assert_eq!(by_hash.block_number, receipt.receipt.block_number);
    assert!(by_hash.block_number.is_some());

    assert!(
        !chain
            .provider()
            .get_code_at(account.sender)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(count().await, U256::from(1));

    // Resend of the deploying operation after inclusion. alto simulates before it checks the nonce,
    // and the EntryPoint's first failure is the factory's: AA10 (sender already constructed), not
    // AA25. The client then finds this very operation by hash and reports the send as done.
    bundler.reset_request_counts();
    let late = bundler
        .send_user_operation(&op, ENTRY_POINT_V07)
        .await
        .expect("a resend of an included deploying operation counts as sent");
    assert_eq!(late, hash);
    assert_sent_and_looked_up(&bundler);

    // A second operation (no factory): one estimate, one send, receipts polled; nothing else.
    let mut second = account.op(&a, counter_address, 1, false);
    prices.fast.apply_to(&mut second);
    bundler.reset_request_counts();
    bundler
        .estimate_user_operation_gas(&second, ENTRY_POINT_V07, None)
        .await
        .unwrap()
        .apply_to(&mut second);
    let second_hash = sign(&mut second, &account.owner, chain_id);
    assert_eq!(
        bundler
            .send_user_operation(&second, ENTRY_POINT_V07)
            .await
            .unwrap(),
        second_hash
    );
    let second_receipt = bundler
        .wait_for_receipt(second_hash, RECEIPT_TIMEOUT)
        .await
        .unwrap();
    assert!(second_receipt.success);
    let counts = bundler.request_counts();
    assert_eq!(counts.get("eth_estimateUserOperationGas"), 1, "{counts:?}");
    assert_eq!(counts.get("eth_sendUserOperation"), 1, "{counts:?}");
    let polls = counts.get("eth_getUserOperationReceipt");
    assert!(polls >= 1, "{counts:?}");
    assert_eq!(counts.total, 2 + polls, "{counts:?}");
    assert_eq!(count().await, U256::from(2));

    // Resend after inclusion: alto answers AA25 (nonce used); the client finds this very operation
    // by hash and reports the send as done.
    bundler.reset_request_counts();
    let resent = bundler
        .send_user_operation(&second, ENTRY_POINT_V07)
        .await
        .unwrap_or_else(|e| panic!("resend after inclusion: {e}"));
    assert_eq!(resent, second_hash);
    assert_sent_and_looked_up(&bundler);
    // And nothing ran twice.
    assert_eq!(count().await, U256::from(2));
}

/// Asserts a JSON-RPC rejection with `code` and `aa`, whose Display names the code and explains it.
fn assert_rejected(err: &BundlerError, code: i64, aa: Option<AaCode>) {
    assert_eq!(err.rpc_code(), Some(code), "{err} / {err:?}");
    assert_eq!(err.aa_code(), aa, "{err} / {err:?}");
    let text = err.to_string();
    match aa {
        Some(aa) => {
            assert!(text.contains(&aa.to_string()), "{text}");
            assert!(text.contains(aa.explanation()), "{text}");
        }
        None => assert!(
            text.contains(RpcErrorKind::from_code(code).description()),
            "{text}"
        ),
    }
    assert!(text.contains(&format!("code {code}")), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alto_rejections_are_typed() {
    let devnet = Devnet::start().await.expect("devnet");
    let a = devnet.addresses().clone();
    let chain_id = devnet.chain_id();
    let chain = Chain::of(&devnet).await.unwrap();
    let counter_address = chain.deploy_counter().await.unwrap();
    let count = || async { chain.counter_number(counter_address).await.unwrap() };
    let bundler = BundlerClient::builder(devnet.bundler_url())
        .chain_id(chain_id)
        .build()
        .unwrap();

    // Wrong key: a funded account's first operation signed by someone else.
    let account = HandAccount::new(&devnet);
    chain.fund(account.sender, ten_eth()).await.unwrap();
    let mut op = account.op(&a, counter_address, 0, true);
    price_and_estimate(&bundler, &mut op).await;
    let mut forged = op.clone();
    sign(&mut forged, &PrivateKeySigner::random(), chain_id);
    let err = send_refused(&bundler, &forged, ENTRY_POINT_V07, "wrong key").await;
    assert_rejected(&err, -32507, Some(AaCode::AA24));

    // Undeployed and unfunded, no paymaster: the EntryPoint cannot collect the prefund.
    let poor = HandAccount::new(&devnet);
    let mut poor_op = poor.op(&a, counter_address, 0, true);
    op_gas_from(&op, &mut poor_op);
    sign(&mut poor_op, &poor.owner, chain_id);
    let err = send_refused(&bundler, &poor_op, ENTRY_POINT_V07, "unfunded").await;
    assert_rejected(&err, -32500, Some(AaCode::AA21));

    // Undeployed, funded, but no factory: nothing to validate with.
    chain.fund(poor.sender, ten_eth()).await.unwrap();
    let mut no_factory = poor.op(&a, counter_address, 0, false);
    op_gas_from(&op, &mut no_factory);
    sign(&mut no_factory, &poor.owner, chain_id);
    let err = send_refused(&bundler, &no_factory, ENTRY_POINT_V07, "not deployed").await;
    assert_rejected(&err, -32500, Some(AaCode::AA20));

    // The good first operation goes through.
    let hash = sign(&mut op, &account.owner, chain_id);
    bundler
        .send_user_operation(&op, ENTRY_POINT_V07)
        .await
        .unwrap();
    assert!(
        bundler
            .wait_for_receipt(hash, RECEIPT_TIMEOUT)
            .await
            .unwrap()
            .success
    );

    // Wrong key on the deployed account (no factory in the operation): the same AA24.
    let mut forged = account.op(&a, counter_address, 1, false);
    op_gas_from(&op, &mut forged);
    sign(&mut forged, &PrivateKeySigner::random(), chain_id);
    let err = send_refused(
        &bundler,
        &forged,
        ENTRY_POINT_V07,
        "wrong key, deployed account",
    )
    .await;
    assert_rejected(&err, -32507, Some(AaCode::AA24));

    // A different operation with the used sequence 0: AA25. The client looks the hash up (it could
    // be a resend of an included operation), finds nothing, and returns the error.
    let mut reused = account.op(&a, counter_address, 0, false);
    op_gas_from(&op, &mut reused);
    sign(&mut reused, &account.owner, chain_id);
    bundler.reset_request_counts();
    let err = send_refused(&bundler, &reused, ENTRY_POINT_V07, "nonce used").await;
    assert_rejected(&err, -32500, Some(AaCode::AA25));
    assert_sent_and_looked_up(&bundler);

    // A sequence too far ahead (alto queues at most 10 ahead): AA25 too.
    let mut ahead = account.op(&a, counter_address, 12, false);
    op_gas_from(&op, &mut ahead);
    sign(&mut ahead, &account.owner, chain_id);
    let err = send_refused(&bundler, &ahead, ENTRY_POINT_V07, "nonce far ahead").await;
    assert_rejected(&err, -32500, Some(AaCode::AA25));

    // Deployed, but the operation still carries the factory: AA10.
    let mut redeploy = account.op(&a, counter_address, 1, true);
    op_gas_from(&op, &mut redeploy);
    sign(&mut redeploy, &account.owner, chain_id);
    let err = send_refused(&bundler, &redeploy, ENTRY_POINT_V07, "already constructed").await;
    assert_rejected(&err, -32500, Some(AaCode::AA10));

    // An EntryPoint alto does not serve.
    let other_entry_point = Address::repeat_byte(0xEE);
    let err = send_refused(&bundler, &op, other_entry_point, "unsupported entry point").await;
    assert_rejected(&err, -32602, None);

    // Nothing above reached the chain but the one good operation.
    assert_eq!(count().await, U256::from(1));
}

/// Copies gas limits and fees from an estimated operation.
fn op_gas_from(estimated: &UserOperation, op: &mut UserOperation) {
    op.call_gas_limit = estimated.call_gas_limit;
    op.verification_gas_limit = estimated.verification_gas_limit;
    op.pre_verification_gas = estimated.pre_verification_gas;
    op.max_fee_per_gas = estimated.max_fee_per_gas;
    op.max_priority_fee_per_gas = estimated.max_priority_fee_per_gas;
}
