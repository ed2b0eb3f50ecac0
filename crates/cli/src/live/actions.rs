//! What the live commands do, over `nexus_sessions::NexusClient` (owner side) and `nexus_sessions::SessionKeyClient`
//! (session-key side). Progress lines go to stderr; the result to stdout.

use std::{future::Future, time::Instant};

use alloy_primitives::{Address, B256, Bytes};
use alloy_signer_local::PrivateKeySigner;
use nexus_sessions::{
    AccountInit, ActionPermission, Call, ModuleType, NexusClient, NexusClientBuilder,
    PermissionRequest, SendOutcome, SessionKeyClient, UserOperation,
};
use nexus_sessions_bundler::RedactedUrl;
use nexus_sessions_types::{
    PermissionId, Session, SessionAction, SessionData, SessionDetail, SessionSignatureStyle,
    SmartSessionMode, UsePermissionModuleData,
};
use serde_json::{Value, json};

use super::{
    AccountArgs, GrantArgs, OwnerArgs, PermissionArgs, ResolveArgs, RevokeArgs, StatusArgs,
    UseArgs,
    endpoints::{self, Target},
    keys,
};
use crate::{
    cli::Endpoints,
    commands::ids::parse_selector,
    error::{CliError, Location, Result},
    input,
    output::{self, hex0x},
    session_json,
};

/// Runs an async command on a small current-thread runtime.
pub(crate) fn run(fut: impl Future<Output = Result<()>>) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(fut)
}

pub(super) fn progress(message: &str) {
    eprintln!("nexus-sessions: {message}");
}

pub(super) fn runtime(what: &str) -> impl Fn(nexus_sessions::Error) -> CliError + '_ {
    move |e| CliError::Runtime(format!("{what}: {e}"))
}

/// For the errors of sending a user operation and waiting for it: an outcome that is unknown (the
/// operation may still land) prints the userOpHash, the signed operation and the command that
/// settles it on stdout and becomes exit code 3; everything else means nothing landed (exit 1).
fn sent<'a>(
    endpoints: &'a Endpoints,
    what: &'a str,
) -> impl Fn(nexus_sessions::Error) -> CliError + 'a {
    move |e| match e.outcome() {
        SendOutcome::Unknown { user_op_hash } => {
            let hash = e.unknown_outcome().map_or(user_op_hash, |(h, _)| h);
            print_unknown(endpoints, hash, e.unknown_outcome().map(|(_, op)| op));
            CliError::Unknown(format!(
                "{what}: outcome unknown for user operation {} (it may still land; run `nexus-sessions resolve` as printed, never repeat the command): {e}",
                hex0x(hash)
            ))
        }
        SendOutcome::NotSent | SendOutcome::Landed { .. } => runtime(what)(e),
    }
}

/// The `resolve` command line that settles an unknown outcome.
fn resolve_command(hash: B256, with_op: bool) -> String {
    if with_op {
        "nexus-sessions resolve --user-operation FILE (this command's --json output, or the          `user operation` JSON above) with the same --deployment / --bundler-url"
            .to_owned()
    } else {
        format!(
            "nexus-sessions resolve --user-op-hash {} with the same --deployment / --bundler-url",
            hex0x(hash)
        )
    }
}

fn print_unknown(endpoints: &Endpoints, hash: B256, op: Option<&UserOperation>) {
    let resolve = resolve_command(hash, op.is_some());
    let op_json = op.map(|op| serde_json::to_value(op).unwrap_or(Value::Null));
    let mut value = json!({
        "outcome": "unknown",
        "userOpHash": hex0x(hash),
        "resolve": resolve,
    });
    let mut text = vec![
        (
            "outcome",
            "unknown (the operation may still land)".to_owned(),
        ),
        ("userOp hash", hex0x(hash)),
        ("resolve", resolve),
    ];
    if let Some(op) = op_json {
        text.push(("user operation", op.to_string()));
        value["userOperation"] = op;
    }
    print(endpoints, &value, &text);
}

