//! Typed IAM policy documents: statements with actions, resources, principals and conditions, rendered
//! to the JSON IAM expects with intrinsics (ARNs from `Ref`/`Fn::GetAtt`/`Fn::Sub`) inside.
//!
//! ```
//! use kumo_constructs::iam::{PolicyDocument, PolicyStatement};
//! use kumo_core::{Str, fns};
//!
//! let document = PolicyDocument::new()
//!     .statement(PolicyStatement::allow().actions(["ecr:BatchGetImage"]).resource(fns::get_att::<Str>("Repo", "Arn")))
//!     // ecr:GetAuthorizationToken has no resource type: IAM requires "*".
//!     .statement(PolicyStatement::allow().actions(["ecr:GetAuthorizationToken"]).all_resources());
//! assert_eq!(document.statements().len(), 2);
//! ```
//!
//! A condition *key* may be computed (IRSA trust policies key on the cluster's OIDC issuer:
//! `"<issuer>:sub"`). JSON object keys cannot be intrinsics, so such a document is rendered as one
//! `Fn::Sub` producing the JSON text — CloudFormation accepts policy documents as strings — instead of
//! the CDK's Lambda-backed `CfnJson`.

use indexmap::IndexMap;
use kumo_core::{Expr, Str, Typed};

use crate::arn::SubBuilder;

/// The IAM policy language version every document uses.
pub const POLICY_VERSION: &str = "2012-10-17";

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Who a resource policy or trust policy applies to.
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    /// An AWS service (`eks.amazonaws.com`); may be computed, for regional service principals
    /// (`logs.${AWS::Region}.amazonaws.com`, see [`Principal::regional_service`]).
    Service(Str),
    /// An AWS account, user or role ARN (`arn:...:iam::123456789012:root`).
    Aws(Str),
    /// A federated identity provider: an OIDC provider ARN (IRSA) or a SAML provider ARN.
    Federated(Str),
}

impl Principal {
    /// An AWS service principal such as `eks.amazonaws.com`.
    pub fn service(name: impl Into<String>) -> Self {
        Principal::Service(Str::from(name.into()))
    }
    /// A regional service principal, `<service>.<stack's region>.amazonaws.com` (CloudWatch Logs' is
    /// `logs.<region>.amazonaws.com`).
    pub fn regional_service(service: &str) -> Self {
        Principal::Service(kumo_core::fns::sub(format!("{service}.${{AWS::Region}}.amazonaws.com")))
    }
    /// An IAM principal by ARN.
    pub fn aws(arn: impl Into<Str>) -> Self {
        Principal::Aws(arn.into())
    }
    /// This stack's account (`arn:${AWS::Partition}:iam::${AWS::AccountId}:root`): delegates to the
    /// account's IAM policies.
    pub fn account_root() -> Self {
        Principal::Aws(crate::arn::account_root())
    }
    /// A federated identity provider by ARN (for example an `AWS::IAM::OIDCProvider`'s `Ref`).
    pub fn federated(provider_arn: impl Into<Str>) -> Self {
        Principal::Federated(provider_arn.into())
    }

    fn kind(&self) -> &'static str {
        match self {
            Principal::Service(_) => "Service",
            Principal::Aws(_) => "AWS",
            Principal::Federated(_) => "Federated",
        }
    }

    fn value(&self) -> Expr {
        match self {
            Principal::Service(name) | Principal::Aws(name) | Principal::Federated(name) => name.as_expr().clone(),
        }
    }
}

/// One condition entry: `operator` (`StringEquals`, `Null`, `ArnLike`, ...), a key and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub operator: String,
    /// The condition key; may be computed (an IRSA issuer), see the module docs.
    pub key: Str,
    pub values: Vec<Str>,
}

/// One statement of a policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyStatement {
    sid: Option<String>,
    effect: Effect,
    principals: Vec<Principal>,
    actions: Vec<String>,
    resources: Vec<Str>,
    conditions: Vec<Condition>,
}

impl PolicyStatement {
    /// An `Allow` statement with nothing in it yet.
    pub fn allow() -> Self {
        Self::new(Effect::Allow)
    }

    /// A `Deny` statement with nothing in it yet.
    pub fn deny() -> Self {
        Self::new(Effect::Deny)
    }

    fn new(effect: Effect) -> Self {
        PolicyStatement {
            sid: None,
            effect,
            principals: Vec::new(),
            actions: Vec::new(),
            resources: Vec::new(),
            conditions: Vec::new(),
        }
    }

