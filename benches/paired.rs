//! The time ratios of the small-message targets, measured paired and interleaved: each round
//! runs a short batch of every workload of a group one after the other (the order rotating
//! from round to round), and each ratio is the median over the rounds of the ratio *within*
//! a round. A neighbour that slows the machine for a while slows every workload of the rounds
//! it overlaps, so its effect cancels in the ratio, where criterion (one workload for several
//! seconds, then the next) lets it land on one side only. Absolute times are printed for
//! orientation; the ratios are what to compare between runs and machines.
//!
//! ```text
//! cargo bench --bench paired                        # both groups, 2 000 rounds each
//! MM7_PAIRED_ROUNDS=5000 cargo bench --bench paired -- dlr_small
//! ```

#[path = "hotpath/baselines.rs"]
#[allow(dead_code)]
mod baselines;
#[path = "inputs/mod.rs"]
mod inputs;
#[path = "stats/mod.rs"]
mod stats;

use std::hint::black_box;
use std::time::{Duration, Instant};

use mm7::soap::{DecodeOptions, decode, decode_xml};

use baselines::*;

/// How long one batch of one workload runs (calibrated once per workload), unless
/// `MM7_PAIRED_BATCH_US` says otherwise.
fn batch() -> Duration {
    std::env::var("MM7_PAIRED_BATCH_US")
        .ok()
        .and_then(|us| us.parse().ok())
        .map_or(Duration::from_micros(100), Duration::from_micros)
}

/// One workload of a group: its name and one iteration.
struct Work<'a> {
    name: &'static str,
    run: Box<dyn FnMut() -> usize + 'a>,
}

impl<'a> Work<'a> {
    fn new(name: &'static str, run: impl FnMut() -> usize + 'a) -> Work<'a> {
        Work {
            name,
            run: Box::new(run),
        }
    }
}

/// A ratio to report: `baseline / measured` ("times as fast"), with its target if it has one.
struct Pair {
    measured: &'static str,
    baseline: &'static str,
    at_least: Option<f64>,
}

const fn pair(measured: &'static str, baseline: &'static str, at_least: Option<f64>) -> Pair {
    Pair {
        measured,
        baseline,
        at_least,
    }
}

/// Iterations of `work` that take about `batch`.
fn calibrate(work: &mut Work<'_>, batch: Duration) -> u32 {
    let mut n = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..n {
            black_box((work.run)());
        }
        let took = start.elapsed();
        if took >= batch / 4 || n >= 1 << 20 {
            let per = took.as_secs_f64() / f64::from(n);
            return ((batch.as_secs_f64() / per).ceil() as u32).max(1);
        }
        n *= 2;
    }
}

