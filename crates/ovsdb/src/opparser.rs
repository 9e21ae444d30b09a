//! Reading the members of one operation object the way the reference does: required and
//! optional members with expected JSON types, and an error for members nobody asked for.
//! The first problem found is the one reported, prefixed with which operation it was.

use crate::error::Error;
use crate::symtab::is_id;
use ovs_json::{Json, Object};

/// What a member may be. `Id` is a string that is also an `<id>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    Id,
    String,
    Array,
    Object,
    Integer,
    Boolean,
}

impl Expect {
    fn accepts(self, json: &Json) -> bool {
        match self {
            Expect::Id => json.as_str().is_some_and(is_id),
            Expect::String => matches!(json, Json::String(_)),
            Expect::Array => matches!(json, Json::Array(_)),
            Expect::Object => matches!(json, Json::Object(_)),
            Expect::Integer => matches!(json, Json::Integer(_)),
            Expect::Boolean => matches!(json, Json::Bool(_)),
        }
    }
}

pub(crate) struct OpParser<'a> {
    json: &'a Json,
    object: Option<&'a Object>,
    /// Operation `index` of `count`, for error messages (formatted only for errors).
    index: usize,
    count: usize,
    used: Vec<&'a str>,
    error: Option<Error>,
}

impl<'a> OpParser<'a> {
    /// Starts on operation `json`, number `index` (from 1) of `count`: errors name it
    /// "ovsdb operation 2 of 3".
    pub fn new(json: &'a Json, index: usize, count: usize) -> OpParser<'a> {
        let mut p = OpParser {
            json,
            object: json.as_object(),
            index,
            count,
            used: Vec::new(),
            error: None,
        };
        if p.object.is_none() {
            p.raise("Object expected.");
        }
        p
    }

    /// The member `name`, if present with the right type; records an error otherwise
    /// (a missing optional member is not an error).
    pub fn member(&mut self, name: &'a str, expect: Expect, optional: bool) -> Option<&'a Json> {
        let object = self.object?;
        let Some(value) = object.get(name) else {
            if !optional {
                self.raise(&format!("Required '{name}' member is missing."));
            }
            return None;
        };
        if expect.accepts(value) {
            self.used.push(name);
            Some(value)
        } else {
            self.raise(&format!("Type mismatch for member '{name}'."));
            None
        }
    }

    /// Records an error about this operation, unless one is recorded already.
    pub fn raise(&mut self, message: &str) {
        if self.error.is_none() {
            let syntax = self.object.map(|_| self.json.clone());
            self.error = Some(Error {
                tag: "syntax error",
                details: format!(
                    "Parsing ovsdb operation {} of {} failed: {message}",
                    self.index, self.count
                ),
                syntax,
            });
        }
    }

    pub fn error(&self) -> Option<Error> {
        self.error.clone()
    }

    /// The operation object (for errors that quote it).
    pub fn json(&self) -> &'a Json {
        self.json
    }

    /// The recorded error, or one about members that were never asked for.
    pub fn finish(mut self) -> Option<Error> {
        if self.error.is_none() {
            if let Some(object) = self.object {
                let unused: Vec<&String> = object
                    .keys()
                    .filter(|k| !self.used.contains(&k.as_str()))
                    .collect();
                match unused.as_slice() {
                    [] => {}
                    [one] => {
                        self.raise(&format!("Member '{one}' is present but not allowed here."))
                    }
                    [first, rest @ ..] => self.raise(&format!(
                        "Member '{first}' and {} other member{} are present but not allowed here.",
                        rest.len(),
                        if rest.len() > 1 { "s" } else { "" }
                    )),
                }
            }
        }
        self.error
    }
}
