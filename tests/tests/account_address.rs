//! The counterfactual Nexus account address (modulekit 0.5.9 NexusAccountFactory, raw-salt ProxyLib
//! formula) against the reference doc's golden values and against the real factory on the devnet.
//!
//! - Offline: the real 996-byte NexusProxy creation code (read by the devnet toolchain, no chain
//!   running) with the doc's addresses gives the golden initCodeHashes and addresses of
//!   nexus-and-reference-sdks.md §4.3, through both the `nexus_sessions::account` functions and the facade.
//! - Live: for several (owner, index) pairs the facade's offline address equals the devnet factory's
//!   `computeAccountAddress`, and two accounts really land there through their first user operation.

use alloy_primitives::{Address, B256, Bytes, U256, address, b256, hex, keccak256};
use alloy_provider::Provider;
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, SolEvent};
use e2e::{Chain, counter, ten_eth};
use nexus_sessions::{
    AccountInit, Deployment, NexusClient, PrivateKeySigner, SingleValidatorInit,
    abi::INexusAccountFactory,
    account::{
        compute_account_address_call, counterfactual_address, init_code_hash, salt_for_index,
    },
};
use nexus_sessions_devnet::{Devnet, SMART_SESSION_MODULEKIT, Toolchain};
use nexus_sessions_userop::abi::IEntryPoint;