    /// A statement id (letters and digits), shown in the IAM console and in access-denied messages.
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Adds actions (`service:Action`). Duplicates are dropped; order is kept.
    pub fn actions<I: IntoIterator<Item = S>, S: Into<String>>(mut self, actions: I) -> Self {
        for action in actions {
            let action = action.into();
            if !self.actions.contains(&action) {
                self.actions.push(action);
            }
        }
        self
    }

    /// Adds one resource ARN (a literal or an expression such as `repo.arn()`).
    pub fn resource(mut self, arn: impl Into<Str>) -> Self {
        let arn = arn.into();
        if !self.resources.contains(&arn) {
            self.resources.push(arn);
        }
        self
    }

    /// Adds resource ARNs.
    pub fn resources<I: IntoIterator<Item = S>, S: Into<Str>>(self, arns: I) -> Self {
        arns.into_iter().fold(self, |statement, arn| statement.resource(arn))
    }

    /// `"Resource": "*"`. Use it only where IAM requires it (actions without a resource type, such as
    /// `ecr:GetAuthorizationToken` or the `Describe*` / `List*` calls), and say why at the call site.
    pub fn all_resources(self) -> Self {
        self.resource("*")
    }

    /// Adds a principal (trust policies and resource policies only).
    pub fn principal(mut self, principal: Principal) -> Self {
        if !self.principals.contains(&principal) {
            self.principals.push(principal);
        }
        self
    }

    /// Adds a condition with one value: `"Condition": {operator: {key: value}}`.
    pub fn condition(self, operator: &str, key: impl Into<Str>, value: impl Into<Str>) -> Self {
        self.condition_values(operator, key, [value.into()])
    }

    /// Adds a condition with several values (any of them matches).
    pub fn condition_values<I: IntoIterator<Item = V>, V: Into<Str>>(
        mut self,
        operator: &str,
        key: impl Into<Str>,
        values: I,
    ) -> Self {
        self.conditions.push(Condition {
            operator: operator.to_owned(),
            key: key.into(),
            values: values.into_iter().map(Into::into).collect(),
        });
        self
    }

    pub fn effect(&self) -> Effect {
        self.effect
    }
    pub fn action_list(&self) -> &[String] {
        &self.actions
    }
    pub fn resource_list(&self) -> &[Str] {
        &self.resources
    }
    pub fn principal_list(&self) -> &[Principal] {
        &self.principals
    }
    pub fn condition_list(&self) -> &[Condition] {
        &self.conditions
    }

    /// The statement as a JSON object (keys in the order IAM documents them).
    fn to_expr(&self) -> Expr {
        let mut out = IndexMap::new();
        if let Some(sid) = &self.sid {
            out.insert("Sid".to_owned(), Expr::String(sid.clone()));
        }
        out.insert("Effect".to_owned(), Expr::String(self.effect.as_str().to_owned()));
        if !self.principals.is_empty() {
            let mut by_kind: IndexMap<String, Vec<Expr>> = IndexMap::new();
            for principal in &self.principals {
                by_kind
                    .entry(principal.kind().to_owned())
                    .or_default()
                    .push(principal.value());
            }
            let principals = by_kind.into_iter().map(|(kind, values)| (kind, one_or_many(values)));
            out.insert("Principal".to_owned(), Expr::Object(principals.collect()));
        }
        let actions = self.actions.iter().cloned().map(Expr::String).collect();
        out.insert("Action".to_owned(), one_or_many(actions));
        if !self.resources.is_empty() {
            let resources = self.resources.iter().map(|r| r.as_expr().clone()).collect();
            out.insert("Resource".to_owned(), one_or_many(resources));
        }
        if !self.conditions.is_empty() {
            out.insert("Condition".to_owned(), self.conditions_expr());
        }
        Expr::Object(out)
    }

    /// `{operator: {key: values}}`, operators and keys in first-use order. A computed key is kept as a
    /// marked, encoded string (see [`key_text`]) that [`PolicyDocument::to_expr`] turns into `Fn::Sub` text.
    fn conditions_expr(&self) -> Expr {
        let mut operators: IndexMap<String, IndexMap<String, Expr>> = IndexMap::new();
        for condition in &self.conditions {
            let values = condition.values.iter().map(|v| v.as_expr().clone()).collect();
            operators
                .entry(condition.operator.clone())
                .or_default()
                .insert(key_text(&condition.key), one_or_many(values));
        }
        Expr::Object(
            operators
                .into_iter()
                .map(|(op, keys)| (op, Expr::Object(keys)))
                .collect(),
        )
    }

