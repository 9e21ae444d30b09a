//! Threads of a running process, as /proc shows them.

/// `Cpus_allowed_list` (e.g. "0-1,3") of the thread named `comm` in process
/// `pid` ("self" for this one), if such a thread runs.
pub fn thread_cpus(pid: &str, comm: &str) -> Option<String> {
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .flatten()
    {
        let path = task.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if name.trim_end() == comm {
            let status = std::fs::read_to_string(path.join("status")).ok()?;
            return status
                .lines()
                .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
                .map(|v| v.trim().to_owned());
        }
    }
    None
}
