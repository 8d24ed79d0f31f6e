//! `kumo token`: the EKS bearer token as an ExecCredential, for kubectl's exec plugin (what `aws eks
//! get-token` prints). kubectl runs it before every command, so it does only what it must: resolve
//! credentials from the standard chain and sign locally (no network unless the chain itself needs it).

use std::process::ExitCode;
use std::time::SystemTime;

use kumo_kube::token;

use crate::aws_env;
use crate::cli::TokenArgs;
use crate::error::CliError;
use crate::output::outln;

pub fn run(args: &TokenArgs) -> Result<ExitCode, CliError> {
    token::check_cluster_name(&args.cluster_name)
        .map_err(|e| CliError::new(e.to_string()).hint("pass the EKS cluster's name: --cluster-name NAME"))?;
    let (credentials, region) = aws_env::runtime()?.block_on(aws_env::token_credentials(
        args.profile.as_deref(),
        args.region.as_deref(),
    ))?;
    let token = token::token(&args.cluster_name, &region, &credentials, SystemTime::now())
        .map_err(|e| CliError::new(e.to_string()))?;
    outln!("{}", token.exec_credential_json());
    Ok(ExitCode::SUCCESS)
}
