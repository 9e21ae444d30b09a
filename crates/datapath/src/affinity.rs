//! Which CPUs the poll thread may run on.
//!
//! Like the reference's PMD threads, the poll thread of a `netdev`
//! datapath is pinned to one CPU by default: the lowest one the process
//! may use (the reference takes a core of each NUMA node). Why: the thread
//! sleeps whenever its ports are drained, and every frame that wakes it
//! comes from a sender's softirq; the scheduler then prefers to wake it on
//! the sender's CPU, where it queues behind the sender while another CPU
//! may sit idle. Pinned, the sender and the poll thread stay apart (on two
//! CPUs: 64-byte UDP forwarding about 15% faster). `other_config:
//! pmd-cpu-mask` chooses the CPUs instead ([`parse_cpu_mask`]). The dummy
//! datapath (tests, no kernel devices) is never pinned.

use std::io;

/// CPUs from a `pmd-cpu-mask` value: hexadecimal, optionally prefixed with
/// `0x`, lowest bit = CPU 0 (the `taskset` mask notation).
pub fn parse_cpu_mask(text: &str) -> Result<Vec<usize>, String> {
    let t = text.trim();
    let hex = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "invalid pmd-cpu-mask \"{text}\": not a hexadecimal mask"
        ));
    }
    let mut cpus = Vec::new();
    for (i, c) in hex.chars().rev().enumerate() {
        let nibble = c.to_digit(16).unwrap_or(0);
        for bit in 0..4 {
            if nibble & (1 << bit) != 0 {
                cpus.push(i * 4 + bit);
            }
        }
    }
    if cpus.is_empty() {
        return Err(format!("invalid pmd-cpu-mask \"{text}\": no CPU set"));
    }
    Ok(cpus)
}

/// The CPUs the calling thread may run on now.
pub(crate) fn current() -> io::Result<Vec<usize>> {
    // SAFETY: cpu_set_t is plain data (a bit array); zero is a valid value.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a live cpu_set_t and we pass its exact size; the
    // kernel writes at most that many bytes.
    let r = unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    let max = 8 * std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: CPU_ISSET only reads the set; every index is below its size.
    Ok((0..max)
        .filter(|&c| unsafe { libc::CPU_ISSET(c, &set) })
        .collect())
}

/// Restricts the calling thread to `cpus` (those beyond the kernel's set
/// size are ignored). Fails, changing nothing, when none of them is usable.
pub(crate) fn set(cpus: &[usize]) -> io::Result<()> {
    // SAFETY: cpu_set_t is plain data; zero is a valid (empty) set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    let max = 8 * std::mem::size_of::<libc::cpu_set_t>();
    for &c in cpus.iter().filter(|&&c| c < max) {
        // SAFETY: c is below the set's size (checked above).
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    // SAFETY: `set` is a live cpu_set_t and we pass its exact size; pid 0
    // is the calling thread.
    let r = unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The CPUs the poll thread should use: the configured ones, else (for a
/// `netdev` datapath) the lowest of those it was allowed at start, else
/// all of those.
pub(crate) fn choose(configured: Option<&[usize]>, dp_type: &str, allowed: &[usize]) -> Vec<usize> {
    match configured {
        Some(c) => c.to_vec(),
        None if dp_type == "netdev" => allowed.iter().min().map(|c| vec![*c]).unwrap_or_default(),
        None => allowed.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_parse_like_taskset() {
        assert_eq!(parse_cpu_mask("1"), Ok(vec![0]));
        assert_eq!(parse_cpu_mask("0x6"), Ok(vec![1, 2]));
        assert_eq!(parse_cpu_mask("0Xf0"), Ok(vec![4, 5, 6, 7]));
        assert_eq!(parse_cpu_mask("100000000"), Ok(vec![32]));
        for bad in ["", "0x", "0", "xyz", "0x1g", "-1"] {
            assert!(parse_cpu_mask(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn netdev_datapaths_pin_to_the_lowest_allowed_cpu() {
        assert_eq!(choose(None, "netdev", &[3, 1, 2]), vec![1]);
        assert_eq!(choose(None, "dummy", &[1, 2]), vec![1, 2]);
        assert_eq!(choose(Some(&[2, 3]), "netdev", &[0, 1]), vec![2, 3]);
        assert_eq!(choose(None, "netdev", &[]), Vec::<usize>::new());
    }

    #[test]
    fn a_thread_can_be_pinned_and_released() {
        std::thread::spawn(|| {
            let all = current().expect("affinity");
            assert!(!all.is_empty());
            let first = all[0];
            set(&[first]).expect("pin");
            assert_eq!(current().expect("affinity"), vec![first]);
            // No usable CPU: refused, nothing changes.
            assert!(set(&[]).is_err());
            assert_eq!(current().expect("affinity"), vec![first]);
            set(&all).expect("release");
            assert_eq!(current().expect("affinity"), all);
        })
        .join()
        .expect("thread");
    }
}
