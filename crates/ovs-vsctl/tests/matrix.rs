//! The command matrix: every line is run by our ovs-vsctl and by the reference's
//! (`/usr/bin/ovs-vsctl`), each against its own copy of the same database, served by
//! the real ovsdb-server and then by ours. Standard output, standard error and the
//! exit status must be the same (UUIDs and times normalised). Lines of a scenario run
//! in order, so later lines see what earlier ones changed. `--no-wait` is added to
//! every line unless it starts with `!`.

mod common;

use common::{compare, compare_from};

#[test]
fn listing_in_every_format() {
    compare(
        "listing",
        &[
            "list bridge",
            "list port",
            "list interface",
            "list controller",
            "list qos",
            "list mirror",
            "list open_vswitch",
            "list flow_table",
            "list manager",
            "list ssl",
            "list netflow",
            "list queue",
            "-f table list port",
            "-f csv list bridge",
            "-f json list bridge",
            "-f json --pretty --columns=name,other_config list bridge",
            "-f html list bridge",
            "--bare list port",
            "-d json list port",
            "-d bare --columns=name,other_config,flood_vlans list bridge",
            "--no-headings -f table --columns=name,other_config list bridge",
            "-f table --max-column-width=5 --columns=name,other_config list bridge",
            "--columns=name,_uuid list bridge br0 br1",
            "--columns=name,name list bridge br0",
            "--columns=nam list bridge br0",
            "--columns= list bridge br0",
            "--columns=name, list bridge br0",
            "'--columns=_UUID name' list bridge br0",
            "--columns=foo list bridge br0",
            "-f table list bridge nosuch",
            "--if-exists -f table --columns=name list bridge nosuch br0",
            "-f table --columns=name list bridge br0 br0",
            "-f table --columns=name,other_config list bridge -- get bridge br0 name -- --columns=name find bridge",
            "-f table --no-headings --columns=name find port name=nosuch -- --columns=name list bridge br1",
            "-f csv --columns=name find port -- get port p1 tag -- -f json list bridge br1",
            "--oneline get bridge br0 name other_config -- get bridge br1 name -- comment x -- --columns=name list bridge br1",
            "--oneline --columns=name list bridge br0 -- get bridge br0 name",
            "--oneline get bridge br0 external_ids:k 'other_config:b'",
        ],
    );
}

#[test]
fn find_conditions() {
    compare(
        "find",
        &[
            "--columns=name find port tag=5",
            "--columns=name find port tag!=5",
            "--columns=name find port tag<5",
            "--columns=name find port tag>4",
            "--columns=name find port tag<=5",
            "--columns=name find port tag>=5",
            "--columns=name find port tag{=}5",
            "--columns=name find port tag{!=}5",
            "--columns=name find port tag=[]",
            "--columns=name find port tag{=}[]",
            "--columns=name find bridge flood_vlans{>=}1,2",
            "--columns=name find bridge flood_vlans{<=}1,2",
            "--columns=name find bridge flood_vlans{<=}1-10",
            "--columns=name find bridge flood_vlans{<}1-10",
            "--columns=name find bridge flood_vlans{>}1",
            "--columns=name find bridge flood_vlans{in}1-10",
            "--columns=name find bridge flood_vlans{not-in}1-10",
            "--columns=name find bridge flood_vlans{not-in}7-10",
            "--columns=name find bridge flood_vlans=1-2",
            "--columns=name find bridge flood_vlans<1-6",
            "--columns=name find bridge other_config:a=1",
            "--columns=name find bridge 'other_config:b=\"x y\"'",
            "--columns=name find bridge other_config:zz=1",
            "--columns=name find bridge other_config:zz!=1",
            "--columns=name find bridge other_config:zz{!=}1",
            "--columns=name find bridge other_config:a{in}1,2",
            "--columns=name find port name=p1 tag=5",
            "--columns=name find port name=p1 tag=6",
            "--columns=name find port name=nosuch tag=x",
            "--columns=name find port tag=x",
            "--columns=name find port tag",
            "--columns=name find port tag~5",
            "--columns=name find port tag{in}[5,6]",
            "--columns=name find bridge _uuid=x",
            "--columns=name find bridge ports:x=1",
            "--columns=name find bridge name:x=1",
            "--columns=target find controller",
            "--columns=type find qos",
            "--columns=name find interface type=internal",
            "find flow_sample_collector_set id=5",
            "--columns=name find queue dscp=1",
        ],
    );
}

