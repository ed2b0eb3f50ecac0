//! The bundler client: calls, retries, timeouts, counting and tracing.

use crate::{
    AaCode, BundlerError, FailedOp, GasEstimate, GasPrices, RpcErrorKind, UserOperationByHash,
    UserOperationReceipt,
    metrics::{RequestCounter, RequestCounts},
    polling::ReceiptPolling,
    redact::{RedactedUrl, redact_url, redact_urls_in},
    revert::{revert_data_in, revert_data_in_message},
};
use alloy_json_rpc::RpcError;
use alloy_primitives::{Address, B256, Bytes};
use alloy_rpc_client::RpcClient;
use alloy_transport::TransportErrorKind;
use alloy_transport_http::reqwest::Url;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Value, value::RawValue};
use std::{
    fmt,
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};
use tracing::Instrument;
use userop::{Quantity, UserOperation};

/// Serialises as `[]`: bundlers such as alto reject a missing or `null` params member.
const NO_PARAMS: [(); 0] = [];

/// Settings of a [`BundlerClient`]; see [`BundlerClientBuilder`] for the defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Config {
    request_timeout: Duration,
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    polling: ReceiptPolling,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(10),
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            polling: ReceiptPolling::default(),
        }
    }
}

/// Configures a [`BundlerClient`].
///
/// Defaults: 10 s per request attempt, 3 retries on connection errors / HTTP 5xx / 429 / timeouts with
/// backoff from 100 ms doubling to 2 s, receipt polling as [`ReceiptPolling::default`] (every 50 ms
/// for 3 s, then doubling to 1 s).
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct BundlerClientBuilder {
    url: String,
    config: Config,
    chain_id: Option<u64>,
}

// By hand: the URL may hold credentials.
impl fmt::Debug for BundlerClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundlerClientBuilder")
            .field("url", &RedactedUrl(&self.url))
            .field("config", &self.config)
            .field("chain_id", &self.chain_id)
            .finish()
    }
}

impl BundlerClientBuilder {
    /// Bounds every request attempt.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// How many times a request is retried after a transport fault (0 disables retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.config.max_retries = retries;
        self
    }

    /// The first retry delay and its cap; the delay doubles in between.
    pub fn retry_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.config.initial_backoff = initial;
        self.config.max_backoff = max.max(initial);
        self
    }

    /// How [`BundlerClient::wait_for_receipt`] paces its polls (see [`ReceiptPolling`] for the
    /// request-rate trade-off).
    pub fn receipt_polling(mut self, polling: ReceiptPolling) -> Self {
        self.config.polling = polling;
        self
    }

    /// The chain id, used to compute userOpHashes locally; without it the client asks `eth_chainId`
    /// once, when it first needs it.
    pub fn chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = Some(chain_id);
        self
    }

    /// Builds the client; fails only on an unparsable URL.
    pub fn build(self) -> Result<BundlerClient, BundlerError> {
        let url = Url::parse(&self.url).map_err(|e| BundlerError::InvalidUrl {
            url: redact_url(&self.url),
            message: e.to_string(),
        })?;
        check_scheme(&url)?;
        let chain_id = OnceLock::new();
        if let Some(id) = self.chain_id {
            let _ = chain_id.set(id);
        }
        Ok(BundlerClient {
            inner: Arc::new(Inner {
                rpc: RpcClient::new_http(url.clone()),
                url,
                config: self.config,
                counter: RequestCounter::default(),
                chain_id,
            }),
        })
    }
}

/// An ERC-4337 bundler JSON-RPC client over HTTP. Cheap to clone (shared connection pool and counters).
#[derive(Clone, Debug)]
pub struct BundlerClient {
    inner: Arc<Inner>,
}

struct Inner {
    url: Url,
    rpc: RpcClient,
    config: Config,
    counter: RequestCounter,
    chain_id: OnceLock<u64>,
}

// By hand: the URL (also inside the transport) may hold credentials.
impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundlerClient")
            .field("url", &RedactedUrl(self.url.as_str()))
            .field("config", &self.config)
            .field("chain_id", &self.chain_id.get())
            .finish_non_exhaustive()
    }
}

/// What one attempt produced, before the retry decision.
enum Attempt {
    Done(Box<RawValue>),
    Fatal(BundlerError),
    Retryable {
        status: Option<u16>,
        message: String,
        timed_out: bool,
    },
}

impl BundlerClient {
    /// A client with default settings for `url`.
    pub fn new(url: &str) -> Result<Self, BundlerError> {
        Self::builder(url).build()
    }

    /// A builder for `url`.
    pub fn builder(url: &str) -> BundlerClientBuilder {
        BundlerClientBuilder {
            url: url.to_owned(),
            config: Config::default(),
            chain_id: None,
        }
    }

