//! Instruction counts of the hot path under valgrind's callgrind, which repeat exactly from run
//! to run where timings on a shared machine drift: a stable regression signal next to the
//! criterion medians of `benches/hotpath`.
//!
//! ```text
//! cargo bench --bench instructions                 # every workload, then the table
//! cargo bench --bench instructions -- dlr          # the workloads whose name contains "dlr"
//! ```
//!
//! The performance gate (`.ci/run`, step "perf gate") compares every workload with the committed
//! baseline and fails when one costs more than 2 % above it:
//!
//! ```text
//! cargo bench --bench instructions -- --check benches/baseline/instructions.json
//! cargo bench --bench instructions -- --save benches/baseline/instructions.json   # on purpose
//! ```
//!
//! A change that costs instructions on purpose saves the baseline in the same commit and says
//! why in BENCHMARKS.md.
//!
//! Each workload runs in its own valgrind process twice, with 1 and with 11 iterations; the
//! difference divided by 10 is the count of one iteration, without the setup (building the
//! input, the process start). Valgrind must be installed (`apt-get install valgrind`); without
//! it the benchmark says so and exits. To profile a workload:
//!
//! ```text
//! valgrind --tool=callgrind target/release/deps/instructions-* --workload dlr_small/mm7_decode_xml --iterations 1000
//! callgrind_annotate callgrind.out.*
//! ```

// The floors of the criterion benchmarks, counted here too; the peers there are not.
#[allow(dead_code)]
#[path = "hotpath/baselines.rs"]
mod baselines;
#[path = "handler/mod.rs"]
mod handler;
#[path = "inputs/mod.rs"]
mod inputs;

use std::hint::black_box;
use std::process::Command;

use http_body_util::Full;
use mm7::soap::{DecodeOptions, EncodeOptions, decode, decode_xml, encode};
use mm7::transport::server::{Mm7Service, Role, ServerConfig};
use mm7_soap::xml::{Event, XmlLimits, XmlReader};

use baselines::{minimal_dlr, xmlparser_tokens};
use handler::Callbacks;

/// `iterations` full decodes of a SOAP-with-attachments input.
fn decode_submit(iterations: u64, input: &inputs::Input) {
    let options = DecodeOptions::default();
    repeat(iterations, || {
        decode(&input.content_type, black_box(input.body.clone()), &options)
            .map_or(0, |d| d.envelope.attachments.len())
    });
}

/// `iterations` requests answered by the MM7 server's service (`Mm7Service::answer`: the
/// checks, the body read, decode, the handler, the answer encoded), without hyper and sockets:
/// the transport's per-request cost on top of the codec.
fn serve_requests(iterations: u64, role: Role, input: &inputs::Input) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let service = Mm7Service::new(ServerConfig::new(role), Callbacks);
    repeat(iterations, || {
        let request = hyper::Request::post("/mm7")
            .header(hyper::header::CONTENT_TYPE, input.content_type.as_str())
            .header(hyper::header::CONTENT_LENGTH, input.body.len())
            .body(Full::new(black_box(input.body.clone())));
        let Ok(request) = request else {
            return 0;
        };
        let response = runtime.block_on(service.answer(request));
        usize::from(response.status().as_u16())
    });
}

/// A named workload: what one iteration does, on inputs built before the iterations.
struct Workload {
    name: &'static str,
    run: fn(u64),
}

fn repeat(iterations: u64, mut f: impl FnMut() -> usize) {
    for _ in 0..iterations {
        black_box(f());
    }
}

