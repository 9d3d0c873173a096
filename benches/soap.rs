//! The SOAP decode hot path: a ~0.9 KB `text/xml` DeliveryReportReq and a 300 KB SOAP-with-
//! attachments SubmitReq, each next to its floor in the same run (an `xmlparser` token pass
//! over the same XML; for the 300 KB body, that plus a `memmem` scan for the boundaries).

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use memchr::memmem::Finder;
use mm7::mime::{MultipartBuilder, PartBuilder};
use mm7::soap::{DecodeOptions, decode, decode_xml};

const NS: &str = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4";

fn dlr() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">
  <soap-env:Header>
    <TransactionID xmlns="{NS}" soap-env:mustUnderstand="1">dlr-000000001</TransactionID>
  </soap-env:Header>
  <soap-env:Body>
    <DeliveryReportReq xmlns="{NS}">
      <MM7Version>6.8.0</MM7Version>
      <MMSRelayServerID>mmsc.example.net</MMSRelayServerID>
      <MessageID>369500617770864640</MessageID>
      <Recipient><Number>16175550123</Number></Recipient>
      <Sender><ShortCode>111122</ShortCode></Sender>
      <Date>2015-03-16T14:03:51.749Z</Date>
      <MMStatus>Retrieved</MMStatus>
      <StatusText>The message was retrieved by the recipient's handset.</StatusText>
    </DeliveryReportReq>
  </soap-env:Body>
</soap-env:Envelope>"#
    )
}

fn submit_soap() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Header>
<mm7:TransactionID xmlns:mm7="{NS}" env:mustUnderstand="1">submit-000001</mm7:TransactionID></env:Header>
<env:Body><mm7:SubmitReq xmlns:mm7="{NS}"><mm7:MM7Version>6.8.0</mm7:MM7Version>
<mm7:SenderIdentification><mm7:VASPID>vasp</mm7:VASPID><mm7:VASID>news</mm7:VASID>
<mm7:SenderAddress><mm7:ShortCode>12345</mm7:ShortCode></mm7:SenderAddress></mm7:SenderIdentification>
<mm7:Recipients><mm7:To><mm7:Number>15551234567</mm7:Number></mm7:To></mm7:Recipients>
<mm7:DeliveryReport>true</mm7:DeliveryReport><mm7:Subject>Pictures of the day</mm7:Subject>
<mm7:Content href="cid:content@bench" allowAdaptations="true"/></mm7:SubmitReq></env:Body></env:Envelope>"#
    )
}

/// Incompressible, reproducible bytes (xorshift64*).
fn image(size: usize) -> Bytes {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut data = Vec::with_capacity(size + 8);
    while data.len() < size {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        data.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    data.truncate(size);
    Bytes::from(data)
}

fn submit_300k() -> (Bytes, String, String, String) {
    let built = MultipartBuilder::related()
        .with_boundary("=_outer_4f2a9c")
        .with_part(
            PartBuilder::new("text/xml; charset=utf-8", submit_soap())
                .with_content_id("soap@bench"),
        )
        .with_part(
            PartBuilder::multipart(
                MultipartBuilder::mixed()
                    .with_boundary("=_inner_b7e013")
                    .with_part(
                        PartBuilder::new("text/plain; charset=utf-8", "Hello")
                            .with_content_id("text@bench"),
                    )
                    .with_part(
                        PartBuilder::new("image/jpeg", image(300 * 1024))
                            .with_content_id("image@bench"),
                    ),
            )
            .with_content_id("content@bench"),
        )
        .build()
        .expect("the bench message builds (its boundaries do not occur in the content)");
    (
        built.to_bytes(),
        built.content_type().to_owned(),
        "--=_outer_4f2a9c".to_owned(),
        "--=_inner_b7e013".to_owned(),
    )
}

fn token_pass(xml: &str) -> usize {
    xmlparser::Tokenizer::from(xml)
        .filter(Result::is_ok)
        .count()
}

fn dlr_small(c: &mut Criterion) {
    let xml = dlr();
    assert!(decode_xml(xml.as_bytes(), &DecodeOptions::default()).is_ok());
    let mut group = c.benchmark_group("dlr_small");
    group.throughput(Throughput::Bytes(xml.len() as u64));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("xmlparser_tokens", |b| {
        b.iter(|| token_pass(black_box(&xml)))
    });
    group.bench_function("decode_xml", |b| {
        b.iter(|| {
            decode_xml(black_box(xml.as_bytes()), &DecodeOptions::default())
                .map(|d| d.warnings.len())
        })
    });
    group.finish();
}

fn submit_large(c: &mut Criterion) {
    let (body, content_type, outer, inner) = submit_300k();
    let soap = submit_soap();
    let decoded = decode(&content_type, body.clone(), &DecodeOptions::default()).expect("decodes");
    assert!(decoded.envelope.content().is_some());
    let mut group = c.benchmark_group("submit_300k_binary");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("memmem_plus_xmlparser", |b| {
        b.iter(|| {
            let body = black_box(&body);
            Finder::new(outer.as_bytes()).find_iter(body).count()
                + Finder::new(inner.as_bytes()).find_iter(body).count()
                + token_pass(black_box(&soap))
        })
    });
    group.bench_function("decode", |b| {
        b.iter(|| {
            decode(
                &content_type,
                black_box(body.clone()),
                &DecodeOptions::default(),
            )
            .map(|d| d.envelope.attachments.len())
        })
    });
    group.finish();
}

criterion_group!(benches, dlr_small, submit_large);
criterion_main!(benches);
