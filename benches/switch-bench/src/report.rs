//! The results table (plain or Markdown) and each round's packet rates.

use testkit::Flavor;

use crate::{Figures, Options, Rates};

pub(crate) fn report(results: &[(Flavor, Result<Figures, String>)], opts: &Options) {
    let get = |fl: Flavor| {
        results
            .iter()
            .find(|(f, _)| *f == fl)
            .and_then(|(_, r)| r.as_ref().ok())
            .cloned()
    };
    for (f, r) in results {
        if let Err(e) = r {
            println!("{f:?}: not measured: {}", e.lines().next().unwrap_or(""));
        }
    }
    let (real, ours) = (get(Flavor::Real), get(Flavor::Oxvs));
    type Metric = (&'static str, fn(&Figures) -> f64, &'static str, bool);
    let metrics: [Metric; 10] = [
        (
            "64-byte UDP, NORMAL (kpps)",
            |f| f.normal_pps / 1e3,
            "%",
            true,
        ),
        (
            "64-byte UDP, 1,000 rules (kpps)",
            |f| f.rules_pps / 1e3,
            "%",
            true,
        ),
        (
            "64-byte UDP, NORMAL, raw generator (kpps)",
            |f| f.normal_raw_pps / 1e3,
            "%",
            true,
        ),
        (
            "64-byte UDP, 1,000 rules, raw generator (kpps)",
            |f| f.rules_raw_pps / 1e3,
            "%",
            true,
        ),
        (
            "64-byte UDP, NORMAL, raw, dropped at IP input (kpps)",
            |f| f.normal_sink_pps / 1e3,
            "%",
            true,
        ),
        (
            "64-byte UDP, 1,000 rules, raw, dropped at IP input (kpps)",
            |f| f.rules_sink_pps / 1e3,
            "%",
            true,
        ),
        ("iperf3 TCP (Gbit/s)", |f| f.tcp_gbps, "%", true),
        (
            "install flows, own ovs-ofctl (s)",
            |f| f.install_own_secs,
            "%",
            false,
        ),
        (
            "install flows, real ovs-ofctl (s)",
            |f| f.install_secs,
            "%",
            false,
        ),
        ("ovs-vswitchd RSS after (MB)", |f| f.rss_mb, "%", false),
    ];
    if opts.markdown {
        println!("| measure | real OVS 3.1 | oxvs | ratio oxvs/real |");
        println!("|---|---|---|---|");
    }
    for (name, pick, _, _) in metrics {
        let r = real.as_ref().map(pick);
        let o = ours.as_ref().map(pick);
        let fmt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
        let ratio = match (r, o) {
            (Some(r), Some(o)) if r > 0.0 => format!("{:.2}x", o / r),
            _ => "-".into(),
        };
        if opts.markdown {
            println!("| {name} | {} | {} | {ratio} |", fmt(r), fmt(o));
        } else {
            println!(
                "{name:<57} real {:>10}  oxvs {:>10}  ratio {ratio}",
                fmt(r),
                fmt(o)
            );
        }
    }
    print_rounds(real.as_ref(), ours.as_ref());
    if opts.flows != 100_000 {
        println!("(flows installed: {})", opts.flows);
    }
}

/// Each round's packet rates side by side, so the spread behind the
/// medians shows.
fn print_rounds(real: Option<&Figures>, ours: Option<&Figures>) {
    let n = real
        .map_or(0, |f| f.rounds.len())
        .max(ours.map_or(0, |f| f.rounds.len()));
    if n == 0 {
        return;
    }
    println!();
    println!("Packet rates per round, kpps real / oxvs (ratio); the table gives the medians:");
    type Pick = fn(&Rates) -> f64;
    let phases: [(&str, Pick); 6] = [
        ("NORMAL", |r| r.normal),
        ("1,000 rules", |r| r.rules),
        ("raw NORMAL", |r| r.normal_raw),
        ("raw 1,000 rules", |r| r.rules_raw),
        ("sink NORMAL", |r| r.normal_sink),
        ("sink 1,000 rules", |r| r.rules_sink),
    ];
    for i in 0..n {
        let cells: Vec<String> = phases
            .iter()
            .map(|(name, pick)| {
                let r = real.and_then(|f| f.rounds.get(i)).map(pick);
                let o = ours.and_then(|f| f.rounds.get(i)).map(pick);
                let fmt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.1}", v / 1e3));
                let ratio = match (r, o) {
                    (Some(r), Some(o)) if r > 0.0 => format!(" ({:.2}x)", o / r),
                    _ => String::new(),
                };
                format!("{name} {} / {}{ratio}", fmt(r), fmt(o))
            })
            .collect();
        println!("- round {}: {}", i + 1, cells.join("; "));
    }
}
