//! DNS (seed `hosted_zone.go`): the public hosted zone of the domain with a CAA record for Amazon, and
//! a DNS-validated ACM certificate.
//!
//! Unlike the seed, the zone lives in a stack of its own, [`new_dns_stack`] (`<stack>-dns`), which
//! `kumo destroy` keeps: the zone's name servers — what the domain's registrar points at — survive a
//! destroy and a rebuild, and a zone kept is not billed again for a new month on every rebuild. The main
//! stack receives the zone id as its `HostedZoneId` parameter ([`HOSTED_ZONE_PARAMETER`]), which kumo
//! fills in from the DNS stack at deploy time. The certificate stays in the main stack: it goes and
//! comes with the environment.
//!
//! The seed's certificate names a hard-coded domain other than the zone's (a bug); kumo certifies the
//! zone's domain and its wildcard. Creating the certificate waits until the domain's NS records point at
//! the zone; `kumo deploy` checks the delegation before and while it waits and says what to change.

use kumo_constructs::acm::{Certificate, CertificateProps, CertificateValidation};
use kumo_constructs::route53::{PublicHostedZone, PublicHostedZoneProps, ZoneRef};
use kumo_core::{Output, Parameter, Stack, fns};

use crate::DnsConfig;

/// The main stack's parameter carrying the hosted zone id.
pub const HOSTED_ZONE_PARAMETER: &str = "HostedZoneId";

/// The DNS stack's name for a main stack.
pub fn dns_stack_name(main_stack: &str) -> String {
    format!("{main_stack}-dns")
}

/// The DNS stack: the zone and its CAA record, and the zone's id and name servers as outputs. Returns
/// the stack and the zone's logical id (the main stack's parameter is that resource's `Ref`).
pub fn new_dns_stack(main_stack: &str, config: &DnsConfig) -> (Stack, String) {
    let mut stack = Stack::new(dns_stack_name(main_stack));
    stack.set_description(format!(
        "DNS of {main_stack} (kumo): the public hosted zone, kept when the environment is destroyed"
    ));
    let hosted_zone = PublicHostedZone::new(
        &mut stack,
        "PublicHostedZone",
        PublicHostedZoneProps::new(config.domain.as_str())
            .comment(config.comment.as_str())
            .caa_amazon(true),
    );
    stack.add_output(
        "HostedZoneId",
        Output::new(hosted_zone.zone_id()).description("Route 53 hosted zone"),
    );
    stack.add_output(
        "NameServers",
        Output::new(fns::join(",", hosted_zone.name_servers()))
            .description("Delegate the domain to these name servers at its registrar"),
    );
    let zone_id = hosted_zone.handle().logical_id().as_str().to_owned();
    (stack, zone_id)
}

/// The zone as the main stack sees it (its `HostedZoneId` parameter), and the certificate, like the
/// seed's `NewHostZone`.
pub fn new_hosted_zone(stack: &mut Stack, config: &DnsConfig) -> ZoneRef {
    let parameter = stack.add_parameter(
        HOSTED_ZONE_PARAMETER,
        Parameter::of_type("AWS::Route53::HostedZone::Id").description(format!(
            "The hosted zone of {} (kumo deploy passes the zone of the DNS stack)",
            config.domain
        )),
    );
    let zone = ZoneRef::new(parameter.value(), config.domain.as_str());

    Certificate::new(
        stack,
        "Certificate",
        CertificateProps::new(
            config.domain.as_str(),
            CertificateValidation::Dns {
                hosted_zone_id: zone.zone_id(),
            },
        )
        .subject_alternative_names([format!("*.{}", config.domain)]),
    );

    stack.add_output(
        "HostedZoneId",
        Output::new(zone.zone_id()).description("Route 53 hosted zone (of the DNS stack)"),
    );
    zone
}
