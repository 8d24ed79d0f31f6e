//! Security rules that run on any template, at synth time: what the AWS CDK offers only as an add-on
//! (cdk-nag). Pure: a function of the template's JSON, so the same rules judge a stack built in Rust
//! ([`crate::Template::security_report`]), a synthesized file and any hand-written JSON / YAML template
//! (`kumo check --template FILE`).
//!
//! Each [`Finding`] names its [`Rule`] (id, severity, fix), the resource and the property path. A
//! deliberate exception is a **waiver**, written in code next to the resource
//! ([`crate::ResourceOptions::waive`], [`crate::Stack::waive`]) with a mandatory reason, and carried in the
//! template as resource metadata (`Metadata: {kumo: {waivers: [{rule, reason}]}}`, as cdk-nag and
//! cfn-lint carry theirs), so every tool that reads the template sees the same exceptions.
//!
//! Values computed by intrinsic functions are not judged (only CloudFormation knows them); an absent
//! property is judged by its CloudFormation default.

mod iam;
mod network;
mod storage;

use std::fmt;

use serde_json::{Map, Value};

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth a look; sometimes the right trade-off (then waive it with the reason).
    Warning,
    /// A hole: data or access open to more than it should be.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Defines [`Rule`]: one line per rule with its id, severity, title and fix, so the table the README
/// documents, the ids waivers name and the messages cannot drift apart.
macro_rules! rules {
    ($($(#[$meta:meta])* $variant:ident => $id:literal, $severity:ident, $title:literal, $fix:literal;)+) => {
        /// A security rule. [`Rule::ALL`] is the rule table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $($(#[$meta])* $variant,)+
        }

        impl Rule {
            /// Every rule, in the order the README documents them.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)+];

            /// The stable id waivers and reports use, e.g. `iam-wildcard-action`.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)+
                }
            }

            pub const fn severity(self) -> Severity {
                match self {
                    $(Rule::$variant => Severity::$severity,)+
                }
            }

            /// What the rule looks for.
            pub const fn title(self) -> &'static str {
                match self {
                    $(Rule::$variant => $title,)+
                }
            }

            /// How to fix a finding.
            pub const fn fix(self) -> &'static str {
                match self {
                    $(Rule::$variant => $fix,)+
                }
            }
        }
    };
}

rules! {
    IamWildcardAction => "iam-wildcard-action", Error,
        "an identity policy allows every action (\"*\" or \"service:*\", or NotAction)",
        "list the actions the principal calls";
    IamWildcardResource => "iam-wildcard-resource", Warning,
        "an identity policy allows actions on every resource (\"*\" or NotResource) that support resource-level permissions",
        "name the resources' ARNs; \"*\" is only for actions that accept nothing else (see the allow-list)";
    IamWriteWithoutCondition => "iam-write-without-condition", Error,
        "an identity policy allows write actions on every resource with no condition",
        "name the resources, or add a condition that narrows the grant (tags, VPC, source account)";
    EbsUnencrypted => "ebs-unencrypted", Error,
        "an EBS volume (launch template, instance, volume) is not encrypted",
        "set Encrypted: true on the volume or block device mapping";
    RdsUnencrypted => "rds-unencrypted", Error,
        "an RDS or Aurora database's storage is not encrypted",
        "set StorageEncrypted: true (it cannot be turned on later without a restore)";
    S3DefaultEncryption => "s3-default-encryption", Warning,
        "an S3 bucket sets no encryption of its own (only S3's default SSE-S3 applies)",
        "set BucketEncryption (SSE-KMS with a customer managed key for data that needs its own access control)";
    EfsUnencrypted => "efs-unencrypted", Error,
        "an EFS file system is not encrypted at rest",
        "set Encrypted: true (and KmsKeyId for a customer managed key)";
    LogsWithoutKms => "logs-without-kms", Warning,
        "a log group is encrypted with CloudWatch Logs' own key, not a customer managed KMS key",
        "set KmsKeyId to a key whose policy allows logs.<region>.amazonaws.com for this log group";
    SecretWithoutCmk => "secret-without-cmk", Warning,
        "a secret is encrypted with the AWS managed aws/secretsmanager key",
        "set KmsKeyId to a customer managed key, so who may decrypt it is decided in its key policy";
    EcrWithoutKms => "ecr-without-kms", Warning,
        "an ECR repository is encrypted with AES-256 (S3-managed keys), not KMS",
        "set EncryptionConfiguration: {EncryptionType: KMS, KmsKey: <key ARN>} (only at creation)";
    EcrMutableTags => "ecr-mutable-tags", Warning,
        "an ECR repository lets a tag be pushed again, so a tag can name different images over time",
        "set ImageTagMutability: IMMUTABLE and deploy by digest or unique tags";
    Imdsv1Allowed => "imdsv1-allowed", Error,
        "instances may use IMDSv1 (metadata without a session token), open to SSRF credential theft",
        "set MetadataOptions HttpTokens: required";
    SgOpenIngress => "sg-open-ingress", Error,
        "a security group admits the whole internet (0.0.0.0/0 or ::/0) on a port other than 80 or 443",
        "admit a known address range or security group, or put the service behind a load balancer";
    DbPublic => "db-public", Error,
        "a database is publicly accessible",
        "set PubliclyAccessible: false and reach it from inside the VPC";
    DbWithoutBackups => "db-without-backups", Error,
        "a database keeps no automated backups (BackupRetentionPeriod: 0)",
        "set BackupRetentionPeriod to 1 or more days";
    DbWithoutIamAuth => "db-without-iam-auth", Warning,
        "a database does not accept IAM authentication",
        "set EnableIAMDatabaseAuthentication: true (clients can then connect with short-lived tokens)";
    EksPublicEndpoint => "eks-public-endpoint", Warning,
        "an EKS cluster's Kubernetes API endpoint is reachable from the whole internet",
        "restrict PublicAccessCidrs to known ranges, or turn the public endpoint off and use the private one";
}

