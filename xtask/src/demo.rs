//! `cargo xtask demo`: the main job, the reference smart-sessions flow on a fresh local devnet.
//!
//! Starts the devnet (installing the pinned tools and building the fixtures on the first run), then,
//! through the `nexus-sessions` facade: creates the owner's Nexus client, deploys the account with its first
//! user operation, installs SmartSession, grants a session key `incrementNumber()` on the Counter,
//! writes the SessionData JSON, builds a separate session-key client from that file, uses the
//! permission twice, shows a refused call, an ENABLE-mode grant used by a second key in one
//! operation, a sponsored use (the devnet's ERC-7677 paymaster pays), a revocation, and one owner signature used on two chains (a second devnet, chain
//! 31338). Each step prints what it did (addresses, userOpHashes, gas used,
//! JSON-RPC requests, the counter); stderr shows progress while it waits. Exit code 0 on success;
//! on failure the step, the error and the devnet log directory.

mod progress;

use alloy_primitives::{B256, U256};
use e2e::{Chain, counter, ten_eth};
use nexus_sessions::{
    ActionPermission, Error, NexusClient, PaymasterClient, PermissionRequest, PrivateKeySigner,
    RpcStats, SessionKeyClient, UserOperationReceipt,
    sessions::{SessionData, SmartSessionMode},
};
use nexus_sessions_devnet::Devnet;
use std::{
    future::Future,
    path::{Path, PathBuf},
    time::Instant,
};

const USAGE: &str = "usage: cargo xtask demo";

/// Runs the task.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    if let Some(arg) = args.first() {
        return match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                Ok(())
            }
            other => Err(format!("demo: unknown argument `{other}`\n{USAGE}")),
        };
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(demo())
}

/// Where the demo writes the SessionData file.
fn output_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("target"), |root| root.join("target"))
        .join("demo")
}

