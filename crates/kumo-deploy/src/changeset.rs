//! Change sets: create one, wait until CloudFormation has computed it, read all its changes, and clean
//! up. "No changes" has two spellings, both handled: a `FAILED` change set whose reason says it "didn't
//! contain changes" (AWS), and `CreateChangeSet` itself refusing with "No updates are to be performed.".

use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, ExecutionStatus, Parameter, Tag};

use crate::changes::{self, ResourceChange};
use crate::engine::Engine;
use crate::error::{ApiError, ApiResult, DeployError};
use crate::template::TemplateDoc;

/// How the template reaches CloudFormation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateSource {
    /// Inline `TemplateBody` (up to 51,200 bytes).
    Body(String),
    /// `TemplateURL` of an object in the staging bucket.
    Url(String),
}

/// What to put in the change set.
#[derive(Clone, Debug)]
pub struct ChangeSetSpec {
    pub stack: String,
    pub kind: ChangeSetType,
    pub template: TemplateSource,
    pub parameters: Vec<Parameter>,
    pub tags: Vec<Tag>,
    pub capabilities: Vec<Capability>,
    /// An `AVAILABLE` change set with zero resource changes still updates stack-level things (outputs,
    /// tags, parameter values). When the caller knows none of those differ either, it says so here and
    /// such a change set counts as "no changes".
    pub empty_means_no_change: bool,
    /// The stack did not exist before this run: a CREATE change set that is thrown away takes the empty
    /// `REVIEW_IN_PROGRESS` stack it made with it.
    pub new_stack: bool,
}

/// A change set ready to execute.
#[derive(Clone, Debug)]
pub struct ChangeSet {
    pub id: String,
    pub stack_id: String,
    pub kind: ChangeSetType,
    pub changes: Vec<ResourceChange>,
}

#[derive(Debug)]
pub enum Prepared {
    Ready(ChangeSet),
    NoChanges,
}

/// `CREATE`, `UPDATE` or `IMPORT`, for messages.
pub fn kind_label(kind: &ChangeSetType) -> &'static str {
    match kind {
        ChangeSetType::Create => "CREATE",
        ChangeSetType::Import => "IMPORT",
        _ => "UPDATE",
    }
}

/// Reasons CloudFormation gives for a change set (or update) with nothing to do.
fn means_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// The capabilities every kumo deploy acknowledges: IAM resources (named or not) are normal in an
/// environment stack; macros only when the template uses them.
pub fn capabilities(template: &TemplateDoc) -> Vec<Capability> {
    let mut list = vec![Capability::CapabilityIam, Capability::CapabilityNamedIam];
    if template.needs_auto_expand() {
        list.push(Capability::CapabilityAutoExpand);
    }
    list
}

impl Engine {
    /// Creates the change set and waits until it is computed.
    pub(crate) async fn create_change_set(&self, spec: &ChangeSetSpec) -> Result<Prepared, DeployError> {
        let name = self.token("cs");
        let mut request = self
            .cfn
            .create_change_set()
            .stack_name(&spec.stack)
            .change_set_name(&name)
            // A retried request (after a timeout that the first attempt survived) must not make a second set.
            .client_token(&name)
            .change_set_type(spec.kind.clone())
            .set_parameters(Some(spec.parameters.clone()))
            .set_tags(Some(spec.tags.clone()))
            .set_capabilities(Some(spec.capabilities.clone()))
            .description("created by kumo");
        request = match &spec.template {
            TemplateSource::Body(body) => request.template_body(body),
            TemplateSource::Url(url) => request.template_url(url),
        };
        let created = match request.send().await.api("CreateChangeSet") {
            Ok(created) => created,
            Err(error) if error.code() == Some("ValidationError") && error.message().is_some_and(means_no_changes) => {
                return Ok(Prepared::NoChanges);
            }
            Err(error) => {
                if self.interrupt.is_triggered() {
                    // The request may have reached CloudFormation before its answer was lost (a timeout
                    // whose retry the interrupt forbade): remove what it may have made, by name.
                    self.throw_away_by_name(&name, spec).await;
                }
                return Err(error.into());
            }
        };
        let id = created.id().unwrap_or(&name).to_owned();
        let stack_id = created.stack_id().unwrap_or(spec.stack.as_str()).to_owned();
        // From here on the change set exists: every way out but `Ready` deletes it (and the review stack
        // of a new stack), whether CloudFormation failed, a request failed, or the user interrupted.
        match self.wait_for_change_set(spec, &id, &stack_id).await {
            Ok(Some(ready)) => Ok(Prepared::Ready(ready)),
            Ok(None) => Ok(Prepared::NoChanges),
            Err(error) => {
                // Best effort: the original error is what the user needs to see.
                let _ = self.throw_away(&id, &stack_id, spec).await;
                if self.interrupt.is_triggered() {
                    return Err(DeployError::Interrupted(crate::error::Interruption::BeforeChange {
                        stack: spec.stack.clone(),
                    }));
                }
                Err(error)
            }
        }
    }

