//! The project the CLI works on: the blueprint configured by `kumo.toml` (or its embedded default),
//! synthesized into a template, and written to the output directory with a manifest.

use std::fs;
use std::path::{Path, PathBuf};

use kumo_blueprint::{Config, DeploySettings};
use kumo_core::app::{App, SynthesizedStack};

use crate::cli::TemplateFormat;
use crate::error::CliError;
use crate::output::errln;

/// The conventional config file name, used when `--config` is not given and the file exists.
pub const DEFAULT_CONFIG_FILE: &str = "kumo.toml";

/// What the project is: `--config` and `--env` (global flags).
#[derive(Clone, Debug, Default)]
pub struct ProjectOptions {
    pub config: Option<PathBuf>,
    pub env: Option<String>,
    /// `--app CMD`: the program that writes the cloud assembly (over `[app] command` in kumo.toml).
    pub app: Option<String>,
}

/// What the CLI works on: the built-in blueprint (configured by kumo.toml), or a user's program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Project {
    Blueprint,
    /// A program that writes a cloud assembly; `origin` names where the command came from.
    App {
        command: String,
        origin: String,
    },
}

/// `--app CMD`, else `[app] command` in the configuration file, else the blueprint. A kumo.toml with
/// `[app]` configures the app only: the blueprint's tables there would be ignored, so they are refused.
pub fn project(opts: &ProjectOptions) -> Result<Project, CliError> {
    if let Some(command) = &opts.app {
        if command.trim().is_empty() {
            return Err(CliError::new("--app is empty")
                .hint("give the command that writes your app's assembly, e.g. --app \"cargo run -q --\""));
        }
        return Ok(Project::App {
            command: command.clone(),
            origin: "--app".to_owned(),
        });
    }
    let source = config_source(opts.config.as_deref())?;
    let Some(file) = &source.file else {
        return Ok(Project::Blueprint);
    };
    // A file that does not parse is the blueprint loader's to report (with its line and column).
    let Ok(table) = source.text.parse::<toml::Table>() else {
        return Ok(Project::Blueprint);
    };
    let Some(app) = table.get("app") else {
        return Ok(Project::Blueprint);
    };
    let shown = file.display();
    let hint = "an app's kumo.toml has one table: [app] with command = \"...\" (e.g. \"cargo run -q --\")";
    let Some(app) = app.as_table() else {
        return Err(CliError::new(format!("{shown}: app must be a table ([app])")).hint(hint));
    };
    if let Some(other) = table.keys().find(|k| *k != "app") {
        return Err(CliError::new(format!(
            "{shown}: [app] is set, so the blueprint's key {other:?} has no effect here (the app builds its own stacks)"
        ))
        .hint("remove it, or remove [app] to configure the built-in blueprint"));
    }
    if let Some(unknown) = app.keys().find(|k| *k != "command") {
        return Err(CliError::new(format!("{shown}: [app] has no key {unknown:?}")).hint(hint));
    }
    match app.get("command").and_then(toml::Value::as_str) {
        Some(command) if !command.trim().is_empty() => Ok(Project::App {
            command: command.to_owned(),
            origin: format!("[app] command in {shown}"),
        }),
        Some(_) => Err(CliError::new(format!("{shown}: [app] command is empty")).hint(hint)),
        None => Err(CliError::new(format!("{shown}: [app] needs command, a string")).hint(hint)),
    }
}

/// The blueprint's stacks, synthesized in deploy order, with the configuration's deploy settings.
pub struct SynthesizedApp {
    pub stacks: Vec<SynthesizedStack>,
    /// Region, deploy blockers, ... from the configuration (the main stack's termination protection).
    pub deploy: DeploySettings,
}

/// The configuration's text and where it came from.
pub struct ConfigSource {
    pub text: String,
    /// The name messages use (`kumo.toml`, `built-in default configuration`).
    pub origin: String,
    /// The file read, `None` for the embedded default.
    pub file: Option<PathBuf>,
}

/// Finds the configuration: `--config FILE` if given (it must be readable), else `./kumo.toml` if it
/// exists, else the blueprint's embedded default.
pub fn config_source(explicit: Option<&Path>) -> Result<ConfigSource, CliError> {
    let file = match explicit {
        Some(path) => Some(path.to_owned()),
        // Anything at ./kumo.toml — a directory, a dangling link, an unreadable file — is the user's
        // configuration and must load, or be reported: never silently replaced by the defaults.
        None if fs::symlink_metadata(DEFAULT_CONFIG_FILE).is_ok() => Some(PathBuf::from(DEFAULT_CONFIG_FILE)),
        None => None,
    };
    Ok(match file {
        Some(path) => ConfigSource {
            text: read_config(&path)?,
            origin: path.display().to_string(),
            file: Some(path),
        },
        None => ConfigSource {
            text: kumo_blueprint::DEFAULT_CONFIG_TOML.to_owned(),
            origin: "built-in default configuration".to_owned(),
            file: None,
        },
    })
}

/// Reads the configuration (see [`config_source`]) and applies `--env`. Warnings go to stderr.
pub fn load_config(opts: &ProjectOptions) -> Result<Config, CliError> {
    let config = load_config_from(&config_source(opts.config.as_deref())?)?;
    with_env(config, opts.env.as_deref())
}

