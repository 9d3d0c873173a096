//! The ratio table printed after the benchmarks: criterion's medians of this run, read back
//! from its estimates, each target's ratio next to its bound.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where criterion keeps its results; set explicitly so that the report reads the same place.
pub(crate) fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    target.join("criterion")
}

/// A benchmark of one group.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Id {
    pub(crate) group: &'static str,
    pub(crate) bench: &'static str,
}

pub(crate) const fn id(group: &'static str, bench: &'static str) -> Id {
    Id { group, bench }
}

/// How a ratio is judged.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bound {
    /// `measured / baseline` must not exceed this.
    AtMost(f64),
    /// `baseline / measured` must be at least this (the measured one is that much faster).
    FasterBy(f64),
    /// For reference only.
    None,
}

/// One line of the table: `measured` against `baseline`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    pub(crate) measured: Id,
    pub(crate) baseline: Id,
    pub(crate) bound: Bound,
}

/// Median and throughput of one benchmark, if it ran in this process.
struct Estimate {
    median_ns: f64,
    bytes: Option<f64>,
}

fn estimate(dir: &Path, id: Id, since: SystemTime) -> Option<Estimate> {
    let new = dir.join(id.group).join(id.bench).join("new");
    let path = new.join("estimates.json");
    let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    if modified < since {
        return None;
    }
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    let median_ns = estimates["median"]["point_estimate"].as_f64()?;
    let bytes = std::fs::read(new.join("benchmark.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|b| b["throughput"]["Bytes"].as_f64());
    Some(Estimate { median_ns, bytes })
}

fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn throughput(e: &Estimate) -> String {
    e.bytes
        .map_or_else(String::new, |b| format!("{:.0}", b / e.median_ns * 1e3))
}

/// Prints the medians of every benchmark named in `rows` and each row's ratio. Benchmarks that
/// did not run in this process (filtered out, or `--test` mode) are left out.
#[allow(clippy::print_stdout)]
pub(crate) fn print(rows: &[Row], since: SystemTime) {
    let dir = criterion_dir();
    let mut lines = Vec::new();
    for row in rows {
        let (Some(m), Some(b)) = (
            estimate(&dir, row.measured, since),
            estimate(&dir, row.baseline, since),
        ) else {
            continue;
        };
        let ratio = m.median_ns / b.median_ns;
        let (shown, verdict) = match row.bound {
            Bound::AtMost(max) => (
                format!("{ratio:.2}x"),
                if ratio <= max {
                    format!("met (<= {max})")
                } else {
                    format!("MISSED (<= {max})")
                },
            ),
            Bound::FasterBy(min) => {
                let faster = 1.0 / ratio;
                (
                    format!("{faster:.2}x faster"),
                    if faster >= min {
                        format!("met (>= {min}x faster)")
                    } else {
                        format!("MISSED (>= {min}x faster)")
                    },
                )
            }
            Bound::None => (format!("{ratio:.2}x"), "reference".to_owned()),
        };
        lines.push(format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            row.measured.group,
            row.measured.bench,
            time(m.median_ns),
            throughput(&m),
            row.baseline.bench,
            time(b.median_ns),
            shown,
            verdict
        ));
    }
    if lines.is_empty() {
        return;
    }
    println!(
        "\nRatios of medians in this run (criterion data in {})",
        dir.display()
    );
    println!("| group | measured | median | MB/s | against | its median | ratio | target |");
    println!("|---|---|---|---|---|---|---|---|");
    for line in lines {
        println!("{line}");
    }
}
