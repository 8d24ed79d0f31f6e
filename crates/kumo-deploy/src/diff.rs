//! `diff`: what a deploy would do, from a change set that is deleted afterwards (for a new stack, the
//! empty review stack the change set made is deleted too). Read-only in effect.

use aws_sdk_cloudformation::types::ChangeSetType;

use crate::changes;
use crate::changeset::Prepared;
use crate::deploy::{Intent, MAX_TEMPLATE_BYTES, Proposal, blocked_state_error, check_owner, propose};
use crate::engine::Engine;
use crate::error::{DeployError, Interruption};
use crate::events::{self, EventCursor};
use crate::ownership::{Ownership, ownership};
use crate::params;
use crate::security::security_diff;
use crate::stack::StackInfo;
use crate::status::StackState;
use crate::template::TemplateDoc;
use crate::ui::{Note, Plan, Ui};

#[derive(Clone, Debug)]
pub struct DiffRequest {
    pub stack_name: String,
    pub template: TemplateDoc,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffOutcome {
    pub has_changes: bool,
    /// The stack does not exist (or must be re-created): everything would be created.
    pub creates_stack: bool,
    pub resource_changes: usize,
    pub security_changes: usize,
}

pub async fn diff<U: Ui>(engine: &Engine, request: &DiffRequest, ui: &mut U) -> Result<DiffOutcome, DeployError> {
    params::check_stack_name(&request.stack_name)?;
    params::check_parameter_names(&request.template, &request.parameters)?;
    params::stack_tags(&request.tags)?;
    if request.template.body().len() > MAX_TEMPLATE_BYTES {
        return Err(DeployError::input(
            format!(
                "{} is over CloudFormation's {MAX_TEMPLATE_BYTES}-byte limit",
                request.template.origin()
            ),
            "split or shrink the template",
        ));
    }
    let name = request.stack_name.as_str();
    let existing = engine.describe(name).await?;
    let state = existing.as_ref().map_or(StackState::Absent, StackInfo::state);
    if let Some(stack) = existing.as_ref().filter(|_| state != StackState::Absent) {
        // Diffing changes nothing, so a stack kumo does not manage yet may be diffed (e.g. before
        // `--adopt`); one managed by something else may not.
        match ownership(stack) {
            Ownership::Unmanaged => ui.note(Note::NotManagedByKumo { stack: name.to_owned() }),
            _ => check_owner(stack, false, ui, "diff")?,
        }
    }
    let (existing, kind) = match (state, existing) {
        (StackState::Absent, _) => (None, ChangeSetType::Create),
        (StackState::Review, Some(stack)) => (Some(stack), ChangeSetType::Create),
        (StackState::Stable | StackState::FailedNoRollback, Some(stack)) => (Some(stack), ChangeSetType::Update),
        (StackState::RollbackComplete, Some(stack)) => return diff_against_nothing(engine, request, ui, &stack).await,
        (StackState::InProgress, Some(stack)) => {
            return Err(DeployError::refused(
                format!(
                    "{name} is {}: an operation is running; a diff now would be against a moving target",
                    stack.status.as_str()
                ),
                "wait for it to finish (`kumo status`; `kumo deploy` follows it), then diff again",
            ));
        }
        (
            StackState::UpdateRollbackFailed
            | StackState::RollbackFailed
            | StackState::DeleteFailed
            | StackState::ImportRollbackFailed,
            Some(stack),
        ) => return Err(blocked_state_error(engine, &stack, "diffed").await?),
        (_, stack) => {
            return Err(DeployError::refused(
                format!(
                    "{name} is in status {}, which this version of kumo does not know",
                    stack.map(|s| s.status.as_str().to_owned()).unwrap_or_default()
                ),
                "check the stack in the CloudFormation console; update kumo",
            ));
        }
    };
    let intent = Intent {
        stack_name: name,
        template: &request.template,
        parameters: &request.parameters,
        tags: &request.tags,
        inherited_tags: Vec::new(),
    };
    let Proposal {
        spec,
        deployed,
        security,
    } = propose(engine, &intent, existing.as_ref(), kind.clone(), ui).await?;
    ui.note(Note::CreatingChangeSet {
        stack: name.to_owned(),
        kind: crate::changeset::kind_label(&kind),
    });
    let mut change_set = match engine.create_change_set(&spec).await? {
        Prepared::NoChanges => {
            ui.note(Note::NoChanges { stack: name.to_owned() });
            return Ok(DiffOutcome {
                has_changes: false,
                creates_stack: false,
                resource_changes: 0,
                security_changes: 0,
            });
        }
        Prepared::Ready(change_set) => change_set,
    };
    // Delete first, show after: an interrupted or failing render must not leave the change set behind.
    engine.discard(&change_set, spec.new_stack).await?;
    if spec.new_stack {
        ui.note(Note::RemovedReviewStack { stack: name.to_owned() });
    }
    if engine.interrupt.is_triggered() {
        return Err(DeployError::Interrupted(Interruption::BeforeChange {
            stack: name.to_owned(),
        }));
    }
    changes::fill_from_templates(
        &mut change_set.changes,
        deployed.as_ref().map(TemplateDoc::value),
        request.template.value(),
    );
    let creates_stack = kind == ChangeSetType::Create;
    ui.plan(&Plan {
        stack: name,
        creates_stack,
        changes: &change_set.changes,
        security: &security,
        deployed_template: deployed.as_ref().map(TemplateDoc::value),
        template: request.template.value(),
    });
    Ok(DiffOutcome {
        has_changes: true,
        creates_stack,
        resource_changes: change_set.changes.len(),
        security_changes: security.len(),
    })
}

/// ROLLBACK_COMPLETE allows no change set; a deploy deletes and re-creates it, so the diff is "create
/// everything", computed from the template.
async fn diff_against_nothing<U: Ui>(
    engine: &Engine,
    request: &DiffRequest,
    ui: &mut U,
    stack: &StackInfo,
) -> Result<DiffOutcome, DeployError> {
    let (_, history) = EventCursor::from_operation_start(&engine.cfn, &stack.id).await?;
    let cause = events::root_cause(&history).map(|e| {
        format!(
            "{} ({}) {}: {}",
            e.logical_id,
            e.resource_type,
            e.status,
            e.reason.as_deref().unwrap_or("no reason given")
        )
    });
    ui.note(Note::RollbackCompleteFound {
        stack: stack.name.clone(),
        root_cause: cause,
    });
    params::resolve_parameters(&request.template, &request.parameters, None)?;
    let changes = changes::all_added(request.template.value());
    let security = security_diff(None, request.template.value());
    ui.plan(&Plan {
        stack: &stack.name,
        creates_stack: true,
        changes: &changes,
        security: &security,
        // ROLLBACK_COMPLETE: the stack holds nothing, so it costs nothing now.
        deployed_template: None,
        template: request.template.value(),
    });
    Ok(DiffOutcome {
        has_changes: true,
        creates_stack: true,
        resource_changes: changes.len(),
        security_changes: security.len(),
    })
}
