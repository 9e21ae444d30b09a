//! Real sockets: blocking clients against tokio listeners and the other way
//! round, over Unix sockets and TCP (port 0), including a `punix:` that has
//! to replace a stale socket file. Every wait is bounded.

use ovs_stream::aio;
use ovs_stream::{connect, error_text, Address, ListenAddress, Listener, Stream, OVSDB_PORT};
use std::io::{self, Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::thread;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Bound on any single wait in these tests; hitting it means a bug.
const LIMIT: Duration = Duration::from_secs(20);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn active(name: &str) -> Address {
    Address::parse(name, OVSDB_PORT).unwrap()
}

fn passive(name: &str) -> ListenAddress {
    ListenAddress::parse(name, OVSDB_PORT).unwrap()
}

/// A blocking client: sends `ping`, expects `PING` back.
fn blocking_client(addr: Address) -> thread::JoinHandle<io::Result<Vec<u8>>> {
    thread::spawn(move || {
        let mut s = connect(&addr, Some(LIMIT))?;
        s.set_read_timeout(Some(LIMIT))?;
        s.write_all(b"ping")?;
        let mut reply = [0u8; 4];
        s.read_exact(&mut reply)?;
        Ok(reply.to_vec())
    })
}

/// Accepts one connection on a tokio listener and answers in upper case.
async fn serve_one(listener: &aio::Listener) -> String {
    let (stream, peer) = tokio::time::timeout(LIMIT, listener.accept())
        .await
        .expect("accept timed out")
        .expect("accept");
    let (mut r, mut w) = stream.into_split();
    let mut buf = [0u8; 4];
    tokio::time::timeout(LIMIT, r.read_exact(&mut buf))
        .await
        .expect("read timed out")
        .expect("read");
    w.write_all(&buf.to_ascii_uppercase()).await.expect("write");
    peer
}

#[test]
fn blocking_client_talks_to_tokio_unix_listener() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sock");
    let rt = runtime();
    let peer = rt.block_on(async {
        let listener = aio::Listener::bind(&passive(&format!("punix:{}", path.display())))
            .await
            .unwrap();
        assert_eq!(listener.local_port(), None);
        assert_eq!(listener.socket_path(), Some(path.as_path()));
        let client = blocking_client(active(&format!("unix:{}", path.display())));
        let peer = serve_one(&listener).await;
        assert_eq!(client.join().unwrap().unwrap(), b"PING");
        peer
    });
    assert!(peer.starts_with("unix#"), "peer name {peer}");
    // Dropping the listener (at the end of block_on) removed the socket file.
    assert!(!path.exists(), "socket file left behind");
}

#[test]
fn blocking_client_talks_to_tokio_tcp_listener_on_port_zero() {
    let rt = runtime();
    rt.block_on(async {
        let listener = aio::Listener::bind(&passive("ptcp:0:127.0.0.1"))
            .await
            .unwrap();
        let port = listener.local_port().expect("a TCP port");
        assert_ne!(port, 0);
        let client = blocking_client(active(&format!("tcp:127.0.0.1:{port}")));
        let peer = serve_one(&listener).await;
        assert!(peer.starts_with("tcp:127.0.0.1:"), "peer name {peer}");
        assert_eq!(client.join().unwrap().unwrap(), b"PING");
    });
}

#[test]
fn blocking_client_talks_to_tokio_tcp_listener_over_ipv6() {
    let rt = runtime();
    rt.block_on(async {
        let listener = match aio::Listener::bind(&passive("ptcp:0:[::1]")).await {
            Ok(l) => l,
            // A machine without IPv6 loopback cannot run this test.
            Err(e) if e.raw_os_error() == Some(libc::EADDRNOTAVAIL) => return,
            Err(e) => panic!("bind ptcp:0:[::1]: {e}"),
        };
        let port = listener.local_port().unwrap();
        let client = blocking_client(active(&format!("tcp:[::1]:{port}")));
        let peer = serve_one(&listener).await;
        assert!(peer.starts_with("tcp:[::1]:"), "peer name {peer}");
        assert_eq!(client.join().unwrap().unwrap(), b"PING");
    });
}

