//! `destroy`: confirm, delete, follow the events, and report what stays behind (retained resources,
//! final snapshots) or what blocked deletion.

use std::collections::BTreeMap;

use crate::api_error::ApiResult;
use crate::engine::{Engine, WatchTarget};
use crate::error::{DeployError, Interruption};
use crate::events::EventCursor;
use crate::guards::{ask, check_owner};
use crate::params;
use crate::resume::resume;
use crate::stack::StackInfo;
use crate::stack_state::{Operation, Outcome, StackState, StackStatus};
use crate::ui::{Question, Ui};

#[derive(Clone, Debug, Default)]
pub struct DestroyRequest {
    pub stack_name: String,
    pub assume_yes: bool,
    /// Allow deleting a stack kumo did not create.
    pub adopt: bool,
    /// `--retain LogicalId`: keep these resources (only for a stack in `DELETE_FAILED`, as CloudFormation
    /// allows it only then).
    pub retain: Vec<String>,
    /// `--plan`: show what would be deleted (the stack and what it left outside it), change nothing.
    pub plan_only: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DestroyOutcome {
    /// There was no such stack and nothing outside it; nothing to do.
    NotFound,
    /// `--plan`: shown, nothing changed. `exists`: whether the stack does.
    Planned {
        exists: bool,
    },
    /// The stack was already gone; what it had left outside was removed.
    OutsideOnly,
    Deleted {
        retained: Vec<Retained>,
    },
}

/// A resource that outlives the stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retained {
    pub logical_id: String,
    pub resource_type: String,
    pub physical_id: Option<String>,
    pub why: String,
}

/// What belongs to a stack outside CloudFormation (the controllers' load balancers, groups, records,
/// volumes): found and shown before the question, removed after it and before `DeleteStack`. The
/// engine only decides *when*; the CLI implements it (kumo-teardown, kumo-kube).
pub trait Outside {
    /// Finds and shows what belongs to the stack outside it: `stack` and its resource count, or `None`
    /// when the stack does not exist. Returns how many things it found.
    fn survey(&mut self, stack: Option<(&StackInfo, usize)>) -> impl Future<Output = Result<usize, DeployError>>;

    /// Removes what [`Outside::survey`] found, and what only shows once a cluster is emptied (after the
    /// confirmation, before `DeleteStack`; called even when the survey found nothing).
    fn clear(&mut self) -> impl Future<Output = Result<(), DeployError>>;
}

/// Nothing outside the stack: `destroy` is `DeleteStack` alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct StackOnly;

impl Outside for StackOnly {
    async fn survey(&mut self, _stack: Option<(&StackInfo, usize)>) -> Result<usize, DeployError> {
        Ok(0)
    }

    async fn clear(&mut self) -> Result<(), DeployError> {
        Ok(())
    }
}

/// The stack alone (see [`destroy_with`]).
pub async fn destroy<U: Ui>(
    engine: &Engine,
    request: &DestroyRequest,
    ui: &mut U,
) -> Result<DestroyOutcome, DeployError> {
    destroy_with(engine, request, ui, &mut StackOnly).await
}

