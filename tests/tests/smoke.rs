//! Smoke test of the whole stack: a Nexus account is deployed through the factory inside its first
//! UserOperation, which calls `Counter.incrementNumber()` through alto. Hand-built for the Nexus the
//! devnet runs: 1.0 installs the owner's validator through the bootstrap and names it in the nonce;
//! 1.2 sets up its default validator and names `address(0)`.

use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer::SignerSync;
use alloy_sol_types::{SolCall, SolValue, sol};
use nexus_sessions_bundler::BundlerClient;
use nexus_sessions_devnet::Devnet;
use nexus_sessions_userop::{UserOperation, abi::IEntryPoint};
use std::time::Duration;

sol! {
    function createAccount(bytes initData, bytes32 salt) external payable returns (address);
    function computeAccountAddress(bytes initData, bytes32 salt) external view returns (address);
    function initNexusWithSingleValidator(address validator, bytes data, address registry, address[] attesters, uint8 threshold) external;
    struct BootstrapConfig { address module; bytes data; }
    struct BootstrapPreValidationHookConfig { uint256 hookType; address module; bytes data; }
    function initNexusWithDefaultValidatorAndOtherModulesNoRegistry(bytes defaultValidatorInitData, BootstrapConfig[] validators, BootstrapConfig[] executors, BootstrapConfig hook, BootstrapConfig[] fallbacks, BootstrapPreValidationHookConfig[] preValidationHooks) external;
    function initializeAccount(bytes initData) external payable;
    function execute(bytes32 mode, bytes executionCalldata) external payable;
    function incrementNumber() external;
    function number() external view returns (uint256);
}

