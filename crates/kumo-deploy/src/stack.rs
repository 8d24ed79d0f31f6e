//! A stack as `DescribeStacks` reports it, reduced to what the flows use.

use std::time::SystemTime;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::StackDriftStatus;

use crate::api_error::{ApiError, ApiResult};
use crate::stack_state::{StackState, StackStatus, classify};

#[derive(Clone, Debug)]
pub struct StackInfo {
    /// The stack ARN; stable across the stack's life and still readable after deletion.
    pub id: String,
    pub name: String,
    pub status: StackStatus,
    pub status_reason: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<(String, String)>,
    /// Current parameter values (`None` for masked `NoEcho` values).
    pub parameters: Vec<(String, Option<String>)>,
    pub outputs: Vec<StackOutput>,
    pub termination_protection: bool,
    pub disable_rollback: bool,
    /// Set for nested stacks: the parent stack's id.
    pub parent_id: Option<String>,
    pub created: Option<SystemTime>,
    pub last_updated: Option<SystemTime>,
    pub drift: Option<Drift>,
}

/// The stack's last drift detection result, if one was ever run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub status: StackDriftStatus,
    pub checked: Option<SystemTime>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackOutput {
    pub key: String,
    pub value: String,
    pub description: Option<String>,
    pub export_name: Option<String>,
}

impl StackInfo {
    pub fn state(&self) -> StackState {
        classify(Some(&self.status))
    }

    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The SDK's stack; an error when it lacks the status (a required field: without it kumo cannot
    /// decide anything, and guessing one would be worse).
    fn from_sdk(stack: &aws_sdk_cloudformation::types::Stack) -> Result<StackInfo, ApiError> {
        let time =
            |t: Option<&aws_sdk_cloudformation::primitives::DateTime>| t.and_then(|t| SystemTime::try_from(*t).ok());
        let Some(status) = stack.stack_status() else {
            return Err(ApiError::malformed(
                "DescribeStacks",
                format!(
                    "the answer describes stack {:?} without a StackStatus",
                    stack.stack_name().unwrap_or_default()
                ),
            ));
        };
        Ok(StackInfo {
            id: stack.stack_id().unwrap_or_default().to_owned(),
            name: stack.stack_name().unwrap_or_default().to_owned(),
            status: StackStatus::from_sdk(status),
            status_reason: stack.stack_status_reason().filter(|r| !r.is_empty()).map(str::to_owned),
            description: stack.description().map(str::to_owned),
            tags: stack
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_owned(),
                        t.value().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
            parameters: stack
                .parameters()
                .iter()
                .map(|p| {
                    let value = p.parameter_value().filter(|v| *v != "****").map(str::to_owned);
                    (p.parameter_key().unwrap_or_default().to_owned(), value)
                })
                .collect(),
            outputs: stack
                .outputs()
                .iter()
                .map(|o| StackOutput {
                    key: o.output_key().unwrap_or_default().to_owned(),
                    value: o.output_value().unwrap_or_default().to_owned(),
                    description: o.description().map(str::to_owned),
                    export_name: o.export_name().map(str::to_owned),
                })
                .collect(),
            termination_protection: stack.enable_termination_protection().unwrap_or(false),
            disable_rollback: stack.disable_rollback().unwrap_or(false),
            parent_id: stack.parent_id().filter(|p| !p.is_empty()).map(str::to_owned),
            created: time(stack.creation_time()),
            last_updated: time(stack.last_updated_time()),
            drift: stack.drift_information().and_then(|d| {
                d.stack_drift_status().map(|status| Drift {
                    status: status.clone(),
                    checked: time(d.last_check_timestamp()),
                })
            }),
        })
    }
}

/// Reads a stack by name or id. `None` when it does not exist (CloudFormation answers that with a
/// `ValidationError`, which is told apart from real validation errors by its message).
pub async fn describe(client: &Client, stack: &str) -> Result<Option<StackInfo>, ApiError> {
    match client
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .api("DescribeStacks")
    {
        Ok(output) => output.stacks().first().map(StackInfo::from_sdk).transpose(),
        Err(error) if error.is_stack_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}
