//! The few Ethereum JSON-RPC reads the facade makes against the node, through alloy `Provider`
//! methods, with request counters ([`RequestCountLayer`]: per method; `eth_call`s per contract
//! function, e.g. `eth_call:isPermissionEnabled`).

use crate::{
    endpoint::{NodeEndpoint, NodeKind},
    error::Error,
    request_counter::RequestCountLayer,
};
use alloy_json_rpc::RpcError;
use alloy_network::TransactionBuilder;
use alloy_primitives::{Address, B256, Bytes};
use alloy_provider::{
    DynProvider, Provider, RootProvider,
    transport::{TransportError, TransportErrorKind},
};
use alloy_rpc_client::ClientBuilder;
use alloy_rpc_types_eth::{BlockNumberOrTag, TransactionRequest};
use alloy_sol_types::{SolType, SolValue};
use core::fmt;
use nexus_sessions_bundler::{RequestCounts, redact_url, redact_urls_in};
use nexus_sessions_types::abi::decode_revert;
use std::time::{Duration, Instant};

/// An `eth_call` outcome that distinguishes a revert from a transport failure.
#[derive(Debug)]
pub(crate) enum CallOutcome {
    /// The call returned data.
    Returned(Bytes),
    /// The call reverted with this data.
    Reverted(Bytes),
}

/// Node access through an alloy provider.
pub(crate) struct Node {
    provider: DynProvider,
    /// The counting layer in the provider's client, when known.
    counter: Option<RequestCountLayer>,
}

// By hand: the provider's transport may hold a URL with credentials.
impl fmt::Debug for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("requests", &self.request_count())
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

