//! The certificate wait, explained. Before `kumo deploy` creates a DNS-validated certificate it checks
//! that the domain is delegated to the certificate's hosted zone (the zone's name servers from Route 53,
//! the domain's NS records from public DNS) and asks before creating one that visibly is not (or
//! `--yes`). While the stack deploys and the certificate is in progress, it repeats the check with the
//! certificate's validation record and status from ACM, and says when the delegation matches.

use std::convert::Infallible;
use std::time::Duration;

use kumo_aws::services::{acm, cloudformation};
use kumo_deploy::deploy::DeployRequest;
use kumo_deploy::ui::Question;
use kumo_preflight::dns::{self, Delegation, NsLookup};
use serde_json::Value;

use crate::error::CliError;
use crate::output::errln;
use crate::render_error::deploy_error;
use crate::render_progress::CliUi;

/// How often the wait is explained again while the certificate is in progress.
const INTERVAL: Duration = Duration::from_secs(60);

/// A DNS-validated certificate of a template: its logical id, domain and hosted zone id (resolved from
/// the deploy's parameters when it is a `Ref`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsCertificate {
    pub logical_id: String,
    pub domain: String,
    pub zone_id: String,
}

/// The DNS-validated certificates of `template` whose domain and zone are known before the deploy.
pub fn dns_certificates(template: &Value, parameters: &[(String, String)]) -> Vec<DnsCertificate> {
    let resolve = |value: &Value| -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => {
                let name = o.get("Ref")?.as_str()?;
                parameters.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
            }
            _ => None,
        }
    };
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|(_, r)| {
            r["Type"] == "AWS::CertificateManager::Certificate" && r["Properties"]["ValidationMethod"] == "DNS"
        })
        .filter_map(|(id, r)| {
            let properties = &r["Properties"];
            let domain = properties["DomainName"].as_str()?.to_owned();
            let zone = properties["DomainValidationOptions"]
                .as_array()?
                .iter()
                .find_map(|option| option.get("HostedZoneId").and_then(resolve))?;
            Some(DnsCertificate {
                logical_id: id.clone(),
                domain,
                zone_id: zone,
            })
        })
        .collect()
}

/// Checks the delegation of each certificate the deploy will create; asks before creating one whose
/// domain is not delegated (refused without a terminal unless `--yes`). Returns the watch to run while
/// the stack deploys, if the stack has such a certificate.
pub async fn before_deploy(
    client: &kumo_aws::Client,
    request: &DeployRequest,
    assume_yes: bool,
) -> Result<Option<Watch>, CliError> {
    let Some(certificate) = dns_certificates(request.template.value(), &request.parameters)
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let lookup = NsLookup::from_env().map_err(|e| {
        CliError::new(e).hint(format!(
            "set {} to IP[:PORT] of a DNS server, or unset it to ask public DNS",
            dns::DNS_SERVER_ENV
        ))
    })?;
    let exists = cloudformation::resource_physical_id(client, &request.stack_name, &certificate.logical_id)
        .await
        .ok()
        .flatten()
        .is_some();
    if !exists {
        let (delegation, lines) = dns::check(client, &lookup, &certificate.zone_id, &certificate.domain).await;
        for line in &lines {
            errln!("{line}");
        }
        if let Delegation::NotDelegated { .. } = delegation {
            let mut ui = CliUi::new();
            let question = Question::CreateUndelegatedCertificate {
                stack: request.stack_name.clone(),
                domain: certificate.domain.clone(),
            };
            let why = format!(
                "{} not deployed: the domain of its certificate, {}, is not delegated to its hosted zone",
                request.stack_name, certificate.domain
            );
            let go = kumo_deploy::guards::ask(&mut ui, assume_yes, question, &why)
                .await
                .map_err(deploy_error)?;
            if !go {
                return Err(CliError::new(format!("{why}; nothing was changed in it"))
                    .hint("delegate the domain as the lines above say, then run `kumo deploy` again"));
            }
        }
    }
    Ok(Some(Watch {
        client: client.clone(),
        lookup,
        stack: request.stack_name.clone(),
        certificate,
    }))
}

/// Explains the certificate's wait while the deploy runs.
pub struct Watch {
    client: kumo_aws::Client,
    lookup: NsLookup,
    stack: String,
    certificate: DnsCertificate,
}

impl Watch {
    /// Every [`INTERVAL`] while the certificate is in progress: the delegation (with the name servers)
    /// and ACM's validation record and status. Never ends: the deploy it runs beside ends it.
    pub async fn run(self) -> Infallible {
        let mut issued = false;
        let mut last: Option<Delegation> = None;
        loop {
            tokio::time::sleep(INTERVAL).await;
            if issued {
                continue;
            }
            let Ok(Some(resources)) = cloudformation::stack_resources(&self.client, &self.stack).await else {
                continue;
            };
            let Some(resource) = resources.iter().find(|r| r.logical_id == self.certificate.logical_id) else {
                continue;
            };
            if !resource.status.ends_with("_IN_PROGRESS") {
                continue;
            }
            let domain = &self.certificate.domain;
            errln!("waiting for the certificate of {domain} (validated through DNS):");
            let (delegation, lines) = dns::check(&self.client, &self.lookup, &self.certificate.zone_id, domain).await;
            // The name servers once; then only what changed, or the reminder that it has not.
            match (&last, &delegation) {
                (Some(before), now) if before == now && *now != Delegation::Ok => {
                    errln!("  still not delegated: {domain}'s NS records are not the zone's name servers yet");
                }
                _ => lines.iter().for_each(|line| errln!("  {line}")),
            }
            last = Some(delegation);
            if let Some(arn) = Some(resource.physical_id.as_str()).filter(|id| id.starts_with("arn:"))
                && let Ok(certificate) = acm::describe_certificate(&self.client, arn).await
            {
                dns::describe_certificate(&certificate)
                    .iter()
                    .for_each(|line| errln!("  {line}"));
                issued = certificate.status == "ISSUED";
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn certificates_are_found_with_their_zone_from_a_parameter_or_a_literal() {
        let template = json!({"Resources": {
            "Cert": {"Type": "AWS::CertificateManager::Certificate", "Properties": {
                "DomainName": "app.example.net", "ValidationMethod": "DNS",
                "DomainValidationOptions": [{"DomainName": "app.example.net", "HostedZoneId": {"Ref": "HostedZoneId"}}]}},
            "Other": {"Type": "AWS::CertificateManager::Certificate", "Properties": {
                "DomainName": "b.example.net", "ValidationMethod": "DNS",
                "DomainValidationOptions": [{"DomainName": "b.example.net", "HostedZoneId": "Z2"}]}},
            "Email": {"Type": "AWS::CertificateManager::Certificate", "Properties": {
                "DomainName": "c.example.net", "ValidationMethod": "EMAIL"}}
        }});
        let found = dns_certificates(&template, &[("HostedZoneId".into(), "Z1".into())]);
        assert_eq!(
            found,
            [
                DnsCertificate {
                    logical_id: "Cert".into(),
                    domain: "app.example.net".into(),
                    zone_id: "Z1".into()
                },
                DnsCertificate {
                    logical_id: "Other".into(),
                    domain: "b.example.net".into(),
                    zone_id: "Z2".into()
                }
            ]
        );
        // A zone known only at deploy time (no parameter value yet) is not guessed.
        assert_eq!(dns_certificates(&template, &[]).len(), 1);
    }
}
