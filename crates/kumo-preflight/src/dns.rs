//! Is the domain delegated to its hosted zone? A DNS-validated ACM certificate waits (for hours, then
//! fails) until the domain's NS records at its registrar point at the zone's name servers. This reads
//! both sides — the zone's name servers from Route 53, the domain's NS records from public DNS (a real
//! lookup through `hickory-resolver`) — and the certificate's validation records and status from ACM,
//! and says what to change.

use std::net::{IpAddr, SocketAddr};

use hickory_resolver::config::{CLOUDFLARE, ConnectionConfig, NameServerConfig, ProtocolConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::{Resolver, TokioResolver};
use kumo_aws::Client;
use kumo_aws::services::{acm, route53};

/// The environment variable naming the DNS server(s) to ask instead of public resolvers
/// (`IP[:PORT]`, comma-separated): for networks that block outside DNS, and for tests.
pub const DNS_SERVER_ENV: &str = "KUMO_DNS_SERVER";

/// What public DNS answers for a domain's NS records.
pub struct NsLookup {
    resolver: TokioResolver,
    /// Which servers were asked, for messages.
    pub asked: String,
}

impl NsLookup {
    /// Public resolvers (Cloudflare's), or the servers of `KUMO_DNS_SERVER`. `Err`: the variable is
    /// malformed.
    pub fn from_env() -> Result<NsLookup, String> {
        match std::env::var(DNS_SERVER_ENV) {
            Ok(value) if !value.trim().is_empty() => NsLookup::with_servers(&parse_servers(&value)?),
            _ => {
                let resolver = Resolver::builder_with_config(
                    ResolverConfig::udp_and_tcp(&CLOUDFLARE),
                    TokioRuntimeProvider::default(),
                )
                .build()
                .map_err(|e| format!("cannot set up the DNS resolver: {e}"))?;
                Ok(NsLookup {
                    resolver,
                    asked: "public DNS (1.1.1.1)".to_owned(),
                })
            }
        }
    }

    /// Asks exactly these servers (UDP, then TCP).
    pub fn with_servers(servers: &[SocketAddr]) -> Result<NsLookup, String> {
        let name_servers = servers
            .iter()
            .map(|server| {
                let connection = |protocol| {
                    let mut connection = ConnectionConfig::new(protocol);
                    connection.port = server.port();
                    connection
                };
                NameServerConfig::new(
                    server.ip(),
                    true,
                    vec![connection(ProtocolConfig::Udp), connection(ProtocolConfig::Tcp)],
                )
            })
            .collect();
        let config = ResolverConfig::from_parts(None, Vec::new(), name_servers);
        let mut builder = Resolver::builder_with_config(config, TokioRuntimeProvider::default());
        // Delegation changes must show at once: no answer is kept between two looks. A server that
        // does not answer is reported after 2 x 2 s rather than holding the deploy's output.
        let options = builder.options_mut();
        options.cache_size = 0;
        options.timeout = std::time::Duration::from_secs(2);
        options.attempts = 2;
        let resolver = builder
            .build()
            .map_err(|e| format!("cannot set up the DNS resolver: {e}"))?;
        let asked = servers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        Ok(NsLookup { resolver, asked })
    }

    /// The domain's NS records (lowercase, no trailing dot, sorted). An empty list: the name exists with
    /// no NS records, or does not exist. `Err`: no answer (the servers cannot be reached, ...).
    pub async fn name_servers(&self, domain: &str) -> Result<Vec<String>, String> {
        let fqdn = format!("{}.", domain.trim_end_matches('.'));
        match self.resolver.lookup(fqdn.as_str(), RecordType::NS).await {
            Ok(lookup) => {
                let mut found: Vec<String> = lookup
                    .answers()
                    .iter()
                    .filter_map(|record| match &record.data {
                        RData::NS(ns) => Some(normalize(&ns.0.to_string())),
                        _ => None,
                    })
                    .collect();
                found.sort();
                found.dedup();
                Ok(found)
            }
            Err(error) if error.is_no_records_found() || error.is_nx_domain() => Ok(Vec::new()),
            Err(error) => Err(format!("no answer from {}: {error}", self.asked)),
        }
    }
}

fn parse_servers(value: &str) -> Result<Vec<SocketAddr>, String> {
    value
        .split(',')
        .map(str::trim)
        .map(|item| {
            item.parse::<SocketAddr>()
                .or_else(|_| item.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                .map_err(|_| format!("{DNS_SERVER_ENV}: {item:?} is not IP or IP:PORT"))
        })
        .collect()
}

fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// How the domain's delegation stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delegation {
    /// Public DNS answers exactly the zone's name servers.
    Ok,
    /// Public DNS answers something else (or nothing).
    NotDelegated { expected: Vec<String>, actual: Vec<String> },
    /// Public DNS could not be asked.
    Unknown { reason: String },
}

/// Compares the zone's name servers with what public DNS answers.
pub fn compare(zone_name_servers: &[String], answered: &Result<Vec<String>, String>) -> Delegation {
    let mut expected: Vec<String> = zone_name_servers.iter().map(|n| normalize(n)).collect();
    expected.sort();
    match answered {
        Ok(actual) if *actual == expected => Delegation::Ok,
        Ok(actual) => Delegation::NotDelegated {
            expected,
            actual: actual.clone(),
        },
        Err(reason) => Delegation::Unknown { reason: reason.clone() },
    }
}

/// The lines `kumo deploy` prints about a domain and its zone.
pub fn describe(domain: &str, zone_id: &str, delegation: &Delegation) -> Vec<String> {
    match delegation {
        Delegation::Ok => vec![format!(
            "✓ delegation OK: {domain} is delegated to hosted zone {zone_id} (public DNS answers its name servers)"
        )],
        Delegation::NotDelegated { expected, actual } => {
            let mut lines = vec![format!(
                "✗ {domain} is not delegated to hosted zone {zone_id}: the certificate cannot be validated until it is"
            )];
            lines.push(format!("  the zone's name servers (expected): {}", expected.join(", ")));
            if actual.is_empty() {
                lines.push(format!("  public DNS answers for {domain} NS: nothing (no NS records)"));
            } else {
                lines.push(format!(
                    "  public DNS answers for {domain} NS (actual): {}",
                    actual.join(", ")
                ));
            }
            lines.push(format!(
                "  fix: at {domain}'s registrar (or in its parent zone), set its NS records to the expected name servers"
            ));
            lines
        }
        Delegation::Unknown { reason } => vec![format!("⚠ cannot tell whether {domain} is delegated: {reason}")],
    }
}

/// The zone's name servers from Route 53; `Err` with the reason when they cannot be read.
pub async fn zone_name_servers(client: &Client, zone_id: &str) -> Result<Vec<String>, String> {
    match route53::get_hosted_zone(client, zone_id).await {
        Ok(Some(zone)) => Ok(zone.name_servers),
        Ok(None) => Err(format!("hosted zone {zone_id} does not exist")),
        Err(error) => Err(format!("cannot read hosted zone {zone_id}: {error}")),
    }
}

/// Reads both sides and compares them: the zone's name servers (Route 53) and the domain's NS records
/// (public DNS). Returns the verdict and the lines to print (the name servers first).
pub async fn check(client: &Client, lookup: &NsLookup, zone_id: &str, domain: &str) -> (Delegation, Vec<String>) {
    let zone_servers = match zone_name_servers(client, zone_id).await {
        Ok(servers) => servers,
        Err(reason) => {
            let delegation = Delegation::Unknown { reason };
            let lines = describe(domain, zone_id, &delegation);
            return (delegation, lines);
        }
    };
    let mut lines = vec![format!(
        "hosted zone {zone_id} ({domain}) name servers: {}",
        zone_servers.join(", ")
    )];
    let answered = lookup.name_servers(domain).await;
    let delegation = compare(&zone_servers, &answered);
    lines.extend(describe(domain, zone_id, &delegation));
    (delegation, lines)
}

/// The lines about a certificate: its status and, while validation is pending, the CNAME record ACM
/// looks for per domain.
pub fn describe_certificate(certificate: &acm::Certificate) -> Vec<String> {
    let mut lines = vec![format!(
        "certificate {} for {}: {}",
        certificate.arn, certificate.domain, certificate.status
    )];
    if certificate.status == "PENDING_VALIDATION" {
        let mut seen = Vec::new();
        for validation in &certificate.validations {
            match &validation.record {
                Some((name, value)) if !seen.contains(&(name, value)) => {
                    seen.push((name, value));
                    lines.push(format!(
                        "  validation record for {} ({}): {name} CNAME {value}",
                        validation.domain, validation.status
                    ));
                }
                Some(_) => {}
                None => lines.push(format!(
                    "  {}: {} (ACM has not published its record yet)",
                    validation.domain, validation.status
                )),
            }
        }
        lines.push(
            "  CloudFormation writes these records into the zone; ACM sees them once the domain is delegated"
                .to_owned(),
        );
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delegation_compares_sets_ignoring_case_and_trailing_dots() {
        let zone = vec!["NS-1.awsdns-01.org.".to_owned(), "ns-2.awsdns-02.com".to_owned()];
        let same = Ok(vec!["ns-1.awsdns-01.org".to_owned(), "ns-2.awsdns-02.com".to_owned()]);
        assert_eq!(compare(&zone, &same), Delegation::Ok);
        let other = Ok(vec!["ns1.registrar.example".to_owned()]);
        assert!(matches!(compare(&zone, &other), Delegation::NotDelegated { .. }));
        assert!(matches!(
            compare(&zone, &Err("timeout".into())),
            Delegation::Unknown { .. }
        ));
    }

    #[test]
    fn servers_parse_with_and_without_a_port() {
        assert_eq!(
            parse_servers("127.0.0.1:5353, 10.0.0.2").unwrap(),
            ["127.0.0.1:5353".parse().unwrap(), "10.0.0.2:53".parse().unwrap()]
        );
        assert!(parse_servers("resolver.local").unwrap_err().contains("KUMO_DNS_SERVER"));
    }
}
