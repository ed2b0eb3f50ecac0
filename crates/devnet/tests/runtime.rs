//! Starts real devnets (anvil + alto) and checks what the handle promises: endpoints on 127.0.0.1,
//! every contract in place, the state cache, side-by-side instances, overrides, and stopping by PID on
//! drop and on panic.

use alloy_primitives::{Address, Bytes, U256, address, b256, keccak256};
use alloy_provider::{Provider, ProviderBuilder};
use nexus_sessions_devnet::{
    ContractOverride, Devnet, DevnetContract, Fixtures, ModuleVersion, NexusVersion,
    OverrideManifest, Toolchain,
};
use std::sync::Mutex;

/// TCP sockets in LISTEN state on `port`, as (local IPv4 address hex, is IPv6).
fn listeners(port: u16) -> Vec<String> {
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (cols.get(1), cols.get(3)) else {
                continue;
            };
            let Some((ip, p)) = local.split_once(':') else {
                continue;
            };
            if *state == "0A" && u16::from_str_radix(p, 16).ok() == Some(port) {
                found.push(ip.to_string());
            }
        }
    }
    found
}

fn port_of(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

fn alive(pid: u32) -> bool {
    // A reaped child has no /proc entry; a zombie would still show, with state Z.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.split_whitespace().nth(2).is_none_or(|state| state != "Z"))
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_with_everything_in_place_and_stops_on_drop() {
    let devnet = Devnet::start().await.unwrap();
    assert!(devnet.rpc_url().starts_with("http://127.0.0.1:"));
    assert!(devnet.bundler_url().starts_with("http://127.0.0.1:"));
    for url in [devnet.rpc_url(), devnet.bundler_url()] {
        let sockets = listeners(port_of(url));
        assert!(!sockets.is_empty(), "{url} is listening");
        assert!(
            sockets.iter().all(|ip| ip == "0100007F"),
            "{url} listens on 127.0.0.1 only: {sockets:?}"
        );
    }

    let node = ProviderBuilder::new()
        .connect(devnet.rpc_url())
        .await
        .unwrap();
    assert_eq!(node.get_chain_id().await.unwrap(), devnet.chain_id());
    assert_eq!(devnet.chain_id(), 31337);
    for (contract, at) in devnet.addresses().iter() {
        let code = node.get_code_at(at).await.unwrap();
        assert!(!code.is_empty(), "{contract} has code at {at}");
    }
    assert_eq!(
        devnet.addresses().entry_point,
        address!("0x0000000071727De22E5E9d8BAf0edAc6f37da032")
    );
    assert_eq!(
        node.get_code_at(devnet.addresses().entry_point)
            .await
            .unwrap()
            .len(),
        16_035
    );
    assert_eq!(devnet.module_version(), ModuleVersion::PreV1);
    assert_eq!(devnet.nexus_version(), NexusVersion::V1_0);
    assert_eq!(devnet.default_validator(), None);
    let info = serde_json::to_value(devnet.info()).unwrap();
    assert_eq!(info["nexus_version"], "1.0");
    assert!(info.get("default_validator").is_none());
    assert_ne!(
        devnet.addresses().raw_hash_session_validator,
        devnet.addresses().session_validator
    );
    assert_eq!(devnet.nexus_proxy_creation_code().len(), 996);
    // The deterministic deployment proxy the CREATE2 placements go through (anvil predeploys it).
    assert_eq!(
        node.get_code_at(nexus_sessions_devnet::DETERMINISTIC_DEPLOYER)
            .await
            .unwrap()
            .len(),
        69
    );
    assert_eq!(
        keccak256(devnet.nexus_proxy_creation_code()),
        b256!("0xd8028c0fd3ea88bd5b8a93f4d6f25186b61283339649e59e6595a38a277a42df")
    );

    // The keys are anvil's funded accounts, in order.
    let accounts = node.get_accounts().await.unwrap();
    let keys: Vec<Address> = devnet.keys().all().iter().map(|k| k.address()).collect();
    assert_eq!(accounts, keys);
    assert!(
        node.get_balance(devnet.keys().owner().address())
            .await
            .unwrap()
            > U256::ZERO
    );

    let bundler = ProviderBuilder::new()
        .connect(devnet.bundler_url())
        .await
        .unwrap();
    let entry_points: Vec<Address> = bundler
        .raw_request("eth_supportedEntryPoints".into(), Vec::<()>::new())
        .await
        .unwrap();
    assert_eq!(entry_points, vec![devnet.addresses().entry_point]);

    assert!(devnet.log_dir().join("anvil.log").is_file());
    assert!(devnet.log_dir().join("alto.log").is_file());
    assert!(
        devnet.log_dir().starts_with(
            Toolchain::ensure()
                .unwrap()
                .repo_root
                .join("target")
                .join("devnet-logs")
        )
    );
    let info = serde_json::to_value(devnet.info()).unwrap();
    assert_eq!(
        info["addresses"]["counter"]
            .as_str()
            .unwrap()
            .parse::<Address>()
            .unwrap(),
        devnet.addresses().counter
    );
    assert_eq!(info["rpc_url"], devnet.rpc_url());
    let info = info.to_string();
    for key in devnet.keys().all() {
        assert!(
            !info.contains(&key.expose().to_string()[2..]),
            "info never carries keys"
        );
    }

    let (anvil, alto) = devnet.pids();
    assert!(alive(anvil) && alive(alto));
    let ports = [port_of(devnet.rpc_url()), port_of(devnet.bundler_url())];
    drop(devnet);
    assert!(
        !alive(anvil) && !alive(alto),
        "both processes are gone after drop"
    );
    for port in ports {
        assert!(
            listeners(port).is_empty(),
            "port {port} is closed after drop"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn side_by_side_instances_and_the_state_cache() {
    let (a, b) = tokio::join!(
        Devnet::builder().state_cache(true).start(),
        Devnet::builder().state_cache(true).start()
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.rpc_url(), b.rpc_url());
    assert_ne!(a.bundler_url(), b.bundler_url());
    assert_ne!(a.log_dir(), b.log_dir());
    assert_eq!(a.addresses(), b.addresses());
    // A write on one chain is not seen on the other.
    let pa = ProviderBuilder::new().connect(a.rpc_url()).await.unwrap();
    let pb = ProviderBuilder::new().connect(b.rpc_url()).await.unwrap();
    let before = pb.get_block_number().await.unwrap();
    pa.raw_request::<_, String>("evm_mine".into(), ())
        .await
        .unwrap();
    assert_eq!(pb.get_block_number().await.unwrap(), before);
    drop((a, b));

    // Either of the two (or an earlier run) filled the cache, so this start loads it.
    let c = Devnet::builder().state_cache(true).start().await.unwrap();
    assert!(c.from_cached_state(), "a warm start loads the cached state");
    let pc = ProviderBuilder::new().connect(c.rpc_url()).await.unwrap();
    for (contract, at) in c.addresses().iter() {
        assert!(
            !pc.get_code_at(at).await.unwrap().is_empty(),
            "{contract} after loading the state"
        );
    }
    // Bypassing the cache deploys from scratch to the same addresses.
    let d = Devnet::builder().state_cache(false).start().await.unwrap();
    assert!(!d.from_cached_state());
    assert_eq!(c.addresses(), d.addresses());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_test_still_stops_its_processes() {
    static PIDS: Mutex<Option<(u32, u32)>> = Mutex::new(None);
    let task = tokio::spawn(async {
        let devnet = Devnet::start().await.unwrap();
        *PIDS.lock().unwrap() = Some(devnet.pids());
        panic!("test failure while the devnet runs");
    });
    assert!(task.await.unwrap_err().is_panic());
    let (anvil, alto) = PIDS
        .lock()
        .unwrap()
        .expect("devnet started before the panic");
    assert!(!alive(anvil) && !alive(alto));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn override_manifest_replaces_contracts() {
    let tc = Toolchain::ensure().unwrap();
    let fixtures = Fixtures::build(&tc).unwrap();
    let dir = std::env::temp_dir().join(format!("devnet-override-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let smart_session = tc
        .modulekit_bytecode("SMART_SESSION_DEPLOYED_BYTECODE")
        .unwrap();
    std::fs::write(
        dir.join("smart_session.hex"),
        alloy_primitives::hex::encode_prefixed(&smart_session),
    )
    .unwrap();
    let elsewhere = address!("0x00000000008bDABA73cD9815d79069c247Eb4bDA");
    // Counter's creation code stands in for another sudo-policy build; 0x602a… returns 42 for any call.
    let counter_init =
        alloy_primitives::hex::encode_prefixed(fixtures.creation_code("Counter").unwrap());
    let manifest = format!(
        r#"{{
            "smart_session": {{ "module_version": "v1-registry-free", "runtime_code_file": "smart_session.hex", "address": "{elsewhere}" }},
            "sudo_policy": {{ "creation_code": "{counter_init}" }},
            "usage_limit_policy": {{ "runtime_code": "0x602a60005260206000f3" }}
        }}"#
    );
    std::fs::write(dir.join("manifest.json"), manifest).unwrap();
    let manifest = OverrideManifest::from_file(&dir.join("manifest.json")).unwrap();
    assert_eq!(
        manifest
            .get(DevnetContract::SmartSession)
            .map(|o| matches!(o, ContractOverride::Runtime { .. })),
        Some(true)
    );

    let baseline = Devnet::builder().state_cache(true).start().await.unwrap();
    let devnet = Devnet::builder().overrides(manifest).start().await.unwrap();
    let node = ProviderBuilder::new()
        .connect(devnet.rpc_url())
        .await
        .unwrap();
    let a = devnet.addresses();
    assert_eq!(devnet.module_version(), ModuleVersion::V1RegistryFree);
    assert_eq!(a.smart_session, elsewhere);
    assert_eq!(
        node.get_code_at(elsewhere).await.unwrap(),
        Bytes::from(smart_session)
    );
    assert_eq!(
        node.get_code_at(a.sudo_policy).await.unwrap(),
        Bytes::from(fixtures.runtime_code("Counter").unwrap())
    );
    assert_eq!(
        node.get_code_at(a.usage_limit_policy)
            .await
            .unwrap()
            .to_vec(),
        alloy_primitives::hex::decode("602a60005260206000f3").unwrap()
    );
    // Everything not overridden sits where it always does.
    for contract in [
        DevnetContract::Counter,
        DevnetContract::SpendingLimitsPolicy,
        DevnetContract::NexusFactory,
        DevnetContract::Registry,
    ] {
        assert_eq!(
            a.get(contract),
            baseline.addresses().get(contract),
            "{contract}"
        );
    }
    assert_eq!(a.sudo_policy, baseline.addresses().sudo_policy);
    assert_eq!(
        a.usage_limit_policy,
        baseline.addresses().usage_limit_policy
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The Nexus set (modulekit's 1.0.1 dev build) and the Counter placed by CREATE2 through the
/// deterministic deployment proxy; then the same bytecode declared as Nexus 1.2 is refused by the
/// `accountId()` check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create2_placement_of_the_nexus_set_and_the_declared_version_is_checked() {
    use alloy_sol_types::SolValue;
    let tc = Toolchain::ensure().unwrap();
    let fixtures = Fixtures::build(&tc).unwrap();
    let modulekit = |name| Bytes::from(tc.modulekit_bytecode(name).unwrap());
    let entry_point = address!("0x0000000071727De22E5E9d8BAf0edAc6f37da032");
    let deployer = address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    let create2 = |salt: u8, init: Vec<u8>| ContractOverride::Create2 {
        salt: alloy_primitives::B256::with_last_byte(salt),
        init_code: init.into(),
    };
    let implementation = create2(
        1,
        [
            modulekit("NEXUS_BYTECODE").to_vec(),
            entry_point.abi_encode(),
        ]
        .concat(),
    );
    let implementation_at = implementation.create2_address().unwrap();
    let factory = create2(
        2,
        [
            modulekit("NEXUS_ACCOUNT_FACTORY_BYTECODE").to_vec(),
            (implementation_at, deployer).abi_encode_params(),
        ]
        .concat(),
    );
    let bootstrap = create2(3, modulekit("NEXUS_BOOTSTRAP_BYTECODE").to_vec());
    let counter = create2(4, fixtures.creation_code("Counter").unwrap());
    let manifest = |version| {
        OverrideManifest::new()
            .with_nexus(version, modulekit("NEXUS_PROXY_BYTECODE"))
            .with_contract(DevnetContract::NexusImplementation, implementation.clone())
            .unwrap()
            .with_contract(DevnetContract::NexusFactory, factory.clone())
            .unwrap()
            .with_contract(DevnetContract::NexusBootstrap, bootstrap.clone())
            .unwrap()
            .with_contract(DevnetContract::Counter, counter.clone())
            .unwrap()
    };

    let devnet = Devnet::builder()
        .overrides(manifest(NexusVersion::V1_0))
        .state_cache(false)
        .start()
        .await
        .unwrap();
    let node = ProviderBuilder::new()
        .connect(devnet.rpc_url())
        .await
        .unwrap();
    let a = devnet.addresses();
    assert_eq!(devnet.nexus_version(), NexusVersion::V1_0);
    for (contract, entry) in [
        (DevnetContract::NexusImplementation, &implementation),
        (DevnetContract::NexusFactory, &factory),
        (DevnetContract::NexusBootstrap, &bootstrap),
        (DevnetContract::Counter, &counter),
    ] {
        let at = entry.create2_address().unwrap();
        assert_eq!(a.get(contract), at, "{contract}");
        assert!(
            !node.get_code_at(at).await.unwrap().is_empty(),
            "{contract}"
        );
    }
    assert_eq!(
        node.get_code_at(a.counter).await.unwrap(),
        Bytes::from(fixtures.runtime_code("Counter").unwrap())
    );
    // The CREATE2-placed contracts' nonce slots were consumed: the next CREATE fixtures sit where
    // they always do.
    assert_eq!(
        a.account_validator,
        address!("0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9")
    );
    drop(devnet);

    let lie = manifest(NexusVersion::V1_2)
        .with_contract(
            DevnetContract::AccountValidator,
            ContractOverride::Creation {
                init_code: fixtures.creation_code("EcdsaValidator").unwrap().into(),
            },
        )
        .unwrap();
    let err = Devnet::builder()
        .overrides(lie)
        .state_cache(false)
        .start()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("nexus_implementation") && err.contains("declares Nexus 1.2"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_deployment_names_the_contract_and_the_logs_and_stops_anvil() {
    // 0xfe is INVALID: the CREATE fails, which the deployment must report, naming the contract.
    let manifest = OverrideManifest::from_json_str(
        r#"{"counter": {"creation_code": "0xfe"}}"#,
        std::path::Path::new("."),
    )
    .unwrap();
    let err = Devnet::builder()
        .overrides(manifest)
        .state_cache(false)
        .start()
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("deploying `counter`"), "{message}");
    assert!(message.contains("devnet-logs"), "{message}");
    let nexus_sessions_devnet::DevnetError::Startup { log_dir, .. } = &err else {
        panic!("{err:?}")
    };
    let log = std::fs::read_to_string(log_dir.join("anvil.log")).unwrap();
    let port: u16 = log
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Listening on 127.0.0.1:")?
                .parse()
                .ok()
        })
        .expect("anvil logged its port");
    assert!(
        listeners(port).is_empty(),
        "this anvil is stopped after the failure"
    );
}