pub(super) fn signer(key: B256, loc: &str) -> Result<PrivateKeySigner> {
    PrivateKeySigner::from_bytes(&key)
        .map_err(|_| Location::new(loc.to_owned()).error("not a valid secp256k1 private key"))
}

fn index(s: &str) -> Result<u64> {
    input::u64_str(s, &Location::new("--account-index"))
}

/// A throwaway signer for read-only clients: it never signs anything.
fn read_only_signer() -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::with_last_byte(1)).expect("1 is a valid secp256k1 key")
}

/// Checks that the node serves the chain the deployment file names.
async fn check_chain(target: &Target, client_chain: u64) -> Result<()> {
    match target.chain_id {
        Some(expected) if expected != client_chain => Err(CliError::Runtime(format!(
            "the node at {} is chain {client_chain}, but the deployment file is for chain {expected}",
            RedactedUrl(&target.rpc_url)
        ))),
        _ => Ok(()),
    }
}

/// An owner-client builder for `signer` on the target's node, bundler and deployment.
pub(super) fn client_builder(target: &Target, signer: PrivateKeySigner) -> NexusClientBuilder {
    NexusClient::builder(
        signer,
        target.rpc_url.clone(),
        target.bundler_url.clone(),
        target.deployment.clone(),
    )
}

/// Builds the client, then checks its chain against the deployment file.
pub(super) async fn connect(target: &Target, builder: NexusClientBuilder) -> Result<NexusClient> {
    let client = builder.build().await.map_err(runtime("connecting"))?;
    check_chain(target, client.chain_id()).await?;
    Ok(client)
}

/// A read-only owner client for `account` (address, or owner + index).
async fn read_client(target: &Target, account: &AccountArgs) -> Result<NexusClient> {
    let d = &target.deployment;
    let mut builder =
        client_builder(target, read_only_signer()).index(index(&account.account_index)?);
    match (&account.account, &account.owner) {
        (Some(a), _) => {
            builder = builder.account_address(input::address(a, &Location::new("--account"))?)
        }
        (None, Some(o)) => {
            let owner = input::address(o, &Location::new("--owner"))?;
            builder = builder.account_init(AccountInit::for_owner(d, owner));
        }
        (None, None) => {
            return Err(Location::new("--account").error("pass --account ADDR or --owner ADDR"));
        }
    }
    connect(target, builder).await
}

/// An owner client signing with the key from `--key-file` / `--key-env`.
async fn owner_client(target: &Target, owner: &OwnerArgs) -> Result<NexusClient> {
    let signer = signer(keys::read_key(&owner.key, "owner")?, "owner key")?;
    let builder = client_builder(target, signer).index(index(&owner.account_index)?);
    let builder = if owner.eip7702 {
        builder.eip7702()
    } else {
        builder
    };
    connect(target, builder).await
}

/// The permission named by `--permission-id`, `--session` or `--session-data`.
struct Permission {
    id: PermissionId,
    session: Option<Session>,
    data: Option<SessionData>,
    /// `data` came from abstractjs's session JSON, which does not name the account: its granter
    /// is a placeholder until `--account` / `--owner` names it.
    granter_unknown: bool,
}

