//! Command-line option scanning with GNU `getopt_long` semantics and messages.
//!
//! The reference parses its options with glibc's `getopt_long`, and scripts depend on
//! the details: options may follow operands (`db-name conf.db -v`), `--` ends the
//! options, long options may be abbreviated to any unambiguous prefix, and errors are
//! worded by glibc and prefixed with `argv[0]` exactly as invoked. Options come out one
//! at a time so that the caller acts on them in order, as the reference does (e.g.
//! `-h` before a bad option prints help; after it, the error wins).

/// Whether an option takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasArg {
    No,
    Required,
    /// Only as `--name=value` or `-xvalue`.
    Optional,
}

/// One option: its long name, argument kind, and short letter if any.
#[derive(Clone, Copy, Debug)]
pub struct OptSpec {
    pub long: &'static str,
    pub has_arg: HasArg,
    pub short: Option<char>,
}

/// What the scanner found next.
#[derive(Debug, PartialEq, Eq)]
pub enum Item {
    /// Option number `index` (into the spec table) with its argument.
    Opt { index: usize, arg: Option<String> },
    /// A usage error, already worded as glibc prints it (without `argv[0]: `).
    Error(String),
}

/// Scans `args` (without `argv[0]`). Options are returned by [`Scanner::next`];
/// operands, in order, by [`Scanner::operands`] once it returns `None`.
pub struct Scanner<'a> {
    specs: &'a [OptSpec],
    args: Vec<String>,
    next: usize,
    /// Remaining letters of a short-option cluster being scanned.
    cluster: Option<(String, usize)>,
    operands: Vec<String>,
    /// Stop at the first operand (`POSIXLY_CORRECT`), instead of permuting.
    posix: bool,
}

impl<'a> Scanner<'a> {
    pub fn new(specs: &'a [OptSpec], args: Vec<String>) -> Scanner<'a> {
        Scanner {
            specs,
            args,
            next: 0,
            cluster: None,
            operands: Vec::new(),
            posix: std::env::var_os("POSIXLY_CORRECT").is_some(),
        }
    }

    /// The operands (valid once [`Scanner::next`] has returned `None`).
    pub fn operands(self) -> Vec<String> {
        self.operands
    }

    /// The next option or error, or `None` when all arguments are scanned.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Item> {
        if let Some((word, pos)) = self.cluster.take() {
            return Some(self.short(word, pos));
        }
        loop {
            let arg = self.args.get(self.next)?.clone();
            self.next += 1;
            if arg == "--" {
                self.operands.extend(self.args.drain(self.next..));
                return None;
            }
            if let Some(body) = arg.strip_prefix("--") {
                return Some(self.long(&arg, body));
            }
            if arg.len() > 1 && arg.starts_with('-') {
                return Some(self.short(arg, 1));
            }
            self.operands.push(arg);
            if self.posix {
                self.operands.extend(self.args.drain(self.next..));
                return None;
            }
        }
    }

    fn long(&mut self, whole: &str, body: &str) -> Item {
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let index = match self.specs.iter().position(|s| s.long == name) {
            Some(i) => i,
            None => {
                let candidates: Vec<usize> = (0..self.specs.len())
                    .filter(|&i| self.specs[i].long.starts_with(name))
                    .collect();
                match candidates.as_slice() {
                    [] => return Item::Error(format!("unrecognized option '{whole}'")),
                    [one] => *one,
                    many => {
                        let list: String = many
                            .iter()
                            .map(|&i| format!(" '--{}'", self.specs[i].long))
                            .collect();
                        return Item::Error(format!(
                            "option '--{name}' is ambiguous; possibilities:{list}"
                        ));
                    }
                }
            }
        };
        let spec = self.specs[index];
        let arg = match (spec.has_arg, value) {
            (HasArg::No, Some(_)) => {
                return Item::Error(format!(
                    "option '--{}' doesn't allow an argument",
                    spec.long
                ))
            }
            (HasArg::No, None) => None,
            (_, Some(v)) => Some(v),
            (HasArg::Optional, None) => None,
            (HasArg::Required, None) => match self.args.get(self.next) {
                Some(v) => {
                    self.next += 1;
                    Some(v.clone())
                }
                None => {
                    return Item::Error(format!("option '--{}' requires an argument", spec.long))
                }
            },
        };
        Item::Opt { index, arg }
    }