#[test]
fn tcp_connections_have_nodelay_and_the_reference_dscp() {
    let listener = Listener::bind(&passive("ptcp:0:127.0.0.1")).unwrap();
    let port = listener.local_port().unwrap();
    let client = connect(&active(&format!("tcp:127.0.0.1:{port}")), Some(LIMIT)).unwrap();
    let (server, _) = listener.accept().unwrap();
    let tos = |s: &Stream| match s {
        Stream::Tcp(t) => {
            assert!(t.nodelay().unwrap());
            socket2::SockRef::from(t).tos_v4().unwrap()
        }
        other => panic!("expected TCP, got {other:?}"),
    };
    // Observed with tcpdump: the real ovsdb-client sends with TOS 0xc0
    // (DSCP 48); the real ovsdb-server's ptcp: side sends with 0.
    assert_eq!(tos(&client), 0xc0);
    assert_eq!(tos(&server), 0);
}

#[test]
fn tokio_client_talks_to_blocking_listener() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.sock");
    let listener = Listener::bind(&passive(&format!("punix:{}", path.display()))).unwrap();
    let server = thread::spawn(move || -> io::Result<String> {
        let (mut s, peer) = listener.accept()?;
        s.set_read_timeout(Some(LIMIT))?;
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf)?;
        s.write_all(&buf.to_ascii_uppercase())?;
        Ok(peer)
    });
    let rt = runtime();
    rt.block_on(async {
        let mut s = aio::connect(&active(&format!("unix:{}", path.display())))
            .await
            .unwrap();
        s.write_all(b"ping").await.unwrap();
        let mut buf = [0u8; 4];
        tokio::time::timeout(LIMIT, s.read_exact(&mut buf))
            .await
            .expect("read timed out")
            .unwrap();
        assert_eq!(&buf, b"PING");
    });
    let peer = server.join().unwrap().unwrap();
    assert!(peer.starts_with("unix#"), "{peer}");
}

#[test]
fn tokio_client_connects_over_tcp_and_splits() {
    let rt = runtime();
    rt.block_on(async {
        let listener = aio::Listener::bind(&passive("ptcp:0:127.0.0.1"))
            .await
            .unwrap();
        let port = listener.local_port().unwrap();
        let client = async {
            let s = aio::connect(&active(&format!("tcp:127.0.0.1:{port}"))).await?;
            let (mut r, mut w) = s.into_split();
            w.write_all(b"ping").await?;
            let mut buf = [0u8; 4];
            r.read_exact(&mut buf).await?;
            io::Result::Ok(buf)
        };
        let (reply, peer) = tokio::join!(tokio::time::timeout(LIMIT, client), serve_one(&listener));
        assert_eq!(&reply.expect("client timed out").unwrap(), b"PING");
        assert!(peer.starts_with("tcp:127.0.0.1:"), "{peer}");
    });
}

/// Sets `path` up like a server that died: a socket file nobody listens on.
fn make_stale_socket(path: &Path) {
    let l = std::os::unix::net::UnixListener::bind(path).unwrap();
    drop(l);
    assert!(std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_socket());
    // Nobody is listening: connecting fails.
    let e = connect(&active(&format!("unix:{}", path.display())), Some(LIMIT)).unwrap_err();
    assert_eq!(error_text(&e), "Connection refused");
}

#[test]
fn punix_replaces_a_stale_socket_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sock");
    make_stale_socket(&path);
    let rt = runtime();
    rt.block_on(async {
        let listener = aio::Listener::bind(&passive(&format!("punix:{}", path.display())))
            .await
            .unwrap();
        let client = blocking_client(active(&format!("unix:{}", path.display())));
        serve_one(&listener).await;
        assert_eq!(client.join().unwrap().unwrap(), b"PING");
    });

    // The blocking listener does the same.
    make_stale_socket(&path);
    let listener = Listener::bind(&passive(&format!("punix:{}", path.display()))).unwrap();
    let _client = connect(&active(&format!("unix:{}", path.display())), Some(LIMIT)).unwrap();
    listener.accept().unwrap();
    drop(listener);
    assert!(!path.exists());
}

