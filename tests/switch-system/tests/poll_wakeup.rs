//! Our poll thread's two states on real ports: awake (it read the receive
//! rings from memory, ring ports out of its epoll set) and asleep (back in
//! the set, waiting in epoll). A frame that arrives just after it fell
//! asleep must wake it: if the ring ports were not put back in the set, or
//! a frame that came in between were not noticed, that frame would sit in
//! the ring until some later frame woke the thread.
//!
//! Ours only: the states are our poll thread's (`datapath::poll`). Each
//! frame is a lone one (an EtherType no host handles) sent once the thread
//! is asleep; each must reach the other host on its own.

use std::time::Duration;

use testkit::{wait_until, Flavor, HostOptions, SwitchLab, DEFAULT_TIMEOUT};

/// The system calls a thread sleeps in epoll with (epoll_wait exists on
/// x86_64 only; the others everywhere).
fn epoll_waits() -> Vec<String> {
    let mut nrs = vec![libc::SYS_epoll_pwait, libc::SYS_epoll_pwait2];
    #[cfg(target_arch = "x86_64")]
    nrs.push(libc::SYS_epoll_wait);
    nrs.iter().map(|n| n.to_string()).collect()
}

/// The state letter of `pid`'s thread named `comm` and the system call it
/// is blocked in (the first field of /proc/.../syscall).
fn thread_state(pid: u32, comm: &str) -> Option<(char, String)> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    for task in tasks.flatten() {
        let dir = task.path();
        let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if name.trim() != comm {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        // "tid (comm) S ...": the state follows the last ')'.
        let state = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
        let syscall = std::fs::read_to_string(dir.join("syscall")).unwrap_or_default();
        let nr = syscall.split_whitespace().next().unwrap_or("").to_owned();
        return Some((state, nr));
    }
    None
}

#[test]
fn lone_frames_wake_the_sleeping_poll_thread() {
    let mut lab = SwitchLab::start("poll-wakeup", Flavor::Oxvs);
    lab.add_bridge("br0");
    let quiet = HostOptions {
        no_ipv6: true,
        ..HostOptions::default()
    };
    let h1 = lab.add_host_with("h1", "10.7.0.1/24", &quiet);
    let h2 = lab.add_host_with("h2", "10.7.0.2/24", &quiet);
    lab.add_port_numbered("br0", &h1, 1);
    lab.add_port_numbered("br0", &h2, 2);
    // Straight from port 1 to port 2: no learning needed, no flooding.
    lab.ofctl(&["add-flow", "br0", "priority=10,in_port=1,actions=output:2"]);
    let capture = lab.capture(&h2, "h2", "ether proto 0x88b5");
    let frame = format!(
        "{}{}88b5{}",
        h2.mac.replace(':', ""),
        h1.mac.replace(':', ""),
        "00".repeat(46)
    );
    // tcpdump adds hex lines under each frame of an unknown EtherType.
    let frames_seen = || {
        capture
            .lines()
            .iter()
            .filter(|l| l.contains("ethertype Unknown (0x88b5)"))
            .count()
    };
    let pid = lab.vswitchd_pid();
    let epoll_waits = epoll_waits();
    for i in 1..=8usize {
        // Wait until the poll thread sleeps in epoll (after its spin).
        let mut seen = None;
        let asleep = wait_until(DEFAULT_TIMEOUT, "the poll thread to sleep", || {
            seen = thread_state(pid, "pmd-ovs-netdev");
            seen.as_ref()
                .is_some_and(|(state, nr)| *state == 'S' && epoll_waits.contains(nr))
        });
        assert!(asleep.is_ok(), "frame {i}: poll thread last seen {seen:?}");
        lab.send_frame(&h1, &frame);
        let arrived = wait_until(Duration::from_secs(5), "the lone frame", || {
            frames_seen() >= i
        });
        assert!(
            arrived.is_ok(),
            "frame {i} did not come through on its own; captured: {:?}",
            capture.lines()
        );
    }
    assert_eq!(frames_seen(), 8, "{:?}", capture.lines());
}
