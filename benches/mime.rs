//! The MIME hot path on a deterministic 300 KB binary multipart/related
//! body (SOAP part, then a nested multipart/mixed with text, SMIL and a
//! 300 KB image), each next to its floor: a plain `memchr::memmem` scan for
//! the same boundaries, and `base64-simd` on unwrapped base64.

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use memchr::memmem::Finder;
use mm7::mime::encoding::{decode_base64, encode_base64};
use mm7::mime::{Multipart, MultipartBuilder, PartBuilder};

const OUTER: &str = "=_outer_4f2a9c";
const INNER: &str = "=_inner_b7e013";
const IMAGE_SIZE: usize = 300 * 1024;

const SOAP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Header><mm7:TransactionID xmlns:mm7="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4" env:mustUnderstand="1">bench-1</mm7:TransactionID></env:Header>
  <env:Body><SubmitReq xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"><MM7Version>6.8.0</MM7Version><Recipients><To><Number>+15551234567</Number></To></Recipients><Content href="cid:content@bench"/></SubmitReq></env:Body>
</env:Envelope>"#;

const SMIL: &str = r#"<smil><head><layout><root-layout width="320" height="480"/></layout></head><body><par dur="5s"><img src="cid:image@bench"/><text src="cid:text@bench"/></par></body></smil>"#;

/// Incompressible, reproducible bytes (xorshift64*).
fn image() -> Bytes {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut data = Vec::with_capacity(IMAGE_SIZE);
    while data.len() < IMAGE_SIZE {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        data.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    data.truncate(IMAGE_SIZE);
    Bytes::from(data)
}

/// The body and its Content-Type; panics if a boundary occurs in the content.
fn message() -> (Bytes, String) {
    let image = image();
    for boundary in [OUTER, INNER] {
        assert!(
            Finder::new(boundary.as_bytes()).find(&image).is_none(),
            "the generated image contains the boundary {boundary}"
        );
    }
    let built = MultipartBuilder::related()
        .with_boundary(OUTER)
        .with_part(PartBuilder::new("text/xml; charset=utf-8", SOAP).with_content_id("soap@bench"))
        .with_part(
            PartBuilder::multipart(
                MultipartBuilder::mixed()
                    .with_boundary(INNER)
                    .with_part(
                        PartBuilder::new("text/plain; charset=utf-8", "Hello from the bench")
                            .with_content_id("text@bench"),
                    )
                    .with_part(
                        PartBuilder::new("application/smil", SMIL).with_content_id("smil@bench"),
                    )
                    .with_part(
                        PartBuilder::new("image/jpeg", image).with_content_id("image@bench"),
                    ),
            )
            .with_content_id("content@bench"),
        )
        .build()
        .expect("the bench message builds (its boundaries do not occur in the content)");
    let body = built.to_bytes();
    assert_eq!(
        Finder::new(format!("--{OUTER}").as_bytes())
            .find_iter(&body)
            .count(),
        3
    );
    assert_eq!(
        Finder::new(format!("--{INNER}").as_bytes())
            .find_iter(&body)
            .count(),
        4
    );
    (body, built.content_type().to_owned())
}

fn parse(c: &mut Criterion) {
    let (body, content_type) = message();
    let outer = format!("--{OUTER}");
    let inner = format!("--{INNER}");
    let mut group = c.benchmark_group("multipart_300k");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.measurement_time(Duration::from_secs(3));

    group.bench_function("memmem_outer", |b| {
        b.iter(|| {
            Finder::new(outer.as_bytes())
                .find_iter(black_box(&body))
                .count()
        })
    });
    group.bench_function("parse_outer", |b| {
        b.iter(|| Multipart::parse(black_box(body.clone()), &content_type).map(|m| m.parts().len()))
    });
    group.bench_function("memmem_tree", |b| {
        b.iter(|| {
            let body = black_box(&body);
            Finder::new(outer.as_bytes()).find_iter(body).count()
                + Finder::new(inner.as_bytes()).find_iter(body).count()
        })
    });
    group.bench_function("parse_tree", |b| {
        b.iter(|| {
            let multipart =
                Multipart::parse(black_box(body.clone()), &content_type).expect("parses");
            multipart
                .leaves()
                .filter_map(Result::ok)
                .map(|leaf| leaf.body().len())
                .sum::<usize>()
        })
    });
    group.finish();
}

fn base64(c: &mut Criterion) {
    let image = image();
    let wrapped = encode_base64(&image);
    let unwrapped = base64_simd::STANDARD.encode_to_string(&image);
    assert_eq!(decode_base64(&wrapped), image);
    let mut group = c.benchmark_group("base64_300k");
    group.throughput(Throughput::Bytes(wrapped.len() as u64));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("base64_simd_unwrapped", |b| {
        b.iter(|| base64_simd::STANDARD.decode_to_vec(black_box(&unwrapped)))
    });
    group.bench_function("decode_base64_mime_lines", |b| {
        b.iter(|| decode_base64(black_box(&wrapped)))
    });
    group.finish();
}

fn write(c: &mut Criterion) {
    let image = image();
    let mut group = c.benchmark_group("build_300k");
    group.throughput(Throughput::Bytes(image.len() as u64));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("build_chunks", |b| {
        b.iter(|| {
            MultipartBuilder::related()
                .with_part(PartBuilder::new("text/xml", SOAP))
                .with_part(PartBuilder::new("image/jpeg", black_box(image.clone())))
                .build()
                .map(|built| built.len())
        })
    });
    group.finish();
}

criterion_group!(benches, parse, base64, write);
criterion_main!(benches);
