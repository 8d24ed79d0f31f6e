//! DNS (seed `hosted_zone.go`): the public hosted zone of the domain, with a CAA record for Amazon, and a
//! DNS-validated ACM certificate.
//!
//! The seed's certificate names a hard-coded domain other than the zone's (a bug); kumo certifies the
//! zone's domain and its wildcard. Creating the certificate waits until the domain's NS records point at
//! the zone: its name servers are in the Route 53 console as soon as the zone exists, and in the stack
//! output `NameServers` once the deploy is done. (kumo does not print them during the deploy.)

use kumo_constructs::acm::{Certificate, CertificateProps, CertificateValidation};
use kumo_constructs::route53::{PublicHostedZone, PublicHostedZoneProps};
use kumo_core::{Output, Stack, fns};

use crate::DnsConfig;

/// The zone and the certificate, like the seed's `NewHostZone`.
pub fn new_hosted_zone(stack: &mut Stack, config: &DnsConfig) -> PublicHostedZone {
    let hosted_zone = PublicHostedZone::new(
        stack,
        "PublicHostedZone",
        PublicHostedZoneProps::new(config.domain.as_str())
            .comment(config.comment.as_str())
            .caa_amazon(true),
    );

    Certificate::new(
        stack,
        "Certificate",
        CertificateProps::new(
            config.domain.as_str(),
            CertificateValidation::Dns {
                hosted_zone_id: hosted_zone.zone_id(),
            },
        )
        .subject_alternative_names([format!("*.{}", config.domain)]),
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
    hosted_zone
}
