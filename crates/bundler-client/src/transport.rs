//! How a [`BundlerClient`](crate::BundlerClient) reaches its bundler: a [`BundlerTransport`] sends
//! one JSON-RPC request body and returns the reply body, or a [`DeliveryError`] saying whether the
//! request may have arrived. [`HttpTransport`] (reqwest) is the default; bring your own for
//! another protocol, a test double, or a stack of middleware.
//!
//! The client keeps the envelope (ids, retries, timeouts, counters) to itself: a transport only
//! moves bytes and classifies failures, which is what the exactly-once guarantees of
//! [`BundlerClient::send_user_operation`](crate::BundlerClient::send_user_operation) rest on.

use crate::{
    BundlerError,
    redact::{RedactedUrl, redact_url, redact_urls_in},
};
use alloy_transport_http::reqwest::{self, Url, header::CONTENT_TYPE};
use std::{fmt, future::Future, pin::Pin};

/// What [`BundlerTransport::send`] returns: the reply body, or why there is none.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<u8>, DeliveryError>> + Send + 'a>>;

/// Carries one JSON-RPC request body to the bundler and brings the reply body back.
///
/// Implementations must classify every failure honestly: [`Delivery::NotDelivered`] only when the
/// request provably never reached the bundler (connection refused, refused before processing,
/// e.g. HTTP 401); anything that may have arrived is [`Delivery::MaybeDelivered`]. The client
/// bounds each call with its request timeout (a timed-out call counts as maybe delivered).
///
/// ```
/// use nexus_sessions_bundler::{BundlerClient, BundlerTransport, DeliveryError, TransportFuture};
///
/// /// Answers every request with `eth_chainId`'s reply for chain 1, without a network.
/// #[derive(Debug)]
/// struct ChainOne;
///
/// impl BundlerTransport for ChainOne {
///     fn send(&self, body: String) -> TransportFuture<'_> {
///         Box::pin(async move {
///             let request: serde_json::Value = serde_json::from_str(&body)
///                 .map_err(|e| DeliveryError::not_delivered(e.to_string()))?;
///             let reply = serde_json::json!({"jsonrpc": "2.0", "id": request["id"], "result": "0x1"});
///             Ok(reply.to_string().into_bytes())
///         })
///     }
/// }
///
/// # async fn run() -> Result<(), nexus_sessions_bundler::BundlerError> {
/// let bundler = BundlerClient::builder_with_transport(ChainOne).build()?;
/// assert_eq!(bundler.chain_id().await?, 1);
/// # Ok(())
/// # }
/// ```
pub trait BundlerTransport: fmt::Debug + Send + Sync + 'static {
    /// Sends one request body (a JSON-RPC 2.0 request object) and returns the reply body of a
    /// successful exchange (for HTTP: a 2xx status).
    fn send(&self, body: String) -> TransportFuture<'_>;
}

/// Whether a failed request may have reached the bundler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// It provably did not (e.g. connection refused): it cannot have had an effect.
    NotDelivered,
    /// It may have (answer lost, gateway error, timeout): a send may still land.
    MaybeDelivered,
}

/// A failed exchange, classified for the retry and exactly-once decisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryError {
    delivery: Delivery,
    retryable: bool,
    timed_out: bool,
    status: Option<u16>,
    message: String,
}

impl DeliveryError {
    /// The request never reached the bundler (e.g. connection refused); retried.
    pub fn not_delivered(message: impl Into<String>) -> Self {
        Self::new(Delivery::NotDelivered, true, message)
    }

    /// The request may have reached the bundler (e.g. connection reset after sending); retried.
    pub fn maybe_delivered(message: impl Into<String>) -> Self {
        Self::new(Delivery::MaybeDelivered, true, message)
    }