    /// The bundler URL.
    pub fn url(&self) -> &Url {
        &self.inner.url
    }

    /// `eth_sendUserOperation`: submits `op` to `entry_point` and returns its userOpHash.
    ///
    /// Safe to call again with the same operation: transport faults are retried, and a bundler answer of
    /// "already known" / "already in mempool" counts as success, returning the locally computed hash
    /// (chain id from the builder, else one `eth_chainId`). An AA25 (nonce used) answer, or AA10 (sender
    /// already constructed) for an operation with a factory, also counts as success when
    /// `eth_getUserOperationByHash` shows this very operation, i.e. an earlier attempt was already
    /// included.
    pub async fn send_user_operation(
        &self,
        op: &UserOperation,
        entry_point: Address,
    ) -> Result<B256, BundlerError> {
        const METHOD: &str = "eth_sendUserOperation";
        op.validate()?;
        let params = (op, entry_point);
        match self.call::<_, B256>(METHOD, &params).await {
            Ok(hash) => {
                if let Some(chain_id) = self.inner.chain_id.get() {
                    let local = op.hash(entry_point, *chain_id);
                    if local != hash {
                        tracing::warn!(%hash, %local, chain_id, "bundler returned a userOpHash that differs from the local one; check the chain id and entry point");
                    }
                }
                Ok(hash)
            }
            Err(err) if err.is_already_known() => {
                let hash = op.hash(entry_point, self.chain_id().await?);
                tracing::debug!(%hash, "bundler already has the operation; treating the send as done");
                Ok(hash)
            }
            // A resend after a lost answer can find the operation already included: its nonce is used
            // (AA25) or, for an operation that deploys the account, the factory now fails first (AA10,
            // sender already constructed). If the bundler knows this very operation, the send did happen.
            Err(err) if included_already(&err, op) => {
                let hash = op.hash(entry_point, self.chain_id().await?);
                match self.get_user_operation_by_hash(hash).await {
                    Ok(Some(_)) => {
                        tracing::debug!(%hash, "nonce used by this very operation; treating the send as done");
                        Ok(hash)
                    }
                    _ => Err(err),
                }
            }
            Err(err) => Err(err),
        }
    }

    /// `eth_estimateUserOperationGas`, with optional state overrides as the third parameter.
    pub async fn estimate_user_operation_gas(
        &self,
        op: &UserOperation,
        entry_point: Address,
        state_overrides: Option<Value>,
    ) -> Result<GasEstimate, BundlerError> {
        const METHOD: &str = "eth_estimateUserOperationGas";
        op.validate()?;
        match state_overrides {
            Some(overrides) => self.call(METHOD, &(op, entry_point, overrides)).await,
            None => self.call(METHOD, &(op, entry_point)).await,
        }
    }

    /// `eth_getUserOperationByHash`; `None` when the bundler does not know the hash.
    pub async fn get_user_operation_by_hash(
        &self,
        hash: B256,
    ) -> Result<Option<UserOperationByHash>, BundlerError> {
        self.call("eth_getUserOperationByHash", &[hash]).await
    }

    /// `eth_getUserOperationReceipt`; `None` while the operation is pending (or unknown).
    pub async fn get_user_operation_receipt(
        &self,
        hash: B256,
    ) -> Result<Option<UserOperationReceipt>, BundlerError> {
        self.call("eth_getUserOperationReceipt", &[hash]).await
    }

    /// `eth_supportedEntryPoints`.
    pub async fn supported_entry_points(&self) -> Result<Vec<Address>, BundlerError> {
        self.call("eth_supportedEntryPoints", &NO_PARAMS).await
    }

    /// The chain id: the one given to [`BundlerClientBuilder::chain_id`], else `eth_chainId` asked of the
    /// bundler once and remembered.
    pub async fn chain_id(&self) -> Result<u64, BundlerError> {
        if let Some(id) = self.inner.chain_id.get() {
            return Ok(*id);
        }
        let id = self.fetch_chain_id().await?;
        let _ = self.inner.chain_id.set(id);
        Ok(id)
    }

    async fn fetch_chain_id(&self) -> Result<u64, BundlerError> {
        const METHOD: &str = "eth_chainId";
        let q: Quantity = self.call(METHOD, &NO_PARAMS).await?;
        q.to_u64("chainId")
            .map_err(|e| BundlerError::InvalidResponse {
                method: METHOD,
                message: e.to_string(),
                body: q.to_string(),
            })
    }

    /// `pimlico_getUserOperationGasPrice`: slow / standard / fast fee levels.
    pub async fn user_operation_gas_price(&self) -> Result<GasPrices, BundlerError> {
        self.call("pimlico_getUserOperationGasPrice", &NO_PARAMS)
            .await
    }

