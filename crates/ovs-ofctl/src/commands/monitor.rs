//! `monitor` and `snoop`: print every message a switch sends on a connection
//! (on standard error, as the reference), with a control socket so scripts
//! can send messages (`ofctl/send`), wait for a barrier (`ofctl/barrier`),
//! pause reading (`ofctl/block`), redirect the output or stop (`exit`).
//! `--detach` runs it in the background.

use crate::dump::{dump_transaction, transact_noreply};
use crate::options::PacketInFormat;
use crate::print;
use crate::raw::nx_message;
use crate::target::{self, Socket};
use crate::vconn::{
    alloc_xid, build, err_text, RawHeader, Vconn, OFPT_ECHO_REPLY, OFPT_ECHO_REQUEST,
};
use crate::{log, names, Ctx, Fatal};
use openflow::port::PortMap;
use openflow::{Version, VersionSet};
use ovs_daemon::unixctl::{Reply, Server};
use ovs_daemon::Daemon;
use ovs_stream::Stream;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::sync::{Arc, Condvar, Mutex};

const OFPT_GET_CONFIG_REQUEST: u8 = 7;
const OFPT_GET_CONFIG_REPLY: u8 = 8;
const OFPT_SET_CONFIG: u8 = 9;
const NXT_SET_PACKET_IN_FORMAT: u32 = 16;
/// OFPC_INVALID_TTL_TO_CONTROLLER (OpenFlow 1.1/1.2; an extension in 1.0).
const INVALID_TTL_TO_CONTROLLER: u16 = 4;

fn barrier_reply_type(v: u8) -> u8 {
    if v == 1 {
        19
    } else {
        21
    }
}

/// Reads the switch configuration: (flags, miss_send_len).
fn fetch_config(vconn: &mut Vconn) -> Result<(u16, u16), Fatal> {
    let name = vconn.name().to_string();
    let request = build(
        vconn.version().wire(),
        OFPT_GET_CONFIG_REQUEST,
        alloc_xid(),
        &[],
    );
    let reply = vconn
        .transact(request)
        .map_err(|e| Fatal::io(&format!("talking to {name}"), &e))?;
    match (RawHeader::of(&reply), reply.get(8..12)) {
        (Some(h), Some(b)) if h.msg_type == OFPT_GET_CONFIG_REPLY && reply.len() == 12 => Ok((
            u16::from_be_bytes([b[0], b[1]]),
            u16::from_be_bytes([b[2], b[3]]),
        )),
        _ => Err(Fatal(format!("{name}: bad reply to config request"))),
    }
}

fn set_config(
    ctx: &mut Ctx,
    vconn: &mut Vconn,
    flags: u16,
    miss_send_len: u16,
) -> Result<(), Fatal> {
    let version = vconn.version();
    // Only the fragment bits and (OpenFlow 1.0-1.2) the invalid-TTL bit mean
    // anything when set.
    let keep = if version <= Version::Of12 { 7 } else { 3 };
    let mut body = (flags & keep).to_be_bytes().to_vec();
    body.extend_from_slice(&miss_send_len.to_be_bytes());
    let msg = build(version.wire(), OFPT_SET_CONFIG, alloc_xid(), &body);
    transact_noreply(ctx, vconn, vec![msg])
}

/// Asks for a packet-in format; with `must_succeed` a refusal is fatal,
/// otherwise it returns false.
fn set_packet_in_format(
    ctx: &mut Ctx,
    vconn: &mut Vconn,
    format: PacketInFormat,
    must_succeed: bool,
) -> Result<bool, Fatal> {
    let code: u32 = match format {
        PacketInFormat::Standard => 0,
        PacketInFormat::NxtPacketIn => 1,
        PacketInFormat::NxtPacketIn2 => 2,
    };
    let msg = nx_message(
        vconn.version(),
        NXT_SET_PACKET_IN_FORMAT,
        alloc_xid(),
        &code.to_be_bytes(),
    );
    if must_succeed {
        transact_noreply(ctx, vconn, vec![msg])?;
        return Ok(true);
    }
    let name = vconn.name().to_string();
    let reply = vconn
        .transact_noreply(vec![msg])
        .map_err(|e| Fatal::io(&format!("talking to {name}"), &e))?;
    if let Some(reply) = reply {
        log::ofctl_dbg(&format!(
            "{name}: failed to set packet in format to nx_packet_in, controller replied: {}.",
            print::to_string(&reply, 2)
        ));
        return Ok(false);
    }
    Ok(true)
}

