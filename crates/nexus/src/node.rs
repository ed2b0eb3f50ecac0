//! The few Ethereum JSON-RPC reads the facade makes against the node, with request counters
//! (per method; `eth_call`s per contract function, e.g. `eth_call:isPermissionEnabled`).

use crate::error::Error;
use alloy_json_rpc::RpcError;
use alloy_primitives::{Address, B256, Bytes, U64, U128};
use alloy_provider::{
    Provider, RootProvider,
    transport::{TransportError, TransportErrorKind},
};
use alloy_sol_types::{SolType, SolValue};
use core::fmt;
use nexus_sessions_bundler::{RequestCounts, redact_url, redact_urls_in};
use nexus_sessions_types::abi::decode_revert;
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

/// An `eth_call` outcome that distinguishes a revert from a transport failure.
#[derive(Debug)]
pub(crate) enum CallOutcome {
    /// The call returned data.
    Returned(Bytes),
    /// The call reverted with this data.
    Reverted(Bytes),
}

#[derive(Clone, Debug, Serialize)]
struct CallRequest {
    to: Address,
    data: Bytes,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BlockHeader {
    timestamp: U64,
    #[serde(default)]
    base_fee_per_gas: Option<U128>,
}

/// Node access (alloy `RootProvider` over HTTP).
pub(crate) struct Node {
    provider: RootProvider,
    requests: AtomicU64,
    by_method: Mutex<BTreeMap<String, u64>>,
}

// By hand: the provider's transport holds the URL, which may hold credentials.
impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}

/// A transport failure with the URL it quotes (reqwest does) redacted; other errors unchanged.
fn redact_transport(e: TransportError) -> TransportError {
    let RpcError::Transport(kind) = &e else {
        return e;
    };
    let text = nexus_sessions_bundler::error_chain_text(kind);
    let redacted = redact_urls_in(&text);
    if redacted == text {
        e
    } else {
        TransportErrorKind::custom_str(&redacted)
    }
}