fn permission(args: &PermissionArgs, target: &Target) -> Result<Option<Permission>> {
    if let Some(pid) = &args.permission_id {
        let id = input::hex_b256(pid, &Location::new("--permission-id"))?;
        return Ok(Some(Permission {
            id: PermissionId(id),
            session: None,
            data: None,
            granter_unknown: false,
        }));
    }
    if let Some(path) = &args.session {
        let (session, loc) = session_json::read("--session", path)?;
        let session = session_json::bind(session, target.deployment.module_version, &loc)?;
        return Ok(Some(Permission {
            id: session.permission_id(),
            session: Some(session),
            data: None,
            granter_unknown: false,
        }));
    }
    if let Some(path) = &args.session_data {
        let text = input::read_source("--session-data", path)?;
        let loc = Location::new(format!("--session-data file `{path}`"));
        // abstractjs 1.x persists an array of grants (no account); the reference SDKs' SessionData
        // is an object.
        let granter_unknown = text.trim_start().starts_with('[');
        let data = if granter_unknown {
            let details = SessionDetail::parse_list(&text).map_err(|e| loc.lib_error(e))?;
            let [detail] = details.as_slice() else {
                return Err(loc.error(format!(
                    "the abstractjs session JSON holds {} sessions; this command uses one",
                    details.len()
                )));
            };
            let d = &target.deployment;
            detail
                .to_session_data(Address::ZERO, d.smart_session, d.module_version)
                .map_err(|e| loc.error(e.to_string()))?
        } else {
            SessionData::from_json(&text).map_err(|e| loc.lib_error(e))?
        };
        let id = data
            .module_data
            .active_permission_id()
            .ok_or_else(|| loc.error("the session data lists no permission id"))?;
        let session = data
            .module_data
            .sessions
            .as_ref()
            .and_then(|s| s.iter().find(|s| s.permission_id() == id))
            .cloned();
        return Ok(Some(Permission {
            id,
            session,
            data: Some(data),
            granter_unknown,
        }));
    }
    Ok(None)
}

fn required_permission(args: &PermissionArgs, target: &Target) -> Result<Permission> {
    permission(args, target)?.ok_or_else(|| {
        Location::new("--permission-id").error(
            "name the permission: --permission-id HEX, --session FILE or --session-data FILE",
        )
    })
}

/// Prints what an operation did: the account, the permission, the userOp and its transaction;
/// `session` (the granted session's JSON) joins the JSON output last.
fn print_sent(
    endpoints: &Endpoints,
    account: Address,
    permission_id: PermissionId,
    (hash, tx): (B256, B256),
    session: Option<Value>,
) {
    let mut value = json!({
        "account": hex0x(account),
        "permissionId": hex0x(permission_id.0),
        "userOpHash": hex0x(hash),
        "transactionHash": hex0x(tx),
    });
    if let Some(session) = session {
        value["session"] = session;
    }
    print(
        endpoints,
        &value,
        &[
            ("account", hex0x(account)),
            ("permission id", hex0x(permission_id.0)),
            ("userOp hash", hex0x(hash)),
            ("transaction", hex0x(tx)),
        ],
    );
}

pub(super) fn print(endpoints: &Endpoints, value: &Value, text: &[(&str, String)]) {
    if endpoints.json {
        output::json(value);
    } else {
        let width = text.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in text {
            output::line(&format!("{k:width$}  {v}"));
        }
    }
}

/// `status`.
pub(super) async fn status(a: StatusArgs) -> Result<()> {
    let target = endpoints::resolve(&a.endpoints)?;
    let perm = permission(&a.permission, &target)?;
    let client = read_client(&target, &a.account).await?;
    let account = client.address();
    let d = &target.deployment;
    let (deployed, installed) = tokio::join!(
        client.is_deployed(),
        client.is_module_installed(ModuleType::Validator, d.smart_session)
    );
    let deployed = deployed.map_err(runtime("reading the account"))?;
    let installed = installed.map_err(runtime("isModuleInstalled"))?;
    let delegation = super::delegation::state_label(
        &client
            .delegation_state()
            .await
            .map_err(runtime("reading the delegation"))?,
    );
    let mut value = json!({
        "account": hex0x(account),
        "chainId": client.chain_id(),
        "deployed": deployed,
        "nexusVersion": d.nexus_version.as_str(),
        "smartSession": hex0x(d.smart_session),
        "moduleVersion": d.module_version.as_str(),
        "smartSessionInstalled": installed,
        "delegation": delegation,
    });
    let mut text = vec![
        ("account", hex0x(account)),
        ("chain id", client.chain_id().to_string()),
        ("deployed", deployed.to_string()),
        ("nexus", d.nexus_version.to_string()),
        (
            "smart session",
            format!("{} ({})", hex0x(d.smart_session), d.module_version),
        ),
        ("installed", installed.to_string()),
        ("delegation", delegation.to_string()),
    ];
    if let Some(p) = perm {
        let (enabled, nonce) = tokio::join!(
            client.is_permission_enabled(p.id),
            client.enable_nonce(p.id)
        );
        let enabled = enabled.map_err(runtime("isPermissionEnabled"))?;
        let nonce = nonce.map_err(runtime("getNonce"))?;
        value["permissionId"] = json!(hex0x(p.id.0));
        value["permissionEnabled"] = json!(enabled);
        value["enableNonce"] = json!(nonce.to_string());
        text.push(("permission id", hex0x(p.id.0)));
        text.push(("enabled", enabled.to_string()));
        text.push(("enable nonce", nonce.to_string()));
    }
    print(&a.endpoints, &value, &text);
    Ok(())
}

