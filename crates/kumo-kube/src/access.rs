//! A Kubernetes client for a kumo stack's cluster, from the stack's outputs and a token source.
//!
//! Everything needed is in the stack: `ClusterName`, `ClusterEndpoint`, `CertificateAuthorityData`
//! (`Fn::GetAtt` of the cluster), so no EKS API call and no kubeconfig file are involved. Every request
//! carries the [`TokenSource`]'s current token, which it renews before expiry: a wait longer than a
//! token's 14 minutes keeps working.
//!
//! The teardown uses the same pieces: [`ClusterAccess::from_outputs`], then [`ClusterAccess::client`].

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine as _;
use http::{HeaderValue, Request, header::AUTHORIZATION};
use kube::client::Body;
use tower::{BoxError, Layer, Service, ServiceExt as _};

use crate::token::TokenSource;

/// Stack output keys the Kubernetes side reads.
pub mod outputs {
    pub const CLUSTER_NAME: &str = "ClusterName";
    pub const CLUSTER_ENDPOINT: &str = "ClusterEndpoint";
    pub const CERTIFICATE_AUTHORITY_DATA: &str = "CertificateAuthorityData";
    pub const VPC_ID: &str = "VpcId";
    /// `namespace/name` of the Load Balancer Controller's service account.
    pub const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT: &str = "LoadBalancerControllerServiceAccount";
    /// IRSA mode only.
    pub const LOAD_BALANCER_CONTROLLER_ROLE_ARN: &str = "LoadBalancerControllerRoleArn";
}

/// Connecting to an endpoint that does not answer gives up after this long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A request whose response does not arrive gives up after this long.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("the stack has no {0} output")]
    MissingOutput(&'static str),
    #[error("the stack's {output} output is invalid: {reason}")]
    InvalidOutput { output: &'static str, reason: String },
    #[error("cannot build a client for {endpoint}: {reason}")]
    Client { endpoint: String, reason: String },
}

/// Where the cluster is and how to trust it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterAccess {
    pub cluster_name: String,
    /// `https://<id>.<suffix>.<region>.eks.amazonaws.com`
    pub endpoint: String,
    /// The cluster CA: base64 of PEM, as EKS reports it (and as kubeconfig's
    /// `certificate-authority-data` wants it).
    pub certificate_authority_data: String,
}

impl ClusterAccess {
    /// From a stack's outputs: `Ok(None)` when the stack has no cluster (no `ClusterEndpoint` output),
    /// an error when it has one but the other outputs are missing or invalid.
    pub fn from_outputs(outputs: &BTreeMap<String, String>) -> Result<Option<ClusterAccess>, AccessError> {
        let Some(endpoint) = outputs.get(outputs::CLUSTER_ENDPOINT) else {
            return Ok(None);
        };
        let get = |key: &'static str| outputs.get(key).cloned().ok_or(AccessError::MissingOutput(key));
        let access = ClusterAccess {
            cluster_name: get(outputs::CLUSTER_NAME)?,
            endpoint: endpoint.clone(),
            certificate_authority_data: get(outputs::CERTIFICATE_AUTHORITY_DATA)?,
        };
        access.endpoint_uri()?;
        access.root_certificates()?;
        Ok(Some(access))
    }

    fn endpoint_uri(&self) -> Result<http::Uri, AccessError> {
        let invalid = |reason: String| AccessError::InvalidOutput {
            output: outputs::CLUSTER_ENDPOINT,
            reason,
        };
        let uri: http::Uri = self
            .endpoint
            .parse()
            .map_err(|e| invalid(format!("{:?}: {e}", self.endpoint)))?;
        if uri.scheme_str() != Some("https") || uri.host().is_none() {
            return Err(invalid(format!("{:?} is not an https:// URL", self.endpoint)));
        }
        Ok(uri)
    }

    /// The CA certificates in DER.
    fn root_certificates(&self) -> Result<Vec<Vec<u8>>, AccessError> {
        let invalid = |reason: &str| AccessError::InvalidOutput {
            output: outputs::CERTIFICATE_AUTHORITY_DATA,
            reason: reason.to_owned(),
        };
        let pem = base64::engine::general_purpose::STANDARD
            .decode(self.certificate_authority_data.trim())
            .map_err(|_| invalid("not base64"))?;
        let blocks = pem_blocks(&pem).ok_or_else(|| invalid("not a PEM certificate"))?;
        if blocks.is_empty() {
            return Err(invalid("holds no certificate"));
        }
        Ok(blocks)
    }

