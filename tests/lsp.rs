//! End-to-end tests of `dimap lsp`: the real binary over stdio, driven as an
//! editor drives it.

mod common;

use serde_json::json;

use common::*;

#[test]
fn an_editor_session_over_utf16() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    let groups = uri(&root, "groups.dimap");
    client.open(&groups, 1, GROUPS);
    let found = client.diagnostics(&groups, Some(1));
    assert!(codes(&found).contains(&"DIPV1021".to_string()), "{found:?}");
    let finding = found.iter().find(|d| d["code"] == "DIPV1021").unwrap();
    assert_eq!(finding["range"]["start"], json!({ "line": 3, "character": 4 }));
    assert!(finding["codeDescription"]["href"].as_str().unwrap().contains("dual-write"));

    // The quick-fix adds a default.
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": groups }, "range": finding["range"], "context": { "diagnostics": [finding] } }),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Add `default"))
        .expect("a fix");
    assert_eq!(fix["isPreferred"], true);
    let edits = &fix["edit"]["changes"][&groups];
    assert_eq!(edits[0]["newText"], " default \"\"");

    // Editing the line incrementally: the finding goes away in version 2.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": groups, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 3, "character": 28 }, "end": { "line": 3, "character": 28 } }, "text": " default \"x\"" }]
        }),
    );
    let message = client.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == groups && m["params"]["version"] == 2
    });
    let after = message["params"]["diagnostics"].as_array().unwrap().clone();
    assert!(!codes(&after).contains(&"DIPV1021".to_string()), "{after:?}");

    // Completion of the right side lists the entity's fields, required first.
    let items = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": groups }, "position": { "line": 2, "character": 22 } }),
    );
    let labels: Vec<&str> = items["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"msdyn_description"), "{labels:?}");

    // Hover over a field shows its type and cache.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": groups }, "position": { "line": 2, "character": 24 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with("**msdyn_groupid** · `string(30)` · required"), "{text}");

    // Formatting aligns the columns.
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": groups }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let formatted = edits[0]["newText"].as_str().unwrap();
    assert!(
        formatted
            .contains("    CUSTOMERGROUPID =  msdyn_groupid\n    none            >> msdyn_description default \"x\"\n"),
        "{formatted}"
    );

    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": groups } }));
    client.wait(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == groups
            && m["params"]["diagnostics"] == json!([])
    });
    client.stop();
}

#[test]
fn utf8_positions_when_the_client_prefers_them() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &["utf-8", "utf-16"]);
    let text = "project \"Ü😀\" dual_write nosuchset {\n}\n";
    let other = uri(&root, "other.dimap");
    client.open(&other, 1, text);
    let found = client.diagnostics(&other, Some(1));
    let finding = found.iter().find(|d| d["code"] == "DIMAP0002").expect("DIMAP0002");
    // `project "Ü😀" dual_write ` is 28 bytes: Ü is 2, the emoji 4.
    assert_eq!(finding["range"]["start"], json!({ "line": 0, "character": 28 }));
    client.stop();
}

#[test]
fn files_that_are_not_open_get_findings_too() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    // The status bar's notification comes before any finding: loading, then
    // ready with the two cached environments of the fixture.
    let loading = client.wait(|m| m["method"] == "dimap/status");
    assert_eq!(loading["params"]["state"], "loading", "{loading}");
    let ready = client.wait(|m| m["method"] == "dimap/status");
    assert_eq!(ready["params"]["state"], "ready", "{ready}");
    assert!(ready["params"]["environments"].as_u64().unwrap() >= 2, "{ready}");
    assert!(ready["params"]["maps"].as_u64().unwrap() >= 1, "{ready}");
    let groups = uri(&root, "groups.dimap");
    let found = client.diagnostics(&groups, None);
    assert!(codes(&found).contains(&"DIPV1021".to_string()), "{found:?}");
    client.stop();
}