/// Sends nothing more until the userOp is included; returns the transaction hash.
async fn wait(
    endpoints: &Endpoints,
    client_wait: impl Future<
        Output = std::result::Result<
            nexus_sessions_bundler::UserOperationReceipt,
            nexus_sessions::Error,
        >,
    >,
    hash: B256,
    what: &str,
) -> Result<B256> {
    progress(&format!(
        "{what}: userOp {} sent, waiting for the receipt…",
        hex0x(hash)
    ));
    let started = Instant::now();
    let receipt = client_wait.await.map_err(sent(endpoints, what))?;
    let tx = receipt.receipt.transaction_hash;
    progress(&format!(
        "{what}: included in transaction {} after {:.1?}",
        hex0x(tx),
        started.elapsed()
    ));
    Ok(tx)
}

fn parse_action(s: &str) -> Result<ActionPermission> {
    let loc = Location::new(format!("--action {s}"));
    let (target, selector) = s
        .split_once(':')
        .ok_or_else(|| loc.error("expected TARGET:SELECTOR, e.g. 0x…:0xd09de08a"))?;
    let target = input::address(target, &loc)?;
    let selector = parse_selector(selector, &loc)?;
    Ok(ActionPermission::new(target, selector))
}

/// `grant`.
pub(super) async fn grant(a: GrantArgs) -> Result<()> {
    let deferred = a.deferred.as_deref().map(deferred_mode).transpose()?;
    let targets = if a.chains.is_empty() {
        vec![endpoints::resolve(&a.endpoints)?]
    } else {
        endpoints::resolve_chains(&a.chains)?
    };
    let target = targets[0].clone();
    let d = target.deployment.clone();
    // Everything local is checked before any network request.
    let request_or_session = if let Some(path) = &a.session {
        let (session, loc) = session_json::read("--session", path)?;
        Err(session_json::bind(session, d.module_version, &loc)?)
    } else {
        let key = a.session_key.as_deref().unwrap_or_default();
        let mut req = PermissionRequest::new(input::address(key, &Location::new("--session-key"))?);
        for action in &a.actions {
            req = req.action(parse_action(action)?);
        }
        if a.valid_after.is_some() || a.valid_until.is_some() {
            let t = |v: &Option<String>, n: &str| {
                v.as_deref()
                    .map(|s| input::u64_str(s, &Location::new(n.to_owned())))
                    .transpose()
            };
            req = req.time_window(
                t(&a.valid_after, "--valid-after")?.unwrap_or(0),
                t(&a.valid_until, "--valid-until")?.unwrap_or(0),
            );
        }
        if let Some(n) = &a.usage_limit {
            let l = Location::new("--usage-limit");
            req = req.usage_limit(input::fit_bits(input::uint_str(n, &l)?, 128, &l)?.to::<u128>());
        }
        if let Some(v) = &a.value_limit {
            req = req.value_limit(input::uint_str(v, &Location::new("--value-limit"))?);
        }
        if let Some(s) = &a.salt {
            req = req.salt(input::hex_b256(s, &Location::new("--salt"))?);
        }
        Ok(req)
    };
    if let Some(mode) = deferred {
        // clap keeps --deferred and --session apart.
        let request = request_or_session
            .map_err(|_| Location::new("--deferred").error("needs --session-key and --action"))?;
        return grant_deferred(&a, &targets, &request, mode).await;
    }
    let client = owner_client(&target, &a.owner).await?;
    ensure_smart_sessions(&client, &a.endpoints).await?;

    let (hash, session, session_data) = match request_or_session {
        Ok(request) => {
            let grant = client
                .grant_permission(std::slice::from_ref(&request))
                .await
                .map_err(sent(&a.endpoints, "grant"))?;
            let data = client.session_data(&grant, 0).map_err(runtime("grant"))?;
            (grant.user_op_hash, grant.sessions[0].clone(), Some(data))
        }
        Err(session) => {
            let grant = client
                .enable_sessions(vec![session])
                .await
                .map_err(sent(&a.endpoints, "grant"))?;
            let session = grant
                .sessions
                .into_iter()
                .next()
                .expect("one session in, one out");
            (grant.user_op_hash, session, None)
        }
    };
    let tx = wait(
        &a.endpoints,
        client.wait_for_user_operation_receipt(hash),
        hash,
        "grant",
    )
    .await?;
    let pid = session.permission_id();
    if let Some(out) = &a.out {
        // clap keeps --out and --session apart, so the session data exists here.
        if let Some(data) = &session_data {
            std::fs::write(out, data.to_json_pretty() + "\n")
                .map_err(|e| CliError::Runtime(format!("cannot write --out file `{out}`: {e}")))?;
            progress(&format!("wrote the session data to {out}"));
        }
    }
    print_sent(
        &a.endpoints,
        client.address(),
        pid,
        (hash, tx),
        Some(session_json::to_json(
            &session,
            d.module_version,
            Some(client.chain_id()),
        )),
    );
    Ok(())
}

