//! Check for the `jsonrpc_framer` target: splitting a JSON-RPC byte stream into messages.
//!
//! Input layout: byte 0 holds the number of chunk-size bytes (low 3 bits) and a small
//! message-size limit (high 5 bits, times 8); then come the chunk sizes (each byte + 1);
//! the rest is the stream. The stream is fed to [`ovs_json::Framer`] whole and in the
//! chosen chunks: the messages framed, and whether the stream ends in an error or in a
//! partial message, must not depend on the chunking. Every framed text goes through
//! [`Message::from_json`], and a message it accepts must survive `to_json` unchanged.
//!
//! Shared with `crates/ovs-json/tests/fuzz_corpus.rs` through `#[path]`, so it uses
//! nothing but `ovs_json` and std.

use ovs_json::rpc::Message;
use ovs_json::{FrameError, Framer, Json};

/// What framing a stream produced.
#[derive(Debug, PartialEq)]
struct Outcome {
    messages: Vec<Json>,
    /// The stream ended in an error (nothing after it is read).
    error: Option<ErrorKind>,
    /// No error, but a message was left incomplete.
    partial: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ErrorKind {
    Parse,
    TooLong,
}

/// Runs every check on one input; panics (with what went wrong) on a violation.
/// Returns how many messages the stream held.
pub fn check(data: &[u8]) -> usize {
    let (chunks, limit, stream) = split_input(data);
    let whole = frame(stream, &[stream.len().max(1)], usize::MAX);
    assert_ne!(
        whole.error,
        Some(ErrorKind::TooLong),
        "an unlimited framer reported a message too long"
    );
    let chunked = frame(stream, &chunks, usize::MAX);
    assert_eq!(whole, chunked, "framing depends on chunk sizes {chunks:?}");
    // A size limit can only end the stream early.
    let limited = frame(stream, &chunks, limit);
    assert!(
        whole.messages.starts_with(&limited.messages),
        "a size limit of {limit} changed the messages framed"
    );
    if limited.error.is_none() {
        assert_eq!(
            whole, limited,
            "a size limit of {limit} changed the outcome"
        );
    }
    whole.messages.len()
}

/// (chunk sizes, message-size limit, stream).
fn split_input(data: &[u8]) -> (Vec<usize>, usize, &[u8]) {
    let Some((&head, rest)) = data.split_first() else {
        return (vec![1], 0, data);
    };
    let n = usize::from(head & 7).min(rest.len());
    let limit = usize::from(head >> 3) * 8;
    let (sizes, stream) = rest.split_at(n);
    let mut chunks: Vec<usize> = sizes.iter().map(|&b| usize::from(b) + 1).collect();
    if chunks.is_empty() {
        // The harshest chunking: one byte at a time.
        chunks.push(1);
    }
    (chunks, limit, stream)
}

/// Feeds `stream` to a framer in `chunks` (cycled) and collects what it frames.
fn frame(stream: &[u8], chunks: &[usize], limit: usize) -> Outcome {
    let mut framer = Framer::new(limit);
    let mut messages = Vec::new();
    let mut rest = stream;
    let mut sizes = chunks.iter().cycle();
    loop {
        while let Some(next) = framer.next_message() {
            match next {
                Ok(json) => {
                    check_message(&json);
                    messages.push(json);
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    let kind = match e {
                        FrameError::Parse(_) => ErrorKind::Parse,
                        FrameError::TooLong { .. } => ErrorKind::TooLong,
                    };
                    return Outcome {
                        messages,
                        error: Some(kind),
                        partial: false,
                    };
                }
            }
        }
        if rest.is_empty() {
            break;
        }
        let n = sizes.next().copied().unwrap_or(1).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        framer.push(chunk);
        rest = tail;
    }
    Outcome {
        messages,
        error: None,
        partial: framer.has_partial(),
    }
}

/// A framed text either is not a JSON-RPC message or is one that round-trips.
fn check_message(json: &Json) {
    let Ok(message) = Message::from_json(json.clone()) else {
        return;
    };
    let _ = message.id();
    let wire = message.to_json();
    assert_eq!(
        Message::from_json(wire.clone()),
        Ok(message),
        "message changed through to_json: {}",
        wire.to_compact()
    );
}
