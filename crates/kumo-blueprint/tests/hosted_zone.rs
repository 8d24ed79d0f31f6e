//! DNS (seed `hosted_zone_test.go`): the public hosted zone, its CAA record and the DNS-validated
//! certificate.

mod common;

use common::*;
use kumo_blueprint::Config;
use serde_json::json;

#[test]
fn public_zone_for_the_domain_with_the_seed_comment() {
    let t = default_template();
    t.resource_count_is("AWS::Route53::HostedZone", 1);
    let zone = id_of(&t, "AWS::Route53::HostedZone", "PublicHostedZone");
    assert_eq!(
        resource(&t, &zone)["Properties"],
        json!({"HostedZoneConfig": {"Comment": "free sample domain"}, "Name": "example.com"})
    );
}

#[test]
fn caa_record_lets_amazon_issue_certificates() {
    let t = default_template();
    let zone = id_of(&t, "AWS::Route53::HostedZone", "PublicHostedZone");
    t.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"HostedZoneId": r#ref(&zone), "Name": "example.com", "Type": "CAA", "ResourceRecords": ["0 issue \"amazon.com\""]}),
    );
}

#[test]
fn certificate_covers_the_zones_domain_and_wildcard_validated_in_the_zone() {
    let mut config = Config::default();
    config.dns.domain = "mycdk-app.example.org".into();
    let t = template(&config);
    let zone = id_of(&t, "AWS::Route53::HostedZone", "PublicHostedZone");
    let certificate = id_of(&t, "AWS::CertificateManager::Certificate", "Certificate");
    assert_eq!(
        resource(&t, &certificate)["Properties"],
        json!({
            "DomainName": "mycdk-app.example.org",
            "DomainValidationOptions": [{"DomainName": "mycdk-app.example.org", "HostedZoneId": r#ref(&zone)}],
            "SubjectAlternativeNames": ["*.mycdk-app.example.org"],
            "ValidationMethod": "DNS"
        })
    );
    t.has_resource_properties("AWS::Route53::HostedZone", json!({"Name": "mycdk-app.example.org"}));
}

#[test]
fn zone_id_and_name_servers_are_outputs() {
    let t = default_template();
    let zone = id_of(&t, "AWS::Route53::HostedZone", "PublicHostedZone");
    t.has_output("HostedZoneId", json!({"Value": r#ref(&zone)}));
    t.has_output(
        "NameServers",
        json!({"Value": {"Fn::Join": [",", get_att(&zone, "NameServers")]}}),
    );
}