/// The ENABLE mode of `--deferred MODE`.
fn deferred_mode(s: &str) -> Result<SmartSessionMode> {
    match s {
        "enable" => Ok(SmartSessionMode::Enable),
        "unsafe-enable" => Ok(SmartSessionMode::UnsafeEnable),
        other => Err(Location::new("--deferred")
            .error(format!("{other:?}: expected `enable` or `unsafe-enable`"))),
    }
}

/// Deploys the account and installs SmartSession (one owner operation) unless already done.
async fn ensure_smart_sessions(client: &NexusClient, endpoints: &Endpoints) -> Result<()> {
    progress(&format!(
        "owner {} controls account {} on chain {}",
        hex0x(client.owner()),
        hex0x(client.address()),
        client.chain_id()
    ));
    let installed = client
        .is_module_installed(ModuleType::Validator, client.deployment().smart_session)
        .await
        .map_err(runtime("isModuleInstalled"))?;
    if !installed {
        progress("installing the SmartSession module (deploys the account if needed)…");
        let hash = client
            .install_smart_sessions()
            .await
            .map_err(sent(endpoints, "installing SmartSession"))?;
        wait(
            endpoints,
            client.wait_for_user_operation_receipt(hash),
            hash,
            "install",
        )
        .await?;
    }
    Ok(())
}

/// `--out FILE` for chain `chain_id` of a multi-chain grant: `FILE` with the chain id before the
/// extension (`grant.json` → `grant.31337.json`).
fn out_path_for_chain(out: &str, chain_id: u64) -> String {
    let path = std::path::Path::new(out);
    match (path.file_stem(), path.extension()) {
        (Some(stem), Some(ext)) => path
            .with_file_name(format!(
                "{}.{chain_id}.{}",
                stem.to_string_lossy(),
                ext.to_string_lossy()
            ))
            .display()
            .to_string(),
        _ => format!("{out}.{chain_id}"),
    }
}

