//! Protocol misuse against the real `dimap lsp`: each gets a proper error
//! response or is ignored, and the server keeps serving. Nothing but
//! protocol reaches stdout.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use common::*;

/// A request whose reply may be an error; returns the whole reply.
fn raw_request(client: &mut Client, method: &str, params: Value) -> Value {
    let id = client.next_id;
    client.next_id += 1;
    client.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
    client.wait(|m| m["id"] == id && m.get("method").is_none())
}

fn still_serving(client: &mut Client, root: &std::path::Path) {
    let groups = uri(root, "groups.dimap");
    let hover = raw_request(
        client,
        "textDocument/hover",
        json!({ "textDocument": { "uri": groups }, "position": { "line": 2, "character": 24 } }),
    );
    assert!(hover.get("error").is_none(), "{hover}");
}

#[test]
fn unopened_documents_odd_positions_and_old_versions() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    let nowhere = uri(&root, "nowhere.dimap");
    for method in ["textDocument/hover", "textDocument/completion", "textDocument/definition"] {
        let reply = raw_request(
            &mut client,
            method,
            json!({ "textDocument": { "uri": nowhere }, "position": { "line": 0, "character": 0 } }),
        );
        assert!(reply.get("error").is_none() && reply["result"].is_null(), "{method}: {reply}");
    }
    // A change before open is ignored.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": nowhere, "version": 2 }, "contentChanges": [{ "text": "x" }] }),
    );

    let text = "project \"😀\" dual_write contoso {\n}\n";
    let doc = uri(&root, "emoji.dimap");
    client.open(&doc, 5, text);
    // Positions past the end and inside the surrogate pair.
    for (line, character) in [(99, 0), (0, 999), (0, 10)] {
        let reply = raw_request(
            &mut client,
            "textDocument/hover",
            json!({ "textDocument": { "uri": doc }, "position": { "line": line, "character": character } }),
        );
        assert!(reply.get("error").is_none(), "{reply}");
    }
    // An older version is refused: the text stays as version 5 had it.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": doc, "version": 4 }, "contentChanges": [{ "text": "garbage {{{{" }] }),
    );
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": doc } }));
    assert_eq!(symbols[0]["name"], "😀", "{symbols}");
    // A range edit past the end is clamped, not a crash.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": doc, "version": 6 }, "contentChanges": [{ "range": { "start": { "line": 50, "character": 3 }, "end": { "line": 60, "character": 0 } }, "text": "# end\n" }] }),
    );
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": doc } }));
    assert_eq!(symbols[0]["name"], "😀");
    still_serving(&mut client, &root);
    client.stop();
}

#[test]
fn huge_documents_and_lines_are_served() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    let mut big = String::from(
        "project \"Big\" dual_write contoso {\n  map currencies fo.Currencies = dv.transactioncurrency {\n",
    );
    while big.len() < 20 * 1024 * 1024 {
        big.push_str("    CURRENCYCODE = isocurrencycode   # padding padding padding padding padding\n");
    }
    big.push_str("  }\n}\n");
    let doc = uri(&root, "big.dimap");
    client.open(&doc, 1, &big);
    let long_line = format!("# {}\n", "x".repeat(1024 * 1024));
    let line_doc = uri(&root, "line.dimap");
    client.open(&line_doc, 1, &long_line);
    let reply = raw_request(
        &mut client,
        "textDocument/hover",
        json!({ "textDocument": { "uri": line_doc }, "position": { "line": 0, "character": 500000 } }),
    );
    assert!(reply.get("error").is_none(), "{reply}");
    still_serving(&mut client, &root);
    client.stop();
}

#[test]
fn requests_after_shutdown_are_refused_and_exit_without_shutdown_fails() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    client.request("shutdown", Value::Null);
    let reply = raw_request(
        &mut client,
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&root, "groups.dimap") }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(reply["error"]["code"], -32600, "{reply}");
    client.notify("exit", Value::Null);
    assert!(wait_exit(&mut client).success());

    let mut client = Client::start(&root, &[]);
    client.notify("exit", Value::Null);
    let status = wait_exit(&mut client);
    assert_eq!(status.code(), Some(1), "exit without shutdown reports failure");
}

#[test]
fn malformed_framing_does_not_crash_the_server() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    // A body that is not JSON, then a valid request.
    write!(client.stdin, "Content-Length: 9\r\n\r\n{{not json").unwrap();
    client.stdin.flush().unwrap();
    let reply = raw_request(&mut client, "workspace/symbol", json!({ "query": "" }));
    assert!(reply["result"].is_array() || reply.get("error").is_some(), "{reply}");
    assert!(client.child.try_wait().unwrap().is_none(), "the server is still running");
    client.stop();
}

fn wait_exit(client: &mut Client) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = client.child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn cancellation_deleted_files_and_caches_replaced_under_requests() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    let groups = uri(&root, "groups.dimap");
    client.open(&groups, 1, GROUPS);
    client.diagnostics(&groups, Some(1));

    // A request cancelled at once gets its answer or "request cancelled".
    let id = client.next_id;
    client.next_id += 1;
    client.send(json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/codeLens", "params": { "textDocument": { "uri": groups } } }));
    client.notify("$/cancelRequest", json!({ "id": id }));
    let reply = client.wait(|m| m["id"] == id && m.get("method").is_none());
    assert!(reply.get("result").is_some() || reply["error"]["code"] == -32800, "{reply}");

    // The cache is rewritten again and again while requests come in.
    let cache = root.join(".dimap/schemas/contoso-sales.json");
    let original = std::fs::read_to_string(&cache).unwrap();
    for i in 0..20 {
        let text = if i % 2 == 0 { original.replace("\"connected\"", "\"error\"") } else { original.clone() };
        std::fs::write(&cache, text).unwrap();
        let reply = raw_request(
            &mut client,
            "textDocument/hover",
            json!({ "textDocument": { "uri": groups }, "position": { "line": 2, "character": 24 } }),
        );
        assert!(reply.get("error").is_none(), "{reply}");
    }

    // The open file is deleted on disk, then closed: its findings are cleared.
    std::fs::remove_file(root.join("groups.dimap")).unwrap();
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": groups } }));
    client.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == groups
            && m["params"]["diagnostics"] == json!([])
    });
    let reply = raw_request(
        &mut client,
        "textDocument/hover",
        json!({ "textDocument": { "uri": groups }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(reply.get("error").is_none() && reply["result"].is_null(), "{reply}");
    client.stop();
}
