//! A language-server benchmark driver: a minimal LSP client over stdio that
//! knows nothing about dimap. It starts any server command, replays a
//! scenario written by `bench/gen` (the workspace, the file to open, the
//! single-character edits, the completion and hover positions) and prints the
//! latencies (p50/p95/p99/max) and the server's peak resident memory as JSON.
//!
//! Usage: `dimap-lsp-driver --server "dimap lsp" --scenario scenario.json
//! [--keystrokes 200] [--repeats 100] [--timeout-ms 60000] [--stderr FILE]`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Args {
    server: String,
    scenario: String,
    keystrokes: usize,
    repeats: usize,
    timeout: Duration,
    stderr: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        server: "dimap lsp".into(),
        scenario: String::new(),
        keystrokes: 200,
        repeats: 100,
        timeout: Duration::from_secs(60),
        stderr: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| die(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--server" => a.server = value(),
            "--scenario" => a.scenario = value(),
            "--keystrokes" => a.keystrokes = value().parse().unwrap_or_else(|_| die("--keystrokes: a number")),
            "--repeats" => a.repeats = value().parse().unwrap_or_else(|_| die("--repeats: a number")),
            "--timeout-ms" => {
                a.timeout = Duration::from_millis(value().parse().unwrap_or_else(|_| die("--timeout-ms: a number")))
            }
            "--stderr" => a.stderr = Some(value()),
            other => die(&format!("unknown argument {other}")),
        }
    }
    if a.scenario.is_empty() {
        die("usage: dimap-lsp-driver --server CMD --scenario FILE [--keystrokes N] [--repeats N]");
    }
    // An even number of edits leaves the document as it was, since each
    // insertion is followed by the deletion of the same character.
    a.keystrokes += a.keystrokes % 2;
    a
}

fn die(message: &str) -> ! {
    eprintln!("lsp-driver: {message}");
    std::process::exit(2);
}

/// A message from the server and when it arrived, stamped by the reader
/// thread so that the main thread's own work does not inflate latencies.
type Incoming = (Value, Instant);

struct Connection {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Incoming>,
    next_id: i64,
    configuration: Value,
}

impl Connection {
    fn start(command: &str, cwd: &str, stderr: Option<&str>, configuration: Value) -> Connection {
        // `exec` makes the server itself the child, so that /proc/PID is the
        // server's and not a shell's.
        let err = match stderr {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap_or_else(|e| die(&format!("{path}: {e}")))),
            None => Stdio::null(),
        };
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("exec {command}"))
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| die(&format!("cannot start {command}: {e}")));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, stdout);
            loop {
                let mut length = None;
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = line.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(v) = header.strip_prefix("Content-Length:") {
                        length = v.trim().parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let at = Instant::now();
                if let Ok(value) = serde_json::from_slice::<Value>(&body) {
                    if tx.send((value, at)).is_err() {
                        return;
                    }
                }
            }
        });
        Connection { child, stdin, rx, next_id: 1, configuration }
    }

    fn send(&mut self, message: &Value) -> Instant {
        let body = serde_json::to_vec(message).unwrap();
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(&body);
        let at = Instant::now();
        if let Err(e) = self.stdin.write_all(&framed).and_then(|_| self.stdin.flush()) {
            die(&format!("the server closed its input: {e}"));
        }
        at
    }

    fn notify(&mut self, method: &str, params: Value) -> Instant {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    fn request(&mut self, method: &str, params: Value) -> (i64, Instant) {
        let id = self.next_id;
        self.next_id += 1;
        let at = self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        (id, at)
    }

    /// Answers a request from the server: configuration from the scenario,
    /// and an empty success for everything else (registrations, progress).
    fn answer(&mut self, message: &Value) {
        let id = message["id"].clone();
        let result = match message["method"].as_str() {
            Some("workspace/configuration") => {
                let items = message["params"]["items"].as_array().cloned().unwrap_or_default();
                Value::Array(
                    items
                        .iter()
                        .map(|i| {
                            let section = i["section"].as_str().unwrap_or("");
                            section
                                .split('.')
                                .fold(self.configuration.clone(), |v, k| v.get(k).cloned().unwrap_or(Value::Null))
                        })
                        .collect(),
                )
            }
            _ => Value::Null,
        };
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    /// Reads messages until `wanted` accepts one, answering server requests
    /// on the way; `None` at the timeout.
    fn wait_for(&mut self, timeout: Duration, mut wanted: impl FnMut(&Value) -> bool) -> Option<Incoming> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.rx.recv_timeout(left) {
                Ok((message, at)) => {
                    if message.get("method").is_some() && message.get("id").is_some() {
                        self.answer(&message);
                        continue;
                    }
                    if wanted(&message) {
                        return Some((message, at));
                    }
                }
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => die("the server exited"),
            }
        }
    }

    /// Reads (and answers) messages until the server has sent nothing for
    /// `quiet`, or `limit` has passed: what it does in the background after
    /// start-up or an open (checking the rest of the workspace, say) then
    /// does not land on the first timed edits.
    fn settle(&mut self, quiet: Duration, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            match self.rx.recv_timeout(quiet) {
                Ok((message, _)) => {
                    if message.get("method").is_some() && message.get("id").is_some() {
                        self.answer(&message);
                    }
                }
                Err(RecvTimeoutError::Timeout) => return,
                Err(RecvTimeoutError::Disconnected) => die("the server exited"),
            }
        }
    }

    fn response(&mut self, id: i64, timeout: Duration) -> Option<Incoming> {
        self.wait_for(timeout, |m| m["id"].as_i64() == Some(id) && m.get("method").is_none())
    }
}

