//! Stack parameters and tags from the command line, checked against the template before any AWS call.

use aws_sdk_cloudformation::types::{Parameter, Tag};
use kumo_core::names;

use crate::error::DeployError;
use crate::ownership::{MANAGED_BY_TAG, MANAGED_BY_VALUE};
use crate::stack::StackInfo;
use crate::template::TemplateDoc;

/// Splits `KEY=VALUE` items (the value may contain `=` and may be empty).
pub fn parse_pairs(flag: &str, items: &[String]) -> Result<Vec<(String, String)>, DeployError> {
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(items.len());
    for item in items {
        let Some((key, value)) = item.split_once('=') else {
            return Err(DeployError::input(
                format!("{flag} {item:?}: expected KEY=VALUE"),
                format!("write it as {flag} Name=value"),
            ));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(DeployError::input(
                format!("{flag} {item:?}: the key is empty"),
                format!("write it as {flag} Name=value"),
            ));
        }
        if pairs.iter().any(|(k, _)| k == key) {
            return Err(DeployError::input(
                format!("{flag} {key} is given twice"),
                "give each key once",
            ));
        }
        pairs.push((key.to_owned(), value.to_owned()));
    }
    Ok(pairs)
}

/// Checks that every given parameter is declared by the template. Pure; runs before any AWS call.
pub fn check_parameter_names(template: &TemplateDoc, given: &[(String, String)]) -> Result<(), DeployError> {
    let declared = template.parameters();
    for (key, _) in given {
        if !declared.iter().any(|d| &d.name == key) {
            let names: Vec<&str> = declared.iter().map(|d| d.name.as_str()).collect();
            let known = if names.is_empty() {
                "it declares no parameters".to_owned()
            } else {
                format!("it declares: {}", names.join(", "))
            };
            return Err(DeployError::input(
                format!("--parameter {key}: {} has no parameter {key}", template.origin()),
                format!("{known}; check the spelling"),
            ));
        }
    }
    Ok(())
}

/// The `Parameters` for a change set. A parameter not given keeps its current value on an existing
/// stack (`UsePreviousValue`), like `aws cloudformation deploy`; otherwise the template default applies;
/// one with neither is an error naming the flag to add.
pub fn resolve_parameters(
    template: &TemplateDoc,
    given: &[(String, String)],
    existing: Option<&StackInfo>,
) -> Result<Vec<Parameter>, DeployError> {
    check_parameter_names(template, given)?;
    let mut parameters = Vec::new();
    for declared in template.parameters() {
        let builder = Parameter::builder().parameter_key(&declared.name);
        if let Some((_, value)) = given.iter().find(|(k, _)| k == &declared.name) {
            parameters.push(builder.parameter_value(value).build());
        } else if existing.is_some_and(|s| s.parameters.iter().any(|(k, _)| k == &declared.name)) {
            parameters.push(builder.use_previous_value(true).build());
        } else if !declared.has_default {
            return Err(DeployError::input(
                format!("parameter {} has no default and no value", declared.name),
                format!("pass --parameter {}=VALUE", declared.name),
            ));
        }
    }
    Ok(parameters)
}

/// Stack tags: the user's (config and `--tag`), plus kumo's ownership tag. Later entries override
/// earlier ones with the same key, so `--tag` beats kumo.toml. The rules are kumo-core's
/// ([`kumo_core::names`]), the same `kumo.toml` is checked with.
pub fn stack_tags(user: &[(String, String)]) -> Result<Vec<Tag>, DeployError> {
    let mut tags: Vec<(String, String)> = Vec::new();
    for (key, value) in user {
        if let Some(prefix) = names::reserved_tag_prefix(key) {
            return Err(DeployError::input(
                format!("tag {key}: the {prefix} prefix is reserved by AWS (in any letter case)"),
                "choose another tag key",
            ));
        }
        if key.eq_ignore_ascii_case(MANAGED_BY_TAG) {
            return Err(DeployError::input(
                format!("tag {key}: kumo sets this tag itself to mark its stacks"),
                "remove it from --tag / kumo.toml",
            ));
        }
        if let Err(reason) = names::tag_key(key) {
            return Err(DeployError::input(
                format!("tag key {key:?} {reason}"),
                format!("allowed: {}", names::TAG_RULE),
            ));
        }
        if let Err(reason) = names::tag_value(value) {
            return Err(DeployError::input(
                format!("tag {key}: the value {reason}"),
                format!("allowed: {}", names::TAG_RULE),
            ));
        }
        tags.retain(|(k, _)| k != key);
        tags.push((key.clone(), value.clone()));
    }
    tags.push((MANAGED_BY_TAG.to_owned(), MANAGED_BY_VALUE.to_owned()));
    if tags.len() > names::MAX_TAGS {
        return Err(DeployError::input(
            format!(
                "{} stack tags: CloudFormation allows {} (one is kumo's own)",
                tags.len(),
                names::MAX_TAGS
            ),
            "drop some tags",
        ));
    }
    Ok(tags
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect())
}

