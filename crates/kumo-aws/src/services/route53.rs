//! Amazon Route 53 (restXml; one global endpoint per partition): a hosted zone and its name servers,
//! deleting a zone, the record sets of a zone, and deleting some of them in one change batch.

use crate::client::Client;
use crate::error::AwsError;
use crate::request::Request;
use crate::service::{Protocol, Scope, Service};
use crate::xml::{XmlNode, escape};

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

const NAMESPACE: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// `Z123` from `/hostedzone/Z123` or `Z123`.
pub fn bare_zone_id(zone_id: &str) -> &str {
    zone_id.rsplit('/').next().unwrap_or(zone_id)
}

/// A record set as Route 53 lists it. `raw` is the listed element itself, sent back as is to delete
/// it (a `DELETE` must match name, type, TTL, values, alias and routing fields exactly).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSet {
    /// Fully qualified, with the trailing dot, as Route 53 returns it (`\052` for a leading `*`).
    pub name: String,
    pub record_type: String,
    pub set_identifier: Option<String>,
    /// The values of a plain record (TXT values keep their quotes); empty for an alias.
    pub values: Vec<String>,
    pub raw: XmlNode,
}

/// Every record set of the zone, across pages.
pub async fn list_record_sets(client: &Client, zone_id: &str) -> Result<Vec<RecordSet>, AwsError> {
    let path = format!("/2013-04-01/hostedzone/{}/rrset", bare_zone_id(zone_id));
    let mut found = Vec::new();
    let mut next: Option<(String, String, Option<String>)> = None;
    loop {
        let mut request = Request::rest("ListResourceRecordSets", "GET", path.clone());
        if let Some((name, record_type, identifier)) = &next {
            request = request.param("name", name).param("type", record_type);
            if let Some(identifier) = identifier {
                request = request.param("identifier", identifier);
            }
        }
        let response = client.send(&SERVICE, request).await?;
        let root = response.xml()?;
        let sets = response.required(&root, &["ResourceRecordSets"])?;
        for set in sets.children_named("ResourceRecordSet") {
            found.push(RecordSet {
                name: set.text_or_empty("Name"),
                record_type: set.text_or_empty("Type"),
                set_identifier: set.text("SetIdentifier").map(str::to_owned),
                values: set
                    .list("ResourceRecords", "ResourceRecord")
                    .filter_map(|r| r.text("Value"))
                    .map(str::to_owned)
                    .collect(),
                raw: set.clone(),
            });
        }
        if root.text("IsTruncated") != Some("true") {
            return Ok(found);
        }
        let name = root.text_or_empty("NextRecordName");
        let record_type = root.text_or_empty("NextRecordType");
        if name.is_empty() {
            return Ok(found);
        }
        next = Some((name, record_type, root.text("NextRecordIdentifier").map(str::to_owned)));
    }
}

/// Deletes these record sets in one atomic change batch (all or none).
pub async fn delete_record_sets(client: &Client, zone_id: &str, sets: &[RecordSet]) -> Result<(), AwsError> {
    if sets.is_empty() {
        return Ok(());
    }
    let mut body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="{NAMESPACE}"><ChangeBatch><Comment>{}</Comment><Changes>"#,
        escape("kumo destroy: records external-dns left behind")
    );
    for set in sets {
        body.push_str("<Change><Action>DELETE</Action>");
        body.push_str(&set.raw.to_xml());
        body.push_str("</Change>");
    }
    body.push_str("</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>");
    let path = format!("/2013-04-01/hostedzone/{}/rrset/", bare_zone_id(zone_id));
    let request = Request::rest("ChangeResourceRecordSets", "POST", path).xml_body(body);
    client.send(&SERVICE, request).await?;
    Ok(())
}

/// A hosted zone and the name servers Route 53 gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostedZone {
    /// The id without the `/hostedzone/` prefix (`Z0123...`), as CloudFormation's `Ref` gives it.
    pub id: String,
    /// The domain, without the trailing dot.
    pub name: String,
    pub name_servers: Vec<String>,
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
