//! `nexus-sessions grant --deferred --chain …` on two devnets (chain ids 31337 and 31338): one owner
//! signature, one SessionData file per chain, then `use` on each chain moves that chain's counter
//! once; chain A's file used on chain B is refused before sending.

use alloy_primitives::{Address, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, sol};
use nexus_sessions_devnet::{Devnet, DevnetBuilder};
use serde_json::Value;
use std::{
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::Path,
    process::{Command, Output, Stdio},
};

sol! {
    function number() external view returns (uint256);
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nexus-sessions"));
    cmd.args(args)
        .env_remove("NEXUS_RPC_URL")
        .env_remove("NEXUS_BUNDLER_URL")
        .env_remove("NEXUS_DEPLOYMENT")
        .current_dir(dir)
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run nexus-sessions")
}

fn ok(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = run(dir, &all, env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}); stderr: {stderr}"))
}

async fn number(devnet: &Devnet) -> U256 {
    let node = ProviderBuilder::new().connect_http(devnet.rpc_url().parse().unwrap());
    let out = node
        .call(
            TransactionRequest::default()
                .to(devnet.addresses().counter)
                .input(numberCall {}.abi_encode().into()),
        )
        .await
        .unwrap();
    numberCall::abi_decode_returns(&out).unwrap()
}

async fn fund(devnet: &Devnet, account: Address) {
    let node = ProviderBuilder::new().connect_http(devnet.rpc_url().parse().unwrap());
    node.raw_request::<_, Value>(
        "anvil_setBalance".into(),
        (account, U256::from(10u128.pow(19))),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_deferred_grant_for_two_chains_through_the_cli() {
    let devnets = DevnetBuilder::default().start_many(2).await.unwrap();
    let (a, b) = (&devnets[0], &devnets[1]);
    let dir =
        std::env::temp_dir().join(format!("nexus-sessions-multichain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // What `cargo xtask devnet --chains 2` prints, and one file per chain for `use`.
    let chains = dir.join("chains.json");
    std::fs::write(&chains, serde_json::to_string(&devnets.info()).unwrap()).unwrap();
    let file_of = |d: &Devnet| {
        let path = dir.join(format!("chain-{}.json", d.chain_id()));
        std::fs::write(&path, serde_json::to_string(&d.info()).unwrap()).unwrap();
        path.display().to_string()
    };
    let (file_a, file_b) = (file_of(a), file_of(b));

    let keys = a.keys();
    let owner_key = dir.join("owner.key");
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&owner_key)
        .unwrap()
        .write_all(format!("{}\n", keys.owner().expose()).as_bytes())
        .unwrap();
    let owner_key = owner_key.display().to_string();
    let session_key = keys.session_key().expose().to_string();
    let session_env = [("E2E_SESSION_KEY", session_key.as_str())];
    let owner = format!("{:#x}", keys.owner().address());
    let counter = format!("{:#x}", a.addresses().counter);
    assert_eq!(
        a.addresses().counter,
        b.addresses().counter,
        "same addresses"
    );

    // The owner's account (the same address on both chains) pays for its install operations.
    let st = ok(
        &dir,
        &["status", "--deployment", &file_a, "--owner", &owner],
        &[],
    );
    let account: Address = st["account"].as_str().unwrap().parse().unwrap();
    fund(a, account).await;
    fund(b, account).await;

    let out = dir.join("grant.json").display().to_string();
    let granted = ok(
        &dir,
        &[
            "grant",
            "--deferred",
            "--chain",
            &chains.display().to_string(),
            "--key-file",
            &owner_key,
            "--session-key",
            &format!("{:#x}", keys.session_key().address()),
            "--action",
            &format!("{counter}:incrementNumber()"),
            "--out",
            &out,
        ],
        &[],
    );
    assert_eq!(granted["mode"], "enable");
    let listed: Vec<u64> = granted["chains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["chainId"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, vec![31337, 31338]);
    let (data_a, data_b) = (
        dir.join("grant.31337.json").display().to_string(),
        dir.join("grant.31338.json").display().to_string(),
    );
    let read =
        |p: &str| -> Value { serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let (ja, jb) = (read(&data_a), read(&data_b));
    let enable = |j: &Value| j["moduleData"]["enableSessionData"]["enableSession"].clone();
    assert_eq!(enable(&ja)["chainDigestIndex"], 0);
    assert_eq!(enable(&jb)["chainDigestIndex"], 1);
    assert_eq!(
        enable(&ja)["permissionEnableSig"],
        enable(&jb)["permissionEnableSig"],
        "one owner signature"
    );

    let use_on = |deployment: &str, data: &str| {
        run(
            &dir,
            &[
                "use",
                "--deployment",
                deployment,
                "--key-env",
                "E2E_SESSION_KEY",
                "--session-data",
                data,
                "--target",
                &counter,
                "--call",
                "incrementNumber()",
            ],
            &session_env,
        )
    };
    // Chain A's file on chain B: refused locally, naming the chain.
    let refused = use_on(&file_b, &data_a);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("chainDigestIndex 0 is wrong on chain 31338"),
        "{stderr}"
    );
    assert_eq!(number(b).await, U256::ZERO);

    for (deployment, data, devnet) in [(&file_a, &data_a, a), (&file_b, &data_b, b)] {
        let out = use_on(deployment, data);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            number(devnet).await,
            U256::from(1),
            "chain {}",
            devnet.chain_id()
        );
    }
}
