//! `rapporteur-api` over real HTTP, with a real broker and worker behind
//! it: submissions (JSON, uploads, a zip), state and `?wait`, outputs equal
//! to an in-process conversion, idempotent retries, every error path, two
//! replicas and a restart, signed webhooks verified by the Standard
//! Webhooks reference library (retries, a dispatcher killed mid-delivery,
//! internal addresses refused), and the OpenAPI document checked by a
//! validator we did not write.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rapporteur_pipeline::Converter;
use rapporteur_render::Format;
use rapporteur_storage::{OutputKey, Storage};
use rapporteur_test_tools::Tool;
use rapporteur_test_tools::broker::{
    AMQP_URL, Harness, WorkerProcess, example, signal_and_wait, worker_beside,
};
use rapporteur_test_tools::rabbitmqctl;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const API: &str = env!("CARGO_BIN_EXE_rapporteur-api");
const KEY: &str = "cms-secret-key";
const OTHER_KEY: &str = "dms-secret-key";
const SECRETS: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,whsec_c2Vjb25kLXNlY3JldC1rZXk=";

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One `rapporteur-api` process on the harness's broker and storage.
struct Api {
    child: Child,
    base: String,
    port: u16,
}

impl Api {
    fn start(harness: &Harness, keys: &Path, port: u16, extra: &[&str]) -> Api {
        let child = Command::new(API)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .arg("--api-keys")
            .arg(keys)
            .args(["--storage", &harness.storage_url])
            .args(["--queue-prefix", &harness.prefix])
            .envs(
                harness
                    .storage_env()
                    .iter()
                    .map(|(name, value)| (name, value)),
            )
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the API starts");
        let api = Api {
            child,
            base: format!("http://127.0.0.1:{port}"),
            port,
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the API listens"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        api
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn kill(mut self) {
        signal_and_wait(&mut self.child, "KILL");
    }

    fn stop(mut self) {
        assert!(
            signal_and_wait(&mut self.child, "TERM").success(),
            "SIGTERM stops the API cleanly"
        );
    }
}

/// An API a failing test leaves is killed, not left running.
impl Drop for Api {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn keys_file(dir: &Path) -> PathBuf {
    let path = dir.join("keys");
    std::fs::write(
        &path,
        format!(
            "# test keys\ncms:{}\ndms:{}\n",
            hex(KEY.as_bytes()),
            hex(OTHER_KEY.as_bytes())
        ),
    )
    .unwrap();
    path
}

fn client() -> reqwest::Client {
    // reqwest is built without a TLS provider of its own (the workspace
    // picks ring once, for every crate).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(90))
        .build()
        .unwrap()
}

/// The broker, the worker binary and this test's turn, or `None` where a
/// test cannot run (never under CI=true, where that fails).
async fn prerequisites() -> Option<(PathBuf, tokio::sync::MutexGuard<'static, ()>)> {
    if !Tool::RabbitMq.available() {
        return None;
    }
    let worker = worker_beside(API);
    assert!(
        worker.is_some() || std::env::var("CI").as_deref() != Ok("true"),
        "the worker binary is not built beside the API"
    );
    Some((worker?, ONE_AT_A_TIME.lock().await))
}

/// Polls a job until it has ended.
async fn ended(http: &reqwest::Client, api: &Api, href: &str, key: &str) -> Value {
    let started = Instant::now();
    loop {
        let view: Value = http
            .get(api.url(href))
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if view["status"] != "queued" {
            return view;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{href} never ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// POSTs an upload with `?wait=60` and returns the jobs' state (200).
async fn upload_and_wait(
    http: &reqwest::Client,
    api: &Api,
    form: reqwest::multipart::Form,
) -> Value {
    let response = http
        .post(api.url("/v1/jobs?wait=60"))
        .bearer_auth(KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// The outputs `convert` gives for a document, by format.
fn reference(name: &str, bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let root = tempfile::tempdir().unwrap();
    let storage = Storage::open_dir(root.path()).unwrap();
    let key = OutputKey::new("reference").unwrap();
    Converter::default()
        .convert(name, bytes, Format::ALL, &key, &storage)
        .unwrap();
    Format::ALL
        .iter()
        .map(|f| {
            let bytes =
                std::fs::read(root.path().join(format!("reference.{}", f.extension()))).unwrap();
            (f.extension().to_string(), bytes)
        })
        .collect()
}

/// A DOCX of the seed summary, as a user would upload one.
fn seed_docx() -> Vec<u8> {
    reference(
        "wsis-cooperation-sdgs.txt",
        example("wsis-cooperation-sdgs.txt").as_bytes(),
    )
    .remove("docx")
    .unwrap()
}

/// Every format of a succeeded job, downloaded, equals `convert`'s bytes,
/// with its media type and its checksum as ETag.
async fn assert_outputs_equal(
    http: &reqwest::Client,
    api: &Api,
    view: &Value,
    expected: &BTreeMap<String, Vec<u8>>,
) {
    assert_eq!(view["status"], "succeeded", "{view}");
    let outputs = view["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 3, "all three formats by default: {view}");
    for output in outputs {
        let format = output["format"].as_str().unwrap();
        let response = http
            .get(api.url(output["href"].as_str().unwrap()))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap();
        assert_eq!(
            &body[..],
            &expected[format][..],
            "{format} equals convert's bytes"
        );
        assert_eq!(headers["etag"], format!("\"{}\"", hex(&body)));
        assert_eq!(output["sha256"], hex(&body));
        let media = headers["content-type"].to_str().unwrap();
        assert!(
            media.contains(format) || (format == "docx" && media.contains("wordprocessingml")),
            "{media}"
        );
        assert!(
            headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains(&format!(".{format}\""))
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_through_the_api_from_upload_to_download() {
    let Some((worker_binary, _turn)) = prerequisites().await else {
        return;
    };
    let harness = Harness::with_default_topology("api").await;
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_file(dir.path());
    let mut worker: WorkerProcess = harness.start_worker(&worker_binary, &[]);
    let api = Api::start(
        &harness,
        &keys,
        free_port(),
        &["--max-body-bytes", "400000"],
    );
    let http = client();
    let seed = example("wsis-cooperation-sdgs.txt");

    // JSON, inline text: 202, Location, queued then succeeded.
    let response = http
        .post(api.url("/v1/jobs"))
        .bearer_auth(KEY)
        .json(&json!({"source": {"kind": "text", "name": "wsis-cooperation-sdgs.txt", "text": seed}, "key": "2026/seed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let accepted: Value = response.json().await.unwrap();
    let job_id = accepted["jobs"][0]["job_id"].as_str().unwrap().to_string();
    assert_eq!(location, format!("/v1/jobs/{job_id}"));
    let view = ended(&http, &api, &location, KEY).await;
    assert_eq!(view["key"], "2026/seed");
    assert_eq!(view["version"], 1);
    let expected = reference("wsis-cooperation-sdgs.txt", seed.as_bytes());
    assert_outputs_equal(&http, &api, &view, &expected).await;

    // A range of the PDF; a conditional GET.
    let pdf = api.url(&format!("{location}/outputs/pdf"));
    let part = http
        .get(&pdf)
        .bearer_auth(KEY)
        .header("range", "bytes=0-4")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 0-4/{}", expected["pdf"].len())
    );
    assert_eq!(&part.bytes().await.unwrap()[..], b"%PDF-");
    let beyond = http
        .get(&pdf)
        .bearer_auth(KEY)
        .header("range", format!("bytes={}-", expected["pdf"].len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let etag = format!("\"{}\"", hex(&expected["pdf"]));
    let same = http
        .get(&pdf)
        .bearer_auth(KEY)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::NOT_MODIFIED);

    // An upload of a DOCX, waited for in the same request.
    let docx = seed_docx();
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(docx.clone()).file_name("side-event.docx"),
        )
        .text("formats", "json,pdf,docx");
    let waited = upload_and_wait(&http, &api, form).await;
    let view = &waited["jobs"][0];
    assert_eq!(view["key"], "side-event");
    assert_outputs_equal(&http, &api, view, &reference("side-event.docx", &docx)).await;

    // A zip: one job per document, keys under the `key` folder.
    let mut zip_bytes = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut zip_bytes);
        let options = zip::write::SimpleFileOptions::default();
        for name in [
            "2019/ai-health-workshop.txt",
            "2019/small-islands-connectivity.txt",
        ] {
            zip.start_file(name, options).unwrap();
            zip.write_all(example(name.rsplit('/').next().unwrap()).as_bytes())
                .unwrap();
        }
        zip.finish().unwrap();
    }
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(zip_bytes.into_inner()).file_name("archive.zip"),
        )
        .text("key", "igf");
    let waited = upload_and_wait(&http, &api, form).await;
    let mut zip_keys: Vec<&str> = waited["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["key"].as_str().unwrap())
        .collect();
    zip_keys.sort();
    assert_eq!(
        zip_keys,
        [
            "igf/2019/ai-health-workshop",
            "igf/2019/small-islands-connectivity"
        ]
    );
    for job in waited["jobs"].as_array().unwrap() {
        let name = job["key"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
            + ".txt";
        let source_name = format!("2019/{name}");
        assert_outputs_equal(
            &http,
            &api,
            job,
            &reference(&source_name, example(&name).as_bytes()),
        )
        .await;
    }

    // A document the reader refuses: failed, with the code and line.
    let response = http
        .post(api.url("/v1/jobs?wait=60"))
        .bearer_auth(KEY)
        .json(&json!({"source": {"kind": "text", "name": "press.txt", "text": "FOR IMMEDIATE RELEASE\n\nITU announces."}}))
        .send()
        .await
        .unwrap();
    let waited: Value = response.json().await.unwrap();
    assert_eq!(waited["jobs"][0]["status"], "failed");
    assert_eq!(waited["jobs"][0]["error"]["code"], "not_a_summary");

    // An idempotent retry gets the first answer and creates nothing; the
    // same key with another request is refused.
    let body = json!({"source": {"kind": "text", "name": "a.txt", "text": seed}, "key": "idem"});
    let first: Value = http
        .post(api.url("/v1/jobs"))
        .bearer_auth(KEY)
        .header("idempotency-key", "retry-1")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let again = http
        .post(api.url("/v1/jobs"))
        .bearer_auth(KEY)
        .header("idempotency-key", "retry-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let other = json!({"source": {"kind": "text", "name": "a.txt", "text": seed}, "key": "idem-2"});
    let conflict = http
        .post(api.url("/v1/jobs"))
        .bearer_auth(KEY)
        .header("idempotency-key", "retry-1")
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(conflict.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let idem_view = ended(&http, &api, first["jobs"][0]["href"].as_str().unwrap(), KEY).await;
    assert_eq!(idem_view["version"], 1, "one set, converted once");

    // Every error path, each a problem with its code.
    let problem = |status: StatusCode, code: &'static str| {
        move |response: reqwest::Response| async move {
            assert_eq!(response.status(), status, "{code}");
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{code}"
            );
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["code"], code, "{body}");
            assert_eq!(body["status"], status.as_u16());
            body
        }
    };
    problem(StatusCode::UNAUTHORIZED, "unauthorized")(
        http.get(api.url(&location)).send().await.unwrap(),
    )
    .await;
    problem(StatusCode::UNAUTHORIZED, "unauthorized")(
        http.get(api.url(&location))
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap(),
    )
    .await;
    problem(StatusCode::FORBIDDEN, "forbidden")(
        http.get(api.url(&location))
            .bearer_auth(OTHER_KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;
    problem(StatusCode::NOT_FOUND, "job_not_found")(
        http.get(api.url("/v1/jobs/api-nothing"))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap(),
    )
    .await;
    problem(StatusCode::PAYLOAD_TOO_LARGE, "too_large")(
        http.post(api.url("/v1/jobs"))
            .bearer_auth(KEY)
            .json(
                &json!({"source": {"kind": "text", "name": "a.txt", "text": "x".repeat(500_000)}}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")(
        http.post(api.url("/v1/jobs"))
            .bearer_auth(KEY)
            .header("content-type", "text/plain")
            .body(seed.clone())
            .send()
            .await
            .unwrap(),
    )
    .await;
    problem(StatusCode::UNPROCESSABLE_ENTITY, "unknown_format")(
        http.post(api.url("/v1/jobs")).bearer_auth(KEY).json(&json!({"source": {"kind": "text", "name": "a.txt", "text": seed}, "formats": ["odt"]})).send().await.unwrap(),
    )
    .await;
    problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_key")(
        http.post(api.url("/v1/jobs")).bearer_auth(KEY).json(&json!({"source": {"kind": "text", "name": "a.txt", "text": seed}, "key": "../escape"})).send().await.unwrap(),
    )
    .await;
    problem(StatusCode::BAD_REQUEST, "bad_json")(
        http.post(api.url("/v1/jobs"))
            .bearer_auth(KEY)
            .header("content-type", "application/json")
            .body("{ nope")
            .send()
            .await
            .unwrap(),
    )
    .await;

    // A second replica answers the same; a replica killed and started
    // again answers the same too.
    let replica = Api::start(&harness, &keys, free_port(), &[]);
    let seen = |api: &Api| {
        let request = http.get(api.url(&location)).bearer_auth(KEY);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let from_first = seen(&api).await;
    assert_eq!(seen(&replica).await, from_first);
    let port = api.port;
    api.kill();
    let api = Api::start(&harness, &keys, port, &[]);
    assert_eq!(seen(&api).await, from_first);

    // The OpenAPI document, checked by openapi-spec-validator.
    let document = http
        .get(api.url("/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    if Tool::OpenApiValidator.available() {
        let path = dir.path().join("openapi.json");
        std::fs::write(&path, &document).unwrap();
        rapporteur_test_tools::python(
            "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))\nprint('valid')",
            &[&path],
        );
        let parsed: Value = serde_json::from_str(&document).unwrap();
        for path in [
            "/v1/jobs",
            "/v1/jobs/{id}",
            "/v1/jobs/{id}/outputs/{format}",
        ] {
            assert!(parsed["paths"][path].is_object(), "{path} documented");
        }
    }

    replica.stop();
    api.stop();
    assert!(signal_and_wait(&mut worker.0, "TERM").success());
    harness.cleanup().await;
}

/// On object storage with `--presign-secs`, a download is a redirect to a
/// presigned URL of the store (moto), whose bytes are `convert`'s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_on_object_storage_redirect_to_presigned_urls() {
    let Some((worker_binary, _alone)) = prerequisites().await else {
        return;
    };
    let Some(harness) = Harness::on_s3_with_default_topology("api-s3").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_file(dir.path());
    let mut worker = harness.start_worker(&worker_binary, &[]);
    let api = Api::start(&harness, &keys, free_port(), &["--presign-secs", "300"]);
    let seed = example("wsis-cooperation-sdgs.txt");
    let http = client();
    let waited: Value = http
        .post(api.url("/v1/jobs?wait=60"))
        .bearer_auth(KEY)
        .json(&json!({"source": {"kind": "text", "name": "seed.txt", "text": seed}, "key": "s3/seed"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(waited["jobs"][0]["status"], "succeeded", "{waited}");
    let href = waited["jobs"][0]["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["format"] == "pdf")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = no_redirects
        .get(api.url(&href))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = answer.headers()[reqwest::header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(location.contains("X-Amz-Signature="), "{location}");
    assert!(location.contains("X-Amz-Expires=300"), "{location}");
    // Fetched straight from the store, without the API key.
    let bytes = no_redirects
        .get(&location)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let expected = reference("seed.txt", seed.as_bytes());
    assert!(
        bytes.as_ref() == expected["pdf"].as_slice(),
        "the presigned URL serves the PDF"
    );
    // Another key still gets 403, not a URL.
    let other = no_redirects
        .get(api.url(&href))
        .bearer_auth(OTHER_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::FORBIDDEN);
    api.stop();
    assert!(signal_and_wait(&mut worker.0, "TERM").success());
    harness.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_over_its_rate_gets_429_with_retry_after() {
    let Some((_worker, _turn)) = prerequisites().await else {
        return;
    };
    let harness = Harness::with_default_topology("api-rate").await;
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(
        &harness,
        &keys_file(dir.path()),
        free_port(),
        &["--rate-per-second", "1", "--rate-burst", "3"],
    );
    let http = client();
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..6 {
        let response = http
            .get(api.url("/v1/jobs/api-none"))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            assert_eq!(
                response.json::<Value>().await.unwrap()["code"],
                "rate_limited"
            );
        }
        statuses.push(status);
    }
    assert_eq!(&statuses[..3], [404, 404, 404], "the burst passes");
    assert!(statuses[3..].contains(&429), "{statuses:?}");
    assert!(
        retry_after.is_some_and(|s| (1..=2).contains(&s)),
        "{retry_after:?}"
    );
    // Another key has its own allowance.
    let other = http
        .get(api.url("/v1/jobs/api-none"))
        .bearer_auth(OTHER_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    api.stop();
    harness.cleanup().await;
}

/// A webhook receiver verifying each request with the Standard Webhooks
/// reference library; it logs every request as a JSON line, answers 500 to
/// the first `fail` requests of a path, and holds `/slow` requests.
const RECEIVER: &str = r#"
import json, sys, time, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from standardwebhooks.webhooks import Webhook
port, secret, log_path, fail = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
webhook = Webhook(secret)
counts, lock = {}, threading.Lock()
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('content-length', 0)))
        try:
            webhook.verify(body, {k: v for k, v in self.headers.items()})
            verified = True
        except Exception as e:
            verified = False
        with lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            n = counts[self.path]
        status = 500 if self.path.startswith('/flaky') and n <= fail else 200
        entry = {'path': self.path, 'id': self.headers.get('webhook-id'), 'verified': verified, 'status': status, 'body': json.loads(body)}
        if self.path.startswith('/slow') and n == 1:
            with open(log_path, 'a') as f: f.write(json.dumps(dict(entry, status='held')) + '\n')
            time.sleep(30)
        with open(log_path, 'a') as f: f.write(json.dumps(entry) + '\n')
        self.send_response(status); self.end_headers(); self.wfile.write(b'ok')
    def log_message(self, *args): pass
ThreadingHTTPServer(('127.0.0.1', port), Handler).serve_forever()
"#;

fn receiver_log(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

async fn wait_for_log(path: &Path, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let log = receiver_log(path);
        if done(&log) {
            return log;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{what}: {log:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_signed_retried_and_survive_a_killed_dispatcher() {
    let Some((worker_binary, _turn)) = prerequisites().await else {
        return;
    };
    if !Tool::StandardWebhooks.available() {
        return;
    }
    let harness = Harness::with_default_topology("api-hooks").await;
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_file(dir.path());
    let log = dir.path().join("received.jsonl");
    let receiver_port = free_port();
    // The receiver holds only the second secret: a rotation in progress.
    let second_secret = SECRETS.split(',').nth(1).unwrap();
    // Killed however the test ends.
    let _receiver = WorkerProcess(
        Command::new("python3")
            .args(["-c", RECEIVER, &receiver_port.to_string(), second_secret])
            .arg(&log)
            .arg("3")
            .spawn()
            .unwrap(),
    );
    while std::net::TcpStream::connect(("127.0.0.1", receiver_port)).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let hook_args = [
        "--webhook-secret",
        SECRETS,
        "--webhook-allow",
        "127.0.0.1/32",
        "--webhook-retry-delays-ms",
        "300,300,300,300",
    ];
    let mut worker = harness.start_worker(&worker_binary, &[]);
    let port = free_port();
    let api = Api::start(&harness, &keys, port, &hook_args);
    let http = client();
    let seed = example("wsis-cooperation-sdgs.txt");
    let submit = |path: &str, key: &str| {
        http.post(api.url("/v1/jobs"))
            .bearer_auth(KEY)
            .json(&json!({"source": {"kind": "text", "name": "s.txt", "text": seed}, "key": key, "webhook": {"url": format!("http://127.0.0.1:{receiver_port}{path}")}}))
            .send()
    };

    // A receiver failing three times, then answering: the event arrives,
    // four attempts under one webhook-id, each signed.
    let accepted: Value = submit("/flaky", "hooks/flaky")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job_id = accepted["jobs"][0]["job_id"].as_str().unwrap().to_string();
    let entries = wait_for_log(&log, "the flaky receiver gets the event", |log| {
        log.iter()
            .any(|e| e["path"] == "/flaky" && e["status"] == 200)
    })
    .await;
    let flaky: Vec<&Value> = entries.iter().filter(|e| e["path"] == "/flaky").collect();
    assert_eq!(
        flaky.len(),
        4,
        "three failures, then the delivery: {flaky:?}"
    );
    assert!(
        flaky.iter().all(|e| e["verified"] == true),
        "every attempt verifies: {flaky:?}"
    );
    assert!(
        flaky.iter().all(|e| e["id"] == flaky[0]["id"]),
        "one webhook-id throughout"
    );
    assert_eq!(flaky[3]["body"]["type"], "job.succeeded");
    assert_eq!(flaky[3]["body"]["data"]["job_id"], job_id.as_str());
    assert_eq!(flaky[3]["body"]["data"]["key"], "hooks/flaky");

    // The dispatcher killed while a delivery is in flight: a new one
    // delivers the event again, under the same id; nothing is lost.
    let accepted: Value = submit("/slow", "hooks/slow")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slow_job = accepted["jobs"][0]["job_id"].as_str().unwrap().to_string();
    wait_for_log(&log, "the slow receiver holds the first delivery", |log| {
        log.iter()
            .any(|e| e["path"] == "/slow" && e["status"] == "held")
    })
    .await;
    api.kill();
    let api = Api::start(&harness, &keys, port, &hook_args);
    let entries = wait_for_log(&log, "the event is delivered after the restart", |log| {
        log.iter()
            .any(|e| e["path"] == "/slow" && e["status"] == 200)
    })
    .await;
    let slow: Vec<&Value> = entries.iter().filter(|e| e["path"] == "/slow").collect();
    assert!(
        slow.iter()
            .all(|e| e["verified"] == true && e["id"] == slow[0]["id"]),
        "{slow:?}"
    );
    assert_eq!(
        slow.last().unwrap()["body"]["data"]["job_id"],
        slow_job.as_str()
    );

    // The broker closes every connection (a restart, an operator): the
    // publisher, the `?wait` listener, the dispatcher and the worker
    // reconnect, and the next job ends and its event is delivered.
    rabbitmqctl::run(&["close_all_connections", "rapporteur api test"]);
    let response = http
        .post(api.url("/v1/jobs?wait=60"))
        .bearer_auth(KEY)
        .json(&json!({"source": {"kind": "text", "name": "s.txt", "text": seed}, "key": "hooks/after-close", "webhook": {"url": format!("http://127.0.0.1:{receiver_port}/after-close")}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let after: Value = response.json().await.unwrap();
    assert_eq!(after["jobs"][0]["status"], "succeeded", "{after}");
    let entries = wait_for_log(&log, "the event is delivered after the close", |log| {
        log.iter()
            .any(|e| e["path"] == "/after-close" && e["status"] == 200)
    })
    .await;
    let delivered = entries
        .iter()
        .find(|e| e["path"] == "/after-close")
        .unwrap();
    assert_eq!(delivered["verified"], true);
    assert_eq!(
        delivered["body"]["data"]["job_id"],
        after["jobs"][0]["job_id"]
    );

    // Internal addresses are refused at submission.
    for url in [
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/x",
    ] {
        let response = http
            .post(api.url("/v1/jobs"))
            .bearer_auth(KEY)
            .json(&json!({"source": {"kind": "text", "name": "s.txt", "text": seed}, "webhook": {"url": url}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["code"],
            "webhook_refused"
        );
    }

    api.stop();
    assert!(signal_and_wait(&mut worker.0, "TERM").success());
    let webhook_queue = harness.topology.webhook_events_queue();
    harness.cleanup().await;
    // The API's queues go with the test's.
    let connection = lapin::Connection::connect(AMQP_URL, Default::default())
        .await
        .unwrap();
    let channel = connection.create_channel().await.unwrap();
    let passive = lapin::options::QueueDeclareOptions {
        passive: true,
        ..Default::default()
    };
    let declared = channel
        .queue_declare(webhook_queue.as_str().into(), passive, Default::default())
        .await;
    assert!(declared.is_err(), "{webhook_queue} is left on the broker");
}
