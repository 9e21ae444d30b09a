//! The VLAN side of a bundle (one Port row): `vlan_mode`, `tag`, `trunks`,
//! `cvlans`, `qinq-ethtype`, and the NORMAL action's rules for which VLANs a
//! bundle carries, which received VIDs it accepts, how a received packet's
//! VLAN is derived, and which tags a packet leaves with.
//!
//! Tags are handled as an "xvlan": up to two (tpid, vid, pcp) headers,
//! outermost first, with vid 0 meaning "no tag here".

/// `Port.vlan_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VlanMode {
    Access,
    Trunk,
    NativeTagged,
    NativeUntagged,
    Dot1qTunnel,
}

impl VlanMode {
    pub fn parse(s: &str) -> Option<VlanMode> {
        Some(match s {
            "access" => VlanMode::Access,
            "trunk" => VlanMode::Trunk,
            "native-tagged" => VlanMode::NativeTagged,
            "native-untagged" => VlanMode::NativeUntagged,
            "dot1q-tunnel" => VlanMode::Dot1qTunnel,
            _ => return None,
        })
    }
}

/// A set of VLAN ids (`trunks`, `cvlans`); `None` in [`VlanConfig`] = all.
#[derive(Clone, PartialEq, Eq)]
pub struct VlanSet(Box<[u64; 64]>);

impl std::fmt::Debug for VlanSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v: Vec<u16> = (0..4096u16).filter(|v| self.contains(*v)).collect();
        write!(f, "VlanSet{v:?}")
    }
}

impl VlanSet {
    pub fn from_ids(ids: &[u16]) -> VlanSet {
        let mut s = VlanSet(Box::new([0; 64]));
        for id in ids {
            s.insert(*id);
        }
        s
    }
    pub fn insert(&mut self, vid: u16) {
        if vid < 4096 {
            self.0[usize::from(vid / 64)] |= 1 << (vid % 64);
        }
    }
    pub fn contains(&self, vid: u16) -> bool {
        vid < 4096 && self.0[usize::from(vid / 64)] & (1 << (vid % 64)) != 0
    }
}

/// A bundle's VLAN configuration as ofproto-dpif uses it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VlanConfig {
    pub mode: VlanMode,
    /// The access / native / s-VLAN; `None` for trunks.
    pub vlan: Option<u16>,
    /// `None` = every VLAN.
    pub trunks: Option<VlanSet>,
    /// `None` = every customer VLAN (dot1q-tunnel).
    pub cvlans: Option<VlanSet>,
    /// Outer TPID pushed by dot1q-tunnel ports (0x88a8 or 0x8100).
    pub qinq_ethtype: u16,
    /// `other_config:priority-tags`: keep VID-0 tags carrying a PCP.
    pub priority_tags: bool,
}

impl Default for VlanConfig {
    fn default() -> Self {
        VlanConfig {
            mode: VlanMode::Trunk,
            vlan: None,
            trunks: None,
            cvlans: None,
            qinq_ethtype: 0x88a8,
            priority_tags: false,
        }
    }
}

impl VlanConfig {
    /// From the Port row's columns, defaulting like the reference: without
    /// `vlan_mode`, access if `tag` is set, else trunk; a tag out of 0..=4095
    /// is ignored; `trunks` are ignored on access ports; native ports trunk
    /// their own VLAN implicitly.
    pub fn from_port_columns(
        vlan_mode: Option<&str>,
        tag: Option<i64>,
        trunks: &[i64],
        cvlans: &[i64],
        qinq_ethtype: Option<&str>,
        priority_tags: bool,
    ) -> Result<VlanConfig, String> {
        let tag = tag.filter(|t| (0..=4095).contains(t)).map(|t| t as u16);
        let mode = match vlan_mode {
            Some(m) => VlanMode::parse(m).ok_or_else(|| format!("unknown VLAN mode {m}"))?,
            None if tag.is_some() => VlanMode::Access,
            None => VlanMode::Trunk,
        };
        let ids = |v: &[i64]| -> Option<VlanSet> {
            if v.is_empty() {
                None
            } else {
                let ids: Vec<u16> = v
                    .iter()
                    .filter(|x| (0..=4095).contains(*x))
                    .map(|x| *x as u16)
                    .collect();
                Some(VlanSet::from_ids(&ids))
            }
        };
        let vlan = match mode {
            VlanMode::Trunk => None,
            _ => Some(tag.unwrap_or(0)),
        };
        let mut trunks = match mode {
            VlanMode::Access | VlanMode::Dot1qTunnel => None,
            _ => ids(trunks),
        };
        if let (Some(t), Some(v)) = (trunks.as_mut(), vlan) {
            t.insert(v);
        }
        let cvlans = match mode {
            VlanMode::Dot1qTunnel => ids(cvlans),
            _ => None,
        };
        let qinq_ethtype = match qinq_ethtype {
            Some("802.1q") => 0x8100,
            _ => 0x88a8,
        };
        Ok(VlanConfig {
            mode,
            vlan,
            trunks,
            cvlans,
            qinq_ethtype,
            priority_tags,
        })
    }

