//! Exit codes of the commands that send, against the devnet's real alto behind the fault proxy:
//! 0 = landed, 1 = failed and nothing landed, 2 = bad input, 3 = outcome unknown (stdout names the
//! userOpHash, the signed operation and `resolve`), in text and `--json` alike; `resolve` settles an
//! unknown outcome by resending the same operation, which lands exactly once.

use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{Address, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, sol};
use nexus_sessions_devnet::{
    Devnet,
    fault_proxy::{Fault, FaultProxy},
};
use serde_json::Value;
use std::{
    io::Write,
    os::unix::fs::OpenOptionsExt,
    path::PathBuf,
    process::{Command, Output, Stdio},
};

sol! {
    function number() external view returns (uint256);
    function setNumber(uint256 newNumber) external;
}

struct Cli {
    dir: PathBuf,
    deployment: String,
    bundler_url: String,
}

impl Cli {
    /// Runs the binary (off the async workers, so the proxy keeps serving) and returns its output.
    async fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_nexus-sessions"));
        cmd.args(args)
            .args(["--deployment", &self.deployment])
            .args(["--bundler-url", &self.bundler_url])
            .env_remove("NEXUS_RPC_URL")
            .env_remove("NEXUS_BUNDLER_URL")
            .env_remove("NEXUS_DEPLOYMENT")
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        tokio::task::spawn_blocking(move || cmd.output().expect("run nexus-sessions"))
            .await
            .unwrap()
    }

    /// Runs `args` and checks the exit code; returns stdout.
    async fn expect(&self, code: i32, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run(args, env).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        if code != 0 {
            let last = stderr.lines().last().unwrap_or_default();
            assert!(last.starts_with("error: "), "{args:?}: {stderr}");
        }
        String::from_utf8(out.stdout).unwrap()
    }

    fn private_file(&self, name: &str, contents: &str) -> String {
        let path = self.dir.join(name);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .unwrap();
        f.write_all(contents.as_bytes()).unwrap();
        path.display().to_string()
    }
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landed_failed_bad_input_and_unknown_are_told_apart() {
    let devnet = Devnet::start().await.unwrap();
    let proxy = FaultProxy::start(devnet.bundler_url()).await.unwrap();
    let dir = std::env::temp_dir().join(format!("nexus-sessions-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deployment = dir.join("devnet.json");
    std::fs::write(&deployment, serde_json::to_string(&devnet.info()).unwrap()).unwrap();
    let cli = Cli {
        dir,
        deployment: deployment.display().to_string(),
        bundler_url: proxy.url(),
    };
    let keys = devnet.keys();
    let owner_key = cli.private_file("owner.key", &keys.owner().expose().to_string());
    let session_key = keys.session_key().expose().to_string();
    let env = [("EXIT_SESSION_KEY", session_key.as_str())];
    let counter = devnet.addresses().counter;
    let counter_hex = format!("{counter:#x}");

    // The owner's account, funded.
    let owner = format!("{:#x}", keys.owner().address());
    let status = json(
        &cli.expect(0, &["status", "--owner", &owner, "--json"], &[])
            .await,
    );
    let account: Address = status["account"].as_str().unwrap().parse().unwrap();
    let node = ProviderBuilder::new()
        .wallet(EthereumWallet::from(keys.spare()[2].signer().clone()))
        .connect(devnet.rpc_url())
        .await
        .unwrap();
    node.send_transaction(
        TransactionRequest::default()
            .with_to(account)
            .with_value(U256::from(10u128.pow(18))),
    )
    .await
    .unwrap()
    .get_receipt()
    .await
    .unwrap();
    let number = || async {
        let out = node
            .call(
                TransactionRequest::default()
                    .with_to(counter)
                    .with_input(numberCall {}.abi_encode()),
            )
            .await
            .unwrap();
        numberCall::abi_decode_returns(&out).unwrap()
    };

    // 0: granted (installs SmartSession, deploys the account).
    let data = cli.dir.join("session-data.json").display().to_string();
    let action = format!("{counter_hex}:incrementNumber()");
    let session_address = format!("{:#x}", keys.session_key().address());
    let grant = [
        "grant",
        "--key-file",
        &owner_key,
        "--session-key",
        &session_address,
        "--action",
        &action,
        "--out",
        &data,
        "--json",
    ];
    cli.expect(0, &grant, &[]).await;
    let use_call = |call: &str, json: bool| {
        let mut args = vec![
            "use",
            "--key-env",
            "EXIT_SESSION_KEY",
            "--session-data",
            &data,
            "--target",
            &counter_hex,
            "--call",
            call,
        ];
        if json {
            args.push("--json");
        }
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };

    // 0: landed.
    let start = number().await;
    let used = json(
        &cli.expect(0, &args(&use_call("incrementNumber()", true)), &env)
            .await,
    );
    assert!(used["userOpHash"].is_string(), "{used}");
    assert_eq!(number().await, start + U256::from(1));

    // 2: bad input, text and JSON.
    for json_flag in [false, true] {
        let mut bad = use_call("incrementNumber()", json_flag);
        bad[6] = "0xnot-an-address".into();
        cli.expect(2, &args(&bad), &env).await;
    }

    // 1: refused, nothing landed (text and JSON).
    let forbidden = format!(
        "0x{}",
        alloy_primitives::hex::encode(
            setNumberCall {
                newNumber: U256::from(7)
            }
            .abi_encode()
        )
    );
    for json_flag in [false, true] {
        cli.expect(1, &args(&use_call(&forbidden, json_flag)), &env)
            .await;
    }
    assert_eq!(number().await, start + U256::from(1));

    // 3: every send is cut before it reaches alto, and the CLI cannot know that: unknown.
    proxy.arm("eth_sendUserOperation", 10_000, Fault::DropBeforeForward);
    let text = cli
        .expect(3, &args(&use_call("incrementNumber()", false)), &env)
        .await;
    assert!(text.contains("userOp hash"), "{text}");
    assert!(text.contains("nexus-sessions resolve"), "{text}");
    let unknown_json = cli
        .expect(3, &args(&use_call("incrementNumber()", true)), &env)
        .await;
    proxy.disarm();
    let unknown = json(&unknown_json);
    assert_eq!(unknown["outcome"], "unknown", "{unknown}");
    let hash = unknown["userOpHash"].as_str().unwrap().to_owned();
    assert_eq!(
        unknown["userOperation"]["sender"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        format!("{account:#x}")
    );
    assert!(unknown["resolve"].as_str().unwrap().contains("resolve"));
    assert_eq!(
        number().await,
        start + U256::from(1),
        "nothing reached alto"
    );

    // resolve: the same operation lands, once, however often it is resolved.
    let saved = cli.dir.join("use.json");
    std::fs::write(&saved, &unknown_json).unwrap();
    let saved = saved.display().to_string();
    for _ in 0..2 {
        let resolved = json(
            &cli.expect(0, &["resolve", "--user-operation", &saved, "--json"], &[])
                .await,
        );
        assert_eq!(resolved["outcome"], "landed");
        assert_eq!(resolved["userOpHash"], hash.as_str());
    }
    cli.expect(0, &["resolve", "--user-op-hash", &hash], &[])
        .await;
    assert_eq!(number().await, start + U256::from(2), "landed exactly once");
    // Nothing to resolve by: bad input.
    cli.expect(2, &["resolve"], &[]).await;
    let _ = std::fs::remove_dir_all(&cli.dir);
}