#[test]
fn value_syntax_and_its_errors() {
    // find on the one Open_vSwitch row: every value is parsed, nothing matches.
    let values = [
        "cur_cfg=-1",
        "cur_cfg=-1--2",
        "cur_cfg=--1",
        "cur_cfg=1-",
        "cur_cfg=0x10",
        "cur_cfg=010",
        "cur_cfg=+5",
        "'cur_cfg= 5'",
        "cur_cfg=99999999999999999999",
        "cur_cfg=1.5",
        "cur_cfg=[]",
        "cur_cfg=[0]",
        "cur_cfg={}",
        "cur_cfg=0-1",
        "cur_cfg=1-0",
        "next_cfg=0,",
        "next_cfg=,0",
        "next_cfg=[0]x",
        "next_cfg=[0",
        "next_cfg=0]",
        "'next_cfg= 0 '",
        "'next_cfg= '",
        "'next_cfg= [  ] '",
        "'next_cfg=[1 2]'",
        "'next_cfg=1 2'",
        "external_ids={}",
        "external_ids=[]",
        "'external_ids= '",
        "external_ids={a=b}x",
        "external_ids={a=}",
        "external_ids={=b}",
        "external_ids=a=b=c",
        "external_ids=a:b",
        "external_ids=a",
        "'external_ids=\"a\"=\"b'",
        "'external_ids=\"a\\'",
        "'external_ids=a\\'",
        "'external_ids=\"\\q\"=b'",
        "'external_ids:\"x\"=b'",
        "'external_ids:x y=b'",
        "'external_ids:x\\=y=b'",
        "'external_ids=x\\=y=b'",
        "'external_ids=x\\ y=b c'",
        "'external_ids= {  } '",
        "'external_ids= [  ] '",
        "external_ids=a=b,,c=d",
        "'external_ids=a=b , c=d'",
        "'external_ids=a = b'",
        "external_ids=a=b,a=c",
        "ovs_version=1.0",
        "ovs_version=_x",
        "ovs_version=a-b.c",
        "'ovs_version=\"\"'",
        "'ovs_version=\"a\\u0041\"'",
        "'ovs_version=\"a\\x\"'",
        "'ovs_version=\"a'",
        "'ovs_version=\"a\"b\"'",
        "'ovs_version=\"a\"b'",
        "'ovs_version=\"a\"\"b\"'",
        "'ovs_version=a\"b\"c'",
        "ovs_version=ab!c",
        "ovs_version=ab<c",
        "ovs_version=café",
        "ovs_version=[a,b]",
        "ssl=1234",
        "ssl=00000000-0000-0000-0000-00000000000g",
        "dpdk_initialized=on",
        "dpdk_initialized=1",
        "dpdk_initialized=TRUE",
        "bridges=[]",
        "statistics:x=1",
        "bridges:x=1",
        "bridges{=}[]",
        "bridges{<}[]",
    ];
    let lines: Vec<String> = values
        .iter()
        .map(|v| format!("--columns=_uuid find open {v}"))
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    compare("values", &lines);
}

#[test]
fn naming_records() {
    compare(
        "records",
        &[
            "get bridge br0 name",
            "get brid br0 name",
            "get b br0 name",
            "get BRIDGE br0 NAME",
            "get f br0 name",
            "get i x",
            "get in x",
            "get foo br0 name",
            "get open . cur_cfg",
            "get o . cur_cfg",
            "get open_vswitch . next",
            "get bridge . name",
            "get port . name",
            "get ssl . private_key",
            "get manager . target",
            "get manager ptcp:6640 target",
            "get manager '\"ptcp:6640\"' target",
            "get flow_table . name",
            "get flow_table ft0 flow_limit",
            "get controller b4 target",
            "get controller br0 target",
            "get controller . target",
            "get netflow b5 targets",
            "get netflow . targets",
            "get qos p1 type",
            "get qos q5 type",
            "get qos p2 type",
            "get qos a6bb type",
            "get qos A6BB type",
            "get qos a6bb0000-1 type",
            "get qos a6bb0000- type",
            "get qos a6b type",
            "get qos a6bb0000-0000-4000-8000-000000000001 type",
            "get qos a6bb0000-0000-4000-8000-000000000009 type",
            "get mirror mm name",
            "get mirror m1 name",
            "get flow_sample_collector_set 5 id",
            "get flow_sample_collector_set 05 id",
            "get flow_sample_collector_set +5 id",
            "get flow_sample_collector_set 99999999999999999999999 id",
            "get bridge br9 name",
            "--if-exists get bridge br9 name",
            "list bridge br9",
            "--if-exists list bridge br9 br1",
            "get bridge br0 _uuid -uuid name",
        ],
    );
}

