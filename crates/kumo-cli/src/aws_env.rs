//! The AWS side of a command: the standard configuration chain (profile, region, credentials,
//! `AWS_ENDPOINT_URL`, `AWS_MAX_ATTEMPTS`) plus kumo's flags, checked before any request is sent, and
//! the engine built from it.
//!
//! Requests use rustls with the `ring` provider (not the SDK's default aws-lc-rs, a slow C build), with
//! connect and per-attempt timeouts so an endpoint that never answers fails after a bounded time.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_http_client::tls;
use kumo_deploy::Interrupt;
use kumo_deploy::staging::Staging;
use kumo_deploy::{Engine, EngineOptions};

use crate::cli::AwsArgs;
use crate::error::{CliError, chain};

/// Longest a credential provider may take (SSO, credential_process and instance metadata can hang).
const CREDENTIALS_LIMIT: Duration = Duration::from_secs(30);

/// Resolved AWS configuration.
pub struct AwsSession {
    pub config: SdkConfig,
    pub region: String,
    /// A custom endpoint (flag or `AWS_ENDPOINT_URL`), if any.
    pub endpoint: Option<String>,
}

/// Checks the flags, loads the configuration chain, and makes sure a region and credentials exist, so
/// that a missing one is reported as such instead of as a failed request.
pub async fn connect(args: &AwsArgs, config_region: Option<&str>) -> Result<AwsSession, CliError> {
    if let Some(url) = &args.endpoint_url {
        check_endpoint(url, "--endpoint-url")?;
    } else if let Ok(url) = std::env::var("AWS_ENDPOINT_URL")
        && !url.is_empty()
    {
        check_endpoint(&url, "AWS_ENDPOINT_URL")?;
    }
    if args.api_timeout == 0 {
        return Err(CliError::new("--api-timeout must be at least 1 second").hint("pass --api-timeout SECONDS"));
    }
    let attempt = Duration::from_secs(args.api_timeout);
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(attempt.min(Duration::from_secs(10)))
        .read_timeout(attempt)
        .operation_attempt_timeout(attempt)
        // Room for the default three attempts plus back-off; the SDK's retry settings still decide.
        .operation_timeout(attempt * 3 + Duration::from_secs(20))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client)
        .timeout_config(timeouts);
    if let Some(profile) = &args.profile {
        loader = loader.profile_name(profile);
    }
    // The flag wins; then the project's configured region; then the chain (AWS_REGION, profile).
    if let Some(region) = args.region.as_deref().or(config_region) {
        loader = loader.region(Region::new(region.to_owned()));
    }
    if let Some(url) = &args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;

    let Some(region) = config.region().map(|r| r.to_string()) else {
        return Err(CliError::new("no AWS region configured").hint(
            "pass --region REGION, set AWS_REGION, set `region` for your profile in ~/.aws/config, or set the \
             region in kumo.toml",
        ));
    };
    check_credentials(&config, args.profile.as_deref()).await?;
    let endpoint = config.endpoint_url().map(str::to_owned);
    Ok(AwsSession {
        config,
        region,
        endpoint,
    })
}

fn check_endpoint(url: &str, origin: &str) -> Result<(), CliError> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    if rest.is_none_or(|host| host.is_empty() || host.starts_with('/')) {
        return Err(
            CliError::new(format!("{origin} {url:?} is not an http:// or https:// URL"))
                .hint("give the endpoint as a URL, e.g. http://127.0.0.1:5000"),
        );
    }
    Ok(())
}

async fn check_credentials(config: &SdkConfig, profile: Option<&str>) -> Result<(), CliError> {
    resolve_credentials(config, profile).await.map(|_| ())
}

/// The chain's credentials, or an error saying how to provide them.
async fn resolve_credentials(
    config: &SdkConfig,
    profile: Option<&str>,
) -> Result<aws_credential_types::Credentials, CliError> {
    let how = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile NAME (or set AWS_PROFILE) for a \
               profile in ~/.aws/credentials or ~/.aws/config, or run `aws sso login` for an SSO profile";
    let Some(provider) = config.credentials_provider() else {
        return Err(CliError::new("no AWS credentials found").hint(how));
    };
    let resolved = tokio::time::timeout(CREDENTIALS_LIMIT, provider.provide_credentials()).await;
    let error = match resolved {
        Ok(Ok(credentials)) => return Ok(credentials),
        Ok(Err(error)) => error,
        Err(_) => {
            return Err(CliError::new(format!(
                "loading AWS credentials took over {} s",
                CREDENTIALS_LIMIT.as_secs()
            ))
            .hint("check your credential_process / SSO setup, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
        }
    };
    let profile_text = profile.map(|p| format!(" (profile {p})")).unwrap_or_default();
    Err(match &error {
        CredentialsError::CredentialsNotLoaded(_) => {
            CliError::new(format!("no AWS credentials found{profile_text}")).hint(how)
        }
        CredentialsError::InvalidConfiguration(_) => CliError::new(format!(
            "the AWS configuration is invalid{profile_text}: {}",
            chain(&error)
        ))
        .hint("check the profile in ~/.aws/config and ~/.aws/credentials"),
        _ => CliError::new(format!("cannot load AWS credentials{profile_text}: {}", chain(&error)))
            .hint("for SSO profiles run `aws sso login`; otherwise check the profile's settings"),
    })
}

/// For `kumo token`, which kubectl runs before every request: only the profile, region and
/// credentials of the standard chain (no endpoint, timeouts or STS call), kept minimal for start-up time.
pub async fn token_credentials(
    profile: Option<&str>,
    region: Option<&str>,
) -> Result<(aws_credential_types::Credentials, String), CliError> {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client);
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_owned()));
    }
    let config = loader.load().await;
    let Some(region) = config.region().map(|r| r.to_string()) else {
        return Err(CliError::new("no AWS region configured for the token")
            .hint("pass --region REGION (the cluster's region), set AWS_REGION, or set `region` for the profile"));
    };
    let credentials = resolve_credentials(&config, profile).await?;
    Ok((credentials, region))
}

/// The engine for this session. S3 uses path-style addressing on a custom endpoint, which is what
/// S3-compatible and local endpoints serve (virtual-host names would need wildcard DNS).
pub fn engine(session: &AwsSession, staging_bucket: Option<String>, interrupt: Interrupt) -> Engine {
    let cfn = aws_sdk_cloudformation::Client::new(&session.config);
    let s3_config = aws_sdk_s3::config::Builder::from(&session.config)
        .force_path_style(session.endpoint.is_some())
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(s3_config);
    let sts = aws_sdk_sts::Client::new(&session.config);
    Engine::new(cfn)
        .with_staging(Staging::new(s3, sts, session.region.clone(), staging_bucket))
        .with_options(EngineOptions::default())
        .with_interrupt(interrupt)
}

/// Turns Ctrl-C into an [`Interrupt`]: the engine stops at its next safe point (never mid-request).
pub fn interrupt_on_ctrl_c() -> Interrupt {
    let interrupt = Interrupt::new();
    let flag = interrupt.clone();
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if flag.is_triggered() {
                eprintln!("(already stopping: waiting for the request in flight to finish)");
            } else {
                eprintln!("\nCtrl-C: stopping at the next safe point; no request is abandoned half-sent");
                flag.trigger();
            }
        }
    });
    interrupt
}

/// The async runtime for one command. Single-threaded: commands do one thing at a time, and progress
/// bars draw from their own thread.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::new(format!("cannot start the async runtime: {e}")))
}
