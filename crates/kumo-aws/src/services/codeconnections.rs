//! AWS CodeConnections and its predecessor CodeStar Connections (awsJson 1.0); a connection ARN names
//! which one it belongs to (`arn:aws:codeconnections:…` or `arn:aws:codestar-connections:…`).

use serde_json::{Value, json};

use crate::client::Client;
use crate::error::AwsError;
use crate::request::Request;
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "CodeConnections",
    endpoint_prefix: "codeconnections",
    signing_name: "codeconnections",
    protocol: Protocol::Json {
        version: "1.0",
        target_prefix: "com.amazonaws.codeconnections.CodeConnections_20231201",
    },
    scope: Scope::Regional,
};

pub static CODESTAR_SERVICE: Service = Service {
    id: "CodeStar connections",
    endpoint_prefix: "codestar-connections",
    signing_name: "codestar-connections",
    protocol: Protocol::Json {
        version: "1.0",
        target_prefix: "com.amazonaws.codestar.connections.CodeStar_connections_20191201",
    },
    scope: Scope::Regional,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub name: String,
    /// `PENDING` (the handshake with the provider was never completed), `AVAILABLE` or `ERROR`.
    pub status: String,
    pub provider_type: String,
}

/// The connection `arn`, or `None` if it does not exist.
pub async fn get_connection(client: &Client, arn: &str) -> Result<Option<Connection>, AwsError> {
    let service = if arn.contains(":codestar-connections:") {
        &CODESTAR_SERVICE
    } else {
        &SERVICE
    };
    let request = Request::json(service, "GetConnection", &json!({"ConnectionArn": arn}));
    let response = match client.send(service, request).await {
        Ok(response) => response,
        Err(error) if error.code() == Some("ResourceNotFoundException") => return Ok(None),
        Err(error) => return Err(error),
    };
    let body = response.json()?;
    let connection = body
        .get("Connection")
        .ok_or_else(|| response.invalid("no Connection in the response"))?;
    let text = |key: &str| {
        connection
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(Some(Connection {
        name: text("ConnectionName"),
        status: text("ConnectionStatus"),
        provider_type: text("ProviderType"),
    }))
}
