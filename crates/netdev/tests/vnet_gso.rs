//! Offload pass-through (root, python3 required): a TCP stream between two
//! namespaces crosses a two-port forwarder built on `system` netdevs. The
//! sender's stack hands us GSO super-packets (large buffers with offload
//! facts); we send them on unchanged through the other port, and the receiver
//! gets exactly the bytes that were sent.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{veth, Netns};
use netdev::{Batch, Netdev};

const STREAM_BYTES: usize = 16 << 20;

const SERVER: &str = r#"
import hashlib, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5001))
s.listen(1)
s.settimeout(60)
print("ready", flush=True)
c, _ = s.accept()
c.settimeout(60)
h = hashlib.sha256()
n = 0
while True:
    d = c.recv(1 << 20)
    if not d:
        break
    h.update(d)
    n += len(d)
print(n, h.hexdigest(), flush=True)
"#;

const CLIENT: &str = r#"
import hashlib, random, socket, sys
n = int(sys.argv[2])
data = random.Random(7).randbytes(n)
c = socket.create_connection((sys.argv[1], 5001), timeout=60)
c.sendall(data)
c.close()
print(n, hashlib.sha256(data).hexdigest(), flush=True)
"#;

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn last_line(child: &mut Child) -> String {
    let out = child.stdout.take().expect("piped stdout");
    BufReader::new(out)
        .lines()
        .map_while(Result::ok)
        .last()
        .unwrap_or_default()
}

/// What a stream through the forwarder produced.
struct StreamResult {
    client_line: String,
    server_line: String,
    /// Largest frame and GSO super-packets received, per port (a, c).
    max_len: [usize; 2],
    gso_seen: [usize; 2],
}

