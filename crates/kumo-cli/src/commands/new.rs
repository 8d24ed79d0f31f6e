//! `kumo new NAME`: a ready app crate — Cargo.toml with path dependencies on the kumo checkout this
//! binary was built from (kumo is not published yet), `src/main.rs` with two stacks (one of L1 types, one
//! using a construct and the other's VPC), a test using the assertion API, and `kumo.toml` with `[app]`.
//! The checkout's `Cargo.lock` is copied, so the new crate builds the same dependency versions kumo was
//! tested with. No AWS access.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::NewArgs;
use crate::error::CliError;
use crate::output::outln;
use crate::project::write_atomically;

/// The kumo checkout this binary was built from (crates/kumo-cli/../..).
fn checkout() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| manifest_dir.to_owned(), Path::to_owned)
}

const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("../../templates/new/Cargo.toml.tmpl")),
    ("kumo.toml", include_str!("../../templates/new/kumo.toml.tmpl")),
    (".gitignore", include_str!("../../templates/new/gitignore.tmpl")),
    ("src/main.rs", include_str!("../../templates/new/main.rs.tmpl")),
];

pub fn run(args: &NewArgs) -> Result<ExitCode, CliError> {
    let name = &args.name;
    check_name(name)?;
    let dir = args.path.clone().unwrap_or_else(|| PathBuf::from(name));
    if std::fs::symlink_metadata(&dir).is_ok() {
        return Err(CliError::new(format!("{} already exists", dir.display()))
            .hint("choose another name, or another directory with --path; nothing was written"));
    }
    let kumo = checkout();
    if !kumo.join("crates/kumo-core/Cargo.toml").is_file() {
        return Err(CliError::new(format!(
            "this kumo was built from {}, which is no longer there; the new crate's dependencies point to it",
            kumo.display()
        ))
        .hint("run `kumo new` from a kumo built in its checkout (cargo install --path crates/kumo-cli)"));
    }
    let kumo_text = kumo.display().to_string();
    let stack = stack_base(name);
    std::fs::create_dir_all(dir.join("src")).map_err(|e| {
        CliError::new(format!("cannot create {}: {e}", dir.display()))
            .hint("choose a directory you can write with --path")
    })?;
    for (file, template) in FILES {
        let text = template
            .replace("{{name}}", name)
            .replace("{{stack}}", &stack)
            .replace("{{kumo}}", &kumo_text.replace('\\', "/"));
        write_atomically(&dir.join(file), text.as_bytes())?;
    }
    // The same dependency versions the checkout builds and tests with (cargo drops what is unused).
    if let Ok(lock) = std::fs::read(kumo.join("Cargo.lock")) {
        write_atomically(&dir.join("Cargo.lock"), &lock)?;
    }
    outln!(
        "created {} ({name}: two stacks, a test, kumo.toml with [app])",
        dir.display()
    );
    outln!("next: cd {} && kumo synth", dir.display());
    Ok(ExitCode::SUCCESS)
}

/// A crate name cargo accepts and a stack-name stem CloudFormation accepts.
fn check_name(name: &str) -> Result<(), CliError> {
    let valid = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if valid {
        return Ok(());
    }
    Err(CliError::new(format!("{name:?} is not a name kumo new accepts")).hint(
        "use 1-64 lowercase letters, digits, - and _, starting with a letter (it names the crate and its stacks)",
    ))
}

/// `my_infra` → `MyInfra`: the stacks are `MyInfra-Network` and `MyInfra-Service`.
fn stack_base(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_crate_and_stack_names() {
        assert_eq!(stack_base("demo"), "Demo");
        assert_eq!(stack_base("my-infra_2"), "MyInfra2");
        assert!(check_name("demo").is_ok());
        assert!(check_name("Demo").is_err());
        assert!(check_name("1demo").is_err());
        assert!(check_name("de mo").is_err());
    }
}
