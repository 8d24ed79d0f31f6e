//! The delegation check against a real DNS server on 127.0.0.1 (hickory-server, in process, answering
//! for the test's zone), the zone's name servers from a recorded Route 53 answer, and the certificate's
//! status from recorded ACM answers: not delegated → the expected and actual name servers; delegated →
//! "delegation OK"; PENDING_VALIDATION with its CNAME, then ISSUED.

use std::net::SocketAddr;
use std::sync::Arc;

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::SdkConfig;
use aws_types::region::Region;
use hickory_server::Server;
use hickory_server::proto::rr::rdata::{NS, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use kumo_aws::replay::{Answer, Replay};
use kumo_aws::services::acm;
use kumo_aws::{Client, RetryPolicy};
use kumo_preflight::dns::{self, Delegation, NsLookup};

const ZONE_ID: &str = "Z0123456789ABCDEFGHIJ";
const AWS_SERVERS: [&str; 4] = [
    "ns-1.awsdns-01.org",
    "ns-2.awsdns-02.co.uk",
    "ns-3.awsdns-03.com",
    "ns-4.awsdns-04.net",
];

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

/// An authoritative server for `app.kumo-test.net` on 127.0.0.1 (a free UDP port), with the given NS
/// records; the handler is returned so the test can change them.
async fn dns_server(ns: &[&str]) -> (SocketAddr, Arc<InMemoryZoneHandler>, Server<Catalog>) {
    let origin = name("app.kumo-test.net.");
    let mut zone = InMemoryZoneHandler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
    let soa = SOA::new(
        name("ns1.registrar.test."),
        name("hostmaster.registrar.test."),
        1,
        3600,
        600,
        86400,
        60,
    );
    zone.upsert_mut(Record::from_rdata(origin.clone(), 60, RData::SOA(soa)), 1);
    for server in ns {
        zone.upsert_mut(
            Record::from_rdata(origin.clone(), 60, RData::NS(NS(name(&format!("{server}."))))),
            1,
        );
    }
    let zone = Arc::new(zone);
    let mut catalog = Catalog::new();
    catalog.upsert(LowerName::new(&origin), vec![zone.clone()]);
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address = socket.local_addr().unwrap();
    let mut server = Server::new(catalog);
    server.register_socket(socket);
    (address, zone, server)
}

fn client(replay: &Replay) -> Client {
    let config = SdkConfig::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "secret", None, None, "test",
        )))
        .build();
    Client::builder(&config)
        .transport(replay.clone())
        .retry(RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

/// Route 53's GetHostedZone answer (restXml), as recorded.
fn get_hosted_zone() -> Answer {
    let servers: String = AWS_SERVERS
        .iter()
        .map(|s| format!("<NameServer>{s}</NameServer>"))
        .collect();
    Answer::xml(
        200,
        "f1e2d3c4-0000-4000-8000-000000000001",
        &format!(
            r#"<?xml version="1.0"?>
<GetHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZone><Id>/hostedzone/{ZONE_ID}</Id><Name>app.kumo-test.net.</Name><CallerReference>kumo</CallerReference><Config><Comment>free sample domain</Comment><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>3</ResourceRecordSetCount></HostedZone><DelegationSet><NameServers>{servers}</NameServers></DelegationSet></GetHostedZoneResponse>"#
        ),
    )
}

#[tokio::test]
async fn not_delegated_names_the_expected_and_actual_name_servers_then_delegated_says_ok() {
    let (address, zone, server) = dns_server(&["ns1.registrar.test", "ns2.registrar.test"]).await;
    let lookup = NsLookup::with_servers(&[address]).unwrap();
    let replay = Replay::new()
        .on(&format!("GET /2013-04-01/hostedzone/{ZONE_ID}"), get_hosted_zone())
        .on(&format!("GET /2013-04-01/hostedzone/{ZONE_ID}"), get_hosted_zone());
    let client = client(&replay);

    let (delegation, lines) = dns::check(&client, &lookup, ZONE_ID, "app.kumo-test.net").await;
    assert_eq!(
        delegation,
        Delegation::NotDelegated {
            expected: AWS_SERVERS.iter().map(|s| s.to_string()).collect(),
            actual: vec!["ns1.registrar.test".into(), "ns2.registrar.test".into()],
        }
    );
    assert_eq!(
        lines,
        [
            format!("hosted zone {ZONE_ID} (app.kumo-test.net) name servers: {}", AWS_SERVERS.join(", ")),
            format!("✗ app.kumo-test.net is not delegated to hosted zone {ZONE_ID}: the certificate cannot be validated until it is"),
            format!("  the zone's name servers (expected): {}", AWS_SERVERS.join(", ")),
            "  public DNS answers for app.kumo-test.net NS (actual): ns1.registrar.test, ns2.registrar.test".to_owned(),
            "  fix: at app.kumo-test.net's registrar (or in its parent zone), set its NS records to the expected name servers".to_owned(),
        ]
    );

    // The registrar is changed: the domain's NS set becomes the zone's.
    drop((zone, server));
    let (address, _zone, _server) = dns_server(&AWS_SERVERS).await;
    let lookup = NsLookup::with_servers(&[address]).unwrap();
    let (delegation, lines) = dns::check(&client, &lookup, ZONE_ID, "app.kumo-test.net").await;
    assert_eq!(delegation, Delegation::Ok);
    assert_eq!(
        lines[1],
        format!(
            "✓ delegation OK: app.kumo-test.net is delegated to hosted zone {ZONE_ID} (public DNS answers its name servers)"
        )
    );
    assert_eq!(
        replay.operations(),
        [
            format!("GET /2013-04-01/hostedzone/{ZONE_ID}"),
            format!("GET /2013-04-01/hostedzone/{ZONE_ID}")
        ]
    );
}

#[tokio::test]
async fn a_name_without_ns_records_and_an_unreachable_server_are_said_so() {
    let (address, _zone, _server) = dns_server(&[]).await;
    let lookup = NsLookup::with_servers(&[address]).unwrap();
    assert_eq!(
        lookup.name_servers("app.kumo-test.net").await.unwrap(),
        Vec::<String>::new()
    );
    let lines = dns::describe(
        "app.kumo-test.net",
        ZONE_ID,
        &dns::compare(&AWS_SERVERS.map(str::to_owned), &Ok(Vec::new())),
    );
    assert_eq!(
        lines[2],
        "  public DNS answers for app.kumo-test.net NS: nothing (no NS records)"
    );
    // Nothing listens on this port: an answer we cannot get is "cannot tell", never "not delegated".
    let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let lookup = NsLookup::with_servers(&[closed]).unwrap();
    let answer = lookup.name_servers("app.kumo-test.net").await;
    assert!(matches!(
        dns::compare(&AWS_SERVERS.map(str::to_owned), &answer),
        Delegation::Unknown { .. }
    ));
}

/// ACM's DescribeCertificate answer (awsJson 1.1), as recorded, for a status.
fn describe_certificate(status: &str, validation_status: &str) -> Answer {
    let arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
    let record =
        r#"{"Name":"_3f2a1b.app.kumo-test.net.","Type":"CNAME","Value":"_9c8d7e.zfyfvmchrl.acm-validations.aws."}"#;
    Answer::json(
        200,
        "0c1d2e3f-0000-4000-8000-000000000002",
        None,
        &format!(
            r#"{{"Certificate":{{"CertificateArn":"{arn}","DomainName":"app.kumo-test.net","SubjectAlternativeNames":["app.kumo-test.net","*.app.kumo-test.net"],"DomainValidationOptions":[{{"DomainName":"app.kumo-test.net","ValidationDomain":"app.kumo-test.net","ValidationStatus":"{validation_status}","ResourceRecord":{record},"ValidationMethod":"DNS"}},{{"DomainName":"*.app.kumo-test.net","ValidationDomain":"*.app.kumo-test.net","ValidationStatus":"{validation_status}","ResourceRecord":{record},"ValidationMethod":"DNS"}}],"Status":"{status}","Type":"AMAZON_ISSUED","KeyAlgorithm":"RSA-2048"}}}}"#
        ),
    )
}

#[tokio::test]
async fn the_certificate_shows_its_validation_record_while_pending_then_issued() {
    let arn = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";
    let replay = Replay::new()
        .on(
            "DescribeCertificate",
            describe_certificate("PENDING_VALIDATION", "PENDING_VALIDATION"),
        )
        .on("DescribeCertificate", describe_certificate("ISSUED", "SUCCESS"));
    let client = client(&replay);
    let pending = acm::describe_certificate(&client, arn).await.unwrap();
    assert_eq!(
        dns::describe_certificate(&pending),
        [
            format!("certificate {arn} for app.kumo-test.net: PENDING_VALIDATION"),
            "  validation record for app.kumo-test.net (PENDING_VALIDATION): _3f2a1b.app.kumo-test.net. CNAME _9c8d7e.zfyfvmchrl.acm-validations.aws.".to_owned(),
            "  CloudFormation writes these records into the zone; ACM sees them once the domain is delegated".to_owned(),
        ]
    );
    let issued = acm::describe_certificate(&client, arn).await.unwrap();
    assert_eq!(
        dns::describe_certificate(&issued),
        [format!("certificate {arn} for app.kumo-test.net: ISSUED")]
    );
    let (_, request) = &replay.requests()[0];
    assert!(String::from_utf8_lossy(&request.body).contains(arn));
}
