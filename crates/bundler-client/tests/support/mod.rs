//! A loopback JSON-RPC stub that plays a bundler and injects what a real one cannot be made to do on
//! demand: delays, HTTP errors, malformed bodies, dropped connections.

use serde_json::{Value, json};
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

/// What the stub does with one request.
#[derive(Clone, Debug)]
#[allow(dead_code)] // each test binary uses a subset
pub(crate) enum Reply {
    /// `{"result": value}`.
    Result(Value),
    /// `{"error": {code, message, data?}}`.
    Error {
        code: i64,
        message: String,
        data: Option<Value>,
    },
    /// An HTTP status with a raw body.
    Status(u16, String),
    /// HTTP 200 with a raw (e.g. malformed) body.
    Raw(String),
    /// Wait, then reply.
    Delay(Duration, Box<Self>),
    /// Close the connection without answering.
    Hangup,
}

#[allow(dead_code)]
impl Reply {
    pub(crate) fn error(code: i64, message: &str) -> Self {
        Self::Error {
            code,
            message: message.into(),
            data: None,
        }
    }
}

/// A received JSON-RPC request.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) params: Value,
}

type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

/// The running stub; stops when dropped.
pub(crate) struct Stub {
    pub(crate) addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    task: JoinHandle<()>,
}

#[allow(dead_code)]
impl Stub {
    /// Starts a stub on 127.0.0.1 (free port). `handler` gets the request and how many requests of the
    /// same method came before it (0 for the first).
    pub(crate) async fn start(
        handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(serve(stream, handler.clone(), seen.clone()));
            }
        });
        Self {
            addr,
            requests,
            task,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub(crate) fn count(&self, method: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.method == method)
            .count()
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A URL on which nothing listens (the port was bound, then released).
#[allow(dead_code)]
pub(crate) async fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

async fn serve(stream: TcpStream, handler: Arc<Handler>, seen: Arc<Mutex<Vec<Request>>>) {
    let mut reader = BufReader::new(stream);
    loop {
        // Request line and headers.
        let mut content_length = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            match reader.read_line(&mut line).await {
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
        let mut body = vec![0u8; content_length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let req = Request {
            method: request["method"].as_str().unwrap_or_default().to_owned(),
            params: request.get("params").cloned().unwrap_or(Value::Null),
        };
        let index = {
            let mut seen = seen.lock().unwrap();
            let index = seen.iter().filter(|r| r.method == req.method).count();
            seen.push(req.clone());
            index
        };
        let mut reply = handler(&req, index);
        while let Reply::Delay(delay, next) = reply {
            tokio::time::sleep(delay).await;
            reply = *next;
        }
        let (status, body) = match reply {
            Reply::Result(result) => (
                200,
                json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string(),
            ),
            Reply::Error {
                code,
                message,
                data,
            } => {
                let mut error = json!({"code": code, "message": message});
                if let Some(data) = data {
                    error["data"] = data;
                }
                (
                    200,
                    json!({"jsonrpc": "2.0", "id": id, "error": error}).to_string(),
                )
            }
            Reply::Status(status, body) => (status, body),
            Reply::Raw(body) => (200, body),
            Reply::Hangup => return,
            Reply::Delay(..) => unreachable!("delays are unwrapped above"),
        };
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: keep-alive\r\n\r\n{body}",
            body.len()
        );
        if reader
            .get_mut()
            .write_all(response.as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

/// A signed-looking v0.7 operation of one fixed account, with nonce `nonce`: what the stub tests
/// send.
pub(crate) fn sample_op(nonce: u8) -> nexus_sessions_userop::UserOperation {
    nexus_sessions_userop::UserOperation::builder()
        .sender(nexus_sessions_userop::address!(
            "0xE88C00A5A4F0FB655Aef1c394DC9b8f5308655Fb"
        ))
        .nonce(nexus_sessions_userop::U256::from(nonce))
        .call_data(vec![0xe9, 0xae, 0x5c, 0x53])
        .call_gas_limit(100_000u64)
        .verification_gas_limit(500_000u64)
        .pre_verification_gas(50_000u64)
        .max_fee_per_gas(2_000_000_000u64)
        .max_priority_fee_per_gas(1_000_000_000u64)
        .signature(vec![0xaa; 65])
        .build()
        .unwrap()
}
