//! Where a client reads the chain ([`NodeEndpoint`]: a URL or an alloy provider of yours) and
//! sends operations ([`BundlerEndpoint`]: a URL, a prepared [`BundlerClient`] or a
//! [`BundlerTransport`]). URLs are the shortcut; bring your own for auth headers, retry or
//! rate-limit layers, websocket or IPC nodes, test doubles.

use crate::request_counter::RequestCountLayer;
use alloy_provider::{DynProvider, Provider};
use nexus_sessions_bundler::{BundlerClient, BundlerTransport, RedactedUrl};
use std::{fmt, sync::Arc};

/// The node a client reads the chain from.
///
/// From a URL (`&str`, `String`: alloy's HTTP transport, http or https, with a
/// [`RequestCountLayer`] installed) or from any alloy [`Provider`] ([`NodeEndpoint::provider`],
/// or a [`DynProvider`] through `From`). The clients read through `Provider` methods
/// (`get_code_at`, `call`, `get_block_by_number`, ...), so the provider's layers (headers, retries,
/// caching, rate limits) apply to every read.
///
/// ```no_run
/// use alloy_provider::{Provider, RootProvider};
/// use alloy_rpc_client::ClientBuilder;
/// use nexus_sessions::{
///     Deployment, NexusClient, NodeEndpoint, PrivateKeySigner, RequestCountLayer,
///     install_tls_provider,
/// };
///
/// # async fn run(deployment: Deployment) -> Result<(), Box<dyn std::error::Error>> {
/// install_tls_provider(); // before building any reqwest client (see the crate's TLS notes)
/// let counts = RequestCountLayer::new();
/// let client = ClientBuilder::default()
///     .layer(counts.clone()) // add your own layers here: auth, retries, rate limits
///     .http("https://rpc.example/v2/KEY".parse()?);
/// let node = NodeEndpoint::provider(RootProvider::new(client)).with_request_counter(counts);
/// let owner = NexusClient::builder(
///     PrivateKeySigner::random(),
///     node,
///     "https://bundler.example/v2/KEY",
///     deployment,
/// )
/// .build()
/// .await?;
/// println!("{} node requests so far", owner.rpc_stats().node);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct NodeEndpoint {
    pub(crate) kind: NodeKind,
}

#[derive(Clone)]
pub(crate) enum NodeKind {
    Url(String),
    Provider {
        provider: DynProvider,
        counter: Option<RequestCountLayer>,
    },
}

impl NodeEndpoint {
    /// A node at `url` (http or https).
    pub fn url(url: impl Into<String>) -> Self {
        Self {
            kind: NodeKind::Url(url.into()),
        }
    }

    /// A provider of yours. Node request counts ([`NexusClient::rpc_stats`](crate::NexusClient::rpc_stats),
    /// `node_request_counts`) read zero unless you install a [`RequestCountLayer`] in its client
    /// and pass it to [`with_request_counter`](Self::with_request_counter).
    pub fn provider(provider: impl Provider + 'static) -> Self {
        Self {
            kind: NodeKind::Provider {
                provider: DynProvider::new(provider),
                counter: None,
            },
        }
    }

    /// The [`RequestCountLayer`] installed in the provider's RPC client, read by the clients'
    /// request counters. Ignored for a URL (which installs its own).
    pub fn with_request_counter(mut self, layer: RequestCountLayer) -> Self {
        if let NodeKind::Provider { counter, .. } = &mut self.kind {
            *counter = Some(layer);
        }
        self
    }
}

// By hand: the URL may hold credentials.
impl fmt::Debug for NodeEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            NodeKind::Url(url) => f.debug_tuple("Url").field(&RedactedUrl(url)).finish(),
            NodeKind::Provider { counter, .. } => f
                .debug_struct("Provider")
                .field("counted", &counter.is_some())
                .finish_non_exhaustive(),
        }
    }
}