    /// Polls `eth_getUserOperationReceipt` until the operation is included or `timeout` passes.
    ///
    /// Polls at once, then as [`BundlerClientBuilder::receipt_polling`] says (default: every 50 ms
    /// for the first 3 s, then doubling up to 1 s). Transport faults while polling are retried until
    /// the deadline; a JSON-RPC error or unreadable answer ends the wait. On timeout the error is
    /// [`BundlerError::ReceiptTimeout`] carrying the hash.
    pub async fn wait_for_receipt(
        &self,
        hash: B256,
        timeout: Duration,
    ) -> Result<UserOperationReceipt, BundlerError> {
        let start = Instant::now();
        let deadline = tokio::time::Instant::from_std(start + timeout);
        let polling = self.inner.config.polling;
        let mut previous = None;
        let span = tracing::debug_span!("wait_for_receipt", %hash);
        async {
            loop {
                match tokio::time::timeout_at(deadline, self.get_user_operation_receipt(hash)).await
                {
                    Ok(Ok(Some(receipt))) => return Ok(receipt),
                    Ok(Ok(None)) => {}
                    Ok(Err(BundlerError::Transport { .. } | BundlerError::Timeout { .. })) => {}
                    Ok(Err(err)) => return Err(err),
                    Err(_) => break,
                }
                let delay = polling.next_delay(start.elapsed(), previous);
                previous = Some(delay);
                if tokio::time::Instant::now() + delay >= deadline {
                    // One last look at the deadline rather than giving up early.
                    tokio::time::sleep_until(deadline).await;
                    if let Ok(Some(receipt)) = self.get_user_operation_receipt(hash).await {
                        return Ok(receipt);
                    }
                    break;
                }
                tokio::time::sleep(delay).await;
            }
            Err(BundlerError::ReceiptTimeout {
                hash,
                waited: start.elapsed(),
            })
        }
        .instrument(span)
        .await
    }

    /// Total requests made so far (every attempt counts).
    pub fn request_count(&self) -> u64 {
        self.inner.counter.total()
    }

    /// Requests made so far, per method.
    pub fn request_counts(&self) -> RequestCounts {
        self.inner.counter.snapshot()
    }

    /// Sets all request counters to zero.
    pub fn reset_request_counts(&self) {
        self.inner.counter.reset();
    }

    /// Any JSON-RPC method on the bundler, with this client's retries, timeout, counting and errors.
    pub async fn request<P: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &P,
    ) -> Result<R, BundlerError> {
        self.call(method, params).await
    }

    async fn call<P: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &P,
    ) -> Result<R, BundlerError> {
        let params = serde_json::to_value(params).map_err(|e| BundlerError::InvalidResponse {
            method,
            message: format!("could not serialise the parameters: {e}"),
            body: String::new(),
        })?;
        let config = &self.inner.config;
        let mut backoff = config.initial_backoff;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let span = tracing::debug_span!(
                "bundler_rpc",
                method,
                attempt,
                latency_ms = tracing::field::Empty,
                outcome = tracing::field::Empty
            );
            let started = Instant::now();
            let outcome = self
                .attempt(method, params.clone())
                .instrument(span.clone())
                .await;
            span.record("latency_ms", started.elapsed().as_secs_f64() * 1e3);
            match outcome {
                Attempt::Done(raw) => {
                    span.record("outcome", "ok");
                    return serde_json::from_str(raw.get()).map_err(|e| {
                        BundlerError::InvalidResponse {
                            method,
                            message: e.to_string(),
                            body: shorten(raw.get()),
                        }
                    });
                }
                Attempt::Fatal(err) => {
                    span.record("outcome", "error");
                    return Err(err);
                }
                Attempt::Retryable {
                    status,
                    message,
                    timed_out,
                } => {
                    span.record("outcome", if timed_out { "timeout" } else { "transport" });
                    if attempt > config.max_retries {
                        return Err(if timed_out {
                            BundlerError::Timeout {
                                method,
                                timeout: config.request_timeout,
                                attempts: attempt,
                            }
                        } else {
                            BundlerError::Transport {
                                method,
                                attempts: attempt,
                                status,
                                message,
                            }
                        });
                    }
                    tracing::debug!(method, attempt, %message, ?backoff, "retrying bundler request");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(config.max_backoff);
                }
            }
        }
    }

    async fn attempt(&self, method: &'static str, params: Value) -> Attempt {
        self.inner.counter.record(method);
        let call = self
            .inner
            .rpc
            .request::<Value, Box<RawValue>>(method, params);
        let result = match tokio::time::timeout(self.inner.config.request_timeout, call).await {
            Ok(result) => result,
            Err(_) => {
                return Attempt::Retryable {
                    status: None,
                    message: "request timed out".into(),
                    timed_out: true,
                };
            }
        };
        match result {
            Ok(raw) => Attempt::Done(raw),
            Err(RpcError::ErrorResp(payload)) => {
                let data = payload
                    .data
                    .as_ref()
                    .and_then(|raw| serde_json::from_str::<Value>(raw.get()).ok());
                Attempt::Fatal(rpc_error(
                    method,
                    payload.code,
                    payload.message.into_owned(),
                    data,
                ))
            }
            Err(RpcError::NullResp) => match RawValue::from_string("null".into()) {
                Ok(raw) => Attempt::Done(raw),
                Err(e) => Attempt::Fatal(BundlerError::InvalidResponse {
                    method,
                    message: e.to_string(),
                    body: "null".into(),
                }),
            },
            Err(RpcError::DeserError { err, text }) => {
                Attempt::Fatal(BundlerError::InvalidResponse {
                    method,
                    message: err.to_string(),
                    body: shorten(&text),
                })
            }
            Err(RpcError::Transport(kind)) => transport_attempt(method, kind),
            Err(other) => Attempt::Fatal(BundlerError::InvalidResponse {
                method,
                message: other.to_string(),
                body: String::new(),
            }),
        }
    }
}