/// CloudFormation copies the stack's tags onto every resource that supports tags, on top of the
/// resource's own: a resource over 50 then fails 20 minutes into a create. Checked before any AWS call.
pub fn check_propagated_tags(template: &TemplateDoc, stack_tags: &[Tag]) -> Result<(), DeployError> {
    let stack_keys: Vec<&str> = stack_tags.iter().filter_map(Tag::key).collect();
    for (id, own) in template.resource_tag_keys() {
        if let Err(reason) = names::tags_after_propagation(own.iter().map(String::as_str), stack_keys.iter().copied()) {
            return Err(DeployError::input(
                format!("resource {id} in {} {reason}", template.origin()),
                format!(
                    "{} of them are stack tags (kumo.toml [stack] tags, --tag, and kumo's own); drop some, or                      some of the resource's own",
                    stack_keys.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a stack name against CloudFormation's rule, before any AWS call.
pub fn check_stack_name(name: &str) -> Result<(), DeployError> {
    names::stack_name(name).map_err(|reason| {
        DeployError::input(
            format!("invalid stack name {name:?}: it {reason}"),
            format!("allowed: {}", names::STACK_NAME_RULE),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Syntax;

    fn template() -> TemplateDoc {
        let text = r#"{"Parameters": {"Env": {"Type": "String"}, "Size": {"Type": "Number", "Default": 2}},
                       "Resources": {"A": {"Type": "AWS::Logs::LogGroup"}}}"#;
        TemplateDoc::parse(text, "t.json", Syntax::Json).unwrap()
    }

    fn pairs(items: &[&str]) -> Vec<(String, String)> {
        parse_pairs("--parameter", &items.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn pairs_parse_and_reject_malformed_items() {
        assert_eq!(
            pairs(&["A=b=c", "E="]),
            vec![("A".into(), "b=c".into()), ("E".into(), String::new())]
        );
        let error = parse_pairs("--parameter", &["novalue".into()]).unwrap_err();
        assert_eq!(error.to_string(), "--parameter \"novalue\": expected KEY=VALUE");
        assert!(parse_pairs("--tag", &["a=1".into(), "a=2".into()]).is_err());
    }

    #[test]
    fn parameters_resolve_to_values_defaults_or_previous_values() {
        let t = template();
        let resolved = resolve_parameters(&t, &pairs(&["Env=prod"]), None).unwrap();
        assert_eq!(resolved.len(), 1);
        assert_eq!(resolved[0].parameter_value(), Some("prod"));

        let missing = resolve_parameters(&t, &[], None).unwrap_err();
        assert_eq!(missing.hint().unwrap(), "pass --parameter Env=VALUE");

        let unknown = resolve_parameters(&t, &pairs(&["Nope=1"]), None).unwrap_err();
        assert!(unknown.to_string().contains("has no parameter Nope"), "{unknown}");
        assert!(unknown.hint().unwrap().contains("Env, Size"));
    }

    #[test]
    fn tags_get_kumos_mark_and_reject_reserved_keys() {
        let tags = stack_tags(&[("team".into(), "a".into()), ("team".into(), "b".into())]).unwrap();
        let flat: Vec<(&str, &str)> = tags.iter().map(|t| (t.key().unwrap(), t.value().unwrap())).collect();
        assert_eq!(flat, [("team", "b"), ("kumo:managed-by", "kumo")]);
        assert!(stack_tags(&[("aws:x".into(), "1".into())]).is_err());
        // The same rule as kumo.toml's: the prefix is reserved in any letter case.
        assert!(stack_tags(&[("AWS:x".into(), "1".into())]).is_err());
        assert!(stack_tags(&[("Aws:x".into(), "1".into())]).is_err());
        assert!(stack_tags(&[("kumo:managed-by".into(), "x".into())]).is_err());
    }

    #[test]
    fn stack_names_follow_cloudformation_rules() {
        assert!(check_stack_name("My-Stack1").is_ok());
        for bad in ["", "1abc", "a_b", "a b"] {
            assert!(check_stack_name(bad).is_err(), "{bad}");
        }
    }
}
