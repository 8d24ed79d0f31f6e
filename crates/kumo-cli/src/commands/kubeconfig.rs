//! `kumo kubeconfig`: adds or updates the stack's cluster in a kubeconfig file, with a user that runs
//! `kumo token` (see `kumo_kube::kubeconfig` for which file, what is kept, and when it refuses).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kumo_kube::kubeconfig::{self, Change, Entry, KubeconfigError, KubeconfigFiles, SetCurrent};

use crate::aws_env;
use crate::aws_target;
use crate::cli::KubeconfigArgs;
use crate::error::CliError;
use crate::kube_side;
use crate::output::outln;
use crate::render_error::deploy_error;

pub fn run(config: Option<&Path>, args: &KubeconfigArgs) -> Result<ExitCode, CliError> {
    let (stack_name, settings) = aws_target::stack_only(config, args.stack_name.as_deref())?;
    kumo_deploy::params::check_stack_name(&stack_name).map_err(deploy_error)?;
    if let Some(alias) = &args.alias
        && alias.trim().is_empty()
    {
        return Err(CliError::new("--alias is empty").hint("name the context: --alias NAME"));
    }
    let files = KubeconfigFiles::locate(
        args.kubeconfig.as_deref(),
        std::env::var_os("KUBECONFIG"),
        std::env::var_os("HOME").map(PathBuf::from),
    )
    .map_err(|e| CliError::new(e.to_string()).hint("pass --kubeconfig PATH"))?;
    aws_env::runtime()?.block_on(async {
        let session = aws_env::connect(&args.aws, settings.region.as_deref()).await?;
        let engine = aws_env::engine(&session, None);
        let stack = aws_target::existing_stack(&engine, &stack_name).await?;
        let Some(cluster) = kube_side::stack_cluster(&stack, &session.region)? else {
            return Err(CliError::new(format!(
                "{stack_name} has no EKS cluster (no ClusterEndpoint output)"
            )));
        };
        let mut token_args = vec![
            "token".to_owned(),
            "--cluster-name".to_owned(),
            cluster.access.cluster_name.clone(),
            "--region".to_owned(),
            session.region.clone(),
        ];
        if let Some(profile) = &args.aws.profile {
            token_args.extend(["--profile".to_owned(), profile.clone()]);
        }
        let entry = Entry {
            name: cluster.arn.clone(),
            context: args.alias.clone().unwrap_or_else(|| cluster.arn.clone()),
            server: cluster.access.endpoint.clone(),
            certificate_authority_data: cluster.access.certificate_authority_data.clone(),
            command: exec_command(),
            args: token_args,
        };
        let set_current = if args.set_current {
            SetCurrent::Always
        } else {
            SetCurrent::IfUnset
        };
        let report = kubeconfig::update(&files, &entry, set_current, args.force).map_err(|e| {
            let hint = match &e {
                KubeconfigError::Conflict { .. } => {
                    "pass --alias NAME for another context name, or --force to replace the entry"
                }
                KubeconfigError::Parse { .. } => "fix the file, or pass --kubeconfig PATH for another one",
                _ => "pass --kubeconfig PATH to write another file",
            };
            CliError::new(e.to_string()).hint(hint)
        })?;
        let verb = |change: Change| match change {
            Change::Added => "added",
            Change::Updated => "updated",
            Change::Unchanged => "unchanged",
        };
        outln!(
            "{}: cluster {}, user {}, context {} ({})",
            report.path.display(),
            verb(report.cluster),
            verb(report.user),
            verb(report.context),
            entry.context
        );
        if !report.written {
            outln!("nothing to write: the file is up to date");
        }
        match report.current_context.as_deref() {
            Some(current) if current == entry.context => outln!("current context: {current}"),
            Some(current) => outln!(
                "current context stays {current}; switch with `kubectl config use-context {}` (or pass --set-current)",
                entry.context
            ),
            None => {}
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The command the kubeconfig runs: `kumo` when that name on PATH is this very executable, else this
/// executable's absolute path (e.g. `target/release/kumo` before installing).
fn exec_command() -> String {
    let Ok(current) = std::env::current_exe().and_then(|p| p.canonicalize()) else {
        return "kumo".to_owned();
    };
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("kumo"))
            .find(|candidate| candidate.is_file())
            .and_then(|candidate| candidate.canonicalize().ok())
    });
    if on_path.as_deref() == Some(current.as_path()) {
        "kumo".to_owned()
    } else {
        current.to_string_lossy().into_owned()
    }
}
