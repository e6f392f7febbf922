//! The HTTP client every command here uses: blocking (`ureq`), with a deadline on every
//! request, a size limit on every body, no redirect followed, no proxy from the environment,
//! and every failure a typed [`NetError`].

use std::time::Duration;

use crate::error::NetError;

/// How long one request may take, connection to last body byte, unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// A configured HTTP client.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
}

/// A response whose status the caller must interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header (empty if none).
    pub content_type: String,
    /// The body (at most the limit asked for).
    pub body: Vec<u8>,
}

impl Default for Client {
    fn default() -> Self {
        Client::new(DEFAULT_TIMEOUT)
    }
}

impl Client {
    /// A client whose requests each fail after `timeout` (connect, send, headers and body).
    pub fn new(timeout: Duration) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // A redirect is answered to the caller, never followed: a witness or a log mirror
            // that sends us elsewhere is reported, not trusted.
            .max_redirects(0)
            .http_status_as_error(false)
            // Tests and loopback servers must not go through a proxy named in the environment.
            .proxy(None)
            .max_response_header_size(16 * 1024)
            .build()
            .new_agent();
        Client { agent }
    }

    /// `GET url`, reading at most `limit` bytes of body.
    ///
    /// # Errors
    /// [`NetError::Unreachable`], [`NetError::Redirect`], [`NetError::TooLarge`].
    pub fn get(&self, url: &str, limit: u64) -> Result<Reply, NetError> {
        check_url(url)?;
        let r = self.agent.get(url).call();
        finish(url, r, limit)
    }

    /// `POST url` with `body` as `content_type`, reading at most `limit` bytes of body.
    ///
    /// # Errors
    /// As [`Client::get`].
    pub fn post(
        &self,
        url: &str,
        content_type: &str,
        body: &[u8],
        limit: u64,
    ) -> Result<Reply, NetError> {
        check_url(url)?;
        let r = self
            .agent
            .post(url)
            .header("Content-Type", content_type)
            .send(body);
        finish(url, r, limit)
    }
}

fn check_url(url: &str) -> Result<(), NetError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(NetError::Usage(format!(
            "{url:?} is not an http:// or https:// URL"
        )))
    }
}

fn finish(
    url: &str,
    r: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    limit: u64,
) -> Result<Reply, NetError> {
    let mut resp = r.map_err(|e| NetError::Unreachable {
        url: url.to_owned(),
        reason: e.to_string(),
    })?;
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    if (300..400).contains(&status) {
        return Err(NetError::Redirect {
            url: url.to_owned(),
            status,
            location: header("location"),
        });
    }
    let content_type = header("content-type");
    let body = match resp.body_mut().with_config().limit(limit).read_to_vec() {
        Ok(b) => b,
        Err(ureq::Error::BodyExceedsLimit(_)) => {
            return Err(NetError::TooLarge {
                url: url.to_owned(),
                limit,
            })
        }
        Err(e) => {
            return Err(NetError::Unreachable {
                url: url.to_owned(),
                reason: e.to_string(),
            })
        }
    };
    Ok(Reply {
        status,
        content_type,
        body,
    })
}

/// The first bytes of a body, escaped, for an error message.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    scrutin::log::escape_for_display(text.trim_end()).into_owned()
}
