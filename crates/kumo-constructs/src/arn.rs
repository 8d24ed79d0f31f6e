//! ARNs and other strings assembled from literals and intrinsics, as one compact `Fn::Sub`.
//!
//! Templates stay partition-, region- and account-agnostic: every ARN kumo writes uses
//! `${AWS::Partition}`, `${AWS::Region}` and `${AWS::AccountId}` instead of literal values, so the same
//! template deploys to any account and to the China and GovCloud partitions.

use indexmap::IndexMap;
use kumo_core::{Expr, Str, Typed};

/// `arn:${AWS::Partition}:iam::aws:policy/<name>`: an AWS managed policy.
pub fn aws_managed_policy(name: &str) -> Str {
    kumo_core::fns::sub(format!("arn:${{AWS::Partition}}:iam::aws:policy/{name}"))
}

/// `arn:${AWS::Partition}:iam::${AWS::AccountId}:root`: the account itself as a principal (delegates
/// to the account's IAM policies).
pub fn account_root() -> Str {
    kumo_core::fns::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")
}

/// `arn:${AWS::Partition}:iam::${AWS::AccountId}:user/<name>`: an IAM user of this account.
pub fn iam_user(name: &str) -> Str {
    kumo_core::fns::sub(format!(
        "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:user/{}",
        escape(name)
    ))
}

/// `arn:${AWS::Partition}:iam::${AWS::AccountId}:role/<name>`: an IAM role of this account.
pub fn iam_role(name: &str) -> Str {
    kumo_core::fns::sub(format!(
        "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{}",
        escape(name)
    ))
}

/// `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<resource>`, where `{}` in
/// `resource` are replaced by `values` in order (literals or intrinsics).
///
/// ```
/// use kumo_constructs::arn;
/// use kumo_core::fns;
///
/// let subnet = arn::regional("ec2", "subnet/{}", &[&fns::ref_("PrivateSubnet1")]);
/// assert_eq!(
///     kumo_core::Expr::from(subnet).to_json(),
///     serde_json::json!({"Fn::Sub": "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:subnet/${PrivateSubnet1}"})
/// );
/// ```
pub fn regional(service: &str, resource: &str, values: &[&Str]) -> Str {
    interpolate(
        &format!("arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"),
        values,
    )
}

/// `arn:${AWS::Partition}:<service>:::<resource>` for global services without account or region in their
/// ARNs (Route 53 hosted zones, S3 buckets).
pub fn global(service: &str, resource: &str, values: &[&Str]) -> Str {
    interpolate(&format!("arn:${{AWS::Partition}}:{service}:::{resource}"), values)
}

/// A string from a `Fn::Sub` template where each `{}` is replaced by the next of `values`.
///
/// The template's own text is a `Fn::Sub` template (it may use `${AWS::Region}` and friends). Values are
/// inlined where `Fn::Sub` can express them (`Ref` → `${Id}`, `Fn::GetAtt` → `${Id.Attr}`, another
/// variable-free `Fn::Sub` → its template, a literal → its text with `${` escaped), and become named
/// variables otherwise. With no placeholder left, the result is a plain literal string.
///
/// The counts should match; when they do not, nothing panics: a `{}` without a value stays in the text
/// as written, and values beyond the last `{}` are left out.
pub fn interpolate(template: &str, values: &[&Str]) -> Str {
    let mut sub = SubBuilder::default();
    let mut values = values.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        // A `{}` directly after `$` would be part of a `${...}` placeholder; templates here never do that.
        sub.push_template(&rest[..at]);
        match values.next() {
            Some(value) => sub.push_value(value.as_expr()),
            None => sub.push_template("{}"),
        }
        rest = &rest[at + 2..];
    }
    sub.push_template(rest);
    sub.finish()
}

/// Escapes literal text for use inside a `Fn::Sub` template (`${` would start a placeholder).
pub fn escape(text: &str) -> String {
    text.replace("${", "${!")
}

/// Builds one `Fn::Sub` string out of template text and values (see [`interpolate`]).
#[derive(Debug, Default)]
pub struct SubBuilder {
    template: String,
    variables: IndexMap<String, Expr>,
    /// `true` once the template holds a placeholder (otherwise the result is a literal).
    dynamic: bool,
}

impl SubBuilder {
    /// Appends `Fn::Sub` template text (placeholders in it stay placeholders).
    pub fn push_template(&mut self, text: &str) {
        if text.contains("${") && kumo_core::expr::sub_placeholders(text).next().is_some() {
            self.dynamic = true;
        }
        self.template.push_str(text);
    }

