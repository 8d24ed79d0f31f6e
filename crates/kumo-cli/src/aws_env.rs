//! The AWS side of a command: the standard configuration chain (profile, region, credentials,
//! `AWS_ENDPOINT_URL`, `AWS_MAX_ATTEMPTS`) plus kumo's flags, checked before any request is sent, and
//! the engine built from it.
//!
//! Requests use rustls with the `ring` provider (not the SDK's default aws-lc-rs, a slow C build), with
//! connect and per-attempt timeouts so an endpoint that never answers fails after a bounded time.
//!
//! kumo reads the settings the SDK would otherwise panic on or silently ignore itself: the shared config
//! files (a malformed one is an error naming the file and line; a `--profile` / `AWS_PROFILE` that is not
//! defined is an error naming it) and the retry settings (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`, or the
//! profile's `max_attempts` / `retry_mode`), which the SDK turns into a panic when malformed.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::{RetryConfig, RetryMode};
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_runtime::env_config::file::EnvConfigFiles as ProfileFiles;
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_types::os_shim_internal::{Env, Fs};
use kumo_aws::sdk_log::RequestLog;
use kumo_deploy::Interrupt;
use kumo_deploy::api_error::ApiResult;
use kumo_deploy::staging::Staging;
use kumo_deploy::{Engine, EngineOptions};

use crate::cli::AwsArgs;
use crate::error::{CliError, chain};
use crate::output::errln;
use crate::signals;

/// Longest a credential provider may take (SSO, credential_process and instance metadata can hang).
const CREDENTIALS_LIMIT: Duration = Duration::from_secs(30);
/// Attempts of one request, counting the first: `AWS_MAX_ATTEMPTS` / `max_attempts` must be in here.
pub const MAX_ATTEMPTS_RANGE: std::ops::RangeInclusive<u32> = 1..=20;
/// The SDK's standard retry strategy waits at most this long between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// Resolved AWS configuration.
pub struct AwsSession {
    pub config: SdkConfig,
    pub region: String,
    /// A custom endpoint (flag or `AWS_ENDPOINT_URL`), if any.
    pub endpoint: Option<String>,
    /// The profile in use, when one was named (`--profile` or `AWS_PROFILE`).
    pub profile: Option<String>,
    /// Attempts per request (retry settings), and the limit of each.
    pub max_attempts: u32,
    pub attempt_limit: Duration,
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
    if let Some(region) = &args.region {
        check_region(region, "--region")?;
    }
    let named_profile = args
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let profiles = load_profiles(named_profile.as_deref(), args.profile.is_some()).await?;
    let retry = retry_settings(&profiles)?;

    let attempt = Duration::from_secs(args.api_timeout);
    signals::set_attempt_limit(args.api_timeout);
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(attempt.min(Duration::from_secs(10)))
        .read_timeout(attempt)
        .operation_attempt_timeout(attempt)
        // Every attempt plus the back-off between them: the documented bound of one request.
        .operation_timeout(request_bound(attempt, retry.max_attempts()))
        .build();
    let region_override = args
        .region
        .as_deref()
        .or(config_region)
        .map(|r| Region::new(r.to_owned()));
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client.clone())
        .timeout_config(timeouts.clone())
        .retry_config(retry.clone());
    if let Some(profile) = &args.profile {
        // An explicit --profile wins over credentials in the environment, as with the AWS CLI (the
        // SDK's default chain would take AWS_ACCESS_KEY_ID first). The provider gets the same HTTP
        // client and limits (SSO and assumed roles make requests of their own).
        let provider_config = ProviderConfig::default()
            .with_http_client(http_client)
            .with_retry_config(retry.clone())
            .with_timeout_config(timeouts)
            .with_region(region_override.clone());
        loader = loader.profile_name(profile).credentials_provider(
            ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_name(profile)
                .build(),
        );
    }
    // The flag wins; then the project's configured region; then the chain (AWS_REGION, profile).
    if let Some(region) = region_override {
        loader = loader.region(region);
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
    if args.region.is_none() && config_region.is_none() {
        check_region(&region, "the region from AWS_REGION / the profile,")?;
    }
    check_credentials(&config, args.profile.as_deref()).await?;
    let endpoint = config.endpoint_url().map(str::to_owned);
    Ok(AwsSession {
        config,
        region,
        endpoint,
        profile: named_profile,
        max_attempts: retry.max_attempts(),
        attempt_limit: attempt,
    })
}

