//! An S3 server for the storage tests: moto in server mode (`python3 -m
//! moto.server`, PyPI
//! `moto[server]`, an S3 implementation we did not write), started by the
//! tests themselves on 127.0.0.1 at a free port, one per test binary, and
//! stopped when that binary exits. Each test takes a bucket of its own.
//!
//! moto accepts any credentials and keeps objects in memory; it answers
//! S3's REST API as AWS does, which is what `object_store` speaks.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::Tool;

/// A running moto server.
pub struct S3Server {
    address: SocketAddr,
    /// The watchdog shell that runs moto and stops it when this process
    /// exits.
    #[allow(dead_code)]
    child: Mutex<Child>,
}

/// The server of this test binary, started on first use; `None` when moto
/// is not installed outside CI ([`Tool::available`]).
pub fn server() -> Option<&'static S3Server> {
    static SERVER: OnceLock<Option<S3Server>> = OnceLock::new();
    SERVER
        .get_or_init(|| Tool::Moto.available().then(S3Server::start))
        .as_ref()
}

impl S3Server {
    fn start() -> S3Server {
        // A free port: bind to port 0, read the port, let it go. Another
        // process could take it in between; moto then fails to start and
        // the wait below says so.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        // Statics are never dropped, so the server cannot be stopped by a
        // destructor: a watchdog shell stops it once this process is gone.
        let watchdog = "python3 -m moto.server -H 127.0.0.1 -p \"$1\" & m=$!; trap 'kill $m' EXIT; \
            while kill -0 \"$2\" 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 0.5; done";
        let child = Command::new("sh")
            .args([
                "-c",
                watchdog,
                "sh",
                &port.to_string(),
                &std::process::id().to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sh starts moto");
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let server = S3Server {
            address,
            child: Mutex::new(child),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while request(address, "GET", "/").is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not answer on {address} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Creates a new, empty bucket and returns its name.
    pub fn bucket(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "rapporteur-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let status = request(self.address, "PUT", &format!("/{name}")).expect("moto answers");
        assert!(status < 300, "creating bucket {name} answered {status}");
        name
    }

    /// The environment a process needs to use this server as its S3: what
    /// `object_store` reads, as AWS's own tools do.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", self.endpoint()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "rapporteur-test".into()),
            ("AWS_SECRET_ACCESS_KEY", "rapporteur-test".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }

    /// The same settings as `object_store` configuration keys, for an
    /// in-process `Storage::open_with`.
    pub fn options(&self) -> Vec<(String, String)> {
        self.env()
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect()
    }
}

/// One plain HTTP/1.1 request without a body; the status code. moto does
/// not check signatures, so creating a bucket needs no S3 client.
fn request(address: SocketAddr, method: &str, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    let text = String::from_utf8_lossy(&head);
    text.get(9..12)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {text:?}")))
}
