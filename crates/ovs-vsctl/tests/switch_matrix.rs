//! The command matrix for the switch commands (bridges, ports, bonds, interfaces,
//! controllers, fail modes, managers, SSL, Auto Attach, conntrack zones, datapath
//! capabilities, `show`, `emer-reset`): every line is run by our ovs-vsctl and by
//! the reference's, each against its own copy of the same database, served by the
//! real ovsdb-server and then by ours, and must print the same (see `matrix.rs`;
//! `--no-wait` is added unless a line starts with `!`, and a line starting with `~`
//! compares its standard output sorted).

mod common;

use common::{compare, compare_from};

#[test]
fn bridges_real_and_fake() {
    compare(
        "sw-bridges",
        &[
            "list-br",
            "--real list-br",
            "--fake list-br",
            "--real --fake list-br",
            "add-br br0",
            "add-br ''",
            "add-br p1",
            "add-br q3",
            "add-br nb -- list-br",
            "--may-exist add-br nb",
            "--may-exist add-br nb br0 5",
            "add-br f5 br0 5 -- list-br -- --fake list-br -- --real list-br",
            "add-br f6 br0 6 -- br-to-vlan f6 -- br-to-parent f6",
            "add-br f7 br0 5",
            "add-br f7 f5 7",
            "add-br f7 nosuch 7",
            "add-br f7 br0 4096",
            "add-br f7 br0 -1",
            "add-br f7 br0 99999999999",
            "add-br f7 br0 ' 7x'",
            "add-br f8 br0 abc -- br-to-vlan f8",
            "add-br f9 br0",
            "--may-exist add-br f5",
            "--may-exist add-br f5 br1 5",
            "--may-exist add-br f5 br0 6",
            "--may-exist add-br f5 br0 5",
            "--may-exist add-br br0",
            "--may-exist add-br br1 br0 9",
            "br-exists br0",
            "br-exists f5",
            "br-exists nosuch",
            "br-exists p1",
            "list-br -- br-exists nosuch -- list-br",
            "br-to-vlan br0",
            "br-to-vlan f5",
            "br-to-vlan nosuch",
            "br-to-parent br1",
            "br-to-parent f5",
            "br-to-parent nosuch",
            "br-set-external-id br0 a b",
            "br-set-external-id br0 c 'd e' -- br-get-external-id br0",
            "br-get-external-id br0 c",
            "br-get-external-id br0 nosuch",
            "br-set-external-id br0 a",
            "br-get-external-id br0",
            "br-set-external-id f5 fk fv -- br-set-external-id f5 fk2 fv2",
            "br-get-external-id f5",
            "br-get-external-id f5 fk",
            "--columns=external_ids list port f5",
            "br-set-external-id f5 fk",
            "br-get-external-id f5",
            "br-set-external-id nosuch a b",
            "br-get-external-id nosuch",
            "list-ports f5",
            "del-br nosuch",
            "--if-exists del-br nosuch",
            "del-br f6 -- list-br -- list-ports br0",
            "--columns=name list bridge br0",
            "del-br b5 -- list-br",
            "--columns=name find port name=q5",
            "--columns=name find netflow",
            "del-br br0 -- list-br",
            "~--columns=name list bridge",
            "--columns=id list flow_sample_collector_set",
            "add-br fz br1 0 -- list-br -- br-to-vlan fz",
            "~del-br br1 -- list-br -- --columns=name list port",
            "-- --columns=id list flow_sample_collector_set -- del-br b6",
            "--columns=id list flow_sample_collector_set",
            "add-br x1 -- add-br x2 x1 3 -- add-port x2 xp -- list-ports x2 -- port-to-br xp -- del-br x1 -- list-br",
        ],
    );
}