/// Deletes the stack and, first, what it left outside CloudFormation (`outside`).
pub async fn destroy_with<U: Ui, O: Outside>(
    engine: &Engine,
    request: &DestroyRequest,
    ui: &mut U,
    outside: &mut O,
) -> Result<DestroyOutcome, DeployError> {
    let name = request.stack_name.as_str();
    params::check_stack_name(name)?;
    let Some(stack) = engine.describe(name).await? else {
        return outside_only(engine, request, ui, outside).await;
    };
    let state = stack.state();
    // Every state has its own arm (no wildcard): a new `StackState` does not compile until it is decided
    // here. A delete works from every settled state, even one kumo does not know.
    let running = match state {
        StackState::Absent => return Ok(DestroyOutcome::NotFound),
        StackState::InProgress => true,
        StackState::Review
        | StackState::Stable
        | StackState::FailedNoRollback
        | StackState::RollbackComplete
        | StackState::RollbackFailed
        | StackState::DeleteFailed
        | StackState::UpdateRollbackFailed
        | StackState::ImportRollbackFailed
        | StackState::Unrecognized => false,
    };
    check_owner(&stack, request.adopt, ui, "delete")?;
    // `--plan` changes nothing, so a protected stack can still be looked at.
    if stack.termination_protection && !request.plan_only {
        return Err(DeployError::refused(
            format!("{name} has termination protection enabled; kumo will not delete it"),
            format!(
                "if it really should go, turn the protection off first: `aws cloudformation \
                 update-termination-protection --no-enable-termination-protection --stack-name {name}`, then run \
                 `kumo destroy` again"
            ),
        ));
    }
    if running {
        if request.plan_only {
            outside
                .survey(Some((&stack, list_resources(engine, &stack).await?.len())))
                .await?;
            return Ok(DestroyOutcome::Planned { exists: true });
        }
        if stack.status != StackStatus::DeleteInProgress {
            return Err(DeployError::refused(
                format!(
                    "{name} is {}: an operation is running; kumo will not start a delete on top of it",
                    stack.status.as_str()
                ),
                "wait for it to finish (`kumo status` shows it; `kumo deploy` follows it), then destroy again",
            ));
        }
        // A delete is already running (an interrupted destroy): follow it, do not start another.
        resume(engine, ui, &stack, "destroy", None).await?;
        return Ok(DestroyOutcome::Deleted { retained: Vec::new() });
    }
    if !request.retain.is_empty() && state != StackState::DeleteFailed {
        return Err(DeployError::input(
            format!(
                "--retain only works on a stack in DELETE_FAILED; {name} is {}",
                stack.status.as_str()
            ),
            "to keep a resource on a normal delete, give it DeletionPolicy: Retain in the template and deploy first",
        ));
    }

    let resources = list_resources(engine, &stack).await?;
    for id in &request.retain {
        if !resources.contains_key(id) {
            let known: Vec<&str> = resources.keys().map(String::as_str).collect();
            return Err(DeployError::input(
                format!("--retain {id}: {name} has no resource {id}"),
                format!("its resources are: {}", known.join(", ")),
            ));
        }
    }
    let policies = deletion_policies(engine, &stack).await?;

    let found = outside.survey(Some((&stack, resources.len()))).await?;
    if request.plan_only {
        return Ok(DestroyOutcome::Planned { exists: true });
    }
    let why = match found {
        0 => format!("deleting {name} removes its {} resource(s)", resources.len()),
        found => format!(
            "deleting {name} removes its {} resource(s) and {found} resource(s) outside it",
            resources.len()
        ),
    };
    confirm(engine, request, ui, &why).await?;

    // Also with nothing found: the cluster may still hold what makes load balancers.
    outside.clear().await?;
    if engine.interrupt.is_triggered() {
        return Err(DeployError::Interrupted(Interruption::Outside {
            stack: name.to_owned(),
        }));
    }

    let cursor = EventCursor::after_latest(&engine.cfn, &stack.id).await?;
    engine
        .cfn
        .delete_stack()
        .stack_name(&stack.id)
        .set_retain_resources((!request.retain.is_empty()).then(|| request.retain.clone()))
        .client_request_token(engine.token("delete"))
        .send()
        .await
        .api("DeleteStack")?;
    let target = WatchTarget {
        stack_id: stack.id.clone(),
        stack_name: name.to_owned(),
        operation: Operation::Delete,
        cursor,
        history: Vec::new(),
        expected: resources.len(),
        deadline: None,
        command: "destroy",
    };
    let watched = engine.watch(ui, target).await?;
    if watched.outcome == Outcome::Failed {
        return Err(DeployError::Failed(Box::new(
            engine.failure_report(name, "delete", &watched).await,
        )));
    }

    let mut retained = Vec::new();
    for (id, (resource_type, physical_id)) in &resources {
        let skipped = watched
            .events
            .iter()
            .any(|e| &e.logical_id == id && e.status == "DELETE_SKIPPED");
        let why = if request.retain.contains(id) {
            Some("kept on request (--retain)".to_owned())
        } else if skipped
            || matches!(
                policies.get(id).map(String::as_str),
                Some("Retain" | "RetainExceptOnCreate")
            )
        {
            Some(format!(
                "DeletionPolicy: {}",
                policies.get(id).map(String::as_str).unwrap_or("Retain")
            ))
        } else if policies.get(id).map(String::as_str) == Some("Snapshot") {
            Some("deleted after a final snapshot (DeletionPolicy: Snapshot); the snapshot is kept".to_owned())
        } else {
            None
        };
        if let Some(why) = why {
            retained.push(Retained {
                logical_id: id.clone(),
                resource_type: resource_type.clone(),
                physical_id: physical_id.clone(),
                why,
            });
        }
    }
    Ok(DestroyOutcome::Deleted { retained })
}