    /// The bundler (or a gateway in front of it) refused the request before processing it
    /// (authentication, routing): not delivered and not retried.
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(Delivery::NotDelivered, false, message)
    }

    /// An HTTP error status with its body: 5xx, 429 and 408 are retried and may have been
    /// processed behind a gateway; other statuses are [`refused`](Self::refused).
    pub fn http_status(status: u16, body: &[u8]) -> Self {
        let message = format!("HTTP {status}: {}", shorten(&String::from_utf8_lossy(body)));
        let error = if status >= 500 || status == 429 || status == 408 {
            Self::maybe_delivered(message)
        } else {
            Self::refused(message)
        };
        error.with_status(status)
    }

    fn new(delivery: Delivery, retryable: bool, message: impl Into<String>) -> Self {
        Self {
            delivery,
            retryable,
            timed_out: false,
            status: None,
            message: message.into(),
        }
    }

    /// The same error carrying the HTTP status the bundler answered.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The same error marked as a timeout (reported as [`BundlerError::Timeout`] once retries
    /// run out).
    pub fn timed_out(mut self) -> Self {
        self.timed_out = true;
        self
    }

    /// Whether the request may have reached the bundler.
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// Whether the client retries after this error.
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }

    /// Whether the exchange timed out.
    pub fn is_timeout(&self) -> bool {
        self.timed_out
    }

    /// The HTTP status, if the bundler answered with one.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// What went wrong (no credentials: transports redact URLs).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeliveryError {}

/// JSON-RPC over HTTP(S) with reqwest: the default transport.
///
/// Pass your own [`reqwest::Client`] to [`HttpTransport::with_client`] for default headers (API
/// keys), proxies, extra root certificates or timeouts.
#[derive(Clone)]
pub struct HttpTransport {
    url: Url,
    http: reqwest::Client,
}

// By hand: the URL may hold credentials.
impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("url", &RedactedUrl(self.url.as_str()))
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A transport for `url` (http or https) with a default reqwest client.
    pub fn new(url: &str) -> Result<Self, BundlerError> {
        crate::tls::install_tls_provider();
        Self::with_client(url, reqwest::Client::new())
    }

    /// A transport for `url` sending through `http` (its default headers, TLS roots, proxy...).
    pub fn with_client(url: &str, http: reqwest::Client) -> Result<Self, BundlerError> {
        let url = Url::parse(url).map_err(|e| BundlerError::InvalidUrl {
            url: redact_url(url),
            message: e.to_string(),
        })?;
        // The only scheme check: this transport speaks HTTP. Whether `https` works depends on
        // the TLS backend compiled into reqwest (the `rustls` feature, or the application's).
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BundlerError::InvalidUrl {
                url: redact_url(url.as_str()),
                message: format!("unsupported scheme `{}`: use http or https", url.scheme()),
            });
        }
        Ok(Self { url, http })
    }

    /// The endpoint URL.
    pub fn url(&self) -> &Url {
        &self.url
    }
}

impl BundlerTransport for HttpTransport {
    fn send(&self, body: String) -> TransportFuture<'_> {
        Box::pin(async move {
            let response = self
                .http
                .post(self.url.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await
                .map_err(reqwest_error)?;
            let status = response.status();
            let bytes = response.bytes().await.map_err(reqwest_error)?;
            if !status.is_success() {
                return Err(DeliveryError::http_status(status.as_u16(), &bytes));
            }
            Ok(bytes.into())
        })
    }
}

/// A request that failed below HTTP. Only a failed connect proves the request never left. The URL
/// is left out of the message: it may carry credentials (the client's URL is known to the caller).
fn reqwest_error(err: reqwest::Error) -> DeliveryError {
    let (timed_out, builder, connect) = (err.is_timeout(), err.is_builder(), err.is_connect());
    let message = redact_urls_in(&crate::error_chain_text(&err.without_url()));
    let error = if builder {
        // Refused before anything was sent (e.g. https without a TLS backend).
        DeliveryError::refused(message)
    } else if connect {
        DeliveryError::not_delivered(message)
    } else {
        DeliveryError::maybe_delivered(message)
    };
    if timed_out { error.timed_out() } else { error }
}