/// `grant --deferred [--chain FILE]…`: one owner signature for every chain, no grant operation.
async fn grant_deferred(
    a: &GrantArgs,
    targets: &[Target],
    request: &PermissionRequest,
    mode: SmartSessionMode,
) -> Result<()> {
    let mut clients = Vec::with_capacity(targets.len());
    for target in targets {
        let client = owner_client(target, &a.owner).await?;
        ensure_smart_sessions(&client, &a.endpoints).await?;
        clients.push(client);
    }
    let refs: Vec<&NexusClient> = clients.iter().collect();
    let data = NexusClient::grant_multichain_deferred_permission(&refs, request, mode)
        .await
        .map_err(runtime("deferred grant"))?;
    progress(&format!(
        "the owner signed once for chain(s) {:?}; nothing sent: the session key's first operation on each chain enables the session",
        clients
            .iter()
            .map(NexusClient::chain_id)
            .collect::<Vec<_>>()
    ));
    let mut files = Vec::new();
    if let Some(out) = &a.out {
        for (client, data) in clients.iter().zip(&data) {
            let path = if clients.len() == 1 {
                out.clone()
            } else {
                out_path_for_chain(out, client.chain_id())
            };
            std::fs::write(&path, data.to_json_pretty() + "\n")
                .map_err(|e| CliError::Runtime(format!("cannot write --out file `{path}`: {e}")))?;
            progress(&format!(
                "wrote chain {}'s session data to {path}",
                client.chain_id()
            ));
            files.push(path);
        }
    }
    let permission_id = data[0].module_data.permission_ids[0];
    let chains: Vec<Value> = clients
        .iter()
        .zip(&data)
        .enumerate()
        .map(|(i, (client, data))| {
            json!({
                "chainId": client.chain_id(),
                "account": hex0x(client.address()),
                "chainDigestIndex": i,
                "sessionDataFile": files.get(i),
                "sessionData": serde_json::to_value(data).unwrap_or(Value::Null),
            })
        })
        .collect();
    let value = json!({
        "permissionId": hex0x(permission_id.0),
        "mode": if mode == SmartSessionMode::Enable { "enable" } else { "unsafe-enable" },
        "chains": chains,
    });
    let mut text = vec![
        ("permission id", hex0x(permission_id.0)),
        (
            "mode",
            value["mode"].as_str().unwrap_or_default().to_owned(),
        ),
    ];
    for (i, client) in clients.iter().enumerate() {
        text.push((
            "chain",
            format!(
                "{} account {} index {i}{}",
                client.chain_id(),
                hex0x(client.address()),
                files.get(i).map(|f| format!(" -> {f}")).unwrap_or_default()
            ),
        ));
    }
    print(&a.endpoints, &value, &text);
    Ok(())
}

