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
    // What the defaults borrow from the seed project must be set before a deploy (`kumo deploy` refuses
    // until then); the rest is optional.
    let defaults = kumo_blueprint::Config::for_profile(profile);
    outln!("before `kumo deploy`, set in the file what is not yours yet:");
    outln!(
        "  dns.domain                  a domain you own (now {:?}, a reserved example domain)",
        defaults.dns.domain
    );
    outln!(
        "  image_builder.github_owner  your GitHub repository (now the seed author's {}/{}); CodeBuild needs",
        defaults.image_builder.github_owner,
        defaults.image_builder.github_repo
    );
    outln!("  image_builder.github_repo   GitHub credentials or a connection in the account");
    outln!(
        "optional: eks.admin_users / eks.admin_roles, IAM users and roles who also administer the cluster (the \
         identity that deploys does, as its creator)"
    );
    outln!("next: uncomment and edit those lines, then run `{synth}`; `kumo preflight` checks the account");
    Ok(ExitCode::SUCCESS)
}
