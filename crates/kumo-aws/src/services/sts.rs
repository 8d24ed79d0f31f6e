//! AWS STS (awsQuery; the regional endpoints, as the SDKs use by default).

use crate::client::Client;
use crate::error::AwsError;
use crate::request::{Params, Request};
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "STS",
    endpoint_prefix: "sts",
    signing_name: "sts",
    protocol: Protocol::Query { version: "2011-06-15" },
    scope: Scope::Regional,
};

/// Who the credentials belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

pub async fn get_caller_identity(client: &Client) -> Result<Identity, AwsError> {
    let response = client
        .send(&SERVICE, Request::query(&SERVICE, "GetCallerIdentity", Params::new()))
        .await?;
    let root = response.xml()?;
    let result = response.required(&root, &["GetCallerIdentityResult"])?;
    let field = |name: &str| -> Result<String, AwsError> {
        result
            .text(name)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| response.invalid(&format!("no {name} in the response")))
    };
    Ok(Identity {
        account: field("Account")?,
        arn: field("Arn")?,
        user_id: field("UserId")?,
    })
}