const WORKLOADS: &[Workload] = &[
    Workload {
        name: "dlr_small/xmlparser_tokens",
        run: |n| {
            let input = inputs::dlr_small();
            repeat(n, || xmlparser_tokens(black_box(&input.soap)));
        },
    },
    Workload {
        name: "dlr_small/mm7_xml_reader_events",
        run: |n| {
            let input = inputs::dlr_small();
            repeat(n, || {
                let mut reader = XmlReader::new(black_box(&input.soap), XmlLimits::default());
                let mut events = 0;
                while let Ok(event) = reader.next_event() {
                    if event == Event::Eof {
                        break;
                    }
                    events += 1;
                }
                events
            });
        },
    },
    Workload {
        name: "dlr_small/minimal_decode",
        run: |n| {
            let input = inputs::dlr_small();
            repeat(n, || {
                minimal_dlr(black_box(input.soap.as_bytes())).map_or(0, |d| d.status_text.len())
            });
        },
    },
    Workload {
        name: "dlr_small/mm7_decode_xml",
        run: |n| {
            let input = inputs::dlr_small();
            let options = DecodeOptions::default();
            repeat(n, || {
                decode_xml(black_box(input.soap.as_bytes()), &options)
                    .map_or(0, |d| d.warnings.len())
            });
        },
    },
    Workload {
        name: "submit_small/xmlparser_tokens",
        run: |n| {
            let input = inputs::submit_small();
            repeat(n, || xmlparser_tokens(black_box(&input.soap)));
        },
    },
    Workload {
        name: "submit_small/mm7_decode",
        run: |n| decode_submit(n, &inputs::submit_small()),
    },
    Workload {
        name: "submit_300k_binary/mm7_decode",
        run: |n| decode_submit(n, &inputs::submit_300k_binary()),
    },
    Workload {
        name: "submit_300k_base64/mm7_decode",
        run: |n| decode_submit(n, &inputs::submit_300k_base64()),
    },
    Workload {
        name: "server_dlr_small/mm7_service",
        run: |n| serve_requests(n, Role::Vasp, &inputs::dlr_small()),
    },
    Workload {
        name: "server_submit_small/mm7_service",
        run: |n| serve_requests(n, Role::Mmsc, &inputs::submit_small()),
    },
    Workload {
        name: "encode_300k_binary/mm7_encode_chunks",
        run: |n| {
            let input = inputs::submit_300k_binary();
            let envelope = decode(
                &input.content_type,
                input.body.clone(),
                &DecodeOptions::default(),
            )
            .map(|d| d.envelope);
            let Ok(envelope) = envelope else {
                return;
            };
            let options = EncodeOptions::default();
            repeat(n, || {
                encode(black_box(&envelope), &options).map_or(0, |e| e.body.len())
            });
        },
    },
];

/// The ratios printed after the counts: (measured, baseline).
const RATIOS: &[(&str, &str)] = &[
    ("dlr_small/mm7_decode_xml", "dlr_small/xmlparser_tokens"),
    ("dlr_small/minimal_decode", "dlr_small/xmlparser_tokens"),
    ("submit_small/mm7_decode", "submit_small/xmlparser_tokens"),
];

/// Instructions executed by one valgrind run of `workload` with `iterations`.
fn collected(workload: &str, iterations: u64) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(exe)
        .args([
            "--workload",
            workload,
            "--iterations",
            &iterations.to_string(),
        ])
        .output()
        .map_err(|e| format!("valgrind: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find_map(|line| {
            line.split_once("Collected :")
                .map(|(_, n)| n.trim().parse().ok())
        })
        .flatten()
        .ok_or_else(|| format!("no instruction count from valgrind: {stderr}"))
}

#[allow(clippy::print_stdout)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    if let Some(name) = value("--workload") {
        let iterations = value("--iterations")
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        if let Some(workload) = WORKLOADS.iter().find(|w| w.name == name) {
            // `--time`: the wall time per iteration, the best of five rounds, for a quick
            // comparison outside valgrind (criterion's `hotpath` is the measurement of record).
            if args.iter().any(|a| a == "--time") {
                let best = (0..5)
                    .map(|_| {
                        let started = std::time::Instant::now();
                        (workload.run)(iterations);
                        started.elapsed().as_nanos() as f64 / iterations as f64
                    })
                    .fold(f64::INFINITY, f64::min);
                println!("{name}: {best:.0} ns per iteration (best of 5)");
            } else {
                (workload.run)(iterations);
            }
        }
        return;
    }
    // `cargo test --benches` runs bench targets with no `--bench`: nothing to count then.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    if Command::new("valgrind").arg("--version").output().is_err() {
        println!("valgrind is not installed: no instruction counts");
        if value("--check").is_some() {
            std::process::exit(2);
        }
        return;
    }
    // The first argument that is neither a flag nor a flag's value filters the workloads.
    let filter = args.iter().enumerate().find_map(|(i, a)| {
        let is_value = i > 0 && matches!(args[i - 1].as_str(), "--check" | "--save");
        (!a.starts_with("--") && !is_value).then_some(a)
    });
    let mut counts = Vec::new();
    println!("| workload | instructions per iteration |");
    println!("|---|---|");
    for workload in WORKLOADS {
        if filter.is_some_and(|f| !workload.name.contains(f.as_str())) {
            continue;
        }
        match (collected(workload.name, 1), collected(workload.name, 11)) {
            (Ok(one), Ok(eleven)) => {
                let per_iteration = eleven.saturating_sub(one) / 10;
                println!("| {} | {per_iteration} |", workload.name);
                counts.push((workload.name, per_iteration));
            }
            (Err(e), _) | (_, Err(e)) => println!("| {} | failed: {e} |", workload.name),
        }
    }
    let count = |name: &str| counts.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
    for (measured, baseline) in RATIOS {
        if let (Some(m), Some(b)) = (count(measured), count(baseline)) {
            println!("{measured} / {baseline}: {:.2}", m as f64 / b as f64);
        }
    }
    if let Some(path) = value("--save") {
        if let Err(e) = save_baseline(path, &counts) {
            println!("cannot save the baseline {path}: {e}");
            std::process::exit(2);
        }
        println!("baseline saved to {path}");
    }
    if let Some(path) = value("--check") {
        let passed = match load_baseline(path) {
            Ok(baseline) => check(&baseline, &counts, filter.map(String::as_str)),
            Err(e) => {
                println!("cannot read the baseline {path}: {e}");
                false
            }
        };
        if !passed {
            std::process::exit(1);
        }
    }
}