fn is_publish_for<'a>(m: &'a Value, uri: &str) -> Option<&'a Value> {
    (m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri).then(|| &m["params"])
}

fn uri_of(path: &str) -> String {
    // The generated paths are plain ASCII, so no percent-encoding is needed.
    format!("file://{path}")
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// How long the server must stay silent to count as settled.
const SETTLE_QUIET: Duration = Duration::from_millis(500);

/// A summary for the progress log: the statistics without every sample.
fn without_samples(stats: &Value) -> Value {
    let mut summary = stats.clone();
    if let Some(map) = summary.as_object_mut() {
        map.remove("samples_ms");
    }
    summary
}

fn stats(samples: &[f64], timeouts: usize) -> Value {
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    // Nearest-rank percentiles: the value below which p% of samples fall.
    let pct = |p: f64| -> Value {
        if s.is_empty() {
            return Value::Null;
        }
        let rank = ((p / 100.0) * s.len() as f64).ceil().max(1.0) as usize;
        json!(s[rank - 1])
    };
    let mean =
        if s.is_empty() { Value::Null } else { json!((s.iter().sum::<f64>() / s.len() as f64 * 1e3).round() / 1e3) };
    json!({
        "n": s.len(), "timeouts": timeouts, "p50_ms": pct(50.0), "p95_ms": pct(95.0), "p99_ms": pct(99.0),
        "max_ms": s.last(), "mean_ms": mean,
    })
}

/// VmHWM and VmRSS (KiB) of a process and all its descendants, summed: a
/// server that forks workers is measured whole.
fn memory(pid: u32) -> (u64, u64) {
    let field = |status: &str, name: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let mut total = (0, 0);
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{p}/status")) {
            total.0 += field(&status, "VmHWM:");
            total.1 += field(&status, "VmRSS:");
        }
        if let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) {
            for t in tasks.flatten() {
                if let Ok(children) = std::fs::read_to_string(t.path().join("children")) {
                    queue.extend(children.split_whitespace().filter_map(|c| c.parse::<u32>().ok()));
                }
            }
        }
    }
    total
}

struct Doc {
    uri: String,
    version: i64,
}

fn open(conn: &mut Connection, scenario: &Value, which: &str) -> Doc {
    let path = scenario[which]["path"].as_str().unwrap_or_else(|| die(&format!("scenario has no {which}.path")));
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| die(&format!("{path}: {e}")));
    let uri = uri_of(path);
    conn.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": scenario["language_id"], "version": 1, "text": text } }),
    );
    Doc { uri, version: 1 }
}

