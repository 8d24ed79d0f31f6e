//! The same per-attempt trace line for the AWS SDK clients kumo uses (CloudFormation, S3, STS), as an
//! SDK interceptor: add it with `config::Builder::from(&sdk_config).interceptor(RequestLog)`.

use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};

use crate::client::{TRACE_TARGET, error_code};

/// Traces every attempt of every SDK call: service, operation, HTTP status, duration, request id and
/// attempt number (at `debug`, target `kumo::aws`). It reads no header but the request id and no body.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestLog;

#[derive(Clone, Copy, Debug)]
struct AttemptStarted(Instant);

impl Storable for AttemptStarted {
    type Storer = StoreReplace<Self>;
}

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "kumo::RequestLog"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(AttemptStarted(Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, operation) = cfg
            .load::<Metadata>()
            .map(|m| (m.service().to_owned(), m.name().to_owned()))
            .unwrap_or_default();
        let attempt = cfg
            .load::<RequestAttempts>()
            .map(RequestAttempts::attempts)
            .unwrap_or(1);
        let ms = cfg
            .load::<AttemptStarted>()
            .map(|started| started.0.elapsed().as_millis() as u64)
            .unwrap_or(0);
        let response = context.response();
        let status = response.map(|r| r.status().as_u16()).unwrap_or(0);
        let request_id = response
            .and_then(|r| {
                ["x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id"]
                    .iter()
                    .find_map(|name| r.headers().get(*name))
            })
            .unwrap_or("-");
        match context.output_or_error() {
            Some(Err(error)) => {
                let failure = match response {
                    // The service answered: its error code (only the code) from the body, which the SDK has
                    // read into memory by now.
                    Some(response) => {
                        let headers: Vec<(String, String)> = response
                            .headers()
                            .iter()
                            .filter(|(name, _)| name.eq_ignore_ascii_case("x-amzn-errortype"))
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .collect();
                        let body = response.body().bytes().map(String::from_utf8_lossy).unwrap_or_default();
                        error_code(&headers, &body).unwrap_or_else(|| format!("HTTP {status}"))
                    }
                    None => error.to_string(),
                };
                tracing::debug!(target: TRACE_TARGET, service = %service, operation = %operation, status, ms,
                    request_id = %request_id, attempt, error = %failure, "AWS request failed");
            }
            _ => {
                tracing::debug!(target: TRACE_TARGET, service = %service, operation = %operation, status, ms,
                    request_id = %request_id, attempt, "AWS request");
            }
        }
        Ok(())
    }
}
