//! Everything up to (not including) `CreateChangeSet`, shared by `deploy` and `diff`: the deployed
//! template, the security section, parameters and tags, staging and `ValidateTemplate`.

use aws_sdk_cloudformation::types::ChangeSetType;

use crate::api_error::ApiResult;
use crate::changeset::{ChangeSetSpec, TemplateSource, capabilities};
use crate::engine::Engine;
use crate::error::DeployError;
use crate::params;
use crate::security::{SecurityDiff, security_diff};
use crate::stack::StackInfo;
use crate::template::TemplateDoc;
use crate::ui::{Note, Ui};
use kumo_core::validate::limits::MAX_INLINE_TEMPLATE_BYTES;

/// What a deploy or diff wants, independent of how it was asked for.
pub(crate) struct Intent<'a> {
    pub stack_name: &'a str,
    pub template: &'a TemplateDoc,
    pub parameters: &'a [(String, String)],
    pub tags: &'a [(String, String)],
    /// Tags already on a stack being adopted: kept (a change set's tags replace the stack's), so adopting
    /// does not strip the owner's tags.
    pub inherited_tags: Vec<(String, String)>,
}

/// A change set ready to be created, with what the diff needs alongside it.
pub(crate) struct Proposal {
    pub spec: ChangeSetSpec,
    /// The template the stack runs now (updates only).
    pub deployed: Option<TemplateDoc>,
    pub security: SecurityDiff,
}

/// Reads the deployed template, computes the security section, resolves parameters and tags, stages
/// and validates the template: everything up to (not including) `CreateChangeSet`.
pub(crate) async fn propose<U: Ui>(
    engine: &Engine,
    intent: &Intent<'_>,
    existing: Option<&StackInfo>,
    kind: ChangeSetType,
    ui: &mut U,
) -> Result<Proposal, DeployError> {
    let is_update = kind == ChangeSetType::Update;
    let deployed = match (existing, is_update) {
        (Some(stack), true) => engine.deployed_template(stack).await?,
        _ => None,
    };
    let security = security_diff(deployed.as_ref().map(TemplateDoc::value), intent.template.value());
    let parameters = params::resolve_parameters(intent.template, intent.parameters, existing.filter(|_| is_update))?;
    let mut all_tags: Vec<(String, String)> = intent
        .inherited_tags
        .iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .cloned()
        .collect();
    all_tags.extend(intent.tags.iter().cloned());
    let tags = params::stack_tags(&all_tags)?;
    let template = stage_template(engine, intent.stack_name, intent.template, ui).await?;
    validate(engine, &template, intent.template.origin()).await?;
    // Nothing kumo sends differs from what the stack has: an empty change set then means "no changes".
    let unchanged = is_update
        && deployed.as_ref().is_some_and(|d| d.body() == intent.template.body())
        && parameters.iter().all(|p| p.use_previous_value() == Some(true))
        && existing.is_some_and(|s| same_tags(&s.tags, &tags));
    let spec = ChangeSetSpec {
        stack: intent.stack_name.to_owned(),
        kind,
        template,
        parameters,
        tags,
        capabilities: capabilities(intent.template),
        empty_means_no_change: unchanged,
        new_stack: existing.is_none(),
    };
    Ok(Proposal {
        spec,
        deployed,
        security,
    })
}

/// Inline body, or an upload to the staging bucket when over the inline limit.
pub(crate) async fn stage_template<U: Ui>(
    engine: &Engine,
    stack: &str,
    template: &TemplateDoc,
    ui: &mut U,
) -> Result<TemplateSource, DeployError> {
    let body = template.body();
    if body.len() <= MAX_INLINE_TEMPLATE_BYTES {
        return Ok(TemplateSource::Body(body.to_owned()));
    }
    let Some(staging) = &engine.staging else {
        return Err(DeployError::input(
            format!(
                "{} is {} bytes, over the {MAX_INLINE_TEMPLATE_BYTES}-byte inline limit",
                template.origin(),
                body.len()
            ),
            "a staging bucket is needed: pass --staging-bucket NAME or let kumo create one",
        ));
    };
    let staged = staging.stage(stack, body).await?;
    ui.note(Note::TemplateStaged {
        bucket: staged.bucket,
        key: staged.key,
        created_bucket: staged.created_bucket,
    });
    Ok(TemplateSource::Url(staged.url))
}

/// `ValidateTemplate`: CloudFormation's own syntax check, before anything is created.
pub(crate) async fn validate(engine: &Engine, template: &TemplateSource, origin: &str) -> Result<(), DeployError> {
    let call = engine.cfn.validate_template();
    let call = match template {
        TemplateSource::Body(body) => call.template_body(body),
        TemplateSource::Url(url) => call.template_url(url),
    };
    match call.send().await.api("ValidateTemplate") {
        Ok(_) => Ok(()),
        Err(error) if error.code() == Some("ValidationError") => Err(DeployError::input(
            format!(
                "CloudFormation rejected {origin}: {}",
                error.message().unwrap_or_default()
            ),
            "fix the template; nothing was changed",
        )),
        Err(error) => Err(error.into()),
    }
}

fn same_tags(current: &[(String, String)], wanted: &[aws_sdk_cloudformation::types::Tag]) -> bool {
    let mut a: Vec<(&str, &str)> = current.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut b: Vec<(&str, &str)> = wanted
        .iter()
        .map(|t| (t.key().unwrap_or_default(), t.value().unwrap_or_default()))
        .collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}