impl Node {
    /// Connects lazily to an HTTP(S) JSON-RPC URL.
    pub(crate) fn new(url: &str) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidUrl {
            url: redact_url(url),
            reason,
        };
        let parsed = url.parse().map_err(|e| invalid(format!("{e}")))?;
        // The URL parsed, so everything before the first ':' is its scheme.
        let scheme = url
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match scheme.as_str() {
            "http" => {}
            "https" if cfg!(feature = "rustls") => {}
            "https" => return Err(invalid("https needs the `rustls` feature of nexus".into())),
            other => {
                return Err(invalid(format!(
                    "unsupported scheme `{other}`: use http or https"
                )));
            }
        }
        Ok(Self {
            provider: RootProvider::new_http(parsed),
            requests: AtomicU64::new(0),
            by_method: Mutex::new(BTreeMap::new()),
        })
    }

    /// JSON-RPC requests sent so far.
    pub(crate) fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Requests sent so far, per method (`eth_call:<function>` for calls).
    pub(crate) fn request_counts(&self) -> RequestCounts {
        let map = self.by_method.lock().unwrap_or_else(|e| e.into_inner());
        RequestCounts {
            total: self.request_count(),
            by_method: map.clone(),
        }
    }

    async fn request<P, R>(&self, method: &'static str, params: P) -> Result<R, TransportError>
    where
        P: alloy_json_rpc::RpcSend + Serialize,
        R: alloy_json_rpc::RpcRecv,
    {
        self.request_as(method.into(), method, params).await
    }

    /// [`Self::request`] counted under `label`.
    async fn request_as<P, R>(
        &self,
        label: std::borrow::Cow<'static, str>,
        method: &'static str,
        params: P,
    ) -> Result<R, TransportError>
    where
        P: alloy_json_rpc::RpcSend + Serialize,
        R: alloy_json_rpc::RpcRecv,
    {
        self.requests.fetch_add(1, Ordering::Relaxed);
        *self
            .by_method
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(label.into_owned())
            .or_default() += 1;
        self.provider
            .raw_request(method.into(), params)
            .await
            .map_err(redact_transport)
    }

    /// `eth_call` at the latest block; `label` names it in the counters
    /// (`eth_call:<function>`).
    pub(crate) async fn call(
        &self,
        label: &'static str,
        to: Address,
        data: Bytes,
    ) -> Result<CallOutcome, Error> {
        match self
            .request_as::<_, Bytes>(
                format!("eth_call:{label}").into(),
                "eth_call",
                (CallRequest { to, data }, "latest"),
            )
            .await
        {
            Ok(out) => Ok(CallOutcome::Returned(out)),
            Err(e) => match e.as_error_resp() {
                Some(payload) if is_revert(payload.code, &payload.message) => Ok(
                    CallOutcome::Reverted(payload.as_revert_data().unwrap_or_default()),
                ),
                _ => Err(Error::Rpc {
                    method: "eth_call",
                    source: e,
                }),
            },
        }
    }

    /// `eth_call` that must return; a revert becomes [`Error::CallReverted`].
    pub(crate) async fn call_ok(
        &self,
        what: &'static str,
        to: Address,
        data: Bytes,
    ) -> Result<Bytes, Error> {
        match self.call(what, to, data).await? {
            CallOutcome::Returned(out) => Ok(out),
            CallOutcome::Reverted(data) => Err(Error::CallReverted {
                call: what,
                to,
                revert: Box::new(decode_revert(&data)),
            }),
        }
    }

    /// [`Self::call_ok`] whose reply is one ABI-encoded `T`; an undecodable reply is
    /// [`Error::AbiDecode`] naming `reply`.
    pub(crate) async fn call_decode<T>(
        &self,
        what: &'static str,
        reply: &'static str,
        to: Address,
        data: Bytes,
    ) -> Result<T, Error>
    where
        T: SolValue + From<<T::SolType as SolType>::RustType>,
    {
        let out = self.call_ok(what, to, data).await?;
        T::abi_decode(&out).map_err(|e| Error::abi(reply, e))
    }

    /// `eth_getCode` at the latest block.
    pub(crate) async fn code(&self, address: Address) -> Result<Bytes, Error> {
        self.request("eth_getCode", (address, "latest"))
            .await
            .map_err(|source| Error::Rpc {
                method: "eth_getCode",
                source,
            })
    }

    /// `eth_getTransactionCount` at the latest block: the account's transaction nonce.
    pub(crate) async fn transaction_count(&self, address: Address) -> Result<u64, Error> {
        let n: U64 = self
            .request("eth_getTransactionCount", (address, "latest"))
            .await
            .map_err(|source| Error::Rpc {
                method: "eth_getTransactionCount",
                source,
            })?;
        Ok(n.to())
    }

    /// `eth_sendRawTransaction`; returns the transaction hash.
    pub(crate) async fn send_raw_transaction(&self, raw: Bytes) -> Result<B256, Error> {
        self.request("eth_sendRawTransaction", (raw,))
            .await
            .map_err(|source| Error::Rpc {
                method: "eth_sendRawTransaction",
                source,
            })
    }

    /// Polls `eth_getTransactionReceipt` until the transaction is mined; returns its status
    /// (`true` = success). [`Error::TransactionTimeout`] after `timeout`.
    pub(crate) async fn wait_for_transaction(
        &self,
        hash: B256,
        timeout: Duration,
    ) -> Result<bool, Error> {
        #[derive(Debug, Deserialize)]
        struct Receipt {
            status: Option<U64>,
        }
        let started = Instant::now();
        loop {
            let receipt: Option<Receipt> = self
                .request("eth_getTransactionReceipt", (hash,))
                .await
                .map_err(|source| Error::Rpc {
                    method: "eth_getTransactionReceipt",
                    source,
                })?;
            if let Some(r) = receipt {
                return Ok(r.status.is_some_and(|s| s == U64::from(1)));
            }
            if started.elapsed() > timeout {
                return Err(Error::TransactionTimeout {
                    hash,
                    waited: timeout,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `eth_chainId`.
    pub(crate) async fn chain_id(&self) -> Result<u64, Error> {
        let id: U64 = self
            .request("eth_chainId", ())
            .await
            .map_err(|source| Error::Rpc {
                method: "eth_chainId",
                source,
            })?;
        Ok(id.to())
    }

    async fn latest_header(&self) -> Result<BlockHeader, Error> {
        let header: Option<BlockHeader> = self
            .request("eth_getBlockByNumber", ("latest", false))
            .await
            .map_err(|source| Error::Rpc {
                method: "eth_getBlockByNumber",
                source,
            })?;
        header.ok_or(Error::UnexpectedReply {
            method: "eth_getBlockByNumber",
            reason: "no latest block".into(),
        })
    }

    /// The latest block's timestamp.
    pub(crate) async fn latest_timestamp(&self) -> Result<u64, Error> {
        Ok(self.latest_header().await?.timestamp.to())
    }

    /// EIP-1559 fees from the node: `maxFee = 2 × baseFee + priority`, priority from
    /// `eth_maxPriorityFeePerGas`.
    pub(crate) async fn fees(&self) -> Result<(u128, u128), Error> {
        let (header, priority) = tokio::join!(
            self.latest_header(),
            self.request::<_, U128>("eth_maxPriorityFeePerGas", ())
        );
        let base: u128 = header?.base_fee_per_gas.map(|b| b.to()).unwrap_or(0);
        let priority: u128 = priority
            .map_err(|source| Error::Rpc {
                method: "eth_maxPriorityFeePerGas",
                source,
            })?
            .to();
        Ok((base.saturating_mul(2).saturating_add(priority), priority))
    }
}

/// Geth/anvil report reverts as code 3 ("execution reverted") or -32000/-32015 with a message
/// mentioning a revert.
fn is_revert(code: i64, message: &str) -> bool {
    code == 3 || message.to_ascii_lowercase().contains("revert")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revert_detection() {
        assert!(is_revert(3, "execution reverted"));
        assert!(is_revert(-32000, "Execution Reverted: custom error"));
        assert!(!is_revert(-32601, "method not found"));
    }

    #[test]
    fn bad_url_is_a_typed_error() {
        assert!(matches!(
            Node::new("not a url"),
            Err(Error::InvalidUrl { .. })
        ));
        assert!(Node::new("http://127.0.0.1:8545").is_ok());
        let ws = Node::new("ws://127.0.0.1:8545").unwrap_err();
        assert!(ws.to_string().contains("unsupported scheme `ws`"), "{ws}");
        let https = Node::new("https://rpc.example");
        assert_eq!(https.is_ok(), cfg!(feature = "rustls"));
    }
}
