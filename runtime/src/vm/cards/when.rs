//! `when`: reads the subject (channel, branch, business hours, shift, tags,
//! registration, origin, or an enum variable) and jumps to the first matching arm.

use fluxo_stdlib::types::EnumKind;

use super::Cx;
use crate::bytecode::program::{EntityRef, Subject};
use crate::clock::{self, HoursRule};
use crate::vm::{read_var, Next};
use crate::{RuntimeError, Value};

pub(super) fn run(cx: &mut Cx, table: u32) -> Result<Next, RuntimeError> {
    let table =
        cx.p.switches
            .get(table as usize)
            .ok_or_else(|| cx.error("`when` table out of range"))?;
    for arm in &table.arms {
        if matches(cx, table.subject, arm.pattern)? {
            return Ok(Next::Go(arm.target));
        }
    }
    Ok(Next::Go(table.otherwise))
}

fn matches(cx: &Cx, subject: Subject, pattern: u32) -> Result<bool, RuntimeError> {
    let is = |kind: EnumKind, name: &str| {
        kind.patterns()
            .get(pattern as usize)
            .is_some_and(|it| it.name == name)
    };
    Ok(match subject {
        Subject::Channel => is(EnumKind::Channel, cx.s.ctx.channel.name()),
        Subject::Shift => is(EnumKind::Shift, clock::shift(cx.s.now)),
        Subject::Origin => is(
            EnumKind::Origin,
            if cx.s.ctx.from_ad { "ad" } else { "organic" },
        ),
        Subject::Registration => {
            let registration = match &cx.s.ctx.link {
                None => "none",
                Some(link) if link.supplier => "supplier",
                Some(_) => "client",
            };
            is(EnumKind::Registration, registration)
        }
        Subject::Hours(period) => {
            let open = period_open(cx, period)?;
            is(EnumKind::Hours, if open { "open" } else { "closed" })
        }
        Subject::Branch => {
            let name = cx.entity_str(EntityRef::Branch, pattern)?;
            cx.s.ctx.branch() == Some(name)
        }
        Subject::Tag => {
            let name = cx.entity_str(EntityRef::Tag, pattern)?;
            cx.has_tag(name) || cx.s.ctx.tags().any(|it| it == name)
        }
        Subject::Var(var) => match read_var(cx.s, cx.p, var).map_err(|why| cx.error(why))? {
            Value::Pattern { index, .. } => index == pattern,
            other => return Err(cx.error(format!("`when` on a {} variable", other.type_name()))),
        },
    })
}

fn period_open(cx: &Cx, period: u32) -> Result<bool, RuntimeError> {
    let period =
        cx.p.entities
            .periods
            .get(period as usize)
            .ok_or_else(|| cx.error("period index out of range"))?;
    let rules: Vec<HoursRule> = period
        .rules
        .iter()
        .flat_map(|rule| {
            rule.spans.iter().map(|(from, to)| HoursRule {
                days: rule.days,
                from: *from,
                to: *to,
            })
        })
        .collect();
    let holidays: Vec<time::Date> = period
        .holidays
        .iter()
        .filter_map(|it| {
            let month = time::Month::try_from(it.month).ok()?;
            time::Date::from_calendar_date(i32::from(it.year), month, it.day).ok()
        })
        .collect();
    Ok(clock::is_open(&rules, &holidays, cx.s.now))
}
