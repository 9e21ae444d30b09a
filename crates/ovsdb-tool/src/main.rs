//! `ovsdb-tool`: offline management of OVSDB database files (see the library crate).

fn main() {
    std::process::exit(ovsdb_tool::main(std::env::args_os().collect()));
}