/// Nanoseconds per iteration of each workload in each round: `times[work][round]`.
fn measure(works: &mut [Work<'_>], rounds: usize, batch: Duration) -> Vec<Vec<f64>> {
    let sizes: Vec<u32> = works.iter_mut().map(|w| calibrate(w, batch)).collect();
    let mut times = vec![Vec::with_capacity(rounds); works.len()];
    for round in 0..rounds {
        for k in 0..works.len() {
            let w = (round + k) % works.len();
            let work = &mut works[w];
            let start = Instant::now();
            for _ in 0..sizes[w] {
                black_box((work.run)());
            }
            times[w].push(start.elapsed().as_secs_f64() * 1e9 / f64::from(sizes[w]));
        }
    }
    times
}

/// Measures one group and prints its two tables (the output of this benchmark).
#[allow(clippy::print_stdout)]
fn run_group(group: &str, works: &mut [Work<'_>], pairs: &[Pair], rounds: usize) {
    let batch = batch();
    let times = measure(works, rounds, batch);
    let index = |name: &str| {
        works
            .iter()
            .position(|w| w.name == name)
            .unwrap_or_else(|| panic!("no workload {name} in {group}"))
    };
    println!("\n{group}: {rounds} rounds, batches of about {batch:?} each");
    println!("| workload | median per iteration | p25 – p75 |");
    println!("|---|---|---|");
    for (work, t) in works.iter().zip(&times) {
        let (p25, p50, p75) = stats::quartiles(t.clone());
        println!(
            "| {} | {:.2} µs | {:.2} – {:.2} µs |",
            work.name,
            p50 / 1e3,
            p25 / 1e3,
            p75 / 1e3
        );
    }
    println!("| ratio (baseline / measured, per round) | median | p25 – p75 | target |");
    println!("|---|---|---|---|");
    for p in pairs {
        let (m, b) = (index(p.measured), index(p.baseline));
        let ratios: Vec<f64> = times[b].iter().zip(&times[m]).map(|(b, m)| b / m).collect();
        let (p25, p50, p75) = stats::quartiles(ratios);
        let target = match p.at_least {
            Some(bound) if p50 >= bound => format!("met (≥ {bound} ×)"),
            Some(bound) => format!("MISSED (≥ {bound} ×)"),
            None => "reference".to_string(),
        };
        println!(
            "| {} as fast as {} | {:.2} × | {:.2} – {:.2} × | {target} |",
            p.measured, p.baseline, p50, p25, p75
        );
    }
}

fn dlr_small(rounds: usize) {
    let input = inputs::dlr_small();
    let options = DecodeOptions::default();
    let xml = input.soap.as_str();
    let decoded = decode_xml(xml.as_bytes(), &options).expect("dlr_small decodes");
    assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
    assert!(minimal_dlr(xml.as_bytes()).is_some());
    assert!(quick_xml_nsreader(xml) > 20 && reader_events(xml) > 20);
    let mut works = [
        Work::new("xmlparser_tokens", || xmlparser_tokens(black_box(xml))),
        Work::new("mm7_xml_reader_events", || reader_events(black_box(xml))),
        Work::new("mm7_decode_xml", || {
            decode_xml(black_box(xml.as_bytes()), &options).map_or(0, |d| d.warnings.len())
        }),
        Work::new("minimal_decode", || {
            minimal_dlr(black_box(xml.as_bytes())).map_or(0, |d| d.status_text.len())
        }),
        Work::new("quick_xml_nsreader", || quick_xml_nsreader(black_box(xml))),
        // What the decode does besides reading events, in two pieces: the document's
        // encoding found and its UTF-8 checked before the events, and the model's owned
        // values (allocated, copied and freed: a clone of the decoded envelope).
        Work::new("document_text_then_events", || {
            mm7_soap::xml::document_text(black_box(xml.as_bytes()))
                .map_or(0, |text| reader_events(&text))
        }),
        Work::new("model_clone", || {
            black_box(decoded.envelope.clone()).transaction_id.len()
        }),
    ];
    let pairs = [
        pair("mm7_decode_xml", "quick_xml_nsreader", Some(1.0)),
        pair("mm7_xml_reader_events", "quick_xml_nsreader", None),
        pair("minimal_decode", "quick_xml_nsreader", None),
        pair("xmlparser_tokens", "quick_xml_nsreader", None),
        pair("mm7_decode_xml", "mm7_xml_reader_events", None),
        pair("mm7_decode_xml", "xmlparser_tokens", None),
        pair("document_text_then_events", "mm7_xml_reader_events", None),
        pair("model_clone", "mm7_xml_reader_events", None),
    ];
    run_group("dlr_small", &mut works, &pairs, rounds);
}

fn submit_small(rounds: usize) {
    let input = inputs::submit_small();
    let options = DecodeOptions::default();
    decode(&input.content_type, input.body.clone(), &options).expect("submit_small decodes");
    decode_xml(input.soap.as_bytes(), &options).expect("its SOAP part decodes alone");
    let message = with_content_type(&input);
    let parser = mail_parser::MessageParser::new();
    assert!(mail_parser_roxmltree(&parser, &message) > 20);
    let mut works = [
        Work::new("memchr_split_xmlparser", || {
            memchr_split_xmlparser(black_box(&input))
        }),
        Work::new("mm7_decode", || {
            decode(&input.content_type, black_box(input.body.clone()), &options)
                .map_or(0, |d| d.warnings.len())
        }),
        Work::new("mail_parser_roxmltree", || {
            mail_parser_roxmltree(&parser, black_box(&message))
        }),
        // The two halves of each, for where the time goes: the SOAP part alone (ours decoded
        // into the model, roxmltree's tree, xmlparser's tokens) and the MIME layer alone
        // (mail-parser's parse of the whole message).
        Work::new("mm7_decode_xml_soap_part", || {
            decode_xml(black_box(input.soap.as_bytes()), &options).map_or(0, |d| d.warnings.len())
        }),
        Work::new("roxmltree_soap_part", || roxmltree(black_box(&input.soap))),
        Work::new("xmlparser_tokens_soap_part", || {
            xmlparser_tokens(black_box(&input.soap))
        }),
        Work::new("mail_parser", || mail_parser(&parser, black_box(&message))),
    ];
    let pairs = [
        pair("mm7_decode", "mail_parser_roxmltree", Some(1.5)),
        pair("memchr_split_xmlparser", "mail_parser_roxmltree", None),
        pair("mm7_decode", "memchr_split_xmlparser", None),
        pair("mm7_decode_xml_soap_part", "roxmltree_soap_part", None),
        pair(
            "mm7_decode_xml_soap_part",
            "xmlparser_tokens_soap_part",
            None,
        ),
        pair("mm7_decode_xml_soap_part", "mail_parser_roxmltree", None),
    ];
    run_group("submit_small", &mut works, &pairs, rounds);
}

fn main() {
    // `cargo test --benches` runs bench targets without `--bench`: three rounds then, to
    // check that every workload runs, not to measure.
    let measuring = std::env::args().any(|a| a == "--bench");
    let rounds = std::env::var("MM7_PAIRED_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(if measuring { 2_000 } else { 3 });
    // `cargo bench` passes `--bench`; any other argument filters the groups by name.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |group: &str| filters.is_empty() || filters.iter().any(|f| group.contains(f));
    if wanted("dlr_small") {
        dlr_small(rounds);
    }
    if wanted("submit_small") {
        submit_small(rounds);
    }
}
