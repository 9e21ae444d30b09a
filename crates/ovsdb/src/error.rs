//! OVSDB errors: a fixed tag (`"syntax error"`, `"constraint violation"`, ...) plus details,
//! exactly the pair that goes on the wire as `{"error": tag, "details": ...}`.

use ovs_json::Json;
use std::fmt;

/// An OVSDB error as the protocol reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// The error name, one of the RFC 7047 / reference tags.
    pub tag: &'static str,
    pub details: String,
    /// The offending JSON, for syntax errors (reported as `"syntax"`).
    pub syntax: Option<Json>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(tag: &'static str, details: impl Into<String>) -> Error {
        Error {
            tag,
            details: details.into(),
            syntax: None,
        }
    }

    pub fn syntax(json: &Json, details: impl Into<String>) -> Error {
        Error {
            tag: "syntax error",
            details: details.into(),
            syntax: Some(json.clone()),
        }
    }

    pub fn constraint(details: impl Into<String>) -> Error {
        Error::new("constraint violation", details)
    }

    /// Replaces the error's tag, keeping details and syntax.
    pub fn with_kind(mut self, tag: &'static str) -> Error {
        self.tag = tag;
        self
    }

    /// Attaches the offending JSON if none is attached yet.
    pub fn with_syntax(mut self, json: &Json) -> Error {
        if self.syntax.is_none() {
            self.syntax = Some(json.clone());
        }
        self
    }

    /// The wire form: `{"error":..., "details":..., ["syntax":...]}`.
    pub fn to_json(&self) -> Json {
        let mut o = ovs_json::Object::new();
        o.insert("error".into(), Json::string(self.tag));
        if !self.details.is_empty() {
            o.insert("details".into(), Json::string(self.details.as_str()));
        }
        if let Some(s) = &self.syntax {
            o.insert("syntax".into(), Json::string(s.to_compact()));
        }
        Json::Object(o)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.details.is_empty() {
            f.write_str(self.tag)
        } else {
            write!(f, "{}: {}", self.tag, self.details)
        }
    }
}

impl std::error::Error for Error {}
