//! AWS CloudFormation (awsQuery): the one read preflight needs. The deploy engine itself uses the SDK
//! crate; this keeps the preflight crate free of it.

use crate::client::Client;
use crate::error::AwsError;
use crate::request::{Params, Request};
use crate::service::{Protocol, Scope, Service};
use crate::xml::XmlNode;

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

/// Sends `action` with `params`, following `NextToken` through every page; `each` reads the `result`
/// element of each page.
async fn each_page(
    client: &Client,
    action: &'static str,
    params: Params,
    result: &str,
    mut each: impl FnMut(&XmlNode),
) -> Result<(), AwsError> {
    client
        .query_pages(&SERVICE, action, params, "NextToken", |response, root| {
            let node = response.required(root, &[result])?;
            each(node);
            Ok(node.text("NextToken").map(str::to_owned))
        })
        .await
}

/// Sends a request about one stack; `None` when the stack (or the resource asked for) does not exist.
async fn send_about_stack(client: &Client, request: Request) -> Result<Option<crate::request::Response>, AwsError> {
    match client.send(&SERVICE, request).await {
        Ok(response) => Ok(Some(response)),
        Err(error)
            if error.code() == Some("ValidationError")
                && error.message().is_some_and(|m| m.contains("does not exist")) =>
        {
            Ok(None)
        }
        Err(error) => Err(error),
    }
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
        let Some(response) = send_about_stack(client, request).await? else {
            return Ok(None);
        };
        let root = response.xml()?;
        let result = response.required(&root, &["ListStackResourcesResult"])?;
        for member in result.list("StackResourceSummaries", "member") {
            let field = |name| member.text_or_empty(name);
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

/// The physical id of the stack's resource `logical_id` (its `Ref` for most types); `None` if the stack
/// or the resource does not exist, or has no physical id yet.
pub async fn resource_physical_id(client: &Client, stack: &str, logical_id: &str) -> Result<Option<String>, AwsError> {
    let params = Params::new()
        .set("StackName", stack)
        .set("LogicalResourceId", logical_id);
    let request = Request::query(&SERVICE, "DescribeStackResource", params);
    let Some(response) = send_about_stack(client, request).await? else {
        return Ok(None);
    };
    let root = response.xml()?;
    let detail = response.required(&root, &["DescribeStackResourceResult", "StackResourceDetail"])?;
    Ok(detail
        .text("PhysicalResourceId")
        .filter(|id| !id.is_empty())
        .map(str::to_owned))
}

/// A stack as `DescribeStacks` lists it: what `kumo list` shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackSummary {
    pub name: String,
    pub status: String,
    /// ISO 8601, as CloudFormation gives it.
    pub created: String,
    pub last_updated: Option<String>,
    pub tags: Vec<(String, String)>,
    /// Parameter values (`****` for NoEcho ones, as CloudFormation shows them).
    pub parameters: Vec<(String, String)>,
}

impl StackSummary {
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Every stack of the region that is not deleted (`DescribeStacks` without a name, all pages).
pub async fn describe_stacks(client: &Client) -> Result<Vec<StackSummary>, AwsError> {
    let mut stacks = Vec::new();
    each_page(
        client,
        "DescribeStacks",
        Params::new(),
        "DescribeStacksResult",
        |result| {
            for member in result.list("Stacks", "member") {
                let tags = member
                    .list("Tags", "member")
                    .map(|t| (t.text_or_empty("Key"), t.text_or_empty("Value")))
                    .collect();
                let parameters = member
                    .list("Parameters", "member")
                    .map(|p| (p.text_or_empty("ParameterKey"), p.text_or_empty("ParameterValue")))
                    .collect();
                stacks.push(StackSummary {
                    parameters,
                    name: member.text_or_empty("StackName"),
                    status: member.text_or_empty("StackStatus"),
                    created: member.text_or_empty("CreationTime"),
                    last_updated: member
                        .text("LastUpdatedTime")
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned),
                    tags,
                });
            }
        },
    )
    .await?;
    Ok(stacks)
}

/// An export of the region (`ListExports`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    pub value: String,
    pub exporting_stack_id: String,
}

/// Every export of the region (all pages): what `Fn::ImportValue` can name.
pub async fn list_exports(client: &Client) -> Result<Vec<Export>, AwsError> {
    let mut exports = Vec::new();
    each_page(client, "ListExports", Params::new(), "ListExportsResult", |result| {
        exports.extend(result.list("Exports", "member").map(|member| Export {
            name: member.text_or_empty("Name"),
            value: member.text_or_empty("Value"),
            exporting_stack_id: member.text_or_empty("ExportingStackId"),
        }));
    })
    .await?;
    Ok(exports)
}

/// The stacks that import `export_name` (all pages); empty when none does (CloudFormation answers that
/// with a `ValidationError`, "Export '...' is not imported by any stack").
pub async fn list_imports(client: &Client, export_name: &str) -> Result<Vec<String>, AwsError> {
    let mut stacks = Vec::new();
    let params = Params::new().set("ExportName", export_name);
    let read = each_page(client, "ListImports", params, "ListImportsResult", |result| {
        stacks.extend(result.list("Imports", "member").map(|m| m.text.clone()));
    })
    .await;
    match read {
        Ok(()) => Ok(stacks),
        Err(error)
            if error.code() == Some("ValidationError")
                && error
                    .message()
                    .is_some_and(|m| m.contains("is not imported by any stack")) =>
        {
            Ok(Vec::new())
        }
        Err(error) => Err(error),
    }
}
