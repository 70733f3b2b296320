//! The bench command's Markdown report: the machine, one table row per measure and
//! size with both engines' figures, their ratio, the target and whether it is met.

use std::fmt::Write;

use crate::suite::Figures;

/// Compile throughput must be at least this many times Yarn's, in cards per second.
pub const COMPILE_TARGET: f64 = 50.0;
/// A customer turn (with snapshot save and restore) must be this many times faster.
pub const TURN_TARGET: f64 = 100.0;
pub const SNAPSHOT_TARGET: usize = 256;
/// 1,000,000 waiting conversations must fit in less than this.
pub const MILLION_TARGET: f64 = (1u64 << 30) as f64;
/// `.fxb` must be at most this fraction of the compact Opa JSON.
pub const FXB_TARGET: f64 = 0.10;
/// Compile throughput at 10,000 cards must be at least this fraction of that at 1,000
/// for compile time to count as linear.
pub const LINEAR_TARGET: f64 = 0.80;

/// The machine: cores, CPU model and memory, from `/proc`.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |it| it.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split(':').nth(1))
        .map_or("unknown CPU", str::trim)
        .to_string();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kib: u64 = meminfo
        .lines()
        .find(|line| line.starts_with("MemTotal:"))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|it| it.parse().ok())
        .unwrap_or(0);
    format!(
        "{cores} cores, {model}, {:.1} GiB RAM",
        kib as f64 / (1u64 << 20) as f64
    )
}

fn per_second(count: usize, figures_time: std::time::Duration) -> f64 {
    count as f64 / figures_time.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// Our and Yarn's compile throughput in cards per second.
pub fn compile_rates(f: &Figures) -> (f64, f64) {
    (
        per_second(f.cards, f.ours_compile),
        per_second(f.cards, f.yarn_compile),
    )
}

/// Resident bytes per waiting conversation: ours (snapshots) and Yarn's (dialogues).
pub fn resident_per_conversation(f: &Figures) -> (f64, f64) {
    (
        f.ours_resident as f64 / f.sessions.max(1) as f64,
        f.yarn_resident as f64 / f.yarn_dialogues.max(1) as f64,
    )
}

fn yes(met: bool) -> &'static str {
    if met {
        "**yes**"
    } else {
        "**no**"
    }
}

/// `1234567.8` → `1,234,568`.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (index, ch) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1u64 << 20) as f64)
}

/// The whole report.
pub fn markdown(machine: &str, command: &str, all: &[Figures]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Machine: {machine}  \nCommand: `{command}`\n");
    out.push_str("| cards | measure | Fluxo | Yarn Spinner | Fluxo / Yarn | target | met |\n");
    out.push_str("|---:|---|---:|---:|---:|---|---|\n");
    for f in all {
        let n = thousands(f.cards as f64);
        let (ours_rate, yarn_rate) = compile_rates(f);
        let compile_ratio = ours_rate / yarn_rate;
        let _ = writeln!(
            out,
            "| {n} | check + compile, cards/s | {} | {} | {compile_ratio:.1}× | ≥ {COMPILE_TARGET}× | {} |",
            thousands(ours_rate),
            thousands(yarn_rate),
            yes(compile_ratio >= COMPILE_TARGET)
        );
        let ours_mbs = f.flow_bytes as f64 / f.ours_compile.as_secs_f64() / 1e6;
        let yarn_mbs = f.yarn_bytes as f64 / f.yarn_compile.as_secs_f64() / 1e6;
        let _ = writeln!(
            out,
            "| {n} | check + compile, MB/s of source ({} / {} bytes) | {ours_mbs:.2} | {yarn_mbs:.3} | {:.1}× | — | — |",
            thousands(f.flow_bytes as f64),
            thousands(f.yarn_bytes as f64),
            ours_mbs / yarn_mbs
        );
        let speedup = f.yarn_turn_ns / f.ours_turn_ns;
        let _ = writeln!(
            out,
            "| {n} | ns per customer turn (ours with snapshot restore + save; {} / {} turns) | {} | {} | {:.4} ({speedup:.0}× faster) | ≥ {TURN_TARGET}× faster | {} |",
            thousands(f.ours_turns as f64),
            thousands(f.yarn_turns as f64),
            thousands(f.ours_turn_ns),
            thousands(f.yarn_turn_ns),
            f.ours_turn_ns / f.yarn_turn_ns,
            yes(speedup >= TURN_TARGET)
        );
        let _ = writeln!(
            out,
            "| {n} | snapshot bytes of a waiting conversation, median of {} (max {}) | {} | no snapshot API | — | ≤ {SNAPSHOT_TARGET} B | {} |",
            thousands(f.waiting_points as f64),
            f.snapshot_max,
            f.snapshot_median,
            yes(f.snapshot_median <= SNAPSHOT_TARGET)
        );
        let (ours_each, yarn_each) = resident_per_conversation(f);
        let million = ours_each * 1e6;
        let _ = writeln!(
            out,
            "| {n} | resident bytes per waiting conversation ({} snapshots / {} live dialogues) | {} | {} | {:.5} | 1,000,000 in < 1 GiB: {} | {} |",
            thousands(f.sessions as f64),
            thousands(f.yarn_dialogues as f64),
            thousands(ours_each),
            thousands(yarn_each),
            ours_each / yarn_each,
            mib(million),
            yes(million < MILLION_TARGET)
        );
        let fxb_ratio = f.fxb_bytes as f64 / f.json_bytes as f64;
        let _ = writeln!(
            out,
            "| {n} | `.fxb` bytes (deflated; plain {}) vs Opa JSON bytes (compact; pretty {}) | {} | JSON {} | {fxb_ratio:.3} | ≤ {FXB_TARGET} | {} |",
            thousands(f.fxb_plain_bytes as f64),
            thousands(f.json_pretty_bytes as f64),
            thousands(f.fxb_bytes as f64),
            thousands(f.json_bytes as f64),
            yes(fxb_ratio <= FXB_TARGET)
        );
    }
    let at = |cards: usize| {
        all.iter()
            .find(|f| f.cards >= cards && f.cards < cards + cards / 10)
    };
    if let (Some(small), Some(large)) = (at(1_000), at(10_000)) {
        let (ours_small, yarn_small) = compile_rates(small);
        let (ours_large, yarn_large) = compile_rates(large);
        let _ = writeln!(
            out,
            "\nCompile throughput at 10,000 cards over that at 1,000: Fluxo {:.2}, Yarn {:.2} \
             (linear means ≥ {LINEAR_TARGET}): {}",
            ours_large / ours_small,
            yarn_large / yarn_small,
            yes(ours_large / ours_small >= LINEAR_TARGET)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
    }

    #[test]
    fn the_machine_line_names_cores_and_memory() {
        let line = machine();
        assert!(line.contains("cores") && line.contains("GiB RAM"), "{line}");
    }
}
