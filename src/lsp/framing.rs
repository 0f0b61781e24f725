//! A guard in front of the protocol reader: it forwards each well-framed
//! JSON message and drops (with a log line) a message whose body is not
//! JSON or whose headers are broken. tower-lsp's reader stops for good at
//! the first undecodable message; an editor's one bad write must not end
//! the session.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};

/// The largest message accepted: a 20 MB document is about 20 MB of JSON.
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// A reader of only well-formed messages from `input`.
pub fn sanitized(input: impl AsyncRead + Unpin + Send + 'static) -> DuplexStream {
    let (reader, mut writer) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        let mut input = BufReader::new(input);
        loop {
            let Some(length) = read_headers(&mut input).await else { break };
            let Some(length) = length else { continue };
            let mut body = vec![0; length];
            if input.read_exact(&mut body).await.is_err() {
                break;
            }
            if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
                eprintln!("dimap: ignored a message whose body is not JSON ({length} bytes)");
                continue;
            }
            let header = format!("Content-Length: {length}\r\n\r\n");
            if writer.write_all(header.as_bytes()).await.is_err() || writer.write_all(&body).await.is_err() {
                break;
            }
        }
        let _ = writer.shutdown().await;
    });
    reader
}

/// Reads one header block. `None` at the end of input; `Some(None)` for a
/// block without a usable `Content-Length` (skipped).
async fn read_headers(input: &mut (impl AsyncBufReadExt + Unpin)) -> Option<Option<usize>> {
    let mut length = None;
    let mut saw_any = false;
    loop {
        let mut line = String::new();
        match input.read_line(&mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_any {
                break;
            }
            continue;
        }
        saw_any = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok().filter(|&n| n <= MAX_MESSAGE);
            }
        }
    }
    if length.is_none() {
        eprintln!("dimap: ignored a message without a valid Content-Length header");
    }
    Some(length)
}