    /// Waits until the change set is computed and reads all its changes. `None`: it holds no changes
    /// (and was deleted). On an error the caller deletes the change set.
    async fn wait_for_change_set(
        &self,
        spec: &ChangeSetSpec,
        id: &str,
        stack_id: &str,
    ) -> Result<Option<ChangeSet>, DeployError> {
        let interrupted = || {
            DeployError::Interrupted(crate::error::Interruption::BeforeChange {
                stack: spec.stack.clone(),
            })
        };
        let waited_since = self.clock.now();
        let description = loop {
            if self.interrupt.is_triggered() {
                return Err(interrupted());
            }
            let description = self
                .cfn
                .describe_change_set()
                .change_set_name(id)
                .send()
                .await
                .api("DescribeChangeSet")?;
            match description.status() {
                Some(ChangeSetStatus::CreateComplete | ChangeSetStatus::Failed) => break description,
                Some(
                    status @ (ChangeSetStatus::DeleteComplete
                    | ChangeSetStatus::DeleteFailed
                    | ChangeSetStatus::DeleteInProgress
                    | ChangeSetStatus::DeletePending),
                ) => {
                    return Err(DeployError::ChangeSetFailed {
                        stack: spec.stack.clone(),
                        reason: format!("the change set was deleted while being created ({})", status.as_str()),
                    });
                }
                _ => {}
            }
            let waited = self.clock.now().duration_since(waited_since).unwrap_or_default();
            if waited > self.options.change_set_wait_limit {
                return Err(DeployError::ChangeSetFailed {
                    stack: spec.stack.clone(),
                    reason: format!("not ready after {} s; it was deleted", waited.as_secs()),
                });
            }
            tokio::select! {
                biased;
                () = self.interrupt.triggered() => return Err(interrupted()),
                () = self.clock.sleep(self.options.change_set_poll_interval) => {}
            }
        };

        if description.status() == Some(&ChangeSetStatus::Failed) {
            let reason = description.status_reason().unwrap_or("no reason given").to_owned();
            if means_no_changes(&reason) {
                self.throw_away(id, stack_id, spec).await?;
                return Ok(None);
            }
            return Err(DeployError::ChangeSetFailed {
                stack: spec.stack.clone(),
                reason,
            });
        }

        let mut raw = description.changes().to_vec();
        let mut token = description.next_token().map(str::to_owned);
        while let Some(next) = token {
            if self.interrupt.is_triggered() {
                return Err(interrupted());
            }
            let page = self
                .cfn
                .describe_change_set()
                .change_set_name(id)
                .next_token(next)
                .send()
                .await
                .api("DescribeChangeSet")?;
            raw.extend(page.changes().iter().cloned());
            token = page.next_token().map(str::to_owned);
        }
        let changes = changes::from_change_set(&raw);
        if changes.is_empty() && spec.empty_means_no_change {
            self.throw_away(id, stack_id, spec).await?;
            return Ok(None);
        }
        if let Some(status) = description.execution_status()
            && status != &ExecutionStatus::Available
        {
            return Err(DeployError::ChangeSetFailed {
                stack: spec.stack.clone(),
                reason: format!("it cannot be executed (execution status {})", status.as_str()),
            });
        }
        Ok(Some(ChangeSet {
            id: id.to_owned(),
            stack_id: stack_id.to_owned(),
            kind: spec.kind.clone(),
            changes,
        }))
    }

    /// After an interrupted `CreateChangeSet` whose answer never came: delete the change set by name in
    /// case it was made (and the review stack of a new stack). Errors are ignored: there may be nothing.
    async fn throw_away_by_name(&self, name: &str, spec: &ChangeSetSpec) {
        let _cleanup = self.interrupt.cleanup();
        let _ = self
            .cfn
            .delete_change_set()
            .stack_name(&spec.stack)
            .change_set_name(name)
            .send()
            .await;
        if spec.new_stack && spec.kind == ChangeSetType::Create {
            let _ = self
                .cfn
                .delete_stack()
                .stack_name(&spec.stack)
                .client_request_token(self.token("discard"))
                .send()
                .await;
        }
    }

    /// Deletes a change set that will not be executed (and the review stack it made for a new stack).
    async fn throw_away(&self, id: &str, stack_id: &str, spec: &ChangeSetSpec) -> Result<(), ApiError> {
        let change_set = ChangeSet {
            id: id.to_owned(),
            stack_id: stack_id.to_owned(),
            kind: spec.kind.clone(),
            changes: vec![],
        };
        self.discard(&change_set, spec.new_stack).await
    }

    pub(crate) async fn delete_change_set(&self, id: &str) -> Result<(), ApiError> {
        self.cfn
            .delete_change_set()
            .change_set_name(id)
            .send()
            .await
            .api("DeleteChangeSet")?;
        Ok(())
    }

    /// Throws a change set away without executing it. A CREATE change set also made an empty
    /// `REVIEW_IN_PROGRESS` stack; when `remove_review_stack` is set (the stack did not exist before this
    /// run), that stack is deleted too, so nothing is left behind.
    pub(crate) async fn discard(&self, change_set: &ChangeSet, remove_review_stack: bool) -> Result<(), ApiError> {
        // Undoing what this run made is allowed after Ctrl-C (the README promises it).
        let _cleanup = self.interrupt.cleanup();
        self.delete_change_set(&change_set.id).await?;
        if remove_review_stack && change_set.kind == ChangeSetType::Create {
            self.cfn
                .delete_stack()
                .stack_name(&change_set.stack_id)
                .client_request_token(self.token("discard"))
                .send()
                .await
                .api("DeleteStack")?;
        }
        Ok(())
    }
}
