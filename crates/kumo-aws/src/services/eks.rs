//! Amazon EKS (restJson).

use serde_json::Value;

use crate::client::Client;
use crate::error::AwsError;
use crate::request::Request;
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "EKS",
    endpoint_prefix: "eks",
    signing_name: "eks",
    protocol: Protocol::RestJson,
    scope: Scope::Regional,
};

/// A Kubernetes version EKS offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterVersion {
    pub version: String,
    /// `STANDARD_SUPPORT`, `EXTENDED_SUPPORT` or `UNSUPPORTED`.
    pub status: String,
    pub default: bool,
}

/// The versions EKS offers for new clusters in the region (`versions`: only these).
pub async fn describe_cluster_versions(client: &Client, versions: &[String]) -> Result<Vec<ClusterVersion>, AwsError> {
    let mut found = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request =
            Request::rest("DescribeClusterVersions", "GET", "/cluster-versions").param("clusterType", "eks");
        for version in versions {
            request = request.param("clusterVersions", version);
        }
        if let Some(token) = &token {
            request = request.param("nextToken", token);
        }
        let response = client.send(&SERVICE, request).await?;
        let body = response.json()?;
        let list = body
            .get("clusterVersions")
            .and_then(Value::as_array)
            .ok_or_else(|| response.invalid("no clusterVersions in the response"))?;
        for entry in list {
            let status = entry
                .get("versionStatus")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    entry
                        .get("status")
                        .and_then(Value::as_str)
                        .map(|s| s.to_ascii_uppercase().replace('-', "_"))
                })
                .unwrap_or_default();
            found.push(ClusterVersion {
                version: entry
                    .get("clusterVersion")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                status,
                default: entry.get("defaultVersion").and_then(Value::as_bool).unwrap_or(false),
            });
        }
        token = body
            .get("nextToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            return Ok(found);
        }
    }
}
