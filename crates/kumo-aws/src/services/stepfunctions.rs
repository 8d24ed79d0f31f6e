//! AWS Step Functions (awsJson 1.0): the time-to-live reaper's last execution, for `kumo status`.

use serde_json::{Value, json};

use crate::client::Client;
use crate::error::AwsError;
use crate::request::Request;
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "SFN",
    endpoint_prefix: "states",
    signing_name: "states",
    protocol: Protocol::Json {
        version: "1.0",
        target_prefix: "AWSStepFunctions",
    },
    scope: Scope::Regional,
};

/// One execution of a state machine.
#[derive(Clone, Debug, PartialEq)]
pub struct Execution {
    pub arn: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, `PENDING_REDRIVE`.
    pub status: String,
    /// Unix seconds.
    pub started: Option<f64>,
    pub stopped: Option<f64>,
    /// For a failed execution: the error name and its cause.
    pub error: Option<String>,
    pub cause: Option<String>,
}

/// The newest execution of `state_machine_arn` (`ListExecutions`, then `DescribeExecution` for its
/// error), or `None` when it never ran.
pub async fn last_execution(client: &Client, state_machine_arn: &str) -> Result<Option<Execution>, AwsError> {
    let request = Request::json(
        &SERVICE,
        "ListExecutions",
        &json!({"stateMachineArn": state_machine_arn, "maxResults": 1}),
    );
    let body = client.send(&SERVICE, request).await?.json()?;
    let Some(arn) = body
        .get("executions")
        .and_then(Value::as_array)
        .and_then(|list| list.first())
        .and_then(|e| e.get("executionArn"))
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Ok(None);
    };
    let request = Request::json(&SERVICE, "DescribeExecution", &json!({"executionArn": arn}));
    let body = client.send(&SERVICE, request).await?.json()?;
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(Some(Execution {
        status: text("status").unwrap_or_default(),
        started: body.get("startDate").and_then(Value::as_f64),
        stopped: body.get("stopDate").and_then(Value::as_f64),
        error: text("error"),
        cause: text("cause"),
        arn,
    }))
}