fn transport_attempt(method: &'static str, kind: TransportErrorKind) -> Attempt {
    let retryable_status = |status: u16| status >= 500 || status == 429 || status == 408;
    match kind {
        TransportErrorKind::HttpError(http) if !retryable_status(http.status) => {
            Attempt::Fatal(BundlerError::Transport {
                method,
                attempts: 1,
                status: Some(http.status),
                message: format!("HTTP {}: {}", http.status, shorten(&http.body)),
            })
        }
        TransportErrorKind::HttpError(http) => Attempt::Retryable {
            status: Some(http.status),
            message: format!("HTTP {}: {}", http.status, shorten(&http.body)),
            timed_out: false,
        },
        TransportErrorKind::HttpErrorWithRetryAfter { error, .. } => Attempt::Retryable {
            status: Some(error.status),
            message: format!("HTTP {}: {}", error.status, shorten(&error.body)),
            timed_out: false,
        },
        TransportErrorKind::NonRetryable(err) => Attempt::Fatal(BundlerError::Transport {
            method,
            attempts: 1,
            status: None,
            message: error_chain(&*err),
        }),
        // Connection refused/reset, DNS, TLS, body read failures: the request may not have arrived.
        other => Attempt::Retryable {
            status: None,
            message: error_chain(&other),
            timed_out: false,
        },
    }
}

/// The error and its sources on one line (reqwest hides "connection refused" in the source chain).
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    // reqwest quotes the URL it failed on.
    redact_urls_in(&text)
}

fn rpc_error(
    method: &'static str,
    code: i64,
    message: String,
    data: Option<Value>,
) -> BundlerError {
    let data_revert = data.as_ref().and_then(revert_data_in);
    let failed_op = data_revert.as_deref().and_then(FailedOp::decode);
    let inner_revert = match &failed_op {
        Some(failed) => failed.inner.clone(),
        None => data_revert.map(Bytes::from),
    }
    .or_else(|| revert_data_in_message(&message));
    let aa = AaCode::find_in(&message).or_else(|| failed_op.as_ref().and_then(FailedOp::aa_code));
    BundlerError::Rpc {
        method,
        code,
        message,
        data: data.map(Box::new),
        kind: RpcErrorKind::from_code(code),
        aa,
        failed_op: failed_op.map(Box::new),
        inner_revert,
    }
}

/// At most 300 characters of a reply body, on one line, for error messages.
fn shorten(text: &str) -> String {
    const MAX: usize = 300;
    let mut end = text.len().min(MAX);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut short: String = text[..end]
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if end < text.len() {
        short.push_str(&format!("… ({} bytes)", text.len()));
    }
    short
}

/// Refuses schemes the HTTP transport cannot speak, so a missing TLS feature is a clear error at build time
/// rather than a connection failure on the first request.
fn check_scheme(url: &Url) -> Result<(), BundlerError> {
    let invalid = |message: &str| BundlerError::InvalidUrl {
        url: redact_url(url.as_str()),
        message: message.into(),
    };
    match url.scheme() {
        "http" => Ok(()),
        "https" if cfg!(feature = "rustls") => Ok(()),
        "https" => Err(invalid(
            "https needs the `rustls` feature of bundler-client (or of nexus)",
        )),
        other => Err(invalid(&format!(
            "unsupported scheme `{other}`: use http or https"
        ))),
    }
}

/// Whether a send error may mean that an earlier attempt of `op` was already included, so the client
/// should look the operation up before reporting the error.
fn included_already(err: &BundlerError, op: &UserOperation) -> bool {
    match err.aa_code() {
        Some(AaCode::AA25) => true,
        Some(AaCode::AA10) => op.factory.is_some(),
        _ => false,
    }
}