    /// Scans the letter at byte `pos` of the cluster `word` (`-abc`).
    fn short(&mut self, word: String, pos: usize) -> Item {
        let Some(letter) = word[pos..].chars().next() else {
            return Item::Error("invalid option -- ''".into());
        };
        let after = pos + letter.len_utf8();
        let rest = word[after..].to_string();
        let Some(index) = self.specs.iter().position(|s| s.short == Some(letter)) else {
            if !rest.is_empty() {
                self.cluster = Some((word, after));
            }
            return Item::Error(format!("invalid option -- '{letter}'"));
        };
        let arg = match self.specs[index].has_arg {
            HasArg::No => {
                if !rest.is_empty() {
                    self.cluster = Some((word, after));
                }
                None
            }
            HasArg::Optional => (!rest.is_empty()).then_some(rest),
            HasArg::Required if !rest.is_empty() => Some(rest),
            HasArg::Required => match self.args.get(self.next) {
                Some(v) => {
                    self.next += 1;
                    Some(v.clone())
                }
                None => return Item::Error(format!("option requires an argument -- '{letter}'")),
            },
        };
        Item::Opt { index, arg }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[OptSpec] = &[
        OptSpec {
            long: "more",
            has_arg: HasArg::No,
            short: Some('m'),
        },
        OptSpec {
            long: "rbac-role",
            has_arg: HasArg::Required,
            short: None,
        },
        OptSpec {
            long: "verbose",
            has_arg: HasArg::Optional,
            short: Some('v'),
        },
        OptSpec {
            long: "version",
            has_arg: HasArg::No,
            short: Some('V'),
        },
    ];

    fn scan(args: &[&str]) -> (Vec<Item>, Vec<String>) {
        let mut s = Scanner::new(SPECS, args.iter().map(|a| a.to_string()).collect());
        s.posix = false;
        let mut items = Vec::new();
        while let Some(item) = s.next() {
            items.push(item);
        }
        (items, s.operands())
    }

    fn opt(index: usize, arg: Option<&str>) -> Item {
        Item::Opt {
            index,
            arg: arg.map(str::to_string),
        }
    }

    #[test]
    fn permutes_operands_and_stops_at_double_dash() {
        let (items, ops) = scan(&["show-log", "-m", "db", "--", "-v", "x"]);
        assert_eq!(items, [opt(0, None)]);
        assert_eq!(ops, ["show-log", "db", "-v", "x"]);
    }

    #[test]
    fn long_options_abbreviate_and_take_arguments() {
        let (items, _) = scan(&["--rb", "admin", "--verb=dbg", "--verbose", "--m"]);
        assert_eq!(
            items,
            [
                opt(1, Some("admin")),
                opt(2, Some("dbg")),
                opt(2, None),
                opt(0, None)
            ]
        );
    }

    // Messages observed from the real ovsdb-tool 3.1 (glibc getopt_long).
    #[test]
    fn errors_are_worded_like_glibc() {
        let err = |args: &[&str]| match scan(args).0.remove(0) {
            Item::Error(e) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(err(&["--foo=1"]), "unrecognized option '--foo=1'");
        assert_eq!(err(&["-x"]), "invalid option -- 'x'");
        assert_eq!(
            err(&["--more=3"]),
            "option '--more' doesn't allow an argument"
        );
        assert_eq!(
            err(&["--rbac-role"]),
            "option '--rbac-role' requires an argument"
        );
        assert_eq!(
            err(&["--ver"]),
            "option '--ver' is ambiguous; possibilities: '--verbose' '--version'"
        );
    }

    #[test]
    fn short_clusters_and_optional_arguments() {
        let (items, _) = scan(&["-mvconsole:dbg", "-mm", "-v"]);
        assert_eq!(
            items,
            [
                opt(0, None),
                opt(2, Some("console:dbg")),
                opt(0, None),
                opt(0, None),
                opt(2, None)
            ]
        );
        let (items, _) = scan(&["-mxm"]);
        assert_eq!(
            items,
            [
                opt(0, None),
                Item::Error("invalid option -- 'x'".into()),
                opt(0, None)
            ]
        );
    }
}
