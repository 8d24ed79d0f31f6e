//! A request before signing, built in a service's protocol, and the response to it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::error::{AwsError, ErrorKind};
use crate::service::{Protocol, Service};
use crate::xml::XmlNode;

/// RFC 3986 unreserved characters stay as they are; everything else is percent-encoded (what SigV4
/// and the query protocols expect).
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub(crate) fn encode(text: &str) -> String {
    utf8_percent_encode(text, ENCODE).to_string()
}

/// One call, ready to be signed and sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The API operation, for traces and errors.
    pub operation: &'static str,
    pub method: &'static str,
    /// Path below the endpoint, starting with `/`.
    pub path: String,
    /// Query string parameters (REST protocols), not yet encoded.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A query-protocol call (EC2 or awsQuery): `Action`, `Version` and the parameters as a form body.
    pub fn query(service: &Service, operation: &'static str, params: Params) -> Request {
        let version = match service.protocol {
            Protocol::Ec2 { version } | Protocol::Query { version } => version,
            other => panic!("{} speaks {other:?}, not a query protocol", service.id),
        };
        let mut body = format!("Action={operation}&Version={version}");
        for (key, value) in params.0 {
            body.push('&');
            body.push_str(&encode(&key));
            body.push('=');
            body.push_str(&encode(&value));
        }
        Request {
            operation,
            method: "POST",
            path: "/".to_owned(),
            query: Vec::new(),
            headers: vec![(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
            )],
            body: body.into_bytes(),
        }
    }

    /// An awsJson call: the input as JSON, the operation in `X-Amz-Target`.
    pub fn json(service: &Service, operation: &'static str, input: &Value) -> Request {
        let Protocol::Json { version, target_prefix } = service.protocol else {
            panic!("{} does not speak awsJson", service.id)
        };
        Request {
            operation,
            method: "POST",
            path: "/".to_owned(),
            query: Vec::new(),
            headers: vec![
                ("content-type", format!("application/x-amz-json-{version}")),
                ("x-amz-target", format!("{target_prefix}.{operation}")),
            ],
            body: serde_json::to_vec(input).expect("JSON values serialize"),
        }
    }

    /// A REST call (restJson, restXml) without a body; add query parameters with [`Request::param`].
    pub fn rest(operation: &'static str, method: &'static str, path: impl Into<String>) -> Request {
        Request {
            operation,
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a query string parameter (a list is one parameter per element, as REST protocols send it).
    pub fn param(mut self, key: impl Into<String>, value: impl Into<String>) -> Request {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Sets a JSON body (restJson).
    pub fn json_body(mut self, body: &Value) -> Request {
        self.headers.push(("content-type", "application/json".to_owned()));
        self.body = serde_json::to_vec(body).expect("JSON values serialize");
        self
    }

    /// Sets an XML body (restXml).
    pub fn xml_body(mut self, body: String) -> Request {
        self.headers.push(("content-type", "application/xml".to_owned()));
        self.body = body.into_bytes();
        self
    }

    /// The encoded query string (without `?`), empty when there are no parameters.
    pub(crate) fn query_string(&self) -> String {
        self.query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Parameters of a query-protocol call, in order. Lists are numbered from 1, as the protocols want.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new() -> Params {
        Params::default()
    }

    pub fn set(mut self, key: impl Into<String>, value: impl Into<String>) -> Params {
        self.0.push((key.into(), value.into()));
        self
    }

    /// `<prefix>.1`, `<prefix>.2`, ... (EC2: `SubnetId.1`; awsQuery: `Names.member.1`).
    pub fn list<S: AsRef<str>>(mut self, prefix: &str, items: &[S]) -> Params {
        for (i, item) in items.iter().enumerate() {
            self.0.push((format!("{prefix}.{}", i + 1), item.as_ref().to_owned()));
        }
        self
    }

    /// EC2 filters: `Filter.N.Name` and `Filter.N.Value.M`.
    pub fn ec2_filters(mut self, filters: &[(&str, Vec<String>)]) -> Params {
        for (n, (name, values)) in filters.iter().enumerate() {
            let n = n + 1;
            self.0.push((format!("Filter.{n}.Name"), (*name).to_owned()));
            for (m, value) in values.iter().enumerate() {
                self.0.push((format!("Filter.{n}.Value.{}", m + 1), value.clone()));
            }
        }
        self
    }
}

/// A successful (2xx) answer.
#[derive(Clone, Debug)]
pub struct Response {
    pub service: &'static str,
    pub operation: &'static str,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub request_id: Option<String>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The body as an XML tree.
    pub fn xml(&self) -> Result<XmlNode, AwsError> {
        let text = std::str::from_utf8(&self.body).map_err(|_| self.invalid("the body is not UTF-8"))?;
        XmlNode::parse(text).map_err(|e| self.invalid(&format!("the body is not XML ({e})")))
    }

    /// The body as JSON (an empty body is `{}`).
    pub fn json(&self) -> Result<Value, AwsError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        serde_json::from_slice(&self.body).map_err(|e| self.invalid(&format!("the body is not JSON ({e})")))
    }

    /// The error for a response that lacks what the call needs.
    pub fn invalid(&self, detail: &str) -> AwsError {
        AwsError {
            service: self.service,
            operation: self.operation,
            kind: ErrorKind::Response {
                status: self.status,
                detail: detail.to_owned(),
            },
            request_id: self.request_id.clone(),
            attempts: 1,
        }
    }

    /// A required XML element, or an error naming it.
    pub fn required<'a>(&self, node: &'a XmlNode, path: &[&str]) -> Result<&'a XmlNode, AwsError> {
        node.path(path)
            .ok_or_else(|| self.invalid(&format!("no <{}> in the response", path.join("/"))))
    }
}

/// A header by case-insensitive name.
pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::{ec2, eks, service_quotas};

    #[test]
    fn query_bodies_encode_lists_and_filters() {
        let request = Request::query(
            &ec2::SERVICE,
            "DescribeInstanceTypeOfferings",
            Params::new()
                .set("LocationType", "availability-zone")
                .ec2_filters(&[("location", vec!["ap-northeast-1a".into()])])
                .list("SubnetId", &["subnet-1", "subnet 2"]),
        );
        assert_eq!(
            String::from_utf8(request.body).unwrap(),
            "Action=DescribeInstanceTypeOfferings&Version=2016-11-15&LocationType=availability-zone&\
             Filter.1.Name=location&Filter.1.Value.1=ap-northeast-1a&SubnetId.1=subnet-1&SubnetId.2=subnet%202"
        );
    }

    #[test]
    fn json_and_rest_requests() {
        let request = Request::json(
            &service_quotas::SERVICE,
            "GetServiceQuota",
            &serde_json::json!({"ServiceCode": "vpc"}),
        );
        assert!(
            request
                .headers
                .contains(&("x-amz-target", "ServiceQuotasV20190624.GetServiceQuota".into()))
        );
        assert!(
            request
                .headers
                .contains(&("content-type", "application/x-amz-json-1.1".into()))
        );
        let _ = &eks::SERVICE;
        let rest = Request::rest("DescribeClusterVersions", "GET", "/cluster-versions")
            .param("clusterVersions", "1.36")
            .param("includeAll", "true");
        assert_eq!(rest.query_string(), "clusterVersions=1.36&includeAll=true");
    }
}