/// Forwards between `a` and `c` until `server` exits (bounded), counting what
/// was received on each port.
fn forward_until_exit(
    a: &mut dyn Netdev,
    c: &mut dyn Netdev,
    server: &mut Child,
) -> ([usize; 2], [usize; 2]) {
    let mut batch = Batch::new();
    let (mut max_len, mut gso_seen) = ([0usize; 2], [0usize; 2]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut moved = 0;
        for i in 0..2 {
            let (from, to): (&mut dyn Netdev, &mut dyn Netdev) = if i == 0 {
                (&mut *a, &mut *c)
            } else {
                (&mut *c, &mut *a)
            };
            let n = from.recv(&mut batch).unwrap_or(0);
            for b in batch.iter() {
                max_len[i] = max_len[i].max(b.len());
                gso_seen[i] += usize::from(b.offload.is_some_and(|o| o.is_gso()));
            }
            if n > 0 {
                to.send_batch(&batch).unwrap();
            }
            moved += n;
        }
        if moved == 0 {
            if server.try_wait().expect("server status").is_some() {
                return (max_len, gso_seen);
            }
            assert!(Instant::now() < deadline, "stream did not finish in time");
            let mut fds = [
                libc::pollfd {
                    fd: a.fd().unwrap(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: c.fd().unwrap(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: two live pollfds.
            unsafe { libc::poll(fds.as_mut_ptr(), 2, 20) };
        }
    }
}

/// Runs a TCP stream from `client_ns` to `server_ip` in `server_ns` while
/// this process forwards between its ports `a` and `c` (opened in `fwd`).
/// `prepare` configures the ports once open (before the server binds).
fn run_stream(
    fwd: &Netns,
    ports: [(&str, &str); 2],
    prepare: impl FnOnce(&mut dyn Netdev, &mut dyn Netdev) + Send,
    server_ns: &Netns,
    server_ip: &str,
    client_ns: &Netns,
) -> StreamResult {
    fwd.run(|| {
        let mut a = netdev::open(ports[0].0, ports[0].1, &BTreeMap::new()).unwrap();
        let mut c = netdev::open(ports[1].0, ports[1].1, &BTreeMap::new()).unwrap();
        assert!(a.accepts_offload() && c.accepts_offload());
        prepare(&mut *a, &mut *c);

        let mut server = KillOnDrop(
            server_ns
                .command("python3")
                .args(["-c", SERVER, server_ip])
                .stdout(Stdio::piped())
                .spawn()
                .expect("python3 server"),
        );
        let mut server_reader = BufReader::new(server.0.stdout.take().expect("piped"));
        let mut ready = String::new();
        server_reader
            .read_line(&mut ready)
            .expect("server ready line");
        assert_eq!(ready.trim(), "ready");
        let mut client = KillOnDrop(
            client_ns
                .command("python3")
                .args(["-c", CLIENT, server_ip, &STREAM_BYTES.to_string()])
                .stdout(Stdio::piped())
                .spawn()
                .expect("python3 client"),
        );
        let (max_len, gso_seen) = forward_until_exit(&mut *a, &mut *c, &mut server.0);
        client.0.wait().expect("client exit");
        let mut server_line = String::new();
        server_reader
            .read_line(&mut server_line)
            .expect("server result line");
        eprintln!(
            "received GSO super-packets {gso_seen:?}, largest frames {max_len:?} (ports a, c)"
        );
        StreamResult {
            client_line: last_line(&mut client.0),
            server_line,
            max_len,
            gso_seen,
        }
    })
}

fn assert_same_bytes(r: &StreamResult) {
    assert!(
        r.client_line.starts_with(&STREAM_BYTES.to_string()),
        "client: {:?}",
        r.client_line
    );
    assert_eq!(
        r.server_line.trim(),
        r.client_line.trim(),
        "receiver got different bytes"
    );
}

#[test]
fn tcp_stream_passes_gso_through() {
    let ours = Netns::new("ndS");
    let (left, right) = (Netns::new("ndP"), Netns::new("ndQ"));
    veth(&ours, "a5", &left, "b5");
    veth(&ours, "c5", &right, "d5");
    left.ip(&["addr", "add", "10.97.0.1/24", "dev", "b5"]);
    right.ip(&["addr", "add", "10.97.0.2/24", "dev", "d5"]);
    let r = run_stream(
        &ours,
        [("system", "a5"), ("system", "c5")],
        |_, _| {},
        &right,
        "10.97.0.2",
        &left,
    );
    assert_same_bytes(&r);
    assert!(
        r.gso_seen[0] > 0,
        "no GSO super-packet received (largest frame {} bytes)",
        r.max_len[0]
    );
    assert!(
        r.max_len[0] > 1514,
        "largest frame only {} bytes",
        r.max_len[0]
    );
}

/// Brings a tap port up with an address in the forwarder's namespace.
fn tap_with_address(tap: &mut dyn Netdev, cidr: &str, ns: &Netns) {
    tap.set_hwaddr([0x02, 0x00, 0x5e, 0, 0, 7]).unwrap();
    tap.set_admin_up(true).unwrap();
    ns.ip(&["addr", "add", cidr, "dev", tap.name()]);
}

#[test]
fn tcp_stream_into_tap_takes_gso() {
    // The sender's super-packets arrive on a veth and are written, still
    // super-packets, into the tap; the host stack behind it receives them.
    let ours = Netns::new("ndV");
    let left = Netns::new("ndW");
    veth(&ours, "a7", &left, "b7");
    left.ip(&["addr", "add", "10.96.0.1/24", "dev", "b7"]);
    let tap = common::unique("tq");
    let r = run_stream(
        &ours,
        [("system", "a7"), ("internal", &tap)],
        |_, t| tap_with_address(t, "10.96.0.2/24", &ours),
        &ours,
        "10.96.0.2",
        &left,
    );
    assert_same_bytes(&r);
    assert!(r.gso_seen[0] > 0, "no GSO super-packet from the veth");
}

#[test]
fn tcp_stream_out_of_tap_gives_gso() {
    // The host stack behind the tap sends: TUNSETOFFLOAD lets it hand us TSO
    // super-packets, which we pass on to the veth.
    let ours = Netns::new("ndX");
    let right = Netns::new("ndY");
    veth(&ours, "a8", &right, "b8");
    right.ip(&["addr", "add", "10.95.0.1/24", "dev", "b8"]);
    let tap = common::unique("tr");
    let r = run_stream(
        &ours,
        [("system", "a8"), ("internal", &tap)],
        |_, t| tap_with_address(t, "10.95.0.2/24", &ours),
        &right,
        "10.95.0.1",
        &ours,
    );
    assert_same_bytes(&r);
    assert!(
        r.gso_seen[1] > 0,
        "no TSO super-packet from the tap (largest frame {} bytes)",
        r.max_len[1]
    );
}

#[test]
fn tcp_stream_over_vlan_keeps_offload_consistent() {
    // Left and right hosts are joined through a veth loop x11 <-> y11 that this
    // process drives with 802.1Q tag 100 pushed on the way in and popped on the
    // way out. The kernel strips the tag of received super-packets into
    // metadata; putting it back moves the checksum start and header length by
    // 4 bytes, which must stay right for the receiver to get valid segments.
    let ours = Netns::new("ndZ");
    let (left, right) = (Netns::new("ndR"), Netns::new("ndT"));
    veth(&ours, "a11", &left, "b11");
    veth(&ours, "c11", &right, "d11");
    ours.ip(&["link", "add", "x11", "type", "veth", "peer", "name", "y11"]);
    ours.ip(&["link", "set", "x11", "up"]);
    ours.ip(&["link", "set", "y11", "up"]);
    left.ip(&["addr", "add", "10.94.0.1/24", "dev", "b11"]);
    right.ip(&["addr", "add", "10.94.0.2/24", "dev", "d11"]);

    let (client_line, server_line, tagged_gso) = ours.run(|| {
        let open = |n: &str| netdev::open("system", n, &BTreeMap::new()).unwrap();
        // 0 = a11 (left), 1 = x11, 2 = y11, 3 = c11 (right)
        let mut ports = [open("a11"), open("x11"), open("y11"), open("c11")];
        // (from, to, push a tag?) — x11/y11 carry tagged frames.
        let routes = [
            (0usize, 1usize, true),
            (2, 3, false),
            (3, 2, true),
            (1, 0, false),
        ];
        let mut server = KillOnDrop(
            right
                .command("python3")
                .args(["-c", SERVER, "10.94.0.2"])
                .stdout(Stdio::piped())
                .spawn()
                .expect("server"),
        );
        let mut server_reader = BufReader::new(server.0.stdout.take().expect("piped"));
        let mut ready = String::new();
        server_reader
            .read_line(&mut ready)
            .expect("server ready line");
        assert_eq!(ready.trim(), "ready");
        let mut client = KillOnDrop(
            left.command("python3")
                .args(["-c", CLIENT, "10.94.0.2", &STREAM_BYTES.to_string()])
                .stdout(Stdio::piped())
                .spawn()
                .expect("client"),
        );
        let mut batch = Batch::new();
        let mut tagged_gso = 0usize;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mut moved = 0;
            for &(from, to, push) in &routes {
                let n = ports[from].recv(&mut batch).unwrap_or(0);
                for b in batch.iter_mut() {
                    if push {
                        packet::push_vlan(b, 0x8100, 100);
                    } else {
                        // Frames from the loop must arrive with their tag back.
                        assert_eq!(b.data()[12..16], [0x81, 0x00, 0x00, 100], "tag lost");
                        tagged_gso += usize::from(b.offload.is_some_and(|o| o.is_gso()));
                        packet::pop_vlan(b);
                    }
                }
                if n > 0 {
                    ports[to].send_batch(&batch).unwrap();
                }
                moved += n;
            }
            if moved == 0 {
                if server.0.try_wait().expect("server status").is_some() {
                    break;
                }
                assert!(Instant::now() < deadline, "stream did not finish in time");
                let mut fds: Vec<libc::pollfd> = ports
                    .iter()
                    .map(|p| libc::pollfd {
                        fd: p.fd().unwrap(),
                        events: libc::POLLIN,
                        revents: 0,
                    })
                    .collect();
                // SAFETY: a live array of pollfds of the stated length.
                unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 20) };
            }
        }
        client.0.wait().expect("client exit");
        let mut server_line = String::new();
        server_reader
            .read_line(&mut server_line)
            .expect("server result line");
        (last_line(&mut client.0), server_line, tagged_gso)
    });
    eprintln!("tagged GSO super-packets through the loop: {tagged_gso}");
    assert_same_bytes(&StreamResult {
        client_line,
        server_line,
        max_len: [0; 2],
        gso_seen: [0; 2],
    });
    assert!(
        tagged_gso > 0,
        "no tagged GSO super-packet crossed the loop"
    );
}
