//! The language server (`dimap lsp`), the only code that knows the protocol.

/// Serves the protocol over standard input and output until `exit`.
pub fn run() -> anyhow::Result<()> {
    anyhow::bail!("the language server is not built yet")
}
