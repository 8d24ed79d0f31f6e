//! `kumo init`: write a commented `kumo.toml` to start from. No AWS access.
//!
//! The file is the blueprint's documented default with every setting commented out (see
//! [`kumo_blueprint::init_template`]), so it loads to exactly the built-in configuration of the chosen
//! profile, and switching profiles stays a one-line edit.

use std::path::Path;
use std::process::ExitCode;

use kumo_blueprint::{Profile, init_template};

use crate::cli::{InitArgs, InitProfile};
use crate::error::CliError;
use crate::output::outln;
use crate::project::{self, DEFAULT_CONFIG_FILE};

pub fn run(config: Option<&Path>, args: &InitArgs) -> Result<ExitCode, CliError> {
    if let Some(config) = config {
        return Err(CliError::new(format!(
            "kumo init writes a new file and reads none: --config {} does not apply",
            config.display()
        ))
        .hint("choose where to write with --path FILE"));
    }
    let path = args.path.as_path();
    if path.is_dir() {
        return Err(
            CliError::new(format!("cannot write {}: it is a directory", path.display())).hint(format!(
                "pass a file path, such as --path {}",
                path.join(DEFAULT_CONFIG_FILE).display()
            )),
        );
    }
    let existed = path.exists();
    if existed && !args.force {
        return Err(
            CliError::new(format!("{} already exists; not overwriting it", path.display()))
                .hint("pass --force to replace it (its content is lost), or --path to write another file"),
        );
    }
    // A missing directory is an error rather than a silent `mkdir -p`: a typo in --path should not
    // scatter directories.
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(CliError::new(format!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            parent.display()
        ))
        .hint("create the directory first, or choose another --path"));
    }

    let profile = match args.profile {
        InitProfile::Standard => Profile::Standard,
        InitProfile::Cheap => Profile::Cheap,
    };
    project::write_atomically(path, init_template(profile).as_bytes())?;

    let replaced = if existed { ", replacing the previous file" } else { "" };
    outln!(
        "wrote {} ({profile} profile, every setting commented out at its current value{replaced})",
        path.display()
    );
    let synth = if path == Path::new(DEFAULT_CONFIG_FILE) {
        "kumo synth".to_owned()
    } else {
        format!("kumo synth --config {}", path.display())
    };
    outln!(
        "next: uncomment and edit what you want to change (set dns.domain to a domain you own before \
         `kumo deploy`), then run `{synth}`"
    );
    Ok(ExitCode::SUCCESS)
}