/// The longest one request can take: every attempt at its limit plus the longest back-off between them.
pub fn request_bound(attempt: Duration, max_attempts: u32) -> Duration {
    attempt
        .saturating_mul(max_attempts)
        .saturating_add(MAX_BACKOFF.saturating_mul(max_attempts.saturating_sub(1)))
}

fn check_region(region: &str, origin: &str) -> Result<(), CliError> {
    kumo_core::names::region(region).map_err(|reason| {
        CliError::new(format!("{origin} {region:?} {reason}")).hint(format!("use {}", kumo_core::names::REGION_RULE))
    })
}

/// Reads `~/.aws/config` and `~/.aws/credentials` (or `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`)
/// the way the SDK does, to report what the SDK would not: a malformed file, an unknown profile.
async fn load_profiles(named: Option<&str>, from_flag: bool) -> Result<aws_config::profile::ProfileSet, CliError> {
    let selected = named.map(|p| Cow::Owned(p.to_owned()));
    let profiles = aws_config::profile::load(&Fs::real(), &Env::real(), &ProfileFiles::default(), selected)
        .await
        .map_err(|error| {
            // The parser's message spans lines ("on line 3:\n  Profile definition must end with ']'").
            let text = chain(&error).split_whitespace().collect::<Vec<_>>().join(" ");
            CliError::new(format!("the AWS configuration files cannot be used: {text}")).hint(
                "fix the line it names (the files are ~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE \
                 and AWS_SHARED_CREDENTIALS_FILE)",
            )
        })?;
    if let Some(name) = named
        && profiles.get_profile(name).is_none()
    {
        let origin = if from_flag { "--profile" } else { "AWS_PROFILE" };
        let mut known: Vec<&str> = profiles.profiles().collect();
        known.sort_unstable();
        let known = if known.is_empty() {
            "no profile is defined".to_owned()
        } else {
            format!("defined: {}", known.join(", "))
        };
        return Err(CliError::new(format!(
            "{origin} {name}: no such profile in ~/.aws/config or ~/.aws/credentials ({known})"
        ))
        .hint("check the spelling, or create it with `aws configure --profile NAME`"));
    }
    Ok(profiles)
}

/// The retry settings, from `AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE`, else the profile's `max_attempts` /
/// `retry_mode`, else standard with 3 attempts. Checked here because the SDK panics on bad values.
fn retry_settings(profiles: &aws_config::profile::ProfileSet) -> Result<RetryConfig, CliError> {
    let setting = |env: &str, key: &str| -> Option<(String, String)> {
        match std::env::var(env) {
            Ok(value) => Some((value, env.to_owned())),
            Err(_) => {
                let name = profiles.selected_profile();
                let value = profiles.get_profile(name)?.get(key)?;
                Some((value.to_owned(), format!("{key} of profile {name}")))
            }
        }
    };
    let mut retry = RetryConfig::standard();
    if let Some((value, origin)) = setting("AWS_MAX_ATTEMPTS", "max_attempts") {
        let attempts = value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| MAX_ATTEMPTS_RANGE.contains(n))
            .ok_or_else(|| {
                CliError::new(format!(
                    "{origin} = {value:?}: expected a whole number of attempts from {} to {}",
                    MAX_ATTEMPTS_RANGE.start(),
                    MAX_ATTEMPTS_RANGE.end()
                ))
                .hint(format!(
                    "set {origin} to e.g. 3 (the first attempt counts), or unset it"
                ))
            })?;
        retry = retry.with_max_attempts(attempts);
    }
    if let Some((value, origin)) = setting("AWS_RETRY_MODE", "retry_mode") {
        let mode = value.parse::<RetryMode>().map_err(|_| {
            CliError::new(format!("{origin} = {value:?}: expected \"standard\" or \"adaptive\""))
                .hint(format!("set {origin} to standard, or unset it"))
        })?;
        retry = retry.with_retry_mode(mode);
    }
    Ok(retry)
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
/// S3-compatible and local endpoints serve (virtual-host names would need wildcard DNS). Every client
/// carries the [`RunControl`] interceptor, and [`RequestLog`] so that `-v` traces its requests like kumo's
/// own client's.
pub fn engine(session: &AwsSession, staging_bucket: Option<String>) -> Engine {
    let cfn = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::config::Builder::from(&session.config)
            .interceptor(RunControl::new(session))
            .interceptor(RequestLog)
            .build(),
    );
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&session.config)
            .force_path_style(session.endpoint.is_some())
            .interceptor(RunControl::new(session))
            .interceptor(RequestLog)
            .build(),
    );
    Engine::new(cfn)
        .with_staging(Staging::new(s3, sts(session), session.region.clone(), staging_bucket))
        .with_options(EngineOptions::default())
        .with_interrupt(signals::interrupt())
}

