//! `kumo --app "cargo run -q -p blueprint-extended --" synth` (or `[app] command` in kumo.toml): the
//! blueprint configured by `kumo.toml` beside it (`--config`-style: `KUMO_BLUEPRINT_CONFIG`), else its
//! defaults, plus the job queue.

use std::process::ExitCode;

fn main() -> ExitCode {
    let config = match std::env::var_os("KUMO_BLUEPRINT_CONFIG") {
        Some(path) => {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(error) => {
                    eprintln!("error: cannot read {}: {error}", path.to_string_lossy());
                    return ExitCode::from(2);
                }
            };
            match kumo_blueprint::Config::from_toml(&text, &path.to_string_lossy()) {
                Ok(loaded) => loaded.config,
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::from(2);
                }
            }
        }
        None => kumo_blueprint::Config::default(),
    };
    let config = match kumo_core::app::environment() {
        Some(env) => {
            let mut config = config;
            config.stack.env = Some(env);
            config
        }
        None => config,
    };
    blueprint_extended::app(&config).run()
}