// nexus-and-reference-sdks.md §4.3: a fresh anvil where key 0 deploys Nexus (nonce 0), the factory
// (nonce 1) and the bootstrap (nonce 2).
const IMPLEMENTATION: Address = address!("0x5FbDB2315678afecb367f032d93F642f64180aa3");
const FACTORY: Address = address!("0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
const BOOTSTRAP: Address = address!("0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");
const K1_VALIDATOR: Address = address!("0x0000002D6DB27c52E3C11c1Cf24072004AC75cBa");
const OWNER: Address = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
const REGISTRY: Address = address!("0x000000000069E2a187AEFFb852bF3cCdC95151B2");
const RHINESTONE_ATTESTER: Address = address!("0x000000333034E9f539ce08819E12c1b8Cb29084d");

/// §4.3: keccak256 of modulekit's `NEXUS_PROXY_BYTECODE`.
const PROXY_CODE_HASH: B256 =
    b256!("0xd8028c0fd3ea88bd5b8a93f4d6f25186b61283339649e59e6595a38a277a42df");

/// Appendix A.1 initData.
const GOLDEN_INIT_DATA: [u8; 416] = hex!(
    "0000000000000000000000009fe46736679d2d9a65f0992f2272de9f3c7fa6e00000000000000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000012401fe9ff20000000000000000000000000000002d6db27c52e3c11c1cf24072004ac75cba00000000000000000000000000000000000000000000000000000000000000a0000000000000000000000000000000000069e2a187aeffb852bf3ccdc95151b200000000000000000000000000000000000000000000000000000000000000e000000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000014f39fd6e51aad88f6f4ce6ab8827279cfffb922660000000000000000000000000000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000333034e9f539ce08819e12c1b8cb29084d00000000000000000000000000000000000000000000000000000000"
);

/// The K1 row of §4.3: K1 validator owned by `0xf39F…`, the Rhinestone registry and attester.
fn golden_k1_init() -> AccountInit {
    AccountInit::k1(
        BOOTSTRAP,
        K1_VALIDATOR,
        OWNER,
        REGISTRY,
        vec![RHINESTONE_ATTESTER],
        1,
    )
}

/// The SmartSession row of §4.3: SmartSession as the only validator, empty data, no registry.
fn golden_smart_session_init() -> AccountInit {
    AccountInit::SingleValidator(SingleValidatorInit {
        bootstrap: BOOTSTRAP,
        validator: SMART_SESSION_MODULEKIT,
        validator_init_data: Bytes::new(),
        registry: Address::ZERO,
        attesters: vec![],
        threshold: 0,
    })
}

/// modulekit's NexusProxy creation code, straight from the installed npm package (no chain needed).
fn proxy_creation_code() -> Vec<u8> {
    Toolchain::ensure()
        .expect("toolchain")
        .modulekit_bytecode("NEXUS_PROXY_BYTECODE")
        .expect("NEXUS_PROXY_BYTECODE")
}

/// A deployment at the doc's golden addresses (only factory, implementation and proxy code matter
/// for the address; the rest is never called).
fn golden_deployment(proxy: &[u8]) -> Deployment {
    let mut d = Deployment::nexus_1_0_smart_session_pre_v1()
        .with_proxy_creation_code(Some(Bytes::copy_from_slice(proxy)));
    d.factory = FACTORY;
    d.bootstrap = BOOTSTRAP;
    d.implementation = Some(IMPLEMENTATION);
    d
}

#[test]
fn golden_addresses_from_the_real_proxy_creation_code() {
    let proxy = proxy_creation_code();
    assert_eq!(proxy.len(), 996);
    assert_eq!(keccak256(&proxy), PROXY_CODE_HASH);

    let k1 = golden_k1_init().init_data();
    assert_eq!(k1, Bytes::from(GOLDEN_INIT_DATA), "Appendix A.1 initData");
    assert_eq!(
        init_code_hash(&proxy, IMPLEMENTATION, &k1),
        b256!("0x080edf7e6cfd7bd6b67e84fe05b2db8a2c48cb9c5910237ca4091ebaa11f9a8b")
    );
    assert_eq!(
        counterfactual_address(FACTORY, &proxy, IMPLEMENTATION, &k1, salt_for_index(0)),
        address!("0x5e60D0E3c78B83DB54C5c844811EF4e883275B15")
    );
    assert_eq!(
        counterfactual_address(FACTORY, &proxy, IMPLEMENTATION, &k1, salt_for_index(1)),
        address!("0x9bAf8aD912f2fDA0548a975Cb229E88CE8959Dc9")
    );

    let smart_session = golden_smart_session_init().init_data();
    assert_eq!(
        init_code_hash(&proxy, IMPLEMENTATION, &smart_session),
        b256!("0x3e23820f7916780f3a8795080bd23650fb258b0a6ff684c0d01791f20d769b8f")
    );
    assert_eq!(
        counterfactual_address(
            FACTORY,
            &proxy,
            IMPLEMENTATION,
            &smart_session,
            salt_for_index(0)
        ),
        address!("0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb")
    );
}

/// The facade computes the same golden addresses offline: with the chain id given and the proxy
/// code in the deployment, `build` makes no request (the URLs point at a closed port).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facade_addresses_offline_match_the_golden_values() {
    let proxy = proxy_creation_code();
    let nowhere = "http://127.0.0.1:9";
    for (init, index, expected) in [
        (
            golden_k1_init(),
            0,
            address!("0x5e60D0E3c78B83DB54C5c844811EF4e883275B15"),
        ),
        (
            golden_k1_init(),
            1,
            address!("0x9bAf8aD912f2fDA0548a975Cb229E88CE8959Dc9"),
        ),
        (
            golden_smart_session_init(),
            0,
            address!("0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb"),
        ),
    ] {
        let client = NexusClient::builder(
            PrivateKeySigner::random(),
            nowhere,
            nowhere,
            golden_deployment(&proxy),
        )
        .account_init(init.clone())
        .index(index)
        .chain_id(31337)
        .build()
        .await
        .expect("offline build");
        assert_eq!(client.address(), expected, "index {index}");
        assert_eq!(client.init_data(), &init.init_data());
        assert_eq!(client.salt(), salt_for_index(index));
        assert_eq!(client.rpc_stats().total(), 0, "no request made");
    }
}

