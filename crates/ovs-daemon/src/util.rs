//! Small helpers: errno texts as the C library words them (what the reference prints).

use std::io;

/// The C library's text for an errno value ("No such file or directory"), which is
/// what the reference prints in its messages, without Rust's " (os error N)" suffix.
pub fn strerror(errno: i32) -> String {
    let text = io::Error::from_raw_os_error(errno).to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// [`strerror`] for an `io::Error`, falling back to its own text when it carries no
/// errno.
pub fn error_text(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(errno) => strerror(errno),
        None => e.to_string(),
    }
}

/// Unix socket names are limited to 107 bytes. For a longer path, this opens its
/// directory and returns the equivalent `/proc/self/fd/N/NAME` (as the reference
/// does), together with the directory handle, which must stay open while the
/// short name is used. Short paths are returned as they are.
pub fn short_socket_path(
    path: &std::path::Path,
) -> io::Result<(std::path::PathBuf, Option<std::fs::File>)> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    const MAX: usize = 107;
    if path.as_os_str().as_bytes().len() <= MAX {
        return Ok((path.to_path_buf(), None));
    }
    let too_long = || io::Error::from_raw_os_error(libc::ENAMETOOLONG);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(too_long());
    };
    let dir = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY)
        .open(if dir.as_os_str().is_empty() {
            std::path::Path::new(".")
        } else {
            dir
        })?;
    let short = std::path::Path::new(&format!("/proc/self/fd/{}", dir.as_raw_fd())).join(name);
    if short.as_os_str().as_bytes().len() > MAX {
        return Err(too_long());
    }
    Ok((short, Some(dir)))
}

/// The errno of the last failed libc call, as an `io::Error`.
pub fn last_error() -> io::Error {
    io::Error::last_os_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_socket_paths_go_through_proc() {
        use std::os::unix::net::{UnixListener, UnixStream};
        let base = std::env::temp_dir().join(format!("oxvs-long-{}", std::process::id()));
        let deep = base.join("d".repeat(60)).join("e".repeat(60));
        std::fs::create_dir_all(&deep).unwrap();
        let path = deep.join("x.ctl");
        assert!(
            UnixListener::bind(&path).is_err(),
            "std alone cannot bind it"
        );
        let (short, _dir) = short_socket_path(&path).unwrap();
        assert!(short.starts_with("/proc/self/fd/"));
        let _listener = UnixListener::bind(&short).unwrap();
        assert!(path.exists());
        let (short, _dir) = short_socket_path(&path).unwrap();
        UnixStream::connect(&short).unwrap();
        let plain = std::path::Path::new("/tmp/x.ctl");
        assert_eq!(short_socket_path(plain).unwrap().0, plain);
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn errno_texts_have_no_rust_suffix() {
        assert_eq!(strerror(libc::ENOENT), "No such file or directory");
        assert_eq!(strerror(libc::ESRCH), "No such process");
        let e = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(error_text(&e), "Connection refused");
        let custom = io::Error::other("custom text");
        assert_eq!(error_text(&custom), "custom text");
    }
}