#[test]
fn get_columns_and_keys() {
    compare(
        "get",
        &[
            "get bridge br0 name other_config flood_vlans external_ids",
            "get bridge br0 other_config:a",
            "get bridge br0 other_config:b",
            "get bridge br0 other_config:zz",
            "--if-exists get bridge br0 other_config:zz",
            "get bridge br0 nam",
            "get bridge br0 n",
            "get bridge br0 s",
            "get bridge br0 foo",
            "get bridge br0 _version",
            "get bridge br0 Flood-Vlans",
            "get bridge br0 name name",
            "get bridge br0 name:x",
            "get bridge br0 other_config:",
            "get bridge br0 other_config:c:d",
            "get bridge br0 other_config=5",
            "get bridge br0 ''",
            "get bridge br0",
            "get bridge",
            "get",
            "--id=@x get bridge br0",
            "-- --id=x get bridge br0",
            "-- --id=@x --if-exists get bridge br0",
            "get port p1 tag -- get port p2 tag -- get interface p1 type",
        ],
    );
}

#[test]
fn setting_adding_removing_clearing() {
    compare(
        "writes",
        &[
            "set bridge br0 other_config:x=1 external_ids:y=2 flood_vlans=5",
            "get bridge br0 other_config external_ids flood_vlans",
            "add bridge br0 other_config a=7 c=3",
            "get bridge br0 other_config",
            "add bridge br0 flood_vlans 1 2 3-4 [6,7]",
            "get bridge br0 flood_vlans",
            "add bridge br0 flood_vlans 3",
            "remove bridge br0 other_config a b=3",
            "remove bridge br0 other_config 'b=\"x y\"'",
            "get bridge br0 other_config",
            "remove bridge br0 flood_vlans 1 99 3-4",
            "get bridge br0 flood_vlans",
            "clear bridge br0 flood_vlans other_config",
            "get bridge br0 other_config flood_vlans",
            "set bridge br0 other_config:x=3 -- set bridge br0 other_config:x=4",
            "set bridge br0 other_config:x=5 -- set bridge br0 other_config:w=4",
            "add bridge br0 other_config x=6 -- add bridge br0 other_config x=7",
            "get bridge br0 other_config",
            "set bridge br0 other_config:x=8 -- add bridge br0 other_config x=9",
            "add bridge br0 other_config x=10 -- set bridge br0 other_config:x=11",
            "set bridge br0 other_config:x=12 -- get bridge br0 other_config",
            "add bridge br0 flood_vlans 7 -- get bridge br0 flood_vlans",
            "set bridge br0 flood_vlans=[1] -- add bridge br0 flood_vlans 2 -- get bridge br0 flood_vlans",
            "add bridge br0 flood_vlans 7 -- remove bridge br0 flood_vlans 7 -- get bridge br0 flood_vlans",
            "set bridge br0 other_config:q=1 -- set bridge br0 other_config:q=1",
            "get bridge br0 other_config",
            "set port p1 tag=5000",
            "set port p1 tag=x",
            "set port p1 tag=[]",
            "get port p1 tag",
            "set bridge br0 name=true",
            "set bridge br0 fail_mode=bogus",
            "set bridge br0 fail_mode=[secure,standalone]",
            "set port p2 interfaces=[]",
            "set bridge br0 flood_vlans:3=4",
            "set bridge br0 other_config:x",
            "set bridge br0 x",
            "set bridge br0 other_config=",
            "set bridge br0 'other_config:a=\"x y\"' 'external_ids={k=v w=z}'",
            "get bridge br0 other_config external_ids",
            "set bridge nosuch name=x",
            "--if-exists set bridge nosuch other_config:a=b",
            "add bridge br0 fail_mode secure",
            "add bridge br0 fail_mode standalone",
            "get bridge br0 fail_mode",
            "add bridge br0 fail_mode standalone -- comment",
            "add bridge br0 name x",
            "add bridge br0 nosuch x",
            "add bridge nosuch flood_vlans 1",
            "--if-exists add bridge nosuch flood_vlans 1",
            "add bridge br0 other_config c",
            "remove bridge br0 fail_mode standalone",
            "remove bridge br0 fail_mode secure",
            "get bridge br0 fail_mode",
            "remove bridge br0 name br0",
            "remove port p2 interfaces 00000000-0000-0000-0000-000000000000",
            "remove port p2 interfaces 1234",
            "remove bridge br0 flood_vlans x",
            "remove bridge br0 other_config =",
            "clear port p1 interfaces",
            "clear port p1 name",
            "clear bridge nosuch name",
            "--if-exists clear bridge nosuch other_config",
            "set port p1 tag=7 -- set port p2 tag=8",
            "--columns=name,tag find port tag!=[]",
        ],
    );
}