/// At most 300 characters of a reply body, on one line, for error messages.
pub(crate) fn shorten(text: &str) -> String {
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

/// An alloy transport (any `tower` service of alloy's RPC stack: an `RpcClient`'s
/// [`BoxTransport`](alloy_transport::BoxTransport), with its layers) carrying the bundler's requests,
/// so one middleware stack (auth headers, tracing, rate limits) serves node and bundler alike.
///
/// The client's envelope is passed through unchanged (the id is echoed back and checked) and
/// alloy's errors are classified: an HTTP status as [`DeliveryError::http_status`], a reqwest
/// connect failure as not delivered, a request that could not be prepared as refused, anything
/// else as maybe delivered.
///
/// ```
/// use alloy_rpc_client::ClientBuilder;
/// use nexus_sessions_bundler::{AlloyTransport, BundlerClient, install_tls_provider};
///
/// install_tls_provider();
/// let rpc = ClientBuilder::default().http("http://127.0.0.1:4337".parse().unwrap()); // + .layer(..)s
/// let bundler = BundlerClient::builder_with_transport(AlloyTransport::new(rpc.transport().clone()))
///     .build()
///     .unwrap();
/// # let _ = bundler;
/// ```
#[derive(Clone, Debug)]
pub struct AlloyTransport {
    inner: alloy_transport::BoxTransport,
}

impl AlloyTransport {
    /// Wraps an alloy transport (e.g. `rpc_client.transport().clone()`).
    pub fn new(transport: impl alloy_transport::IntoBoxTransport) -> Self {
        Self {
            inner: transport.into_box_transport(),
        }
    }
}

impl BundlerTransport for AlloyTransport {
    fn send(&self, body: String) -> TransportFuture<'_> {
        use alloy_json_rpc::{Request, RequestPacket, ResponsePacket};
        use serde_json::value::RawValue;
        use tower::Service;
        Box::pin(async move {
            let refused = |e: serde_json::Error| {
                DeliveryError::refused(format!("could not prepare the request: {e}"))
            };
            let request: Request<Box<RawValue>> = serde_json::from_str(&body).map_err(refused)?;
            let packet = RequestPacket::Single(request.serialize().map_err(refused)?);
            let mut service = self.inner.clone();
            std::future::poll_fn(|cx| service.poll_ready(cx))
                .await
                .map_err(alloy_error)?;
            match service.call(packet).await.map_err(alloy_error)? {
                ResponsePacket::Single(response) => serde_json::to_vec(&response)
                    .map_err(|e| DeliveryError::maybe_delivered(e.to_string())),
                ResponsePacket::Batch(_) => Err(DeliveryError::maybe_delivered(
                    "a batch answer to a single request",
                )),
            }
        })
    }
}

/// Classifies an alloy transport error; URLs redacted.
fn alloy_error(e: alloy_transport::TransportError) -> DeliveryError {
    use alloy_json_rpc::RpcError;
    use alloy_transport::TransportErrorKind as Kind;
    let message = redact_urls_in(&crate::error_chain_text(&e));
    match &e {
        RpcError::Transport(Kind::HttpError(http))
        | RpcError::Transport(Kind::HttpErrorWithRetryAfter { error: http, .. }) => {
            DeliveryError::http_status(http.status, http.body.as_bytes())
        }
        RpcError::Transport(Kind::Custom(inner))
        | RpcError::Transport(Kind::NonRetryable(inner)) => {
            match inner.downcast_ref::<reqwest::Error>() {
                Some(r) if r.is_builder() => DeliveryError::refused(message),
                Some(r) if r.is_connect() => DeliveryError::not_delivered(message),
                Some(r) if r.is_timeout() => DeliveryError::maybe_delivered(message).timed_out(),
                _ => DeliveryError::maybe_delivered(message),
            }
        }
        RpcError::SerError(_) | RpcError::LocalUsageError(_) | RpcError::UnsupportedFeature(_) => {
            DeliveryError::refused(message)
        }
        _ => DeliveryError::maybe_delivered(message),
    }
}