    /// Appends literal text (escaped so CloudFormation writes it verbatim).
    pub fn push_literal(&mut self, text: &str) {
        self.template.push_str(&escape(text));
    }

    /// Appends a value: inlined when `Fn::Sub` can express it, otherwise as a variable.
    pub fn push_value(&mut self, value: &Expr) {
        match value {
            Expr::String(text) => self.push_literal(text),
            Expr::Ref(name) => {
                self.dynamic = true;
                self.template.push_str(&format!("${{{name}}}"));
            }
            Expr::GetAtt { logical_id, attribute } => {
                self.dynamic = true;
                self.template.push_str(&format!("${{{logical_id}.{attribute}}}"));
            }
            Expr::Sub { template, variables } if self.can_merge(variables) => {
                for (name, expr) in variables {
                    self.variables.insert(name.clone(), expr.clone());
                }
                self.push_template(template);
            }
            other => self.push_variable(other),
        }
    }

    /// Appends a value as a named variable, never inlined.
    pub fn push_variable(&mut self, value: &Expr) {
        let name = self.variable_for(value);
        self.dynamic = true;
        self.template.push_str(&format!("${{{name}}}"));
    }

    /// Nested variables can be merged when none of their names is taken by a different value.
    fn can_merge(&self, variables: &IndexMap<String, Expr>) -> bool {
        variables
            .iter()
            .all(|(name, expr)| self.variables.get(name).is_none_or(|existing| existing == expr))
    }

    /// The variable holding `value` (reused when the same value appears twice).
    fn variable_for(&mut self, value: &Expr) -> String {
        if let Some((name, _)) = self.variables.iter().find(|(_, existing)| *existing == value) {
            return name.clone();
        }
        let name = format!("V{}", self.variables.len() + 1);
        self.variables.insert(name.clone(), value.clone());
        name
    }

    /// The finished value: a literal string when nothing in it is dynamic, else `Fn::Sub`.
    pub fn finish(self) -> Str {
        if !self.dynamic && self.variables.is_empty() {
            // No placeholder: undo the escaping, the text is literal.
            return Str::from(self.template.replace("${!", "${"));
        }
        Str::from_expr(Expr::Sub {
            template: self.template,
            variables: self.variables,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kumo_core::fns;
    use serde_json::json;

    fn j(s: Str) -> serde_json::Value {
        Expr::from(s).to_json()
    }

    #[test]
    fn literal_only_stays_literal() {
        assert_eq!(j(interpolate("plain-{}", &[&Str::from("text")])), json!("plain-text"));
    }

    #[test]
    fn refs_and_getatts_are_inlined() {
        let value = interpolate("{}:{}", &[&fns::ref_("Secret"), &fns::get_att("Repo", "Arn")]);
        assert_eq!(j(value), json!({"Fn::Sub": "${Secret}:${Repo.Arn}"}));
    }

    #[test]
    fn nested_sub_is_merged_and_other_intrinsics_become_variables() {
        let inner = fns::sub("arn:${AWS::Partition}:x");
        let other: Str = fns::select(0, fns::get_azs());
        let value = interpolate("{}/{}/{}", &[&inner, &other, &other]);
        assert_eq!(
            j(value),
            json!({"Fn::Sub": ["arn:${AWS::Partition}:x/${V1}/${V1}", {"V1": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}]})
        );
    }

    #[test]
    fn mismatched_counts_do_not_panic() {
        assert_eq!(j(interpolate("a-{}-{}", &[&Str::from("x")])), json!("a-x-{}"));
        assert_eq!(
            j(interpolate("a-{}", &[&Str::from("x"), &Str::from("y")])),
            json!("a-x")
        );
    }

    #[test]
    fn literal_dollar_braces_are_escaped() {
        let value = interpolate("{}-{}", &[&Str::from("${not-a-ref}"), &fns::ref_("X")]);
        assert_eq!(j(value), json!({"Fn::Sub": "${!not-a-ref}-${X}"}));
    }

    #[test]
    fn arn_helpers_are_partition_agnostic() {
        assert_eq!(
            j(aws_managed_policy("AmazonEKSClusterPolicy")),
            json!({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonEKSClusterPolicy"})
        );
        assert_eq!(
            j(iam_user("akari")),
            json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:user/akari"})
        );
        assert_eq!(
            j(global("route53", "hostedzone/{}", &[&fns::ref_("Zone")])),
            json!({"Fn::Sub": "arn:${AWS::Partition}:route53:::hostedzone/${Zone}"})
        );
    }
}
