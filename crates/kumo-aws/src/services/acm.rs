//! AWS Certificate Manager (awsJson 1.1): what `kumo deploy` shows while a certificate waits for its
//! DNS validation.

use serde_json::{Value, json};

use crate::client::Client;
use crate::error::AwsError;
use crate::request::Request;
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "ACM",
    endpoint_prefix: "acm",
    signing_name: "acm",
    protocol: Protocol::Json {
        version: "1.1",
        target_prefix: "CertificateManager",
    },
    scope: Scope::Regional,
};

/// One domain of a certificate and how its validation stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainValidation {
    pub domain: String,
    /// `PENDING_VALIDATION`, `SUCCESS`, `FAILED`.
    pub status: String,
    /// The CNAME record ACM looks for: (name, value).
    pub record: Option<(String, String)>,
}

/// A certificate's status (`PENDING_VALIDATION`, `ISSUED`, `FAILED`, ...) and its domains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    pub arn: String,
    pub domain: String,
    pub status: String,
    pub validations: Vec<DomainValidation>,
}

/// The certificate `arn`.
pub async fn describe_certificate(client: &Client, arn: &str) -> Result<Certificate, AwsError> {
    let request = Request::json(&SERVICE, "DescribeCertificate", &json!({"CertificateArn": arn}));
    let response = client.send(&SERVICE, request).await?;
    let body = response.json()?;
    let certificate = body
        .get("Certificate")
        .ok_or_else(|| response.invalid("no Certificate in the response"))?;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let validations = certificate
        .get("DomainValidationOptions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|option| DomainValidation {
            domain: text(option, "DomainName"),
            status: text(option, "ValidationStatus"),
            record: option
                .get("ResourceRecord")
                .map(|record| (text(record, "Name"), text(record, "Value"))),
        })
        .collect();
    Ok(Certificate {
        arn: text(certificate, "CertificateArn"),
        domain: text(certificate, "DomainName"),
        status: text(certificate, "Status"),
        validations,
    })
}
