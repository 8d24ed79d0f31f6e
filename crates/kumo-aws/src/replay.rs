//! A [`Transport`] that answers from recorded AWS responses, for tests of the client and of the code
//! built on it (the request is signed and encoded exactly as for the wire; only the network is
//! replaced). Answers are keyed by operation, because concurrent callers send in no fixed order.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::transport::{HttpRequest, HttpResponse, SendFuture, Transport, TransportError};

/// One recorded answer.
#[derive(Clone, Debug)]
pub enum Answer {
    Http(HttpResponse),
    /// The attempt times out.
    Timeout,
    /// The connection is refused.
    Refused,
}

impl Answer {
    /// An XML answer (query protocols, restXml) with a request id header.
    pub fn xml(status: u16, request_id: &str, body: &str) -> Answer {
        Answer::Http(HttpResponse {
            status,
            headers: vec![
                ("content-type".into(), "text/xml".into()),
                ("x-amzn-requestid".into(), request_id.into()),
            ],
            body: body.as_bytes().to_vec(),
        })
    }

    /// A JSON answer (awsJson, restJson); `error_type` fills `x-amzn-errortype` for errors.
    pub fn json(status: u16, request_id: &str, error_type: Option<&str>, body: &str) -> Answer {
        let mut headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("x-amzn-requestid".to_owned(), request_id.to_owned()),
        ];
        if let Some(error_type) = error_type {
            headers.push(("x-amzn-errortype".to_owned(), error_type.to_owned()));
        }
        Answer::Http(HttpResponse {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        })
    }

    /// What a local emulator sends for an operation it does not implement.
    pub fn html(status: u16, title: &str) -> Answer {
        Answer::Http(HttpResponse {
            status,
            headers: vec![("content-type".into(), "text/html".into())],
            body: format!("<!doctype html>\n<html lang=en>\n<title>{title}</title>\n<h1>{title}</h1>").into_bytes(),
        })
    }
}

/// Recorded answers per operation, consumed in order; every request is kept for assertions.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    inner: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    /// Per operation: answers with an optional text the request body must contain.
    answers: HashMap<String, VecDeque<(Option<String>, Answer)>>,
    requests: Vec<(String, HttpRequest)>,
}

impl Replay {
    pub fn new() -> Replay {
        Replay::default()
    }

    /// Queues an answer for `operation`: the query `Action`, the awsJson operation name (after the
    /// target prefix), or `"<METHOD> <path>"` for REST calls (the path without its query string).
    pub fn on(self, operation: &str, answer: Answer) -> Replay {
        self.push(operation, None, answer)
    }

    /// Queues an answer for the requests of `operation` whose body contains `needle` (e.g. one quota
    /// code among several `GetServiceQuota` calls made concurrently).
    pub fn on_matching(self, operation: &str, needle: &str, answer: Answer) -> Replay {
        self.push(operation, Some(needle.to_owned()), answer)
    }

    fn push(self, operation: &str, needle: Option<String>, answer: Answer) -> Replay {
        self.inner
            .lock()
            .expect("replay lock")
            .answers
            .entry(operation.to_owned())
            .or_default()
            .push_back((needle, answer));
        self
    }

    /// The operations requested so far, in order.
    pub fn operations(&self) -> Vec<String> {
        let state = self.inner.lock().expect("replay lock");
        state.requests.iter().map(|(op, _)| op.clone()).collect()
    }

    /// The requests sent so far, with their operation keys.
    pub fn requests(&self) -> Vec<(String, HttpRequest)> {
        self.inner.lock().expect("replay lock").requests.clone()
    }
}

/// The key a request is answered by.
pub fn operation_of(request: &HttpRequest) -> String {
    let body = String::from_utf8_lossy(&request.body);
    if let Some(action) = body
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .filter(|_| request.method == "POST")
    {
        return action.to_owned();
    }
    if let Some((_, target)) = request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-target"))
    {
        return target.rsplit('.').next().unwrap_or_default().to_owned();
    }
    let path = request
        .uri
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    let path = path.split('?').next().unwrap_or(path);
    format!("{} {path}", request.method)
}

impl Transport for Replay {
    fn send(&self, request: HttpRequest) -> SendFuture<'_> {
        let operation = operation_of(&request);
        let answer = {
            let mut state = self.inner.lock().expect("replay lock");
            let body = String::from_utf8_lossy(&request.body).into_owned();
            state.requests.push((operation.clone(), request));
            state.answers.get_mut(&operation).and_then(|queue| {
                let at = queue
                    .iter()
                    .position(|(needle, _)| needle.as_ref().is_none_or(|n| body.contains(n.as_str())))?;
                queue.remove(at).map(|(_, answer)| answer)
            })
        };
        Box::pin(async move {
            match answer {
                Some(Answer::Http(response)) => Ok(response),
                Some(Answer::Timeout) => Err(TransportError::Timeout),
                Some(Answer::Refused) => Err(TransportError::Connect("connection refused".into())),
                None => Ok(HttpResponse {
                    status: 599,
                    headers: Vec::new(),
                    body: format!("no recorded answer for {operation}").into_bytes(),
                }),
            }
        })
    }
}