#[test]
fn punix_never_replaces_a_file_that_is_not_a_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conf.db");
    std::fs::write(&path, "precious").unwrap();
    let name = format!("punix:{}", path.display());
    let e = Listener::bind(&passive(&name)).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(
        error_text(&e),
        format!(
            "{}: file exists and is not a socket; not replacing it",
            path.display()
        )
    );
    let rt = runtime();
    let e = rt
        .block_on(aio::Listener::bind(&passive(&name)))
        .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
}

#[test]
fn connect_errors_keep_the_os_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing.sock");
    let e = connect(&active(&format!("unix:{}", missing.display())), None).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
    assert_eq!(error_text(&e), "No such file or directory");

    // A port that was just free: bind, learn the port, close, connect.
    let port = {
        let l = Listener::bind(&passive("ptcp:0:127.0.0.1")).unwrap();
        l.local_port().unwrap()
    };
    let e = connect(&active(&format!("tcp:127.0.0.1:{port}")), Some(LIMIT)).unwrap_err();
    assert_eq!(error_text(&e), "Connection refused");
}

#[test]
fn ssl_is_reported_as_not_supported() {
    let e = connect(&active("ssl:127.0.0.1:6640"), None).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::Unsupported);
    assert_eq!(
        error_text(&e),
        "ssl:127.0.0.1:6640: SSL is not supported yet"
    );
    let e = Listener::bind(&passive("pssl:0")).unwrap_err();
    assert_eq!(error_text(&e), "pssl:0: SSL is not supported yet");
    let rt = runtime();
    rt.block_on(async {
        let e = aio::connect(&active("ssl:[::1]")).await.unwrap_err();
        assert_eq!(error_text(&e), "ssl:[::1]:6640: SSL is not supported yet");
        let e = aio::Listener::bind(&passive("pssl:")).await.unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Unsupported);
        assert_eq!(error_text(&e), "pssl:6640: SSL is not supported yet");
    });
}

#[test]
fn blocking_stream_clones_and_shuts_down() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let listener = Listener::bind(&passive(&format!("punix:{}", path.display()))).unwrap();
    let client = connect(&active(&format!("unix:{}", path.display())), Some(LIMIT)).unwrap();
    let (mut server, _) = listener.accept().unwrap();
    server.set_read_timeout(Some(LIMIT)).unwrap();
    let writer = client.try_clone().unwrap();
    (&writer).write_all(b"abc").unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let mut all = Vec::new();
    server.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"abc");
}

#[test]
fn socket_paths_longer_than_sockaddr_un_work() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("a".repeat(60)).join("b".repeat(60));
    std::fs::create_dir_all(&deep).unwrap();
    let path = deep.join("db.sock");
    assert!(path.as_os_str().len() > 108, "{}", path.display());
    let unix = active(&format!("unix:{}", path.display()));

    let listener = Listener::bind(&passive(&format!("punix:{}", path.display()))).unwrap();
    assert!(path.exists(), "socket file not at the long path");
    let _client = connect(&unix, Some(LIMIT)).unwrap();
    listener.accept().unwrap();
    drop(listener);
    assert!(!path.exists());

    let rt = runtime();
    rt.block_on(async {
        let listener = aio::Listener::bind(&passive(&format!("punix:{}", path.display())))
            .await
            .unwrap();
        let (client, _peer) = tokio::join!(aio::connect(&unix), serve_accept_only(&listener));
        client.unwrap();
    });
    assert!(!path.exists());
}

async fn serve_accept_only(listener: &aio::Listener) -> String {
    let (_s, peer) = tokio::time::timeout(LIMIT, listener.accept())
        .await
        .expect("accept timed out")
        .unwrap();
    peer
}
