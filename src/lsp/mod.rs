//! The language server (`dimap lsp`), the only code that knows the protocol.
//! Notifications change the [`Session`] synchronously, under a plain lock
//! that is never held across an `.await`, so edits apply in arrival order;
//! findings are computed on snapshots after a debounce and published with
//! the document versions they were computed for, never when a newer edit
//! has arrived since. Logs go to stderr and `window/logMessage`; stdout
//! carries only the protocol.

mod convert;
mod framing;
mod server;
mod session;

use std::sync::{Arc, Mutex};

pub use session::{Session, Settings};

use tower_lsp_server::{LspService, Server};

/// Serves the protocol over standard input and output until `exit`.
/// Returns whether the client shut the server down before `exit`, which the
/// protocol asks to report as the exit status.
pub fn run() -> anyhow::Result<bool> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let session = Arc::new(Mutex::new(Session::new()));
    let shared = session.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::new(move |client| server::Backend::with_session(client, shared));
        let input = framing::sanitized(tokio::io::stdin());
        Server::new(input, tokio::io::stdout(), socket).serve(service).await;
    });
    // Blocking reads of stdin may still be pending; do not wait for them.
    runtime.shutdown_background();
    let clean = session.lock().map(|s| s.shut_down).unwrap_or(false);
    Ok(clean)
}
