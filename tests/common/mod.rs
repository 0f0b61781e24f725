//! An LSP client for the end-to-end tests: starts `dimap lsp`, frames
//! messages, answers the server's own requests, and waits for what a test
//! expects with a deadline, so a broken server fails a test instead of
//! hanging it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const CONNECTIONS: &str = r#"connection_set contoso {
  finance_and_operations fo "contoso-prod"
  dataverse              dv "contoso-sales"
  organization fo "USMF" = dv "USMF"
}
"#;

pub const GROUPS: &str = "project \"P\" dual_write contoso {\n  map groups fo.CustomerGroups = dv.msdyn_customergroup {\n    CUSTOMERGROUPID = msdyn_groupid\n    none > msdyn_description\n  }\n}\n";

pub struct Client {
    pub child: Child,
    pub stdin: ChildStdin,
    pub messages: Receiver<Value>,
    pub next_id: i64,
}

impl Client {
    pub fn start(root: &Path, encodings: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dimap"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (send, messages) = channel();
        std::thread::spawn(move || loop {
            let mut length = 0usize;
            loop {
                let mut header = String::new();
                if stdout.read_line(&mut header).unwrap_or(0) == 0 {
                    return;
                }
                let header = header.trim();
                if header.is_empty() {
                    break;
                }
                if let Some(n) = header.strip_prefix("Content-Length: ") {
                    length = n.parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            stdout.read_exact(&mut body).unwrap();
            if send.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        let mut client = Client { child, stdin, messages, next_id: 1 };
        let uri = uri(root, "");
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri,
                "workspaceFolders": [{ "uri": uri, "name": "ws" }],
                "capabilities": { "general": { "positionEncodings": encodings } },
                "initializationOptions": { "diagnostics": { "debounceMs": 0 } }
            }),
        );
        assert!(result["capabilities"]["textDocumentSync"].is_number(), "{result}");
        client.notify("initialized", json!({}));
        client
    }

    pub fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Opens a document as an editor does.
    pub fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "dimap", "version": version, "text": text } }),
        );
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let reply = self.wait(|m| m["id"] == id && m.get("method").is_none());
        assert!(reply.get("error").is_none(), "{method} failed: {reply}");
        reply["result"].clone()
    }

    /// Waits for a message that `want` accepts, answering the server's own
    /// requests on the way.
    pub fn wait(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self.messages.recv_timeout(left).expect("the server answers in time");
            if want(&message) {
                return message;
            }
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
        }
    }

    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let message = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
                && !m["params"]["diagnostics"].as_array().unwrap().iter().all(|d| d["code"] == "DIMAP0001")
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    pub fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server did not exit");
    }
}

pub fn uri(root: &Path, path: &str) -> String {
    let full = if path.is_empty() { root.to_path_buf() } else { root.join(path) };
    format!("file://{}", full.display())
}

/// Copies the contoso test caches into `root/.dimap/schemas`.
pub fn copy_fixture_caches(root: &Path) {
    let schemas = root.join(".dimap/schemas");
    std::fs::create_dir_all(&schemas).unwrap();
    for name in ["contoso-prod.json", "contoso-sales.json"] {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas").join(name);
        std::fs::copy(fixture, schemas.join(name)).unwrap();
    }
}

pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    copy_fixture_caches(&root);
    std::fs::write(root.join("connections.dimap"), CONNECTIONS).unwrap();
    std::fs::write(root.join("groups.dimap"), GROUPS).unwrap();
    dir
}

pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics.iter().map(|d| d["code"].as_str().unwrap().to_string()).collect()
}
