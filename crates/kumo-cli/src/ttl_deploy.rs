//! `kumo deploy --ttl`: the reaper (`kumo_teardown::reaper`) added to the main stack's template before
//! anything is sent, and the expiry it starts with.

use std::time::{SystemTime, UNIX_EPOCH};

use kumo_deploy::TemplateDoc;
use kumo_teardown::machine::MachineOptions;
use kumo_teardown::reaper;

use crate::app_target::StackTarget;
use crate::error::CliError;
use crate::output::outln;
use crate::render_error::deploy_error;

/// Adds the reaper to `stack`'s template; returns the expiry (`KumoExpiry`'s value).
pub fn attach(stack: &mut StackTarget, ttl: &str, delete_volumes: bool) -> Result<String, CliError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default();
    let expiry =
        reaper::parse_ttl(ttl, now).map_err(|e| CliError::new(format!("--ttl: {e}")).hint("kumo deploy --ttl 8h"))?;
    let mut template = stack.template.value().clone();
    let options = MachineOptions {
        delete_volumes,
        ..MachineOptions::default()
    };
    reaper::attach(&mut template, &options).map_err(|e| {
        CliError::new(format!("--ttl: cannot add the reaper to {}: {e}", stack.stack_name))
            .hint("deploy without --ttl, or rename the template's conflicting entry")
    })?;
    let body = serde_json::to_string(&template)
        .map_err(|e| CliError::new(format!("--ttl: cannot write the template: {e}")))?;
    stack.template =
        TemplateDoc::from_minified_json(body, &format!("{} (with the time-to-live reaper)", stack.stack_name))
            .map_err(|e| deploy_error(e.into()))?;
    outln!(
        "{}: time-to-live {ttl}: removes itself at {expiry} (kumo ttl extend / kumo ttl off change it)",
        stack.stack_name
    );
    Ok(expiry)
}