#[test]
fn ports_and_bonds() {
    compare(
        "sw-ports",
        &[
            "list-ports br0",
            "list-ports br1",
            "list-ports nosuch",
            "add-port br1 n1 -- list-ports br1",
            "add-port br1 n1",
            "add-port br1 p1",
            "add-port br1 br0",
            "add-port nosuch n2",
            "add-port br1 ''",
            "add-port br1 n2 tag=9 other_config:a=b 'external_ids={x=y}' -- get port n2 tag other_config external_ids",
            "add-port br1 n3 nosuch=1",
            "add-port br1 n3 tag=x",
            "add-port br1 n3 -- set interface n3 type=internal -- get interface n3 type",
            "add-port br1 n4 -- add-port br1 n4",
            "--may-exist add-port br1 n1",
            "--may-exist add-port br0 n1",
            "--may-exist add-port br1 n9 -- list-ports br1",
            "--may-exist add-port br0 p1 -- --may-exist add-bond br0 p1 a b",
            "port-to-br n1",
            "port-to-br p1",
            "port-to-br br0",
            "port-to-br nosuch",
            "add-br f5 br1 5 -- add-port f5 v1 -- list-ports f5 -- list-ports br1 -- get port v1 tag",
            "port-to-br v1",
            "add-port br1 v2 tag=5 -- port-to-br v2 -- list-ports f5",
            "port-to-br f5",
            "add-bond br1 bo1 e1 e2 -- list-ports br1 -- list-ifaces br1",
            "add-bond br1 bo2 e3",
            "add-bond br1 bo2 e3 e4=x",
            "add-bond br1 bo2 e1 e5",
            "add-bond br1 bo2 e5 ''",
            "add-bond br1 bo2 e5 e6 lacp=active bond_mode=balance-tcp -- get port bo2 lacp bond_mode bond_fake_iface",
            "--fake-iface add-bond br1 bo3 e7 e8 -- get port bo3 bond_fake_iface",
            "add-bond br1 bo4 e9 e9",
            "--may-exist add-bond br1 bo1 e2 e1",
            "--may-exist add-bond br1 bo1 e1 e3",
            "--may-exist --fake-iface add-bond br0 bo1 e1 e2",
            "iface-to-br e1",
            "iface-to-br br1",
            "iface-to-br nosuch",
            "iface-to-br v1",
            "list-ifaces br1",
            "list-ifaces f5",
            "list-ifaces nosuch",
            "add-bond-iface bo1 e10 -- list-ifaces br1 -- iface-to-br e10",
            "--columns=name list interface e10",
            "add-bond-iface bo1 e10",
            "add-bond-iface nosuch e11",
            "add-bond-iface bo1 br0",
            "--may-exist add-bond-iface bo1 e10",
            "--may-exist add-bond-iface p1 e10",
            "--may-exist add-bond-iface p1 e11 -- iface-to-br e11",
            "del-bond-iface e11 -- list-ifaces br0",
            "del-bond-iface p1 e11",
            "del-bond-iface bo1 e10 -- iface-to-br e2",
            "del-bond-iface bo2 e1",
            "del-bond-iface nosuch e1",
            "del-bond-iface e99",
            "--if-exists del-bond-iface e99",
            "del-bond-iface p1",
            "del-bond-iface e1 -- del-bond-iface e2",
            "del-port br0",
            "--if-exists del-port br0",
            "del-port nosuch",
            "--if-exists del-port nosuch",
            "del-port br0 n1",
            "del-port f5 n1",
            "del-port br1 v1",
            "del-port nosuch n1",
            "del-port f5 v1 -- list-ports f5",
            "del-port br1 f5",
            "del-port n1 -- list-ports br1",
            "--columns=name list interface n1",
            "--with-iface del-port nosuch",
            "--with-iface --if-exists del-port nosuch",
            "--with-iface del-port e6 -- list-ports br1 -- --columns=name find interface name=e5",
            "--with-iface del-port n2 -- list-ports br1",
            "--if-exists --with-iface del-port br1 e7 -- list-ports br1",
            "add-port br1 n5 -- del-port n5 -- list-ports br1",
            "del-port br1 q3",
            "list-ports b3 -- del-port q3 -- list-ports b3",
            "list-ifaces br0",
            "--oneline list-ports br1 -- port-to-br p1 -- list-ifaces br1",
            "--dry-run add-port br1 dry -- list-ports br1",
            "--dry-run add-port br1 n1",
            "--dry-run add-port br1 e5",
            "list-ports br1",
            "add-port br1 sym -- --id=@p get port sym -- set bridge br1 other_config:x=y -- list-ports br1",
            "!-t 1 add-port br1 waited",
            "port-to-br waited",
        ],
    );
}

