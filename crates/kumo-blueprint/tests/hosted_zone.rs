//! DNS (seed `hosted_zone_test.go`): the public hosted zone and its CAA record in the DNS stack (kept on
//! destroy), the DNS-validated certificate in the main stack, which receives the zone as a parameter.

mod common;

use common::*;
use kumo_blueprint::{Config, build_app};
use kumo_core::app::{KEPT_FOR_TAG, ParameterSource};
use serde_json::json;

#[test]
fn public_zone_for_the_domain_with_the_seed_comment() {
    let t = dns_template(&Config::default());
    t.resource_count_is("AWS::Route53::HostedZone", 1);
    let zone = id_of(&t, "AWS::Route53::HostedZone", "PublicHostedZone");
    assert_eq!(
        resource(&t, &zone)["Properties"],
        json!({"HostedZoneConfig": {"Comment": "free sample domain"}, "Name": "example.com"})
    );
    // The main stack creates no zone: it would go with every destroy.
    default_template().resource_count_is("AWS::Route53::HostedZone", 0);
}

#[test]
fn caa_record_lets_amazon_issue_certificates() {
    let t = dns_template(&Config::default());
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
    let certificate = id_of(&t, "AWS::CertificateManager::Certificate", "Certificate");
    assert_eq!(
        resource(&t, &certificate)["Properties"],
        json!({
            "DomainName": "mycdk-app.example.org",
            "DomainValidationOptions": [{"DomainName": "mycdk-app.example.org", "HostedZoneId": r#ref("HostedZoneId")}],
            "SubjectAlternativeNames": ["*.mycdk-app.example.org"],
            "ValidationMethod": "DNS"
        })
    );
    t.has_parameter("HostedZoneId", json!({"Type": "AWS::Route53::HostedZone::Id"}));
    dns_template(&config).has_resource_properties("AWS::Route53::HostedZone", json!({"Name": "mycdk-app.example.org"}));
}

#[test]
fn zone_id_and_name_servers_are_outputs_of_the_dns_stack() {
    let t = dns_template(&Config::default());
    let zone = id_of(&t, "AWS::Route53::HostedZone", "PublicHostedZone");
    t.has_output("HostedZoneId", json!({"Value": r#ref(&zone)}));
    t.has_output(
        "NameServers",
        json!({"Value": {"Fn::Join": [",", get_att(&zone, "NameServers")]}}),
    );
    default_template().has_output("HostedZoneId", json!({"Value": r#ref("HostedZoneId")}));
}

#[test]
fn the_app_deploys_the_kept_dns_stack_first_and_passes_its_zone_to_the_main_stack() {
    let app = build_app(&Config::default());
    let names: Vec<&str> = app.stacks.iter().map(|s| s.stack.name()).collect();
    assert_eq!(names, ["MyEKSStack-dns", "MyEKSStack"]);
    let (dns, main) = (&app.stacks[0], &app.stacks[1]);
    assert!(dns.keep_on_destroy && !main.keep_on_destroy);
    assert_eq!(dns.tags.get(KEPT_FOR_TAG).map(String::as_str), Some("MyEKSStack"));
    assert_eq!(main.depends_on, ["MyEKSStack-dns"]);
    // The parameter names the zone's logical id in the DNS stack.
    let zone = id_of(
        &dns_template(&Config::default()),
        "AWS::Route53::HostedZone",
        "PublicHostedZone",
    );
    assert_eq!(
        main.parameters.get("HostedZoneId"),
        Some(&ParameterSource::ResourceRef {
            stack: "MyEKSStack-dns".into(),
            logical_id: zone
        })
    );
}