fn sts(session: &AwsSession) -> aws_sdk_sts::Client {
    aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&session.config)
            .interceptor(RunControl::new(session))
            .interceptor(RequestLog)
            .build(),
    )
}

/// Prints, before a command changes anything, whom it acts as and where: the account id, the identity
/// (ARN) and the region, from `sts:GetCallerIdentity` — so credentials left in the environment cannot
/// silently send a deploy to another account.
pub async fn announce_identity(
    session: &AwsSession,
    command: &str,
    stack: &str,
) -> Result<kumo_preflight::CallerIdentity, CliError> {
    let identity = sts(session)
        .get_caller_identity()
        .send()
        .await
        .api("GetCallerIdentity")
        .map_err(|error| {
            let cli = CliError::new(format!(
                "cannot tell which AWS account the credentials belong to: {}",
                chain(&error)
            ));
            match error.hint() {
                Some(hint) => cli.hint(hint),
                None => cli,
            }
        })?;
    let mut via = Vec::new();
    if let Some(profile) = &session.profile {
        via.push(format!("profile {profile}"));
    }
    if let Some(endpoint) = &session.endpoint {
        via.push(format!("endpoint {endpoint}"));
    }
    let via = if via.is_empty() {
        String::new()
    } else {
        format!(" ({})", via.join(", "))
    };
    errln!(
        "kumo {command} {stack}: account {}, identity {}, region {}{via}",
        identity.account().unwrap_or("(unknown)"),
        identity.arn().unwrap_or("(unknown)"),
        session.region
    );
    // The preflight checks with the same answer: one STS call, one identity line.
    Ok(kumo_preflight::CallerIdentity {
        account: identity.account().unwrap_or_default().to_owned(),
        arn: identity.arn().unwrap_or_default().to_owned(),
    })
}

/// kumo's own client (EC2, IAM, RDS, Service Quotas, EKS, CodeBuild, CodeConnections, CloudFormation
/// reads) with the session's region, credentials, endpoint, retries and timeouts. Like the SDK clients
/// under [`RunControl`], it starts no attempt once the run is stopping, announces its retries on stderr,
/// and reports each attempt to [`signals`].
pub fn aws_client(session: &AwsSession) -> Result<kumo_aws::Client, CliError> {
    let checked = signals::interrupt();
    let waited = signals::interrupt();
    let stop = kumo_aws::Stop::new(
        move || !checked.allows_new_request(),
        move || {
            let interrupt = waited.clone();
            Box::pin(async move { interrupt.triggered().await })
        },
    );
    kumo_aws::Client::builder(&session.config)
        .stop(stop)
        .observer(Arc::new(RunObserver {
            max_attempts: session.max_attempts,
        }))
        .build()
        .map_err(|e| CliError::new(format!("cannot set up the AWS client: {e}")))
}

/// [`RunControl`]'s reporting for kumo's own client.
struct RunObserver {
    max_attempts: u32,
}

impl kumo_aws::Observer for RunObserver {
    fn attempt_started(&self, service: &str, operation: &str, _attempt: u32) {
        signals::request_started(format!("{service} {operation}"));
    }

