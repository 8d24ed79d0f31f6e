//! A local CloudFormation endpoint for tests: the pinned `moto_server` (see
//! `scripts/requirements-test.txt`) on 127.0.0.1, on a free port.
//!
//! * [`MotoServer::start`] spawns a private server; [`MotoServer::shared`] returns one server per test
//!   binary, and [`MotoServer::exclusive`] serializes the tests that use it and resets its state, so
//!   tests stay isolated without paying moto's start-up and warm-up (about 3 s) each time.
//! * The server is stopped when the [`MotoServer`] is dropped *and* when the test process exits for any
//!   reason: moto runs under a tiny `sh` wrapper that waits on a pipe from this process and kills moto
//!   when the pipe closes. A `static` is never dropped, so this is what keeps the shared server from
//!   outliving the test binary.
//! * A missing `moto_server` is an error that says to run `./scripts/test`: deploy tests must fail,
//!   never silently skip, when the local endpoint is not installed.

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The region every moto-backed test uses (moto accepts any; this one matches the reference notes).
pub const REGION: &str = "ap-northeast-1";
/// The account moto reports for any credentials.
pub const ACCOUNT: &str = "123456789012";

/// Environment variable naming the `moto_server` executable (set by `scripts/test`).
pub const SERVER_ENV: &str = "KUMO_MOTO_SERVER";

/// How long to wait for `GET /moto-api/` to answer after spawning (measured: 0.7 s; CI machines are
/// slower, and the first Python import of a fresh venv compiles bytecode).
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// A running `moto_server`.
pub struct MotoServer {
    wrapper: Child,
    /// Held open for the server's lifetime; closing it tells the wrapper to stop moto.
    lifeline: Option<ChildStdin>,
    moto_pid: u32,
    port: u16,
    log: PathBuf,
    /// Private servers delete their log when dropped; the shared one keeps it (it is never dropped).
    remove_log_on_drop: bool,
}

/// Why the server could not be started or reset.
#[derive(Debug)]
pub enum MotoError {
    /// No `moto_server` executable where we looked.
    Missing { looked_at: PathBuf },
    /// Spawning, talking to or waiting for the server failed.
    Io { what: String, source: std::io::Error },
    /// The server exited or did not answer in time; `log` has its output.
    NotReady { detail: String, log: PathBuf },
}

impl fmt::Display for MotoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MotoError::Missing { looked_at } => write!(
                f,
                "moto_server not found at {}: run ./scripts/test (it installs the pinned moto[server] into \
                 ./.venv), or point {SERVER_ENV} at a moto_server executable",
                looked_at.display()
            ),
            MotoError::Io { what, source } => write!(f, "{what}: {source}"),
            MotoError::NotReady { detail, log } => {
                write!(
                    f,
                    "moto_server did not become ready: {detail} (server log: {})",
                    log.display()
                )
            }
        }
    }
}

impl std::error::Error for MotoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MotoError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

static SHARED: OnceLock<MotoServer> = OnceLock::new();
static EXCLUSIVE: Mutex<()> = Mutex::new(());

/// Exclusive use of the shared server; its state was reset when this was handed out.
pub struct MotoGuard {
    server: &'static MotoServer,
    _lock: MutexGuard<'static, ()>,
}

impl std::ops::Deref for MotoGuard {
    type Target = MotoServer;
    fn deref(&self) -> &MotoServer {
        self.server
    }
}

impl MotoServer {
    /// The `moto_server` executable: `$KUMO_MOTO_SERVER`, else `<workspace>/.venv/bin/moto_server`.
    pub fn executable() -> PathBuf {
        match std::env::var_os(SERVER_ENV) {
            Some(path) if !path.is_empty() => PathBuf::from(path),
            _ => workspace_root().join(".venv/bin/moto_server"),
        }
    }

    /// Spawns a private server on a free port and waits until it answers.
    pub fn start() -> Result<MotoServer, MotoError> {
        Self::start_logging(None)
    }

