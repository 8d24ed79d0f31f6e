//! The client: endpoint resolution, SigV4 signing, the attempt loop with retries and back-off, the
//! Ctrl-C check before every attempt, and one trace line per attempt.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use aws_types::SdkConfig;
use aws_types::service_config::ServiceConfigKey;
use serde_json::Value;

use crate::error::{AwsError, ErrorKind};
use crate::request::{Request, Response, header};
use crate::service::{Endpoint, Service, Variants};
use crate::transport::{HttpRequest, HttpResponse, Https, Transport, TransportError};
use crate::xml::XmlNode;

/// Trace target of the per-attempt lines (`RUST_LOG=kumo::aws=debug`, or `kumo -v`).
pub const TRACE_TARGET: &str = "kumo::aws";

/// Credentials closer than this to their expiry are refreshed before signing.
const CREDENTIALS_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// "Stop at the next safe point" (Ctrl-C), as two functions: whether it was asked for, and a future
/// that completes when it is. The client checks it before every attempt and while backing off, never
/// in the middle of a request.
#[derive(Clone)]
pub struct Stop {
    is_stopped: Arc<dyn Fn() -> bool + Send + Sync>,
    stopped: Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>,
}

impl Stop {
    pub fn new(
        is_stopped: impl Fn() -> bool + Send + Sync + 'static,
        stopped: impl Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync + 'static,
    ) -> Stop {
        Stop {
            is_stopped: Arc::new(is_stopped),
            stopped: Arc::new(stopped),
        }
    }

    /// A stop that never comes.
    pub fn never() -> Stop {
        Stop::new(|| false, || Box::pin(std::future::pending()))
    }

    pub fn is_stopped(&self) -> bool {
        (self.is_stopped)()
    }

    /// Completes when the stop is asked for (at once if it already was): for callers that wait
    /// between calls and must not sleep through Ctrl-C.
    pub async fn stopped(&self) {
        if self.is_stopped() {
            return;
        }
        (self.stopped)().await;
    }
}

impl fmt::Debug for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stop(stopped: {})", self.is_stopped())
    }
}

/// Hooks for whoever runs the client: each attempt's start and end, and each retry (the CLI announces
/// retries on stderr and tracks the request in flight for its Ctrl-C message). Every method has a
/// default that does nothing.
pub trait Observer: Send + Sync {
    fn attempt_started(&self, _service: &str, _operation: &str, _attempt: u32) {}
    fn attempt_finished(&self, _service: &str, _operation: &str, _succeeded: bool) {}
    /// `error` failed an attempt; attempt `next_attempt` follows after the back-off.
    fn retrying(&self, _error: &AwsError, _next_attempt: u32) {}
}

struct Silent;

impl Observer for Silent {}

/// How failed attempts are retried: throttling, 5xx and network trouble get up to `max_attempts`
/// attempts in all, with "full jitter" back-off (a random delay up to `initial_backoff × 2^(n-1)`,
/// capped at `max_backoff`), as the AWS SDKs' standard mode does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self, failed_attempt: u32) -> Duration {
        let exponent = failed_attempt.saturating_sub(1).min(16);
        let ceiling = self.initial_backoff.saturating_mul(1 << exponent).min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Builds a [`Client`] from the configuration the SDK clients use.
pub struct ClientBuilder {
    sdk: SdkConfig,
    transport: Option<Arc<dyn Transport>>,
    retry: Option<RetryPolicy>,
    stop: Stop,
    observer: Arc<dyn Observer>,
}

