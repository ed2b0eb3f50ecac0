//! A local ERC-7677 paymaster service that signs sponsorships for the devnet's `VerifyingPaymaster`.
//!
//! It listens on 127.0.0.1 (a free port) and answers JSON-RPC 2.0 over HTTP:
//!
//! - `pm_getPaymasterStubData [userOp, entryPoint, chainId, context]`: the paymaster, stub data of
//!   the final length (the validity window and a well-formed signature that recovers to another
//!   address, so the paymaster's validation runs its full path during estimation) and
//!   `isFinal: false`; with `"stubGasLimits": true` in the context also the paymaster's gas limits
//!   ([`STUB_VERIFICATION_GAS_LIMIT`], `postOp` 0), otherwise the bundler estimates them. With
//!   `"final": true` the stub is already signed (`isFinal: true`) over the gas limits the request's
//!   operation carries, for callers that fix their gas limits.
//! - `pm_getPaymasterData [...]`: `validUntil ‖ validAfter ‖ signature` over the contract's
//!   `getHash` of the operation (every field but the signatures, the paymaster's gas limits
//!   included), valid from now for [`VALIDITY`].
//!
//! A wrong entry point or chain id, a malformed operation, an operation naming another paymaster,
//! or `"deny": true` in the context is refused with a JSON-RPC error, as a real service refuses
//! what its sponsorship policy does not cover. `"otherPaymaster": true` makes the final data name
//! another paymaster than the stub (a misbehaving service, for tests).
//!
//! The server runs on its own threads (blocking sockets), so it works whatever async runtime — or
//! none — the caller has; dropping the handle stops it.

use crate::DevnetError;
use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolValue;
use nexus_sessions_userop::UserOperation;
use serde_json::{Value, json};
use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader, Read, Write},
    net::{Shutdown, SocketAddr, TcpListener, TcpStream},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// The paymaster validation gas the stub names when the context asks for stub gas limits (the
/// fixture's validation, an ECDSA recovery over a hash of the operation, needs about a third).
pub const STUB_VERIFICATION_GAS_LIMIT: u128 = 60_000;
/// How long a signed sponsorship stays valid.
pub const VALIDITY: Duration = Duration::from_secs(3600);

/// JSON-RPC error code for a sponsorship the service refuses.
const REFUSED: i64 = -32001;
/// JSON-RPC error code for malformed parameters.
const INVALID_PARAMS: i64 = -32602;
/// An idle keep-alive connection is closed after this long.
const IDLE: Duration = Duration::from_secs(30);

/// What the service signs for.
#[derive(Debug)]
struct Config {
    paymaster: Address,
    entry_point: Address,
    chain_id: u64,
    signer: PrivateKeySigner,
    /// Requests served, per method.
    counts: Mutex<BTreeMap<String, u64>>,
}

