//! Editor answers as plain data in byte offsets. Today: applying fixes to
//! text, which `dimap check --fix` shares with the language server's
//! quick-fixes.

pub mod fixes;
