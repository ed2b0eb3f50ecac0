//! A session-key client process that sends many operations, for the memory benchmark
//! (`tests/benches/flow.rs` runs it as a child process and reads its peak RSS).
//!
//! ```text
//! SESSION_KEY=<hex> session_key_load <config.json>
//! ```
//!
//! `config.json`: `{"rpc_url", "bundler_url", "deployment" (nexus_sessions::Deployment JSON), "session_data"
//! (the SessionData JSON text), "counter", "ops", "in_flight"}`. The key comes from the environment so
//! it never shows in process listings. Sends `ops` × `counter.incrementNumber()` with at most
//! `in_flight` operations pending, waits for every receipt, and prints one JSON line: operations,
//! successes, seconds, JSON-RPC requests and the process's peak RSS (`VmHWM`, kB).

use e2e::{counter, vm_hwm_kb};
use nexus_sessions::{Deployment, PrivateKeySigner, SessionKeyClient, sessions::SessionData};
use serde_json::{Value, json};
use std::{process::ExitCode, sync::Arc, time::Instant};
use tokio::task::JoinSet;

fn field<'a>(config: &'a Value, key: &str) -> Result<&'a Value, String> {
    config
        .get(key)
        .ok_or_else(|| format!("config: missing `{key}`"))
}

fn text<'a>(config: &'a Value, key: &str) -> Result<&'a str, String> {
    field(config, key)?
        .as_str()
        .ok_or_else(|| format!("config: `{key}` must be a string"))
}

fn number(config: &Value, key: &str) -> Result<usize, String> {
    field(config, key)?
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("config: `{key}` must be a non-negative integer"))
}

async fn run(config: Value, key: PrivateKeySigner) -> Result<Value, String> {
    let deployment: Deployment = serde_json::from_value(field(&config, "deployment")?.clone())
        .map_err(|e| format!("config: `deployment`: {e}"))?;
    let data = SessionData::from_json(text(&config, "session_data")?)
        .map_err(|e| format!("config: `session_data`: {e}"))?;
    let target = text(&config, "counter")?
        .parse()
        .map_err(|e| format!("config: `counter`: {e}"))?;
    let ops = number(&config, "ops")?;
    let in_flight = number(&config, "in_flight")?.max(1);

    let client = SessionKeyClient::connect(
        key,
        text(&config, "rpc_url")?,
        text(&config, "bundler_url")?,
        deployment,
        data,
    )
    .await
    .map_err(|e| format!("connect: {e}"))?;
    let client = Arc::new(client);
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    let (mut sent, mut ok, mut failures) = (0usize, 0usize, Vec::new());
    while sent < ops || !tasks.is_empty() {
        while sent < ops && tasks.len() < in_flight {
            let client = Arc::clone(&client);
            tasks.spawn(async move {
                let hash = client.use_permission(&[counter::increment(target)]).await?;
                client.wait_for_user_operation_receipt(hash).await
            });
            sent += 1;
        }
        match tasks.join_next().await {
            Some(Ok(Ok(_))) => ok += 1,
            Some(Ok(Err(e))) => failures.push(e.to_string()),
            Some(Err(e)) => failures.push(format!("task: {e}")),
            None => {}
        }
    }
    let stats = client.rpc_stats();
    failures.truncate(3);
    Ok(json!({
        "ops": ops,
        "ok": ok,
        "seconds": started.elapsed().as_secs_f64(),
        "node_requests": stats.node,
        "bundler_requests": stats.bundler,
        "vm_hwm_kb": vm_hwm_kb(None),
        "first_failures": failures,
    }))
}

fn main() -> ExitCode {
    let result = (|| {
        let path = std::env::args()
            .nth(1)
            .ok_or("usage: SESSION_KEY=<hex> session_key_load <config.json>")?;
        let config: Value = serde_json::from_str(
            &std::fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))?,
        )
        .map_err(|e| format!("{path}: {e}"))?;
        let key: PrivateKeySigner = std::env::var("SESSION_KEY")
            .map_err(|_| "SESSION_KEY is not set".to_string())?
            .trim()
            .parse()
            .map_err(|_| "SESSION_KEY is not a hex private key".to_string())?;
        // One thread: the client is I/O-bound, and a lean runtime is what a small service would use.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("runtime: {e}"))?;
        runtime.block_on(run(config, key))
    })();
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("session_key_load: {e}");
            ExitCode::FAILURE
        }
    }
}