pub fn monitor(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let switch = &argv[1];
    // invalid_ttl only exists up to OpenFlow 1.2.
    if argv[2..].iter().any(|a| a == "invalid_ttl") {
        let usable = VersionSet(0b1110);
        if ctx.opts.allowed_versions.intersect(usable).is_empty() {
            let names: Vec<&str> = usable.iter().map(Version::name).collect();
            return Err(Fatal(format!(
                "invalid_ttl requires one of the OpenFlow versions {} but none is enabled (use -O)",
                names.join(", ")
            )));
        }
        ctx.opts.allowed_versions = ctx.opts.allowed_versions.intersect(usable);
    }
    let mut vconn = ctx.open(switch)?;
    for arg in &argv[2..] {
        if arg.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            let (flags, _) = fetch_config(&mut vconn)?;
            let miss = crate::commands::echo::atoi(arg) as i32 as u16;
            set_config(ctx, &mut vconn, flags, miss)?;
        } else if arg == "invalid_ttl" {
            let (flags, miss) = fetch_config(&mut vconn)?;
            if flags & INVALID_TTL_TO_CONTROLLER == 0 {
                set_config(ctx, &mut vconn, flags | INVALID_TTL_TO_CONTROLLER, miss)?;
                let (flags, _) = fetch_config(&mut vconn)?;
                if flags & INVALID_TTL_TO_CONTROLLER == 0 {
                    return Err(Fatal(
                        "setting invalid_ttl_to_controller failed (this switch may not support \
                         OFPC_INVALID_TTL_TO_CONTROLLER, which is an OpenFlow 1.1 feature)"
                            .into(),
                    ));
                }
            }
        } else if let Some(spec) = arg.strip_prefix("watch:") {
            let request =
                crate::commands::flows::flow_monitor_request(ctx, switch, spec, vconn.version())?;
            dump_transaction(ctx, &mut vconn, request)?;
            ctx.flush();
        } else if arg == "resume" {
            let (flags, _) = fetch_config(&mut vconn)?;
            set_config(ctx, &mut vconn, flags, u16::MAX)?;
        } else {
            return Err(Fatal(format!("{arg}: unsupported \"monitor\" argument")));
        }
    }
    match ctx.opts.packet_in_format {
        Some(f) => {
            set_packet_in_format(ctx, &mut vconn, f, true)?;
        }
        None => {
            if !set_packet_in_format(ctx, &mut vconn, PacketInFormat::NxtPacketIn2, false)?
                && vconn.version() == Version::Of10
            {
                set_packet_in_format(ctx, &mut vconn, PacketInFormat::NxtPacketIn, false)?;
            }
        }
    }
    monitor_vconn(ctx, vconn, true)
}

pub fn snoop(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let vconn = target::open(&argv[1], Socket::Snoop, ctx.opts.allowed_versions)?;
    monitor_vconn(ctx, vconn, false)
}

/// What the control-socket commands share with the reading loop.
#[derive(Default)]
struct State {
    exiting: bool,
    blocked: bool,
    /// An `ofctl/barrier` waiting for its reply.
    barrier: Option<Reply>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// Writes to the switch from any thread.
    writer: Mutex<Stream>,
    version: u8,
    verbosity: u32,
    /// For `ofctl/packet-out`'s port names: the connection's name, the
    /// versions to offer, and the names once fetched (None: `--no-names`).
    vconn_name: String,
    allowed: VersionSet,
    accept_names: bool,
    ports: Mutex<Option<Option<PortMap>>>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The switch's port names, fetched (table names first, as the
    /// reference does) over new connections the first time they are needed.
    fn ports_for_parsing(&self) -> Option<PortMap> {
        if !self.accept_names {
            return None;
        }
        let mut cache = self.ports.lock().unwrap_or_else(|p| p.into_inner());
        if cache.is_none() {
            let fetch = || -> Result<PortMap, Fatal> {
                let mut v = target::open(&self.vconn_name, Socket::Mgmt, self.allowed)?;
                names::fetch_tables(&mut v)?;
                let mut v = target::open(&self.vconn_name, Socket::Mgmt, self.allowed)?;
                let mut map = PortMap::new();
                for p in names::fetch_ports(&mut v)? {
                    map.insert(&p.name, p.port_no);
                }
                Ok(map)
            };
            *cache = Some(fetch().ok());
        }
        cache.clone().flatten()
    }

