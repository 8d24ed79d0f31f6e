//! Runs the user's app: the command from `--app` or `[app] command`, through `sh -c` (so the command is
//! written as in a shell: `cargo run -q -p infra --`, quoting and all; Windows is not a target). It gets
//! the output directory in `KUMO_OUT_DIR` and `--env` in `KUMO_ENV`, and must write the cloud assembly
//! there (`kumo_core::app::App::run` does). Its stderr is shown as it comes, its stdout goes to kumo's
//! stderr (kumo's stdout stays kumo's own), and a failure stops kumo with exit code 2 before anything else.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kumo_core::app::{ENV_ENV, OUT_DIR_ENV};

use crate::error::CliError;
use crate::project;

/// Runs `command` to write its assembly into `out` (created if missing). `manifest.json` left by an
/// earlier run is removed first, so an app that writes nothing is noticed rather than read stale.
pub fn run(command: &str, origin: &str, out: &Path, env: Option<&str>) -> Result<(), CliError> {
    project::prepare_out_dir(out)?;
    let manifest = out.join("manifest.json");
    if manifest.exists() {
        std::fs::remove_file(&manifest).map_err(|e| {
            CliError::new(format!("cannot remove the previous {}: {e}", manifest.display()))
                .hint("check the output directory's permissions")
        })?;
    }
    let out_dir: PathBuf = std::path::absolute(out).unwrap_or_else(|_| out.to_owned());
    let mut child = Command::new("sh");
    child
        .arg("-c")
        .arg(command)
        .env(OUT_DIR_ENV, &out_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()));
    match env {
        Some(env) => child.env(ENV_ENV, env),
        None => child.env_remove(ENV_ENV),
    };
    let status = child.status().map_err(|e| {
        CliError::new(format!("cannot start the app command ({origin}): sh: {e}"))
            .hint("kumo runs the app command with `sh -c`; install a POSIX shell")
    })?;
    if !status.success() {
        let how = match status.code() {
            Some(127) => "exit status 127: command not found".to_owned(),
            Some(code) => format!("exit status {code}"),
            None => "a signal".to_owned(),
        };
        return Err(CliError::new(format!(
            "the app command `{command}` ({origin}) failed ({how}); its errors are above"
        ))
        .hint("fix the app (or the command), then run kumo again; nothing was sent to AWS"));
    }
    if !manifest.exists() {
        return Err(CliError::new(format!(
            "the app command `{command}` ({origin}) succeeded but wrote no {}",
            manifest.display()
        ))
        .hint(format!(
            "an app writes its cloud assembly into ${OUT_DIR_ENV} (kumo_core::app::App::run does); nothing was sent \
             to AWS"
        )));
    }
    Ok(())
}
