//! A fault-injecting HTTP proxy between a client and a real bundler, for the fault suite.
//!
//! It listens on 127.0.0.1 (free port), reads each JSON-RPC request, and either forwards it to the
//! upstream bundler (one fresh connection per request) and relays the answer, or applies the armed
//! [`Fault`] to the next requests of a method: drop the connection before or after forwarding, answer
//! late, answer an HTTP error or a JSON-RPC error, send a malformed, truncated or wrong-id body,
//! forward twice, or stop listening (connections refused).

use serde_json::{Value, json};
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpSocket, TcpStream},
    task::JoinHandle,
};

/// What the proxy does to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection without forwarding.
    DropBeforeForward,
    /// Forward, then close the connection without answering.
    DropAfterForward,
    /// Forward, then answer after this delay (longer than the client's timeout).
    DelayAfterForward(Duration),
    /// Answer this HTTP status without forwarding.
    StatusBeforeForward(u16),
    /// Forward, then answer this HTTP status instead of the answer.
    StatusAfterForward(u16),
    /// Forward, then answer a JSON-RPC internal error (-32603) instead of the answer.
    RpcErrorAfterForward,
    /// Forward, then answer a body that is not JSON.
    MalformedAfterForward,
    /// Forward, then answer the first half of the real body.
    TruncatedAfterForward,
    /// Forward, then answer the real body with another JSON-RPC id.
    WrongIdAfterForward,
    /// Forward the request twice and answer the first answer.
    Duplicate,
}

/// A fault armed for the next `times` requests of `method` (`"*"`: any method).
#[derive(Clone, Debug)]
struct Rule {
    method: String,
    times: usize,
    fault: Fault,
}

#[derive(Debug)]
struct State {
    upstream: SocketAddr,
    rules: Vec<Rule>,
    /// Requests seen per method (forwarded or not).
    seen: Vec<String>,
}

/// The running proxy; stops when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// The proxy's own failures (binding, bad upstream URL).
#[derive(Debug, thiserror::Error)]
#[error("fault proxy: {0}")]
pub struct ProxyError(String);

fn upstream_addr(url: &str) -> Result<SocketAddr, ProxyError> {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .map_err(|e| ProxyError(format!("upstream {url:?} is not http://IP:PORT: {e}")))
}

impl FaultProxy {
    /// Starts a proxy on a free 127.0.0.1 port in front of `upstream` (`http://127.0.0.1:PORT`).
    pub async fn start(upstream: &str) -> Result<Self, ProxyError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| ProxyError(format!("bind: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| ProxyError(e.to_string()))?;
        let state = Arc::new(Mutex::new(State {
            upstream: upstream_addr(upstream)?,
            rules: Vec::new(),
            seen: Vec::new(),
        }));
        let task = tokio::spawn(accept(listener, state.clone()));
        Ok(Self {
            addr,
            state,
            task: Mutex::new(Some(task)),
        })
    }

    /// The URL clients use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Points the proxy at another upstream (a restarted bundler).
    pub fn set_upstream(&self, upstream: &str) -> Result<(), ProxyError> {
        self.lock().upstream = upstream_addr(upstream)?;
        Ok(())
    }

    /// Applies `fault` to the next `times` requests of `method` (`"*"`: any method).
    pub fn arm(&self, method: &str, times: usize, fault: Fault) {
        self.lock().rules.push(Rule {
            method: method.to_owned(),
            times,
            fault,
        });
    }

    /// Removes every armed fault.
    pub fn disarm(&self) {
        self.lock().rules.clear();
    }

    /// How many requests of `method` arrived so far.
    pub fn seen(&self, method: &str) -> usize {
        self.lock().seen.iter().filter(|m| *m == method).count()
    }

    /// Stops listening: new connections are refused until [`Self::listen`]. Open (kept-alive)
    /// connections are closed a moment later, when the runtime drops their tasks.
    pub fn refuse(&self) {
        if let Some(task) = self.task.lock().expect("proxy task poisoned").take() {
            task.abort();
        }
    }

    /// Listens again on the same port after [`Self::refuse`].
    pub async fn listen(&self) -> Result<(), ProxyError> {
        let socket = TcpSocket::new_v4().map_err(|e| ProxyError(e.to_string()))?;
        socket
            .set_reuseaddr(true)
            .map_err(|e| ProxyError(e.to_string()))?;
        // The aborted accept task releases the port a moment later.
        let mut tries = 0;
        loop {
            match socket.bind(self.addr) {
                Ok(()) => break,
                Err(_) if tries < 50 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => return Err(ProxyError(format!("rebind {}: {e}", self.addr))),
            }
        }
        let listener = socket.listen(128).map_err(|e| ProxyError(e.to_string()))?;
        let task = tokio::spawn(accept(listener, self.state.clone()));
        *self.task.lock().expect("proxy task poisoned") = Some(task);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("proxy state poisoned")
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.refuse();
    }
}

async fn accept(listener: TcpListener, state: Arc<Mutex<State>>) {
    // Connection tasks end with the accept task, so a refusing proxy also drops kept-alive ones.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        connections.spawn(serve(stream, state.clone()));
    }
}

