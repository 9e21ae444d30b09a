//! Splits a byte stream into JSON texts.
//!
//! JSON-RPC 1.0 as OVS speaks it concatenates messages with no separator, so a message
//! ends where its top-level array or object closes. The framer scans incoming bytes once
//! (tracking nesting and strings), hands each complete text to the parser, and enforces a
//! size limit so a peer cannot make us buffer without bound.

use crate::parse::{parse_bytes, ParseError, MAX_DEPTH};
use crate::value::Json;

/// Incremental splitter of concatenated JSON texts.
#[derive(Debug)]
pub struct Framer {
    buf: Vec<u8>,
    /// Bytes of `buf` already scanned for the current message.
    scanned: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
    started: bool,
    max_message: usize,
}

/// Why a stream could not be framed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The text was malformed; the connection cannot be resynchronised.
    Parse(ParseError),
    /// One message grew beyond the limit.
    TooLong { limit: usize },
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::Parse(e) => e.fmt(f),
            FrameError::TooLong { limit } => {
                write!(f, "message exceeds the maximum size of {limit} bytes")
            }
        }
    }
}

impl std::error::Error for FrameError {}

impl Framer {
    /// A framer that refuses single messages longer than `max_message` bytes.
    pub fn new(max_message: usize) -> Framer {
        Framer {
            buf: Vec::new(),
            scanned: 0,
            depth: 0,
            in_string: false,
            escaped: false,
            started: false,
            max_message,
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Whether a partial message is buffered (an EOF now would cut it).
    pub fn has_partial(&self) -> bool {
        self.buf.iter().any(|b| !b.is_ascii_whitespace())
    }

    /// The next complete message, if one is buffered.
    pub fn next_message(&mut self) -> Option<Result<Json, FrameError>> {
        while self.scanned < self.buf.len() {
            let b = self.buf[self.scanned];
            self.scanned += 1;
            if !self.started {
                match b {
                    b' ' | b'\t' | b'\n' | b'\r' => continue,
                    b'[' | b'{' => {
                        self.started = true;
                        self.depth = 1;
                        continue;
                    }
                    _ => return Some(Err(self.malformed())),
                }
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'[' | b'{' => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Some(Err(self.malformed()));
                    }
                }
                b']' | b'}' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        let end = self.scanned;
                        let text: Vec<u8> = self.buf.drain(..end).collect();
                        self.reset_scan();
                        return Some(parse_bytes(&text).map_err(FrameError::Parse));
                    }
                }
                _ => {}
            }
        }
        if self.buf.len() > self.max_message {
            return Some(Err(FrameError::TooLong {
                limit: self.max_message,
            }));
        }
        None
    }

    fn reset_scan(&mut self) {
        self.scanned = 0;
        self.depth = 0;
        self.in_string = false;
        self.escaped = false;
        self.started = false;
    }

    /// The parser's own error for the bytes seen so far (the stream is unusable after it).
    fn malformed(&mut self) -> FrameError {
        let seen = std::mem::take(&mut self.buf);
        self.reset_scan();
        match parse_bytes(&seen) {
            Err(e) => FrameError::Parse(e),
            Ok(_) => FrameError::Parse(ParseError {
                line: 0,
                column: 0,
                byte: seen.len(),
                message: "syntax error at beginning of input".into(),
            }),
        }
    }
}
