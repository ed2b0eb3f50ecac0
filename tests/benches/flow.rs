//! The facade's figures on a real devnet (anvil + alto), printed as medians:
//!
//! 1. JSON-RPC round trips of one `grant_permission` and of one warm `use_permission` (the
//!    facade's request counters; the reference SDK makes 5 per `usePermission`);
//! 2. wall time from `use_permission` to the receipt, against the bundler's own inclusion time:
//!    from the same start to the moment the block holding the operation appears (a side task polls
//!    `eth_blockNumber` every 10 ms);
//! 3. local CPU time (this thread's on-CPU time, so other load on the machine does not count) to
//!    build, hash and sign one USE operation without the network:
//!    `SessionKeyClient::prepare_user_operation` — local policy check, `execute` calldata, nonce
//!    lane, stub and final SmartSession signature, userOpHash, EIP-191 signature;
//! 4. peak memory (VmHWM) of a separate session-key client process (`session_key_load`) sending
//!    1,000 operations (anvil and alto not counted).
//!
//! `cargo bench -p e2e --bench flow` (`-- cpu latency memory gas concurrent accounts` picks parts).
//! Under `cargo test` (no `--bench` argument) every part runs once with small counts, as a check
//! that the benchmark still works.

use alloy_primitives::{Address, B256};
use e2e::{Owner, counter, vm_hwm_kb};
use nexus_sessions::{
    ActionPermission, Deployment, GasConfig, GrantPermissionResponse, NexusClient, NonceStrategy,
    PermissionRequest, PrivateKeySigner, RpcStats, SendOptions, SessionKeyClient,
    UserOperationReceipt,
    sessions::{ModuleVersion, SessionData},
};
use nexus_sessions_devnet::Devnet;
use std::{
    collections::HashMap,
    io::Read,
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

struct Sizes {
    gas_rounds: usize,
    concurrent: usize,
    accounts: usize,
    ops_per_account: usize,
    grants: usize,
    warm_uses: usize,
    cpu_batches: usize,
    cpu_batch: usize,
    load_ops: usize,
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let sizes = if benchmarking {
        Sizes {
            gas_rounds: 11,
            concurrent: 200,
            accounts: 4,
            ops_per_account: 50,
            grants: 9,
            warm_uses: 21,
            cpu_batches: 31,
            cpu_batch: 1000,
            load_ops: 1000,
        }
    } else {
        Sizes {
            gas_rounds: 2,
            concurrent: 8,
            accounts: 2,
            ops_per_account: 3,
            grants: 1,
            warm_uses: 2,
            cpu_batches: 3,
            cpu_batch: 5,
            load_ops: 10,
        }
    };
    // `cargo bench -p e2e --bench flow -- cpu gas` runs only the parts named (all by default).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let part = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    if part("cpu") {
        cpu(&sizes);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let devnet = Devnet::start().await.expect("devnet");
        if part("latency") {
            round_trips_and_latency(&devnet, &sizes).await;
        }
        if part("memory") {
            memory(&devnet, &sizes).await;
        }
        if part("gas") {
            gas(&devnet, &sizes).await;
        }
        if part("concurrent") {
            concurrent(&devnet, &sizes).await;
        }
        if part("accounts") {
            accounts(&devnet, &sizes).await;
        }
    });
}

