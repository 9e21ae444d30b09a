//! Command-line parsing with GNU `getopt_long` behaviour, which every Open vSwitch
//! program uses: long options may be abbreviated to a unique prefix, `--name=value`
//! or `--name value` for required arguments, `--name=value` only for optional ones,
//! bundled short options (`-vT5`), `--` ends the options, and the exact error texts
//! ("unrecognized option '--x=1'", "invalid option -- 'x'", ...), which quote a bad
//! long option whole, `=value` included, as glibc does.
//!
//! Options are yielded one at a time so that a program can act on them in order
//! (e.g. `-h` exits before a later bad option is noticed), like a getopt loop.

/// Whether an option takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasArg {
    No,
    Required,
    /// Only as `--name=value` or attached to the short option (`-vdbg`).
    Optional,
}

/// One option: its long name (also its identity), an optional short letter, and
/// whether it takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opt {
    pub long: &'static str,
    pub short: Option<char>,
    pub has_arg: HasArg,
}

impl Opt {
    pub const fn new(long: &'static str, short: Option<char>, has_arg: HasArg) -> Opt {
        Opt {
            long,
            short,
            has_arg,
        }
    }
}

/// One parsed option: its long name and argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub name: &'static str,
    pub value: Option<String>,
}

/// Iterates over the options of a command line. Non-option arguments are collected
/// (when permuting, as GNU getopt does by default) or end the options (like a `+`
/// optstring, which `ovs-appctl` uses); read them with [`Getopt::operands`] after
/// the options are exhausted.
pub struct Getopt<'a> {
    args: Vec<String>,
    pos: usize,
    /// Remaining bundled short options of the current argument.
    pending_shorts: Option<(String, usize)>,
    opts: &'a [Opt],
    permute: bool,
    operands: Vec<String>,
    done: bool,
}

impl<'a> Getopt<'a> {
    /// Options as glibc scans them by default: permuting, unless `POSIXLY_CORRECT` is
    /// set in the environment, which makes the first operand end the options.
    pub fn gnu(args: Vec<String>, opts: &'a [Opt]) -> Getopt<'a> {
        let permute = std::env::var_os("POSIXLY_CORRECT").is_none();
        Getopt::new(args, opts, permute)
    }

    /// `args` excludes the program name.
    pub fn new(args: Vec<String>, opts: &'a [Opt], permute: bool) -> Getopt<'a> {
        Getopt {
            args,
            pos: 0,
            pending_shorts: None,
            opts,
            permute,
            operands: Vec::new(),
            done: false,
        }
    }

    /// The non-option arguments, in order: those met while permuting and all
    /// arguments after the options ended.
    pub fn operands(mut self) -> Vec<String> {
        if self.pos < self.args.len() {
            self.operands.extend(self.args.drain(self.pos..));
        }
        self.operands
    }

    fn short_opt(&mut self, arg: String, mut idx: usize) -> Result<Parsed, String> {
        let c = arg[idx..].chars().next().unwrap_or('?');
        idx += c.len_utf8();
        let Some(opt) = self.opts.iter().find(|o| o.short == Some(c)) else {
            self.set_pending(arg, idx);
            return Err(format!("invalid option -- '{c}'"));
        };
        match opt.has_arg {
            HasArg::No => {
                self.set_pending(arg, idx);
                Ok(Parsed {
                    name: opt.long,
                    value: None,
                })
            }
            HasArg::Optional => Ok(Parsed {
                name: opt.long,
                value: (idx < arg.len()).then(|| arg[idx..].to_string()),
            }),
            HasArg::Required => {
                if idx < arg.len() {
                    return Ok(Parsed {
                        name: opt.long,
                        value: Some(arg[idx..].to_string()),
                    });
                }
                if self.pos < self.args.len() {
                    let value = self.args[self.pos].clone();
                    self.pos += 1;
                    return Ok(Parsed {
                        name: opt.long,
                        value: Some(value),
                    });
                }
                Err(format!("option requires an argument -- '{c}'"))
            }
        }
    }

    fn set_pending(&mut self, arg: String, idx: usize) {
        if idx < arg.len() {
            self.pending_shorts = Some((arg, idx));
        }
    }

    fn long_opt(&mut self, body: &str) -> Result<Parsed, String> {
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let opt = match self.opts.iter().find(|o| o.long == name) {
            Some(o) => *o,
            None => {
                let matches: Vec<&Opt> = self
                    .opts
                    .iter()
                    .filter(|o| o.long.starts_with(name))
                    .collect();
                match matches.as_slice() {
                    [] => return Err(format!("unrecognized option '--{body}'")),
                    [one] => **one,
                    many => {
                        let list: Vec<String> =
                            many.iter().map(|o| format!("'--{}'", o.long)).collect();
                        return Err(format!(
                            "option '--{body}' is ambiguous; possibilities: {}",
                            list.join(" ")
                        ));
                    }
                }
            }
        };
        match (opt.has_arg, inline) {
            (HasArg::No, Some(_)) => {
                Err(format!("option '--{}' doesn't allow an argument", opt.long))
            }
            (HasArg::No, None) | (HasArg::Optional, None) => Ok(Parsed {
                name: opt.long,
                value: None,
            }),
            (_, Some(v)) => Ok(Parsed {
                name: opt.long,
                value: Some(v),
            }),
            (HasArg::Required, None) => {
                if self.pos < self.args.len() {
                    let value = self.args[self.pos].clone();
                    self.pos += 1;
                    Ok(Parsed {
                        name: opt.long,
                        value: Some(value),
                    })
                } else {
                    Err(format!("option '--{}' requires an argument", opt.long))
                }
            }
        }
    }
}

impl Iterator for Getopt<'_> {
    type Item = Result<Parsed, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((arg, idx)) = self.pending_shorts.take() {
            return Some(self.short_opt(arg, idx));
        }
        if self.done {
            return None;
        }
        while self.pos < self.args.len() {
            let arg = self.args[self.pos].clone();
            if arg == "--" {
                self.pos += 1;
                self.done = true;
                return None;
            }
            if let Some(body) = arg.strip_prefix("--") {
                self.pos += 1;
                return Some(self.long_opt(body));
            }
            if arg.len() > 1 && arg.starts_with('-') {
                self.pos += 1;
                return Some(self.short_opt(arg, 1));
            }
            if !self.permute {
                self.done = true;
                return None;
            }
            self.operands.push(arg);
            self.pos += 1;
        }
        self.done = true;
        None
    }
}

