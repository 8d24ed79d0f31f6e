//! Amazon RDS (awsQuery).

use crate::client::Client;
use crate::error::AwsError;
use crate::request::{Params, Request};
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "RDS",
    endpoint_prefix: "rds",
    signing_name: "rds",
    protocol: Protocol::Query { version: "2014-10-31" },
    scope: Scope::Regional,
};

/// One orderable combination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Orderable {
    pub engine_version: String,
    pub instance_class: String,
}

/// Orderable instance options in a VPC for `engine` (optionally narrowed to a version and a class):
/// the first page only (up to 100 options), which answers "is this orderable" and gives examples. The
/// filters are applied to the answer too (some endpoints, such as moto, ignore `DBInstanceClass`).
pub async fn orderable_options(
    client: &Client,
    engine: &str,
    engine_version: Option<&str>,
    instance_class: Option<&str>,
) -> Result<Vec<Orderable>, AwsError> {
    let mut params = Params::new()
        .set("Engine", engine)
        .set("Vpc", "true")
        .set("MaxRecords", "100");
    if let Some(version) = engine_version {
        params = params.set("EngineVersion", version);
    }
    if let Some(class) = instance_class {
        params = params.set("DBInstanceClass", class);
    }
    let request = Request::query(&SERVICE, "DescribeOrderableDBInstanceOptions", params);
    let response = client.send(&SERVICE, request).await?;
    let root = response.xml()?;
    let list = root.path(&["DescribeOrderableDBInstanceOptionsResult", "OrderableDBInstanceOptions"]);
    Ok(list
        .into_iter()
        .flat_map(|l| l.children_named("OrderableDBInstanceOption"))
        .map(|option| Orderable {
            engine_version: option.text_or_empty("EngineVersion"),
            instance_class: option.text_or_empty("DBInstanceClass"),
        })
        .filter(|o| engine_version.is_none_or(|v| o.engine_version == v))
        .filter(|o| instance_class.is_none_or(|c| o.instance_class == c))
        .collect())
}
