//! The poll thread's CPU affinity: a `netdev` datapath's thread is pinned
//! to the lowest CPU the process may use (as the reference pins its PMD
//! threads), `set_pmd_cpu_mask` moves it, `None` restores the default, and
//! the dummy datapath's thread is left alone.

use std::time::Duration;

use datapath::Datapath;

/// The poll thread of the datapath named `name` ("pmd-" + name, as the
/// kernel truncates thread names to 15 bytes) and its allowed CPUs.
fn poll_thread_cpus(name: &str) -> Option<String> {
    let comm: String = format!("pmd-{name}").chars().take(15).collect();
    testkit::thread_cpus("self", &comm)
}

/// "0-1,3" -> [0, 1, 3].
fn expand(list: &str) -> Vec<usize> {
    let mut v = Vec::new();
    for part in list.split(',') {
        match part.split_once('-') {
            Some((a, b)) => v.extend(a.parse::<usize>().unwrap()..=b.parse::<usize>().unwrap()),
            None => v.push(part.parse().unwrap()),
        }
    }
    v
}

fn wait_for_cpus(name: &str, want: &[usize]) {
    let mut last = None;
    testkit::wait_until(
        Duration::from_secs(10),
        "the poll thread's affinity",
        || {
            last = poll_thread_cpus(name);
            last.as_deref().map(expand).as_deref() == Some(want)
        },
    )
    .unwrap_or_else(|e| panic!("{e}: last seen {last:?}, wanted {want:?}"));
}

#[test]
fn netdev_poll_thread_is_pinned_and_follows_the_mask() {
    let allowed = expand(&poll_thread_cpus_of_self());
    let name = format!("oxaf{}", std::process::id() % 100_000);
    let dp = Datapath::with_type("netdev", &name, std::sync::Arc::new(FixedClock));
    dp.start().unwrap();
    wait_for_cpus(&name, &allowed[..1]);
    // A mask naming the last allowed CPU moves it there.
    let last = *allowed.last().unwrap();
    let mask = format!("{:x}", 1u128 << last);
    dp.set_pmd_cpu_mask(Some(&mask)).unwrap();
    wait_for_cpus(&name, &[last]);
    assert!(dp.set_pmd_cpu_mask(Some("zz")).is_err());
    dp.set_pmd_cpu_mask(None).unwrap();
    wait_for_cpus(&name, &allowed[..1]);
    dp.stop();
}

#[test]
fn dummy_poll_thread_is_not_pinned() {
    let allowed = expand(&poll_thread_cpus_of_self());
    let name = format!("oxdu{}", std::process::id() % 100_000);
    let dp = Datapath::with_type("dummy", &name, std::sync::Arc::new(FixedClock));
    dp.start().unwrap();
    wait_for_cpus(&name, &allowed);
    dp.stop();
}

fn poll_thread_cpus_of_self() -> String {
    std::fs::read_to_string("/proc/thread-self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .unwrap()
        .trim()
        .to_string()
}

struct FixedClock;
impl datapath::Clock for FixedClock {
    fn now_ms(&self) -> u64 {
        0
    }
}