    /// `log`: where the server's output goes; `None` for a temporary file deleted on drop.
    fn start_logging(log: Option<PathBuf>) -> Result<MotoServer, MotoError> {
        let executable = Self::executable();
        if !executable.is_file() {
            return Err(MotoError::Missing { looked_at: executable });
        }
        // A port found free can be taken before moto binds it; a second port almost never is.
        let mut last_error = None;
        for _ in 0..3 {
            match Self::spawn(&executable, log.clone()) {
                Ok(server) => return Ok(server),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.expect("at least one attempt"))
    }

    /// One server per test binary, started on first use. Panics (failing the test) with the reason if it
    /// cannot start, e.g. when moto is not installed.
    pub fn shared() -> &'static MotoServer {
        if let Some(server) = SHARED.get() {
            return server;
        }
        // Two tests may race here; the loser's server is dropped (and stopped) immediately.
        // One log per test binary, overwritten by the next run, so failures can be diagnosed without
        // temporary files piling up.
        let binary = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "tests".to_owned());
        let log = std::env::temp_dir().join(format!("kumo-moto-{binary}.log"));
        let server = MotoServer::start_logging(Some(log)).unwrap_or_else(|e| panic!("{e}"));
        let _ = SHARED.set(server);
        SHARED.get().expect("just set")
    }

    /// The shared server, reset, for the calling test alone until the guard is dropped.
    pub fn exclusive() -> MotoGuard {
        let server = Self::shared();
        // A test that panicked while holding the lock leaves nothing behind that a reset does not clear.
        let lock = EXCLUSIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        server.reset().unwrap_or_else(|e| panic!("{e}"));
        MotoGuard { server, _lock: lock }
    }

    fn spawn(executable: &Path, log: Option<PathBuf>) -> Result<MotoServer, MotoError> {
        let port = free_port()?;
        let remove_log_on_drop = log.is_none();
        let log =
            log.unwrap_or_else(|| std::env::temp_dir().join(format!("kumo-moto-{}-{port}.log", std::process::id())));
        let log_file = std::fs::File::create(&log).map_err(|source| MotoError::Io {
            what: format!("cannot create {}", log.display()),
            source,
        })?;
        let log_err = log_file.try_clone().map_err(|source| MotoError::Io {
            what: "cannot duplicate the log handle".into(),
            source,
        })?;
        // The wrapper prints moto's pid, then blocks reading stdin. Stdin reaches EOF when this process
        // closes it (drop) or exits (any way at all), and the wrapper then stops moto.
        let script = r#""$0" -H 127.0.0.1 -p "$1" >&2 & pid=$!; echo "$pid"; cat >/dev/null; kill "$pid" 2>/dev/null; wait "$pid""#;
        let mut wrapper = Command::new("sh")
            // moto's Step Functions executes `aws-sdk` tasks against itself at this port (once
            // `enable_state_machine_execution` is called).
            .env("MOTO_PORT", port.to_string())
            .arg("-c")
            .arg(script)
            .arg(executable)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_err))
            .spawn()
            .map_err(|source| MotoError::Io {
                what: "cannot spawn sh for moto_server".into(),
                source,
            })?;
        drop(log_file);
        let lifeline = wrapper.stdin.take();
        let mut pid_line = String::new();
        let stdout = wrapper.stdout.take().expect("stdout is piped");
        BufReader::new(stdout)
            .read_line(&mut pid_line)
            .map_err(|source| MotoError::Io {
                what: "cannot read moto_server's pid".into(),
                source,
            })?;
        let moto_pid = pid_line.trim().parse().map_err(|_| MotoError::NotReady {
            detail: format!("wrapper printed {pid_line:?}"),
            log: log.clone(),
        })?;
        let mut server = MotoServer {
            wrapper,
            lifeline,
            moto_pid,
            port,
            log,
            remove_log_on_drop,
        };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> Result<(), MotoError> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.wrapper.try_wait() {
                return Err(MotoError::NotReady {
                    detail: format!("it exited ({status})"),
                    log: self.log.clone(),
                });
            }
            if let Ok((200, _)) = http(self.port, "GET", "/moto-api/", Duration::from_secs(2)) {
                return Ok(());
            }
            if started.elapsed() > STARTUP_LIMIT {
                return Err(MotoError::NotReady {
                    detail: format!("no answer on port {} within {STARTUP_LIMIT:?}", self.port),
                    log: self.log.clone(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's combined output, for diagnosing a failed test.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// `on`: Step Functions runs started executions, `aws-sdk` tasks included, against this server
    /// (`POST /moto-api/config`); moto only records them otherwise. Call it after `exclusive()`, and
    /// note that moto keeps the executing machines in a store of their own: machines made before (by
    /// CloudFormation too) are not listed while it is on.
    pub fn set_state_machine_execution(&self, on: bool) -> Result<(), MotoError> {
        let body = format!(r#"{{"stepfunctions": {{"execute_state_machine": {on}}}}}"#);
        match http_with_body(self.port, "POST", "/moto-api/config", &body, Duration::from_secs(10)) {
            Ok((200 | 201, _)) => Ok(()),
            Ok((status, body)) => Err(MotoError::NotReady {
                detail: format!("config answered HTTP {status}: {body}"),
                log: self.log.clone(),
            }),
            Err(source) => Err(MotoError::Io {
                what: "POST /moto-api/config".into(),
                source,
            }),
        }
    }

    /// Clears every service's state (`POST /moto-api/reset`).
    pub fn reset(&self) -> Result<(), MotoError> {
        match http(self.port, "POST", "/moto-api/reset", Duration::from_secs(30)) {
            Ok((200, _)) => Ok(()),
            Ok((status, body)) => Err(MotoError::NotReady {
                detail: format!("reset answered HTTP {status}: {body}"),
                log: self.log.clone(),
            }),
            Err(source) => Err(MotoError::Io {
                what: "POST /moto-api/reset".into(),
                source,
            }),
        }
    }

    /// An SDK configuration for this server: endpoint, region [`REGION`], static dummy credentials, and a
    /// single attempt per request. moto answers many unsupported cases with HTTP 500, and a retried
    /// non-idempotent call then reports a misleading second error (see the moto reference notes).
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        use aws_config::{BehaviorVersion, Region, retry::RetryConfig};
        use aws_smithy_http_client::tls;
        let http_client = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build_https();
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(self.endpoint())
            .region(Region::new(REGION))
            .credentials_provider(aws_credential_types::Credentials::new(
                "testing",
                "testing",
                None,
                None,
                "kumo-testkit",
            ))
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .http_client(http_client)
            .load()
            .await
    }

    /// Asks a service itself (not CloudFormation) what exists: calls `operation` (boto3's snake_case
    /// name, e.g. `describe_vpcs`) of `service` (e.g. `ec2`) with `params` through boto3, the AWS SDK
    /// for Python that the pinned moto installs into the same venv, and returns the response as JSON.
    ///
    /// Why boto3 and not the Rust SDK: `aws-sdk-ec2` alone takes 17 minutes of the 2-core CI machine to
    /// compile in debug, more than the whole test run may take. The Rust SDK is what kumo itself uses
    /// (CloudFormation, S3, STS); these checks only need an independent client of the service APIs.
    pub fn service_call(&self, service: &str, operation: &str, params: serde_json::Value) -> serde_json::Value {
        const SCRIPT: &str = "import boto3, json, sys\n\
service, operation, endpoint, region, params = sys.argv[1:6]\n\
client = boto3.client(service, endpoint_url=endpoint, region_name=region,\n\
    aws_access_key_id='testing', aws_secret_access_key='testing')\n\
response = getattr(client, operation)(**json.loads(params))\n\
response.pop('ResponseMetadata', None)\n\
json.dump(response, sys.stdout, default=str)\n";
        let python = Self::executable().with_file_name("python");
        let output = Command::new(&python)
            .args([
                "-c",
                SCRIPT,
                service,
                operation,
                &self.endpoint(),
                REGION,
                &params.to_string(),
            ])
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/nonexistent/kumo-test/config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kumo-test/credentials")
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e} (run the tests with ./scripts/test)", python.display()));
        assert!(
            output.status.success(),
            "{service}.{operation}({params}) failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{service}.{operation}: response is not JSON ({e})"))
    }

    /// Environment for a child process (the `kumo` binary) that should talk to this server: endpoint,
    /// region, dummy credentials, one attempt, no shared config files or instance metadata lookups.
    pub fn child_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint()),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            ("AWS_MAX_ATTEMPTS", "1".to_owned()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
            ("AWS_CONFIG_FILE", "/nonexistent/kumo-test/config".to_owned()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/kumo-test/credentials".to_owned(),
            ),
        ]
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        drop(self.lifeline.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut stopped = false;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.wrapper.try_wait() {
                stopped = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        if !stopped {
            // The wrapper did not finish: stop both processes the hard way.
            let _ = Command::new("kill").arg("-9").arg(self.moto_pid.to_string()).status();
            let _ = self.wrapper.kill();
            let _ = self.wrapper.wait();
        }
        if self.remove_log_on_drop {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// The workspace root: this crate lives in `<root>/crates/kumo-testkit`.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> Result<u16, MotoError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|source| MotoError::Io {
        what: "cannot bind a free port".into(),
        source,
    })?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|source| MotoError::Io {
            what: "cannot read the bound port".into(),
            source,
        })
}

/// A minimal HTTP/1.1 request (moto's control API needs nothing more); returns status and body.
fn http(port: u16, method: &str, path: &str, timeout: Duration) -> std::io::Result<(u16, String)> {
    http_with_body(port, method, path, "", timeout)
}

fn http_with_body(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    timeout: Duration,
) -> std::io::Result<(u16, String)> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&address, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {response:.80}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_server_is_an_error_that_says_what_to_run() {
        let error = MotoError::Missing {
            looked_at: PathBuf::from("/nowhere/moto_server"),
        };
        let text = error.to_string();
        assert!(text.contains("./scripts/test"), "{text}");
        assert!(text.contains("/nowhere/moto_server"), "{text}");
    }

    #[test]
    fn server_starts_answers_resets_and_stops() {
        let server = MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
        let log = server.log_path().to_owned();
        let port = server.port();
        assert_eq!(http(port, "GET", "/moto-api/", Duration::from_secs(5)).unwrap().0, 200);
        server.reset().unwrap();
        drop(server);
        // After drop nothing listens on the port any more.
        let refused = TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_secs(1));
        assert!(refused.is_err(), "moto still answers on {port} after drop");
        assert!(!log.exists(), "a private server's log is removed with it");
    }
}
