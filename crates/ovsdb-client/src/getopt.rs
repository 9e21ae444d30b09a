//! Command-line option scanning with GNU `getopt_long` rules, which the reference
//! uses and whose behaviour scripts rely on: options may follow operands, long
//! options may be abbreviated to any unique prefix, `--` ends options, short
//! options cluster (`-fjson`), and the error texts are glibc's.

/// Whether an option takes a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasArg {
    No,
    Required,
    /// Only attached: `--opt=VALUE` or `-oVALUE`.
    Optional,
}

/// One option: its long name, an optional short letter, and an identifier.
#[derive(Clone, Copy, Debug)]
pub struct OptSpec<T> {
    pub long: &'static str,
    pub short: Option<char>,
    pub has_arg: HasArg,
    pub id: T,
}

/// Scans `args` (without the program name). Calls `handle` for each option in
/// command-line order, so that an option such as `--help` can end the program
/// before later errors are seen, and returns the operands in order. An error is
/// the message glibc prints after `<argv[0]>: `.
pub fn scan<T: Copy, E>(
    specs: &[OptSpec<T>],
    args: &[String],
    mut handle: impl FnMut(T, Option<String>) -> Result<(), E>,
    usage_error: impl Fn(String) -> E,
) -> Result<Vec<String>, E> {
    let mut operands = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            operands.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let spec = find_long(specs, name, arg).map_err(&usage_error)?;
            let value = match spec.has_arg {
                HasArg::No if value.is_some() => {
                    return Err(usage_error(format!(
                        "option '--{}' doesn't allow an argument",
                        spec.long
                    )))
                }
                HasArg::No | HasArg::Optional => value,
                HasArg::Required => match value {
                    Some(v) => Some(v),
                    None if i < args.len() => {
                        i += 1;
                        Some(args[i - 1].clone())
                    }
                    None => {
                        return Err(usage_error(format!(
                            "option '--{}' requires an argument",
                            spec.long
                        )))
                    }
                },
            };
            handle(spec.id, value)?;
        } else if arg.len() > 1 && arg.starts_with('-') {
            let cluster: Vec<char> = arg[1..].chars().collect();
            let mut k = 0;
            while k < cluster.len() {
                let c = cluster[k];
                k += 1;
                let Some(spec) = specs.iter().find(|s| s.short == Some(c)) else {
                    return Err(usage_error(format!("invalid option -- '{c}'")));
                };
                let rest: String = cluster[k..].iter().collect();
                let value = match spec.has_arg {
                    HasArg::No => None,
                    HasArg::Optional => {
                        k = cluster.len();
                        (!rest.is_empty()).then_some(rest)
                    }
                    HasArg::Required => {
                        k = cluster.len();
                        if !rest.is_empty() {
                            Some(rest)
                        } else if i < args.len() {
                            i += 1;
                            Some(args[i - 1].clone())
                        } else {
                            return Err(usage_error(format!(
                                "option requires an argument -- '{c}'"
                            )));
                        }
                    }
                };
                handle(spec.id, value)?;
            }
        } else {
            operands.push(arg.clone());
        }
    }
    Ok(operands)
}

/// An exact match, else the only option that `name` abbreviates.
fn find_long<'a, T>(
    specs: &'a [OptSpec<T>],
    name: &str,
    arg: &str,
) -> Result<&'a OptSpec<T>, String> {
    if let Some(spec) = specs.iter().find(|s| s.long == name) {
        return Ok(spec);
    }
    let matches: Vec<&OptSpec<T>> = specs.iter().filter(|s| s.long.starts_with(name)).collect();
    match matches.as_slice() {
        [] => Err(format!("unrecognized option '{arg}'")),
        [only] => Ok(only),
        several => {
            let list: Vec<String> = several.iter().map(|s| format!("'--{}'", s.long)).collect();
            Err(format!(
                "option '{arg}' is ambiguous; possibilities: {}",
                list.join(" ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[OptSpec<u8>] = &[
        OptSpec {
            long: "force",
            short: None,
            has_arg: HasArg::No,
            id: 1,
        },
        OptSpec {
            long: "format",
            short: Some('f'),
            has_arg: HasArg::Required,
            id: 2,
        },
        OptSpec {
            long: "verbose",
            short: Some('v'),
            has_arg: HasArg::Optional,
            id: 3,
        },
    ];

    type Seen = Vec<(u8, Option<String>)>;

    fn run(args: &[&str]) -> Result<(Seen, Vec<String>), String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut seen = Vec::new();
        let operands = scan(
            SPECS,
            &args,
            |id, v| {
                seen.push((id, v));
                Ok::<(), String>(())
            },
            |e| e,
        )?;
        Ok((seen, operands))
    }

    #[test]
    fn glibc_rules() {
        let (seen, ops) = run(&[
            "a",
            "--form=json",
            "-vdbg",
            "b",
            "-f",
            "csv",
            "--",
            "--force",
        ])
        .unwrap();
        assert_eq!(
            seen,
            [
                (2, Some("json".into())),
                (3, Some("dbg".into())),
                (2, Some("csv".into()))
            ]
        );
        assert_eq!(ops, ["a", "b", "--force"]);
        assert_eq!(
            run(&["--f=json"]).unwrap_err(),
            "option '--f=json' is ambiguous; possibilities: '--force' '--format'"
        );
        assert_eq!(
            run(&["--bogus"]).unwrap_err(),
            "unrecognized option '--bogus'"
        );
        assert_eq!(run(&["-x"]).unwrap_err(), "invalid option -- 'x'");
        assert_eq!(
            run(&["-f"]).unwrap_err(),
            "option requires an argument -- 'f'"
        );
        assert_eq!(
            run(&["--format"]).unwrap_err(),
            "option '--format' requires an argument"
        );
        assert_eq!(
            run(&["--force=1"]).unwrap_err(),
            "option '--force' doesn't allow an argument"
        );
        let (seen, _) = run(&["-v", "x"]).unwrap();
        assert_eq!(seen, [(3, None)]);
    }
}
