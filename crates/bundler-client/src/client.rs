//! The bundler client: calls, retries, timeouts, counting and tracing.

use crate::{
    AaCode, BundlerError, FailedOp, GasEstimate, GasPrices, RpcErrorKind, UserOperationByHash,
    UserOperationReceipt,
    metrics::{RequestCounter, RequestCounts},
    polling::ReceiptPolling,
    redact::RedactedUrl,
    revert::{revert_data_in, revert_data_in_message},
    transport::{BundlerTransport, Delivery, DeliveryError, HttpTransport, shorten},
};
use alloy_primitives::{Address, B256, Bytes};
use alloy_transport_http::reqwest::{self, Url};
use nexus_sessions_userop::{Quantity, UserOperation};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::{Value, value::RawValue};
use std::{
    fmt,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use tracing::Instrument;

/// Serialises as `[]`: bundlers such as alto reject a missing or `null` params member.
const NO_PARAMS: [(); 0] = [];

/// Settings of a [`BundlerClient`]; see [`BundlerClientBuilder`] for the defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Config {
    pub(crate) request_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) polling: ReceiptPolling,
    /// How long a send whose outcome is unclear is looked up before it is reported unknown.
    pub(crate) send_lookup: Duration,
    /// Whether receipt waiting rides out faults until its deadline.
    pub(crate) ride_out_receipt_faults: bool,
    /// After how long without the bundler knowing a pending operation it is resent.
    pub(crate) resend_forgotten_after: Option<Duration>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(10),
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            polling: ReceiptPolling::default(),
            send_lookup: Duration::from_secs(5),
            ride_out_receipt_faults: true,
            resend_forgotten_after: Some(Duration::from_secs(3)),
        }
    }
}

/// Configures a [`BundlerClient`].
///
/// Defaults: 10 s per request attempt, 3 retries on connection errors / HTTP 5xx / 429 / timeouts with
/// backoff from 100 ms doubling to 2 s, receipt polling as [`ReceiptPolling::default`] (every 50 ms
/// for 3 s, then doubling to 1 s), a send whose outcome is unclear looked up for 5 s, receipt waiting
/// that rides out faults, and a pending operation the bundler forgot resent after 3 s.
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct BundlerClientBuilder {
    endpoint: Endpoint,
    config: Config,
    chain_id: Option<u64>,
}

/// Where the built client sends its requests.
#[derive(Clone)]
enum Endpoint {
    /// A URL for [`HttpTransport`], with the reqwest client to use (default: a new one).
    Url(String, Option<reqwest::Client>),
    /// A transport, with the URL it was built from (a derived client's).
    Transport(Arc<dyn BundlerTransport>, Option<Url>),
}

// By hand: the URL may hold credentials.
impl fmt::Debug for BundlerClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("BundlerClientBuilder");
        match &self.endpoint {
            Endpoint::Url(url, _) => d.field("url", &RedactedUrl(url)),
            Endpoint::Transport(t, _) => d.field("transport", t),
        };
        d.field("config", &self.config)
            .field("chain_id", &self.chain_id)
            .finish()
    }
}

impl BundlerClientBuilder {
    /// Sends through this reqwest client (default headers such as API keys, proxies, extra root
    /// certificates). Applies to a URL given to [`BundlerClient::builder`]; with a transport it
    /// is ignored (configure the transport instead). With the `rustls` feature, call
    /// [`install_tls_provider`](crate::install_tls_provider) before building the reqwest client
    /// unless the application installs its own rustls provider.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        if let Endpoint::Url(_, client) = &mut self.endpoint {
            *client = Some(http);
        }
        self
    }

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

    /// How long [`BundlerClient::send_user_operation`] looks an operation up (resending the same
    /// signed operation and asking `eth_getUserOperationByHash`) when a send attempt may have reached
    /// the bundler but its answer was lost or unreadable, before it reports
    /// [`BundlerError::OutcomeUnknown`]. Default 5 s; zero looks once.
    pub fn send_lookup(mut self, window: Duration) -> Self {
        self.config.send_lookup = window;
        self
    }

    /// Whether receipt waiting ([`BundlerClient::wait_for_receipt`],
    /// [`BundlerClient::wait_or_resend`]) keeps polling through faults — unreachable bundler,
    /// timeouts, unreadable answers, JSON-RPC errors — until its deadline (default `true`). With
    /// `false` the first fault other than a transport error ends the wait.
    pub fn ride_out_receipt_faults(mut self, enabled: bool) -> Self {
        self.config.ride_out_receipt_faults = enabled;
        self
    }

    /// After how long [`BundlerClient::wait_or_resend`] resends the same signed operation when the
    /// bundler no longer knows it (no receipt and `eth_getUserOperationByHash` answers `null`, e.g.
    /// after a restart lost its mempool); `None` never resends. Default 3 s. A resend cannot make
    /// the operation land twice: its nonce is consumed by the first inclusion.
    pub fn resend_forgotten_after(mut self, after: Option<Duration>) -> Self {
        self.config.resend_forgotten_after = after;
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
        let (url, transport): (_, Arc<dyn BundlerTransport>) = match self.endpoint {
            Endpoint::Url(url, http) => {
                let http = match http {
                    Some(client) => HttpTransport::with_client(&url, client)?,
                    None => HttpTransport::new(&url)?,
                };
                (Some(http.url().clone()), Arc::new(http))
            }
            Endpoint::Transport(transport, url) => (url, transport),
        };
        let chain_id = OnceLock::new();
        if let Some(id) = self.chain_id {
            let _ = chain_id.set(id);
        }
        Ok(BundlerClient {
            inner: Arc::new(Inner {
                transport,
                next_id: AtomicU64::new(1),
                url,
                config: self.config,
                counter: RequestCounter::default(),
                chain_id,
            }),
        })
    }
}

