//! AWS Identity and Access Management (awsQuery; one global endpoint per partition).

use crate::client::Client;
use crate::error::AwsError;
use crate::request::{Params, Request};
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "IAM",
    endpoint_prefix: "iam",
    signing_name: "iam",
    protocol: Protocol::Query { version: "2010-05-08" },
    scope: Scope::Global {
        aws: ("iam.amazonaws.com", "us-east-1"),
        china: ("iam.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        gov_cloud: ("iam.us-gov.amazonaws.com", "us-gov-west-1"),
    },
};

/// An IAM user or role: its ARN and path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub arn: String,
    /// `/` unless the principal was created with a path (SSO roles: `/aws-reserved/sso.amazonaws.com/…/`).
    pub path: String,
}

async fn get(
    client: &Client,
    action: &'static str,
    name_param: &str,
    kind: &str,
    name: &str,
) -> Result<Option<Principal>, AwsError> {
    let request = Request::query(&SERVICE, action, Params::new().set(name_param, name));
    let response = match client.send(&SERVICE, request).await {
        Ok(response) => response,
        Err(error) if error.code() == Some("NoSuchEntity") => return Ok(None),
        Err(error) => return Err(error),
    };
    let root = response.xml()?;
    let node = response.required(&root, &[&format!("{action}Result"), kind])?;
    Ok(Some(Principal {
        name: node.text(name_param).unwrap_or(name).to_owned(),
        arn: node.text_or_empty("Arn"),
        path: node.text("Path").filter(|p| !p.is_empty()).unwrap_or("/").to_owned(),
    }))
}

/// The IAM user `name`, or `None` if the account has none by that name.
pub async fn get_user(client: &Client, name: &str) -> Result<Option<Principal>, AwsError> {
    get(client, "GetUser", "UserName", "User", name).await
}

/// The IAM role `name`, or `None` if the account has none by that name.
pub async fn get_role(client: &Client, name: &str) -> Result<Option<Principal>, AwsError> {
    get(client, "GetRole", "RoleName", "Role", name).await
}
