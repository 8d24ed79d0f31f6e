//! Route 53: `PublicHostedZone`, optionally with a CAA record that lets Amazon issue certificates, and
//! `ZoneRef`, a zone made elsewhere (another stack, an existing zone) known by its id and domain.

use kumo_cfn::route53 as l1;
use kumo_core::{Handle, List, Str};

use crate::Parent;

/// Properties of a [`PublicHostedZone`].
#[derive(Clone, Debug, PartialEq)]
pub struct PublicHostedZoneProps {
    /// The domain (`example.com`). Required.
    pub zone_name: String,
    /// Default: none.
    pub comment: Option<String>,
    /// Adds `CAA 0 issue "amazon.com"` at the apex, so only Amazon (ACM) may issue certificates for the
    /// domain. Default: `false`.
    pub caa_amazon: bool,
}

impl PublicHostedZoneProps {
    pub fn new(zone_name: impl Into<String>) -> Self {
        PublicHostedZoneProps {
            zone_name: zone_name.into(),
            comment: None,
            caa_amazon: false,
        }
    }
    pub fn comment(mut self, text: impl Into<String>) -> Self {
        self.comment = Some(text.into());
        self
    }
    pub fn caa_amazon(mut self, on: bool) -> Self {
        self.caa_amazon = on;
        self
    }
}

/// A public hosted zone (`AWS::Route53::HostedZone`).
///
/// Records in it resolve only once the registrar delegates the domain to [`PublicHostedZone::name_servers`].
#[derive(Clone, Debug)]
pub struct PublicHostedZone {
    zone_name: String,
    handle: Handle<l1::HostedZone>,
}

impl PublicHostedZone {
    pub fn new(parent: &mut impl Parent, id: &str, props: PublicHostedZoneProps) -> PublicHostedZone {
        let mut scope = parent.child(id);
        let mut zone = l1::HostedZone::new().name(props.zone_name.as_str());
        if let Some(comment) = &props.comment {
            zone = zone.hosted_zone_config(l1::hosted_zone::HostedZoneConfig::new().comment(comment.as_str()));
        }
        let handle = scope.add("Resource", zone);
        if props.caa_amazon {
            scope.add(
                "CaaAmazon",
                l1::RecordSet::new()
                    .hosted_zone_id(handle.reference())
                    .name(props.zone_name.as_str())
                    .r#type("CAA")
                    .ttl("1800")
                    .resource_records(vec!["0 issue \"amazon.com\""]),
            );
        }
        PublicHostedZone {
            zone_name: props.zone_name,
            handle,
        }
    }

    /// `Ref`: the hosted zone id (`Z0123...`).
    pub fn zone_id(&self) -> Str {
        self.handle.reference()
    }

    /// The domain.
    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    /// `Fn::GetAtt NameServers`: the four name servers to delegate the domain to.
    pub fn name_servers(&self) -> List<Str> {
        self.handle.attr_name_servers()
    }

    /// `arn:${AWS::Partition}:route53:::hostedzone/<id>` (IAM permissions on the zone).
    pub fn arn(&self) -> Str {
        crate::arn::global("route53", "hostedzone/{}", &[&self.zone_id()])
    }

    pub fn handle(&self) -> &Handle<l1::HostedZone> {
        &self.handle
    }

    /// This zone as a [`ZoneRef`] (for code that also takes zones made elsewhere).
    pub fn as_zone_ref(&self) -> ZoneRef {
        ZoneRef::new(self.zone_id(), self.zone_name.as_str())
    }
}

/// A hosted zone this stack does not create: its id (a `Ref` to a parameter, a literal `Z0123...`, an
/// import) and its domain.
#[derive(Clone, Debug)]
pub struct ZoneRef {
    zone_id: Str,
    zone_name: String,
}

impl ZoneRef {
    pub fn new(zone_id: impl Into<Str>, zone_name: impl Into<String>) -> ZoneRef {
        ZoneRef {
            zone_id: zone_id.into(),
            zone_name: zone_name.into(),
        }
    }

    /// The hosted zone id.
    pub fn zone_id(&self) -> Str {
        self.zone_id.clone()
    }

    /// The domain.
    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    /// `arn:${AWS::Partition}:route53:::hostedzone/<id>` (IAM permissions on the zone).
    pub fn arn(&self) -> Str {
        crate::arn::global("route53", "hostedzone/{}", &[&self.zone_id])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::template;
    use kumo_core::Stack;
    use serde_json::json;

    #[test]
    fn zone_with_comment_and_caa() {
        let mut stack = Stack::new("T");
        let zone = PublicHostedZone::new(
            &mut stack,
            "PublicHostedZone",
            PublicHostedZoneProps::new("example.org")
                .comment("free sample domain")
                .caa_amazon(true),
        );
        let t = template(&stack);
        t.has_resource_properties(
            "AWS::Route53::HostedZone",
            json!({"Name": "example.org", "HostedZoneConfig": {"Comment": "free sample domain"}}),
        );
        t.has_resource_properties(
            "AWS::Route53::RecordSet",
            json!({"Type": "CAA", "Name": "example.org", "ResourceRecords": ["0 issue \"amazon.com\""],
                   "HostedZoneId": {"Ref": zone.handle().logical_id().as_str()}}),
        );
    }
}