/// An ERC-4337 bundler JSON-RPC client (over HTTP by default, any [`BundlerTransport`] otherwise).
/// Cheap to clone (shared transport and counters).
#[derive(Clone, Debug)]
pub struct BundlerClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// The URL of the default HTTP transport (`None` with a transport of the user's).
    url: Option<Url>,
    transport: Arc<dyn BundlerTransport>,
    /// The next JSON-RPC id; every attempt gets its own, so a late answer to an earlier attempt
    /// cannot pass for the current one.
    next_id: AtomicU64,
    pub(crate) config: Config,
    counter: RequestCounter,
    chain_id: OnceLock<u64>,
}

// By hand: the URL (also inside the transport) may hold credentials.
impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundlerClient")
            .field("transport", &self.transport)
            .field("config", &self.config)
            .field("chain_id", &self.chain_id.get())
            .finish_non_exhaustive()
    }
}

/// What one attempt produced, before the retry decision.
enum Attempt {
    /// The result member, as raw JSON text.
    Done(String),
    /// Not worth retrying; `delivered` when the bundler may have processed the request.
    Fatal {
        error: BundlerError,
        delivered: bool,
    },
    Retryable {
        status: Option<u16>,
        message: String,
        timed_out: bool,
        delivered: bool,
    },
}

impl BundlerClient {
    /// A client with default settings for `url`.
    pub fn new(url: &str) -> Result<Self, BundlerError> {
        Self::builder(url).build()
    }

    /// A builder for `url` (http or https), sent through [`HttpTransport`].
    pub fn builder(url: &str) -> BundlerClientBuilder {
        BundlerClientBuilder {
            endpoint: Endpoint::Url(url.to_owned(), None),
            config: Config::default(),
            chain_id: None,
        }
    }

    /// A builder sending through `transport` (see [`BundlerTransport`]).
    pub fn builder_with_transport(transport: impl BundlerTransport) -> BundlerClientBuilder {
        Self::builder_with_shared_transport(Arc::new(transport))
    }

    /// [`Self::builder_with_transport`] with a shared transport object.
    pub fn builder_with_shared_transport(
        transport: Arc<dyn BundlerTransport>,
    ) -> BundlerClientBuilder {
        BundlerClientBuilder {
            endpoint: Endpoint::Transport(transport, None),
            config: Config::default(),
            chain_id: None,
        }
    }

    /// A builder with this client's transport, settings and known chain id, to derive a client
    /// with other settings. The new client has its own request counters.
    pub fn to_builder(&self) -> BundlerClientBuilder {
        BundlerClientBuilder {
            endpoint: Endpoint::Transport(self.inner.transport.clone(), self.inner.url.clone()),
            config: self.inner.config.clone(),
            chain_id: self.inner.chain_id.get().copied(),
        }
    }

    /// The bundler URL, when the client was built from one.
    pub fn url(&self) -> Option<&Url> {
        self.inner.url.as_ref()
    }

    /// The transport requests go through.
    pub fn transport(&self) -> &Arc<dyn BundlerTransport> {
        &self.inner.transport
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

    pub(crate) async fn call<P: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &P,
    ) -> Result<R, BundlerError> {
        self.call_with(method, params, self.inner.config.max_retries)
            .await
            .map_err(|failure| failure.error)
    }

