//! AWS CodeBuild (awsJson 1.1).

use serde_json::{Value, json};

use crate::client::Client;
use crate::error::AwsError;
use crate::request::Request;
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "CodeBuild",
    endpoint_prefix: "codebuild",
    signing_name: "codebuild",
    protocol: Protocol::Json {
        version: "1.1",
        target_prefix: "CodeBuild_20161006",
    },
    scope: Scope::Regional,
};

/// Account-level credentials CodeBuild uses for a source provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceCredential {
    pub arn: String,
    /// `GITHUB`, `GITHUB_ENTERPRISE`, `BITBUCKET`, `GITLAB`, `GITLAB_SELF_MANAGED`.
    pub server_type: String,
    /// `OAUTH`, `BASIC_AUTH`, `PERSONAL_ACCESS_TOKEN`, `CODECONNECTIONS`, `SECRETS_MANAGER`.
    pub auth_type: String,
    /// The connection or secret ARN, for `CODECONNECTIONS` and `SECRETS_MANAGER`.
    pub resource: Option<String>,
}

pub async fn list_source_credentials(client: &Client) -> Result<Vec<SourceCredential>, AwsError> {
    let request = Request::json(&SERVICE, "ListSourceCredentials", &json!({}));
    let response = client.send(&SERVICE, request).await?;
    let body = response.json()?;
    let text = |item: &Value, key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok(body
        .get("sourceCredentialsInfos")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| SourceCredential {
            arn: text(item, "arn"),
            server_type: text(item, "serverType"),
            auth_type: text(item, "authType"),
            resource: item.get("resource").and_then(Value::as_str).map(str::to_owned),
        })
        .collect())
}
