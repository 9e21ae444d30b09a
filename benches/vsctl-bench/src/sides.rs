//! Who is measured: a client and a server, each the reference's or ours, and the order
//! in which the pairs take their turns.

use std::path::PathBuf;

use ovsdb_bench::server::ServerSpec;

/// The reference implementation or ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Theirs,
    Ours,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Theirs, Side::Ours];
}

/// The `ovs-vsctl` binaries: the reference's, and ours or why it is not run.
#[derive(Clone, Debug)]
pub struct Clients {
    pub theirs: PathBuf,
    pub ours: Result<PathBuf, String>,
}

/// The `ovsdb-server` binaries: the reference's, and ours or why it is not run.
#[derive(Clone, Debug)]
pub struct Servers {
    pub theirs: ServerSpec,
    pub ours: Result<ServerSpec, String>,
}

/// One client measured against one server.
#[derive(Clone, Debug)]
pub struct Pair {
    pub client: Side,
    pub server: Side,
    pub vsctl: PathBuf,
    pub server_spec: ServerSpec,
}

/// Every pair whose client and server are both available, reference first.
pub fn pairs(clients: &Clients, servers: &Servers) -> Vec<Pair> {
    let mut out = Vec::new();
    for (server, spec) in [
        (Side::Theirs, Ok(&servers.theirs)),
        (Side::Ours, servers.ours.as_ref()),
    ] {
        let Ok(spec) = spec else { continue };
        for (client, vsctl) in [
            (Side::Theirs, Ok(&clients.theirs)),
            (Side::Ours, clients.ours.as_ref()),
        ] {
            let Ok(vsctl) = vsctl else { continue };
            out.push(Pair {
                client,
                server,
                vsctl: vsctl.clone(),
                server_spec: spec.clone(),
            });
        }
    }
    out
}

/// The order in which `n` sides take their turn in round `round`: flipped every
/// round, so a burst of other work on a shared machine lands on every side alike.
pub fn order(n: usize, round: usize) -> impl Iterator<Item = usize> {
    let forward = round.is_multiple_of(2);
    (0..n).map(move |k| if forward { k } else { n - 1 - k })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_flips_every_round() {
        assert_eq!(order(3, 0).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(order(3, 1).collect::<Vec<_>>(), [2, 1, 0]);
        assert_eq!(order(0, 1).count(), 0);
    }

    #[test]
    fn pairs_leave_out_what_is_unavailable() {
        let spec = |p: &str| ServerSpec {
            binary: PathBuf::from(p),
        };
        let all = pairs(
            &Clients {
                theirs: "/t/vsctl".into(),
                ours: Ok("/o/vsctl".into()),
            },
            &Servers {
                theirs: spec("/t/server"),
                ours: Ok(spec("/o/server")),
            },
        );
        let who: Vec<(Side, Side)> = all.iter().map(|p| (p.server, p.client)).collect();
        use Side::*;
        assert_eq!(
            who,
            [
                (Theirs, Theirs),
                (Theirs, Ours),
                (Ours, Theirs),
                (Ours, Ours)
            ]
        );
        assert_eq!(all[3].vsctl, PathBuf::from("/o/vsctl"));
        assert_eq!(all[3].server_spec.binary, PathBuf::from("/o/server"));

        let some = pairs(
            &Clients {
                theirs: "/t/vsctl".into(),
                ours: Err("not built".into()),
            },
            &Servers {
                theirs: spec("/t/server"),
                ours: Ok(spec("/o/server")),
            },
        );
        let who: Vec<(Side, Side)> = some.iter().map(|p| (p.server, p.client)).collect();
        assert_eq!(who, [(Theirs, Theirs), (Ours, Theirs)]);
    }
}