async fn eth_call<P: Provider>(provider: &P, to: Address, data: Vec<u8>) -> Bytes {
    provider
        .call(TransactionRequest::default().with_to(to).with_input(data))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_user_operation_deploys_the_account_and_increments_the_counter() {
    let devnet = Devnet::start().await.unwrap();
    let a = devnet.addresses().clone();
    let keys = devnet.keys();
    let owner = keys.owner().signer();
    let node = ProviderBuilder::new()
        .wallet(EthereumWallet::from(keys.spare()[0].signer().clone()))
        .connect(devnet.rpc_url())
        .await
        .unwrap();
    let bundler = BundlerClient::new(devnet.bundler_url()).unwrap();
    assert_eq!(bundler.chain_id().await.unwrap(), devnet.chain_id());
    assert_eq!(
        bundler.supported_entry_points().await.unwrap(),
        vec![a.entry_point]
    );

    let nexus = devnet.nexus_version();
    let bootstrap_call = if nexus.has_default_validator() {
        // 1.2: the default validator gets the owner's address; no other modules, the empty hook.
        assert_eq!(devnet.default_validator(), Some(a.account_validator));
        assert_eq!(
            initNexusWithDefaultValidatorAndOtherModulesNoRegistryCall::SELECTOR,
            [0x41, 0xbe, 0xde, 0x03]
        );
        initNexusWithDefaultValidatorAndOtherModulesNoRegistryCall {
            defaultValidatorInitData: owner.address().to_vec().into(),
            validators: vec![],
            executors: vec![],
            hook: BootstrapConfig {
                module: Address::ZERO,
                data: vec![0u8; 32].into(),
            },
            fallbacks: vec![],
            preValidationHooks: vec![],
        }
        .abi_encode()
    } else {
        // 1.0: the ECDSA validator with the owner's address, no registry.
        initNexusWithSingleValidatorCall {
            validator: a.account_validator,
            data: owner.address().to_vec().into(),
            registry: Address::ZERO,
            attesters: vec![],
            threshold: 0,
        }
        .abi_encode()
    };
    let init_data: Bytes = (a.nexus_bootstrap, Bytes::from(bootstrap_call))
        .abi_encode_params()
        .into();
    let salt = B256::ZERO;
    let on_chain = eth_call(
        &node,
        a.nexus_factory,
        computeAccountAddressCall {
            initData: init_data.clone(),
            salt,
        }
        .abi_encode(),
    )
    .await;
    let sender = computeAccountAddressCall::abi_decode_returns(&on_chain).unwrap();

    // The same address offline, from the proxy creation code the devnet hands out.
    let proxy_args = (
        a.nexus_implementation,
        Bytes::from(
            initializeAccountCall {
                initData: init_data.clone(),
            }
            .abi_encode(),
        ),
    );
    let init_code_hash = keccak256(
        [
            devnet.nexus_proxy_creation_code().as_ref(),
            &proxy_args.abi_encode_params(),
        ]
        .concat(),
    );
    assert_eq!(a.nexus_factory.create2(salt, init_code_hash), sender);
    assert!(
        node.get_code_at(sender).await.unwrap().is_empty(),
        "not deployed yet"
    );

    // Fund the counterfactual account.
    let fund = TransactionRequest::default()
        .with_to(sender)
        .with_value(U256::from(10).pow(U256::from(18)));
    let receipt = node
        .send_transaction(fund)
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(receipt.status());

    // Nonce key = the validator address (3-byte key 0, validation mode 0); address(0) selects 1.2's
    // default validator.
    let validator = if nexus.has_default_validator() {
        Address::ZERO
    } else {
        a.account_validator
    };
    let key = U256::from_be_slice(validator.as_slice());
    let nonce_reply = eth_call(
        &node,
        a.entry_point,
        IEntryPoint::getNonceCall {
            sender,
            key: key.to(),
        }
        .abi_encode(),
    )
    .await;
    let nonce = IEntryPoint::getNonceCall::abi_decode_returns(&nonce_reply).unwrap();
    assert_eq!(nonce, key << 64);

    let mut execution = a.counter.to_vec();
    execution.extend_from_slice(&U256::ZERO.to_be_bytes::<32>());
    execution.extend_from_slice(&incrementNumberCall {}.abi_encode());
    let call_data = executeCall {
        mode: B256::ZERO,
        executionCalldata: execution.into(),
    }
    .abi_encode();

    let mut op = UserOperation::builder()
        .sender(sender)
        .nonce(nonce)
        .factory(a.nexus_factory)
        .factory_data(
            createAccountCall {
                initData: init_data,
                salt,
            }
            .abi_encode(),
        )
        .call_data(call_data)
        .signature(vec![0x11u8; 65])
        .build()
        .unwrap();

    bundler
        .estimate_user_operation_gas(&op, a.entry_point, None)
        .await
        .unwrap()
        .apply_to(&mut op);
    bundler
        .user_operation_gas_price()
        .await
        .unwrap()
        .fast
        .apply_to(&mut op);

    let hash = op.hash(a.entry_point, devnet.chain_id());
    let on_chain_hash = eth_call(
        &node,
        a.entry_point,
        nexus_sessions_userop::abi::get_user_op_hash_calldata(&op.pack()),
    )
    .await;
    assert_eq!(
        B256::from_slice(&on_chain_hash),
        hash,
        "local userOpHash = EntryPoint.getUserOpHash"
    );
    op.signature = owner
        .sign_message_sync(hash.as_slice())
        .unwrap()
        .as_bytes()
        .to_vec()
        .into();

    let sent = bundler
        .send_user_operation(&op, a.entry_point)
        .await
        .unwrap();
    assert_eq!(
        sent, hash,
        "bundler's userOpHash = EntryPoint.getUserOpHash"
    );

    let receipt = bundler
        .wait_for_receipt(sent, Duration::from_secs(30))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "no receipt for {sent}: {e}; logs in {}",
                devnet.log_dir().display()
            )
        });
    assert!(receipt.success, "{receipt:?}");
    assert_eq!(receipt.sender, sender);
    assert_eq!(receipt.user_op_hash, hash);

    // The bundler's receipt converts to alloy's types and agrees with the node's own receipt.
    let events: Vec<IEntryPoint::UserOperationEvent> = receipt
        .receipt
        .events()
        .filter(|e: &IEntryPoint::UserOperationEvent| e.userOpHash == hash)
        .collect();
    assert_eq!(
        events.len(),
        1,
        "one UserOperationEvent for the op in the bundle"
    );
    assert!(events[0].success);
    assert_eq!(events[0].sender, sender);
    let converted = alloy_rpc_types_eth::TransactionReceipt::try_from(&receipt.receipt)
        .expect("alto relays a complete receipt");
    let from_node = node
        .get_transaction_receipt(receipt.transaction_hash())
        .await
        .unwrap()
        .expect("the node knows the bundle transaction");
    assert_eq!(converted.transaction_hash, from_node.transaction_hash);
    assert_eq!(converted.gas_used, from_node.gas_used);
    assert_eq!(converted.status(), from_node.status());
    assert_eq!(converted.inner.logs_bloom(), from_node.inner.logs_bloom());
    // alto leaves out `blockTimestamp`; everything else of every log matches the node's.
    let key = |l: &alloy_rpc_types_eth::Log| {
        (
            l.inner.clone(),
            l.block_hash,
            l.log_index,
            l.transaction_index,
        )
    };
    let ours: Vec<_> = converted.inner.logs().iter().map(key).collect();
    let theirs: Vec<_> = from_node.inner.logs().iter().map(key).collect();
    assert!(ours == theirs, "logs differ from the node's receipt");

    assert!(
        !node.get_code_at(sender).await.unwrap().is_empty(),
        "account deployed by its first op"
    );
    let count = eth_call(&node, a.counter, numberCall {}.abi_encode()).await;
    assert_eq!(
        numberCall::abi_decode_returns(&count).unwrap(),
        U256::from(1)
    );
}