/// Replays `count` single-character edits at the scenario's position
/// (insert, delete, insert, ...) and times each didChange to the
/// publishDiagnostics of that version (or, from a server that sends no
/// version, the next publication for the document).
fn keystrokes(conn: &mut Connection, doc: &mut Doc, edit: &Value, count: usize, timeout: Duration) -> Value {
    let line = edit["line"].as_u64().unwrap();
    let character = edit["character"].as_u64().unwrap();
    let text = edit["text"].as_str().unwrap_or("X");
    let mut samples = Vec::new();
    let mut timeouts = 0;
    let mut unversioned = 0;
    for i in 0..count {
        doc.version += 1;
        let change = if i % 2 == 0 {
            let at = json!({ "line": line, "character": character });
            json!({ "range": { "start": at, "end": at }, "text": text })
        } else {
            json!({ "range": { "start": { "line": line, "character": character },
                               "end": { "line": line, "character": character + text.encode_utf16().count() as u64 } },
                    "text": "" })
        };
        let version = doc.version;
        let sent = conn.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": doc.uri, "version": version }, "contentChanges": [change] }),
        );
        let uri = doc.uri.clone();
        let got = conn.wait_for(timeout, |m| match is_publish_for(m, &uri) {
            Some(p) => match p["version"].as_i64() {
                Some(v) => v == version,
                None => {
                    unversioned += 1;
                    true
                }
            },
            None => false,
        });
        match got {
            Some((_, at)) => samples.push(ms(at - sent)),
            None => {
                timeouts += 1;
                // Resynchronise: a later publication must not be taken for
                // the next edit's.
                break;
            }
        }
    }
    let mut s = stats(&samples, timeouts);
    s["unversioned_publications"] = json!(unversioned);
    // Every sample in the order taken, so a slow first edit or a periodic
    // stall can be told apart from a uniformly slow server.
    s["samples_ms"] = json!(samples);
    s
}

fn requests(
    conn: &mut Connection,
    scenario: &Value,
    docs: &HashMap<String, String>,
    kind: &str,
    repeats: usize,
    timeout: Duration,
) -> Value {
    let method = if kind == "completion" { "textDocument/completion" } else { "textDocument/hover" };
    let positions = scenario[kind].as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for p in positions {
        let uri = docs[p["file"].as_str().unwrap_or("big")].clone();
        let params =
            json!({ "textDocument": { "uri": uri }, "position": { "line": p["line"], "character": p["character"] } });
        let mut samples = Vec::new();
        let mut timeouts = 0;
        let mut answer = Value::Null;
        for _ in 0..repeats {
            let (id, sent) = conn.request(method, params.clone());
            match conn.response(id, timeout) {
                Some((m, at)) => {
                    samples.push(ms(at - sent));
                    answer = m["result"].clone();
                }
                None => timeouts += 1,
            }
        }
        let size = match kind {
            "completion" => {
                let items = answer.get("items").unwrap_or(&answer);
                json!({ "items": items.as_array().map(|a| a.len()).unwrap_or(0) })
            }
            _ => json!({ "has_contents": !answer.is_null() }),
        };
        let mut s = stats(&samples, timeouts);
        s["what"] = p["what"].clone();
        s["answer"] = size;
        out.push(s);
    }
    Value::Array(out)
}

