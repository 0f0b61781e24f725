//! Editor answers as plain data in byte offsets: fixes, hover, completion,
//! formatting and symbols. The language server and the command line convert
//! them; nothing here knows the protocol.

pub mod completion;
pub mod fixes;
pub mod format;
pub mod hover;
pub mod inlay;
pub mod navigation;
pub mod source_actions;
pub mod symbols;