#[test]
fn creating_and_destroying() {
    compare(
        "create",
        &[
            "-- --id=@q create qos type=x -- set port p2 qos=@q",
            "get qos p2 type",
            "--id=a6cc0000-0000-4000-8000-000000000002 create qos type=z",
            "-- --id=a6cc0000-0000-4000-8000-000000000002 create qos type=w",
            "-- --id=a6cc0000-0000-4000-8000-000000000003 create qos type=z -- --id=@q create queue dscp=1 -- set qos a6cc0000-0000-4000-8000-000000000003 queues:1=@q",
            "get qos a6cc0000-0000-4000-8000-000000000003 queues",
            "list queue",
            "create qos type=x other_config={a=1} other_config:b=2",
            "-- --id=@q create qos type=z -- --id=@q create qos type=z",
            "-- --id=@q get bridge br0 -- --id=@q create qos type=z",
            "create flow_sample_collector_set id=6 bridge=@b -- --id=@b get bridge br0",
            "create qos",
            "create qos type",
            "create qos type=x type=y",
            "create qos queues:1=@x",
            "set port p2 qos=@nope",
            "remove port p2 interfaces @x",
            "--id=@q create qos type=x -- add qos @q other_config a=1",
            "create bridge name=x",
            "create bridge x=1",
            "-- --id=@s create ssl private_key=a certificate=b ca_cert=c -- set open . ssl=@s",
            "get ssl . private_key",
            "-- --id=@m create mirror name=m2 -- add bridge br1 mirrors @m",
            "--columns=name,select_all list mirror m2",
            "-- --id=@m create mirror name=m3 select_src_port=@p -- --id=@p get port p1",
            "--dry-run set bridge br0 other_config:x=3",
            "get bridge br0 other_config",
            "--dry-run --id=a6dd0000-0000-4000-8000-000000000001 create qos type=y",
            "list qos a6dd0000-0000-4000-8000-000000000001",
            "destroy qos a6cc0000-0000-4000-8000-000000000002",
            "destroy qos a6cc0000-0000-4000-8000-000000000002",
            "--if-exists destroy qos a6cc0000-0000-4000-8000-000000000002",
            "destroy qos nosuch",
            "--if-exists destroy qos nosuch",
            "destroy qos p1",
            "destroy port p2",
            "--columns=name list port p2",
            "destroy bridge br1 -- --columns=name list bridge br1",
            "--all destroy qos x",
            "--all --if-exists destroy qos",
            "--all destroy",
            "destroy",
            "-- clear port p1 qos -- clear port q5 qos -- clear port p2 qos -- --all destroy qos",
            "list qos",
        ],
    );
}

#[test]
fn options_and_command_line_errors() {
    compare(
        "options",
        &[
            "--foo list bridge",
            "--if --columns=name list bridge br0",
            "-- --if list bridge br0",
            "--if-exists --if-exists --columns=name list bridge br0",
            "-- --if-exists --if-exists list bridge br0",
            "--if-exists",
            "--if-exists --",
            "nosuch",
            "--columns list bridge",
            "--columns=name get bridge br0 name",
            "--id list bridge",
            "get bridge br0 name --if-exists",
            "list",
            "list bridge --foo",
            "comment -- --",
            "-- --",
            "",
            "-t 0 list bridge br0",
            "-t x list bridge br0",
            "-t -1 list bridge br0",
            "--timeout=3 --columns=name list bridge br0",
            "--db=foo list bridge",
            "--db=unix:/nonexistent list bridge",
            "--db=tcp:127.0.0.1:1 list bridge",
            "-x",
            "--version",
            "--options",
            "--no-wait=1 list bridge",
            "--format=foo list bridge",
            "--data=x list bridge",
            "-vfoo list bridge",
            "--t list bridge",
            "--no list bridge",
            "--dry-run --oneline --no-syslog --retry --columns=name list bridge br1",
            "init",
            "init 1",
            "comment a b c",
            "wait-until bridge br0",
            "wait-until open . cur_cfg=0",
            "wait-until bridge br0 name=br0 other_config:a=1",
            "wait-until open . cur_cfg=x",
            "wait-until open . foo=0",
            "wait-until open . cur_cfg",
            "wait-until bridge",
            "!-t 1 set bridge br0 other_config:waited=1",
            "!set bridge br0 other_config:a=1",
            "!--columns=name list bridge br0",
            "!-t 1 wait-until bridge nosuch",
            "--no-syslog -- --id=@a create mirror name=nosys",
            "-vvsctl:syslog:warn -- --id=@a create mirror name=nosys",
            "-vconsole:off -- --id=@a create mirror name=nosys",
            "-vvsctl:console:err -- --id=@a create mirror name=nosys",
            "--no-syslog create bridge name=x",
        ],
    );
}