/// `use`.
pub(super) async fn use_session(a: UseArgs) -> Result<()> {
    let target = endpoints::resolve(&a.endpoints)?;
    let d = target.deployment.clone();
    let perm = required_permission(&a.permission, &target)?;
    let to = input::address(&a.target, &Location::new("--target"))?;
    let value = input::uint_str(&a.value, &Location::new("--value"))?;
    let call_loc = Location::new("--call");
    let data: Bytes = if a.call.contains('(') {
        if !a.call.trim().ends_with("()") {
            return Err(call_loc.error(
                "a function signature here must take no arguments (e.g. `increment()`); pass other calls as hex calldata",
            ));
        }
        parse_selector(&a.call, &call_loc)?.to_vec().into()
    } else {
        input::hex_bytes(&a.call, &call_loc)?.into()
    };
    let style = a
        .signature_style
        .as_deref()
        .map(|s| {
            s.parse::<SessionSignatureStyle>()
                .map_err(|e| Location::new("--signature-style").error(e.to_string()))
        })
        .transpose()?;
    let key = signer(keys::read_key(&a.key, "session")?, "session key")?;
    let session_key = key.address();

    let data_for_client = match perm.data.clone() {
        Some(mut sd) => {
            if perm.granter_unknown {
                sd.granter = account_of(&target, &a.account).await?;
            }
            sd
        }
        None => {
            let account = account_of(&target, &a.account).await?;
            SessionData {
                granter: account,
                session_public_key: Bytes::copy_from_slice(session_key.as_slice()),
                description: None,
                module_data: UsePermissionModuleData {
                    permission_ids: vec![perm.id],
                    action: SessionAction {
                        target: to,
                        value,
                        call_data: data.clone(),
                    },
                    mode: Some(SmartSessionMode::Use),
                    permission_id_index: None,
                    enable_session_data: None,
                    sessions: perm.session.clone().map(|s| vec![s]),
                },
                module_version: Some(d.module_version),
                chain_id: target.chain_id,
                smart_session: Some(d.smart_session),
                session_signature_style: None,
            }
        }
    };
    let mut builder = SessionKeyClient::builder(
        key,
        target.rpc_url.clone(),
        target.bundler_url.clone(),
        d.clone(),
        data_for_client,
    )
    .with_local_policy_check(perm.session.is_some());
    if let Some(style) = style {
        builder = builder.signature_style(style);
    }
    let client = builder.build().await.map_err(runtime("connecting"))?;
    progress(&format!(
        "session key {} acting for account {} under permission {} (signing {})",
        hex0x(session_key),
        hex0x(client.account()),
        hex0x(client.permission_id().0),
        client.signature_style()
    ));
    let call = Call { to, value, data };
    let hash = client
        .use_permission(std::slice::from_ref(&call))
        .await
        .map_err(sent(&a.endpoints, "use"))?;
    let tx = wait(
        &a.endpoints,
        client.wait_for_user_operation_receipt(hash),
        hash,
        "use",
    )
    .await?;
    print_sent(
        &a.endpoints,
        client.account(),
        client.permission_id(),
        (hash, tx),
        None,
    );
    Ok(())
}

/// The account named by `--account`, or the Nexus account of `--owner`.
async fn account_of(target: &Target, account: &AccountArgs) -> Result<Address> {
    match (&account.account, &account.owner) {
        (Some(x), _) => input::address(x, &Location::new("--account")),
        (None, Some(_)) => Ok(read_client(target, account).await?.address()),
        (None, None) => Err(Location::new("--account").error(
            "pass --account ADDR or --owner ADDR (or a SessionData file from `grant --out`, which names the account)",
        )),
    }
}

/// `revoke`.
pub(super) async fn revoke(a: RevokeArgs) -> Result<()> {
    let target = endpoints::resolve(&a.endpoints)?;
    let perm = required_permission(&a.permission, &target)?;
    let client = owner_client(&target, &a.owner).await?;
    if let Some(data) = &perm.data
        && !perm.granter_unknown
        && data.granter != client.address()
    {
        return Err(CliError::Runtime(format!(
            "the session data was granted by {}, but this owner key controls {}",
            hex0x(data.granter),
            hex0x(client.address())
        )));
    }
    let hash = client
        .revoke_permission(perm.id)
        .await
        .map_err(sent(&a.endpoints, "revoke"))?;
    let tx = wait(
        &a.endpoints,
        client.wait_for_user_operation_receipt(hash),
        hash,
        "revoke",
    )
    .await?;
    print_sent(&a.endpoints, client.address(), perm.id, (hash, tx), None);
    Ok(())
}

