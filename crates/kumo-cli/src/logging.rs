//! Diagnostics on stderr through `tracing`: nothing by default; `-v` shows each AWS request (kumo's
//! own client and the SDK clients log one line per attempt: service, operation, status, duration,
//! request id, attempt); `-vv` adds endpoints, retry waits and which credential provider the SDK
//! chose. `RUST_LOG` replaces both (standard `tracing` filter syntax).
//!
//! What `-v` and `-vv` enable never logs a header, a body or a credential (a test checks the output of
//! a deploy). The SDK's own runtime logs (`aws_smithy_runtime`) are left out on purpose: at `debug`
//! they print the access key id. `RUST_LOG` can enable them, and other crates' trace output that may
//! include request headers; the README says so.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::output::errln;

/// The filter for each `-v` count.
fn directives(verbose: u8) -> Option<&'static str> {
    match verbose {
        0 => None,
        1 => Some("kumo=debug"),
        _ => Some("kumo=trace,kumo_deploy=debug,aws_config=debug"),
    }
}

pub fn init(verbose: u8) {
    let from_env = std::env::var("RUST_LOG").ok().filter(|v| !v.trim().is_empty());
    let filter = match from_env {
        Some(value) => match EnvFilter::try_new(&value) {
            Ok(filter) => filter,
            Err(error) => {
                errln!("warning: RUST_LOG={value:?} is not a valid filter ({error}); ignoring it");
                match directives(verbose) {
                    Some(directives) => EnvFilter::new(directives),
                    None => return,
                }
            }
        },
        None => match directives(verbose) {
            Some(directives) => EnvFilter::new(directives),
            None => return,
        },
    };
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}