#[test]
fn navigation_tokens_hints_and_lenses() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    let groups = uri(&root, "groups.dimap");
    let connections = uri(&root, "connections.dimap");
    client.open(&groups, 1, GROUPS);
    client.diagnostics(&groups, Some(1));

    // `dv` in the map header is declared in connections.dimap.
    let def = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": groups }, "position": { "line": 1, "character": 34 } }),
    );
    assert_eq!(def["uri"], connections);
    assert_eq!(def["range"]["start"], json!({ "line": 2, "character": 25 }));

    // An entity's definition is its place in the cache.
    let def = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": groups }, "position": { "line": 1, "character": 20 } }),
    );
    assert!(def["uri"].as_str().unwrap().ends_with("contoso-prod.json"), "{def}");

    // Renaming the connection set edits both files.
    let edit = client.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": groups }, "position": { "line": 0, "character": 26 }, "newName": "fabrikam" }),
    );
    assert_eq!(edit["changes"].as_object().unwrap().len(), 2, "{edit}");

    let symbols = client.request("workspace/symbol", json!({ "query": "group" }));
    assert_eq!(symbols[0]["name"], "groups");

    let tokens = client.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": groups } }));
    let data = tokens["data"].as_array().unwrap();
    assert_eq!(data.len() % 5, 0);
    assert!(data.len() > 40, "{tokens}");
    let delta = client.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": groups }, "previousResultId": tokens["resultId"] }),
    );
    assert_eq!(delta["edits"], json!([]), "{delta}");

    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": groups }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 9, "character": 0 } } }),
    );
    let labels: Vec<&str> = hints.as_array().unwrap().iter().map(|h| h["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&": string(10)") && labels.contains(&": string(30)"), "{labels:?}");

    let lenses = client.request("textDocument/codeLens", json!({ "textDocument": { "uri": groups } }));
    assert_eq!(lenses[0]["command"]["title"], "2 lines · 0 required unmapped · 2 findings");
    client.stop();
}

#[test]
fn a_refreshed_cache_rechecks_every_map() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    let connections = uri(&root, "connections.dimap");
    let groups = uri(&root, "groups.dimap");
    client.diagnostics(&groups, None);
    // The environment's connection breaks: the server's own watcher sees the
    // new cache and the connection line gets DIPV1000.
    let cache = root.join(".dimap/schemas/contoso-sales.json");
    let text = std::fs::read_to_string(&cache)
        .unwrap()
        .replace("\"status\": \"connected\"", "\"status\": \"error\", \"message\": \"token expired\"");
    std::fs::write(&cache, text).unwrap();
    let found = client.diagnostics(&connections, None);
    assert_eq!(codes(&found), vec!["DIPV1000"], "{found:?}");
    client.stop();
}

#[test]
fn a_map_with_samples_gets_a_preview_lens() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir_all(root.join("samples")).unwrap();
    std::fs::write(
        root.join("samples/groups.json"),
        r#"[{ "CUSTOMERGROUPID": "10", "dataAreaId": "USMF" }, { "CUSTOMERGROUPID": "20", "dataAreaId": "USMF" }]"#,
    )
    .unwrap();
    let mut client = Client::start(&root, &[]);
    let groups = uri(&root, "groups.dimap");
    client.open(&groups, 1, GROUPS);
    client.diagnostics(&groups, Some(1));
    let lenses = client.request("textDocument/codeLens", json!({ "textDocument": { "uri": groups } }));
    let titles: Vec<&str> =
        lenses.as_array().unwrap().iter().map(|l| l["command"]["title"].as_str().unwrap()).collect();
    let preview = titles.iter().find(|t| t.starts_with("Preview with samples")).expect("a preview lens");
    assert!(preview.contains("2 read"), "{titles:?}");
    client.stop();
}

/// Pushed findings survive later rounds: a file that was published with
/// findings and still has them is neither cleared nor sent twice when
/// another edit triggers the next round.
#[test]
fn later_rounds_keep_every_files_findings() {
    let dir = workspace();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let mut client = Client::start(&root, &[]);
    let groups = uri(&root, "groups.dimap");
    client.diagnostics(&groups, None);
    // A second file opens and changes; groups.dimap keeps its finding.
    let other = uri(&root, "other.dimap");
    client.open(&other, 1, "# nothing yet\n");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": other, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "# still nothing\n" }]
        }),
    );
    // A request's answer comes after the rounds those edits started; every
    // publication on the way is looked at.
    let cleared = std::cell::Cell::new(false);
    let id = 9_001;
    client.send(json!({ "jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": { "query": "" } }));
    std::thread::sleep(std::time::Duration::from_millis(500));
    client.send(json!({ "jsonrpc": "2.0", "id": id + 1, "method": "workspace/symbol", "params": { "query": "" } }));
    client.wait(|m| {
        if m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == groups
            && m["params"]["diagnostics"].as_array().is_some_and(|d| d.is_empty())
        {
            cleared.set(true);
        }
        m["id"] == id + 1
    });
    assert!(!cleared.get(), "groups.dimap's findings were cleared by a later round");
    client.stop();
}