/// Default bound of one node request made through a URL shortcut.
pub const DEFAULT_NODE_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl Node {
    /// The node of `endpoint` (lazily connecting for a URL, each request bounded by `timeout`; a
    /// provider of yours keeps its own transport's limits).
    pub(crate) fn connect(endpoint: &NodeEndpoint, timeout: Duration) -> Result<Self, Error> {
        match &endpoint.kind {
            NodeKind::Url(url) => Self::with_timeout(url, timeout),
            NodeKind::Provider { provider, counter } => Ok(Self {
                provider: provider.clone(),
                counter: counter.clone(),
            }),
        }
    }

    /// [`Self::with_timeout`] with [`DEFAULT_NODE_REQUEST_TIMEOUT`].
    pub(crate) fn new(url: &str) -> Result<Self, Error> {
        Self::with_timeout(url, DEFAULT_NODE_REQUEST_TIMEOUT)
    }

    /// Connects lazily to an HTTP(S) JSON-RPC URL, counting requests with a [`RequestCountLayer`];
    /// a request without an answer in `timeout` fails rather than hanging the client.
    pub(crate) fn with_timeout(url: &str, timeout: Duration) -> Result<Self, Error> {
        let invalid = |reason: String| Error::InvalidUrl {
            url: redact_url(url),
            reason,
        };
        let parsed: nexus_sessions_bundler::Url =
            url.parse().map_err(|e| invalid(format!("{e}")))?;
        // alloy's HTTP transport speaks http and https (TLS: the `rustls` feature or the
        // application's reqwest backend); other transports come as a provider.
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid(format!(
                "unsupported scheme `{}`: use http or https, or pass a provider (NodeEndpoint::provider)",
                parsed.scheme()
            )));
        }
        let http = nexus_sessions_bundler::reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| invalid(format!("HTTP client: {e}")))?;
        let counter = RequestCountLayer::new();
        let client = ClientBuilder::default()
            .layer(counter.clone())
            .http_with_client(http, parsed);
        Ok(Self {
            provider: RootProvider::new(client).erased(),
            counter: Some(counter),
        })
    }

    /// JSON-RPC requests sent so far (zero without a counter).
    pub(crate) fn request_count(&self) -> u64 {
        self.counter.as_ref().map_or(0, RequestCountLayer::total)
    }

    /// Requests sent so far, per method (`eth_call:<function>` for calls).
    pub(crate) fn request_counts(&self) -> RequestCounts {
        self.counter
            .as_ref()
            .map(RequestCountLayer::counts)
            .unwrap_or_default()
    }

    /// `eth_call` at the latest block; `label` names the function in the counters
    /// (`eth_call:<function>`).
    pub(crate) async fn call(
        &self,
        label: &'static str,
        to: Address,
        data: Bytes,
    ) -> Result<CallOutcome, Error> {
        if let (Some(counter), Some(selector)) = (&self.counter, data.get(..4)) {
            let mut s = [0u8; 4];
            s.copy_from_slice(selector);
            counter.name_function(s, label);
        }
        let tx = TransactionRequest::default().with_to(to).with_input(data);
        match self.provider.call(tx).await.map_err(redact_transport) {
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
        self.provider
            .get_code_at(address)
            .await
            .map_err(rpc("eth_getCode"))
    }

    /// `eth_getTransactionCount` at the latest block: the account's transaction nonce.
    pub(crate) async fn transaction_count(&self, address: Address) -> Result<u64, Error> {
        self.provider
            .get_transaction_count(address)
            .await
            .map_err(rpc("eth_getTransactionCount"))
    }

    /// `eth_sendRawTransaction` of a signed transaction. `Ok` when the node took it or may have:
    /// without an answer (a timeout, a dropped connection) the same bytes are sent once more (same
    /// hash, so at most one transaction), and if that is not answered either the caller waits for
    /// the hash it knows. `Err` only when the node answered with a refusal ("already known" is
    /// taken as accepted).
    pub(crate) async fn submit_raw_transaction(&self, raw: Bytes) -> Result<(), Error> {
        for attempt in 0..2 {
            let err = match self.provider.send_raw_transaction(&raw).await {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            match err.as_error_resp() {
                Some(answer)
                    if answer
                        .message
                        .to_ascii_lowercase()
                        .contains("already known") =>
                {
                    return Ok(());
                }
                Some(_) => return Err(rpc("eth_sendRawTransaction")(err)),
                None if attempt == 0 => tracing::debug!(
                    error = %redact_transport(err),
                    "eth_sendRawTransaction unanswered; sending the same transaction again"
                ),
                None => {}
            }
        }
        Ok(())
    }

    /// Polls `eth_getTransactionReceipt` until the transaction is mined; returns its status
    /// (`true` = success). [`Error::TransactionTimeout`] after `timeout`.
    pub(crate) async fn wait_for_transaction(
        &self,
        hash: B256,
        timeout: Duration,
    ) -> Result<bool, Error> {
        let started = Instant::now();
        loop {
            let receipt = self
                .provider
                .get_transaction_receipt(hash)
                .await
                .map_err(rpc("eth_getTransactionReceipt"))?;
            if let Some(r) = receipt {
                return Ok(r.status());
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
        self.provider
            .get_chain_id()
            .await
            .map_err(rpc("eth_chainId"))
    }

    /// The latest block's timestamp and base fee.
    async fn latest_header(&self) -> Result<(u64, Option<u64>), Error> {
        const METHOD: &str = "eth_getBlockByNumber";
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(rpc(METHOD))?
            .ok_or(Error::UnexpectedReply {
                method: METHOD,
                reason: "no latest block".into(),
            })?;
        Ok((block.header.timestamp, block.header.base_fee_per_gas))
    }

    /// The latest block's timestamp.
    pub(crate) async fn latest_timestamp(&self) -> Result<u64, Error> {
        Ok(self.latest_header().await?.0)
    }

    /// EIP-1559 fees from the node: `maxFee = 2 × baseFee + priority`, priority from
    /// `eth_maxPriorityFeePerGas`.
    pub(crate) async fn fees(&self) -> Result<(u128, u128), Error> {
        let (header, priority) = tokio::join!(
            self.latest_header(),
            self.provider.get_max_priority_fee_per_gas()
        );
        let base = u128::from(header?.1.unwrap_or(0));
        let priority = priority.map_err(rpc("eth_maxPriorityFeePerGas"))?;
        Ok((base.saturating_mul(2).saturating_add(priority), priority))
    }
}

/// Maps a provider error of `method` to [`Error::Rpc`], URLs redacted.
fn rpc(method: &'static str) -> impl FnOnce(TransportError) -> Error {
    move |e| Error::Rpc {
        method,
        source: redact_transport(e),
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
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

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
        // https is never refused by the facade: TLS is the transport's business.
        assert!(Node::new("https://rpc.example").is_ok());
    }

    /// A loopback node that answers the n-th request (0-based) with `answers[n]`, or never answers
    /// (holds the connection) when that entry is `None`; returns its URL and request counter.
    fn scripted_node(answers: Vec<Option<&'static str>>) -> (String, Arc<AtomicUsize>) {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let answer = answers.get(n).copied().flatten();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream);
                    let (mut line, mut len) = (String::new(), 0);
                    while reader.read_line(&mut line).is_ok_and(|read| read > 0) {
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap_or(0);
                        }
                        line.clear();
                    }
                    let mut body = vec![0; len];
                    let _ = reader.read_exact(&mut body);
                    let mut stream = reader.into_inner();
                    match answer {
                        Some(json) => {
                            let _ = write!(
                                stream,
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
                                json.len()
                            );
                        }
                        None => std::thread::sleep(Duration::from_secs(5)),
                    }
                });
            }
        });
        (url, seen)
    }

    #[tokio::test]
    async fn an_unresponsive_node_fails_the_request_instead_of_hanging() {
        let (url, seen) = scripted_node(vec![None]);
        let node = Node::with_timeout(&url, Duration::from_millis(200)).unwrap();
        let result = tokio::time::timeout(Duration::from_secs(4), node.chain_id())
            .await
            .expect("bounded by the node request timeout");
        assert!(matches!(result, Err(Error::Rpc { .. })), "{result:?}");
        assert_eq!(seen.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_raw_transaction_is_refused_only_on_an_answer() {
        const REFUSED: &str =
            r#"{"jsonrpc":"2.0","id":0,"error":{"code":-32000,"message":"nonce too low"}}"#;
        const KNOWN: &str =
            r#"{"jsonrpc":"2.0","id":0,"error":{"code":-32000,"message":"already known"}}"#;
        let raw = Bytes::from_static(&[0x04, 0xc0]);

        // The node refuses: not sent.
        let (url, _) = scripted_node(vec![Some(REFUSED)]);
        let node = Node::with_timeout(&url, Duration::from_millis(300)).unwrap();
        let refused = node.submit_raw_transaction(raw.clone()).await.unwrap_err();
        assert!(refused.to_string().contains("nonce too low"), "{refused}");

        // No answer, then "already known" for the same bytes: accepted, sent twice at most.
        let (url, seen) = scripted_node(vec![None, Some(KNOWN)]);
        let node = Node::with_timeout(&url, Duration::from_millis(300)).unwrap();
        node.submit_raw_transaction(raw.clone()).await.unwrap();
        assert_eq!(seen.load(Ordering::SeqCst), 2);

        // Never answered: the caller waits for the hash it knows (no failure reported).
        let (url, seen) = scripted_node(vec![None, None]);
        let node = Node::with_timeout(&url, Duration::from_millis(300)).unwrap();
        node.submit_raw_transaction(raw).await.unwrap();
        assert_eq!(seen.load(Ordering::SeqCst), 2);
    }
}
