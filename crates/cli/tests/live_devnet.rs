//! The `nexus-sessions` live commands against the devnet: status, grant, use (allowed and refused),
//! revoke, status again — the binary itself, driven as a user would, with the keys in 0600 files or
//! an environment variable. The devnet is the one `DEVNET_OVERRIDES` selects (default: Nexus 1.0 with
//! the fixtures; `tests/manifests/production-stack.json`: Nexus 1.2 and the production modules); the
//! CLI learns its Nexus version from the devnet file, as `cargo xtask devnet` writes it.

use alloy_network::{EthereumWallet, TransactionBuilder};
use alloy_primitives::{Address, U256};
use alloy_provider::{Provider, ProviderBuilder};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::{SolCall, sol};
use nexus_sessions_devnet::Devnet;
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

/// The binary under test, as cargo built it for this package's tests.
fn cli_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_nexus-sessions"))
}

struct Cli {
    bin: PathBuf,
    dir: PathBuf,
    deployment: String,
}

impl Cli {
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(args)
            .args(["--deployment", &self.deployment])
            .env_remove("NEXUS_RPC_URL")
            .env_remove("NEXUS_BUNDLER_URL")
            .env_remove("NEXUS_DEPLOYMENT")
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        cmd
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run nexus-sessions")
    }

    /// Runs a command that must succeed with `--json`; returns its JSON.
    fn ok(&self, args: &[&str], env: &[(&str, &str)]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all, env);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?} failed: {stderr}");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e}); stderr: {stderr}"))
    }

    /// Runs a command that must fail at run time (exit 1) with one line on stderr.
    fn fails(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run(args, env);
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        let last = stderr.lines().last().unwrap_or_default().to_owned();
        assert!(last.starts_with("error: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        last
    }

    /// Writes `contents` to a file only its owner can read (as a user should store a key).
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

/// `use` by the session key in `E2E_SESSION_KEY`, the account and permission named by the session
/// data, calling `target` with `call`.
fn use_by_session_data<'a>(session_data: &'a str, target: &'a str, call: &'a str) -> [&'a str; 9] {
    [
        "use",
        "--key-env",
        "E2E_SESSION_KEY",
        "--session-data",
        session_data,
        "--target",
        target,
        "--call",
        call,
    ]
}

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_use_status_revoke_through_the_cli() {
    let bin = cli_binary();
    let devnet = Devnet::start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("nexus-sessions-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deployment = dir.join("devnet.json");
    std::fs::write(
        &deployment,
        serde_json::to_string_pretty(&devnet.info()).unwrap(),
    )
    .unwrap();
    let cli = Cli {
        bin,
        dir,
        deployment: deployment.display().to_string(),
    };

    let keys = devnet.keys();
    let owner_key = cli.private_file("owner.key", &format!("{}\n", keys.owner().expose()));
    let session_key = format!("{}", keys.session_key().expose());
    let session_env = [("E2E_SESSION_KEY", session_key.as_str())];
    let counter = devnet.addresses().counter;
    let counter_hex = format!("{counter:#x}");
    let owner = format!("{:#x}", keys.owner().address());

    // A fresh owner: the account is counterfactual, nothing installed.
    let st = cli.ok(&["status", "--owner", &owner], &[]);
    assert_eq!(st["deployed"], false);
    assert_eq!(st["smartSessionInstalled"], false);
    assert_eq!(st["moduleVersion"], devnet.module_version().as_str());
    // The CLI runs the flow of the Nexus the devnet reports (default devnet: 1.0, production-stack
    // manifest: 1.2), from the devnet file alone.
    assert_eq!(st["nexusVersion"], devnet.nexus_version().as_str());
    let account: Address = s(&st["account"]).parse().unwrap();

    // Fund it so it can pay for its operations.
    let node = ProviderBuilder::new()
        .wallet(EthereumWallet::from(keys.spare()[1].signer().clone()))
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

    // Grant: installs SmartSession (deploying the account) and enables the session.
    let session_data = cli.dir.join("session-data.json").display().to_string();
    let action = format!("{counter_hex}:incrementNumber()");
    let granted = cli.ok(
        &[
            "grant",
            "--key-file",
            &owner_key,
            "--session-key",
            &format!("{:#x}", keys.session_key().address()),
            "--action",
            &action,
            "--usage-limit",
            "5",
            "--out",
            &session_data,
        ],
        &[],
    );
    assert_eq!(s(&granted["account"]).parse::<Address>().unwrap(), account);
    let pid = s(&granted["permissionId"]).to_owned();
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&session_data).unwrap()).unwrap();
    assert_eq!(
        saved["moduleData"]["permissionIds"][0]
            .as_str()
            .unwrap()
            .to_lowercase(),
        pid
    );

    let st = cli.ok(
        &[
            "status",
            "--account",
            &format!("{account:#x}"),
            "--session-data",
            &session_data,
        ],
        &[],
    );
    assert_eq!(st["deployed"], true);
    assert_eq!(st["smartSessionInstalled"], true);
    assert_eq!(st["permissionId"], pid.as_str());
    assert_eq!(st["permissionEnabled"], true);
    assert_eq!(st["enableNonce"], "0");

    // Use: the session key increments the counter from the account.
    let read_number = || async {
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
    let before = read_number().await;
    let used = cli.ok(
        &use_by_session_data(&session_data, &counter_hex, "incrementNumber()"),
        &session_env,
    );
    assert_eq!(used["permissionId"], pid.as_str());
    assert_eq!(read_number().await, before + U256::from(1));

    // The same key by permission id and account instead of the session data.
    let key_file = cli.private_file("session.key", &session_key);
    cli.ok(
        &[
            "use",
            "--key-file",
            &key_file,
            "--account",
            &format!("{account:#x}"),
            "--permission-id",
            &pid,
            "--target",
            &counter_hex,
            "--call",
            "incrementNumber()",
        ],
        &[],
    );
    assert_eq!(read_number().await, before + U256::from(2));

    // The same permission from abstractjs 1.x's persisted session JSON (no account in it).
    let abstractjs = cli.dir.join("abstractjs-session.json");
    let data = nexus_sessions_types::SessionData::from_json(
        &std::fs::read_to_string(&session_data).unwrap(),
    )
    .unwrap();
    std::fs::write(
        &abstractjs,
        nexus_sessions_types::SessionDetail::to_json_list(
            &nexus_sessions_types::SessionDetail::from_session_data(&data),
        ),
    )
    .unwrap();
    cli.ok(
        &[
            "use",
            "--key-env",
            "E2E_SESSION_KEY",
            "--session-data",
            &abstractjs.display().to_string(),
            "--owner",
            &owner,
            "--target",
            &counter_hex,
            "--call",
            "incrementNumber()",
        ],
        &session_env,
    );
    assert_eq!(read_number().await, before + U256::from(3));

    // account-address: the factory's answer for the owner (the devnet file carries no proxy code)
    let out = cli.run(&["account-address", "--owner", &owner, "--index", "0"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("{account:#x}")
    );

    // A call the session does not allow is refused, and nothing changes.
    let forbidden = format!(
        "0x{}",
        alloy_primitives::hex::encode(
            setNumberCall {
                newNumber: U256::from(7)
            }
            .abi_encode()
        )
    );
    cli.fails(
        &use_by_session_data(&session_data, &counter_hex, &forbidden),
        &session_env,
    );
    assert_eq!(read_number().await, before + U256::from(3));

    // Revoke, then the permission is gone and the session key is refused.
    let revoked = cli.ok(
        &[
            "revoke",
            "--key-file",
            &owner_key,
            "--session-data",
            &session_data,
        ],
        &[],
    );
    assert_eq!(revoked["permissionId"], pid.as_str());
    let st = cli.ok(&["status", "--owner", &owner, "--permission-id", &pid], &[]);
    assert_eq!(st["permissionEnabled"], false);
    cli.fails(
        &use_by_session_data(&session_data, &counter_hex, "incrementNumber()"),
        &session_env,
    );
    assert_eq!(read_number().await, before + U256::from(3));
    let _ = std::fs::remove_dir_all(&cli.dir);
}

/// EIP-7702 through the CLI: an EOA's own key grants (`--eip7702`: the first operation delegates the
/// EOA and installs SmartSession), the session key uses it, `undelegate` stops it, `delegate`
/// restores it, `status` reports the delegation. On a Nexus 1.0 devnet `delegate` is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eip7702_grant_use_undelegate_delegate_through_the_cli() {
    let devnet = Devnet::start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("nexus-sessions-7702-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deployment = dir.join("devnet.json");
    std::fs::write(
        &deployment,
        serde_json::to_string_pretty(&devnet.info()).unwrap(),
    )
    .unwrap();
    let cli = Cli {
        bin: cli_binary(),
        dir,
        deployment: deployment.display().to_string(),
    };
    let keys = devnet.keys();
    // An anvil account (funded) plays the user's EOA.
    let eoa_key = cli.private_file("eoa.key", &format!("{}\n", keys.spare()[2].expose()));
    let eoa = format!("{:#x}", keys.spare()[2].address());
    if devnet.nexus_version() != nexus_sessions_devnet::NexusVersion::V1_2 {
        let err = cli.fails(&["delegate", "--key-file", &eoa_key], &[]);
        assert!(err.contains("Nexus 1.2"), "{err}");
        let _ = std::fs::remove_dir_all(&cli.dir);
        return;
    }
    let session_key = format!("{}", keys.session_key().expose());
    let session_env = [("E2E_SESSION_KEY", session_key.as_str())];
    let counter_hex = format!("{:#x}", devnet.addresses().counter);
    let st = cli.ok(&["status", "--account", &eoa], &[]);
    assert_eq!(st["delegation"], "none");

    let session_data = cli.dir.join("session-data.json").display().to_string();
    let granted = cli.ok(
        &[
            "grant",
            "--eip7702",
            "--key-file",
            &eoa_key,
            "--session-key",
            &format!("{:#x}", keys.session_key().address()),
            "--action",
            &format!("{counter_hex}:incrementNumber()"),
            "--out",
            &session_data,
        ],
        &[],
    );
    assert_eq!(s(&granted["account"]), eoa, "the account is the EOA");
    let st = cli.ok(&["status", "--account", &eoa], &[]);
    assert_eq!(st["delegation"], "nexus");
    assert_eq!(st["smartSessionInstalled"], true);
    let use_args = use_by_session_data(&session_data, &counter_hex, "incrementNumber()");
    cli.ok(&use_args, &session_env);

    let undone = cli.ok(&["undelegate", "--key-file", &eoa_key], &[]);
    assert_eq!(undone["delegation"], "none");
    cli.fails(&use_args, &session_env);
    let redone = cli.ok(&["delegate", "--key-file", &eoa_key], &[]);
    assert_eq!(redone["delegation"], "nexus");
    assert!(redone["transactionHash"].is_string());
    cli.ok(&use_args, &session_env);
    let again = cli.ok(&["delegate", "--key-file", &eoa_key], &[]);
    assert!(again["transactionHash"].is_null(), "already delegated");
    let _ = std::fs::remove_dir_all(&cli.dir);
}