fn main() {
    let a = args();
    let scenario: Value = serde_json::from_str(
        &std::fs::read_to_string(&a.scenario).unwrap_or_else(|e| die(&format!("{}: {e}", a.scenario))),
    )
    .unwrap_or_else(|e| die(&format!("{}: {e}", a.scenario)));
    let root = scenario["root"].as_str().unwrap_or_else(|| die("scenario has no root")).to_string();
    let root_uri = uri_of(&root);
    let expect_findings = scenario["expect_findings"].as_bool().unwrap_or(false);

    let started = Instant::now();
    let mut conn = Connection::start(&a.server, &root, a.stderr.as_deref(), scenario["configuration"].clone());
    let pid = conn.child.id();
    let (id, _) = conn.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": root_uri,
            "workspaceFolders": [{ "uri": root_uri, "name": "bench" }],
            "initializationOptions": scenario["init_options"],
            "capabilities": {
                "general": { "positionEncodings": ["utf-16"] },
                "workspace": { "configuration": true, "didChangeConfiguration": { "dynamicRegistration": false } },
                "textDocument": {
                    "synchronization": { "didSave": false },
                    "publishDiagnostics": { "versionSupport": true, "relatedInformation": true },
                    "completion": { "completionItem": { "snippetSupport": false } },
                    "hover": { "contentFormat": ["markdown", "plaintext"] },
                },
            },
        }),
    );
    let Some((_, initialized_at)) = conn.response(id, a.timeout) else { die("no answer to initialize") };
    conn.notify("initialized", json!({}));
    if scenario["configuration"].as_object().is_some_and(|c| !c.is_empty()) {
        conn.notify("workspace/didChangeConfiguration", json!({ "settings": scenario["configuration"] }));
    }
    let mut big = open(&mut conn, &scenario, "big");
    let mut first_any = None;
    let uri = big.uri.clone();
    // Cold start ends at the first publication that carries the complete
    // findings: for a document known to have findings, the first non-empty
    // one (an early syntax-only publication is empty).
    let got = conn.wait_for(a.timeout, |m| match is_publish_for(m, &uri) {
        Some(p) => {
            first_any.get_or_insert_with(Instant::now);
            !expect_findings || p["diagnostics"].as_array().is_some_and(|d| !d.is_empty())
        }
        None => false,
    });
    let cold = json!({
        "initialize_response_ms": ms(initialized_at - started),
        "first_publication_ms": first_any.map(|t| ms(t - started)),
        "first_complete_diagnostics_ms": got.as_ref().map(|(_, at)| ms(*at - started)),
        "findings_in_first_complete": got.as_ref().map(|(m, _)| m["params"]["diagnostics"].as_array().map(|d| d.len())),
    });
    eprintln!("lsp-driver: cold start {cold}");
    let (hwm_after_load, _) = memory(pid);
    // Keystrokes are timed on a settled server: what it still does after
    // the first diagnostics belongs to start-up, which is measured above.
    conn.settle(SETTLE_QUIET, a.timeout);

    let big_keys = keystrokes(&mut conn, &mut big, &scenario["big"]["edit"], a.keystrokes, a.timeout);
    eprintln!("lsp-driver: big-file keystrokes {}", without_samples(&big_keys));
    let mut small = open(&mut conn, &scenario, "small");
    let small_uri = small.uri.clone();
    conn.wait_for(a.timeout, |m| {
        is_publish_for(m, &small_uri)
            .is_some_and(|p| !expect_findings || p["diagnostics"].as_array().is_some_and(|d| !d.is_empty()))
    });
    conn.settle(SETTLE_QUIET, a.timeout);
    let small_keys = keystrokes(&mut conn, &mut small, &scenario["small"]["edit"], a.keystrokes, a.timeout);
    eprintln!("lsp-driver: small-file keystrokes {}", without_samples(&small_keys));

    let docs: HashMap<String, String> =
        [("big".to_string(), big.uri.clone()), ("small".to_string(), small.uri.clone())].into();
    let completion = requests(&mut conn, &scenario, &docs, "completion", a.repeats, a.timeout);
    let hover = requests(&mut conn, &scenario, &docs, "hover", a.repeats, a.timeout);
    let (hwm, rss) = memory(pid);

    let (id, _) = conn.request("shutdown", Value::Null);
    conn.response(id, Duration::from_secs(10));
    conn.notify("exit", Value::Null);
    let deadline = Instant::now() + Duration::from_secs(5);
    while conn.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    if conn.child.try_wait().ok().flatten().is_none() {
        let _ = conn.child.kill();
        let _ = conn.child.wait();
    }

    let ratio = match (big_keys["p99_ms"].as_f64(), small_keys["p99_ms"].as_f64()) {
        (Some(b), Some(s)) if s > 0.0 => json!((b / s * 100.0).round() / 100.0),
        _ => Value::Null,
    };
    let report = json!({
        "label": scenario["label"],
        "server": a.server,
        "scenario": a.scenario,
        "keystrokes_per_file": a.keystrokes,
        "repeats": a.repeats,
        "cold_start": cold,
        "keystroke": { "big": big_keys, "small": small_keys, "p99_ratio_big_to_small": ratio },
        "completion": completion,
        "hover": hover,
        "memory": { "peak_rss_kib_after_load": hwm_after_load, "peak_rss_kib": hwm, "rss_kib_at_end": rss },
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