async fn demo() -> Result<(), String> {
    let started = Instant::now();
    println!("Nexus smart sessions: the reference flow on a local devnet");

    step(
        1,
        "start the devnet (anvil + EntryPoint v0.7 + Nexus + SmartSession + alto)",
    );
    let (devnet, took) = progress::wait(
        "starting the devnet (the first run installs the tools and builds the fixtures, about a minute)",
        Devnet::start(),
    )
    .await;
    let devnet = devnet.map_err(|e| format!("starting the devnet: {e}"))?;
    let logs = devnet.log_dir().display().to_string();
    show("ready in", format!("{:.1} s", took.as_secs_f64()));
    show("node", devnet.rpc_url());
    show("bundler", devnet.bundler_url());
    let stack = stack(&devnet);
    show("stack", &stack);
    show(
        "Nexus",
        format!(
            "{} (implementation {})",
            devnet.nexus_version(),
            devnet.addresses().nexus_implementation
        ),
    );
    if let Some(validator) = devnet.default_validator() {
        show("default validator", validator);
    }
    show(
        "SmartSession",
        format!(
            "{} ({})",
            devnet.addresses().smart_session,
            devnet.module_version()
        ),
    );
    let d = devnet.deployment();
    show(
        "session validator",
        format!(
            "{} (session keys sign {})",
            d.session_validator,
            d.session_signature_style()
                .map_or("?", |style| style.as_str())
        ),
    );
    show("Counter", devnet.addresses().counter);

    flow(&devnet)
        .await
        .map_err(|e| format!("{e}\n       stack: {stack}\n       devnet logs: {logs}"))?;
    multichain(&devnet)
        .await
        .map_err(|e| format!("{e}\n       stack: {stack}\n       devnet logs: {logs}"))?;

    println!(
        "\ndone in {:.1} s on {stack}; the devnet is stopped.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// One line naming the stack the devnet runs: the Nexus and SmartSession versions and where the
/// override manifest came from, if any.
fn stack(devnet: &Devnet) -> String {
    let manifest = std::env::var(nexus_sessions_devnet::OVERRIDES_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map_or_else(
            || "default devnet".to_owned(),
            |path| format!("override manifest {path}"),
        );
    format!(
        "Nexus {} + SmartSession {} ({manifest})",
        devnet.nexus_version(),
        devnet.module_version()
    )
}

async fn flow(devnet: &Devnet) -> Result<(), String> {
    let chain = Chain::of(devnet).await.map_err(|e| e.to_string())?;
    let deployment = devnet.deployment();
    let counter = devnet.addresses().counter;
    let count = || async {
        chain
            .counter_number(counter)
            .await
            .map_err(|e| e.to_string())
    };

    step(2, "the owner's Nexus client");
    let owner_key = devnet.keys().owner().signer().clone();
    let owner = NexusClient::builder(
        owner_key,
        devnet.rpc_url(),
        devnet.bundler_url(),
        deployment.clone(),
    )
    .chain_id(devnet.chain_id())
    .build()
    .await
    .map_err(at("connecting the owner's client"))?;
    show("owner", owner.owner());
    show("account", format!("{} (computed offline)", owner.address()));
    let factory = owner
        .factory_account_address()
        .await
        .map_err(at("asking the factory for the address"))?;
    if factory != owner.address() {
        return Err(format!(
            "the factory computes {factory}, the client {}",
            owner.address()
        ));
    }
    show("factory agrees", factory);
    chain
        .fund(owner.address(), ten_eth())
        .await
        .map_err(|e| e.to_string())?;
    show("funded", "10 ETH (anvil_setBalance)");

    step(
        3,
        "first user operation: deploys the account and calls Counter.incrementNumber()",
    );
    submit(
        &owner,
        "sending the first user operation",
        owner.send_calls(&[counter::increment(counter)]),
    )
    .await?;
    show(
        "deployed",
        owner.is_deployed().await.map_err(at("eth_getCode"))?,
    );
    show("counter", count().await?);

    step(
        4,
        if devnet.nexus_version().has_default_validator() {
            "install the SmartSession module (validator) and make it a safe sender of the default validator"
        } else {
            "install the SmartSession module (validator)"
        },
    );
    submit(
        &owner,
        "installing SmartSession",
        owner.install_smart_sessions(),
    )
    .await?;

    step(
        5,
        "grant: the session key may call incrementNumber() on the Counter, nothing else",
    );
    let session_key = devnet.keys().session_key().signer().clone();
    show("session key", session_key.address());
    let request = PermissionRequest::new(session_key.address())
        .action(ActionPermission::new(counter, counter::INCREMENT_NUMBER));
    let before = owner.rpc_stats();
    let grant = owner
        .grant_permission(std::slice::from_ref(&request))
        .await
        .map_err(at("granting the permission"))?;
    let permission_id = grant.permission_ids[0];
    show("permission id", permission_id);
    if grant.trusted_attesters {
        show(
            "registry",
            "trustAttesters(mock attester) prepended (pre-v1 SmartSession checks the registry)",
        );
    }
    receipt(&owner, grant.user_op_hash, &before).await?;
    show(
        "enabled on chain",
        owner
            .is_permission_enabled(permission_id)
            .await
            .map_err(at("isPermissionEnabled"))?,
    );

    step(6, "hand over the SessionData (JSON, no secrets)");
    let json = owner
        .session_data(&grant, 0)
        .map_err(at("building the SessionData"))?
        .to_json_pretty();
    let dir = output_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let file = dir.join("session_data.json");
    std::fs::write(&file, &json).map_err(|e| format!("writing {}: {e}", file.display()))?;
    show(
        "written",
        format!("{} ({} bytes)", file.display(), json.len()),
    );

    step(
        7,
        "a new session-key client, built from that file, uses the permission",
    );
    let text =
        std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let data =
        SessionData::from_json(&text).map_err(|e| format!("parsing {}: {e}", file.display()))?;
    let session = SessionKeyClient::connect(
        session_key,
        devnet.rpc_url(),
        devnet.bundler_url(),
        deployment.clone(),
        data,
    )
    .await
    .map_err(at("connecting the session-key client"))?;
    show("acting for", session.account());
    for round in ["first use", "second use (warm)"] {
        let before = session.rpc_stats();
        let hash = session
            .use_permission(&[counter::increment(counter)])
            .await
            .map_err(at(round))?;
        show(round, "USE mode, Counter.incrementNumber()");
        receipt(&session, hash, &before).await?;
        show("counter", count().await?);
    }

    step(
        8,
        "a call outside the permission is refused before anything is sent",
    );
    let before = session.rpc_stats();
    let counted = count().await?;
    match session
        .use_permission(&[counter::set_number(counter, 1000)])
        .await
    {
        Err(Error::PolicyViolation(v)) => show("refused", v),
        Err(e) => {
            return Err(format!(
                "setNumber(1000): expected a policy violation, got: {e}"
            ));
        }
        Ok(hash) => return Err(format!("setNumber(1000) was sent ({hash})")),
    }
    let sent = session.rpc_stats().since(&before);
    show("bundler requests", sent.bundler);
    let after = count().await?;
    if after != counted {
        return Err(format!("the counter changed from {counted} to {after}"));
    }
    show("counter", format!("{after} (unchanged)"));

    step(
        9,
        "UNSAFE_ENABLE: the owner signs off-chain; the new key enables and uses in one operation",
    );
    let second_key = PrivateKeySigner::random();
    show("second session key", second_key.address());
    // Allowed to be sponsored (step 10); SmartSession v1 refuses a paymaster otherwise.
    let deferred_request = PermissionRequest::new(second_key.address())
        .action(ActionPermission::new(counter, counter::INCREMENT_NUMBER).usage_limit(5))
        .permit_erc4337_paymaster(true);
    let owner_ops = owner.rpc_stats();
    let deferred = owner
        .grant_deferred_permission(&deferred_request, SmartSessionMode::UnsafeEnable)
        .await
        .map_err(at("preparing the deferred grant"))?;
    show(
        "owner signed",
        format!(
            "permission {} off-chain ({} JSON-RPC requests, no user operation)",
            deferred.module_data.permission_ids[0],
            owner.rpc_stats().since(&owner_ops).total()
        ),
    );
    let deferred_data = SessionData::from_json(&deferred.to_json())
        .map_err(|e| format!("re-reading the SessionData: {e}"))?;
    let second = SessionKeyClient::connect(
        second_key.clone(),
        devnet.rpc_url(),
        devnet.bundler_url(),
        deployment.clone(),
        deferred_data.clone(),
    )
    .await
    .map_err(at("connecting the second session-key client"))?;
    submit(
        &second,
        "ENABLE-and-use",
        second.use_permission(&[counter::increment(counter)]),
    )
    .await?;
    show(
        "enabled now",
        second
            .is_permission_enabled()
            .await
            .map_err(at("isPermissionEnabled"))?,
    );
    show("counter", count().await?);

    step(
        10,
        "a sponsored use: the devnet's ERC-7677 paymaster pays, the account's ETH does not move",
    );
    show("paymaster service", devnet.paymaster_url());
    let sponsored = SessionKeyClient::builder(
        second_key,
        devnet.rpc_url(),
        devnet.bundler_url(),
        deployment,
        deferred_data,
    )
    .chain_id(devnet.chain_id())
    .paymaster(
        PaymasterClient::new(devnet.paymaster_url())
            .map_err(|e| format!("paymaster client: {e}"))?,
    )
    .build()
    .await
    .map_err(at("connecting the sponsored session-key client"))?;
    let balance = || async {
        chain
            .balance(owner.address())
            .await
            .map_err(|e| e.to_string())
    };
    let before_balance = balance().await?;
    let service = devnet.paymaster_service();
    let pm_count =
        || ["pm_getPaymasterStubData", "pm_getPaymasterData"].map(|m| service.request_count(m));
    let pm_before = pm_count();
    let before = sponsored.rpc_stats();
    let hash = sponsored
        .use_permission(&[counter::increment(counter)])
        .await
        .map_err(at("sponsored use"))?;
    let pm_after = pm_count();
    show(
        "paymaster requests",
        format!(
            "{} pm_getPaymasterStubData (before estimation), {} pm_getPaymasterData (before signing)",
            pm_after[0] - pm_before[0],
            pm_after[1] - pm_before[1]
        ),
    );
    receipt(&sponsored, hash, &before).await?;
    let paid_by = sponsored
        .wait_for_user_operation_receipt(hash)
        .await
        .map_err(at("receipt"))?
        .paymaster;
    show(
        "paid by",
        paid_by.map_or_else(
            || "the account (?)".to_owned(),
            |p| format!("paymaster {p}"),
        ),
    );
    let after_balance = balance().await?;
    if after_balance != before_balance {
        return Err(format!(
            "the account's balance moved from {before_balance} to {after_balance}"
        ));
    }
    show(
        "account balance",
        format!("{} ETH (unchanged)", eth(after_balance)),
    );
    show("counter", count().await?);

    step(11, "revoke the first permission");
    submit(&owner, "revoking", owner.revoke_permission(permission_id)).await?;
    show(
        "enabled on chain",
        owner
            .is_permission_enabled(permission_id)
            .await
            .map_err(at("isPermissionEnabled"))?,
    );
    Ok(())
}

/// Step 12: a second devnet (next chain id, same contracts); the owner signs ONE multichain hash
/// and a new session key enables and uses the session on both chains.
async fn multichain(devnet: &Devnet) -> Result<(), String> {
    step(
        12,
        "one owner signature, two chains: a second devnet, one ENABLE grant, a use on each chain",
    );
    let (other, took) = progress::wait(
        "starting a second devnet",
        Devnet::builder().chain_id(devnet.chain_id() + 1).start(),
    )
    .await;
    let other = other.map_err(|e| format!("starting the second devnet: {e}"))?;
    show(
        "second chain",
        format!(
            "{} ready in {:.1} s (node {})",
            other.chain_id(),
            took.as_secs_f64(),
            other.rpc_url()
        ),
    );
    let chains = [devnet, &other];
    let mut owners = Vec::new();
    for d in chains {
        let owner = NexusClient::builder(
            d.keys().owner().signer().clone(),
            d.rpc_url(),
            d.bundler_url(),
            d.deployment(),
        )
        .chain_id(d.chain_id())
        .build()
        .await
        .map_err(at("connecting the owner's client"))?;
        owners.push(owner);
    }
    let owner_b = &owners[1];
    let chain_b = Chain::of(&other).await.map_err(|e| e.to_string())?;
    chain_b
        .fund(owner_b.address(), ten_eth())
        .await
        .map_err(|e| e.to_string())?;
    submit(
        owner_b,
        "installing SmartSession on the second chain",
        owner_b.install_smart_sessions(),
    )
    .await?;

    let key = PrivateKeySigner::random();
    let counter = devnet.addresses().counter;
    let request = PermissionRequest::new(key.address())
        .action(ActionPermission::new(counter, counter::INCREMENT_NUMBER));
    let refs: Vec<&NexusClient> = owners.iter().collect();
    let data = NexusClient::grant_multichain_deferred_permission(
        &refs,
        &request,
        SmartSessionMode::Enable,
    )
    .await
    .map_err(at("the multi-chain grant"))?;
    let enable = |i: usize| {
        data[i]
            .module_data
            .enable_session_data
            .as_ref()
            .map(|e| e.enable_session.clone())
            .ok_or("no enable data")
    };
    show(
        "owner signed once",
        format!(
            "multichain hash over chains {:?} (signature {} bytes, no user operation)",
            enable(0)?
                .hashes_and_chain_ids
                .iter()
                .map(|c| c.chain_id)
                .collect::<Vec<_>>(),
            enable(0)?.permission_enable_sig.len()
        ),
    );
    for (i, (d, owner)) in chains.iter().zip(&owners).enumerate() {
        let session = SessionKeyClient::connect(
            key.clone(),
            d.rpc_url(),
            d.bundler_url(),
            d.deployment(),
            data[i].clone(),
        )
        .await
        .map_err(at("connecting the session-key client"))?;
        show(
            "chain",
            format!(
                "{}: account {}, chainDigestIndex {}",
                d.chain_id(),
                owner.address(),
                enable(i)?.chain_digest_index
            ),
        );
        let chain = Chain::of(d).await.map_err(|e| e.to_string())?;
        let before = chain
            .counter_number(counter)
            .await
            .map_err(|e| e.to_string())?;
        submit(
            &session,
            "ENABLE-and-use",
            session.use_permission(&[counter::increment(counter)]),
        )
        .await?;
        let after = chain
            .counter_number(counter)
            .await
            .map_err(|e| e.to_string())?;
        show("counter", format!("{before} -> {after}"));
    }
    match SessionKeyClient::connect(
        key,
        other.rpc_url(),
        other.bundler_url(),
        other.deployment(),
        data[0].clone(),
    )
    .await
    {
        Err(e) => show("chain A's data on B", format!("refused locally: {e}")),
        Ok(_) => return Err("chain A's session data was accepted on chain B".into()),
    }
    Ok(())
}

/// What the demo reads from either client (the owner's or a session key's) around one user
/// operation.
trait Sender {
    fn rpc_stats(&self) -> RpcStats;
    async fn wait(&self, hash: B256) -> Result<UserOperationReceipt, Error>;
}

impl Sender for NexusClient {
    fn rpc_stats(&self) -> RpcStats {
        Self::rpc_stats(self)
    }
    async fn wait(&self, hash: B256) -> Result<UserOperationReceipt, Error> {
        self.wait_for_user_operation_receipt(hash).await
    }
}

impl Sender for SessionKeyClient {
    fn rpc_stats(&self) -> RpcStats {
        Self::rpc_stats(self)
    }
    async fn wait(&self, hash: B256) -> Result<UserOperationReceipt, Error> {
        self.wait_for_user_operation_receipt(hash).await
    }
}

/// Sends one user operation through `client` (`send` is the client's call, `what` names it in an
/// error), then reports it like [`receipt`].
async fn submit(
    client: &impl Sender,
    what: &'static str,
    send: impl Future<Output = Result<B256, Error>>,
) -> Result<(), String> {
    let before = client.rpc_stats();
    let hash = send.await.map_err(at(what))?;
    receipt(client, hash, &before).await
}

/// Prints the hash and the requests `client` made since `before` (sending it), waits for the
/// receipt with progress, then prints transaction, gas and receipt polls.
async fn receipt(client: &impl Sender, hash: B256, before: &RpcStats) -> Result<(), String> {
    let sent = client.rpc_stats().since(before);
    show("userOpHash", hash);
    show(
        "JSON-RPC to send",
        format!(
            "{} (node {}, bundler {})",
            sent.total(),
            sent.node,
            sent.bundler
        ),
    );
    let polls_from = client.rpc_stats();
    let (receipt, took) = progress::wait("waiting for the receipt", client.wait(hash)).await;
    let receipt = receipt.map_err(|e| format!("user operation {hash}: {e}"))?;
    let block = receipt
        .receipt
        .block_number
        .map_or_else(|| "?".to_string(), |b| b.to_string());
    show(
        "included",
        format!(
            "tx {} in block {block} after {:.2} s",
            receipt.transaction_hash(),
            took.as_secs_f64()
        ),
    );
    show(
        "gas used",
        format!(
            "{} (cost {} ETH)",
            group(receipt.actual_gas_used),
            eth(receipt.actual_gas_cost)
        ),
    );
    show(
        "receipt polls",
        client.rpc_stats().since(&polls_from).bundler,
    );
    Ok(())
}

fn step(n: u32, title: &str) {
    println!("\n[{n}] {title}");
}

fn show(label: &str, value: impl std::fmt::Display) {
    println!("      {label:<18} {value}");
}

/// `1234567` → `1,234,567`.
fn group(v: U256) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Wei as ETH with 6 decimals.
fn eth(wei: U256) -> String {
    let micro = wei / U256::from(1_000_000_000_000u64);
    let micro = u128::try_from(micro).unwrap_or(u128::MAX);
    format!("{}.{:06}", micro / 1_000_000, micro % 1_000_000)
}

/// Context for a facade error.
fn at(what: &'static str) -> impl Fn(Error) -> String {
    move |e| format!("{what}: {e}")
}
