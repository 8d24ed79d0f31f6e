//! KMS: a symmetric `Key` with rotation on and a least-privilege key policy.

use kumo_cfn::kms as l1;
use kumo_core::{Handle, Str};

use crate::Parent;
use crate::iam::{PolicyDocument, PolicyStatement, Principal};

/// What the account may do with the key through IAM policies: administer it, never use it for
/// cryptography (that is granted per principal with [`KeyProps::grant`]). Listed one by one rather than
/// `kms:*` / `kms:Describe*`, so the key policy says exactly what it allows.
pub const KEY_ADMIN_ACTIONS: &[&str] = &[
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
];

/// Properties of a [`Key`].
#[derive(Clone, Debug, PartialEq)]
pub struct KeyProps {
    /// Default: none.
    pub description: Option<String>,
    /// Yearly automatic rotation of the key material. Default: `true`.
    pub enable_key_rotation: bool,
    /// Days between `ScheduleKeyDeletion` (stack deletion) and the actual deletion, 7 to 30.
    /// Default: 30 (KMS's default, not written).
    pub pending_window_in_days: Option<u8>,
    /// Principals allowed to use the key and the actions each may call. Default: none.
    pub grants: Vec<(Principal, Vec<String>)>,
    /// Further key-policy statements, for services that use the key under conditions (CloudWatch Logs,
    /// Secrets Manager). Default: none.
    pub statements: Vec<PolicyStatement>,
    /// Let integrated AWS services create grants on the key on behalf of the account's principals
    /// (`kms:GrantIsForAWSResource`): EKS, EBS and RDS create one when a resource is created with the key.
    /// Default: `true`.
    pub allow_service_grants: bool,
}

impl Default for KeyProps {
    fn default() -> Self {
        KeyProps {
            description: None,
            enable_key_rotation: true,
            pending_window_in_days: None,
            grants: Vec::new(),
            statements: Vec::new(),
            allow_service_grants: true,
        }
    }
}

impl KeyProps {
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }
    pub fn enable_key_rotation(mut self, on: bool) -> Self {
        self.enable_key_rotation = on;
        self
    }
    pub fn pending_window_in_days(mut self, days: u8) -> Self {
        self.pending_window_in_days = Some(days);
        self
    }
    /// Allows `principal` to call `actions` on the key (written into the key policy).
    pub fn grant<I: IntoIterator<Item = S>, S: Into<String>>(mut self, principal: Principal, actions: I) -> Self {
        self.grants
            .push((principal, actions.into_iter().map(Into::into).collect()));
        self
    }
    /// Adds a key-policy statement as written (its `Resource` should be `"*"`: in a key policy that means
    /// this key).
    pub fn statement(mut self, statement: PolicyStatement) -> Self {
        self.statements.push(statement);
        self
    }
    pub fn allow_service_grants(mut self, on: bool) -> Self {
        self.allow_service_grants = on;
        self
    }
}

/// A customer managed KMS key (`AWS::KMS::Key`, symmetric).
#[derive(Clone, Debug)]
pub struct Key {
    handle: Handle<l1::Key>,
}

impl Key {
    pub fn new(parent: &mut impl Parent, id: &str, props: KeyProps) -> Key {
        let mut resource = l1::Key::new()
            .enable_key_rotation(props.enable_key_rotation)
            .key_policy(key_policy(&props).to_expr());
        if let Some(description) = &props.description {
            resource = resource.description(description.as_str());
        }
        if let Some(days) = props.pending_window_in_days {
            resource = resource.pending_window_in_days(days);
        }
        Key {
            handle: parent.child(id).add("Resource", resource),
        }
    }

    /// `Fn::GetAtt Arn`.
    pub fn arn(&self) -> Str {
        self.handle.attr_arn()
    }

    /// `Ref`: the key id.
    pub fn key_id(&self) -> Str {
        self.handle.reference()
    }

    pub fn handle(&self) -> &Handle<l1::Key> {
        &self.handle
    }
}

