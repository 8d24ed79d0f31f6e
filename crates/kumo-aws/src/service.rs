//! Services: protocol, signing name and endpoints. The standard endpoints follow the SDKs' rules for the
//! `aws`, `aws-cn` and `aws-us-gov` partitions, including the global endpoints (IAM, Route 53) that are
//! signed for one fixed region; FIPS and dual-stack endpoints follow `use_fips` / `use_dual_stack` of the
//! configuration (`AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`).

/// How requests and responses of a service are shaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// EC2's query dialect: form POST, `<XResponse>` bodies, `<Response><Errors>` errors.
    Ec2 { version: &'static str },
    /// awsQuery: form POST, `<XResponse><XResult>` bodies, `<ErrorResponse>` errors.
    Query { version: &'static str },
    /// awsJson 1.0 / 1.1: JSON POST to `/` with `X-Amz-Target: <prefix>.<Operation>`.
    Json {
        version: &'static str,
        target_prefix: &'static str,
    },
    /// restJson: the operation is in the method and path; JSON bodies.
    RestJson,
    /// restXml: the operation is in the method and path; XML bodies (Route 53).
    RestXml,
}

impl Protocol {
    /// Whether error bodies are XML (else JSON).
    pub fn xml_errors(self) -> bool {
        matches!(self, Protocol::Ec2 { .. } | Protocol::Query { .. } | Protocol::RestXml)
    }
}

/// Where a service's standard endpoint is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `<prefix>.<region>.<dns suffix>`.
    Regional,
    /// One endpoint per partition, signed for a fixed region: (host, signing region) for `aws`,
    /// `aws-cn` and `aws-us-gov`.
    Global {
        aws: (&'static str, &'static str),
        china: (&'static str, &'static str),
        gov_cloud: (&'static str, &'static str),
    },
}

/// An AWS service as kumo's client talks to it.
#[derive(Debug, PartialEq, Eq)]
pub struct Service {
    /// The SDK's service id (`EC2`, `Service Quotas`): names the service in traces and errors, and in
    /// the service-specific endpoint setting `AWS_ENDPOINT_URL_<ID>` (spaces become `_`).
    pub id: &'static str,
    /// First label of the standard endpoint host.
    pub endpoint_prefix: &'static str,
    /// The SigV4 service name.
    pub signing_name: &'static str,
    pub protocol: Protocol,
    pub scope: Scope,
}

/// A resolved endpoint: where to send, and for which region to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Scheme, host and optional port (and base path for custom endpoints), without a trailing `/`.
    pub url: String,
    pub signing_region: String,
}

/// The partition of a region: DNS suffixes and which global endpoint applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Partition {
    Aws,
    China,
    GovCloud,
}

impl Partition {
    pub fn of(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition::China
        } else if region.starts_with("us-gov-") {
            Partition::GovCloud
        } else {
            Partition::Aws
        }
    }

    /// The `arn:<partition>:` name.
    pub fn name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::China => "aws-cn",
            Partition::GovCloud => "aws-us-gov",
        }
    }

    fn dns_suffix(self) -> &'static str {
        match self {
            Partition::China => "amazonaws.com.cn",
            Partition::Aws | Partition::GovCloud => "amazonaws.com",
        }
    }

    fn dual_stack_suffix(self) -> &'static str {
        match self {
            Partition::China => "api.amazonwebservices.com.cn",
            Partition::Aws | Partition::GovCloud => "api.aws",
        }
    }
}

/// Endpoint variants requested by the configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Variants {
    pub fips: bool,
    pub dual_stack: bool,
}

impl Service {
    /// The standard endpoint of this service for `region` (no custom endpoint configured).
    pub fn standard_endpoint(&self, region: &str, variants: Variants) -> Endpoint {
        let partition = Partition::of(region);
        match self.scope {
            // Global endpoints have no dual-stack variant: they stay as they are.
            Scope::Global { aws, china, gov_cloud } => {
                let (host, signing_region) = match partition {
                    Partition::Aws => aws,
                    Partition::China => china,
                    Partition::GovCloud => gov_cloud,
                };
                let host = if variants.fips {
                    // iam.amazonaws.com → iam-fips.amazonaws.com
                    host.replacen('.', "-fips.", 1)
                } else {
                    host.to_owned()
                };
                Endpoint {
                    url: format!("https://{host}"),
                    signing_region: signing_region.to_owned(),
                }
            }
            Scope::Regional => {
                let prefix = if variants.fips {
                    format!("{}-fips", self.endpoint_prefix)
                } else {
                    self.endpoint_prefix.to_owned()
                };
                let suffix = if variants.dual_stack {
                    partition.dual_stack_suffix()
                } else {
                    partition.dns_suffix()
                };
                Endpoint {
                    url: format!("https://{prefix}.{region}.{suffix}"),
                    signing_region: region.to_owned(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::{ec2, iam};

    #[test]
    fn regional_and_global_endpoints_per_partition() {
        let none = Variants::default();
        assert_eq!(
            ec2::SERVICE.standard_endpoint("ap-northeast-1", none),
            Endpoint {
                url: "https://ec2.ap-northeast-1.amazonaws.com".into(),
                signing_region: "ap-northeast-1".into()
            }
        );
        assert_eq!(
            ec2::SERVICE.standard_endpoint("cn-north-1", none).url,
            "https://ec2.cn-north-1.amazonaws.com.cn"
        );
        let iam_aws = iam::SERVICE.standard_endpoint("eu-west-1", none);
        assert_eq!(iam_aws.url, "https://iam.amazonaws.com");
        assert_eq!(iam_aws.signing_region, "us-east-1");
        let iam_cn = iam::SERVICE.standard_endpoint("cn-northwest-1", none);
        assert_eq!(iam_cn.url, "https://iam.cn-north-1.amazonaws.com.cn");
        assert_eq!(iam_cn.signing_region, "cn-north-1");
        let iam_gov = iam::SERVICE.standard_endpoint("us-gov-east-1", none);
        assert_eq!(iam_gov.url, "https://iam.us-gov.amazonaws.com");
        assert_eq!(iam_gov.signing_region, "us-gov-west-1");
    }

    #[test]
    fn fips_and_dual_stack_variants() {
        let fips = Variants {
            fips: true,
            dual_stack: false,
        };
        assert_eq!(
            ec2::SERVICE.standard_endpoint("us-east-1", fips).url,
            "https://ec2-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(
            iam::SERVICE.standard_endpoint("us-east-1", fips).url,
            "https://iam-fips.amazonaws.com"
        );
        let dual = Variants {
            fips: false,
            dual_stack: true,
        };
        assert_eq!(
            ec2::SERVICE.standard_endpoint("eu-central-1", dual).url,
            "https://ec2.eu-central-1.api.aws"
        );
        assert_eq!(Partition::of("us-gov-west-1").name(), "aws-us-gov");
    }
}
