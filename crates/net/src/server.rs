//! A small threaded HTTP server (`tiny_http`) shared by the witness and the tile server: a
//! fixed pool of worker threads, each answering one request at a time with a handler.

use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::error::NetError;

/// A response: status, headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers (name, value).
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A `text/plain` response.
    pub fn text(status: u16, msg: &str) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: format!("{msg}\n").into_bytes(),
        }
    }
}

/// What a handler sees of a request.
#[derive(Debug)]
pub struct Request<'a> {
    /// The method (`GET`, `POST`, ...).
    pub method: &'a str,
    /// The path and query as sent.
    pub url: &'a str,
    /// The body, read up to the server's limit (`None` if it was larger).
    pub body: Option<Vec<u8>>,
}

type Handler = dyn Fn(&Request<'_>) -> Response + Send + Sync;

/// A running server; stops when [`Running::shutdown`] is called.
pub struct Running {
    stopping: Arc<AtomicBool>,
    addr: SocketAddr,
    workers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").field("addr", &self.addr).finish()
    }
}

impl Running {
    /// The address it listens on (with the port chosen when `:0` was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves until the process ends.
    pub fn wait(self) {
        for w in self.workers {
            let _ = w.join();
        }
    }

    /// Stops accepting, lets every worker finish its request, and joins them.
    pub fn shutdown(self) {
        self.stopping.store(true, Ordering::SeqCst);
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Binds `listen` with TCP_NODELAY set. tiny_http writes a response's head and its body in
/// separate writes when the body does not fit its 1 KiB buffer (a tile does not): with
/// Nagle's algorithm on, the body then waits for the client's delayed ACK of the head, about
/// 40 ms a request on a kept-alive connection. Accepted sockets inherit TCP_NODELAY from the
/// listening socket (Linux, the BSDs); where it cannot be set the server still works, only
/// slower on keep-alive.
fn bind(listen: &str) -> Result<std::net::TcpListener, NetError> {
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| NetError::Usage(format!("cannot listen on {listen}: {e}")))?;
    let _ = rustix::net::sockopt::set_tcp_nodelay(&listener, true);
    Ok(listener)
}

/// Binds `listen` and answers with `handler` on `threads` workers; request bodies above
/// `max_body` bytes are answered 413 without being read further.
///
/// # Errors
/// [`NetError::Usage`] if the address does not bind.
pub(crate) fn start(
    listen: &str,
    threads: usize,
    max_body: usize,
    handler: Arc<Handler>,
) -> Result<Running, NetError> {
    let listener = bind(listen)?;
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|e| NetError::Usage(format!("cannot listen on {listen}: {e}")))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| NetError::Usage(format!("{listen} is not an IP address")))?;
    let server = Arc::new(server);
    let stopping = Arc::new(AtomicBool::new(false));
    let workers = (0..threads.max(1))
        .map(|_| {
            let server = Arc::clone(&server);
            let handler = Arc::clone(&handler);
            let stopping = Arc::clone(&stopping);
            std::thread::spawn(move || loop {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let mut req = match server.recv_timeout(Duration::from_millis(100)) {
                    Ok(Some(r)) => r,
                    Ok(None) | Err(_) => continue,
                };
                let too_long = req.body_length().is_some_and(|n| n > max_body);
                let body = if too_long {
                    None
                } else {
                    let mut b = Vec::new();
                    match req
                        .as_reader()
                        .take(max_body as u64 + 1)
                        .read_to_end(&mut b)
                    {
                        Ok(_) if b.len() <= max_body => Some(b),
                        Ok(_) => None,
                        Err(_) => continue,
                    }
                };
                let resp = match body {
                    None => Response::text(413, "request body too large"),
                    Some(body) => handler(&Request {
                        method: req.method().as_str(),
                        url: req.url(),
                        body: Some(body),
                    }),
                };
                let mut r = tiny_http::Response::from_data(resp.body).with_status_code(resp.status);
                for (k, v) in resp.headers {
                    if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                        r.add_header(h);
                    }
                }
                let _ = req.respond(r);
            })
        })
        .collect();
    Ok(Running {
        stopping,
        addr,
        workers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_connections_have_nagle_off() {
        // Without TCP_NODELAY a tile answered on a kept-alive connection waits ~40 ms for
        // the client's delayed ACK (head and body go out in two writes).
        let listener = bind("127.0.0.1:0").unwrap();
        assert!(rustix::net::sockopt::tcp_nodelay(&listener).unwrap());
        let addr = listener.local_addr().unwrap();
        let _client = std::net::TcpStream::connect(addr).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        assert!(rustix::net::sockopt::tcp_nodelay(&accepted).unwrap());
    }
}
