//! Amazon Route 53 (restXml; one global endpoint per partition): the hosted zone reads and the delete
//! `kumo deploy` and `kumo destroy --include-dns` need.

use crate::client::Client;
use crate::error::AwsError;
use crate::request::Request;
use crate::service::{Protocol, Scope, Service};

pub static SERVICE: Service = Service {
    id: "Route 53",
    endpoint_prefix: "route53",
    signing_name: "route53",
    protocol: Protocol::RestXml,
    scope: Scope::Global {
        aws: ("route53.amazonaws.com", "us-east-1"),
        china: ("route53.amazonaws.com.cn", "cn-northwest-1"),
        gov_cloud: ("route53.us-gov.amazonaws.com", "us-gov-west-1"),
    },
};

/// A hosted zone and the name servers Route 53 gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostedZone {
    /// The id without the `/hostedzone/` prefix (`Z0123...`), as CloudFormation's `Ref` gives it.
    pub id: String,
    /// The domain, without the trailing dot.
    pub name: String,
    pub name_servers: Vec<String>,
}

/// `Z0123...` from `/hostedzone/Z0123...` or `Z0123...`.
pub fn bare_zone_id(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

/// The zone; `None` if there is no such zone (`NoSuchHostedZone`).
pub async fn get_hosted_zone(client: &Client, zone_id: &str) -> Result<Option<HostedZone>, AwsError> {
    let id = bare_zone_id(zone_id);
    let request = Request::rest("GetHostedZone", "GET", format!("/2013-04-01/hostedzone/{id}"));
    let response = match client.send(&SERVICE, request).await {
        Ok(response) => response,
        Err(error) if error.code() == Some("NoSuchHostedZone") || error.status() == Some(404) => return Ok(None),
        Err(error) => return Err(error),
    };
    let root = response.xml()?;
    let zone = response.required(&root, &["HostedZone"])?;
    let name_servers = root
        .path(&["DelegationSet", "NameServers"])
        .into_iter()
        .flat_map(|list| list.children_named("NameServer"))
        .map(|n| n.text.trim().trim_end_matches('.').to_owned())
        .collect();
    Ok(Some(HostedZone {
        id: bare_zone_id(zone.text("Id").unwrap_or(id)).to_owned(),
        name: zone.text("Name").unwrap_or_default().trim_end_matches('.').to_owned(),
        name_servers,
    }))
}

/// Deletes the zone (Route 53 refuses while it holds records other than its SOA and NS:
/// `HostedZoneNotEmpty`). `Ok(false)` if it did not exist.
pub async fn delete_hosted_zone(client: &Client, zone_id: &str) -> Result<bool, AwsError> {
    let id = bare_zone_id(zone_id);
    let request = Request::rest("DeleteHostedZone", "DELETE", format!("/2013-04-01/hostedzone/{id}"));
    match client.send(&SERVICE, request).await {
        Ok(_) => Ok(true),
        Err(error) if error.code() == Some("NoSuchHostedZone") || error.status() == Some(404) => Ok(false),
        Err(error) => Err(error),
    }
}
