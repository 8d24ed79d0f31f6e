//! `kumo bundle`: install or upgrade the in-cluster bundle on a stack that is already up (`kumo deploy`
//! does the same after the stack is complete).

use std::path::Path;
use std::process::ExitCode;

use crate::aws_env;
use crate::aws_target;
use crate::cli::BundleArgs;
use crate::error::CliError;
use crate::kube_side;
use crate::render_error::deploy_error;

pub fn run(config: Option<&Path>, args: &BundleArgs) -> Result<ExitCode, CliError> {
    let (stack_name, settings) = aws_target::stack_only(config, args.stack_name.as_deref())?;
    kumo_deploy::params::check_stack_name(&stack_name).map_err(deploy_error)?;
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, settings.region.as_deref()).await?;
        let engine = aws_env::engine(&session, None);
        let stack = aws_target::existing_stack(&engine, &stack_name).await?;
        if stack.state() != kumo_deploy::stack_state::StackState::Stable {
            return Err(CliError::new(format!(
                "{stack_name} is {}: the in-cluster bundle is applied to a stack whose last operation succeeded",
                stack.status.as_str()
            ))
            .hint("`kumo status` shows what happened; `kumo deploy` completes the stack and applies the bundle"));
        }
        // A first Ctrl-C / SIGTERM stops the apply between requests (nothing is half-sent); `kumo bundle`
        // finishes it later.
        let _graceful = crate::signals::graceful();
        match kube_side::apply_bundle(&session, &stack, false).await? {
            Some(_) => Ok(ExitCode::SUCCESS),
            None => Err(CliError::new(format!(
                "{stack_name} has no EKS cluster (no ClusterEndpoint output): there is nothing to install"
            ))),
        }
    })
}
