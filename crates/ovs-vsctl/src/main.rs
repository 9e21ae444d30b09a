//! The `ovs-vsctl` binary; everything lives in the library.

fn main() {
    std::process::exit(ovs_vsctl::main());
}