/// A running ERC-7677 paymaster service for the devnet's verifying paymaster; stops when dropped.
///
/// ```no_run
/// # async fn run() -> Result<(), nexus_sessions_devnet::DevnetError> {
/// let devnet = nexus_sessions_devnet::Devnet::start().await?;
/// // The devnet starts one; its URL is what a PaymasterClient is built with.
/// println!("paymaster service at {}", devnet.paymaster_url());
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct PaymasterService {
    addr: SocketAddr,
    url: String,
    config: Arc<Config>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl PaymasterService {
    /// Starts a service on 127.0.0.1 (free port) that signs with the devnet's paymaster key for
    /// `paymaster` (a `VerifyingPaymaster` deployed with that key as its signer) on `chain_id`.
    pub fn start(
        paymaster: Address,
        entry_point: Address,
        chain_id: u64,
    ) -> Result<Self, DevnetError> {
        Self::with_signer(
            crate::keys::paymaster_signer(),
            paymaster,
            entry_point,
            chain_id,
        )
    }

    fn with_signer(
        signer: PrivateKeySigner,
        paymaster: Address,
        entry_point: Address,
        chain_id: u64,
    ) -> Result<Self, DevnetError> {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| DevnetError::Rpc {
            context: "paymaster service: bind 127.0.0.1:0".into(),
            detail: e.to_string(),
        })?;
        let addr = listener.local_addr().map_err(|e| DevnetError::Rpc {
            context: "paymaster service: local address".into(),
            detail: e.to_string(),
        })?;
        let config = Arc::new(Config {
            paymaster,
            entry_point,
            chain_id,
            signer,
            counts: Mutex::new(BTreeMap::new()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (config, stop) = (config.clone(), stop.clone());
            std::thread::Builder::new()
                .name("paymaster-service".into())
                .spawn(move || accept_loop(listener, config, stop))
                .map_err(|e| DevnetError::Rpc {
                    context: "paymaster service: spawn".into(),
                    detail: e.to_string(),
                })?
        };
        Ok(Self {
            addr,
            url: format!("http://{addr}"),
            config,
            stop,
            acceptor: Some(acceptor),
        })
    }

    /// The service URL (`http://127.0.0.1:<port>`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The paymaster it signs for.
    pub fn paymaster(&self) -> Address {
        self.config.paymaster
    }

    /// The address of its signing key (the paymaster's `verifyingSigner`).
    pub fn signer(&self) -> Address {
        self.config.signer.address()
    }

    /// How many requests of `method` it has answered.
    pub fn request_count(&self, method: &str) -> u64 {
        let counts = self.config.counts.lock().expect("counts poisoned");
        counts.get(method).copied().unwrap_or(0)
    }
}

impl Drop for PaymasterService {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept_loop(listener: TcpListener, config: Arc<Config>, stop: Arc<AtomicBool>) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let (config, stop) = (config.clone(), stop.clone());
        let _ = std::thread::Builder::new()
            .name("paymaster-conn".into())
            .spawn(move || serve(stream, &config, &stop));
    }
}

/// Serves one keep-alive connection: HTTP/1.1 POSTs with a Content-Length body.
fn serve(stream: TcpStream, config: &Config, stop: &AtomicBool) {
    let _ = stream.set_read_timeout(Some(IDLE));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while !stop.load(Ordering::SeqCst) {
        let mut content_length = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" && !first {
                break;
            }
            first = false;
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
        // Bodies of this service's requests are a few kilobytes; refuse absurd lengths.
        if content_length > 1 << 20 {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
        let mut body = vec![0u8; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reply = answer(config, &body).to_string();
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: keep-alive\r\n\r\n{reply}",
            reply.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// The JSON-RPC response to one request body.
fn answer(config: &Config, body: &[u8]) -> Value {
    let request: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return error(Value::Null, -32700, &format!("parse error: {e}")),
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let method = request["method"].as_str().unwrap_or_default().to_owned();
    *config
        .counts
        .lock()
        .expect("counts poisoned")
        .entry(method.clone())
        .or_default() += 1;
    let result = match method.as_str() {
        "pm_getPaymasterStubData" => sponsor(config, &request["params"], false),
        "pm_getPaymasterData" => sponsor(config, &request["params"], true),
        other => Err((-32601, format!("method {other:?} not found"))),
    };
    match result {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err((code, message)) => error(id, code, &message),
    }
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// Checks the parameters and answers stub (`signed == false`) or final data.
fn sponsor(config: &Config, params: &Value, signed: bool) -> Result<Value, (i64, String)> {
    let invalid = |m: String| (INVALID_PARAMS, m);
    let params = params
        .as_array()
        .filter(|p| p.len() == 3 || p.len() == 4)
        .ok_or_else(|| invalid("params must be [userOp, entryPoint, chainId, context?]".into()))?;
    let op: UserOperation =
        serde_json::from_value(params[0].clone()).map_err(|e| invalid(format!("userOp: {e}")))?;
    let entry_point: Address = serde_json::from_value(params[1].clone())
        .map_err(|e| invalid(format!("entryPoint: {e}")))?;
    if entry_point != config.entry_point {
        return Err(invalid(format!(
            "entry point {entry_point} is not supported (only {})",
            config.entry_point
        )));
    }
    let chain_id = params[2]
        .as_str()
        .and_then(|s| u64::from_str_radix(s.strip_prefix("0x")?, 16).ok())
        .ok_or_else(|| invalid(format!("chainId must be a hex string, got {}", params[2])))?;
    if chain_id != config.chain_id {
        return Err(invalid(format!(
            "chain {chain_id} is not supported (only {})",
            config.chain_id
        )));
    }
    let context = params.get(3).cloned().unwrap_or(Value::Null);
    if context["deny"] == json!(true) {
        return Err((REFUSED, "sponsorship denied by policy".into()));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (valid_until, valid_after) = (now + VALIDITY.as_secs(), 0u64);
    let window = [
        &valid_until.to_be_bytes()[2..],
        &valid_after.to_be_bytes()[2..],
    ]
    .concat();
    if !signed {
        let mut stub = json!({
            "paymaster": config.paymaster,
            "paymasterData": alloy_primitives::Bytes::from(
                [window.as_slice(), &nexus_sessions_types::OWNABLE_VALIDATOR_MOCK_SIGNATURE].concat()
            ),
            "isFinal": false,
            "sponsor": {"name": "nexus-sessions devnet"},
        });
        let is_final = context["final"] == json!(true);
        if context["stubGasLimits"] == json!(true) || is_final {
            stub["paymasterVerificationGasLimit"] =
                json!(format!("{STUB_VERIFICATION_GAS_LIMIT:#x}"));
            stub["paymasterPostOpGasLimit"] = json!("0x0");
        }
        if is_final {
            // Signed now, over the gas limits the operation carries and the stub's own: valid only
            // when the caller keeps them (fixed gas), as a service whose stub is final expects.
            let mut op = op;
            op.paymaster = Some(config.paymaster);
            op.paymaster_verification_gas_limit = STUB_VERIFICATION_GAS_LIMIT;
            op.paymaster_post_op_gas_limit = 0;
            stub["paymasterData"] =
                json!(signed_data(config, &op, valid_until, valid_after, &window)?);
            stub["isFinal"] = json!(true);
        }
        return Ok(stub);
    }
    if op.paymaster != Some(config.paymaster) {
        return Err(invalid(format!(
            "the operation's paymaster is {:?}, this service signs for {}",
            op.paymaster, config.paymaster
        )));
    }
    // A misbehaving service, for tests: final data naming another paymaster than the stub did.
    let paymaster = if context["otherPaymaster"] == json!(true) {
        Address::repeat_byte(0x0e)
    } else {
        config.paymaster
    };
    Ok(json!({
        "paymaster": paymaster,
        "paymasterData": signed_data(config, &op, valid_until, valid_after, &window)?,
    }))
}

/// `window ‖ signature` over the fixture's hash of `op`.
fn signed_data(
    config: &Config,
    op: &UserOperation,
    valid_until: u64,
    valid_after: u64,
    window: &[u8],
) -> Result<alloy_primitives::Bytes, (i64, String)> {
    let hash = sponsorship_hash(
        op,
        config.chain_id,
        config.paymaster,
        valid_until,
        valid_after,
    );
    let signature = config
        .signer
        .sign_hash_sync(&hash)
        .map_err(|e| (-32603, format!("signing failed: {e}")))?;
    Ok([window, &signature.as_bytes()].concat().into())
}

/// `VerifyingPaymaster.getHash(op, validUntil, validAfter)`.
pub(crate) fn sponsorship_hash(
    op: &UserOperation,
    chain_id: u64,
    paymaster: Address,
    valid_until: u64,
    valid_after: u64,
) -> B256 {
    let mut gas_limits = [0u8; 32];
    gas_limits[..16].copy_from_slice(&op.paymaster_verification_gas_limit.to_be_bytes());
    gas_limits[16..].copy_from_slice(&op.paymaster_post_op_gas_limit.to_be_bytes());
    keccak256(
        (
            op.sender,
            op.nonce,
            keccak256(op.init_code()),
            keccak256(&op.call_data),
            op.account_gas_limits(),
            B256::from(gas_limits),
            op.pre_verification_gas,
            op.gas_fees(),
            U256::from(chain_id),
            paymaster,
            U256::from(valid_until),
            U256::from(valid_after),
        )
            .abi_encode_params(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(url: &str, body: &Value) -> Value {
        try_post(url, body).unwrap()
    }

    /// One JSON-RPC POST; any I/O or decoding failure is an error.
    fn try_post(url: &str, body: &Value) -> std::io::Result<Value> {
        let addr = url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let body = body.to_string();
        write!(
            stream,
            "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )?;
        let mut reader = BufReader::new(stream);
        let mut len = 0;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.strip_prefix("content-length:") {
                len = v.trim().parse().map_err(std::io::Error::other)?;
            }
        }
        let mut buf = vec![0; len];
        reader.read_exact(&mut buf)?;
        Ok(serde_json::from_slice(&buf)?)
    }

    fn request(method: &str, op: &UserOperation, context: Value) -> Value {
        json!({"jsonrpc": "2.0", "id": 7, "method": method,
               "params": [op, crate::ENTRY_POINT_V07, "0x7a69", context]})
    }

    #[test]
    fn signs_the_fixture_hash_and_refuses_what_it_does_not_cover() {
        let paymaster = Address::with_last_byte(0x99);
        let service = PaymasterService::start(paymaster, crate::ENTRY_POINT_V07, 31337).unwrap();
        assert_eq!(service.signer(), crate::keys::paymaster_signer_address());
        let mut op = UserOperation {
            sender: Address::with_last_byte(1),
            call_gas_limit: 1000,
            ..Default::default()
        };
        let stub = post(
            service.url(),
            &request("pm_getPaymasterStubData", &op, json!({})),
        );
        assert_eq!(stub["id"], 7);
        let result = &stub["result"];
        assert_eq!(result["isFinal"], false);
        assert!(result.get("paymasterVerificationGasLimit").is_none());
        let data: alloy_primitives::Bytes =
            serde_json::from_value(result["paymasterData"].clone()).unwrap();
        assert_eq!(data.len(), 77, "window and a 65-byte signature");
        let with_limits = post(
            service.url(),
            &request(
                "pm_getPaymasterStubData",
                &op,
                json!({"stubGasLimits": true}),
            ),
        );
        assert_eq!(
            with_limits["result"]["paymasterVerificationGasLimit"],
            "0xea60"
        );

        op.paymaster = Some(paymaster);
        op.paymaster_verification_gas_limit = 50_000;
        op.paymaster_data = data;
        let signed = post(
            service.url(),
            &request("pm_getPaymasterData", &op, json!({})),
        );
        let data: alloy_primitives::Bytes =
            serde_json::from_value(signed["result"]["paymasterData"].clone()).unwrap();
        let until =
            u64::from_be_bytes([0, 0, data[0], data[1], data[2], data[3], data[4], data[5]]);
        let after =
            u64::from_be_bytes([0, 0, data[6], data[7], data[8], data[9], data[10], data[11]]);
        assert_eq!(after, 0);
        let hash = sponsorship_hash(&op, 31337, paymaster, until, after);
        let sig = alloy_primitives::Signature::from_raw(&data[12..]).unwrap();
        assert_eq!(
            sig.recover_address_from_prehash(&hash).unwrap(),
            service.signer()
        );

        // A final stub: signed over the operation as sent, with the stub's own gas limits.
        let mut plain = op.clone();
        plain.paymaster = None;
        plain.paymaster_data = Default::default();
        plain.paymaster_verification_gas_limit = 0;
        let final_stub = post(
            service.url(),
            &request("pm_getPaymasterStubData", &plain, json!({"final": true})),
        );
        assert_eq!(final_stub["result"]["isFinal"], true);
        let data: alloy_primitives::Bytes =
            serde_json::from_value(final_stub["result"]["paymasterData"].clone()).unwrap();
        let until =
            u64::from_be_bytes([0, 0, data[0], data[1], data[2], data[3], data[4], data[5]]);
        let mut sent = plain;
        sent.paymaster = Some(paymaster);
        sent.paymaster_verification_gas_limit = STUB_VERIFICATION_GAS_LIMIT;
        let sig = alloy_primitives::Signature::from_raw(&data[12..]).unwrap();
        assert_eq!(
            sig.recover_address_from_prehash(&sponsorship_hash(&sent, 31337, paymaster, until, 0))
                .unwrap(),
            service.signer()
        );

        // Refusals: another paymaster, entry point, chain, a denying context, unknown method.
        let mut other = op.clone();
        other.paymaster = Some(Address::with_last_byte(0x98));
        let cases = [
            request("pm_getPaymasterData", &other, json!({})),
            json!({"jsonrpc": "2.0", "id": 1, "method": "pm_getPaymasterData",
                   "params": [op, Address::with_last_byte(5), "0x7a69", {}]}),
            json!({"jsonrpc": "2.0", "id": 1, "method": "pm_getPaymasterData",
                   "params": [op, crate::ENTRY_POINT_V07, "0x1", {}]}),
            json!({"jsonrpc": "2.0", "id": 1, "method": "pm_getPaymasterData",
                   "params": [{"sender": 5}, crate::ENTRY_POINT_V07, "0x7a69", {}]}),
            request("pm_getPaymasterStubData", &op, json!({"deny": true})),
            json!({"jsonrpc": "2.0", "id": 1, "method": "pm_sponsorUserOperation", "params": []}),
        ];
        for case in cases {
            let reply = post(service.url(), &case);
            assert!(reply["error"]["code"].is_i64(), "{case} -> {reply}");
            assert!(reply.get("result").is_none());
        }
        assert_eq!(service.request_count("pm_getPaymasterData"), 5);
        let url = service.url().to_owned();
        let stub = request("pm_getPaymasterStubData", &op, json!({}));
        assert!(post(&url, &stub).get("result").is_some());
        drop(service);
        // Stopped on drop: nothing answers the request any more. (The freed port may already be
        // another test's server, or a self-connect; neither answers a stub.)
        let after = try_post(&url, &stub);
        assert!(
            after
                .as_ref()
                .map_or(true, |reply| reply.get("result").is_none()),
            "still answering after drop: {after:?}"
        );
    }
}