impl ClientBuilder {
    /// Sends through `transport` instead of HTTPS (tests: [`crate::replay::Replay`]).
    pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Overrides the retry policy taken from the configuration (`AWS_MAX_ATTEMPTS`, `retry_config`).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    pub fn stop(mut self, stop: Stop) -> Self {
        self.stop = stop;
        self
    }

    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = observer;
        self
    }

    /// Fails when the configuration has no region (the CLI checks that first, with a hint).
    pub fn build(self) -> Result<Client, String> {
        let region = self
            .sdk
            .region()
            .map(|r| r.to_string())
            .ok_or("no AWS region configured")?;
        let timeouts = self.sdk.timeout_config();
        let transport = self.transport.unwrap_or_else(|| {
            Arc::new(Https::new(
                timeouts.and_then(|t| t.connect_timeout()),
                timeouts.and_then(|t| t.read_timeout()),
            ))
        });
        let retry = self.retry.unwrap_or_else(|| match self.sdk.retry_config() {
            Some(config) => RetryPolicy {
                max_attempts: config.max_attempts().max(1),
                initial_backoff: config.initial_backoff(),
                max_backoff: config.max_backoff(),
            },
            None => RetryPolicy::default(),
        });
        let variants = Variants {
            fips: self.sdk.use_fips().unwrap_or(false),
            dual_stack: self.sdk.use_dual_stack().unwrap_or(false),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                attempt_timeout: timeouts.and_then(|t| t.operation_attempt_timeout()),
                operation_timeout: timeouts.and_then(|t| t.operation_timeout()),
                sdk: self.sdk,
                region,
                variants,
                transport,
                retry,
                stop: self.stop,
                observer: self.observer,
                credentials: tokio::sync::Mutex::new(None),
            }),
        })
    }
}