/// The option list that `--option`/`-o` prints in Open vSwitch programs: for each
/// option, `--name`, `--name=ARG` or `--name=[ARG]`, then `-c `, `-c ARG` or
/// `-c [ARG]` when it has a short form.
pub fn option_list(opts: &[Opt]) -> String {
    let mut out = String::new();
    for o in opts {
        let (long_arg, short_arg) = match o.has_arg {
            HasArg::No => ("", ""),
            HasArg::Required => ("=ARG", "ARG"),
            HasArg::Optional => ("=[ARG]", "[ARG]"),
        };
        out.push_str(&format!("--{}{long_arg}\n", o.long));
        if let Some(c) = o.short {
            out.push_str(&format!("-{c} {short_arg}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTS: &[Opt] = &[
        Opt::new("target", Some('t'), HasArg::Required),
        Opt::new("timeout", Some('T'), HasArg::Required),
        Opt::new("help", Some('h'), HasArg::No),
        Opt::new("verbose", Some('v'), HasArg::Optional),
        Opt::new("detach", None, HasArg::No),
        Opt::new("log-file", None, HasArg::Optional),
    ];

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn parse(list: &[&str], permute: bool) -> (Vec<Result<Parsed, String>>, Vec<String>) {
        let mut g = Getopt::new(args(list), OPTS, permute);
        let items: Vec<_> = g.by_ref().collect();
        (items, g.operands())
    }

    fn opt(name: &'static str, value: Option<&str>) -> Result<Parsed, String> {
        Ok(Parsed {
            name,
            value: value.map(String::from),
        })
    }

    #[test]
    fn long_short_and_bundled_forms() {
        let (items, rest) = parse(
            &[
                "--target=a",
                "--timeout",
                "5",
                "-tb",
                "-T",
                "6",
                "-hvdbg",
                "--log-file",
                "x",
            ],
            true,
        );
        assert_eq!(
            items,
            vec![
                opt("target", Some("a")),
                opt("timeout", Some("5")),
                opt("target", Some("b")),
                opt("timeout", Some("6")),
                opt("help", None),
                opt("verbose", Some("dbg")),
                opt("log-file", None),
            ]
        );
        assert_eq!(rest, ["x"]);
    }

    #[test]
    fn unique_prefixes_abbreviate() {
        let (items, _) = parse(&["--det", "--tar=x", "--verb"], true);
        assert_eq!(
            items,
            vec![
                opt("detach", None),
                opt("target", Some("x")),
                opt("verbose", None)
            ]
        );
    }

    #[test]
    fn errors_match_gnu_getopt() {
        let cases: &[(&[&str], &str)] = &[
            (&["--bogus"], "unrecognized option '--bogus'"),
            // The whole argument is quoted (observed from the reference's tools).
            (&["--bogus=1"], "unrecognized option '--bogus=1'"),
            (
                &["--t=1"],
                "option '--t=1' is ambiguous; possibilities: '--target' '--timeout'",
            ),
            (&["-x"], "invalid option -- 'x'"),
            (&["-t"], "option requires an argument -- 't'"),
            (&["--timeout"], "option '--timeout' requires an argument"),
            (&["--help=x"], "option '--help' doesn't allow an argument"),
            (
                &["--t", "x"],
                "option '--t' is ambiguous; possibilities: '--target' '--timeout'",
            ),
        ];
        for (argv, want) in cases {
            let (items, _) = parse(argv, true);
            assert_eq!(items.first(), Some(&Err(want.to_string())), "{argv:?}");
        }
    }

    #[test]
    fn permuting_collects_operands_and_plus_mode_stops_at_the_first() {
        let (items, rest) = parse(&["db1", "--detach", "db2", "--", "--help"], true);
        assert_eq!(items, vec![opt("detach", None)]);
        assert_eq!(rest, ["db1", "db2", "--help"]);

        let (items, rest) = parse(&["-t", "x", "cmd", "-t", "y"], false);
        assert_eq!(items, vec![opt("target", Some("x"))]);
        assert_eq!(rest, ["cmd", "-t", "y"]);
    }

    #[test]
    fn a_bad_letter_in_a_bundle_does_not_end_the_bundle() {
        let (items, _) = parse(&["-hxh", "-vconsole:dbg", "-hv"], true);
        assert_eq!(
            items,
            vec![
                opt("help", None),
                Err("invalid option -- 'x'".to_string()),
                opt("help", None),
                opt("verbose", Some("console:dbg")),
                opt("help", None),
                opt("verbose", None),
            ]
        );
    }

    #[test]
    fn a_lone_dash_is_an_operand() {
        let (items, rest) = parse(&["-", "--detach"], true);
        assert_eq!(items, vec![opt("detach", None)]);
        assert_eq!(rest, ["-"]);
    }

    #[test]
    fn option_list_format() {
        assert_eq!(
            option_list(&OPTS[2..6]),
            "--help\n-h \n--verbose=[ARG]\n-v [ARG]\n--detach\n--log-file=[ARG]\n"
        );
    }
}
