//! Measuring tools for the bench command: repeated timing, medians, and the process's
//! resident memory as Linux reports it in `/proc/self/statm`.

use std::time::{Duration, Instant};

/// Runs `work` until at least `min_time` has passed and at least `min_runs` runs were
/// made (at most `max_runs`); returns the median run time.
pub fn median_time<T>(
    min_time: Duration,
    min_runs: usize,
    max_runs: usize,
    mut work: impl FnMut() -> T,
) -> Duration {
    let started = Instant::now();
    let mut runs = Vec::new();
    while runs.len() < max_runs.max(1)
        && (runs.len() < min_runs.max(1) || started.elapsed() < min_time)
    {
        let run = Instant::now();
        std::hint::black_box(work());
        runs.push(run.elapsed());
    }
    runs.sort_unstable();
    runs[runs.len() / 2]
}

/// The median of `values` (the upper one of the two middle values); `None` when empty.
pub fn median(values: &[usize]) -> Option<usize> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied()
}

/// The process's resident set size in bytes: `/proc/self/statm`'s second field (pages)
/// times the page size from the auxiliary vector. `None` off Linux.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size().unwrap_or(4096))
}

/// Hands the allocator's free memory back to the system, so that a resident-memory
/// delta measured next counts new allocations instead of reusing memory that an
/// earlier measurement freed (glibc keeps freed memory mapped).
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's `malloc_trim` only returns free heap pages to the kernel; it
        // takes no pointers and is safe to call at any time from any thread.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// `AT_PAGESZ` from `/proc/self/auxv` (pairs of native-endian words).
fn page_size() -> Option<u64> {
    const AT_PAGESZ: u64 = 6;
    let auxv = std::fs::read("/proc/self/auxv").ok()?;
    let word = std::mem::size_of::<usize>();
    let read = |chunk: &[u8]| -> u64 {
        let mut bytes = [0u8; 8];
        bytes[..word].copy_from_slice(chunk);
        u64::from_ne_bytes(bytes)
    };
    auxv.chunks_exact(2 * word)
        .map(|pair| (read(&pair[..word]), read(&pair[word..])))
        .find(|(key, _)| *key == AT_PAGESZ)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_picks_the_middle() {
        assert_eq!(median(&[5, 1, 3]), Some(3));
        assert_eq!(median(&[4, 1, 3, 2]), Some(3));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn median_time_respects_the_run_bounds() {
        let mut runs = 0;
        median_time(Duration::from_secs(3600), 1, 4, || runs += 1);
        assert_eq!(runs, 4);
        runs = 0;
        median_time(Duration::ZERO, 3, 10, || runs += 1);
        assert_eq!(runs, 3);
    }

    #[test]
    fn resident_memory_grows_when_memory_is_touched() {
        let before = resident_bytes().expect("Linux has /proc/self/statm");
        let block = vec![1u8; 64 << 20];
        let after = resident_bytes().expect("still there");
        assert!(after >= before + (32 << 20), "{before} -> {after}");
        drop(std::hint::black_box(block));
        // Only this test reads the resident size, so parallel tests do not disturb it.
        release_free_memory();
        assert!(page_size().is_some_and(|it| it.is_power_of_two()));
    }
}
