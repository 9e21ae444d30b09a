//! Against the real Open vSwitch: our blocking client talks JSON-RPC to the
//! real ovsdb-server over `unix:` and `tcp:` (port 0), and the real
//! ovsdb-client connects to our tokio listeners on `punix:` and `ptcp:0`.

use ovs_json::rpc::{Connection, Message};
use ovs_json::Json;
use ovs_stream::{aio, connect, Address, ListenAddress, OVSDB_PORT};
use std::time::Duration;
use testkit::real_ovs::{OVSDB_CLIENT, VSWITCH_SCHEMA};
use testkit::{start_real_ovsdb_server_with, wait_until, RunDir, DEFAULT_TIMEOUT};

const LIMIT: Duration = Duration::from_secs(20);

fn list_dbs(addr: &Address) -> Json {
    let stream = connect(addr, Some(LIMIT)).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream.set_read_timeout(Some(LIMIT)).unwrap();
    let mut conn = Connection::new(stream);
    conn.call("list_dbs", vec![])
        .unwrap_or_else(|e| panic!("list_dbs over {addr}: {e}"))
}

#[test]
fn our_client_reaches_the_real_ovsdb_server() {
    let dir = RunDir::new("stream-real-server");
    let db = dir.conf_db();
    let log = dir.log("ovsdb-server");
    let _server = start_real_ovsdb_server_with(
        &dir,
        &db,
        Some(VSWITCH_SCHEMA.as_ref()),
        &["--remote=ptcp:0:127.0.0.1"],
    );
    // The real server logs the port the kernel chose for ptcp:0.
    let mut port = None;
    wait_until(DEFAULT_TIMEOUT, "ovsdb-server to log its TCP port", || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        port = text
            .lines()
            .find_map(|l| l.split("listening on port ").nth(1))
            .and_then(|p| p.trim().parse::<u16>().ok());
        port.is_some()
    })
    .unwrap();
    let port = port.unwrap();

    let expected = Json::Array(vec![
        Json::String("Open_vSwitch".into()),
        Json::String("_Server".into()),
    ]);
    let unix = Address::parse(&format!("unix:{}", dir.db_sock().display()), OVSDB_PORT).unwrap();
    assert_eq!(list_dbs(&unix), expected);
    let tcp = Address::parse(&format!("tcp:127.0.0.1:{port}"), OVSDB_PORT).unwrap();
    assert_eq!(list_dbs(&tcp), expected);
}

/// Answers one `list_dbs` on `listener` with `["Fake_DB"]`.
async fn answer_list_dbs(listener: &aio::Listener) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut stream, _peer) = tokio::time::timeout(LIMIT, listener.accept())
        .await
        .expect("the real ovsdb-client never connected")
        .unwrap();
    let mut framer = ovs_json::Framer::new(1 << 20);
    let mut buf = [0u8; 4096];
    let request = loop {
        if let Some(frame) = framer.next_message() {
            break Message::from_json(frame.unwrap()).unwrap();
        }
        let n = tokio::time::timeout(LIMIT, stream.read(&mut buf))
            .await
            .expect("no request from ovsdb-client")
            .unwrap();
        assert_ne!(n, 0, "ovsdb-client closed without a request");
        framer.push(&buf[..n]);
    };
    let Message::Request { method, id, .. } = request else {
        panic!("expected a request, got {request:?}");
    };
    assert_eq!(method, "list_dbs");
    let reply = Message::Reply {
        result: Json::Array(vec![Json::String("Fake_DB".into())]),
        id,
    };
    stream
        .write_all(reply.to_json().to_compact().as_bytes())
        .await
        .unwrap();
    stream.flush().await.unwrap();
}

/// Runs the real `ovsdb-client list-dbs SERVER` while our listener answers.
fn real_client_against(listen: &str, server: impl Fn(&aio::Listener) -> String) {
    let dir = RunDir::new("stream-real-client");
    let listen = listen.replace("RUNDIR", &dir.path().display().to_string());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let addr = ListenAddress::parse(&listen, OVSDB_PORT).unwrap();
        let listener = aio::Listener::bind(&addr).await.unwrap();
        let target = server(&listener);
        let mut cmd = dir.command(OVSDB_CLIENT);
        cmd.arg("--timeout=20").arg("list-dbs").arg(&target);
        let client = tokio::task::spawn_blocking(move || testkit::run(&mut cmd));
        answer_list_dbs(&listener).await;
        let out = client.await.unwrap();
        assert!(
            out.success(),
            "ovsdb-client list-dbs {target}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "Fake_DB\n");
    });
}

#[test]
fn real_client_reaches_our_punix_listener() {
    real_client_against("punix:RUNDIR/fake.sock", |l| {
        format!("unix:{}", l.socket_path().unwrap().display())
    });
}

#[test]
fn real_client_reaches_our_ptcp_listener_on_port_zero() {
    real_client_against("ptcp:0:127.0.0.1", |l| {
        format!("tcp:127.0.0.1:{}", l.local_port().unwrap())
    });
}
