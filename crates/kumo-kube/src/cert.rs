//! The controller's webhook certificate, made by kumo instead of Helm.
//!
//! The API server calls the controller's admission webhooks over TLS and trusts the CA in each
//! webhook's `caBundle`. Helm's chart makes a new CA and serving certificate at every render; kumo makes
//! them once (ECDSA P-256, like the chart ten years valid), stores them in the webhook Secret, and
//! reuses them on every later apply while they are valid for at least [`RENEW_BEFORE`] more: a new
//! certificate whose CA is not yet in the `caBundle`s would make every Service creation in the cluster
//! fail (one webhook is `failurePolicy: Fail` on all Services).

use std::time::{Duration, SystemTime};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PublicKeyData,
};
use x509_parser::pem::parse_x509_pem;

/// Validity of a new CA and serving certificate (the chart's 3650 days).
pub const VALIDITY: Duration = Duration::from_secs(3650 * 24 * 3600);
/// A certificate with less than this left is replaced.
pub const RENEW_BEFORE: Duration = Duration::from_secs(30 * 24 * 3600);
/// Keys of the Secret (a `kubernetes.io/tls` Secret plus the CA, as the chart writes it).
pub const CA_KEY: &str = "ca.crt";
pub const CERT_KEY: &str = "tls.crt";
pub const PRIVATE_KEY_KEY: &str = "tls.key";

/// A CA and the serving certificate it signed, PEM-encoded.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookCert {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
    /// When the serving certificate expires.
    pub not_after: SystemTime,
}

impl std::fmt::Debug for WebhookCert {
    // The private key stays out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookCert")
            .field("not_after", &crate::token::rfc3339(self.not_after))
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("cannot generate the webhook certificate: {0}")]
    Generate(String),
}

/// The names the API server uses to reach the webhook Service.
pub fn dns_names(service: &str, namespace: &str) -> Vec<String> {
    vec![
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.cluster.local"),
    ]
}

/// A new CA and serving certificate for `service` in `namespace`, valid from `now` (less a minute, for
/// clock skew) for [`VALIDITY`].
pub fn generate(service: &str, namespace: &str, now: SystemTime) -> Result<WebhookCert, CertError> {
    let fail = |e: rcgen::Error| CertError::Generate(e.to_string());
    let not_before = to_offset(now - Duration::from_secs(60));
    let not_after_time = now + VALIDITY;
    let not_after = to_offset(not_after_time);

    let ca_key = KeyPair::generate().map_err(fail)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    ca.distinguished_name
        .push(DnType::CommonName, "aws-load-balancer-controller-ca");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.not_before = not_before;
    ca.not_after = not_after;
    let ca_cert = ca.self_signed(&ca_key).map_err(fail)?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().map_err(fail)?;
    let mut serving = CertificateParams::new(dns_names(service, namespace)).map_err(fail)?;
    serving.distinguished_name.push(DnType::CommonName, service);
    serving.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    serving.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    serving.not_before = not_before;
    serving.not_after = not_after;
    let cert = serving.signed_by(&key, &issuer).map_err(fail)?;
    Ok(WebhookCert {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        // X.509 keeps whole seconds.
        not_after: SystemTime::UNIX_EPOCH
            + Duration::from_secs(
                not_after_time
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0),
            ),
    })
}