/// In a key policy `"Resource": "*"` means "this key": KMS requires exactly `*` there.
fn key_policy(props: &KeyProps) -> PolicyDocument {
    let mut document = PolicyDocument::new().statement(
        PolicyStatement::allow()
            .sid("KeyAdministration")
            .principal(Principal::account_root())
            .actions(KEY_ADMIN_ACTIONS.iter().copied())
            .all_resources(),
    );
    if props.allow_service_grants {
        document.add_statement(
            PolicyStatement::allow()
                .sid("ServiceGrants")
                .principal(Principal::account_root())
                .actions(["kms:CreateGrant"])
                .all_resources()
                .condition("Bool", "kms:GrantIsForAWSResource", "true"),
        );
    }
    for (i, (principal, actions)) in props.grants.iter().enumerate() {
        document.add_statement(
            PolicyStatement::allow()
                .sid(format!("KeyUse{}", i + 1))
                .principal(principal.clone())
                .actions(actions.iter().cloned())
                .all_resources(),
        );
    }
    for statement in &props.statements {
        document.add_statement(statement.clone());
    }
    document
}

/// What a service needs to encrypt data under the key (envelope encryption): data keys, decrypting them,
/// re-encrypting, and describing the key.
const ENVELOPE_ACTIONS: &[&str] = &[
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
];

/// The other data-key calls, which `kms:GenerateDataKey*` covers.
const DATA_KEY_VARIANTS: &[&str] = &[
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
];

/// The key-policy statement that lets CloudWatch Logs encrypt the given log groups with the key (the
/// CloudWatch Logs user guide's policy, "Encrypt log data in CloudWatch Logs using AWS KMS"): the
/// regional service principal, limited by the encryption context to those log groups' ARNs.
pub fn logs_statement(log_group_arns: Vec<Str>) -> PolicyStatement {
    PolicyStatement::allow()
        .sid("CloudWatchLogs")
        .principal(Principal::regional_service("logs"))
        // The guide's `kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and
        // `kms:Describe*`, spelled out: on a key they cover exactly these.
        .actions(ENVELOPE_ACTIONS.iter().chain(DATA_KEY_VARIANTS).copied())
        .all_resources()
        .condition_values("ArnLike", "kms:EncryptionContext:aws:logs:arn", log_group_arns)
}

/// The key-policy statement that lets the account's principals use the key through Secrets Manager
/// only (as the AWS managed `aws/secretsmanager` key's policy does); which principals may is then decided
/// by their IAM policies ([`crate::secretsmanager::SecretJsonField::read_statements`]).
pub fn secrets_manager_statement() -> PolicyStatement {
    PolicyStatement::allow()
        .sid("SecretsManager")
        .principal(Principal::account_root())
        .actions(ENVELOPE_ACTIONS.iter().copied())
        .all_resources()
        .condition("StringEquals", "kms:ViaService", via_service("secretsmanager"))
        .condition("StringEquals", "kms:CallerAccount", kumo_core::pseudo::account_id())
}

/// `<service>.<stack's region>.amazonaws.com`: the value of `kms:ViaService` for that service.
pub fn via_service(service: &str) -> Str {
    kumo_core::fns::sub(format!("{service}.${{AWS::Region}}.amazonaws.com"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::template;
    use kumo_core::{Stack, fns};
    use serde_json::json;

    #[test]
    fn key_has_rotation_and_a_policy_without_wildcard_actions() {
        let mut stack = Stack::new("T");
        let key = Key::new(
            &mut stack,
            "Secrets",
            KeyProps::default().grant(
                Principal::aws(fns::get_att::<Str>("Role", "Arn")),
                ["kms:Encrypt", "kms:Decrypt"],
            ),
        );
        stack.add("Role", kumo_core::RawResource::new("AWS::IAM::Role"));
        let t = template(&stack);
        t.has_resource_properties(
            "AWS::KMS::Key",
            json!({
                "EnableKeyRotation": true,
                "KeyPolicy": {"Statement": [
                    {"Sid": "KeyAdministration", "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}, "Resource": "*"},
                    {"Sid": "ServiceGrants", "Action": "kms:CreateGrant", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
                    {"Sid": "KeyUse1", "Principal": {"AWS": {"Fn::GetAtt": ["Role", "Arn"]}}, "Action": ["kms:Encrypt", "kms:Decrypt"]}
                ]}
            }),
        );
        let text = crate::test_util::json(&stack);
        assert!(!text.contains("\"kms:*\"") && !text.contains("\"*\",\"Action\""));
        assert!(KEY_ADMIN_ACTIONS.iter().all(|a| !a.contains('*')));
        // The CDK's id for the construct path Secrets/Resource.
        assert_eq!(key.handle().logical_id().as_str(), "SecretsA3BCC2E9");
    }
}