impl From<&str> for NodeEndpoint {
    fn from(url: &str) -> Self {
        Self::url(url)
    }
}

impl From<String> for NodeEndpoint {
    fn from(url: String) -> Self {
        Self::url(url)
    }
}

impl From<&String> for NodeEndpoint {
    fn from(url: &String) -> Self {
        Self::url(url.as_str())
    }
}

impl From<DynProvider> for NodeEndpoint {
    fn from(provider: DynProvider) -> Self {
        Self {
            kind: NodeKind::Provider {
                provider,
                counter: None,
            },
        }
    }
}

/// The bundler a client sends operations to.
///
/// From a URL (`&str`, `String`: [`HttpTransport`](nexus_sessions_bundler::HttpTransport)), a
/// prepared [`BundlerClient`] (its transport and settings; the client builder's bundler settings
/// such as `bundler_max_retries` apply on top, and the client gets its own request counters), or
/// any [`BundlerTransport`] ([`BundlerEndpoint::transport`]).
///
/// ```no_run
/// use nexus_sessions::{
///     BundlerClient, Deployment, NexusClient, PrivateKeySigner, install_tls_provider,
///     reqwest::{self, header::{HeaderMap, HeaderValue}},
/// };
///
/// # async fn run(deployment: Deployment) -> Result<(), Box<dyn std::error::Error>> {
/// // An API key header on every bundler request, through a reqwest client of yours.
/// install_tls_provider();
/// let mut headers = HeaderMap::new();
/// headers.insert("x-api-key", HeaderValue::from_static("KEY"));
/// let http = reqwest::Client::builder().default_headers(headers).build()?;
/// let bundler = BundlerClient::builder("https://bundler.example").http_client(http).build()?;
/// let owner = NexusClient::builder(
///     PrivateKeySigner::random(),
///     "https://rpc.example",
///     bundler,
///     deployment,
/// )
/// .build()
/// .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct BundlerEndpoint {
    pub(crate) kind: BundlerKind,
}

#[derive(Clone)]
pub(crate) enum BundlerKind {
    Url(String),
    Client(BundlerClient),
    Transport(Arc<dyn BundlerTransport>),
}

impl BundlerEndpoint {
    /// A bundler at `url` (http or https).
    pub fn url(url: impl Into<String>) -> Self {
        Self {
            kind: BundlerKind::Url(url.into()),
        }
    }

    /// A bundler reached through `transport` (headers, another protocol, a test double).
    pub fn transport(transport: impl BundlerTransport) -> Self {
        Self::shared_transport(Arc::new(transport))
    }

    /// [`Self::transport`] with a shared transport object.
    pub fn shared_transport(transport: Arc<dyn BundlerTransport>) -> Self {
        Self {
            kind: BundlerKind::Transport(transport),
        }
    }

    /// A prepared bundler client (see the type's docs for which settings win).
    pub fn client(client: BundlerClient) -> Self {
        Self {
            kind: BundlerKind::Client(client),
        }
    }
}

// By hand: the URL may hold credentials.
impl fmt::Debug for BundlerEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            BundlerKind::Url(url) => f.debug_tuple("Url").field(&RedactedUrl(url)).finish(),
            BundlerKind::Client(client) => f.debug_tuple("Client").field(client).finish(),
            BundlerKind::Transport(t) => f.debug_tuple("Transport").field(t).finish(),
        }
    }
}

impl From<&str> for BundlerEndpoint {
    fn from(url: &str) -> Self {
        Self::url(url)
    }
}

impl From<String> for BundlerEndpoint {
    fn from(url: String) -> Self {
        Self::url(url)
    }
}

impl From<&String> for BundlerEndpoint {
    fn from(url: &String) -> Self {
        Self::url(url.as_str())
    }
}

impl From<BundlerClient> for BundlerEndpoint {
    fn from(client: BundlerClient) -> Self {
        Self::client(client)
    }
}