#[test]
fn controllers_fail_modes_managers_ssl() {
    compare(
        "sw-control",
        &[
            "get-controller b4",
            "get-controller br0",
            "get-controller nosuch",
            "set-controller br0 tcp:1.2.3.4 ptcp:6653 'ssl:[::1]:6653' -- get-controller br0",
            "~--columns=target list controller",
            "set-controller br0 unix:/x punix:/y pssl: -- get-controller br0",
            "set-controller br0 tcp foo:1 '' -- get-controller br0",
            "~--inactivity-probe=5000 set-controller br1 tcp:1.1.1.1 -- --columns=target,inactivity_probe list controller",
            "~--inactivity-probe=x set-controller br1 tcp:1.1.1.1 -- --columns=target,inactivity_probe list controller",
            "--inactivity-probe set-controller br1 tcp:1.1.1.1",
            "set-controller nosuch tcp:1.1.1.1",
            "set-controller br1",
            "del-controller br0 -- get-controller br0",
            "del-controller br0",
            "del-controller nosuch",
            "add-br f5 br0 5",
            "get-controller f5",
            "set-controller f5 tcp:1.1.1.1",
            "del-controller f5",
            "get-fail-mode br0",
            "set-fail-mode br0 secure -- get-fail-mode br0",
            "get-fail-mode f5",
            "set-fail-mode br0 standalone -- get-fail-mode br0",
            "set-fail-mode br0 bogus",
            "set-fail-mode nosuch bogus",
            "set-fail-mode f5 secure",
            "del-fail-mode f5",
            "del-fail-mode br0 -- get-fail-mode br0",
            "del-fail-mode nosuch",
            "get-fail-mode nosuch",
            "get-manager",
            "set-manager tcp:1.2.3.4:6640 ptcp:6641 -- get-manager",
            "~--columns=target list manager",
            "set-manager ptcp:6641 ptcp:6641",
            "set-manager foo ptcp:6642 -- get-manager",
            "~--inactivity-probe=7000 set-manager ptcp:6643 -- --columns=target,inactivity_probe list manager",
            "del-manager -- get-manager",
            "del-manager",
            "~--columns=target list manager",
            "get-ssl",
            "del-ssl -- get-ssl",
            "del-ssl",
            "set-ssl a b c -- get-ssl",
            "--bootstrap set-ssl /k /c /ca -- get-ssl",
            "--columns=private_key,bootstrap_ca_cert list ssl",
            "set-ssl a b",
            "get-ssl -- del-ssl -- get-ssl",
            "add-aa-mapping br0 5 10 -- get-aa-mapping br0",
            "add-aa-mapping br0 5 11 -- add-aa-mapping br0 6 11 -- get-aa-mapping br0",
            "add-aa-mapping f5 7 12 -- get-aa-mapping f5",
            "add-aa-mapping br0 x 1",
            "add-aa-mapping br0 1 y",
            "add-aa-mapping br0 ' +8x' 3 -- get-aa-mapping br0",
            "add-aa-mapping br0 9 -3",
            "add-aa-mapping br0 99999999 1",
            "add-aa-mapping nosuch 1 1",
            "del-aa-mapping br0 6 99 -- get-aa-mapping br0",
            "del-aa-mapping br0 6 11 -- get-aa-mapping br0",
            "del-aa-mapping br1 1 1 -- get-aa-mapping br1",
            "del-aa-mapping br0 x 1",
            "get-aa-mapping nosuch",
            "~--columns=mappings list autoattach",
        ],
    );
}

