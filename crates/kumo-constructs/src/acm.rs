//! ACM: `Certificate` validated through DNS records CloudFormation writes into a hosted zone.

use kumo_cfn::certificatemanager as l1;
use kumo_core::{Handle, Str};

use crate::Parent;

/// How ACM checks that you control the domain.
#[derive(Clone, Debug, PartialEq)]
pub enum CertificateValidation {
    /// DNS validation in this hosted zone: CloudFormation creates the validation records itself. The
    /// stack waits until ACM sees them, so the domain must already be delegated to the zone.
    Dns { hosted_zone_id: Str },
    /// DNS validation with records you create (the stack waits until they exist).
    DnsManual,
    /// E-mail to the domain's registered contacts.
    Email,
}

/// Properties of a [`Certificate`].
#[derive(Clone, Debug, PartialEq)]
pub struct CertificateProps {
    /// Required.
    pub domain_name: String,
    /// Default: none.
    pub subject_alternative_names: Vec<String>,
    /// Required.
    pub validation: CertificateValidation,
}

impl CertificateProps {
    pub fn new(domain_name: impl Into<String>, validation: CertificateValidation) -> Self {
        CertificateProps {
            domain_name: domain_name.into(),
            subject_alternative_names: Vec::new(),
            validation,
        }
    }
    pub fn subject_alternative_names<I: IntoIterator<Item = S>, S: Into<String>>(mut self, names: I) -> Self {
        self.subject_alternative_names = names.into_iter().map(Into::into).collect();
        self
    }
}

/// A public ACM certificate (`AWS::CertificateManager::Certificate`).
#[derive(Clone, Debug)]
pub struct Certificate {
    handle: Handle<l1::Certificate>,
}

impl Certificate {
    pub fn new(parent: &mut impl Parent, id: &str, props: CertificateProps) -> Certificate {
        let mut certificate = l1::Certificate::new().domain_name(props.domain_name.as_str());
        if !props.subject_alternative_names.is_empty() {
            certificate = certificate.subject_alternative_names(props.subject_alternative_names.clone());
        }
        certificate = match &props.validation {
            CertificateValidation::Dns { hosted_zone_id } => {
                let options: Vec<l1::certificate::DomainValidationOption> = validation_domains(&props)
                    .into_iter()
                    .map(|domain| {
                        l1::certificate::DomainValidationOption::new()
                            .domain_name(domain)
                            .hosted_zone_id(hosted_zone_id.clone())
                    })
                    .collect();
                certificate.validation_method("DNS").domain_validation_options(options)
            }
            CertificateValidation::DnsManual => certificate.validation_method("DNS"),
            CertificateValidation::Email => certificate.validation_method("EMAIL"),
        };
        Certificate {
            handle: parent.child(id).add("Resource", certificate),
        }
    }

    /// `Ref`: the certificate ARN.
    pub fn arn(&self) -> Str {
        self.handle.reference()
    }

    pub fn handle(&self) -> &Handle<l1::Certificate> {
        &self.handle
    }
}

/// The names that need a validation record. `*.example.com` validates through the same record as
/// `example.com`, so a wildcard whose apex is also requested needs no entry of its own (two entries
/// would ask CloudFormation to create the same record twice).
fn validation_domains(props: &CertificateProps) -> Vec<String> {
    let all: Vec<&String> = std::iter::once(&props.domain_name)
        .chain(&props.subject_alternative_names)
        .collect();
    let mut out: Vec<String> = Vec::new();
    for name in &all {
        let covered = name
            .strip_prefix("*.")
            .is_some_and(|apex| all.iter().any(|other| other.as_str() == apex));
        if !covered && !out.contains(name) {
            out.push((*name).clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::template;
    use kumo_core::{Stack, fns};
    use serde_json::json;

    #[test]
    fn dns_validated_certificate_with_wildcard() {
        let mut stack = Stack::new("T");
        stack.add("Zone", kumo_core::RawResource::new("AWS::Route53::HostedZone"));
        Certificate::new(
            &mut stack,
            "Certificate",
            CertificateProps::new(
                "example.org",
                CertificateValidation::Dns {
                    hosted_zone_id: fns::ref_("Zone"),
                },
            )
            .subject_alternative_names(["*.example.org"]),
        );
        template(&stack).has_resource_properties(
            "AWS::CertificateManager::Certificate",
            json!({
                "DomainName": "example.org",
                "SubjectAlternativeNames": ["*.example.org"],
                "ValidationMethod": "DNS",
                "DomainValidationOptions": [{"DomainName": "example.org", "HostedZoneId": {"Ref": "Zone"}}]
            }),
        );
    }

    #[test]
    fn wildcard_without_apex_gets_its_own_validation() {
        let props = CertificateProps::new("a.example.org", CertificateValidation::DnsManual)
            .subject_alternative_names(["*.example.org", "a.example.org"]);
        assert_eq!(validation_domains(&props), ["a.example.org", "*.example.org"]);
    }
}
