//! The datapath capabilities command of `ovs-vsctl(8)`: `list-dp-cap`.

use super::zone::find_datapath;
use crate::command::{Command, Ctx, Failure, Mode, Pre};

pub const COMMANDS: &[Command] = &[Command {
    name: "list-dp-cap",
    min_args: 1,
    max_args: 1,
    arguments: "",
    options: "",
    mode: Mode::ReadOnly,
    pre: Some(pre_get_dp_cap),
    run: Some(cmd_list_dp_cap),
    post: None,
}];

fn pre_get_dp_cap(pre: &mut Pre) -> Result<(), String> {
    pre.add_column("Open_vSwitch", "datapaths");
    pre.add_column("Datapath", "capabilities");
    Ok(())
}

fn cmd_list_dp_cap(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let Some(dp) = find_datapath(ctx, &name)? else {
        return Err(Failure::Error(format!(
            "datapath \"{name}\" record not found"
        )));
    };
    let caps = ctx.db.read("Datapath", &dp, "capabilities")?;
    let pairs: Vec<(&str, &str)> = caps
        .pairs()
        .filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?)))
        .collect();
    // The reference prints them in its string map's order, filled in key order.
    let order = ovs_hash_order::iteration_order(pairs, |(k, _)| k);
    let text: Vec<String> = order.iter().map(|(k, v)| format!("{k}={v}")).collect();
    ctx.output.push_str(&text.join(" "));
    ctx.output.push('\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn capabilities_come_in_the_reference_order() {
        // As the reference printed this datapath's capabilities.
        let keys = [
            "a",
            "ct_zero_snat",
            "max_vlan_headers",
            "recirc",
            "ufid",
            "zz",
        ];
        assert_eq!(
            ovs_hash_order::name_order(keys),
            [
                "ufid",
                "recirc",
                "a",
                "zz",
                "ct_zero_snat",
                "max_vlan_headers"
            ]
        );
    }
}