/// The signed operation in a `--user-operation` file: the operation's JSON, or an object with a
/// `userOperation` member (what `use` / `grant` / `revoke --json` print for an unknown outcome).
fn read_user_operation(path: &str) -> Result<UserOperation> {
    let text = input::read_source("--user-operation", path)?;
    let loc = Location::new(format!("--user-operation file `{path}`"));
    let value: Value = input::parse_json(&text, &loc)?;
    let (op, loc) = match value.get("userOperation") {
        Some(op) => (op.clone(), loc.field("userOperation")),
        None => (value, loc),
    };
    let op: UserOperation = input::typed_value(op, &loc, "not a user operation")?;
    op.validate().map_err(|e| loc.error(e.to_string()))?;
    Ok(op)
}

/// `resolve`: settles an unknown outcome — resends the same signed operation (it cannot land twice)
/// and waits, or waits for a userOpHash.
pub(super) async fn resolve(a: ResolveArgs) -> Result<()> {
    let target = endpoints::resolve(&a.endpoints)?;
    let op = a
        .user_operation
        .as_deref()
        .map(read_user_operation)
        .transpose()?;
    let given = a
        .user_op_hash
        .as_deref()
        .map(|h| input::hex_b256(h, &Location::new("--user-op-hash")))
        .transpose()?;
    let timeout = match &a.timeout {
        Some(t) => std::time::Duration::from_secs(input::u64_str(t, &Location::new("--timeout"))?),
        None => nexus_sessions::DEFAULT_RECEIPT_TIMEOUT,
    };
    let entry_point = target.deployment.entry_point;
    let mut builder = nexus_sessions_bundler::BundlerClient::builder(&target.bundler_url);
    if let Some(id) = target.chain_id {
        builder = builder.chain_id(id);
    }
    let bundler = builder
        .build()
        .map_err(|e| CliError::Runtime(format!("bundler: {e}")))?;
    let unknown = |hash: B256, e: &dyn std::fmt::Display| {
        print_unknown(&a.endpoints, hash, op.as_ref());
        CliError::Unknown(format!(
            "resolve: outcome of user operation {} still unknown: {e}",
            hex0x(hash)
        ))
    };
    let waited = match &op {
        Some(op) => {
            let hash = bundler
                .send_user_operation(op, entry_point)
                .await
                .map_err(|e| match e.unknown_outcome() {
                    Some((hash, _)) => unknown(hash, &e),
                    None => CliError::Runtime(format!(
                        "resolve: the operation was refused, so it did not land: {e}"
                    )),
                })?;
            if given.is_some_and(|g| g != hash) {
                return Err(Location::new("--user-op-hash")
                    .error(format!("the user operation's hash is {}", hex0x(hash))));
            }
            progress(&format!(
                "resolve: userOp {} sent again (same operation), waiting…",
                hex0x(hash)
            ));
            bundler
                .wait_or_resend(op, entry_point, timeout)
                .await
                .map_err(|e| unknown(hash, &e))?
        }
        None => {
            let hash = given.ok_or_else(|| {
                Location::new("--user-op-hash").error(
                    "pass --user-operation FILE (resends and waits) or --user-op-hash HEX (waits)",
                )
            })?;
            bundler
                .wait_for_receipt(hash, timeout)
                .await
                .map_err(|e| unknown(hash, &e))?
        }
    };
    let (hash, tx) = (waited.user_op_hash, waited.transaction_hash());
    if !waited.success {
        return Err(CliError::Runtime(format!(
            "resolve: user operation {} was included in transaction {} but its execution reverted{}",
            hex0x(hash),
            hex0x(tx),
            waited
                .revert_reason()
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        )));
    }
    let value = json!({
        "outcome": "landed",
        "account": hex0x(waited.sender),
        "userOpHash": hex0x(hash),
        "transactionHash": hex0x(tx),
    });
    print(
        &a.endpoints,
        &value,
        &[
            ("outcome", "landed".to_owned()),
            ("account", hex0x(waited.sender)),
            ("userOp hash", hex0x(hash)),
            ("transaction", hex0x(tx)),
        ],
    );
    Ok(())
}
