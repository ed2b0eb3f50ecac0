//! What both clients are configured with — endpoints, deployment, chain id, gas policy, receipt
//! waiting — and the builder methods that set it, written once for
//! [`NexusClientBuilder`](crate::NexusClientBuilder) and
//! [`SessionKeyClientBuilder`](crate::SessionKeyClientBuilder).

use crate::{deployment::Deployment, error::Error, node::Node, sender::GasConfig};
use bundler_client::{BundlerClient, ReceiptPolling, RedactedUrl};
use std::time::Duration;

/// Default time a client waits for a receipt (viem's default).
pub const DEFAULT_RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// The settings both client builders share.
#[derive(Clone)]
pub(crate) struct ClientSettings {
    pub(crate) rpc_url: String,
    pub(crate) bundler_url: String,
    pub(crate) deployment: Deployment,
    /// Known chain id; `None` asks the node once.
    pub(crate) chain_id: Option<u64>,
    pub(crate) gas: GasConfig,
    pub(crate) receipt_timeout: Duration,
    pub(crate) receipt_polling: ReceiptPolling,
}

// By hand: endpoint URLs may hold credentials.
impl std::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSettings")
            .field("rpc_url", &RedactedUrl(&self.rpc_url))
            .field("bundler_url", &RedactedUrl(&self.bundler_url))
            .field("deployment", &self.deployment)
            .field("chain_id", &self.chain_id)
            .field("gas", &self.gas)
            .field("receipt_timeout", &self.receipt_timeout)
            .field("receipt_polling", &self.receipt_polling)
            .finish()
    }
}

impl ClientSettings {
    /// Defaults for these endpoints and deployment.
    pub(crate) fn new(rpc_url: String, bundler_url: String, deployment: Deployment) -> Self {
        Self {
            rpc_url,
            bundler_url,
            deployment,
            chain_id: None,
            gas: GasConfig::default(),
            receipt_timeout: DEFAULT_RECEIPT_TIMEOUT,
            receipt_polling: ReceiptPolling::default(),
        }
    }

    /// A (lazily connecting) client of the node.
    pub(crate) fn node(&self) -> Result<Node, Error> {
        Node::new(&self.rpc_url)
    }

    /// The chain id: the known one, else one `eth_chainId` to the node.
    pub(crate) async fn chain_id(&self, node: &Node) -> Result<u64, Error> {
        match self.chain_id {
            Some(id) => Ok(id),
            None => node.chain_id().await,
        }
    }

    /// The bundler client for `chain_id`.
    pub(crate) fn bundler(&self, chain_id: u64) -> Result<BundlerClient, Error> {
        Ok(BundlerClient::builder(&self.bundler_url)
            .chain_id(chain_id)
            .receipt_polling(self.receipt_polling)
            .build()?)
    }
}

/// The builder methods for [`ClientSettings`], for a builder with a `settings` field.
macro_rules! client_settings_methods {
    () => {
        /// A known chain id (skips `eth_chainId`).
        pub fn chain_id(mut self, chain_id: u64) -> Self {
            self.settings.chain_id = Some(chain_id);
            self
        }

        /// Gas estimation and fee policy.
        pub fn gas_config(mut self, gas: $crate::GasConfig) -> Self {
            self.settings.gas = gas;
            self
        }

        /// How long receipts are waited for (default [`DEFAULT_RECEIPT_TIMEOUT`](crate::DEFAULT_RECEIPT_TIMEOUT), 120 s).
        pub fn receipt_timeout(mut self, timeout: std::time::Duration) -> Self {
            self.settings.receipt_timeout = timeout;
            self
        }

        /// How often a receipt is polled while waiting (default
        /// [`ReceiptPolling::default`](crate::ReceiptPolling::default): every 50 ms for the first
        /// 3 s, then doubling up to 1 s). A shorter interval sees an inclusion sooner at the cost of
        /// more bundler requests per operation waited on; see [`ReceiptPolling`](crate::ReceiptPolling)
        /// for the trade-off.
        pub fn receipt_polling(mut self, polling: $crate::ReceiptPolling) -> Self {
            self.settings.receipt_polling = polling;
            self
        }
    };
}
pub(crate) use client_settings_methods;