fn median<T: Copy + Ord>(values: &mut [T]) -> T {
    values.sort_unstable();
    values[values.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// A session-key client for a one-action session on the public deployment of `version` and a
/// made-up account, built without any request (account address and chain id given, nothing
/// listens on the endpoints), as an offline signer would hold it.
async fn offline_session_client(
    version: ModuleVersion,
    key: impl alloy_signer::Signer + Send + Sync + 'static,
    target: Address,
) -> SessionKeyClient {
    let deployment = match version {
        ModuleVersion::PreV1 => Deployment::nexus_1_0_smart_session_pre_v1(),
        _ => Deployment::nexus_1_0_smart_session_v1(),
    };
    assert_eq!(deployment.module_version, version);
    let nowhere = "http://127.0.0.1:9";
    let owner = NexusClient::builder(PrivateKeySigner::random(), nowhere, nowhere, deployment)
        .account_address(Address::repeat_byte(0x11))
        .chain_id(31337)
        .build()
        .await
        .expect("offline owner client");
    let request = PermissionRequest::new(key.address())
        .action(ActionPermission::new(target, counter::INCREMENT_NUMBER));
    let (sessions, action) = owner.prepare_permission(&[request]).expect("session");
    let grant = GrantPermissionResponse::new(B256::ZERO, sessions, action, false);
    let data = owner.session_data(&grant, 0).expect("session data");
    owner
        .session_client(key, data)
        .await
        .expect("offline session client")
}

/// The session key's signing backend.
#[derive(Clone, Copy, Debug)]
enum Backend {
    /// `PrivateKeySigner` (pure-Rust k256, the default).
    K256,
    /// `Secp256k1Signer` (libsecp256k1; nexus feature `secp256k1`).
    Secp256k1,
}

fn cpu(sizes: &Sizes) {
    // One thread: the futures make no request, so block_on runs them to completion on this
    // thread and its CPU clock sees all the work.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime");
    let target = Address::repeat_byte(0x44);
    let call = counter::increment(target);
    let opts = SendOptions::default()
        .with_fees(2_000_000_000, 1_000_000_000)
        .with_gas(60_000, 200_000, 60_000);
    let cases = [
        (ModuleVersion::PreV1, Backend::K256),
        (ModuleVersion::V1, Backend::K256),
        (ModuleVersion::PreV1, Backend::Secp256k1),
        (ModuleVersion::V1, Backend::Secp256k1),
    ];
    for (version, backend) in cases {
        let key = PrivateKeySigner::random();
        let session = runtime.block_on(async {
            match backend {
                Backend::K256 => offline_session_client(version, key, target).await,
                Backend::Secp256k1 => {
                    offline_session_client(version, key.into_secp256k1(), target).await
                }
            }
        });
        let (mut wall, mut on_cpu) = (Vec::new(), Vec::new());
        for _ in 0..sizes.cpu_batches {
            let (started, cpu_before) = (Instant::now(), thread_cpu_ns());
            runtime.block_on(async {
                for _ in 0..sizes.cpu_batch {
                    let calls = std::hint::black_box(std::slice::from_ref(&call));
                    let op = session.prepare_user_operation(calls, &opts).await;
                    std::hint::black_box(op.expect("prepared offline"));
                }
            });
            wall.push(started.elapsed() / sizes.cpu_batch as u32);
            if let (Some(a), Some(b)) = (cpu_before, thread_cpu_ns())
                && b > a
            {
                on_cpu.push((b - a) / sizes.cpu_batch as u64);
            }
        }
        assert_eq!(session.rpc_stats().total(), 0, "no request made");
        let cpu = if on_cpu.is_empty() {
            "n/a".to_string()
        } else {
            format!("{:.1} µs", median(&mut on_cpu) as f64 / 1e3)
        };
        println!(
            "cpu: build + hash + sign one USE operation offline ({version}, {backend:?} signer, prepare_user_operation): median CPU time {cpu}, wall {:.1} µs (target <= 40 µs with the fast backend; {} batches of {})",
            median(&mut wall).as_secs_f64() * 1e6,
            sizes.cpu_batches,
            sizes.cpu_batch
        );
    }
}

/// Time this thread has spent on a CPU, in ns (`CLOCK_THREAD_CPUTIME_ID`): unlike wall time it does
/// not grow when other processes share the cores.
fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

/// Records when each block number is first seen, polling every 10 ms.
fn watch_blocks(
    rpc_url: String,
) -> (
    Arc<Mutex<HashMap<u64, Instant>>>,
    tokio::task::JoinHandle<()>,
) {
    let seen = Arc::new(Mutex::new(HashMap::new()));
    let out = Arc::clone(&seen);
    let task = tokio::spawn(async move {
        use alloy_provider::Provider;
        let node = alloy_provider::ProviderBuilder::new()
            .disable_recommended_fillers()
            .connect(&rpc_url)
            .await
            .expect("node");
        loop {
            if let Ok(n) = node.get_block_number().await {
                out.lock().unwrap().entry(n).or_insert_with(Instant::now);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    (seen, task)
}

/// How long after `started` the block holding `receipt` appeared, as [`watch_blocks`] saw it.
async fn included_after(
    blocks: &Mutex<HashMap<u64, Instant>>,
    receipt: &UserOperationReceipt,
    started: Instant,
) -> Duration {
    let block = receipt.receipt.block_number.expect("receipt has a block");
    // The poller may see the block a few ms after the receipt call returned; wait for it.
    let seen = loop {
        if let Some(at) = blocks.lock().unwrap().get(&block) {
            break *at;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    seen.saturating_duration_since(started)
}

/// `done` as a percentage of `included` (at least 1 ms).
fn ratio_percent(done: Duration, included: Duration) -> u64 {
    (done.as_secs_f64() / included.as_secs_f64().max(1e-3) * 100.0) as u64
}

async fn round_trips_and_latency(devnet: &Devnet, sizes: &Sizes) {
    // grant_permission on a deployed account with SmartSession installed (as a dapp would grant).
    let mut grant_rpc: Vec<RpcStats> = Vec::new();
    let mut last = None;
    for _ in 0..sizes.grants {
        let owner = Owner::new(devnet).await.expect("owner");
        let key = PrivateKeySigner::random();
        let request = PermissionRequest::new(key.address()).action(ActionPermission::new(
            owner.counter,
            counter::INCREMENT_NUMBER,
        ));
        let before = owner.client.rpc_stats();
        let grant = owner
            .client
            .grant_permission(&[request])
            .await
            .expect("grant");
        grant_rpc.push(owner.client.rpc_stats().since(&before));
        owner
            .client
            .wait_for_user_operation_receipt(grant.user_op_hash)
            .await
            .expect("grant included");
        last = Some((owner, key, grant));
    }
    let mut totals: Vec<u64> = grant_rpc.iter().map(RpcStats::total).collect();
    let sample = grant_rpc[0];
    println!(
        "round trips: grant_permission: median {} (target <= 3; first sample: node {}, bundler {}; {} samples)",
        median(&mut totals),
        sample.node,
        sample.bundler,
        grant_rpc.len()
    );

    let (owner, key, grant) = last.expect("at least one grant");
    let json = owner.client.session_data(&grant, 0).unwrap().to_json();
    let session = owner
        .session_client(devnet, key, &json, true)
        .await
        .expect("session client");
    let (blocks, watcher) = watch_blocks(devnet.rpc_url().to_owned());

    let before = session.rpc_stats();
    let hash = session
        .use_permission(&[counter::increment(owner.counter)])
        .await
        .expect("first use");
    let cold = session.rpc_stats().since(&before);
    session.wait_for_user_operation_receipt(hash).await.unwrap();
    println!(
        "round trips: first use_permission: {} (node {}, bundler {})",
        cold.total(),
        cold.node,
        cold.bundler
    );

    let (mut warm, mut wall, mut inclusion, mut ratio) = (vec![], vec![], vec![], vec![]);
    for _ in 0..sizes.warm_uses {
        let before = session.rpc_stats();
        let started = Instant::now();
        let hash = session
            .use_permission(&[counter::increment(owner.counter)])
            .await
            .expect("warm use");
        warm.push(session.rpc_stats().since(&before).total());
        let receipt = session.wait_for_user_operation_receipt(hash).await.unwrap();
        let done = started.elapsed();
        let included = included_after(&blocks, &receipt, started).await;
        wall.push(done);
        inclusion.push(included);
        ratio.push(ratio_percent(done, included));
    }
    // The same with receipt polling every 20 ms throughout, to show what the facade's default
    // schedule (50 ms for 3 s, then doubling to 1 s) costs against the fastest practical one.
    let fast = nexus_sessions_bundler::BundlerClient::builder(devnet.bundler_url())
        .receipt_polling(nexus_sessions::ReceiptPolling::fixed(
            Duration::from_millis(20),
        ))
        .build()
        .expect("bundler client");
    let (mut fast_wall, mut fast_ratio) = (vec![], vec![]);
    for _ in 0..sizes.warm_uses {
        let started = Instant::now();
        let hash = session
            .use_permission(&[counter::increment(owner.counter)])
            .await
            .expect("warm use");
        let receipt = fast
            .wait_for_receipt(hash, Duration::from_secs(30))
            .await
            .expect("receipt");
        let done = started.elapsed();
        let included = included_after(&blocks, &receipt, started).await;
        fast_wall.push(done);
        fast_ratio.push(ratio_percent(done, included));
    }
    watcher.abort();
    println!(
        "round trips: warm use_permission: median {} (target <= 2; reference SDK: 5; {} samples)",
        median(&mut warm),
        warm.len()
    );
    println!(
        "latency: use_permission -> receipt: median {}; bundler inclusion (send -> block seen): median {}; ratio median {:.2}x (target <= 1.5x)",
        ms(median(&mut wall)),
        ms(median(&mut inclusion)),
        median(&mut ratio) as f64 / 100.0
    );
    println!(
        "latency: same with receipt polling every 20 ms (ReceiptPolling::fixed): median {}; ratio median {:.2}x",
        ms(median(&mut fast_wall)),
        median(&mut fast_ratio) as f64 / 100.0
    );
}

async fn memory(devnet: &Devnet, sizes: &Sizes) {
    let owner = Owner::new(devnet).await.expect("owner");
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address()).action(ActionPermission::new(
        owner.counter,
        counter::INCREMENT_NUMBER,
    ));
    let session_data = owner.grant(request).await.unwrap();
    let config = serde_json::json!({
        "rpc_url": devnet.rpc_url(),
        "bundler_url": devnet.bundler_url(),
        "deployment": devnet.deployment(),
        "session_data": session_data,
        "counter": owner.counter,
        "ops": sizes.load_ops,
        "in_flight": 8,
    });
    let path = devnet.log_dir().join("session_key_load.json");
    std::fs::write(&path, config.to_string()).expect("config written");
    let key_hex = alloy_primitives::hex::encode(key.to_bytes());
    let mut child = Command::new(env!("CARGO_BIN_EXE_session_key_load"))
        .arg(&path)
        .env("SESSION_KEY", key_hex)
        .stdout(Stdio::piped())
        .spawn()
        .expect("session_key_load starts");
    let pid = child.id();
    let mut polled = 0;
    let status = loop {
        if let Some(kb) = vm_hwm_kb(Some(pid)) {
            polled = polled.max(kb);
        }
        if let Some(status) = child.try_wait().expect("child status") {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .unwrap();
    assert!(status.success(), "session_key_load failed: {status} {out}");
    let report: serde_json::Value = serde_json::from_str(out.trim()).expect("report JSON");
    assert_eq!(
        report["ok"], report["ops"],
        "every operation included: {report}"
    );
    assert_eq!(
        owner.count().await.unwrap(),
        sizes.load_ops as u64,
        "the counter saw every operation"
    );
    let own = report["vm_hwm_kb"].as_u64().unwrap_or(polled);
    println!(
        "memory: session-key client process, {} operations ({} in flight): peak RSS (VmHWM) {:.1} MB (target <= 30 MB; polled from /proc: {:.1} MB); {:.1} s, {:.0} ops/s, {} node + {} bundler requests",
        sizes.load_ops,
        8,
        own as f64 / 1024.0,
        polled as f64 / 1024.0,
        report["seconds"].as_f64().unwrap_or(0.0),
        sizes.load_ops as f64 / report["seconds"].as_f64().unwrap_or(1.0),
        report["node_requests"],
        report["bundler_requests"],
    );
}

/// An owner with a granted `incrementNumber()` session and a session-key client for it.
async fn granted(
    devnet: &Devnet,
    nonces: NonceStrategy,
    gas: GasConfig,
) -> (Owner, PrivateKeySigner, String, SessionKeyClient) {
    let owner = Owner::new(devnet).await.expect("owner");
    let key = PrivateKeySigner::random();
    let request = PermissionRequest::new(key.address()).action(ActionPermission::new(
        owner.counter,
        counter::INCREMENT_NUMBER,
    ));
    let json = owner.grant(request).await.expect("grant");
    let session = session_client(devnet, key.clone(), &json, nonces, gas).await;
    (owner, key, json, session)
}

async fn session_client(
    devnet: &Devnet,
    key: PrivateKeySigner,
    json: &str,
    nonces: NonceStrategy,
    gas: GasConfig,
) -> SessionKeyClient {
    SessionKeyClient::builder(
        key,
        devnet.rpc_url(),
        devnet.bundler_url(),
        devnet.deployment(),
        SessionData::from_json(json).expect("session data"),
    )
    .chain_id(devnet.chain_id())
    .nonce_strategy(nonces)
    .gas_config(gas)
    .build()
    .await
    .expect("session client")
}

/// One warm USE per client, alternately, on one account: gas charged (`actualGasUsed`, which in
/// EntryPoint v0.7 includes 10% of the unused call gas) against the limits sent, for nonce lanes
/// and fresh keys (the same operation: same estimate, fees and calldata; only the nonce differs)
/// and for lanes with 0% margins on the estimate.
async fn gas(devnet: &Devnet, sizes: &Sizes) {
    let (owner, key, json, warm_up) =
        granted(devnet, NonceStrategy::FreshKeys, GasConfig::default()).await;
    // The Counter's first increment writes a new slot; estimates made then would carry that
    // 17k of call gas into every later operation of the shape. Start from a used slot.
    let hash = warm_up
        .use_permission(&[counter::increment(owner.counter)])
        .await
        .expect("warm-up");
    warm_up
        .wait_for_user_operation_receipt(hash)
        .await
        .expect("warm-up landed");
    let tight = GasConfig::default().with_margins(0, 0, 0);
    let tight = session_client(devnet, key.clone(), &json, NonceStrategy::lanes(1), tight).await;
    let lanes = session_client(
        devnet,
        key.clone(),
        &json,
        NonceStrategy::lanes(1),
        GasConfig::default(),
    )
    .await;
    let fresh = session_client(
        devnet,
        key,
        &json,
        NonceStrategy::FreshKeys,
        GasConfig::default(),
    )
    .await;
    let bundler =
        nexus_sessions_bundler::BundlerClient::new(devnet.bundler_url()).expect("bundler");
    let clients = [
        ("lanes", &lanes),
        ("fresh keys", &fresh),
        ("lanes, 0% margins", &tight),
    ];
    let mut charged = vec![Vec::new(); clients.len()];
    let mut limits = vec![Vec::new(); clients.len()];
    for round in 0..=sizes.gas_rounds {
        for (i, (_, client)) in clients.iter().enumerate() {
            let hash = client
                .use_permission(&[counter::increment(owner.counter)])
                .await
                .expect("use");
            let receipt = client
                .wait_for_user_operation_receipt(hash)
                .await
                .expect("landed");
            // round 0 is each client's first operation (its estimate, a lane's first use)
            if round == 0 {
                continue;
            }
            let op = bundler
                .get_user_operation_by_hash(hash)
                .await
                .expect("op")
                .expect("op known")
                .user_operation;
            charged[i].push(receipt.actual_gas_used.to::<u64>());
            limits[i].push((
                op.call_gas_limit as u64,
                op.verification_gas_limit as u64,
                op.pre_verification_gas.to::<u64>(),
            ));
        }
    }
    let mut saved: Vec<i64> = charged[1]
        .iter()
        .zip(&charged[0])
        .map(|(f, l)| *f as i64 - *l as i64)
        .collect();
    let mut medians = Vec::new();
    for (i, (name, _)) in clients.iter().enumerate() {
        let column = |f: fn(&(u64, u64, u64)) -> u64| {
            let mut v: Vec<u64> = limits[i].iter().map(f).collect();
            median(&mut v)
        };
        let (call, ver, pvg) = (column(|l| l.0), column(|l| l.1), column(|l| l.2));
        let used = median(&mut charged[i]);
        medians.push((call, used));
        println!(
            "gas: warm USE ({name}): charged (actualGasUsed) median {used}; limits: call {call} + verification {ver} + preVerification {pvg} = {} ({:.2}x charged); {} samples",
            call + ver + pvg,
            (call + ver + pvg) as f64 / used as f64,
            charged[i].len()
        );
    }
    let (margin_call, margin_used) = medians[0];
    let (tight_call, tight_used) = medians[2];
    println!(
        "gas: the default margins cost {} gas per operation against none ({} more call gas sent, 10% of it charged when unused; preVerificationGas is charged in full; unused verification gas is not charged)",
        margin_used as i64 - tight_used as i64,
        margin_call as i64 - tight_call as i64,
    );
    println!(
        "gas: lanes save median {} gas per warm USE against fresh keys (target >= 15,000; same operation, same run)",
        median(&mut saved)
    );
}

/// `sizes.concurrent` `use_permission` calls at once from one new client: wall time until all
/// are sent and until all landed, requests per cold read, exactly-once.
async fn concurrent(devnet: &Devnet, sizes: &Sizes) {
    let (owner, _, _, session) =
        granted(devnet, NonceStrategy::default(), GasConfig::default()).await;
    let session = Arc::new(session);
    let before = owner.count().await.expect("count");
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..sizes.concurrent {
        let (session, target) = (Arc::clone(&session), owner.counter);
        tasks.spawn(async move { session.use_permission(&[counter::increment(target)]).await });
    }
    let hashes: Vec<B256> = tasks
        .join_all()
        .await
        .into_iter()
        .map(|r| r.expect("sent"))
        .collect();
    let sent = started.elapsed();
    let (node, bundler) = (
        session.node_request_counts(),
        session.bundler_request_counts(),
    );
    let distinct: std::collections::HashSet<_> = hashes.iter().collect();
    assert_eq!(distinct.len(), hashes.len());
    for hash in &hashes {
        assert!(
            session
                .wait_for_user_operation_receipt(*hash)
                .await
                .expect("landed")
                .success
        );
    }
    let landed = started.elapsed();
    assert_eq!(
        owner.count().await.expect("count") - before,
        sizes.concurrent as u64,
        "exactly once"
    );
    println!(
        "concurrent: {} use_permission at once from one new client: all sent in {}, all landed in {} (each exactly once); cold reads: eth_getCode {}, isPermissionEnabled {}, gas price {}, estimate {}; sends {}; node total {}, bundler total {} (before the receipt waits)",
        sizes.concurrent,
        ms(sent),
        ms(landed),
        node.get("eth_getCode"),
        node.get("eth_call:isPermissionEnabled"),
        bundler.get("pimlico_getUserOperationGasPrice"),
        bundler.get("eth_estimateUserOperationGas"),
        bundler.get("eth_sendUserOperation"),
        node.total,
        bundler.total,
    );
}

/// Operations per second from one process driving several accounts at once, and what bounds it:
/// how fast the bundler accepts operations (`eth_sendUserOperation` validates each one) and how
/// many it puts per bundle, against this process's CPU time per operation.
async fn accounts(devnet: &Devnet, sizes: &Sizes) {
    let mut sessions = Vec::new();
    for _ in 0..sizes.accounts {
        let (owner, _, _, session) =
            granted(devnet, NonceStrategy::default(), GasConfig::default()).await;
        sessions.push((owner, Arc::new(session)));
    }
    let (started, cpu_before) = (Instant::now(), process_cpu_ns());
    let mut tasks = tokio::task::JoinSet::new();
    for (owner, session) in &sessions {
        for _ in 0..sizes.ops_per_account {
            let (session, target) = (Arc::clone(session), owner.counter);
            tasks.spawn(async move {
                let hash = session.use_permission(&[counter::increment(target)]).await;
                (session, hash)
            });
        }
    }
    let sent: Vec<_> = tasks.join_all().await;
    let (sent_after, cpu_sent) = (started.elapsed(), process_cpu_ns());
    let mut receipts = Vec::new();
    for (session, hash) in sent {
        let hash = hash.expect("sent");
        receipts.push(
            session
                .wait_for_user_operation_receipt(hash)
                .await
                .expect("landed"),
        );
    }
    let elapsed = started.elapsed();
    let cpu = cpu_sent.zip(cpu_before).map(|(b, a)| b.saturating_sub(a));
    let ops = receipts.len();
    let bundles: std::collections::HashSet<_> =
        receipts.iter().map(|r| r.transaction_hash()).collect();
    println!(
        "accounts: {} accounts x {} operations from one process, all at once: {:.0} ops/s landed ({} in {}); sending alone {:.0} ops/s ({}); {} bundles ({:.1} ops per bundle); this process's CPU {} per operation sent",
        sizes.accounts,
        sizes.ops_per_account,
        ops as f64 / elapsed.as_secs_f64(),
        ops,
        ms(elapsed),
        ops as f64 / sent_after.as_secs_f64(),
        ms(sent_after),
        bundles.len(),
        ops as f64 / bundles.len() as f64,
        cpu.map_or("n/a".into(), |ns| format!(
            "{:.0} µs",
            ns as f64 / 1e3 / ops as f64
        )),
    );
}

/// This process's CPU time (all threads), in ns.
fn process_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}
