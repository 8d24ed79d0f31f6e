//! `kumo outputs`: print the stack's outputs (as text, or `--json` in the outputs-file shape).

use std::path::Path;
use std::process::ExitCode;

use crate::aws_env;
use crate::aws_target;
use crate::cli::OutputsArgs;
use crate::error::CliError;
use crate::output::outln;
use crate::render_error::deploy_error;
use crate::render_report::print_outputs;

pub fn run(config: Option<&Path>, args: &OutputsArgs) -> Result<ExitCode, CliError> {
    let (stack_name, settings) = aws_target::stack_only(config, args.stack_name.as_deref())?;
    kumo_deploy::params::check_stack_name(&stack_name).map_err(deploy_error)?;
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, settings.region.as_deref()).await?;
        let engine = aws_env::engine(&session, None);
        let stack = aws_target::existing_stack(&engine, &stack_name).await?;
        if args.json {
            let json = kumo_deploy::outputs::outputs_json(&stack.name, &stack.outputs);
            outln!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
        } else {
            print_outputs(&stack.outputs);
        }
        Ok(ExitCode::SUCCESS)
    })
}