async fn factory_compute(
    chain: &Chain,
    factory: Address,
    init_data: &Bytes,
    salt: B256,
) -> Address {
    let reply = chain
        .provider()
        .call(
            TransactionRequest::default()
                .to(factory)
                .input(compute_account_address_call(init_data, salt).into()),
        )
        .await
        .expect("computeAccountAddress");
    INexusAccountFactory::computeAccountAddressCall::abi_decode_returns(&reply).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facade_address_matches_the_factory_and_the_deployed_account() {
    let devnet = Devnet::start().await.expect("devnet");
    let a = devnet.addresses().clone();
    let chain = Chain::of(&devnet).await.unwrap();
    let local_deployment = devnet.deployment();
    assert!(local_deployment.computes_addresses_locally());
    // The same stack without the proxy code: the facade must ask the factory.
    let asking_deployment = local_deployment.clone().with_proxy_creation_code(None);
    assert!(!asking_deployment.computes_addresses_locally());
    if devnet.nexus_version().has_default_validator() {
        // Nexus 1.2 (the production-stack manifest): the manifest's NexusProxy, not modulekit's.
        assert_ne!(
            devnet.nexus_proxy_creation_code().as_ref(),
            proxy_creation_code().as_slice()
        );
    } else {
        assert_eq!(
            devnet.nexus_proxy_creation_code().as_ref(),
            proxy_creation_code().as_slice(),
            "the devnet hands out modulekit's constant"
        );
    }

    // The golden K1 initData on this devnet's factory (its own implementation address).
    let golden = golden_k1_init().init_data();
    for index in [0, 1] {
        let salt = salt_for_index(index);
        assert_eq!(
            counterfactual_address(
                a.nexus_factory,
                devnet.nexus_proxy_creation_code(),
                a.nexus_implementation,
                &golden,
                salt
            ),
            factory_compute(&chain, a.nexus_factory, &golden, salt).await
        );
    }

    let owner = devnet.keys().owner().signer().clone();
    let stranger = PrivateKeySigner::random();
    let pairs = [
        (owner.clone(), 0u64),
        (owner.clone(), 1),
        (owner.clone(), 1 << 32),
        (owner, u64::MAX),
        (stranger.clone(), 0),
        (stranger, 3),
    ];
    let mut seen = Vec::new();
    let mut clients = Vec::new();
    for (signer, index) in pairs {
        let who = (signer.address(), index);
        let client = NexusClient::builder(
            signer.clone(),
            devnet.rpc_url(),
            devnet.bundler_url(),
            local_deployment.clone(),
        )
        .index(index)
        .chain_id(devnet.chain_id())
        .build()
        .await
        .unwrap();
        let local = client.address();
        assert_eq!(
            client.rpc_stats().total(),
            0,
            "{who:?}: offline address, no request"
        );
        assert_eq!(client.salt(), salt_for_index(index));
        let on_chain =
            factory_compute(&chain, a.nexus_factory, client.init_data(), client.salt()).await;
        assert_eq!(
            local, on_chain,
            "{who:?}: offline = factory.computeAccountAddress"
        );
        assert_eq!(client.factory_account_address().await.unwrap(), local);

        let asking = NexusClient::builder(
            signer,
            devnet.rpc_url(),
            devnet.bundler_url(),
            asking_deployment.clone(),
        )
        .index(index)
        .chain_id(devnet.chain_id())
        .build()
        .await
        .unwrap();
        assert_eq!(asking.address(), local, "{who:?}: factory path agrees");
        assert_eq!(
            asking.rpc_stats().total(),
            1,
            "{who:?}: one computeAccountAddress"
        );

        assert!(
            !seen.contains(&local),
            "{who:?}: {local} already used by another pair"
        );
        seen.push(local);
        clients.push(client);
    }

    // Two of them land where computed, through their first user operation.
    let counter_address = chain.deploy_counter().await.unwrap();
    for client in [&clients[1], &clients[5]] {
        let address = client.address();
        assert!(
            chain
                .provider()
                .get_code_at(address)
                .await
                .unwrap()
                .is_empty()
        );
        chain.fund(address, ten_eth()).await.unwrap();
        let hash = client
            .send_calls(&[counter::increment(counter_address)])
            .await
            .unwrap();
        let receipt = client.wait_for_user_operation_receipt(hash).await.unwrap();
        assert!(receipt.success);
        assert_eq!(receipt.sender, address);
        assert!(
            !chain
                .provider()
                .get_code_at(address)
                .await
                .unwrap()
                .is_empty()
        );
        // The EntryPoint's AccountDeployed event names this address and the devnet's factory.
        let deployed = receipt
            .receipt
            .logs
            .iter()
            .find(|l| l.topics.first() == Some(&IEntryPoint::AccountDeployed::SIGNATURE_HASH))
            .expect("AccountDeployed in the first operation's bundle");
        let deployed = IEntryPoint::AccountDeployed::decode_raw_log(
            deployed.topics.iter().copied(),
            &deployed.data,
        )
        .unwrap();
        assert_eq!(deployed.userOpHash, hash);
        assert_eq!(deployed.sender, address);
        assert_eq!(deployed.factory, a.nexus_factory);
        // The factory still computes the same address once the account exists.
        assert_eq!(
            factory_compute(&chain, a.nexus_factory, client.init_data(), client.salt()).await,
            address
        );
    }
    assert_eq!(
        chain.counter_number(counter_address).await.unwrap(),
        U256::from(2)
    );
    // The other pairs are still undeployed: landing one account does not touch its siblings.
    for client in [&clients[0], &clients[2]] {
        assert!(!client.is_deployed().await.unwrap());
    }
}
