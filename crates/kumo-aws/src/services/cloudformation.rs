//! AWS CloudFormation (awsQuery): the one read preflight needs. The deploy engine itself uses the SDK
//! crate; this keeps the preflight crate free of it.

use crate::client::Client;
use crate::error::AwsError;
use crate::request::{Params, Request};
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "CloudFormation",
    endpoint_prefix: "cloudformation",
    signing_name: "cloudformation",
    protocol: Protocol::Query { version: "2010-05-15" },
    scope: Scope::Regional,
};

/// `(logical id, resource type)` of every resource of the stack; `None` if there is no such stack.
pub async fn list_stack_resources(client: &Client, stack: &str) -> Result<Option<Vec<(String, String)>>, AwsError> {
    let mut resources = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut params = Params::new().set("StackName", stack);
        if let Some(token) = &token {
            params = params.set("NextToken", token);
        }
        let request = Request::query(&SERVICE, "ListStackResources", params);
        let response = match client.send(&SERVICE, request).await {
            Ok(response) => response,
            Err(error)
                if error.code() == Some("ValidationError")
                    && error.message().is_some_and(|m| m.contains("does not exist")) =>
            {
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        let root = response.xml()?;
        let result = response.required(&root, &["ListStackResourcesResult"])?;
        for member in result
            .child("StackResourceSummaries")
            .into_iter()
            .flat_map(|l| l.children_named("member"))
        {
            resources.push((
                member.text("LogicalResourceId").unwrap_or_default().to_owned(),
                member.text("ResourceType").unwrap_or_default().to_owned(),
            ));
        }
        token = result.text("NextToken").filter(|t| !t.is_empty()).map(str::to_owned);
        if token.is_none() {
            return Ok(Some(resources));
        }
    }
}