impl Rule {
    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.id() == id)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One thing a rule found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// The resource's logical id.
    pub resource: String,
    pub resource_type: String,
    /// Where in the resource, e.g. `Properties.Policies[0].PolicyDocument.Statement[1].Resource`.
    pub path: String,
    /// What exactly is wrong here.
    pub message: String,
}

impl Finding {
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }
}

impl fmt::Display for Finding {
    /// `rule (severity) Resource (Type) path: message; fix: ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}) {} ({}) {}: {}; fix: {}",
            self.rule,
            self.severity(),
            self.resource,
            self.resource_type,
            self.path,
            self.message,
            self.rule.fix()
        )
    }
}

/// A deliberate exception to a rule for one resource, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub rule: Rule,
    pub reason: String,
}

impl Waiver {
    /// The metadata entry (`{"rule": .., "reason": ..}`).
    pub(crate) fn to_json(&self) -> Value {
        serde_json::json!({ "rule": self.rule.id(), "reason": self.reason })
    }
}

/// The metadata key under a resource's `Metadata` that holds kumo's waivers.
pub const METADATA_KEY: &str = "kumo";

/// A waiver applied to a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaivedFinding {
    pub finding: Finding,
    pub reason: String,
}

/// The result of running every rule on a template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Findings no waiver covers, in template order.
    pub findings: Vec<Finding>,
    /// Findings a waiver covers, with its reason.
    pub waived: Vec<WaivedFinding>,
    /// Waivers (resource, rule, reason) that match no finding: stale, or on the wrong resource.
    pub unused_waivers: Vec<(String, Waiver)>,
    /// Waivers in the template's metadata that cannot apply, each said in one line (an unknown rule
    /// id, no reason): they waive nothing.
    pub invalid_waivers: Vec<String>,
}

impl Report {
    /// The cloud assembly manifest's `security` entry: unwaived findings and every waiver with its reason.
    pub fn manifest_entry(&self) -> serde_json::Value {
        use serde_json::{Value, json};
        let findings: Vec<Value> = self
            .findings
            .iter()
            .map(|f| {
                json!({
                    "rule": f.rule.id(),
                    "severity": f.severity().as_str(),
                    "resource": f.resource,
                    "resourceType": f.resource_type,
                    "path": f.path,
                    "message": f.message,
                })
            })
            .collect();
        let waivers: Vec<Value> = self
            .waived
            .iter()
            .map(|w| {
                json!({
                    "rule": w.finding.rule.id(),
                    "resource": w.finding.resource,
                    "path": w.finding.path,
                    "reason": w.reason,
                })
            })
            .chain(self.unused_waivers.iter().map(|(resource, waiver)| {
                json!({
                    "rule": waiver.rule.id(),
                    "resource": resource,
                    "reason": waiver.reason,
                    "unused": true,
                })
            }))
            .collect();
        json!({ "findings": findings, "waivers": waivers })
    }

