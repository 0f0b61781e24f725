//! The language server (`dimap lsp`), the only code that knows the protocol.
//! Notifications change the [`Session`] synchronously, under a plain lock
//! that is never held across an `.await`, so edits apply in arrival order;
//! findings are computed on snapshots after a debounce and published with
//! the document versions they were computed for, never when a newer edit
//! has arrived since. Logs go to stderr and `window/logMessage`; stdout
//! carries only the protocol.

mod convert;
mod server;
mod session;

pub use session::{Session, Settings};

use tower_lsp_server::{LspService, Server};

/// Serves the protocol over standard input and output until `exit`.
pub fn run() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(server::Backend::new);
        Server::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
    });
    Ok(())
}