#[test]
fn transaction_errors_from_the_server() {
    compare(
        "txn-errors",
        &[
            "add bridge br0 fail_mode secure -- add bridge br0 fail_mode standalone",
            "destroy qos p1",
            "-- --id=a6ee0000-0000-4000-8000-000000000001 create qos type=z",
            "-- --id=a6ee0000-0000-4000-8000-000000000001 create qos type=z",
            "set bridge br0 mirrors=[]",
            "--columns=name list mirror",
        ],
    );
}

#[test]
fn row_symbols() {
    compare(
        "symbols",
        &[
            "-- --id=@a create mirror name=x1 -- --id=@b create mirror name=x2 -- --id=@c create mirror name=x3",
            "-- --id=@p create port name=zz interfaces=@i -- --id=@i create interface name=zz -- set mirror m1 select_src_port=@p",
            "-- --id=@p get port p1 -- set mirror m1 output_port=@p",
            "--columns=name,output_port list mirror m1",
            "-- --id=@q get qos p1 -- --columns=name find port qos=@q",
            "--columns=name find port qos=@q -- --id=@q get qos p1",
            "-- --id=@q get qos p1 -- --id=@q get qos q5",
            "-- set port p2 qos=@q2 -- --id=@q2 get qos p1 -- get port p2 qos",
            "get qos p2 type",
            "-- set port p2 qos=@x -- set port p1 qos=@y",
            "create qos type=a other_config:k=@nope",
            "-- --id=@a create queue dscp=3 -- --id=@b create queue dscp=4 -- set qos p1 queues=0=@a,1=@b",
            "--columns=dscp find queue dscp=3",
            "--columns=dscp find queue dscp{>=}4",
        ],
    );
}

/// Many rows, with references between them created in scattered orders: the order in
/// which rows are listed (the reference's hash map order, which depends on how it
/// received them and on references between them) must come out the same.
#[test]
fn row_order_with_many_rows() {
    let mut setup = vec!["init".to_string()];
    for b in 0..12 {
        let mut line = format!("add-br m{b}");
        for p in 0..12 {
            line.push_str(&format!(" -- add-port m{b} m{b}p{p}"));
        }
        setup.push(line);
    }
    for (i, b) in [7, 3, 11, 0, 5, 9, 1].iter().enumerate() {
        setup.push(format!(
            "-- set bridge m{b} controller=@c -- --id=@c create controller target='\"tcp:10.0.0.{i}\"'"
        ));
    }
    for (i, (b, p)) in [(4, 9), (0, 1), (11, 3), (2, 2), (7, 7), (9, 0), (5, 11)]
        .iter()
        .enumerate()
    {
        setup.push(format!(
            "-- set port m{b}p{p} qos=@q -- --id=@q create qos type=t{i}"
        ));
    }
    compare_from(
        "many-rows",
        &setup,
        &[
            "--columns=name list port",
            "--columns=name list interface",
            "--columns=name,ports list bridge",
            "--columns=target list controller",
            "--columns=type list qos",
            "--columns=_uuid,name find port tag=[]",
            "--columns=name find interface type=internal",
            "--columns=type find qos",
            "-f table --columns=name,controller find bridge 'controller!=[]'",
            "--columns=target list controller -- --columns=name list bridge",
            "--columns=type list qos -- --columns=name,qos list port",
            "get bridge m1 ports -- --columns=name list port",
            "--columns=name list interface -- get port m3p3 interfaces",
            "--columns=name list port -- --columns=ports list bridge",
            "--columns=name list bridge -- get open . bridges",
        ],
    );
}
