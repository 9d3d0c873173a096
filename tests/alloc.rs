//! Allocations per decode, counted by a global allocator (dhat in testing mode), on the inputs
//! of the hot-path benchmarks (`benches/inputs`). Counts, unlike timings, repeat exactly on a
//! shared machine, so these are assertions that run in CI:
//!
//! - `dlr_small` decodes to the model in at most 7 allocations and 4 KiB;
//! - `submit_small` (a SubmitReq with a nested multipart of three parts) in at most 30;
//! - a SubmitReq costs the same number of allocations whatever the size of its attachment
//!   (`submit_300k_binary` == `submit_small`): attachments are slices of the received body;
//! - base64 adds exactly one allocation, the decoded image, and about its size in bytes.
//!
//! dhat allows one profiler per process, so everything runs in one test function.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[path = "../benches/inputs/mod.rs"]
mod inputs;

// The peers, counted for reference only (BENCHMARKS.md); each uses a part of the module.
#[allow(dead_code)]
#[path = "../benches/hotpath/baselines.rs"]
mod baselines;

use std::hint::black_box;

use inputs::Input;
use mm7::soap::{DecodeOptions, decode, decode_xml};

/// What one call allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Allocated {
    blocks: u64,
    bytes: u64,
}

/// Counts the allocations of `f`, reallocations included (dhat counts a `realloc` as one
/// allocation of the new size). The result is dropped outside the count.
fn allocations<T>(f: impl FnOnce() -> T) -> (Allocated, T) {
    let before = dhat::HeapStats::get();
    let value = black_box(f());
    let after = dhat::HeapStats::get();
    let allocated = Allocated {
        blocks: after.total_blocks - before.total_blocks,
        bytes: after.total_bytes - before.total_bytes,
    };
    (allocated, value)
}

fn decode_input(input: &Input, options: &DecodeOptions) -> Allocated {
    let (allocated, decoded) =
        allocations(|| decode(&input.content_type, input.body.clone(), options));
    let decoded = decoded.unwrap_or_else(|e| panic!("{}: {e}", input.name));
    assert!(
        decoded.warnings.is_empty(),
        "{}: {:?}",
        input.name,
        decoded.warnings
    );
    if !input.image.is_empty() {
        let image = decoded
            .envelope
            .attachments
            .iter()
            .flat_map(|part| part.leaves())
            .find(|leaf| leaf.content_id.as_deref() == Some("image@news.example.com"))
            .and_then(|leaf| leaf.data().cloned())
            .unwrap_or_else(|| panic!("{}: no image", input.name));
        assert_eq!(image, input.image, "{}: the image", input.name);
    }
    allocated
}

/// The counts, for BENCHMARKS.md (`cargo test --test alloc -- --nocapture`).
#[allow(clippy::print_stderr)]
fn report(counts: &[(&str, Allocated)]) {
    for (name, allocated) in counts {
        eprintln!(
            "{name}: {} allocations, {} bytes",
            allocated.blocks, allocated.bytes
        );
    }
}

/// What the peers allocate for the same inputs (not asserted: they are not ours).
fn peers(dlr: &Input, small: &Input) -> Vec<(&'static str, Allocated)> {
    let message = baselines::with_content_type(small);
    let parser = mail_parser::MessageParser::new();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    // Warm up, as for ours.
    baselines::mail_parser(&parser, &message);
    baselines::multer_nested(&runtime, &small.body);
    vec![
        (
            "peer roxmltree, dlr_small",
            allocations(|| baselines::roxmltree(&dlr.soap)).0,
        ),
        (
            "peer quick-xml NsReader events, dlr_small",
            allocations(|| baselines::quick_xml_nsreader(&dlr.soap)).0,
        ),
        (
            "peer mail-parser, submit_small",
            allocations(|| baselines::mail_parser(&parser, &message)).0,
        ),
        (
            "peer mailparse, submit_small",
            allocations(|| baselines::mailparse(&message, false)).0,
        ),
        (
            "peer multer (outer and nested), submit_small",
            allocations(|| baselines::multer_nested(&runtime, &small.body)).0,
        ),
    ]
}

#[test]
fn allocations_per_decode() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let options = DecodeOptions::default();

    // A first decode of each kind warms up what is allocated once per process (lazy statics,
    // thread-locals), which is not a cost of a decode.
    let dlr = inputs::dlr_small();
    let small = inputs::submit_small();
    let binary = inputs::submit_300k_binary();
    let base64 = inputs::submit_300k_base64();
    for input in [&dlr, &small, &binary, &base64] {
        decode_input(input, &options);
    }

    let (dlr_allocated, decoded) = allocations(|| decode_xml(&dlr.body, &options));
    let decoded = decoded.expect("dlr_small decodes");
    assert_eq!(
        decoded.envelope.message.operation_name(),
        "DeliveryReportReq"
    );
    assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
    drop(decoded);
    assert!(
        dlr_allocated.blocks <= 7,
        "dlr_small: {dlr_allocated:?}, at most 7 allocations expected"
    );
    assert!(
        dlr_allocated.bytes <= 4096,
        "dlr_small: {dlr_allocated:?}, at most 4 KiB expected"
    );

    let small_allocated = decode_input(&small, &options);
    let binary_allocated = decode_input(&binary, &options);
    let base64_allocated = decode_input(&base64, &options);
    report(&[
        ("dlr_small", dlr_allocated),
        ("submit_small", small_allocated),
        ("submit_300k_binary", binary_allocated),
        ("submit_300k_base64", base64_allocated),
    ]);
    report(&peers(&dlr, &small));
    assert!(
        small_allocated.blocks <= 30,
        "submit_small: {small_allocated:?}, at most 30 allocations expected"
    );
    assert_eq!(
        binary_allocated.blocks, small_allocated.blocks,
        "the allocations of a SubmitReq depend on its attachment's size: \
         submit_small {small_allocated:?}, submit_300k_binary {binary_allocated:?}"
    );
    assert_eq!(
        binary_allocated.bytes, small_allocated.bytes,
        "submit_small {small_allocated:?}, submit_300k_binary {binary_allocated:?}"
    );
    assert_eq!(
        base64_allocated.blocks,
        binary_allocated.blocks + 1,
        "base64 must add one allocation, the decoded image: \
         binary {binary_allocated:?}, base64 {base64_allocated:?}"
    );
    let image = inputs::LARGE_IMAGE as u64;
    let extra = base64_allocated.bytes - binary_allocated.bytes;
    assert!(
        (image..=image + 64).contains(&extra),
        "base64 must add the decoded image's {image} bytes, added {extra}"
    );
}
