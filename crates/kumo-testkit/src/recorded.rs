//! A local HTTP endpoint that answers AWS requests from recorded responses, for the services the pinned
//! moto does not implement (EKS `DescribeClusterVersions`, CodeBuild `ListSourceCredentials`,
//! CodeConnections `GetConnection`). Point one service at it with `AWS_ENDPOINT_URL_<SERVICE>` (the
//! standard per-service endpoint setting) and leave the rest on moto.
//!
//! A request is answered by its operation: the `X-Amz-Target` operation (awsJson), the query `Action`
//! (awsQuery, EC2), or `"<METHOD> <path>"` (REST). Unknown operations get moto's HTML 404.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One recorded answer.
#[derive(Clone, Debug)]
pub struct Route {
    pub operation: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Route {
    /// A JSON answer with a request id.
    pub fn json(operation: &str, status: u16, body: &str) -> Route {
        Route {
            operation: operation.to_owned(),
            status,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                (
                    "x-amzn-RequestId".into(),
                    format!("recorded-{}", operation.replace([' ', '/'], "-")),
                ),
            ],
            body: body.to_owned(),
        }
    }
}

/// The running endpoint. Its threads live as long as the test process.
pub struct RecordedServer {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl RecordedServer {
    pub fn start(routes: Vec<Route>) -> RecordedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let routes = Arc::new(routes);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let routes = routes.clone();
                let log = log.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &routes, &log);
                });
            }
        });
        RecordedServer { port, seen }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The operations asked for so far.
    pub fn operations(&self) -> Vec<String> {
        self.seen.lock().expect("log lock").clone()
    }
}

fn serve(stream: TcpStream, routes: &[Route], log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let target = parts.next().unwrap_or("/").to_owned();
        let mut length = 0usize;
        let mut amz_target = None;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("x-amz-target") {
                    amz_target = Some(value.rsplit('.').next().unwrap_or_default().to_owned());
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        let body = String::from_utf8_lossy(&body);
        let path = target.split('?').next().unwrap_or("/");
        let operation = amz_target
            .or_else(|| {
                body.split('&')
                    .find_map(|p| p.strip_prefix("Action="))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| format!("{method} {path}"));
        log.lock().expect("log lock").push(operation.clone());
        let (status, headers, text) = match routes.iter().find(|r| r.operation == operation) {
            Some(route) => (route.status, route.headers.clone(), route.body.clone()),
            None => (
                404,
                vec![("Content-Type".to_owned(), "text/html".to_owned())],
                "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n".to_owned(),
            ),
        };
        let mut response = format!("HTTP/1.1 {status} Recorded\r\nContent-Length: {}\r\n", text.len());
        for (name, value) in headers {
            response.push_str(&format!("{name}: {value}\r\n"));
        }
        response.push_str("\r\n");
        response.push_str(&text);
        let mut stream = reader.get_ref();
        stream.write_all(response.as_bytes())?;
        stream.flush()?;
    }
}
