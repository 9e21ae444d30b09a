//! Request dispatch: decode one message in its connection's context
//! (version, OF1.0 flow format and table-id extension), check the
//! connection's role may send it, hand it to the module that implements
//! it, and turn an error into the reference's OFPT_ERROR reply.

use openflow::buf::Reader;
use openflow::msg::error_msg::ErrorMsg;
use openflow::msg::flow_mod::FlowMod;
use openflow::msg::role::Role;
use openflow::msg::{self, Message};
use openflow::protocol::Protocols;
use openflow::version::Version as OfVersion;
use openflow::OfpError;

use crate::output::{ConnId, Output};
use crate::Ofproto;
use ovs_daemon::vlog;

/// What a request handler returns: outputs, or the error to reply with.
pub(crate) type Handled = Result<Vec<Output>, OfpError>;

/// OF1.0 message type of OFPT_FLOW_MOD.
const OFPT10_FLOW_MOD: u8 = 14;

impl Ofproto {
    /// Handles one whole message `raw` received on `conn` (which must have
    /// been `connect`ed). Replies, asynchronous messages for other
    /// connections and effects come back in order. Malformed requests get
    /// the reference's error reply; nothing here panics on input.
    pub fn handle(&mut self, conn: ConnId, raw: &[u8]) -> Vec<Output> {
        let xid = msg::decode_header(raw).map(|h| h.xid).unwrap_or(0);
        self.current_request = Some((conn, xid));
        let out = match self.handle_inner(conn, raw, xid) {
            Ok(out) => out,
            Err(e) => {
                self.log_error_reply(conn, e, raw);
                self.error_reply(conn, e, raw)
            }
        };
        self.current_request = None;
        out
    }

    /// "br0<->unix#3: sending OFPBAC_BAD_OUT_GROUP error reply to
    /// OFPT_FLOW_MOD message", as the reference logs refused requests.
    fn log_error_reply(&self, conn: ConnId, e: OfpError, request: &[u8]) {
        if !crate::connmgr::CONNMGR_LOG.is_enabled(vlog::Level::Info) {
            return;
        }
        let name = self.conns.get(&conn).map_or("", |c| c.name.as_str());
        // ofp-print's first line starts with the message's name.
        let text = msg::format(request, 0);
        let what = text
            .split([' ', '\n', ':'])
            .next()
            .filter(|w| !w.is_empty())
            .unwrap_or("unknown");
        vlog::info!(
            crate::connmgr::CONNMGR_LOG,
            "{name}: sending {} error reply to {what} message",
            e.name()
        );
    }

    /// The OFPT_ERROR for `request`, in the connection's version.
    pub(crate) fn error_reply(&self, conn: ConnId, e: OfpError, request: &[u8]) -> Vec<Output> {
        // The reply speaks the request's version when it has a known one.
        let version = msg::decode_header(request)
            .map(|h| h.version)
            .ok()
            .or_else(|| self.conns.get(&conn).map(|c| c.version))
            .unwrap_or(OfVersion::Of10);
        let xid = msg::decode_header(request).map(|h| h.xid).unwrap_or(0);
        let max = 65535 - 24;
        let data = request.get(..request.len().min(max)).unwrap_or_default();
        let m = ErrorMsg {
            error: e,
            data: data.to_vec(),
        };
        vec![Output::send(conn, m.encode(version, xid))]
    }

    fn handle_inner(&mut self, conn: ConnId, raw: &[u8], xid: u32) -> Handled {
        let (h, m) = self.decode_for(conn, raw)?;
        let Some(c) = self.conns.get(&conn) else {
            return Err(OfpError::BrcEperm);
        };
        if h.version != c.version {
            return Err(OfpError::BrcBadVersion);
        }
        if c.role == Role::Secondary && modifies_state(&m) {
            return Err(OfpError::BrcIsSlave);
        }
        self.dispatch(conn, m, xid, raw)
    }

    /// Decodes `raw` as connection `conn` means it.
    pub(crate) fn decode_for(
        &self,
        conn: ConnId,
        raw: &[u8],
    ) -> Result<(msg::Header, Message), OfpError> {
        let (h, m) = msg::decode(raw)?;
        let tid = self.conns.get(&conn).is_none_or(|c| c.table_id_ext());
        if let Message::FlowMod(_) = m {
            if h.version == OfVersion::Of10 && !tid {
                let fm = if raw.get(1) == Some(&OFPT10_FLOW_MOD) {
                    let mut r = Reader::new(raw.get(8..).unwrap_or_default());
                    FlowMod::decode_tid(h.version, &mut r, false)?
                } else {
                    let mut r = Reader::new(raw.get(16..).unwrap_or_default());
                    FlowMod::decode_nx_tid(h.version, &mut r, false)?
                };
                return Ok((h, Message::FlowMod(fm)));
            }
        }
        Ok((h, m))
    }

