//! `kumo outputs`: print the stack's outputs (as text, or `--json` in the outputs-file shape).

use std::process::ExitCode;

use crate::aws_env;
use crate::aws_target;
use crate::cli::OutputsArgs;
use crate::error::CliError;
use crate::output::outln;
use crate::project::ProjectOptions;
use crate::render_error::deploy_error;
use crate::render_report::print_outputs;

pub fn run(config: &ProjectOptions, args: &OutputsArgs) -> Result<ExitCode, CliError> {
    let (stacks, region) = aws_target::stacks_to_read(config, args.stack_name.as_deref(), &args.stacks)?;
    for stack_name in &stacks {
        kumo_deploy::params::check_stack_name(stack_name).map_err(deploy_error)?;
    }
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, region.as_deref()).await?;
        let engine = aws_env::engine(&session, None);
        // One stack: its outputs as before. Several: a heading per stack (text) or an array (JSON).
        let mut all = Vec::new();
        for stack_name in &stacks {
            let stack = aws_target::existing_stack(&engine, stack_name).await?;
            if args.json {
                all.push(kumo_deploy::outputs::outputs_json(&stack.name, &stack.outputs));
            } else {
                if stacks.len() > 1 {
                    outln!("{}:", stack.name);
                }
                print_outputs(&stack.outputs);
            }
        }
        if args.json {
            let json = if all.len() == 1 {
                all.remove(0)
            } else {
                serde_json::Value::Array(all)
            };
            outln!("{}", serde_json::to_string_pretty(&json).unwrap_or_default());
        }
        Ok(ExitCode::SUCCESS)
    })
}