/// One HTTP message: head lines and body.
struct Message {
    head: Vec<String>,
    body: Vec<u8>,
}

/// Reads one HTTP/1.1 message (Content-Length or chunked body; else until EOF for responses).
async fn read_message<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    until_eof: bool,
) -> Option<Message> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        if line == "\r\n" || line == "\n" {
            if head.is_empty() {
                continue;
            }
            break;
        }
        head.push(line.trim_end().to_owned());
    }
    let header = |name: &str| {
        head.iter().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    };
    let mut body = Vec::new();
    if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body).await.ok()?;
    } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).await.ok()?;
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).await.ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if until_eof {
        reader.read_to_end(&mut body).await.ok()?;
    }
    Some(Message { head, body })
}

/// Forwards `body` to the upstream bundler; its status and body, or `None` if it is unreachable.
async fn forward(upstream: SocketAddr, body: &[u8]) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(upstream).await.ok()?;
    let head = format!(
        "POST / HTTP/1.1\r\nhost: {upstream}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(body).await.ok()?;
    let mut reader = BufReader::new(stream);
    let response = read_message(&mut reader, true).await?;
    let status = response
        .head
        .first()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((status, response.body))
}

/// The fault armed for `method`, if any (one use consumed).
fn take_fault(state: &Mutex<State>, method: &str) -> (Option<Fault>, SocketAddr) {
    let mut state = state.lock().expect("proxy state poisoned");
    state.seen.push(method.to_owned());
    let upstream = state.upstream;
    let rule = state
        .rules
        .iter_mut()
        .find(|r| r.times > 0 && (r.method == "*" || r.method == method));
    let fault = rule.map(|r| {
        r.times -= 1;
        r.fault.clone()
    });
    state.rules.retain(|r| r.times > 0);
    (fault, upstream)
}

async fn serve(stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_message(&mut reader, false).await {
        let parsed: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let method = parsed["method"].as_str().unwrap_or_default().to_owned();
        let (fault, upstream) = take_fault(&state, &method);
        let reply = match fault {
            None => forward(upstream, &request.body).await,
            Some(Fault::DropBeforeForward) => return,
            Some(Fault::StatusBeforeForward(status)) => Some((status, b"injected".to_vec())),
            Some(Fault::Duplicate) => {
                let first = forward(upstream, &request.body).await;
                let _second = forward(upstream, &request.body).await;
                first
            }
            Some(after) => {
                let real = forward(upstream, &request.body).await;
                match (after, real) {
                    (Fault::DropAfterForward, _) => return,
                    (Fault::DelayAfterForward(delay), real) => {
                        tokio::time::sleep(delay).await;
                        real
                    }
                    (Fault::StatusAfterForward(status), _) => Some((status, b"injected".to_vec())),
                    (Fault::RpcErrorAfterForward, _) => Some((
                        200,
                        json!({"jsonrpc": "2.0", "id": parsed["id"], "error": {"code": -32603, "message": "injected internal error"}})
                            .to_string()
                            .into_bytes(),
                    )),
                    (Fault::MalformedAfterForward, _) => Some((200, b"<html>oops".to_vec())),
                    (Fault::TruncatedAfterForward, Some((status, body))) => {
                        Some((status, body[..body.len() / 2].to_vec()))
                    }
                    (Fault::WrongIdAfterForward, Some((status, body))) => {
                        let mut v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        v["id"] = json!(987_654_321u64);
                        Some((status, v.to_string().into_bytes()))
                    }
                    (_, real) => real,
                }
            }
        };
        // An unreachable upstream is a gateway error, as a real reverse proxy says.
        let (status, body) = reply.unwrap_or((502, b"upstream unreachable".to_vec()));
        let response = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: keep-alive\r\n\r\n",
            body.len()
        );
        let stream = reader.get_mut();
        if stream.write_all(response.as_bytes()).await.is_err()
            || stream.write_all(&body).await.is_err()
        {
            return;
        }
    }
}
