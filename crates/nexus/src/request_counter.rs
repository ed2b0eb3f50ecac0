//! [`RequestCountLayer`]: node request counters as a tower layer on alloy's RPC client, per
//! JSON-RPC method and `eth_call`s per contract function (`eth_call:isPermissionEnabled`).

use alloy_json_rpc::{RequestPacket, ResponsePacket, SerializedRequest};
use alloy_transport::{TransportError, TransportFut};
use nexus_sessions_bundler::RequestCounts;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
};
use tower::{Layer, Service};

/// Counts the JSON-RPC requests that pass through an alloy RPC client, per method; `eth_call`s
/// are counted per contract function (`eth_call:<function>`, the names the clients give their
/// calls, else `eth_call:0x<selector>`). Clones share the counts.
///
/// The URL shortcuts of the clients install one; with a provider of your own, install it in your
/// client stack and hand it over with [`NodeEndpoint::with_request_counter`](crate::NodeEndpoint::with_request_counter)
/// so [`NexusClient::rpc_stats`](crate::NexusClient::rpc_stats) and
/// `node_request_counts` see the requests (without it they read zero).
///
/// ```
/// use alloy_provider::{Provider, RootProvider};
/// use alloy_rpc_client::ClientBuilder;
/// use nexus_sessions::{NodeEndpoint, RequestCountLayer};
///
/// // reqwest with rustls needs a crypto provider before any client is built.
/// let counter = RequestCountLayer::new();
/// let client = ClientBuilder::default()
///     .layer(counter.clone())
///     .http("http://127.0.0.1:8545".parse().unwrap());
/// let provider = RootProvider::new(client).erased();
/// let node = NodeEndpoint::provider(provider).with_request_counter(counter.clone());
/// assert_eq!(counter.counts().total, 0);
/// # let _ = node;
/// ```
#[derive(Clone, Debug, Default)]
pub struct RequestCountLayer {
    counter: Arc<Counter>,
}

#[derive(Debug, Default)]
struct Counter {
    total: AtomicU64,
    by_method: Mutex<BTreeMap<String, u64>>,
    /// Function names by selector, learnt from the clients' calls.
    names: Mutex<HashMap<[u8; 4], &'static str>>,
}

impl RequestCountLayer {
    /// A layer with zero counts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requests counted so far (every request of a batch counts).
    pub fn total(&self) -> u64 {
        self.counter.total.load(Ordering::Relaxed)
    }

    /// Requests counted so far, per method.
    pub fn counts(&self) -> RequestCounts {
        let map = lock(&self.counter.by_method);
        RequestCounts {
            total: self.total(),
            by_method: map.clone(),
        }
    }

    /// Counts `eth_call`s to the function with this selector as `eth_call:<name>`.
    pub fn name_function(&self, selector: [u8; 4], name: &'static str) {
        let mut names = lock(&self.counter.names);
        if names.get(&selector) != Some(&name) {
            names.insert(selector, name);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means another thread panicked mid-increment; the data is usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Counter {
    fn record(&self, request: &SerializedRequest) {
        self.total.fetch_add(1, Ordering::Relaxed);
        let method = request.method();
        let label = if method == "eth_call" {
            self.call_label(request.params())
        } else {
            None
        };
        let mut map = lock(&self.by_method);
        match label {
            Some(label) => *map.entry(label).or_default() += 1,
            None => match map.get_mut(method) {
                Some(n) => *n += 1,
                None => {
                    map.insert(method.to_owned(), 1);
                }
            },
        }
    }

    /// `eth_call:<function>` for a call whose first parameter carries calldata.
    fn call_label(&self, params: Option<&RawValue>) -> Option<String> {
        #[derive(Deserialize)]
        struct Tx<'a> {
            #[serde(borrow, default)]
            input: Option<&'a str>,
            #[serde(borrow, default)]
            data: Option<&'a str>,
        }
        let params: Vec<&RawValue> = serde_json::from_str(params?.get()).ok()?;
        let tx: Tx<'_> = serde_json::from_str(params.first()?.get()).ok()?;
        let hex = tx.input.or(tx.data)?;
        let hex = hex.strip_prefix("0x").unwrap_or(hex).get(..8)?;
        let mut selector = [0u8; 4];
        for (i, byte) in selector.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(match lock(&self.names).get(&selector) {
            Some(name) => format!("eth_call:{name}"),
            None => format!("eth_call:0x{}", hex.to_ascii_lowercase()),
        })
    }
}

impl<S> Layer<S> for RequestCountLayer {
    type Service = RequestCountService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestCountService {
            inner,
            counter: self.counter.clone(),
        }
    }
}

/// The service of a [`RequestCountLayer`]: counts each request, then passes it on.
#[derive(Clone, Debug)]
pub struct RequestCountService<S> {
    inner: S,
    counter: Arc<Counter>,
}

impl<S> Service<RequestPacket> for RequestCountService<S>
where
    S: Service<
            RequestPacket,
            Response = ResponsePacket,
            Error = TransportError,
            Future = TransportFut<'static>,
        >,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: RequestPacket) -> Self::Future {
        match &request {
            RequestPacket::Single(r) => self.counter.record(r),
            RequestPacket::Batch(rs) => rs.iter().for_each(|r| self.counter.record(r)),
        }
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_json_rpc::Request;

    fn request(method: &'static str, params: serde_json::Value) -> SerializedRequest {
        Request::new(method, 1u64.into(), params)
            .serialize()
            .unwrap()
    }

    #[test]
    fn counts_methods_and_names_calls_by_selector() {
        let layer = RequestCountLayer::new();
        layer.name_function([0x12, 0x34, 0x56, 0x78], "isPermissionEnabled");
        let c = &layer.counter;
        c.record(&request("eth_chainId", serde_json::json!([])));
        c.record(&request(
            "eth_call",
            serde_json::json!([{"to": "0x0000000000000000000000000000000000000001", "input": "0x12345678ff"}, "latest"]),
        ));
        c.record(&request(
            "eth_call",
            serde_json::json!([{"data": "0xAABBCCDD"}, "latest"]),
        ));
        c.record(&request("eth_call", serde_json::json!([{}])));
        let counts = layer.counts();
        assert_eq!(counts.total, 4);
        assert_eq!(counts.get("eth_chainId"), 1);
        assert_eq!(counts.get("eth_call:isPermissionEnabled"), 1);
        assert_eq!(counts.get("eth_call:0xaabbccdd"), 1);
        assert_eq!(counts.get("eth_call"), 1, "{counts:?}");
    }
}
