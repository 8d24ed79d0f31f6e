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

/// A resource of a stack as `ListStackResources` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackResource {
    pub logical_id: String,
    pub resource_type: String,
    /// Empty before the resource was created.
    pub physical_id: String,
    pub status: String,
}

/// `(logical id, resource type)` of every resource of the stack; `None` if there is no such stack.
pub async fn list_stack_resources(client: &Client, stack: &str) -> Result<Option<Vec<(String, String)>>, AwsError> {
    Ok(stack_resources(client, stack)
        .await?
        .map(|resources| resources.into_iter().map(|r| (r.logical_id, r.resource_type)).collect()))
}

/// Every resource of the stack; `None` if there is no such stack.
pub async fn stack_resources(client: &Client, stack: &str) -> Result<Option<Vec<StackResource>>, AwsError> {
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
            let field = |name| member.text(name).unwrap_or_default().to_owned();
            resources.push(StackResource {
                logical_id: field("LogicalResourceId"),
                resource_type: field("ResourceType"),
                physical_id: field("PhysicalResourceId"),
                status: field("ResourceStatus"),
            });
        }
        token = result.text("NextToken").filter(|t| !t.is_empty()).map(str::to_owned);
        if token.is_none() {
            return Ok(Some(resources));
        }
    }
}