/// A client for any [`Service`]; cheap to clone (clones share credentials and connections).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    sdk: SdkConfig,
    region: String,
    variants: Variants,
    transport: Arc<dyn Transport>,
    retry: RetryPolicy,
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    stop: Stop,
    observer: Arc<dyn Observer>,
    credentials: tokio::sync::Mutex<Option<Credentials>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("region", &self.inner.region)
            .field("transport", &self.inner.transport)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn builder(sdk: &SdkConfig) -> ClientBuilder {
        ClientBuilder {
            sdk: sdk.clone(),
            transport: None,
            retry: None,
            stop: Stop::never(),
            observer: Arc::new(Silent),
        }
    }

    /// The stop this client obeys.
    pub fn stop(&self) -> &Stop {
        &self.inner.stop
    }

    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// Where requests to `service` go: `AWS_ENDPOINT_URL_<SERVICE>` (or the profile's `services`
    /// section), else the general custom endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL`), else the
    /// service's standard endpoint — the SDK clients' order.
    pub fn endpoint(&self, service: &Service) -> Endpoint {
        let specific = self.inner.sdk.service_config().and_then(|config| {
            let key = ServiceConfigKey::builder()
                .service_id(service.id)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .ok()?;
            config.load_config(key)
        });
        match specific.or_else(|| self.inner.sdk.endpoint_url().map(str::to_owned)) {
            Some(url) => Endpoint {
                url: url.trim_end_matches('/').to_owned(),
                signing_region: self.inner.region.clone(),
            },
            None => service.standard_endpoint(&self.inner.region, self.inner.variants),
        }
    }

    /// Sends the query-protocol (EC2, awsQuery) call `action` page after page. `read` takes each page (the
    /// response and its XML root) and returns the token of the next page (`None` or empty: the last one),
    /// which goes back as the parameter `token_param` (`NextToken`, `Marker`).
    pub(crate) async fn query_pages(
        &self,
        service: &'static Service,
        action: &'static str,
        params: crate::request::Params,
        token_param: &str,
        mut read: impl FnMut(&Response, &XmlNode) -> Result<Option<String>, AwsError>,
    ) -> Result<(), AwsError> {
        let mut token: Option<String> = None;
        loop {
            let mut page = params.clone();
            if let Some(token) = &token {
                page = page.set(token_param, token);
            }
            let response = self.send(service, Request::query(service, action, page)).await?;
            let root = response.xml()?;
            token = read(&response, &root)?.filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(());
            }
        }
    }

    /// Sends `request` to `service`, retrying what may succeed on another attempt. Returns the 2xx
    /// response, or the error of the last attempt.
    pub async fn send(&self, service: &'static Service, request: Request) -> Result<Response, AwsError> {
        let attempts = self.attempts(service, &request);
        match self.inner.operation_timeout {
            Some(limit) => match tokio::time::timeout(limit, attempts).await {
                Ok(result) => result,
                Err(_) => Err(AwsError {
                    service: service.id,
                    operation: request.operation,
                    kind: ErrorKind::Timeout,
                    request_id: None,
                    attempts: 0,
                }),
            },
            None => attempts.await,
        }
    }

    async fn attempts(&self, service: &'static Service, request: &Request) -> Result<Response, AwsError> {
        let endpoint = self.endpoint(service);
        let query = request.query_string();
        let uri = if query.is_empty() {
            format!("{}{}", endpoint.url, request.path)
        } else {
            format!("{}{}?{query}", endpoint.url, request.path)
        };
        let error = |kind: ErrorKind, attempts: u32| AwsError {
            service: service.id,
            operation: request.operation,
            kind,
            request_id: None,
            attempts,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            if self.inner.stop.is_stopped() {
                return Err(error(ErrorKind::Interrupted, attempt - 1));
            }
            let credentials = self
                .credentials()
                .await
                .map_err(|detail| error(ErrorKind::Credentials { detail }, attempt - 1))?;
            let signed = signed(service, request, &uri, &endpoint, &credentials)
                .map_err(|detail| error(ErrorKind::Request { detail }, attempt - 1))?;
            tracing::trace!(target: TRACE_TARGET, service = %service.id, operation = %request.operation, %uri,
                bytes = signed.body.len(), "sending");
            let started = Instant::now();
            self.inner
                .observer
                .attempt_started(service.id, request.operation, attempt);
            let sent = self.inner.transport.send(signed);
            let answer = match self.inner.attempt_timeout {
                Some(limit) => tokio::time::timeout(limit, sent)
                    .await
                    .unwrap_or(Err(TransportError::Timeout)),
                None => sent.await,
            };
            let elapsed = started.elapsed();
            let outcome = match answer {
                Ok(response) => read_response(service, request, response),
                Err(TransportError::Timeout) => Err(error(ErrorKind::Timeout, attempt)),
                Err(TransportError::Connect(detail)) => Err(error(ErrorKind::Connect { detail }, attempt)),
                Err(TransportError::Invalid(detail)) => Err(error(ErrorKind::Request { detail }, attempt)),
            };
            trace_attempt(service, request, attempt, elapsed, &outcome);
            self.inner
                .observer
                .attempt_finished(service.id, request.operation, outcome.is_ok());
            let mut failure = match outcome {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            failure.attempts = attempt;
            if !failure.is_retryable() || attempt >= self.inner.retry.max_attempts {
                return Err(failure);
            }
            let delay = self.inner.retry.backoff(attempt);
            self.inner.observer.retrying(&failure, attempt + 1);
            tracing::debug!(target: TRACE_TARGET, service = %service.id, operation = %request.operation,
                attempt, delay_ms = delay.as_millis() as u64, "retrying: {failure}");
            tokio::select! {
                biased;
                () = (self.inner.stop.stopped)() => {
                    // Stopped while waiting: no further attempt; the last failure says what happened.
                    return Err(failure);
                }
                () = tokio::time::sleep(delay) => {}
            }
        }
    }

    /// The credentials to sign with: loaded once, refreshed shortly before they expire.
    async fn credentials(&self) -> Result<Credentials, String> {
        let mut cached = self.inner.credentials.lock().await;
        if let Some(credentials) = cached.as_ref() {
            let fresh = credentials
                .expiry()
                .is_none_or(|expiry| expiry > SystemTime::now() + CREDENTIALS_REFRESH_MARGIN);
            if fresh {
                return Ok(credentials.clone());
            }
        }
        let provider = self
            .inner
            .sdk
            .credentials_provider()
            .ok_or("no credentials provider configured")?;
        let loaded = provider.provide_credentials().await.map_err(|e| e.to_string())?;
        *cached = Some(loaded.clone());
        Ok(loaded)
    }
}

