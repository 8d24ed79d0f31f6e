//! Configuration (placeholder until the config module lands).

pub const DEFAULT_CONFIG_TOML: &str = include_str!("../kumo.default.toml");

#[derive(Clone, Debug)]
pub struct Config {
    pub stack_name: String,
}

pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<String>,
}

/// Stack-level settings the deploy engine needs from the configuration.
#[derive(Clone, Debug, Default)]
pub struct DeploySettings {
    /// Region from kumo.toml; `None` = the AWS configuration chain decides.
    pub region: Option<String>,
    /// Enable termination protection on the stack.
    pub termination_protection: bool,
    /// Stack-level tags (CloudFormation propagates them to supported resources).
    pub tags: Vec<(String, String)>,
    /// Reasons `kumo deploy` must refuse before any AWS call (e.g. the domain is still under
    /// example.com). Empty when deploying is fine. `synth` and `diff` ignore them.
    pub deploy_blockers: Vec<String>,
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Config {
    pub fn from_toml(_text: &str, _origin: &str) -> Result<Loaded, ConfigError> {
        Ok(Loaded { config: Config { stack_name: "MyEKSStack".into() }, warnings: vec![] })
    }
    pub fn deploy_settings(&self) -> DeploySettings {
        DeploySettings::default()
    }
}
