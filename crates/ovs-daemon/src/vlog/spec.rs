//! Parsing of level specs (`-vSPEC`, `vlog/set SPEC`): words separated by spaces,
//! commas or colons, at most one module, one destination and one level, in any order
//! and any case; or `PATTERN:destination:pattern`; or `FACILITY:facility`.

use super::level::{facility_from_name, Destination, Level};

/// What a spec asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Spec {
    /// Set `level` for `module` (all when None) on `destination` (all when None).
    Levels {
        module: Option<String>,
        destination: Option<Destination>,
        level: Level,
    },
    /// Set the pattern of `destination` (all when None).
    Pattern {
        destination: Option<Destination>,
        pattern: String,
    },
    /// Set the syslog facility.
    Facility(u8),
}

const SEPARATORS: &[char] = &[' ', ',', ':', '\t'];

/// Splits off the next word, skipping leading separators (like strtok): returns the
/// word and what follows the separator that ended it.
fn next_word(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start_matches(SEPARATORS);
    if s.is_empty() {
        return None;
    }
    match s.find(SEPARATORS) {
        Some(i) => {
            let sep_len = s[i..].chars().next().map_or(1, char::len_utf8);
            Some((&s[..i], &s[i + sep_len..]))
        }
        None => Some((s, "")),
    }
}

/// Parses `spec`. `find_module` maps a word to the registered module it names
/// (ignoring case), if any.
pub fn parse(spec: &str, find_module: impl Fn(&str) -> Option<String>) -> Result<Spec, String> {
    let first = next_word(spec);
    if let Some((word, rest)) = first {
        if word.eq_ignore_ascii_case("PATTERN") {
            let (dest, pattern) = next_word(rest).ok_or("missing destination")?;
            let destination = if dest.eq_ignore_ascii_case("any") {
                None
            } else {
                Some(
                    Destination::from_name(dest)
                        .ok_or_else(|| format!("unknown destination \"{dest}\""))?,
                )
            };
            return Ok(Spec::Pattern {
                destination,
                pattern: pattern.to_string(),
            });
        }
        if word.eq_ignore_ascii_case("FACILITY") {
            // The name is all that follows the one separator after the keyword, so
            // "FACILITY::local0" is refused, as the reference refuses it.
            return facility_from_name(rest)
                .map(Spec::Facility)
                .ok_or_else(|| "invalid facility".to_string());
        }
    }

    let mut module = None;
    let mut destination = None;
    let mut level = None;
    let mut rest = spec;
    while let Some((word, after)) = next_word(rest) {
        rest = after;
        // Accepted for compatibility with old releases; it means nothing.
        if word.eq_ignore_ascii_case("any") {
            continue;
        }
        if let Some(d) = Destination::from_name(word) {
            if destination.is_some() {
                return Err("cannot specify multiple destinations".into());
            }
            destination = Some(d);
        } else if let Some(l) = Level::from_name(word) {
            if level.is_some() {
                return Err("cannot specify multiple levels".into());
            }
            level = Some(l);
        } else if let Some(m) = find_module(word) {
            if module.is_some() {
                return Err("cannot specify multiple modules".into());
            }
            module = Some(m);
        } else {
            return Err(format!("no destination, level, or module \"{word}\""));
        }
    }
    Ok(Spec::Levels {
        module,
        destination,
        level: level.unwrap_or(Level::Dbg),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(word: &str) -> Option<String> {
        ["vlog", "ovsdb", "unixctl"]
            .into_iter()
            .find(|m| m.eq_ignore_ascii_case(word))
            .map(String::from)
    }

    fn levels(m: Option<&str>, d: Option<Destination>, l: Level) -> Spec {
        Spec::Levels {
            module: m.map(String::from),
            destination: d,
            level: l,
        }
    }

    #[test]
    fn words_in_any_order_case_and_separator() {
        use Destination::*;
        assert_eq!(
            parse("ovsdb:console:info", modules),
            Ok(levels(Some("ovsdb"), Some(Console), Level::Info))
        );
        assert_eq!(
            parse("INFO,Console ovsdb", modules),
            Ok(levels(Some("ovsdb"), Some(Console), Level::Info))
        );
        assert_eq!(
            parse("Ovsdb", modules),
            Ok(levels(Some("ovsdb"), None, Level::Dbg))
        );
        assert_eq!(
            parse("file:warn", modules),
            Ok(levels(None, Some(File), Level::Warn))
        );
        assert_eq!(parse("off", modules), Ok(levels(None, None, Level::Off)));
        // Empty words are skipped; "any" means nothing.
        assert_eq!(
            parse("ovsdb::info:", modules),
            Ok(levels(Some("ovsdb"), None, Level::Info))
        );
        assert_eq!(
            parse("ANY:ANY:ANY", modules),
            Ok(levels(None, None, Level::Dbg))
        );
        assert_eq!(parse("", modules), Ok(levels(None, None, Level::Dbg)));
    }

    #[test]
    fn errors_use_the_reference_texts() {
        assert_eq!(
            parse("console:file", modules),
            Err("cannot specify multiple destinations".into())
        );
        assert_eq!(
            parse("ovsdb:vlog", modules),
            Err("cannot specify multiple modules".into())
        );
        assert_eq!(
            parse("info:dbg", modules),
            Err("cannot specify multiple levels".into())
        );
        assert_eq!(
            parse("console:xyz", modules),
            Err("no destination, level, or module \"xyz\"".into())
        );
        assert_eq!(
            parse("a b c", modules),
            Err("no destination, level, or module \"a\"".into())
        );
    }

    #[test]
    fn patterns_take_the_rest_of_the_text() {
        assert_eq!(
            parse("PATTERN:console:%d{%H:%M} %m", modules),
            Ok(Spec::Pattern {
                destination: Some(Destination::Console),
                pattern: "%d{%H:%M} %m".into()
            })
        );
        assert_eq!(
            parse("pattern:file", modules),
            Ok(Spec::Pattern {
                destination: Some(Destination::File),
                pattern: String::new()
            })
        );
        assert_eq!(parse("PATTERN", modules), Err("missing destination".into()));
        assert_eq!(
            parse("PATTERN:xx:%m", modules),
            Err("unknown destination \"xx\"".into())
        );
    }

    #[test]
    fn facilities() {
        assert_eq!(parse("FACILITY:local0", modules), Ok(Spec::Facility(16)));
        assert_eq!(parse("facility:daemon", modules), Ok(Spec::Facility(3)));
        assert_eq!(
            parse("FACILITY:xx", modules),
            Err("invalid facility".into())
        );
        assert_eq!(parse("FACILITY", modules), Err("invalid facility".into()));
        assert_eq!(
            parse("FACILITY::local0", modules),
            Err("invalid facility".into())
        );
        assert_eq!(
            parse("FACILITY:local1:info", modules),
            Err("invalid facility".into())
        );
    }
}