#[test]
fn conntrack_zones_and_datapath_capabilities() {
    compare(
        "sw-zones",
        &[
            "list-dp-cap netdev",
            "list-zone-tp netdev",
            "add-zone-tp netdev zone=1 icmp_first=1",
            "-- --id=@d create datapath datapath_version=0 'capabilities={ct_zero_snat=true, recirc=true, max_vlan_headers=2, ufid=true, zz=1, a=b}' -- set open_vswitch . datapaths:netdev=@d",
            "-- --id=@d create datapath datapath_version=0 -- set open_vswitch . datapaths:system=@d",
            "list-dp-cap netdev",
            "list-dp-cap system",
            "list-dp-cap nosuch",
            "list-zone-tp netdev",
            "list-zone-tp nosuch",
            "add-zone-tp netdev zone=5 icmp_first=30 icmp_reply=60",
            "add-zone-tp netdev zone=0x10 tcp_syn_sent=3",
            "add-zone-tp netdev zone=010 udp_first=4",
            "add-zone-tp netdev zone=5 icmp_first=1",
            "--may-exist add-zone-tp netdev zone=5 icmp_reply=60 icmp_first=30",
            "add-zone-tp system zone=7 udp_first=1 -- list-zone-tp system",
            "add-zone-tp nosuch zone=7 udp_first=1",
            "list-zone-tp netdev",
            "~--columns=timeouts list ct_timeout_policy",
            "--may-exist add-zone-tp netdev zone=16 tcp_syn_sent=9 -- list-zone-tp netdev",
            "-- --id=@z create ct_zone -- set datapath system ct_zones:9=@z",
            "list-zone-tp system",
            "del-zone-tp netdev zone=9",
            "--if-exists del-zone-tp netdev zone=9",
            "del-zone-tp netdev zone=16 -- list-zone-tp netdev",
            "list-zone-tp netdev",
            "del-zone-tp nosuch zone=1",
            "--if-exists del-zone-tp nosuch zone=1",
        ],
    );
}