/// How far above its baseline a workload may go before the gate fails: 2 %.
const TOLERANCE: f64 = 0.02;

/// The baseline file: workload name → instructions per iteration, as JSON.
fn load_baseline(path: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    match value.get("instructions_per_iteration") {
        Some(serde_json::Value::Object(map)) => Ok(map.clone()),
        _ => Err("no \"instructions_per_iteration\" object".into()),
    }
}

fn save_baseline(path: &str, counts: &[(&str, u64)]) -> Result<(), String> {
    let mut map = serde_json::Map::new();
    for (name, count) in counts {
        map.insert((*name).to_owned(), (*count).into());
    }
    let value = serde_json::json!({
        "about": "Instructions per iteration of each workload of benches/instructions.rs \
                  (callgrind). The perf gate of .ci/run fails when one is more than 2 % above. \
                  Update with `cargo bench --bench instructions -- --save THIS_FILE`, in the \
                  commit that changes the cost, saying why in BENCHMARKS.md.",
        "instructions_per_iteration": map,
    });
    let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| e.to_string())
}

/// Prints the comparison table; `false` when a workload is over its tolerance, was not
/// measured, or has no baseline.
#[allow(clippy::print_stdout)]
fn check(
    baseline: &serde_json::Map<String, serde_json::Value>,
    counts: &[(&str, u64)],
    filter: Option<&str>,
) -> bool {
    let mut passed = true;
    println!();
    println!("| workload | baseline | now | now / baseline | |");
    println!("|---|---|---|---|---|");
    for workload in WORKLOADS {
        if filter.is_some_and(|f| !workload.name.contains(f)) {
            continue;
        }
        let was = baseline
            .get(workload.name)
            .and_then(serde_json::Value::as_u64);
        let now = counts
            .iter()
            .find(|(n, _)| *n == workload.name)
            .map(|(_, c)| *c);
        let (was_text, now_text, ratio_text, verdict) = match (was, now) {
            (Some(was), Some(now)) => {
                let ratio = now as f64 / was.max(1) as f64;
                let verdict = if ratio > 1.0 + TOLERANCE {
                    passed = false;
                    "REGRESSION (over 2 %)"
                } else if ratio < 1.0 - TOLERANCE {
                    "better: save the baseline"
                } else {
                    "ok"
                };
                (
                    was.to_string(),
                    now.to_string(),
                    format!("{ratio:.4}"),
                    verdict,
                )
            }
            (None, now) => {
                passed = false;
                let now = now.map_or_else(|| "-".into(), |n| n.to_string());
                ("-".into(), now, "-".into(), "NO BASELINE: save it")
            }
            (Some(was), None) => {
                passed = false;
                (was.to_string(), "-".into(), "-".into(), "NOT MEASURED")
            }
        };
        println!(
            "| {} | {was_text} | {now_text} | {ratio_text} | {verdict} |",
            workload.name
        );
    }
    for name in baseline.keys() {
        if !WORKLOADS.iter().any(|w| w.name == name) {
            passed = false;
            println!("| {name} | in the baseline | - | - | NO SUCH WORKLOAD: save the baseline |");
        }
    }
    println!();
    if passed {
        println!("perf gate: every workload within 2 % of its baseline");
    } else {
        println!("perf gate: FAILED (see the table)");
    }
    passed
}