    /// An access port on `vlan`.
    pub fn access(vlan: u16) -> VlanConfig {
        VlanConfig {
            mode: VlanMode::Access,
            vlan: Some(vlan),
            ..VlanConfig::default()
        }
    }

    fn native(&self) -> i32 {
        self.vlan.map(i32::from).unwrap_or(-1)
    }

    /// Whether the bundle carries `vid` tagged (trunk membership).
    pub fn trunks_vlan(&self, vid: u16) -> bool {
        match (self.mode, &self.trunks) {
            (VlanMode::Access, _) => false,
            (_, Some(t)) => t.contains(vid),
            // Native ports carry untagged traffic as their native VLAN, so
            // "all VLANs" does not include VLAN 0 for them (observed).
            (VlanMode::NativeTagged | VlanMode::NativeUntagged, None) => vid != 0,
            (_, None) => true,
        }
    }

    fn allows_cvlan(&self, vid: u16) -> bool {
        self.cvlans.as_ref().is_none_or(|t| t.contains(vid))
    }

    /// Whether the bundle is in `vlan` (for flooding and output).
    pub fn includes_vlan(&self, vlan: u16) -> bool {
        self.includes(&XVlan {
            v: [
                VlanHdr {
                    tpid: 0x8100,
                    vid: vlan,
                    pcp: 0,
                },
                VlanHdr::default(),
            ],
        })
    }

    /// Whether a packet with VLAN headers `x` (as inside the bridge) may
    /// leave through this bundle: access ports carry only their VLAN and no
    /// inner tag; dot1q-tunnel ports their s-VLAN over an allowed c-VLAN.
    pub fn includes(&self, x: &XVlan) -> bool {
        let (outer, inner) = (x.v[0].vid, x.v[1].vid);
        match self.mode {
            VlanMode::Access => self.native() == i32::from(outer) && inner == 0,
            VlanMode::Dot1qTunnel => self.native() == i32::from(outer) && self.allows_cvlan(inner),
            VlanMode::Trunk | VlanMode::NativeTagged | VlanMode::NativeUntagged => {
                self.native() == i32::from(outer) || self.trunks_vlan(outer)
            }
        }
    }

    /// Whether a packet received with outer VID `vid` (0 = untagged) is
    /// accepted; `Err` carries the reference's explanation.
    pub fn check_input_vid(&self, vid: u16, port_name: &str) -> Result<(), String> {
        match self.mode {
            VlanMode::Access => {
                if vid != 0 {
                    return Err(format!(
                        "dropping VLAN {vid} tagged packet received on port {port_name} configured as VLAN {} access port",
                        self.native()
                    ));
                }
                Ok(())
            }
            VlanMode::NativeTagged | VlanMode::NativeUntagged if vid == 0 => Ok(()),
            VlanMode::Trunk | VlanMode::NativeTagged | VlanMode::NativeUntagged => {
                if !self.trunks_vlan(vid) {
                    return Err(format!(
                        "dropping VLAN {vid} packet received on port {port_name} not configured for trunking VLAN {vid}"
                    ));
                }
                Ok(())
            }
            VlanMode::Dot1qTunnel => {
                if !self.allows_cvlan(vid) {
                    return Err(format!(
                        "dropping VLAN {vid} packet received on dot1q-tunnel port {port_name} that excludes this VLAN"
                    ));
                }
                Ok(())
            }
        }
    }

    /// The packet's VLAN headers inside the bridge, from those it arrived with.
    pub fn input_translate(&self, input: &XVlan) -> XVlan {
        let native = self.vlan.unwrap_or(0);
        match self.mode {
            VlanMode::Access => XVlan {
                v: [
                    VlanHdr {
                        tpid: if input.v[0].tpid != 0 {
                            input.v[0].tpid
                        } else {
                            0x8100
                        },
                        vid: native,
                        pcp: input.v[0].pcp,
                    },
                    VlanHdr::default(),
                ],
            },
            VlanMode::Trunk => input.clone(),
            VlanMode::NativeTagged | VlanMode::NativeUntagged => {
                let mut x = input.clone();
                if input.v[0].vid == 0 {
                    x.v[0] = VlanHdr {
                        tpid: if input.v[0].tpid != 0 {
                            input.v[0].tpid
                        } else {
                            0x8100
                        },
                        vid: native,
                        pcp: input.v[0].pcp,
                    };
                }
                x
            }
            VlanMode::Dot1qTunnel => XVlan {
                v: [
                    VlanHdr {
                        tpid: self.qinq_ethtype,
                        vid: native,
                        pcp: 0,
                    },
                    input.v[0],
                ],
            },
        }
    }

    /// The VLAN headers a packet leaves this bundle with.
    pub fn output_translate(&self, x: &XVlan) -> XVlan {
        match self.mode {
            VlanMode::Access => XVlan::default(),
            VlanMode::Trunk | VlanMode::NativeTagged => x.clone(),
            VlanMode::NativeUntagged => {
                if Some(x.v[0].vid) == self.vlan {
                    x.popped()
                } else {
                    x.clone()
                }
            }
            VlanMode::Dot1qTunnel => x.popped(),
        }
    }
}

