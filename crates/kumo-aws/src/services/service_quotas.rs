//! Service Quotas (awsJson 1.1).

use serde_json::{Value, json};

use crate::client::Client;
use crate::error::AwsError;
use crate::request::Request;
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "Service Quotas",
    endpoint_prefix: "servicequotas",
    signing_name: "servicequotas",
    protocol: Protocol::Json {
        version: "1.1",
        target_prefix: "ServiceQuotasV20190624",
    },
    scope: Scope::Regional,
};

async fn quota(
    client: &Client,
    operation: &'static str,
    service_code: &str,
    quota_code: &str,
) -> Result<Option<f64>, AwsError> {
    let input = json!({"ServiceCode": service_code, "QuotaCode": quota_code});
    let response = match client.send(&SERVICE, Request::json(&SERVICE, operation, &input)).await {
        Ok(response) => response,
        Err(error) if error.code() == Some("NoSuchResourceException") => return Ok(None),
        Err(error) => return Err(error),
    };
    let body = response.json()?;
    body.pointer("/Quota/Value")
        .and_then(Value::as_f64)
        .map(Some)
        .ok_or_else(|| response.invalid("no Quota.Value in the response"))
}

/// The quota as applied to this account (`None`: Service Quotas has no applied value for it).
pub async fn get_service_quota(client: &Client, service_code: &str, quota_code: &str) -> Result<Option<f64>, AwsError> {
    quota(client, "GetServiceQuota", service_code, quota_code).await
}

/// AWS's default value of the quota.
pub async fn get_aws_default_service_quota(
    client: &Client,
    service_code: &str,
    quota_code: &str,
) -> Result<Option<f64>, AwsError> {
    quota(client, "GetAWSDefaultServiceQuota", service_code, quota_code).await
}
