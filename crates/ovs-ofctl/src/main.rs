//! The `ovs-ofctl` binary; everything lives in the library.

fn main() {
    std::process::exit(ovs_ofctl::main());
}