/// One VLAN header; vid 0 with pcp 0 = absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VlanHdr {
    pub tpid: u16,
    pub vid: u16,
    pub pcp: u8,
}

/// Up to two VLAN headers, outermost first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XVlan {
    pub v: [VlanHdr; 2],
}

impl XVlan {
    /// From TCIs as the flow key holds them (0 = no tag, else CFI set).
    pub fn from_tcis(tci: [u16; 2], tpid: [u16; 2]) -> XVlan {
        let hdr = |tci: u16, tpid: u16| {
            if tci & 0x1000 == 0 {
                VlanHdr::default()
            } else {
                VlanHdr {
                    tpid,
                    vid: tci & 0x0fff,
                    pcp: (tci >> 13) as u8,
                }
            }
        };
        XVlan {
            v: [hdr(tci[0], tpid[0]), hdr(tci[1], tpid[1])],
        }
    }

    fn popped(&self) -> XVlan {
        XVlan {
            v: [self.v[1], VlanHdr::default()],
        }
    }

    /// Back to TCIs (and TPIDs): a header with neither VID nor PCP is no
    /// header; a VID-0 header with a PCP survives only with priority tags.
    pub fn to_tcis(&self, priority_tags: bool) -> ([u16; 2], [u16; 2]) {
        let mut tci = [0u16; 2];
        let mut tpid = [0u16; 2];
        for (i, h) in self.v.iter().enumerate() {
            let mut t = h.vid | (u16::from(h.pcp) << 13);
            if h.vid == 0 && !priority_tags {
                t = 0;
            }
            if t != 0 {
                t |= 0x1000;
                tpid[i] = if h.tpid != 0 { h.tpid } else { 0x8100 };
            }
            tci[i] = t;
        }
        // A missing outer tag with an inner one left: shift it out.
        if tci[0] == 0 && tci[1] != 0 {
            tci = [tci[1], 0];
            tpid = [tpid[1], 0];
        }
        (tci, tpid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(mode: Option<&str>, tag: Option<i64>, trunks: &[i64]) -> VlanConfig {
        VlanConfig::from_port_columns(mode, tag, trunks, &[], None, false).unwrap()
    }

    #[test]
    fn defaults_follow_tag() {
        assert_eq!(cfg(None, Some(10), &[]).mode, VlanMode::Access);
        assert_eq!(cfg(None, None, &[]).mode, VlanMode::Trunk);
        assert_eq!(cfg(Some("access"), None, &[]).vlan, Some(0));
        assert_eq!(cfg(None, Some(5000), &[]).mode, VlanMode::Trunk);
    }

    #[test]
    fn input_checks() {
        let access = cfg(None, Some(10), &[]);
        assert!(access.check_input_vid(0, "p1").is_ok());
        let e = access.check_input_vid(5, "p1").unwrap_err();
        assert_eq!(
            e,
            "dropping VLAN 5 tagged packet received on port p1 configured as VLAN 10 access port"
        );
        let trunk = cfg(None, None, &[100]);
        assert!(trunk.check_input_vid(100, "p").is_ok());
        assert!(trunk.check_input_vid(0, "p").is_err());
        let native = cfg(Some("native-untagged"), Some(5), &[100]);
        assert!(native.check_input_vid(0, "p").is_ok());
        assert!(native.check_input_vid(5, "p").is_ok());
        assert!(native.check_input_vid(6, "p").is_err());
    }

    #[test]
    fn translate_in_and_out() {
        let untagged = XVlan::default();
        let access = cfg(None, Some(10), &[]);
        let x = access.input_translate(&untagged);
        assert_eq!(x.v[0].vid, 10);
        assert_eq!(access.output_translate(&x), XVlan::default());
        let trunk = cfg(None, None, &[]);
        assert_eq!(trunk.output_translate(&x).to_tcis(false).0, [0x100a, 0]);
        let nu = cfg(Some("native-untagged"), Some(10), &[]);
        assert_eq!(nu.output_translate(&x).to_tcis(false).0, [0, 0]);
        let nt = cfg(Some("native-tagged"), Some(10), &[]);
        assert_eq!(nt.output_translate(&x).to_tcis(false).0, [0x100a, 0]);
        let tun =
            VlanConfig::from_port_columns(Some("dot1q-tunnel"), Some(7), &[], &[], None, false)
                .unwrap();
        let tagged = XVlan::from_tcis([0x1005, 0], [0x8100, 0]);
        let inside = tun.input_translate(&tagged);
        assert_eq!(inside.to_tcis(false), ([0x1007, 0x1005], [0x88a8, 0x8100]));
        assert_eq!(tun.output_translate(&inside).to_tcis(false).0, [0x1005, 0]);
    }

    #[test]
    fn membership() {
        let trunk = cfg(None, None, &[100, 200]);
        assert!(trunk.includes_vlan(100));
        assert!(!trunk.includes_vlan(0));
        let native = cfg(Some("native-tagged"), Some(3), &[100]);
        assert!(native.includes_vlan(3));
        assert!(native.includes_vlan(100));
        assert!(!cfg(None, Some(3), &[]).includes_vlan(100));
    }
}
