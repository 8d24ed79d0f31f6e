//! Resource Groups Tagging API (awsJson 1.1): every tagged resource of the region with a given tag,
//! whatever its service. The teardown's first look and its last check.

use serde_json::{Value, json};

use crate::client::Client;
use crate::error::AwsError;
use crate::request::Request;
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "Resource Groups Tagging API",
    endpoint_prefix: "tagging",
    signing_name: "tagging",
    protocol: Protocol::Json {
        version: "1.1",
        target_prefix: "ResourceGroupsTaggingAPI_20170126",
    },
    scope: Scope::Regional,
};

/// A resource and its tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaggedResource {
    pub arn: String,
    pub tags: Vec<(String, String)>,
}

impl TaggedResource {
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Resources whose tag `key` has one of `values`, across pages.
pub async fn get_resources(client: &Client, key: &str, values: &[String]) -> Result<Vec<TaggedResource>, AwsError> {
    let mut found = Vec::new();
    let mut token = String::new();
    loop {
        let mut input = json!({
            "TagFilters": [{ "Key": key, "Values": values }],
            "ResourcesPerPage": 100,
        });
        if !token.is_empty() {
            input["PaginationToken"] = Value::String(token.clone());
        }
        let response = client
            .send(&SERVICE, Request::json(&SERVICE, "GetResources", &input))
            .await?;
        let body = response.json()?;
        for mapping in body
            .get("ResourceTagMappingList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let tags = mapping
                .get("Tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|t| {
                    let field = |name| t.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
                    (field("Key"), field("Value"))
                })
                .collect();
            found.push(TaggedResource {
                arn: mapping
                    .get("ResourceARN")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                tags,
            });
        }
        token = body
            .get("PaginationToken")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if token.is_empty() {
            return Ok(found);
        }
    }
}
