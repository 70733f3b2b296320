//! The values of literals, decoded once for both parsers: numbers, range bounds,
//! durations, times, dates, weekdays and strings (escapes, `{path}` interpolations,
//! triple-quoted dedent).
//!
//! It exists so that the pest path and the fast path (`descent`) build the same values
//! and refuse the same literals without one importing the other. Where a function here
//! says `None`, the pest path reports a diagnostic and the fast path gives the file to
//! pest. Every input has already been matched by the grammar (or its twin in `descent`),
//! so only values are checked here, never syntax.

use std::borrow::Cow;

use crate::ast::{Date, DurationUnit, Ident, Path, Span, Str, StrPart, Time, Weekday};

/// A `number` literal's value, unless it is too large for an f64.
pub(crate) fn number_value(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A range bound's value, unless it is too large for a u32.
pub(crate) fn bound_value(text: &str) -> Option<u32> {
    text.parse().ok()
}

/// A `duration` literal's unit, and its value unless the duration in seconds is too
/// large for a u64.
pub(crate) fn duration_parts(text: &str) -> (Option<u64>, DurationUnit) {
    let (digits, unit) = text.split_at(text.len().saturating_sub(1));
    let unit = match unit {
        "m" => DurationUnit::Minutes,
        "h" => DurationUnit::Hours,
        "d" => DurationUnit::Days,
        _ => DurationUnit::Seconds,
    };
    let value = digits
        .parse::<u64>()
        .ok()
        .filter(|v| v.checked_mul(unit.seconds()).is_some());
    (value, unit)
}

/// A `time` literal (`HH:MM`), unless it is not a time of day (`24:00` is one).
pub(crate) fn time_value(text: &str, span: Span) -> Option<Time> {
    let hour: u8 = text.get(0..2).and_then(|s| s.parse().ok()).unwrap_or(99);
    let minute: u8 = text.get(3..5).and_then(|s| s.parse().ok()).unwrap_or(99);
    if minute > 59 || hour > 24 || (hour == 24 && minute != 0) {
        return None;
    }
    Some(Time { hour, minute, span })
}

/// A `date` literal (`YYYY-MM-DD`), unless it is not a calendar date.
pub(crate) fn date_value(text: &str, span: Span) -> Option<Date> {
    let year: u16 = text.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(0);
    let month: u8 = text.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(0);
    let day: u8 = text.get(8..10).and_then(|s| s.parse().ok()).unwrap_or(0);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || year == 0 {
        return None;
    }
    Some(Date {
        year,
        month,
        day,
        span,
    })
}

/// The weekday a `weekday` token names (`mon`..`sun`), if it names one.
pub(crate) fn weekday_named(text: &str) -> Option<Weekday> {
    Weekday::ALL.into_iter().find(|d| d.name() == text)
}

/// A string literal from its source text, already checked against the grammar (quotes,
/// escapes and interpolations are well formed).
pub(crate) fn str_value(raw: &str, span: Span) -> Str {
    let triple = raw.starts_with("\"\"\"") && raw.len() >= 6;
    // Most strings are one piece of text: room for one part, not the four a first push
    // makes room for (issue 18's scaling: strings are most of a small flow).
    let mut parts = Vec::with_capacity(1);
    if triple {
        let body_start = span.start as usize + 3;
        let body = &raw[3..raw.len() - 3];
        for (line_offset, line, last) in dedent(body) {
            decode(line, body_start + line_offset, &mut parts);
            if !last {
                push_text(&mut parts, "\n".into());
            }
        }
    } else {
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        decode(body, span.start as usize + 1, &mut parts);
    }
    Str {
        parts,
        triple,
        span,
    }
}

/// The lines of a triple-quoted body after removing the common indentation, each with
/// its byte offset in the body and whether it is the last line. A first line that is
/// empty and a last line that is only whitespace belong to the quotes, not the text.
fn dedent(body: &str) -> Vec<(usize, &str, bool)> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in body.split('\n') {
        lines.push((offset, line));
        offset += line.len() + 1;
    }
    if lines.len() > 1 && lines.first().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.remove(0);
    }
    if lines.len() > 1 && lines.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.pop();
    }
    let indent = lines
        .iter()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(_, l)| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let n_lines = lines.len();
    lines
        .into_iter()
        .enumerate()
        .map(|(i, (off, line))| {
            let last = i + 1 == n_lines;
            if line.trim().is_empty() {
                (off + line.len(), "", last)
            } else {
                (off + indent, &line[indent..], last)
            }
        })
        .collect()
}

/// Unescapes `text` and splits it at `{path}` interpolations. Runs of plain text are
/// copied whole: most strings are one run, and become one allocation.
fn decode(text: &str, offset: usize, parts: &mut Vec<StrPart>) {
    let mut literal = String::new();
    // Where the text not yet copied into `literal` starts.
    let mut run = 0;
    let mut i = 0;
    while let Some(&byte) = text.as_bytes().get(i) {
        match byte {
            b'\\' => {
                literal.push_str(&text[run..i]);
                let escaped = text[i + 1..].chars().next();
                match escaped {
                    Some('n') => literal.push('\n'),
                    Some(other) => literal.push(other),
                    None => {}
                }
                i += 1 + escaped.map_or(0, char::len_utf8);
                run = i;
            }
            b'{' => {
                literal.push_str(&text[run..i]);
                let close = text[i..].find('}').map_or(text.len(), |n| i + n);
                let inner = &text[i + 1..close];
                let mut seg_start = offset + i + 1;
                let segments = inner
                    .split('.')
                    .map(|seg| {
                        let ident = Ident {
                            name: seg.to_string(),
                            span: Span::new(seg_start, seg_start + seg.len()),
                        };
                        seg_start += seg.len() + 1;
                        ident
                    })
                    .collect();
                if !literal.is_empty() {
                    push_text(parts, std::mem::take(&mut literal).into());
                }
                let span = Span::new(offset + i, offset + close + 1);
                parts.push(StrPart::Var(Path { segments, span }));
                i = close + 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    literal.push_str(text.get(run..).unwrap_or(""));
    if !literal.is_empty() {
        push_text(parts, literal.into());
    }
}

fn push_text(parts: &mut Vec<StrPart>, text: Cow<str>) {
    if let Some(StrPart::Text(last)) = parts.last_mut() {
        last.push_str(&text);
    } else {
        parts.push(StrPart::Text(text.into_owned()));
    }
}

/// The length of a month, leap years included; 0 for a month that does not exist.
fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}