/// The request with SigV4 headers (and kumo's user agent, which is not signed).
fn signed(
    service: &Service,
    request: &Request,
    uri: &str,
    endpoint: &Endpoint,
    credentials: &Credentials,
) -> Result<HttpRequest, String> {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    let identity: Identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&endpoint.signing_region)
        .name(service.signing_name)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        request.method,
        uri,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(&request.body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _signature) = sign(signable, &params).map_err(|e| e.to_string())?.into_parts();
    let (signature_headers, _) = instructions.into_parts();
    for header in signature_headers {
        headers.push((header.name().to_owned(), header.value().to_owned()));
    }
    headers.push((
        "user-agent".to_owned(),
        concat!("kumo/", env!("CARGO_PKG_VERSION")).to_owned(),
    ));
    Ok(HttpRequest {
        method: request.method.to_owned(),
        uri: uri.to_owned(),
        headers,
        body: request.body.clone(),
    })
}

/// A 2xx response, or the service's error read from the body in the protocol's format.
fn read_response(service: &'static Service, request: &Request, response: HttpResponse) -> Result<Response, AwsError> {
    let text = String::from_utf8_lossy(&response.body);
    let request_id = request_id(&response.headers, &text);
    if (200..300).contains(&response.status) {
        return Ok(Response {
            service: service.id,
            operation: request.operation,
            status: response.status,
            headers: response.headers,
            body: response.body,
            request_id,
        });
    }
    let parsed = if service.protocol.xml_errors() {
        xml_error(&text)
    } else {
        json_error(&response.headers, &text)
    };
    let kind = match parsed {
        Some((code, message)) => ErrorKind::Service {
            status: response.status,
            code,
            message,
        },
        None => ErrorKind::Response {
            status: response.status,
            detail: describe_body(&text),
        },
    };
    Err(AwsError {
        service: service.id,
        operation: request.operation,
        kind,
        request_id,
        attempts: 1,
    })
}

/// The request id: from the headers the services use, else from the XML body (EC2 and awsQuery put it
/// there too).
fn request_id(headers: &[(String, String)], body: &str) -> Option<String> {
    for name in ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"] {
        if let Some(id) = header(headers, name).filter(|v| !v.is_empty()) {
            return Some(id.to_owned());
        }
    }
    for tag in ["RequestId", "RequestID", "requestId"] {
        let open = format!("<{tag}>");
        if let Some(start) = body.find(&open) {
            let rest = &body[start + open.len()..];
            if let Some(end) = rest.find('<') {
                let id = rest[..end].trim();
                if !id.is_empty() {
                    return Some(id.to_owned());
                }
            }
        }
    }
    None
}

/// The error code of an error response in any protocol (for traces of the SDK clients).
pub(crate) fn error_code(headers: &[(String, String)], body: &str) -> Option<String> {
    xml_error(body)
        .or_else(|| json_error(headers, body))
        .map(|(code, _)| code)
}

/// `<Error><Code>…</Code><Message>…</Message></Error>` (awsQuery, EC2, restXml).
fn xml_error(body: &str) -> Option<(String, String)> {
    let root = XmlNode::parse(body).ok()?;
    let error = root.find("Error")?;
    let code = error.text("Code").filter(|c| !c.is_empty())?;
    Some((code.to_owned(), error.text_or_empty("Message")))
}

