//! A slow local endpoint: an HTTP proxy in front of the moto server that logs every AWS request it
//! forwards (the query-protocol `Action`) and holds chosen actions for a chosen time before forwarding
//! them, so a test can send a signal while a given request is in flight and then see exactly which
//! requests kumo sent afterwards.
//!
//! One request per connection (the proxy asks moto to close after answering, and passes that on), so
//! the log is in the order requests arrived. It serves only 127.0.0.1 and stops with the test process.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the proxy received.
#[derive(Clone, Debug)]
pub struct Logged {
    pub action: String,
    pub at: Instant,
}

pub struct SlowEndpoint {
    port: u16,
    log: Arc<Mutex<Vec<Logged>>>,
}

/// What the proxy does with a held request once its time is up.
#[derive(Clone, Copy, Debug)]
pub enum Then {
    /// Forward it to moto and return the answer.
    Forward,
    /// Close the connection without answering (a failure the SDK would normally retry). The request
    /// never reaches moto, so nothing it would have made can appear in a later test.
    Drop,
}

impl SlowEndpoint {
    /// Forwards to `upstream` (host:port); `delays` holds the named actions that long before forwarding.
    pub fn start(upstream: String, delays: &[(&str, Duration)]) -> SlowEndpoint {
        let holds: Vec<(&str, Duration, Then)> = delays.iter().map(|(a, d)| (*a, *d, Then::Forward)).collect();
        Self::start_with(upstream, &holds)
    }

    /// Like [`SlowEndpoint::start`], choosing per held action what happens after the hold.
    pub fn start_with(upstream: String, holds: &[(&str, Duration, Then)]) -> SlowEndpoint {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let delays: Arc<HashMap<String, (Duration, Then)>> = Arc::new(
            holds
                .iter()
                .map(|(action, delay, then)| ((*action).to_owned(), (*delay, *then)))
                .collect(),
        );
        let shared = log.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let (log, delays, upstream) = (shared.clone(), delays.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = serve(client, &upstream, &log, &delays);
                });
            }
        });
        SlowEndpoint { port, log }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every action received so far, in order.
    pub fn actions(&self) -> Vec<String> {
        self.log.lock().unwrap().iter().map(|l| l.action.clone()).collect()
    }

    /// The actions received after `instant`.
    pub fn actions_after(&self, instant: Instant) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.at > instant)
            .map(|l| l.action.clone())
            .collect()
    }

    /// Waits (at most `limit`) until `action` has been received; returns when it was.
    pub fn wait_for(&self, action: &str, limit: Duration) -> Instant {
        let started = Instant::now();
        loop {
            if let Some(seen) = self.log.lock().unwrap().iter().find(|l| l.action == action) {
                return seen.at;
            }
            assert!(
                started.elapsed() < limit,
                "{action} was not requested within {limit:?}; requests so far: {:?}",
                self.actions()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(
    client: TcpStream,
    upstream: &str,
    log: &Mutex<Vec<Logged>>,
    delays: &HashMap<String, (Duration, Then)>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            content_length = value.trim().parse().unwrap_or(0);
        }
        if !lower.starts_with("connection:") {
            head.push(line);
        }
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body)?;
    let text = String::from_utf8_lossy(&body);
    let action = text
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .map(str::to_owned)
        .unwrap_or_else(|| head.first().map(|l| l.trim().to_owned()).unwrap_or_default());
    log.lock().unwrap().push(Logged {
        action: action.clone(),
        at: Instant::now(),
    });
    if let Some((delay, then)) = delays.get(&action) {
        std::thread::sleep(*delay);
        if let Then::Drop = then {
            return Ok(()); // dropping `client` closes the connection unanswered
        }
    }
    let mut moto = TcpStream::connect(upstream)?;
    let mut request = head.concat();
    request.push_str("Connection: close\r\n\r\n");
    moto.write_all(request.as_bytes())?;
    moto.write_all(&body)?;
    let mut response = Vec::new();
    moto.read_to_end(&mut response)?;
    // Tell kumo's HTTP client not to reuse the connection: the proxy closes it after this answer.
    if let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = String::from_utf8_lossy(&response[..end]).to_ascii_lowercase();
        if !head.contains("\r\nconnection:") {
            response.splice(end..end, b"\r\nConnection: close".iter().copied());
        }
    }
    let mut client = client;
    client.write_all(&response)?;
    client.flush()
}
