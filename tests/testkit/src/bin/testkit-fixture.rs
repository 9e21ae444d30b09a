//! A stand-in daemon for testkit's own tests: reports its environment on
//! stderr, then runs until killed, or exits at once with `exit=<code>`.

use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    for var in ["OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR"] {
        let value = std::env::var(var).unwrap_or_default();
        eprintln!("{var}={value}");
    }
    let cwd = std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|e| format!("<{e}>"));
    eprintln!("cwd={cwd}");
    for arg in std::env::args().skip(1) {
        eprintln!("arg={arg}");
        if let Some(code) = arg.strip_prefix("exit=") {
            return match code.parse::<u8>() {
                Ok(code) => ExitCode::from(code),
                Err(_) => {
                    eprintln!("testkit-fixture: bad exit code {code:?}");
                    ExitCode::from(2)
                }
            };
        }
    }
    eprintln!("ready");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