    /// [`Self::call`] with `max_retries` retries after transport faults, saying on failure whether
    /// any attempt may have reached the bundler.
    pub(crate) async fn call_with<P: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &P,
        max_retries: u32,
    ) -> Result<R, Failure> {
        let params = serde_json::to_value(params).map_err(|e| Failure {
            error: BundlerError::InvalidResponse {
                method,
                message: format!("could not serialise the parameters: {e}"),
                body: String::new(),
            },
            maybe_delivered: false,
            delivered_before: false,
        })?;
        let config = &self.inner.config;
        let mut backoff = config.initial_backoff;
        let mut attempt = 0u32;
        let mut maybe_delivered = false;
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
            let outcome = self.attempt(method, &params).instrument(span.clone()).await;
            span.record("latency_ms", started.elapsed().as_secs_f64() * 1e3);
            match outcome {
                Attempt::Done(raw) => {
                    span.record("outcome", "ok");
                    return serde_json::from_str(&raw).map_err(|e| Failure {
                        error: BundlerError::InvalidResponse {
                            method,
                            message: e.to_string(),
                            body: shorten(&raw),
                        },
                        maybe_delivered: true,
                        delivered_before: maybe_delivered,
                    });
                }
                Attempt::Fatal { error, delivered } => {
                    span.record("outcome", "error");
                    return Err(Failure {
                        error,
                        maybe_delivered: maybe_delivered || delivered,
                        delivered_before: maybe_delivered,
                    });
                }
                Attempt::Retryable {
                    status,
                    message,
                    timed_out,
                    delivered,
                } => {
                    let delivered_before = maybe_delivered;
                    maybe_delivered |= delivered;
                    span.record("outcome", if timed_out { "timeout" } else { "transport" });
                    if attempt > max_retries {
                        let error = if timed_out {
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
                        };
                        return Err(Failure {
                            error,
                            maybe_delivered,
                            delivered_before,
                        });
                    }
                    tracing::debug!(method, attempt, %message, ?backoff, "retrying bundler request");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(config.max_backoff);
                }
            }
        }
    }

    /// One round trip: the request with a fresh JSON-RPC id, the reply checked for that id.
    async fn attempt(&self, method: &'static str, params: &Value) -> Attempt {
        self.inner.counter.record(method);
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let body =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let request = self.inner.transport.send(body.to_string());
        let bytes = match tokio::time::timeout(self.inner.config.request_timeout, request).await {
            Ok(Ok(bytes)) => bytes,
            Ok(Err(e)) => return delivery_attempt(method, e),
            Err(_) => {
                return Attempt::Retryable {
                    status: None,
                    message: "request timed out".into(),
                    timed_out: true,
                    delivered: true,
                };
            }
        };
        read_reply(method, id, &bytes)
    }
}

/// Why a call failed, and whether any of its attempts may have reached the bundler (a request
/// that never did cannot have had an effect).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: BundlerError,
    pub(crate) maybe_delivered: bool,
    /// Whether an attempt before the last one may have reached the bundler.
    pub(crate) delivered_before: bool,
}

/// A JSON-RPC 2.0 response object; `result` stays raw until the caller's type reads it.
#[derive(Deserialize)]
struct Response<'a> {
    #[serde(default)]
    id: Value,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<ErrorObject>,
}

#[derive(Deserialize)]
struct ErrorObject {
    code: i64,
    #[serde(default)]
    message: String,
    #[serde(default)]
    data: Option<Value>,
}

/// Reads a 2xx reply body: a JSON-RPC result or error for request `id`.
fn read_reply(method: &'static str, id: u64, bytes: &[u8]) -> Attempt {
    let invalid = |message: String| Attempt::Fatal {
        error: BundlerError::InvalidResponse {
            method,
            message,
            body: shorten(&String::from_utf8_lossy(bytes)),
        },
        delivered: true,
    };
    let response: Response<'_> = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(e) => return invalid(e.to_string()),
    };
    // A server that could not read the request answers with a null id (JSON-RPC 2.0, 5.1).
    let id_ok = response.id == id || (response.error.is_some() && response.id.is_null());
    if !id_ok {
        return Attempt::Fatal {
            error: BundlerError::IdMismatch {
                method,
                expected: id,
                received: shorten(&response.id.to_string()),
            },
            delivered: true,
        };
    }
    match (response.error, response.result) {
        (Some(e), _) => Attempt::Fatal {
            error: rpc_error(method, e.code, e.message, e.data),
            delivered: true,
        },
        (None, Some(raw)) => Attempt::Done(raw.get().to_owned()),
        // `"result": null` (or no result member): the value is null.
        (None, None) => Attempt::Done("null".to_owned()),
    }
}

/// A failed exchange, as the transport classified it.
fn delivery_attempt(method: &'static str, e: DeliveryError) -> Attempt {
    let delivered = e.delivery() == Delivery::MaybeDelivered;
    if e.is_retryable() {
        Attempt::Retryable {
            status: e.status(),
            timed_out: e.is_timeout(),
            delivered,
            message: e.message().to_owned(),
        }
    } else {
        Attempt::Fatal {
            error: BundlerError::Transport {
                method,
                attempts: 1,
                status: e.status(),
                message: e.message().to_owned(),
            },
            delivered,
        }
    }
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
