//! `--help` and `--version` texts.

/// `--version`.
pub fn version() -> String {
    format!(
        "{}\nOpenFlow versions 0x1:0x6\n",
        ovs_daemon::version_line("ovs-ofctl")
    )
}

/// `--help` (and the `help` command).
pub fn usage() -> String {
    let rundir = ovs_daemon::dirs::rundir();
    let logdir = ovs_daemon::dirs::logdir();
    format!(
        "ovs-ofctl: OpenFlow switch management utility
usage: ovs-ofctl [OPTIONS] COMMAND [ARG...]

Switch commands (SWITCH is a bridge name, a socket file or an active
connection method):
  show SWITCH                     features, ports and configuration
  dump-desc SWITCH                switch description
  dump-tables SWITCH              table statistics
  dump-table-features SWITCH      table features
  dump-table-desc SWITCH          table descriptions (OpenFlow 1.4+)
  mod-port SWITCH IFACE ACT       change a port (up, down, flood, ...)
  mod-table SWITCH TABLE MOD      change a table's behavior
  get-frags SWITCH                fragment handling mode
  set-frags SWITCH MODE           set it (normal, drop, reassemble, nx-match)
  dump-ports SWITCH [PORT]        port statistics
  dump-ports-desc SWITCH [PORT]   port descriptions
  dump-flows SWITCH [FLOW]        flows (all, or those matching FLOW)
  dump-aggregate SWITCH [FLOW]    aggregate statistics of flows
  queue-stats SWITCH [PORT [QUEUE]]  queue statistics
  add-flow SWITCH FLOW            add a flow
  add-flows SWITCH FILE           add the flows in FILE (- for stdin)
  mod-flows SWITCH FLOW           change the actions of matching flows
  del-flows SWITCH [FLOW]         delete matching flows
  replace-flows SWITCH FILE       make the switch's flows those in FILE
  diff-flows SOURCE1 SOURCE2      compare two sets of flows
  packet-out SWITCH IN_PORT ACTIONS PACKET...
                                  run ACTIONS on PACKET
  monitor SWITCH [MISSLEN] [invalid_ttl] [watch:[...]]
                                  print what SWITCH sends its controllers
  snoop SWITCH                    print SWITCH's controller traffic
  add-group SWITCH GROUP          add a group
  add-groups SWITCH FILE          add the groups in FILE
  [--may-create] mod-group SWITCH GROUP  change a group
  del-groups SWITCH [GROUP]       delete groups
  insert-buckets SWITCH [GROUP]   add buckets to a group
  remove-buckets SWITCH [GROUP]   remove buckets from a group
  dump-group-features SWITCH      group features
  dump-groups SWITCH [GROUP]      group descriptions
  dump-group-stats SWITCH [GROUP] group statistics
  add-meter SWITCH METER          add a meter
  mod-meter SWITCH METER          change a meter
  del-meters SWITCH [METER]       delete meters
  dump-meters SWITCH [METER]      meter configurations
  meter-stats SWITCH [METER]      meter statistics
  meter-features SWITCH           meter features
  add-tlv-map SWITCH MAP          add TLV option mappings
  del-tlv-map SWITCH [MAP]        delete TLV option mappings
  dump-tlv-map SWITCH             TLV option mappings

Commands for switches and controllers (TARGET is an active connection method):
  probe TARGET                    check that TARGET answers
  ping TARGET [N]                 round-trip time of N-byte echoes
  benchmark TARGET N COUNT        throughput of COUNT N-byte echoes

Active connection methods:
  tcp:HOST[:PORT]                 TCP, PORT defaults to 6653
  ssl:HOST[:PORT]                 SSL (not supported yet)
  unix:FILE                       Unix domain socket FILE
A bare name is a socket file or a bridge: {rundir}/BRIDGE.mgmt

Options:
  -O, --protocols=VERSIONS    OpenFlow versions to allow (default: OpenFlow10)
  -F, --flow-format=FORMATS   flow formats to allow
  -P, --packet-in-format=FMT  packet-in format for monitor
  --strict                    match flows exactly (mod-flows, del-flows)
  --readd                     replace-flows re-adds unchanged flows too
  --bundle                    apply flow and group changes atomically
  --may-create                mod-group may create the group
  -m, --more                  more detail in printed messages
  --timestamp                 (monitor, snoop) print timestamps
  -t, --timeout=SECS          give up after SECS seconds
  --sort[=FIELD]              sort dumped flows by FIELD, ascending
  --rsort[=FIELD]             sort dumped flows by FIELD, descending
  --names, --no-names         show port and table names, or numbers
  --stats, --no-stats         show flow statistics, or not
  --read-only                 refuse commands that change anything
  --unixctl=SOCKET            control socket for monitor
  --color[=WHEN]              accepted; output is never colored
  -v, --verbose[=SPEC]        log more (see ovs-appctl vlog/set)
  --log-file[=FILE]           also log to FILE (default: {logdir}/ovs-ofctl.log)
  -h, --help                  this help
  -V, --version               version information
",
        rundir = rundir.display(),
        logdir = logdir.display()
    )
}