/// The stack is gone (or never was), but resources tagged for it may remain: an earlier destroy
/// stopped between the sweep and the end, or the stack was deleted by other means.
async fn outside_only<U: Ui, O: Outside>(
    engine: &Engine,
    request: &DestroyRequest,
    ui: &mut U,
    outside: &mut O,
) -> Result<DestroyOutcome, DeployError> {
    let name = request.stack_name.as_str();
    let found = outside.survey(None).await?;
    if request.plan_only {
        return Ok(DestroyOutcome::Planned { exists: false });
    }
    if found == 0 {
        return Ok(DestroyOutcome::NotFound);
    }
    let why = format!("{name} no longer exists, but {found} resource(s) tagged for it do");
    confirm(engine, request, ui, &why).await?;
    outside.clear().await?;
    Ok(DestroyOutcome::OutsideOnly)
}

/// The typed stack name (or `--yes`); then nothing may start after a Ctrl-C.
async fn confirm<U: Ui>(engine: &Engine, request: &DestroyRequest, ui: &mut U, why: &str) -> Result<(), DeployError> {
    let name = request.stack_name.as_str();
    if !ask(
        ui,
        request.assume_yes,
        Question::Destroy { stack: name.to_owned() },
        why,
    )
    .await?
    {
        return Err(DeployError::refused(
            "destroy not confirmed; nothing was deleted",
            "run it again when you are sure",
        ));
    }
    if engine.interrupt.is_triggered() {
        return Err(DeployError::Interrupted(Interruption::BeforeChange {
            stack: name.to_owned(),
        }));
    }
    Ok(())
}

/// Logical id → (type, physical id) of the stack's resources that still exist.
async fn list_resources(
    engine: &Engine,
    stack: &StackInfo,
) -> Result<BTreeMap<String, (String, Option<String>)>, DeployError> {
    let mut resources = BTreeMap::new();
    let mut token = None;
    loop {
        let page = engine
            .cfn
            .list_stack_resources()
            .stack_name(&stack.id)
            .set_next_token(token)
            .send()
            .await
            .api("ListStackResources")?;
        for summary in page.stack_resource_summaries() {
            let id = summary.logical_resource_id().unwrap_or_default();
            let deleted = summary
                .resource_status()
                .is_some_and(|s| s.as_str() == "DELETE_COMPLETE");
            if id.is_empty() || deleted {
                continue;
            }
            resources.insert(
                id.to_owned(),
                (
                    summary.resource_type().unwrap_or_default().to_owned(),
                    summary
                        .physical_resource_id()
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned),
                ),
            );
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(resources);
        }
    }
}

/// Logical id → `DeletionPolicy` from the deployed template (resources without one are left out).
async fn deletion_policies(engine: &Engine, stack: &StackInfo) -> Result<BTreeMap<String, String>, DeployError> {
    let Some(template) = engine.deployed_template(stack).await? else {
        return Ok(BTreeMap::new());
    };
    Ok(template
        .resources()
        .iter()
        .filter_map(|(id, resource)| {
            resource
                .get("DeletionPolicy")
                .and_then(|p| p.as_str())
                .map(|policy| (id.clone(), policy.to_owned()))
        })
        .collect())
}
