//! Verification of a whole action list, shared by the text parser and the
//! wire decoders: the reference checks a list member by member once it has
//! all of it, so the first offending member decides the error.
//!
//! For each member in turn: a conjunction makes the whole list conjunctions
//! and notes (and ends verification, whatever follows); a NAT or a write of
//! ct_mark/ct_label is refused outside ct, and inside ct anything else; a
//! meter inside write_actions has its own complaint; instructions must come in OpenFlow 1.1+ order, once
//! each; and only allowed instructions may appear (all of them in a flow's
//! top-level list, none in an action list or a nested one).

use super::inst::check_order_step;
use super::{Action, InstructionKind};

/// One member of a list under verification: an action, or a NAT outside ct
/// (which parses and decodes, but has no place in our model).
#[derive(Clone, Copy)]
pub(crate) enum Member<'a> {
    Action(&'a Action),
    Nat,
}

/// The action a list is nested in, as the checks need to know.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outer {
    /// A flow's list, a group bucket's, a packet-out's.
    None,
    Clone,
    WriteActions,
    /// ct's nested list: NAT and ct_mark/ct_label writes belong there.
    Ct,
}

/// Why a list fails verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Violation {
    /// Conjunctions mixed with this (named) other kind of member.
    Conjunction(&'static str),
    Nat,
    CtField,
    WriteActionsMeter,
    /// Out of order or repeated instructions: the reference's message.
    Order(String),
    /// An instruction where only actions may be.
    NotAllowed(InstructionKind),
    /// An action ct may not hold: the reference's message.
    CtNested(String),
}

impl Violation {
    /// The reference's parse-time message.
    pub(crate) fn message(&self) -> String {
        match self {
            Violation::Conjunction(other) => format!(
                "\"conjunction\" actions may be used along with \"note\" but not any other kind of action (such as the \"{other}\" action used here)"
            ),
            Violation::Nat => "Cannot have NAT action outside of \"ct\" action".to_string(),
            Violation::CtField => "cannot set CT fields outside of ct action".to_string(),
            Violation::WriteActionsMeter => {
                "write_actions action doesn't support nested action meter".to_string()
            }
            Violation::Order(m) => m.clone(),
            Violation::NotAllowed(k) => format!("{} instruction not allowed here", k.name()),
            Violation::CtNested(m) => m.clone(),
        }
    }
}

impl Member<'_> {
    fn name(self) -> &'static str {
        match self {
            Member::Action(a) => a.name(),
            Member::Nat => "nat",
        }
    }
}

/// The members of a list whose NATs (outside ct) stood at `nats`: indexes
/// into `acts` of the action each came before (`acts.len()` = at the end).
pub(crate) fn members<'a>(acts: &'a [Action], nats: &[usize]) -> Vec<Member<'a>> {
    let mut out = Vec::with_capacity(acts.len() + nats.len());
    for (i, a) in acts.iter().enumerate() {
        out.extend(nats.iter().filter(|n| **n == i).map(|_| Member::Nat));
        out.push(Member::Action(a));
    }
    out.extend(
        nats.iter()
            .filter(|n| **n >= acts.len())
            .map(|_| Member::Nat),
    );
    out
}

/// Verifies `members` nested in `outer`. `instructions` says whether
/// instructions may appear at all; `meter_is_action` makes a meter a plain
/// action (OpenFlow 1.5+ on the wire).
pub(crate) fn verify(
    members: &[Member],
    outer: Outer,
    instructions: bool,
    meter_is_action: bool,
) -> Result<(), Violation> {
    let mut last: Option<InstructionKind> = None;
    for m in members.iter().copied() {
        if let Member::Action(Action::Conjunction { .. }) = m {
            let other = members.iter().find(|m| {
                !matches!(
                    m,
                    Member::Action(Action::Conjunction { .. } | Action::Note(_))
                )
            });
            return match other {
                Some(o) => Err(Violation::Conjunction(o.name())),
                None => Ok(()),
            };
        }
        let kind = match m {
            Member::Nat if outer != Outer::Ct => return Err(Violation::Nat),
            Member::Nat => InstructionKind::ApplyActions,
            Member::Action(a) => {
                if outer != Outer::Ct && writes_ct_field(a) {
                    return Err(Violation::CtField);
                }
                if outer == Outer::Ct {
                    super::ct::check_nested(a).map_err(Violation::CtNested)?;
                }
                if outer == Outer::WriteActions && matches!(a, Action::Meter(_)) {
                    return Err(Violation::WriteActionsMeter);
                }
                match a {
                    Action::Meter(_) if meter_is_action => InstructionKind::ApplyActions,
                    a => a.instruction_kind(),
                }
            }
        };
        check_order_step(last, kind).map_err(Violation::Order)?;
        if !instructions && kind != InstructionKind::ApplyActions {
            return Err(Violation::NotAllowed(kind));
        }
        last = Some(kind);
    }
    Ok(())
}

/// Whether the action writes ct_mark or ct_label (only ct may: they are
/// committed with the connection).
fn writes_ct_field(a: &Action) -> bool {
    let f = match a {
        Action::SetField(sf) => sf.field,
        Action::RegMove { dst, .. } => dst.field,
        _ => return false,
    };
    f == crate::field::FieldId::CT_MARK || f == crate::field::FieldId::CT_LABEL
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::parse_actions;

    fn run(text: &str, nats: &[usize], outer: Outer, instructions: bool) -> Result<(), Violation> {
        let acts = parse_actions(text, None).unwrap();
        verify(&members(&acts, nats), outer, instructions, false)
    }

    #[test]
    fn the_first_offending_member_decides() {
        assert_eq!(
            run("goto_table:1", &[0], Outer::None, true),
            Err(Violation::Nat)
        );
        // The NAT is refused before its place in the order is looked at.
        assert_eq!(
            run("goto_table:1", &[1], Outer::None, true),
            Err(Violation::Nat)
        );
        let mut acts = parse_actions("goto_table:1", None).unwrap();
        acts.extend(parse_actions("output:1", None).unwrap());
        assert!(matches!(
            verify(&members(&acts, &[]), Outer::None, true, false),
            Err(Violation::Order(_))
        ));
        // Inside ct, only ct_mark/ct_label writes (and NAT) may be.
        assert_eq!(
            run("output:1", &[1], Outer::Ct, false),
            Err(Violation::CtNested(
                "ct action doesn't support nested action output".to_string()
            ))
        );
        let ct_mark = crate::action::parse::parse_ct_actions("set_field:1->ct_mark", None).unwrap();
        assert_eq!(
            verify(&members(&ct_mark, &[1]), Outer::Ct, false, false),
            Ok(())
        );
        assert_eq!(
            verify(&members(&ct_mark, &[]), Outer::Clone, false, false),
            Err(Violation::CtField)
        );
        assert_eq!(
            run("conjunction(1,1/2)", &[1], Outer::None, true),
            Err(Violation::Conjunction("nat"))
        );
        assert_eq!(
            run("goto_table:1", &[], Outer::Clone, false),
            Err(Violation::NotAllowed(InstructionKind::GotoTable))
        );
    }
}