/// The setup `show` is compared on: bridges with internal, patch, VXLAN and bond
/// ports, tags and trunks, a fake bridge, controllers, managers, fail modes and a
/// datapath type.
fn show_setup() -> Vec<String> {
    [
        "init",
        "add-br br0 -- add-port br0 p1 tag=5 -- add-port br0 p2 trunks=1,2,3",
        "add-br br1 -- set bridge br1 datapath_type=netdev fail_mode=secure",
        "set-controller br1 tcp:1.2.3.4 -- set-manager ptcp:6640 tcp:127.0.0.1:6641",
        "set controller br1 is_connected=true -- set manager ptcp:6640 is_connected=true",
        "-- --id=@c create controller target='\"ptcp:6653\"' -- add bridge br1 controller @c",
        "add-port br1 patch0 -- set interface patch0 type=patch options:peer=patch1",
        "add-port br0 patch1 -- set interface patch1 type=patch options:peer=patch0",
        "add-port br1 vx -- set interface vx type=vxlan options:remote_ip=1.2.3.4 options:key=5",
        "add-bond br1 bond0 e1 e2 lacp=active bond_mode=balance-slb",
        "add-br fake5 br1 5",
        "set interface e1 bfd_status:state=up error='\"no such device\"'",
        "set open . ovs_version=3.1.0",
        "add-port br0 int0 -- set interface int0 type=internal",
        "add-br empty -- set bridge empty fail_mode=standalone",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn show_bridges_ports_controllers_managers() {
    compare_from(
        "sw-show",
        &show_setup(),
        &[
            "show",
            "show -- show",
            "--oneline show",
            "show extra",
            "~add-port br0 new -- show",
            "~del-port br1 vx -- set-fail-mode br0 secure -- show",
            "~del-controller br1 -- del-manager -- show",
            "~del-br br1 -- show",
            "~emer-reset -- show",
            "~show",
            "list-br",
            "list-ports br0",
        ],
    );
}

#[test]
fn emergency_reset() {
    compare(
        "sw-reset",
        &[
            "set bridge br0 other_config:hwaddr=00:11:22:33:44:55 -- set port p1 other_config:x=y -- set interface p1 ingress_policing_rate=5 ingress_policing_burst=6",
            "emer-reset",
            "emer-reset extra",
            "--columns=name,controller,fail_mode,mirrors,netflow,flood_vlans,other_config list bridge br0 b4 b5",
            "--columns=name,other_config list port p1",
            "--columns=name,ingress_policing_rate,ingress_policing_burst list interface p1",
            "list controller",
            "list manager",
            "list mirror",
            "list netflow",
            "list ssl",
            "get open . manager_options ssl",
            "--columns=id list flow_sample_collector_set",
            "emer-reset -- --columns=id list flow_sample_collector_set",
            "emer-reset",
        ],
    );
}

/// A database that contradicts itself, made with the generic commands: a port in
/// two bridges, a fake bridge named like a real bridge, two fake bridges on one
/// VLAN, an interface in two ports. The reference's cache settles each case its
/// own way and warns; so must ours. (Left out: deleting the fake bridge that lost
/// its VLAN to the other, which crashes the reference.)
#[test]
fn inconsistent_databases() {
    let setup: Vec<String> = [
        "init",
        "add-br a -- add-br b -- add-br c -- add-port a pa -- add-port b pb -- add-port c pc",
        "add-bond c bond e1 e2",
        // pa is also on b.
        "-- --id=@p get port pa -- add bridge b ports @p",
        // e1 is also in pb.
        "-- --id=@i get interface e1 -- add port pb interfaces @i",
        // Two fake bridges on VLAN 7 of c.
        "add-br v7 c 7 -- add-port c w7 -- set port w7 fake_bridge=true tag=7",
        // A fake bridge on a called like real bridge r (whose own port is renamed).
        "add-br r -- set port r name=rl",
        "add-br rf a 3 -- set port rf name=r",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    compare_from(
        "sw-inconsistent",
        &setup,
        &[
            "list-br",
            "list-ports a",
            "list-ports b",
            "port-to-br pa",
            "iface-to-br e1",
            "list-ifaces b",
            "list-ifaces c",
            "br-to-vlan v7",
            "br-to-vlan w7",
            "list-ports v7",
            "add-port b pa",
            "del-port pa -- list-ports a -- list-ports b",
            "--with-iface del-port e1 -- list-ifaces c",
            "br-exists r",
            "br-to-vlan r",
            "list-ports r",
            "port-to-br rl",
            "add-port r q2",
            "add-port a q3 tag=3 -- port-to-br q3",
            "del-br r -- list-br",
            "list-br",
            "~show",
        ],
    );
}

/// Command lines of many port commands at once (more lookups of the bridge
/// holding a port than it takes for every bridge's ports to be fetched at once,
/// see `Plan::prefer_whole_bridges`), on a bridge with a fake bridge: adds,
/// lookups, a line that fails on its last command, deletions by every form.
#[test]
fn many_port_commands_in_one_line() {
    const N: usize = 24;
    let setup: Vec<String> = ["init", "add-br br0 -- add-br f5 br0 5 -- add-br br1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut add = String::new();
    for k in 0..N {
        // Odd ports on VLAN 5, which puts them on fake bridge f5.
        let tag = if k % 2 == 1 { " tag=5" } else { "" };
        add.push_str(&format!(" -- add-port br0 m{k}{tag}"));
    }
    add.push_str(" -- add-bond br1 bd bi0 bi1 -- list-ports br0 -- list-ports f5");
    let to_br: String = (0..N).map(|k| format!(" -- port-to-br m{k}")).collect();
    // All but the last are fine; the last names the parent of m1's fake bridge.
    let mut failing: String = (2..N).map(|k| format!(" -- del-port m{k}")).collect();
    failing.push_str(" -- del-port br0 m1");
    let mut del = String::from("-- del-port br0 m0 -- del-port f5 m1");
    for k in 2..N {
        del.push_str(&format!(" -- del-port m{k}"));
    }
    del.push_str(" -- --with-iface del-port bi0 -- --if-exists del-port nosuch");
    del.push_str(" -- list-ports br0 -- list-ports f5 -- list-ports br1 -- list-br");
    compare_from(
        "sw-many-ports",
        &setup,
        &[
            &add,
            &to_br,
            &failing,
            "list-ports br0",
            "list-ports f5",
            &del,
            "list-ports br0",
            "list-ports f5",
        ],
    );
}