    /// A client whose every request carries `tokens`' current token. Connecting gives up after
    /// [`CONNECT_TIMEOUT`], so an unreachable endpoint is an error, not a hang.
    pub fn client(&self, tokens: TokenSource) -> Result<kube::Client, AccessError> {
        let fail = |reason: String| AccessError::Client {
            endpoint: self.endpoint.clone(),
            reason,
        };
        let mut config = kube::Config::new(self.endpoint_uri()?);
        config.root_cert = Some(self.root_certificates()?);
        config.connect_timeout = Some(CONNECT_TIMEOUT);
        config.read_timeout = Some(READ_TIMEOUT);
        config.write_timeout = Some(READ_TIMEOUT);
        config.default_namespace = "kube-system".into();
        let builder = kube::client::ClientBuilder::try_from(config).map_err(|e| fail(crate::error::chain(&e)))?;
        // kube's stack is a boxed service; the buffer makes it cloneable for the bearer layer.
        Ok(builder
            .with_layer(&tower::buffer::BufferLayer::new(64))
            .with_layer(&BearerLayer::new(tokens))
            .build())
    }
}

/// DER of each `CERTIFICATE` block of a PEM text; `None` if it is not PEM.
fn pem_blocks(pem: &[u8]) -> Option<Vec<Vec<u8>>> {
    x509_parser::pem::Pem::iter_from_buffer(pem)
        .map(|block| block.ok().filter(|b| b.label == "CERTIFICATE").map(|b| b.contents))
        .collect()
}

/// A kube client over any service (tests: `tower_test::mock`), with the bearer layer.
pub fn client_over<S, B>(service: S, tokens: TokenSource) -> kube::Client
where
    S: Service<Request<Body>, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    kube::Client::new(BearerLayer::new(tokens).layer(service), "kube-system")
}

/// Sets `Authorization: Bearer <token>` on every request, asking the token source each time (it renews
/// the token when it nears expiry).
#[derive(Clone, Debug)]
pub struct BearerLayer {
    tokens: TokenSource,
}

impl BearerLayer {
    pub fn new(tokens: TokenSource) -> Self {
        BearerLayer { tokens }
    }
}

impl<S> Layer<S> for BearerLayer {
    type Service = Bearer<S>;
    fn layer(&self, inner: S) -> Bearer<S> {
        Bearer {
            inner,
            tokens: self.tokens.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Bearer<S> {
    inner: S,
    tokens: TokenSource,
}

impl<S> Service<Request<Body>> for Bearer<S>
where
    S: Service<Request<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // Readiness is awaited on the clone that serves the call, after the token is known.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        let inner = self.inner.clone();
        let tokens = self.tokens.clone();
        Box::pin(async move {
            let token = tokens.current().await.map_err(BoxError::from)?;
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.value)).map_err(BoxError::from)?;
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
            inner.oneshot(request).await.map_err(Into::into)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_stack_without_a_cluster_endpoint_has_no_cluster() {
        assert_eq!(
            ClusterAccess::from_outputs(&outputs(&[("VpcId", "vpc-1")])).unwrap(),
            None
        );
    }

    #[test]
    fn missing_or_broken_cluster_outputs_are_named() {
        let err =
            ClusterAccess::from_outputs(&outputs(&[("ClusterEndpoint", "https://x.eks.amazonaws.com")])).unwrap_err();
        assert_eq!(err.to_string(), "the stack has no ClusterName output");
        let err = ClusterAccess::from_outputs(&outputs(&[
            ("ClusterEndpoint", "http://x"),
            ("ClusterName", "c"),
            ("CertificateAuthorityData", "eA=="),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("ClusterEndpoint output is invalid"), "{err}");
        let err = ClusterAccess::from_outputs(&outputs(&[
            ("ClusterEndpoint", "https://x"),
            ("ClusterName", "c"),
            ("CertificateAuthorityData", "eA=="),
        ]))
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("CertificateAuthorityData output is invalid: holds no certificate"),
            "{err}"
        );
    }
}