/// `--env NAME` over `[stack] env`, checked with the configuration's own rules (the environment's
/// names must fit their resources' limits).
pub fn with_env(mut config: Config, env: Option<&str>) -> Result<Config, CliError> {
    let Some(env) = env else {
        return Ok(config);
    };
    kumo_core::names::environment(env).map_err(|reason| {
        CliError::new(format!("--env {env:?}: {reason}"))
            .hint(format!("allowed: {}", kumo_core::names::ENVIRONMENT_RULE))
    })?;
    config.stack.env = Some(env.to_owned());
    config.validate().map_err(|e| {
        CliError::new(format!("--env {env:?}: {e}")).hint("choose a shorter environment name with --env")
    })?;
    Ok(config)
}

/// Loads and checks a configuration's text. Warnings go to stderr.
pub fn load_config_from(source: &ConfigSource) -> Result<Config, CliError> {
    let loaded = Config::from_toml(&source.text, &source.origin).map_err(|e| {
        CliError::new(e.to_string()).hint("`kumo init` writes a commented kumo.toml with every key and its default")
    })?;
    for warning in &loaded.warnings {
        errln!("warning: {warning}");
    }
    Ok(loaded.config)
}

fn read_config(path: &Path) -> Result<String, CliError> {
    let hint = "pass an existing file with --config, or omit --config to use ./kumo.toml or the built-in defaults";
    let shown = path.display();
    if path.is_dir() {
        return Err(CliError::new(format!("config {shown} is a directory, not a file")).hint(hint));
    }
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) && !path.exists() {
        let target = fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
        return Err(CliError::new(format!("config {shown} is a link to {target}, which does not exist")).hint(hint));
    }
    let bytes = fs::read(path).map_err(|e| CliError::new(format!("cannot read config {shown}: {e}")).hint(hint))?;
    kumo_core::text::decode_utf8(&bytes)
        .map(str::to_owned)
        .map_err(|problem| {
            CliError::new(format!("config {shown} {problem}")).hint("kumo.toml files are UTF-8 (TOML requires it)")
        })
}

/// Loads the configuration and synthesizes the blueprint's main stack (the last of [`synthesize_app`]),
/// with the configuration's deploy settings.
pub fn synthesize(opts: &ProjectOptions) -> Result<(SynthesizedStack, DeploySettings), CliError> {
    let mut app = synthesize_app(opts)?;
    let main = app
        .stacks
        .pop()
        .ok_or_else(|| CliError::new("the project has no stack"))?;
    Ok((main, app.deploy))
}

/// Loads the configuration and synthesizes every stack of the blueprint (an [`App`] like any other), in
/// deploy order (the DNS stack, then the main stack).
pub fn synthesize_app(opts: &ProjectOptions) -> Result<SynthesizedApp, CliError> {
    let config = load_config(opts)?;
    let deploy = config.deploy_settings();
    let mut app: App = kumo_blueprint::build_app(&config);
    for part in &mut app.stacks {
        part.region = deploy.region.clone();
    }
    let stacks = app.synth().map_err(|e| {
        CliError::new(e.to_string()).hint(
            "the configuration passed its checks but the stack it builds does not validate: change the values \
             named above in kumo.toml, and please report it (kumo should have caught it in the configuration)",
        )
    })?;
    let main_protection = stacks.last().is_some_and(|s| s.termination_protection);
    Ok(SynthesizedApp {
        stacks,
        deploy: DeploySettings {
            termination_protection: main_protection,
            ..deploy
        },
    })
}

/// Writes every stack's template and `manifest.json` (the cloud assembly, `kumo_core::app`) into `out`
/// (created if missing; its parent must exist). Returns the templates' paths.
pub fn write_app(stacks: &[SynthesizedStack], out: &Path, format: TemplateFormat) -> Result<Vec<PathBuf>, CliError> {
    prepare_out_dir(out)?;
    let format = match format {
        TemplateFormat::Json => kumo_core::Format::Json,
        TemplateFormat::Yaml => kumo_core::Format::Yaml,
    };
    kumo_core::app::write_assembly(out, stacks, format, &[("schemaDate", kumo_cfn::SCHEMA_DATE.into())]).map_err(|e| {
        CliError::new(e.to_string()).hint("check the directory's permissions and free space, or choose another path")
    })
}

/// Creates `out` if needed. A missing parent is an error rather than a silent `mkdir -p`, so a typo in
/// `--out` does not scatter directories.
pub fn prepare_out_dir(out: &Path) -> Result<(), CliError> {
    if out.is_dir() {
        return check_writable(out);
    }
    if out.exists() {
        return Err(
            CliError::new(format!("--out {}: exists and is not a directory", out.display()))
                .hint("choose a directory path for --out"),
        );
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(CliError::new(format!(
            "--out {}: parent directory {} does not exist",
            out.display(),
            parent.display()
        ))
        .hint("create the parent directory first, or choose another --out"));
    }
    fs::create_dir(out).map_err(|e| {
        CliError::new(format!("--out {}: cannot create directory: {e}", out.display()))
            .hint("choose a directory you can write with --out")
    })?;
    check_writable(out)
}

/// Proves `dir` takes a file, so a deploy does not find out only after the stack changed that its
/// outputs file cannot be written.
fn check_writable(dir: &Path) -> Result<(), CliError> {
    let probe = dir.join(format!(".kumo-write-check-{}", std::process::id()));
    fs::File::create(&probe)
        .and_then(|_| fs::remove_file(&probe))
        .map_err(|e| {
            CliError::new(format!("--out {}: cannot write files there: {e}", dir.display()))
                .hint("choose a writable directory with --out; nothing was sent to AWS")
        })
}

/// Writes through a temporary file and a rename, so an interrupted run never leaves a half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    kumo_core::app::write_atomically(path, bytes).map_err(|e| {
        CliError::new(e.to_string()).hint("check the directory's permissions and free space, or choose another path")
    })
}