/// awsJson / restJson errors: the code from `x-amzn-errortype` or the body's `__type` / `code`
/// (without namespace and URI decorations), the message from `message` / `Message`.
fn json_error(headers: &[(String, String)], body: &str) -> Option<(String, String)> {
    let value: Option<Value> = serde_json::from_str(body).ok();
    let field = |names: &[&str]| -> Option<String> {
        let object = value.as_ref()?.as_object()?;
        names
            .iter()
            .find_map(|n| object.get(*n).and_then(Value::as_str).map(str::to_owned))
    };
    let raw = header(headers, "x-amzn-errortype")
        .map(str::to_owned)
        .or_else(|| field(&["__type", "code", "Code"]))?;
    let code = raw.split(':').next().unwrap_or_default();
    let code = code.rsplit('#').next().unwrap_or_default().trim();
    if code.is_empty() {
        return None;
    }
    let message = field(&["message", "Message", "errorMessage"]).unwrap_or_default();
    Some((code.to_owned(), message))
}

/// A short description of a body that is not an AWS error: an HTML page's title, or its first words.
fn describe_body(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    if let (Some(start), Some(end)) = (lower.find("<title>"), lower.find("</title>"))
        && start < end
    {
        return body[start + "<title>".len()..end].trim().to_owned();
    }
    let words: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        return "empty body".to_owned();
    }
    let mut short: String = words.chars().take(160).collect();
    if short.len() < words.len() {
        short.push('…');
    }
    short
}

/// One line per attempt: what was called, how it went, how long it took, the request id. Never
/// headers or bodies, so no credential or secret can reach the log.
fn trace_attempt(
    service: &Service,
    request: &Request,
    attempt: u32,
    elapsed: Duration,
    outcome: &Result<Response, AwsError>,
) {
    let ms = elapsed.as_millis() as u64;
    match outcome {
        Ok(response) => tracing::debug!(
            target: TRACE_TARGET,
            service = %service.id,
            operation = %request.operation,
            status = response.status,
            ms,
            request_id = %response.request_id.as_deref().unwrap_or("-"),
            attempt,
            "AWS request"
        ),
        Err(error) => tracing::debug!(
            target: TRACE_TARGET,
            service = %service.id,
            operation = %request.operation,
            status = error.status().unwrap_or(0),
            ms,
            request_id = %error.request_id.as_deref().unwrap_or("-"),
            attempt,
            error = %error.code().map(str::to_owned).unwrap_or_else(|| format!("{:?}", error.kind)),
            "AWS request failed"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_of_each_protocol() {
        let query = r#"<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error>
  <RequestId>4f9a2c1e-0000-4000-8000-000000000001</RequestId>
</ErrorResponse>"#;
        assert_eq!(
            xml_error(query),
            Some(("NoSuchEntity".into(), "The user with name bob cannot be found.".into()))
        );
        assert_eq!(
            request_id(&[], query).as_deref(),
            Some("4f9a2c1e-0000-4000-8000-000000000001")
        );
        let ec2 = r#"<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>bad</Message></Error></Errors><RequestID>ec2-req</RequestID></Response>"#;
        assert_eq!(xml_error(ec2), Some(("InvalidParameterValue".into(), "bad".into())));
        assert_eq!(request_id(&[], ec2).as_deref(), Some("ec2-req"));
        let headers = vec![(
            "X-Amzn-ErrorType".to_owned(),
            "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.eks/".to_owned(),
        )];
        assert_eq!(
            json_error(&headers, r#"{"message":"No cluster found"}"#),
            Some(("ResourceNotFoundException".into(), "No cluster found".into()))
        );
        assert_eq!(
            json_error(
                &[],
                r#"{"__type":"com.amazonaws.servicequotas#NoSuchResourceException","Message":"x"}"#
            ),
            Some(("NoSuchResourceException".into(), "x".into()))
        );
        assert_eq!(
            json_error(&[], "<!doctype html><title>500 Internal Server Error</title>"),
            None
        );
        assert_eq!(
            describe_body("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>"),
            "404 Not Found"
        );
    }

    #[test]
    fn backoff_is_bounded() {
        let policy = RetryPolicy::default();
        for attempt in 1..20 {
            assert!(policy.backoff(attempt) <= policy.max_backoff);
        }
        assert!(policy.backoff(1) <= Duration::from_secs(1));
    }
}