    fn send(&self, msg: &[u8]) -> std::io::Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        w.write_all(msg)
    }
}

/// "2026-11-21 03:22:01.123: " in UTC, for `--timestamp`.
fn timestamp_prefix() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86400), secs.rem_euclid(86400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}.{:03}: ",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        now.subsec_millis()
    )
}

fn register_commands(server: &Server, shared: &Arc<Shared>) {
    let s = Arc::clone(shared);
    server.register("exit", "", 0, 0, move |_| {
        s.lock().exiting = true;
        s.wake.notify_all();
        // Wake the reading loop out of poll().
        let w = s.writer.lock().unwrap_or_else(|p| p.into_inner());
        let _ = w.shutdown(std::net::Shutdown::Read);
        Ok(String::new())
    });
    let s = Arc::clone(shared);
    server.register(
        "ofctl/send",
        "OFMSG...",
        1,
        ovs_daemon::unixctl::UNLIMITED,
        move |args| {
            let mut reply = String::new();
            for arg in args {
                let (msg, garbage) = crate::commands::hooks::parse_hex(arg);
                if garbage {
                    return Err("Trailing garbage in hex data\n".into());
                }
                if msg.len() < 8 {
                    return Err("Message too short for OpenFlow\n".into());
                }
                eprint!("send: {}", print::to_string(&msg, s.verbosity));
                match s.send(&msg) {
                    Ok(()) => reply.push_str("sent\n"),
                    Err(e) => return Err(format!("{}\n", err_text(&e))),
                }
            }
            Ok(reply)
        },
    );
    let s = Arc::clone(shared);
    server.register_deferred("ofctl/barrier", "", 0, 0, move |_, reply| {
        let mut st = s.lock();
        if st.barrier.is_some() {
            reply.err("already waiting for barrier reply");
            return;
        }
        let t = if s.version == 1 { 18 } else { 20 };
        match s.send(&build(s.version, t, alloc_xid(), &[])) {
            Ok(()) => st.barrier = Some(reply),
            Err(e) => reply.err(err_text(&e)),
        }
    });
    server.register("ofctl/set-output-file", "FILE", 1, 1, |args| {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&args[0])
            .map_err(|e| err_text(&e))?;
        let _ = std::io::stderr().flush();
        // SAFETY: dup2 onto stderr with a descriptor we own; the file closes after.
        unsafe { libc::dup2(file.as_raw_fd(), 2) };
        Ok(String::new())
    });
    let s = Arc::clone(shared);
    server.register("ofctl/block", "", 0, 0, move |_| {
        let mut st = s.lock();
        if st.blocked {
            return Ok("already blocking\n".into());
        }
        st.blocked = true;
        Ok(String::new())
    });
    let s = Arc::clone(shared);
    server.register("ofctl/unblock", "", 0, 0, move |_| {
        let mut st = s.lock();
        if !st.blocked {
            return Ok("already unblocked\n".into());
        }
        st.blocked = false;
        s.wake.notify_all();
        Ok(String::new())
    });
    let s = Arc::clone(shared);
    server.register(
        "ofctl/packet-out",
        "\"in_port=<port> packet=<hex data> actions=...\"",
        1,
        1,
        move |args| {
            let ports = s.ports_for_parsing();
            let (po, usable) = openflow::msg::packet::parse_packet_out(&args[0], ports.as_ref())
                .map_err(|e| format!("{e}\n"))?;
            let version = Version::from_wire(s.version).unwrap_or(Version::Of10);
            let protocol = crate::flow_format::initial_protocol(version);
            if !usable.intersects(protocol) {
                return Err(
                    "PACKET_OUT actions are incompatible with the OpenFlow connection.\n".into(),
                );
            }
            let mut msg = Vec::new();
            po.encode(version, alloc_xid(), &mut msg);
            eprint!("{}", print::to_string(&msg, s.verbosity));
            s.send(&msg).map_err(|e| format!("{}\n", err_text(&e)))?;
            Ok(String::new())
        },
    );
}

