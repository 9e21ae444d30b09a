//! Requests that change the switch's ports and tables or send packets:
//! port-mod (config bits: port-down, no-recv, no-fwd, no-flood,
//! no-packet-in), table-mod (miss behaviour, eviction, vacancy events) and
//! packet-out (checked, then handed to the forwarding layer).

use openflow::action::{check_actions, CheckContext};
use openflow::msg::packet::{PacketOut, NO_BUFFER};
use openflow::msg::port_desc::{
    PC_NO_FLOOD, PC_NO_FWD, PC_NO_PACKET_IN, PC_NO_RECV, PC_NO_RECV_STP, PC_NO_STP, PC_PORT_DOWN,
};
use openflow::msg::port_mod::PortMod;
use openflow::msg::table_mod::{TableMod, MISS_CONTINUE, MISS_DROP};
use openflow::port::PortNo;
use openflow::protocol::Protocols;
use openflow::OfpError;

use crate::conn::PPR_MODIFY;
use crate::handle::Handled;
use crate::ofproto::TABLE_INTERNAL;
use crate::output::{Effect, Output};
use crate::table::MissConfig;
use crate::Ofproto;

/// The config bits port-mod may change.
const PORT_MOD_BITS: u32 = PC_PORT_DOWN
    | PC_NO_STP
    | PC_NO_RECV
    | PC_NO_RECV_STP
    | PC_NO_FLOOD
    | PC_NO_FWD
    | PC_NO_PACKET_IN;

impl Ofproto {
    pub(crate) fn port_mod(&mut self, pm: PortMod) -> Handled {
        let Some(port) = self.ports.get_mut(&pm.port_no) else {
            return Err(OfpError::PmfcBadPort);
        };
        if port.desc.hw_addr != pm.hw_addr {
            return Err(OfpError::PmfcBadHwAddr);
        }
        let mask = pm.mask & PORT_MOD_BITS;
        let config = (port.desc.config & !mask) | (pm.config & mask);
        let mut out = Vec::new();
        if config != port.desc.config {
            port.desc.config = config;
            let desc = port.desc.clone();
            out.push(Output::Effect(Effect::PortMod {
                port_no: pm.port_no,
                config,
                mask,
            }));
            out.extend(self.port_status(PPR_MODIFY, &desc));
            self.bump_version(&mut out);
        }
        Ok(out)
    }

    pub(crate) fn table_mod(&mut self, tm: TableMod) -> Handled {
        let ids: Vec<u8> = if tm.table_id == 0xff {
            (0..TABLE_INTERNAL).collect()
        } else if tm.table_id < TABLE_INTERNAL {
            vec![tm.table_id]
        } else {
            return Err(OfpError::TmfcBadTable);
        };
        for id in ids {
            let Some(t) = self.tables.get_mut(usize::from(id)) else {
                continue;
            };
            t.config.miss = match tm.miss {
                MISS_CONTINUE => MissConfig::Continue,
                MISS_DROP => MissConfig::Drop,
                _ => MissConfig::Default,
            };
            t.config.eviction = match tm.eviction_flags {
                Some(1) => true,
                Some(2) => false,
                _ => tm.eviction,
            };
            t.config.vacancy_events = tm.vacancy;
            if let Some((down, up)) = tm.vacancy_thresholds {
                if down > up || up > 100 {
                    return Err(OfpError::TmfcBadConfig);
                }
                t.config.vacancy_down = down;
                t.config.vacancy_up = up;
            }
        }
        let mut out = Vec::new();
        self.bump_version(&mut out);
        Ok(out)
    }

    pub(crate) fn packet_out(&mut self, po: PacketOut) -> Handled {
        if po.buffer_id != NO_BUFFER {
            return Err(OfpError::BrcBufferUnknown);
        }
        let in_port = po.in_port();
        if in_port >= PortNo::MAX
            && ![PortNo::LOCAL, PortNo::NONE, PortNo::CONTROLLER].contains(&in_port)
        {
            return Err(OfpError::BrcBadPort);
        }
        let mut actions = po.actions;
        let cx = CheckContext {
            max_ports: PortNo::MAX,
            table_id: 0xff,
            n_tables: crate::ofproto::N_TABLES,
        };
        let mut usable = Protocols::ANY;
        check_actions(&mut actions, &po.flow_metadata, &cx, &mut usable)?;
        self.check_references(&actions)?;
        Ok(vec![Output::Effect(Effect::PacketOut {
            in_port,
            metadata: Box::new(po.flow_metadata.key().clone()),
            actions,
            packet: po.packet,
        })])
    }
}
