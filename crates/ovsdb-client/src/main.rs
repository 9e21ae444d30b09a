//! The `ovsdb-client` binary; everything lives in the library.

fn main() {
    std::process::exit(ovsdb_client::main());
}
