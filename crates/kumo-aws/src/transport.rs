//! Sending signed requests: the HTTPS transport (the SDK's own hyper + rustls/ring connector, with its
//! connect and read timeouts), or, in tests, recorded answers ([`crate::replay`]).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use aws_smithy_async::rt::sleep::TokioSleep;
use aws_smithy_http_client::{Connector, tls};
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;

/// A signed request on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// Absolute URI.
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Whatever came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// Connecting or reading took longer than its limit.
    Timeout,
    /// No connection (refused, DNS, TLS, reset).
    Connect(String),
    /// The request could not be sent as built.
    Invalid(String),
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;

/// Sends one HTTP request.
pub trait Transport: Send + Sync + fmt::Debug {
    fn send(&self, request: HttpRequest) -> SendFuture<'_>;
}

/// HTTPS through `aws-smithy-http-client` with rustls + ring: the stack the SDK clients use, so kumo
/// builds one TLS implementation.
pub struct Https {
    connector: Connector,
}

impl fmt::Debug for Https {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Https")
    }
}

impl Https {
    pub fn new(connect_timeout: Option<Duration>, read_timeout: Option<Duration>) -> Https {
        let mut settings = HttpConnectorSettings::builder();
        settings.set_connect_timeout(connect_timeout);
        settings.set_read_timeout(read_timeout);
        let connector = Connector::builder()
            .connector_settings(settings.build())
            .sleep_impl(TokioSleep::new())
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build();
        Https { connector }
    }
}

impl Transport for Https {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        Box::pin(async move {
            let mut builder = http::Request::builder()
                .method(request.method.as_str())
                .uri(&request.uri);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            let http_request = builder
                .body(SdkBody::from(request.body))
                .map_err(|e| TransportError::Invalid(e.to_string()))?;
            let smithy_request = aws_smithy_runtime_api::http::Request::try_from(http_request)
                .map_err(|e| TransportError::Invalid(e.to_string()))?;
            let response = self.connector.call(smithy_request).await.map_err(|error| {
                if error.is_timeout() {
                    TransportError::Timeout
                } else {
                    TransportError::Connect(chain(&error))
                }
            })?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let body = ByteStream::new(response.into_body())
                .collect()
                .await
                .map_err(|e| TransportError::Connect(format!("reading the response: {}", chain(&e))))?
                .into_bytes()
                .to_vec();
            Ok(HttpResponse { status, headers, body })
        })
    }
}

/// An error with its causes, on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