    fn has_computed_condition_key(&self) -> bool {
        self.conditions.iter().any(|c| c.key.as_literal().is_none())
    }
}

/// A condition key as an object key: the literal, or a marker for a computed key that
/// [`PolicyDocument::to_expr`] replaces by a `Fn::Sub` placeholder.
fn key_text(key: &Str) -> String {
    match key.as_literal() {
        Some(text) => text.to_owned(),
        None => format!(
            "{COMPUTED_KEY_MARKER}{}",
            serde_json::to_string(&Expr::from(key.clone())).unwrap_or_default()
        ),
    }
}

/// Prefix of a computed condition key inside the intermediate JSON (never valid in a real key).
const COMPUTED_KEY_MARKER: &str = "\u{0}kumo-key:";

fn one_or_many(mut values: Vec<Expr>) -> Expr {
    match values.pop() {
        Some(only) if values.is_empty() => only,
        Some(last) => {
            values.push(last);
            Expr::List(values)
        }
        None => Expr::List(values),
    }
}

/// An IAM policy document: `{"Version": "2012-10-17", "Statement": [...]}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyDocument {
    statements: Vec<PolicyStatement>,
}

impl PolicyDocument {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a statement.
    pub fn statement(mut self, statement: PolicyStatement) -> Self {
        self.statements.push(statement);
        self
    }

    /// Appends a statement in place.
    pub fn add_statement(&mut self, statement: PolicyStatement) {
        self.statements.push(statement);
    }

    pub fn statements(&self) -> &[PolicyStatement] {
        &self.statements
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The document as a template value: a JSON object, or — when a condition key is computed — one
    /// `Fn::Sub` producing the same JSON as text.
    pub fn to_expr(&self) -> Expr {
        let statements = self.statements.iter().map(PolicyStatement::to_expr).collect();
        let document: Expr = [
            ("Version", Expr::String(POLICY_VERSION.to_owned())),
            ("Statement", Expr::List(statements)),
        ]
        .into_iter()
        .collect();
        if self.statements.iter().any(PolicyStatement::has_computed_condition_key) {
            let mut sub = SubBuilder::default();
            write_json(&document, &mut sub);
            sub.finish().into()
        } else {
            document
        }
    }
}

impl From<PolicyDocument> for Expr {
    fn from(document: PolicyDocument) -> Expr {
        document.to_expr()
    }
}

/// Writes `value` as compact JSON text into a `Fn::Sub` template: literals are JSON-escaped, intrinsic
/// values become placeholders inside the JSON string that holds them.
fn write_json(value: &Expr, sub: &mut SubBuilder) {
    match value {
        Expr::Null | Expr::Bool(_) | Expr::Number(_) => sub.push_literal(&value.to_json().to_string()),
        Expr::String(text) => sub.push_literal(&serde_json::Value::String(text.clone()).to_string()),
        Expr::List(items) => {
            sub.push_literal("[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    sub.push_literal(",");
                }
                write_json(item, sub);
            }
            sub.push_literal("]");
        }
        Expr::Object(map) => {
            sub.push_literal("{");
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    sub.push_literal(",");
                }
                // A computed key was encoded by `key_text` as JSON after the marker, so it always parses.
                match key
                    .strip_prefix(COMPUTED_KEY_MARKER)
                    .and_then(|encoded| serde_json::from_str::<serde_json::Value>(encoded).ok())
                {
                    Some(json) => {
                        sub.push_literal("\"");
                        write_json_string_content(&Expr::from_json(&json), sub);
                        sub.push_literal("\"");
                    }
                    None => sub.push_literal(&serde_json::Value::String(key.clone()).to_string()),
                }
                sub.push_literal(":");
                write_json(item, sub);
            }
            sub.push_literal("}");
        }
        intrinsic => {
            // A string-valued intrinsic (an ARN): it becomes the content of a JSON string.
            sub.push_literal("\"");
            write_json_string_content(intrinsic, sub);
            sub.push_literal("\"");
        }
    }
}