/// Waits until the socket has something to read (or was shut down).
fn wait_readable(fd: i32) {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd; -1 waits until an event.
    unsafe {
        libc::poll(&mut pfd, 1, -1);
    }
}

/// Becomes a daemon if asked, serves the control socket and prints what
/// arrives until `exit` or the connection ends.
fn monitor_vconn(ctx: &mut Ctx, mut vconn: Vconn, reply_to_echo: bool) -> Result<i32, Fatal> {
    ctx.flush();
    let daemon_opts = ctx.opts.daemon.clone();
    // The reference keeps stderr (where messages go) when it detaches.
    // SAFETY: dup of a standard descriptor.
    let saved_stderr = unsafe { libc::dup(2) };
    let mut daemon = Daemon::try_start(&daemon_opts).map_err(Fatal)?;
    let writer = vconn
        .clone_stream()
        .map_err(|e| Fatal::io("failed to create unixctl server", &e))?;
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        wake: Condvar::new(),
        writer: Mutex::new(writer),
        version: vconn.version().wire(),
        verbosity: ctx.opts.verbosity,
        vconn_name: vconn.name().to_string(),
        allowed: ctx.opts.allowed_versions,
        accept_names: ctx.accept_names(),
        ports: Mutex::new(None),
    });
    let mut server = daemon
        .try_start_unixctl(|s| register_commands(s, &shared))
        .map_err(Fatal)?;
    daemon.ready();
    if saved_stderr >= 0 {
        // SAFETY: restoring stderr from our own duplicate.
        unsafe {
            libc::dup2(saved_stderr, 2);
            libc::close(saved_stderr);
        }
    }
    let fd = vconn.stream().as_raw_fd();
    let name = vconn.name().to_string();
    let result = loop {
        {
            let mut st = shared.lock();
            while st.blocked && !st.exiting {
                st = shared.wake.wait(st).unwrap_or_else(|p| p.into_inner());
            }
            if st.exiting {
                break Ok(0);
            }
        }
        if !vconn.has_buffered_message() {
            wait_readable(fd);
            let st = shared.lock();
            if st.exiting || st.blocked {
                continue;
            }
        }
        let msg = match vconn.recv() {
            Ok(m) => m,
            Err(e) => {
                if shared.lock().exiting {
                    break Ok(0);
                }
                break Err(Fatal::io("vconn_recv", &e));
            }
        };
        let mut text = String::new();
        if ctx.opts.timestamp {
            text.push_str(&timestamp_prefix());
        }
        names::tables_to_show(ctx, &name)?;
        let ports = names::ports_to_show(ctx, &name)?.cloned();
        text.push_str(&print::to_string_with(
            &msg,
            ctx.opts.verbosity + 2,
            ports.as_ref(),
        ));
        let _ = std::io::stderr().write_all(text.as_bytes());
        let Some(h) = RawHeader::of(&msg) else {
            continue;
        };
        if h.msg_type == barrier_reply_type(h.version) {
            if let Some(reply) = shared.lock().barrier.take() {
                reply.ok("");
            }
        } else if h.msg_type == OFPT_ECHO_REQUEST && reply_to_echo {
            let echo = build(
                h.version,
                OFPT_ECHO_REPLY,
                h.xid,
                msg.get(8..).unwrap_or(&[]),
            );
            if let Err(e) = shared.send(&echo) {
                break Err(Fatal::io("failed to send echo reply", &e));
            }
        }
    };
    if let Some(s) = server.as_mut() {
        s.shutdown();
    }
    if let Err(Fatal(m)) = &result {
        if !m.is_empty() {
            eprintln!("ovs-ofctl: {m}");
        }
        ctx.flush();
        daemon.exit(1);
    }
    ctx.flush();
    daemon.exit(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_look_right() {
        let t = timestamp_prefix();
        assert_eq!(t.len(), "2026-11-21 03:22:01.123: ".len());
        assert_eq!(&t[4..5], "-");
        assert!(t.ends_with(": "));
    }
}