    /// Encodes `m` for connection `conn` (its version and flow format).
    pub(crate) fn encode_for(&self, conn: ConnId, m: &Message, xid: u32) -> Vec<u8> {
        let protocol = self
            .conns
            .get(&conn)
            .map(|c| c.protocol)
            .unwrap_or(Protocols::OF10_STD);
        msg::encode(m, protocol, xid)
    }

    pub(crate) fn reply(&self, conn: ConnId, m: &Message, xid: u32) -> Vec<Output> {
        vec![Output::send(conn, self.encode_for(conn, m, xid))]
    }

    /// Handles a decoded message; `raw` is the whole request (for errors
    /// and bundles).
    pub(crate) fn dispatch(&mut self, conn: ConnId, m: Message, xid: u32, raw: &[u8]) -> Handled {
        match m {
            Message::EchoRequest(data) => Ok(self.reply(conn, &Message::EchoReply(data), xid)),
            Message::EchoReply(_) | Message::Hello(_) => Ok(Vec::new()),
            Message::Error(_) => Ok(Vec::new()),
            Message::FeaturesRequest => Ok(self.features_reply(conn, xid)),
            Message::GetConfigRequest => Ok(self.get_config_reply(conn, xid)),
            Message::SetConfig(c) => self.set_config(conn, c),
            Message::BarrierRequest => Ok(self.reply(conn, &Message::BarrierReply, xid)),
            Message::FlowMod(fm) => self.flow_mod(conn, fm),
            Message::GroupMod(gm) => self.group_mod(gm),
            Message::MeterMod(mm) => self.meter_mod(mm),
            Message::PortMod(pm) => self.port_mod(pm),
            Message::TableMod(tm) => self.table_mod(tm),
            Message::PacketOut(po) => self.packet_out(po),
            Message::MultipartRequest(r) => self.multipart(conn, r, xid),
            Message::RoleRequest(r) => self.role_request(conn, r, xid, false),
            Message::NxRoleRequest(role) => self.role_request(
                conn,
                openflow::msg::role::RoleMsg {
                    role,
                    generation_id: None,
                },
                xid,
                true,
            ),
            Message::GetAsyncRequest => Ok(self.get_async_reply(conn, xid)),
            Message::SetAsync(a) | Message::NxSetAsyncConfig(a) | Message::NxSetAsyncConfig2(a) => {
                self.set_async(conn, a)
            }
            Message::NxSetFlowFormat(f) => self.set_flow_format(conn, f),
            Message::NxFlowModTableId(on) => self.set_flow_mod_table_id(conn, on),
            Message::NxSetPacketInFormat(f) => self.set_packet_in_format(conn, f),
            Message::NxSetControllerId(id) => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.controller_id = id;
                }
                Ok(Vec::new())
            }
            Message::BundleControl(bc) => self.bundle_control(conn, bc, xid, raw),
            Message::BundleAdd(ba) => self.bundle_add(conn, ba, raw),
            Message::QueueGetConfigRequest(q) => self.queue_get_config(conn, q, xid),
            Message::NxTlvTableRequest => Ok(self.reply(
                conn,
                &Message::NxTlvTableReply(openflow::msg::tlv::TlvTableReply {
                    max_option_space: 256,
                    max_fields: 64,
                    mappings: Vec::new(),
                }),
                xid,
            )),
            Message::NxCtFlushZone(_) | Message::NxCtFlush(_) => Ok(Vec::new()),
            Message::FlowMonitorCancel(c) => self.flow_monitor_cancel(conn, c),
            Message::NxResume(_) => Err(OfpError::BrcBadType),
            _ => Err(OfpError::BrcBadType),
        }
    }
}

/// Requests a secondary (slave) controller may not send.
fn modifies_state(m: &Message) -> bool {
    matches!(
        m,
        Message::FlowMod(_)
            | Message::GroupMod(_)
            | Message::MeterMod(_)
            | Message::PortMod(_)
            | Message::TableMod(_)
            | Message::PacketOut(_)
            | Message::BundleControl(_)
            | Message::BundleAdd(_)
            | Message::NxTlvTableMod(_)
    )
}