    /// True when no finding is left unwaived.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Runs every rule on a template's JSON (`{"Resources": {...}}`, long-form intrinsics).
pub fn check(template: &Value) -> Report {
    let mut report = Report::default();
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else {
        return report;
    };
    for (id, resource) in resources {
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or_default();
        let empty = Map::new();
        let props = resource.get("Properties").and_then(Value::as_object).unwrap_or(&empty);
        let mut found = Vec::new();
        let mut hit = |rule: Rule, path: String, message: String| {
            found.push(Finding {
                rule,
                resource: id.clone(),
                resource_type: kind.to_owned(),
                path,
                message,
            });
        };
        iam::check(kind, props, &mut hit);
        storage::check(kind, props, &mut hit);
        network::check(kind, props, &mut hit);

        let waivers = waivers_of(id, resource, &mut report.invalid_waivers);
        for finding in found {
            match waivers.iter().find(|w| w.rule == finding.rule) {
                Some(waiver) => report.waived.push(WaivedFinding {
                    finding,
                    reason: waiver.reason.clone(),
                }),
                None => report.findings.push(finding),
            }
        }
        for waiver in waivers {
            let used = report
                .waived
                .iter()
                .any(|w| w.finding.resource == *id && w.finding.rule == waiver.rule);
            if !used {
                report.unused_waivers.push((id.clone(), waiver));
            }
        }
    }
    report
}

/// The waivers in a resource's `Metadata.kumo.waivers`; malformed ones are described in `invalid`.
fn waivers_of(id: &str, resource: &Value, invalid: &mut Vec<String>) -> Vec<Waiver> {
    let Some(entries) = resource
        .get("Metadata")
        .and_then(|m| m.get(METADATA_KEY))
        .and_then(|k| k.get("waivers"))
    else {
        return Vec::new();
    };
    let Some(entries) = entries.as_array() else {
        invalid.push(format!(
            "{id}: Metadata.{METADATA_KEY}.waivers is not a list of {{rule, reason}} entries"
        ));
        return Vec::new();
    };
    let mut waivers = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let where_ = format!("{id}: Metadata.{METADATA_KEY}.waivers[{i}]");
        let rule = entry.get("rule").and_then(Value::as_str).unwrap_or_default();
        let reason = entry.get("reason").and_then(Value::as_str).unwrap_or_default().trim();
        match Rule::from_id(rule) {
            None => invalid.push(format!(
                "{where_}: {rule:?} is not a rule id (ids: {})",
                Rule::ALL.iter().map(|r| r.id()).collect::<Vec<_>>().join(", ")
            )),
            Some(_) if reason.is_empty() => invalid.push(format!(
                "{where_}: waiver of {rule} has no reason; a waiver must say why"
            )),
            Some(rule) => waivers.push(Waiver {
                rule,
                reason: reason.to_owned(),
            }),
        }
    }
    waivers
}

// ---- reading template JSON (the rule modules use these; so does kumo-deploy's security diff) ---------

/// Collects findings for one resource.
pub(crate) type Hit<'a> = dyn FnMut(Rule, String, String) + 'a;

/// A value that is an intrinsic function (`{"Ref": ..}`, `{"Fn::...": ..}`): computed by CloudFormation.
pub fn is_intrinsic(value: &Value) -> bool {
    value.as_object().is_some_and(is_intrinsic_object)
}

/// An object that is an intrinsic function: one key, `Ref`, `Condition` or `Fn::...`.
pub fn is_intrinsic_object(map: &Map<String, Value>) -> bool {
    map.len() == 1
        && map
            .keys()
            .next()
            .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
}

/// A boolean property: `Some(b)` for a literal (`true`, `"true"`), the default when absent, `None` when
/// computed.
pub fn flag(value: Option<&Value>, default: bool) -> Option<bool> {
    match value {
        None => Some(default),
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => None,
    }
}

/// A number property written as a number or a numeric string.
pub(crate) fn number(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A string property that is a literal (intrinsics give `None`).
pub(crate) fn text(value: Option<&Value>) -> Option<&str> {
    value?.as_str()
}

/// The items of a list property (a single value counts as a list of one).
pub(crate) fn items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
