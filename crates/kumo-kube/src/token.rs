//! The EKS bearer token: what `aws eks get-token` prints, computed locally.
//!
//! The token is a presigned STS `GetCallerIdentity` URL: the cluster's authenticator calls it to learn who
//! the caller is. The cluster name travels in the signed header `x-k8s-aws-id`, so a token for one
//! cluster is useless for another. Algorithm (aws-iam-authenticator, AWS CLI `eks get-token`):
//!
//! 1. `GET https://sts.<region>.<partition suffix>/?Action=GetCallerIdentity&Version=2011-06-15`,
//!    header `x-k8s-aws-id: <cluster>`, SigV4-presigned for service `sts` (signature in the query,
//!    `X-Amz-Expires=60`, session credentials add `X-Amz-Security-Token`);
//! 2. `k8s-aws-v1.` + unpadded base64url of that URL.
//!
//! The authenticator accepts it for 15 minutes after `X-Amz-Date`; clients treat it as 14
//! ([`TOKEN_LIFETIME`]), which is the `expirationTimestamp` kubectl caches it until.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign};
use aws_sigv4::sign::v4;
use base64::Engine as _;
use kumo_deploy::clock::Clock;

/// Prefix of every EKS token.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";
/// The header that binds a token to one cluster.
pub const CLUSTER_ID_HEADER: &str = "x-k8s-aws-id";
/// `X-Amz-Expires` of the presigned URL (what the AWS CLI sends; the authenticator ignores it and
/// allows 15 minutes).
pub const PRESIGN_EXPIRES: Duration = Duration::from_secs(60);
/// How long a token is used: 14 minutes, one less than the authenticator allows.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60);
/// The authenticator rejects longer tokens.
pub const MAX_TOKEN_BYTES: usize = 4096;
/// A [`TokenSource`] makes a new token when the current one has less than this left, so a request never
/// carries a token that expires while it is in flight.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The `apiVersion` of the exec credential kubectl expects from `kumo token`.
pub const EXEC_CREDENTIAL_API_VERSION: &str = "client.authentication.k8s.io/v1beta1";

/// Why no token could be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "invalid cluster name {0:?}: EKS cluster names are 1-100 letters, digits, '-' and '_', starting with a letter or digit"
    )]
    ClusterName(String),
    #[error("invalid region {0:?}: expected a region code such as us-east-1")]
    Region(String),
    #[error("cannot sign the STS request: {0}")]
    Signing(String),
    #[error("the token is {0} bytes, over the authenticator's limit of 4096 (is the session token unusually long?)")]
    TooLong(usize),
    #[error("cannot load AWS credentials: {0}")]
    Credentials(String),
}

/// A bearer token and the time clients stop using it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub value: String,
    pub expires_at: SystemTime,
}

impl Token {
    /// The `ExecCredential` document an exec credential plugin prints (same fields and order as
    /// `aws eks get-token`).
    pub fn exec_credential_json(&self) -> String {
        let document = serde_json::json!({
            "kind": "ExecCredential",
            "apiVersion": EXEC_CREDENTIAL_API_VERSION,
            "spec": {},
            "status": {
                "expirationTimestamp": rfc3339(self.expires_at),
                "token": self.value,
            }
        });
        document.to_string()
    }
}

/// `2026-11-30T12:14:00Z`: RFC 3339 in UTC, whole seconds (the AWS CLI's format).
pub fn rfc3339(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let timestamp = jiff::Timestamp::from_second(seconds as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The regional STS host for `region`, with its partition's DNS suffix.
pub fn sts_host(region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else if region.starts_with("eusc-") {
        "amazonaws.eu"
    } else {
        "amazonaws.com"
    };
    format!("sts.{region}.{suffix}")
}

/// Checks a cluster name the way EKS does, so a typo is reported here rather than as a 401 later.
pub fn check_cluster_name(name: &str) -> Result<(), TokenError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if first_ok && rest_ok && name.len() <= 100 {
        Ok(())
    } else {
        Err(TokenError::ClusterName(name.to_owned()))
    }
}

fn check_region(region: &str) -> Result<(), TokenError> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && region.contains('-');
    if ok {
        Ok(())
    } else {
        Err(TokenError::Region(region.to_owned()))
    }
}

/// The presigned `GetCallerIdentity` URL for `cluster_name`, signed at `time`.
pub fn presigned_url(
    cluster_name: &str,
    region: &str,
    credentials: &Credentials,
    time: SystemTime,
) -> Result<String, TokenError> {
    check_cluster_name(cluster_name)?;
    check_region(region)?;
    let base = format!(
        "https://{}/?Action=GetCallerIdentity&Version=2011-06-15",
        sts_host(region)
    );
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(PRESIGN_EXPIRES);
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("sts")
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| TokenError::Signing(e.to_string()))?
        .into();
    let request = SignableRequest::new(
        "GET",
        base.as_str(),
        [(CLUSTER_ID_HEADER, cluster_name)].into_iter(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| TokenError::Signing(e.to_string()))?;
    let (instructions, _signature) = sign(request, &params)
        .map_err(|e| TokenError::Signing(e.to_string()))?
        .into_parts();
    let mut url = base;
    // The signature goes last, as botocore (and so `aws eks get-token`) writes it: same URL, same token.
    let mut params: Vec<_> = instructions.params().iter().collect();
    params.sort_by_key(|(name, _)| *name == "X-Amz-Signature");
    for (name, value) in params {
        url.push('&');
        url.push_str(name);
        url.push('=');
        url.push_str(&percent_encode(value));
    }
    Ok(url)
}

