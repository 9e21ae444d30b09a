//! Unit tests of per-module state. Each test uses its own module names, because
//! tests run in parallel on the process-wide registry; behaviour that changes all
//! modules at once is tested in tests/vlog.rs, in a process of its own.

use super::*;

#[test]
fn list_rows_match_the_reference_layout() {
    static M: Module = Module::new("unit_list_layout");
    static LONG: Module = Module::new("unit_dpif_lookup_autovalidator");
    M.register();
    LONG.register();
    set_levels(
        Some("unit_list_layout"),
        Some(Destination::Console),
        Level::Off,
    )
    .unwrap();
    set_levels(
        Some("unit_list_layout"),
        Some(Destination::File),
        Level::Dbg,
    )
    .unwrap();
    let list = list();
    let mut lines = list.lines();
    assert_eq!(
        lines.next(),
        Some("                 console    syslog    file")
    );
    assert_eq!(
        lines.next(),
        Some("                 -------    ------    ------")
    );
    assert!(
        list.contains("\nunit_list_layout   OFF       INFO        DBG\n"),
        "{list}"
    );
    assert!(
        list.contains("\nunit_dpif_lookup_autovalidator  INFO       INFO       INFO\n"),
        "{list}"
    );
    // Sorted by name.
    let names: Vec<&str> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn specs_change_only_what_they_name() {
    static A: Module = Module::new("unit_spec_a");
    static B: Module = Module::new("unit_spec_b");
    A.register();
    B.register();
    set_levels_from_string("Unit_Spec_A:syslog:warn").unwrap();
    assert_eq!(A.level(Destination::Syslog), Level::Warn);
    assert_eq!(A.level(Destination::File), Level::Info);
    assert_eq!(B.level(Destination::Syslog), Level::Info);
    set_levels_from_string("unit_spec_b:off").unwrap();
    assert!(!B.is_enabled(Level::Emer));
    assert!(A.is_enabled(Level::Info));
    set_levels_from_string("unit_spec_b").unwrap();
    assert!(B.is_enabled(Level::Dbg));
    assert_eq!(
        set_verbosity(Some("unit_spec_a:nonsense")),
        Err(
            "processing \"unit_spec_a:nonsense\": no destination, level, or module \"nonsense\""
                .into()
        )
    );
    assert_eq!(
        set_levels(Some("unit_no_such_module"), None, Level::Dbg),
        Err("no destination, level, or module \"unit_no_such_module\"".into())
    );
}

#[test]
fn modules_with_the_same_name_share_levels() {
    static X1: Module = Module::new("unit_shared");
    static X2: Module = Module::new("unit_shared");
    X1.register();
    set_levels_from_string("unit_shared:console:emer").unwrap();
    assert_eq!(X1.level(Destination::Console), Level::Emer);
    assert_eq!(X2.level(Destination::Console), Level::Emer);
    register_name("unit_by_name_only");
    assert!(module_names().iter().any(|n| n == "unit_by_name_only"));
}

#[test]
fn rate_limit_switch_needs_a_known_module() {
    static R: Module = Module::new("unit_rate_switch");
    R.register();
    assert_eq!(set_rate_limit(Some("unit_rate_switch"), false), Ok(()));
    assert_eq!(
        set_rate_limit(Some("unit_nope"), false),
        Err("unknown module".into())
    );
}

#[test]
fn pattern_table_layout() {
    let text = list_patterns();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "         prefix                            format"
    );
    assert_eq!(
        lines[1],
        "         ------                            ------"
    );
    assert!(
        lines[2].starts_with("SYSLOG   <%B> %D{%h %e %T} %E %A:          "),
        "{text}"
    );
    assert!(
        lines[3].starts_with("CONSOLE  none                              "),
        "{text}"
    );
    assert!(
        lines[4].starts_with("FILE     none                              "),
        "{text}"
    );
}
