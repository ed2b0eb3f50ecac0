//! [`Gate`]: a small loopback HTTP(S) endpoint in front of a devnet node or bundler that forwards
//! only requests carrying an expected header (an API key), as hosted nodes and bundlers do; with a
//! certificate it serves TLS. For the provider and TLS tests.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader},
    net::TcpListener,
    task::JoinHandle,
};
use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        self, ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
    },
};

/// A self-signed certificate for `127.0.0.1` and `localhost`, generated at run time.
#[derive(Debug)]
pub struct SelfSigned {
    /// The certificate (DER), to be trusted by the client under test.
    pub cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl SelfSigned {
    /// A fresh key and certificate.
    pub fn generate() -> Self {
        let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
        let certified =
            rcgen::generate_simple_self_signed(names).expect("generate a self-signed certificate");
        Self {
            cert_der: certified.cert.der().to_vec(),
            key_der: certified.signing_key.serialize_der(),
        }
    }

    fn acceptor(&self) -> TlsAcceptor {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(self.cert_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
            )
            .expect("TLS server config");
        TlsAcceptor::from(Arc::new(config))
    }
}

/// What a [`Gate`] requires and serves.
#[derive(Clone, Debug, Default)]
pub struct GateConfig {
    /// `(name, value)` a request must carry to be forwarded; others get HTTP 401.
    pub required_header: Option<(String, String)>,
}

#[derive(Debug, Default)]
struct Counts {
    forwarded: AtomicUsize,
    refused: AtomicUsize,
}

/// The running gate; stops when dropped.
#[derive(Debug)]
pub struct Gate {
    addr: SocketAddr,
    tls: bool,
    counts: Arc<Counts>,
    task: JoinHandle<()>,
}

impl Gate {
    /// A plain-HTTP gate on a free 127.0.0.1 port forwarding to `upstream` (an `http://` URL).
    pub async fn start(upstream: &str, config: GateConfig) -> std::io::Result<Self> {
        Self::start_inner(upstream, config, None).await
    }

    /// A TLS gate serving `identity`'s certificate.
    pub async fn start_tls(
        upstream: &str,
        config: GateConfig,
        identity: &SelfSigned,
    ) -> std::io::Result<Self> {
        Self::start_inner(upstream, config, Some(identity.acceptor())).await
    }

    async fn start_inner(
        upstream: &str,
        config: GateConfig,
        tls: Option<TlsAcceptor>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let counts = Arc::new(Counts::default());
        let shared = Arc::new(Shared {
            upstream: upstream.to_owned(),
            config,
            counts: counts.clone(),
            http: nexus_sessions::reqwest::Client::new(),
        });
        let is_tls = tls.is_some();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                let tls = tls.clone();
                connections.spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                serve(stream, &shared).await;
                            }
                        }
                        None => serve(stream, &shared).await,
                    }
                });
            }
        });
        Ok(Self {
            addr,
            tls: is_tls,
            counts,
            task,
        })
    }

    /// The URL clients use (`https://127.0.0.1:PORT` for a TLS gate).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Requests forwarded (they carried the header).
    pub fn forwarded(&self) -> usize {
        self.counts.forwarded.load(Ordering::Relaxed)
    }

    /// Requests refused with HTTP 401 (no or a wrong header).
    pub fn refused(&self) -> usize {
        self.counts.refused.load(Ordering::Relaxed)
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Debug)]
struct Shared {
    upstream: String,
    config: GateConfig,
    counts: Arc<Counts>,
    http: nexus_sessions::reqwest::Client,
}

/// Serves HTTP/1.1 requests (Content-Length bodies) on one connection until it closes.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S, shared: &Shared) {
    let mut stream = BufReader::new(stream);
    while let Some((headers, body)) = read_request(&mut stream).await {
        let allowed = match &shared.config.required_header {
            None => true,
            Some((name, value)) => headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case(name) && v == value),
        };
        let (status, reply) = if allowed {
            shared.counts.forwarded.fetch_add(1, Ordering::Relaxed);
            forward(shared, body).await
        } else {
            shared.counts.refused.fetch_add(1, Ordering::Relaxed);
            (401, b"missing or wrong API key".to_vec())
        };
        let head = format!(
            "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            if status == 200 { "OK" } else { "Error" },
            reply.len()
        );
        let out = stream.get_mut();
        if out.write_all(head.as_bytes()).await.is_err()
            || out.write_all(&reply).await.is_err()
            || out.flush().await.is_err()
        {
            return;
        }
    }
}

async fn forward(shared: &Shared, body: Vec<u8>) -> (u16, Vec<u8>) {
    let response = shared
        .http
        .post(&shared.upstream)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    match response {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(b) => (status, b.to_vec()),
                Err(_) => (502, b"upstream body lost".to_vec()),
            }
        }
        Err(_) => (502, b"upstream unreachable".to_vec()),
    }
}

/// Reads one request: its header lines as `(name, value)` and its body.
async fn read_request<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
) -> Option<(Vec<(String, String)>, Vec<u8>)> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await.ok()?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    Some((headers, body))
}
