//! `kumo status`: status, last events, drift status and the next step; then, for a stack with a cluster
//! kumo can reach, the cluster side (controller, webhook certificate, external-dns).

use std::process::ExitCode;

use crate::aws_env;
use crate::aws_target;
use crate::cli::StatusArgs;
use crate::error::CliError;
use crate::output::outln;
use crate::project::ProjectOptions;
use crate::render_error::deploy_error;
use crate::render_report::print_status;

pub fn run(config: &ProjectOptions, args: &StatusArgs) -> Result<ExitCode, CliError> {
    let (stacks, region) = aws_target::stacks_to_read(config, args.stack_name.as_deref(), &args.stacks)?;
    for stack_name in &stacks {
        kumo_deploy::params::check_stack_name(stack_name).map_err(deploy_error)?;
    }
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, region.as_deref()).await?;
        let engine = aws_env::engine(&session, None);
        for (i, stack_name) in stacks.iter().enumerate() {
            if i > 0 {
                outln!();
            }
            status_one(&session, &engine, stack_name, args).await?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

async fn status_one(
    session: &aws_env::AwsSession,
    engine: &kumo_deploy::Engine,
    stack_name: &str,
    args: &StatusArgs,
) -> Result<(), CliError> {
    {
        match kumo_deploy::status_report::status(engine, stack_name, usize::from(args.events))
            .await
            .map_err(deploy_error)?
        {
            Some(report) => {
                print_status(&report, &session.region);
                let client = aws_env::aws_client(session)?;
                crate::commands::ttl::print_status(session, &client, &report.stack.name).await;
                if report.stack.state() == kumo_deploy::stack_state::StackState::Stable {
                    crate::kube_side::print_cluster_status(session, &report.stack).await;
                }
                crate::teardown::print_outside(&client, stack_name, &session.region).await;
            }
            None => outln!("{stack_name}: does not exist (region {})", session.region),
        }
        Ok(())
    }
}