    fn attempt_finished(&self, _service: &str, operation: &str, succeeded: bool) {
        signals::request_finished(operation, succeeded);
    }

    fn retrying(&self, error: &kumo_aws::AwsError, next_attempt: u32) {
        let reason = match &error.kind {
            kumo_aws::ErrorKind::Timeout => "the endpoint sent no answer in time".to_owned(),
            kumo_aws::ErrorKind::Connect { .. } => "the connection failed".to_owned(),
            _ => match (error.code(), error.status()) {
                (Some(code), _) => code.to_owned(),
                (None, Some(status)) => format!("HTTP {status}"),
                (None, None) => error.to_string(),
            },
        };
        errln!(
            "retrying {} (attempt {next_attempt} of {}): {reason}",
            error.operation,
            self.max_attempts
        );
    }
}

/// The interceptor on every AWS client of a run:
///
/// * after Ctrl-C / SIGTERM (or a failed stdout) no attempt starts — first attempts and retries alike —
///   except the cleanup the engine marks ([`Interrupt::cleanup`]);
/// * a retry is announced on stderr with the reason, so an endpoint that accepts and never answers is
///   visibly being retried rather than silently hanging;
/// * the request in flight and what succeeded are reported to [`signals`], for the second Ctrl-C.
#[derive(Debug)]
pub struct RunControl {
    interrupt: Interrupt,
    max_attempts: u32,
    attempt_limit: Duration,
}

impl RunControl {
    pub fn new(session: &AwsSession) -> Self {
        RunControl {
            interrupt: signals::interrupt(),
            max_attempts: session.max_attempts,
            attempt_limit: session.attempt_limit,
        }
    }
}

/// The service and operation of the request being run.
fn operation(cfg: &ConfigBag) -> (String, String) {
    match cfg.load::<Metadata>() {
        Some(metadata) => (metadata.service().to_owned(), metadata.name().to_owned()),
        None => ("AWS".to_owned(), "request".to_owned()),
    }
}

impl Intercept for RunControl {
    fn name(&self) -> &'static str {
        "kumo::RunControl"
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, name) = operation(cfg);
        if !self.interrupt.allows_new_request() {
            return Err(format!("{name} not sent: kumo is stopping").into());
        }
        let attempt = cfg.load::<RequestAttempts>().map_or(1, RequestAttempts::attempts);
        if attempt > 1 {
            let previous = cfg
                .load::<PreviousFailure>()
                .map_or_else(|| "the previous attempt failed".to_owned(), |p| p.0.clone());
            errln!(
                "retrying {name} (attempt {attempt} of {}): {previous}",
                self.max_attempts
            );
        }
        signals::request_started(format!("{service} {name}"));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (_, name) = operation(cfg);
        let failure = match context.output_or_error() {
            Some(Ok(_)) | None => None,
            // The attempt timeout and the HTTP client's read timeout are both `--api-timeout`: whichever
            // fires first, it is the same silent endpoint.
            Some(Err(error))
                if error.is_timeout_error() || error.as_connector_error().is_some_and(|c| c.is_timeout()) =>
            {
                Some(format!(
                    "the endpoint accepted the request but sent no answer within {} s",
                    self.attempt_limit.as_secs()
                ))
            }
            Some(Err(error)) if error.is_connector_error() => Some("the connection failed".to_owned()),
            Some(Err(error)) => match context.response().map(|r| r.status().as_u16()) {
                Some(status) => Some(format!("HTTP {status}")),
                None => Some(error.to_string()),
            },
        };
        signals::request_finished(&name, failure.is_none());
        if let Some(failure) = failure {
            cfg.interceptor_state().store_put(PreviousFailure(failure));
        }
        Ok(())
    }
}

/// Why the previous attempt of the current request failed, for the retry line.
#[derive(Clone, Debug)]
struct PreviousFailure(String);

impl aws_smithy_types::config_bag::Storable for PreviousFailure {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

/// The async runtime for one command. Single-threaded: commands do one thing at a time, and progress
/// bars draw from their own thread.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::new(format!("cannot start the async runtime: {e}")).hint(
                "the system refused a thread or an event queue (limits such as ulimit -u / -n); free some and retry",
            )
        })
}