/// The content of a JSON string whose value is computed. Literal parts of a nested `Fn::Sub` template
/// are JSON-escaped; placeholders stay as they are.
fn write_json_string_content(value: &Expr, sub: &mut SubBuilder) {
    match value {
        Expr::String(text) => {
            let quoted = serde_json::Value::String(text.clone()).to_string();
            sub.push_literal(&quoted[1..quoted.len() - 1]);
        }
        // A nested template with quotes or backslashes would need JSON escaping: keep it a variable.
        Expr::Sub { template, .. } if !template_is_json_safe(template) => sub.push_variable(value),
        other => sub.push_value(other),
    }
}

/// A template needs no JSON escaping when it has no quote, backslash or control character.
fn template_is_json_safe(template: &str) -> bool {
    !template.chars().any(|c| c == '"' || c == '\\' || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kumo_core::fns;
    use serde_json::json;

    #[test]
    fn renders_single_values_as_strings_and_many_as_lists() {
        let document = PolicyDocument::new().statement(
            PolicyStatement::allow()
                .actions(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"])
                .resource(fns::get_att::<Str>("Repo", "Arn")),
        );
        assert_eq!(
            document.to_expr().to_json(),
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Resource": {"Fn::GetAtt": ["Repo", "Arn"]}
            }]})
        );
    }

    #[test]
    fn renders_principals_grouped_and_conditions_merged_by_operator() {
        let statement = PolicyStatement::allow()
            .sid("Trust")
            .principal(Principal::service("pods.eks.amazonaws.com"))
            .principal(Principal::account_root())
            .actions(["sts:AssumeRole", "sts:TagSession"])
            .condition("StringEquals", "aws:SourceAccount", fns::ref_("AWS::AccountId"))
            .condition_values("StringEquals", "aws:RequestTag/team", ["a", "b"])
            .condition("Null", "aws:ResourceTag/x", "false");
        let document = PolicyDocument::new().statement(statement);
        assert_eq!(
            document.to_expr().to_json(),
            json!({"Version": "2012-10-17", "Statement": [{
                "Sid": "Trust",
                "Effect": "Allow",
                "Principal": {
                    "Service": "pods.eks.amazonaws.com",
                    "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
                },
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}, "aws:RequestTag/team": ["a", "b"]},
                    "Null": {"aws:ResourceTag/x": "false"}
                }
            }]})
        );
    }

    #[test]
    fn computed_condition_keys_render_the_document_as_one_sub() {
        let issuer: Str = fns::select(1, fns::split("oidc-provider/", fns::ref_("Provider")));
        let key = |suffix: &str| crate::arn::interpolate(&format!("{{}}:{suffix}"), &[&issuer]);
        let document = PolicyDocument::new().statement(
            PolicyStatement::allow()
                .principal(Principal::federated(fns::ref_("Provider")))
                .actions(["sts:AssumeRoleWithWebIdentity"])
                .condition(
                    "StringEquals",
                    key("sub"),
                    "system:serviceaccount:kube-system:external-dns",
                )
                .condition("StringEquals", key("aud"), "sts.amazonaws.com"),
        );
        let rendered = document.to_expr().to_json();
        let template = rendered["Fn::Sub"][0].as_str().unwrap();
        let variables = &rendered["Fn::Sub"][1];
        assert_eq!(
            variables,
            &json!({"V1": {"Fn::Select": [1, {"Fn::Split": ["oidc-provider/", {"Ref": "Provider"}]}]}})
        );
        // Substituting the placeholders yields valid JSON with the expected shape.
        let resolved = template
            .replace("${V1}", "oidc.eks.eu-west-1.amazonaws.com/id/ABC")
            .replace("${Provider}", "arn:p");
        let parsed: serde_json::Value = serde_json::from_str(&resolved).unwrap();
        assert_eq!(
            parsed,
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": "arn:p"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {
                    "oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:external-dns",
                    "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"
                }}
            }]})
        );
    }

    #[test]
    fn literal_dollar_braces_survive_the_sub_rendering() {
        let document = PolicyDocument::new().statement(
            PolicyStatement::allow()
                .actions(["s3:GetObject"])
                .resource("arn:aws:s3:::b/${aws:username}/*")
                .condition("StringEquals", fns::sub("${AWS::Region}:k"), "v"),
        );
        let rendered = document.to_expr().to_json();
        let template = rendered["Fn::Sub"].as_str().unwrap();
        assert!(template.contains("b/${!aws:username}/*"), "{template}");
        assert!(template.contains("\"${AWS::Region}:k\":\"v\""), "{template}");
    }
}
