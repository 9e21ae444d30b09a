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
        let end = match self.scan()? {
            Ok(end) => end,
            Err(e) => return Some(Err(e)),
        };
        // Parsed in place; only then are its bytes dropped.
        let parsed = parse_bytes(&self.buf[..end]).map_err(FrameError::Parse);
        self.buf.drain(..end);
        self.reset_scan();
        Some(parsed)
    }

    /// The raw text of the next complete message, unparsed: for callers that need
    /// more than the value, such as the order in which an object's members arrived.
    pub fn next_frame(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        let end = match self.scan()? {
            Ok(end) => end,
            Err(e) => return Some(Err(e)),
        };
        let text = self.buf.drain(..end).collect();
        self.reset_scan();
        Some(Ok(text))
    }

    /// Scans on from where the last call stopped; the length of the first complete
    /// message when one is buffered.
    fn scan(&mut self) -> Option<Result<usize, FrameError>> {
        let mut i = self.scanned;
        while i < self.buf.len() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                // Strings are most of the bytes: skip to the next quote or backslash.
                match find_quote_or_backslash(&self.buf[i..]) {
                    None => i = self.buf.len(),
                    Some(offset) => {
                        i += offset;
                        if self.buf[i] == b'\\' {
                            self.escaped = true;
                        } else {
                            self.in_string = false;
                        }
                        i += 1;
                    }
                }
                continue;
            }
            let b = self.buf[i];
            i += 1;
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
                        return Some(Ok(i));
                    }
                }
                _ => {}
            }
        }
        self.scanned = i;
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

/// The index of the first `"` or `\\` in `bytes`, eight bytes at a time.
fn find_quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // A byte of `x` is zero where `w` has the character; the lowest flagged byte is
        // exact (higher ones may be false alarms, and are never looked at).
        let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
        let hits =
            zero_byte(w ^ (ONES * u64::from(b'"'))) | zero_byte(w ^ (ONES * u64::from(b'\\')));
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\')
        .map(|p| base + p)
}