fn to_offset(time: SystemTime) -> time::OffsetDateTime {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    time::OffsetDateTime::from_unix_timestamp(seconds as i64).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// The certificate in an existing Secret's data, if kumo can keep using it at `now`: all three keys
/// present, the serving certificate signed by the CA, matching the private key, naming the webhook
/// Service, and valid for at least [`RENEW_BEFORE`] more. Otherwise the reason it cannot.
pub fn reusable(
    ca: Option<&[u8]>,
    cert: Option<&[u8]>,
    key: Option<&[u8]>,
    service: &str,
    namespace: &str,
    now: SystemTime,
) -> Result<WebhookCert, String> {
    let (Some(ca), Some(cert), Some(key)) = (ca, cert, key) else {
        return Err(format!(
            "the Secret lacks one of {CA_KEY}, {CERT_KEY}, {PRIVATE_KEY_KEY}"
        ));
    };
    let text =
        |bytes: &[u8], what: &str| String::from_utf8(bytes.to_vec()).map_err(|_| format!("{what} is not PEM text"));
    let (ca_pem, cert_pem, key_pem) = (text(ca, CA_KEY)?, text(cert, CERT_KEY)?, text(key, PRIVATE_KEY_KEY)?);

    let (_, ca_block) = parse_x509_pem(ca).map_err(|e| format!("{CA_KEY} is not a PEM certificate: {e}"))?;
    let ca_x509 = ca_block
        .parse_x509()
        .map_err(|e| format!("{CA_KEY} is not an X.509 certificate: {e}"))?;
    let (_, cert_block) = parse_x509_pem(cert).map_err(|e| format!("{CERT_KEY} is not a PEM certificate: {e}"))?;
    let cert_x509 = cert_block
        .parse_x509()
        .map_err(|e| format!("{CERT_KEY} is not an X.509 certificate: {e}"))?;

    cert_x509
        .verify_signature(Some(ca_x509.public_key()))
        .map_err(|_| format!("{CERT_KEY} is not signed by {CA_KEY}"))?;
    let key_pair = KeyPair::from_pem(&key_pem).map_err(|e| format!("{PRIVATE_KEY_KEY} is not a private key: {e}"))?;
    if key_pair.der_bytes() != &*cert_x509.public_key().subject_public_key.data {
        return Err(format!("{PRIVATE_KEY_KEY} does not belong to {CERT_KEY}"));
    }
    let names: Vec<String> = cert_x509
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    x509_parser::extensions::GeneralName::DNSName(dns) => Some((*dns).to_owned()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(missing) = dns_names(service, namespace).into_iter().find(|n| !names.contains(n)) {
        return Err(format!("{CERT_KEY} is not valid for {missing}"));
    }
    let not_after = not_after(&cert_x509).min(not_after(&ca_x509));
    let not_before = to_system(cert_x509.validity().not_before.timestamp());
    if not_before > now + Duration::from_secs(300) {
        return Err(format!("{CERT_KEY} is not valid yet"));
    }
    if not_after < now + RENEW_BEFORE {
        return Err(format!(
            "{CERT_KEY} expires on {} (kumo renews it 30 days ahead)",
            crate::token::rfc3339(not_after)
        ));
    }
    Ok(WebhookCert {
        ca_pem,
        cert_pem,
        key_pem,
        not_after,
    })
}

/// When the PEM certificate expires (for `kumo status`); `None` if it does not parse.
pub fn expiry(cert_pem: &[u8]) -> Option<SystemTime> {
    let (_, block) = parse_x509_pem(cert_pem).ok()?;
    let cert = block.parse_x509().ok()?;
    Some(not_after(&cert))
}

fn not_after(cert: &x509_parser::certificate::X509Certificate<'_>) -> SystemTime {
    to_system(cert.validity().not_after.timestamp())
}

fn to_system(seconds: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "aws-load-balancer-webhook-service";

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_040_000)
    }

    fn check(cert: &WebhookCert, at: SystemTime) -> Result<WebhookCert, String> {
        reusable(
            Some(cert.ca_pem.as_bytes()),
            Some(cert.cert_pem.as_bytes()),
            Some(cert.key_pem.as_bytes()),
            SERVICE,
            "kube-system",
            at,
        )
    }

    #[test]
    fn a_generated_certificate_is_reused_until_thirty_days_before_it_expires() {
        let cert = generate(SERVICE, "kube-system", now()).unwrap();
        assert_eq!(check(&cert, now()).unwrap(), cert);
        assert_eq!(expiry(cert.cert_pem.as_bytes()), Some(cert.not_after));
        assert_eq!(cert.not_after, now() + VALIDITY);
        let late = cert.not_after - RENEW_BEFORE + Duration::from_secs(1);
        assert!(check(&cert, late).unwrap_err().contains("expires on"));
        assert!(check(&cert, late - Duration::from_secs(2)).is_ok());
    }

    #[test]
    fn a_certificate_for_another_namespace_or_a_mismatched_key_is_not_reused() {
        let cert = generate(SERVICE, "kube-system", now()).unwrap();
        let other = generate(SERVICE, "kube-system", now()).unwrap();
        let err = reusable(
            Some(cert.ca_pem.as_bytes()),
            Some(cert.cert_pem.as_bytes()),
            Some(cert.key_pem.as_bytes()),
            SERVICE,
            "lbc",
            now(),
        )
        .unwrap_err();
        assert!(
            err.contains("not valid for aws-load-balancer-webhook-service.lbc"),
            "{err}"
        );
        let mixed = WebhookCert {
            key_pem: other.key_pem.clone(),
            ..cert.clone()
        };
        assert!(check(&mixed, now()).unwrap_err().contains("does not belong"));
        let foreign_ca = WebhookCert {
            ca_pem: other.ca_pem.clone(),
            ..cert.clone()
        };
        assert!(check(&foreign_ca, now()).unwrap_err().contains("not signed by"));
        assert!(reusable(None, Some(b"x"), Some(b"y"), SERVICE, "kube-system", now()).is_err());
        let garbage = WebhookCert {
            cert_pem: "not a certificate".into(),
            ..cert
        };
        assert!(check(&garbage, now()).is_err());
    }
}