/// SigV4's URI encoding of a query value: everything but `A-Z a-z 0-9 - _ . ~` as `%XX`.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The token for `cluster_name`, signed at `time`, used until `time` + 14 minutes.
pub fn token(
    cluster_name: &str,
    region: &str,
    credentials: &Credentials,
    time: SystemTime,
) -> Result<Token, TokenError> {
    let url = presigned_url(cluster_name, region, credentials, time)?;
    let value = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url)
    );
    if value.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::TooLong(value.len()));
    }
    Ok(Token {
        value,
        expires_at: time + TOKEN_LIFETIME,
    })
}

/// Tokens for one cluster, made on demand from a credentials provider and renewed before they expire.
/// Shared by clone; every request to the cluster asks it for the current token.
#[derive(Clone)]
pub struct TokenSource {
    inner: Arc<SourceInner>,
}

struct SourceInner {
    cluster_name: String,
    region: String,
    credentials: SharedCredentialsProvider,
    clock: Arc<dyn Clock>,
    current: Mutex<Option<Token>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("cluster_name", &self.inner.cluster_name)
            .field("region", &self.inner.region)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub fn new(
        cluster_name: impl Into<String>,
        region: impl Into<String>,
        credentials: SharedCredentialsProvider,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, TokenError> {
        let cluster_name = cluster_name.into();
        let region = region.into();
        check_cluster_name(&cluster_name)?;
        check_region(&region)?;
        Ok(TokenSource {
            inner: Arc::new(SourceInner {
                cluster_name,
                region,
                credentials,
                clock,
                current: Mutex::new(None),
            }),
        })
    }

    pub fn cluster_name(&self) -> &str {
        &self.inner.cluster_name
    }

    /// The token to send now: the cached one while it has more than [`REFRESH_MARGIN`] left, else a
    /// new one signed with freshly resolved credentials.
    pub async fn current(&self) -> Result<Token, TokenError> {
        let now = self.inner.clock.now();
        if let Some(token) = self.inner.current.lock().expect("token lock").as_ref()
            && now + REFRESH_MARGIN < token.expires_at
        {
            return Ok(token.clone());
        }
        let credentials = self
            .inner
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| TokenError::Credentials(crate::error::chain(&e)))?;
        let fresh = token(&self.inner.cluster_name, &self.inner.region, &credentials, now)?;
        *self.inner.current.lock().expect("token lock") = Some(fresh.clone());
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(session: Option<&str>) -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            session.map(str::to_owned),
            None,
            "test",
        )
    }

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn the_token_is_the_unpadded_base64url_of_the_presigned_url() {
        let time = at(1_796_040_000);
        let url = presigned_url("eks-cluster", "eu-west-1", &credentials(None), time).unwrap();
        let token = token("eks-cluster", "eu-west-1", &credentials(None), time).unwrap();
        let encoded = token.value.strip_prefix(TOKEN_PREFIX).unwrap();
        assert!(!encoded.contains('='), "padding must be removed");
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(encoded)
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), url);
        assert_eq!(token.expires_at, time + Duration::from_secs(840));
        assert!(url.starts_with("https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&"));
        assert!(url.contains("X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"), "{url}");
        assert!(url.contains("X-Amz-Expires=60"), "{url}");
        assert!(!url.contains("X-Amz-Security-Token"), "{url}");
    }

    #[test]
    fn session_credentials_add_the_security_token() {
        let url = presigned_url("c", "us-east-1", &credentials(Some("tok/en+=")), at(0)).unwrap();
        assert!(url.contains("X-Amz-Security-Token=tok%2Fen%2B%3D"), "{url}");
    }

    #[test]
    fn the_exec_credential_has_the_aws_cli_shape() {
        let token = Token {
            value: "k8s-aws-v1.abc".into(),
            expires_at: at(1_796_040_840),
        };
        assert_eq!(
            token.exec_credential_json(),
            r#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{},"status":{"expirationTimestamp":"2026-11-30T12:14:00Z","token":"k8s-aws-v1.abc"}}"#
        );
    }

    #[test]
    fn partitions_have_their_own_sts_hosts() {
        assert_eq!(sts_host("us-east-1"), "sts.us-east-1.amazonaws.com");
        assert_eq!(sts_host("cn-north-1"), "sts.cn-north-1.amazonaws.com.cn");
        assert_eq!(sts_host("us-gov-west-1"), "sts.us-gov-west-1.amazonaws.com");
    }

    #[test]
    fn bad_names_are_refused_before_signing() {
        assert!(matches!(
            token("my cluster", "us-east-1", &credentials(None), at(0)),
            Err(TokenError::ClusterName(_))
        ));
        assert!(matches!(
            token("-x", "us-east-1", &credentials(None), at(0)),
            Err(TokenError::ClusterName(_))
        ));
        assert!(matches!(
            token("ok", "US_EAST", &credentials(None), at(0)),
            Err(TokenError::Region(_))
        ));
    }
}
