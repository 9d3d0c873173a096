//! A nested multipart is split with the line-start `--` positions its parent's scan found
//! instead of a scan of its own. These tests check that this gives exactly what a parse of the
//! nested body on its own gives (which scans), for bodies full of near-delimiters: `--` lines,
//! longer boundaries that start with the boundary, the outer boundary, LF-only and CRLF line
//! ends, text after a close delimiter, a missing close delimiter.

use bytes::Bytes;
use mm7_mime::{Multipart, ParseOptions, Part};
use proptest::prelude::*;

/// Checks `nested` (parsed through its parent part, its offsets counting from the outermost
/// body) against `alone` (its body parsed by itself, offsets from 0), then their nested
/// multiparts the same way.
fn assert_same(nested: &Multipart, alone: &Multipart, shift: usize) {
    assert_eq!(nested.preamble(), alone.preamble());
    assert_eq!(nested.epilogue(), alone.epilogue());
    assert_eq!(nested.root_index(), alone.root_index());
    let shifted: Vec<_> = alone
        .warnings()
        .iter()
        .map(|w| (w.kind().clone(), w.offset() + shift))
        .collect();
    let warnings: Vec<_> = nested
        .warnings()
        .iter()
        .map(|w| (w.kind().clone(), w.offset()))
        .collect();
    assert_eq!(warnings, shifted);
    assert_eq!(nested.parts().len(), alone.parts().len());
    for (a, b) in nested.parts().iter().zip(alone.parts()) {
        assert_eq!(a.headers().as_bytes(), b.headers().as_bytes());
        assert_eq!(a.body(), b.body());
        assert_eq!(a.body_offset(), b.body_offset() + shift);
        assert_nested_same(a, b, shift);
    }
}

/// Parses the nested multipart of `a` through the part, and of `b` through the part and by
/// itself from its body, and checks all three agree.
fn assert_nested_same(a: &Part, b: &Part, shift: usize) {
    match (a.multipart(), b.multipart()) {
        (None, None) => {}
        (Some(Ok(a_nested)), Some(Ok(b_nested))) => {
            assert_same(&a_nested, &b_nested, shift);
            let content_type = a
                .header("content-type")
                .expect("a multipart has a Content-Type");
            // The same body parsed with no parent: the nesting level restarts at 1.
            let options = ParseOptions::default();
            let alone = Multipart::parse_with(b.body().clone(), &content_type, &options)
                .expect("parses alone as it parsed nested");
            assert_same(&b_nested, &alone, b.body_offset());
        }
        (Some(Err(a)), Some(Err(b))) => {
            assert_eq!(a.kind(), b.kind());
            assert_eq!(a.offset(), b.offset() + shift);
        }
        (a, b) => panic!("nested parses differ: {a:?} / {b:?}"),
    }
}

/// Parses `body` as `content_type`, then every nested multipart through its part and by itself.
fn check(body: Vec<u8>, content_type: &str) {
    let body = Bytes::from(body);
    let outer = Multipart::parse(body, content_type).expect("the outer multipart parses");
    for part in outer.parts() {
        if let Some(Ok(nested)) = part.multipart() {
            let value = part
                .header("content-type")
                .expect("multipart has a Content-Type");
            let alone = Multipart::parse(part.body().clone(), &value).expect("parses alone");
            assert_same(&nested, &alone, part.body_offset());
        }
        assert_nested_same(part, part, 0);
    }
}

/// A line of content that looks like a delimiter to a careless scanner.
fn line() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "text", "--", "-- ", "---", "--o", "--o-x", "--in", "--in--", "--inner", "--in x",
        "--deep", "--deeper", "-", "", "\r", " --in",
    ])
}

fn lines(eol: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..6).prop_map(move |lines| {
        lines
            .iter()
            .map(|l| format!("{l}{eol}"))
            .collect::<String>()
    })
}

/// `count` parts of `boundary`, each of `content` lines, with or without a close delimiter.
fn multipart(boundary: &str, parts: &[String], close: bool, eol: &str) -> String {
    let mut out = String::new();
    for part in parts {
        out.push_str(&format!("--{boundary}{eol}{part}{eol}"));
    }
    if close {
        out.push_str(&format!("--{boundary}--{eol}"));
    }
    out
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    (prop::sample::select(vec!["\r\n", "\n"]), any::<[bool; 3]>()).prop_flat_map(|(eol, close)| {
        let leaf = lines(eol)
            .prop_map(move |text| format!("Content-Type: text/plain{eol}{eol}{text}"))
            .boxed();
        let deep = prop::collection::vec(leaf.clone(), 1..3).prop_map(move |parts: Vec<String>| {
            let inner = multipart("deep", &parts, close[2], eol);
            format!("Content-Type: multipart/mixed; boundary=deep{eol}{eol}{inner}")
        });
        let inner_part = prop_oneof![leaf.clone(), deep];
        let nested = (prop::collection::vec(inner_part, 1..4), lines(eol)).prop_map(
            move |(parts, preamble): (Vec<String>, String)| {
                let inner = multipart("in", &parts, close[1], eol);
                format!("Content-Type: multipart/mixed; boundary=in{eol}{eol}{preamble}{inner}")
            },
        );
        let outer_part = prop_oneof![leaf, nested];
        (prop::collection::vec(outer_part, 1..4), lines(eol)).prop_map(
            move |(parts, epilogue): (Vec<String>, String)| {
                let mut out = multipart("o", &parts, close[0], eol);
                out.push_str(&epilogue);
                out.into_bytes()
            },
        )
    })
}

proptest! {
    #[test]
    fn nested_parse_with_the_parents_scan_equals_a_parse_of_its_own(body in body()) {
        check(body, "multipart/related; boundary=o");
    }
}

#[test]
fn more_line_start_dashes_than_kept_still_parse_the_same() {
    // 3 000 `--` lines in a nested part: more than one parse keeps, so the nested multipart
    // scans its body itself.
    let noise = "--\r\n".repeat(3000);
    let body = format!(
        "--o\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n\
         --in\r\n\r\n{noise}one\r\n--in\r\n\r\ntwo\r\n--in--\r\n--o--\r\n"
    );
    let outer = Multipart::parse(Bytes::from(body.clone()), "multipart/related; boundary=o")
        .expect("parses");
    let nested = outer.parts()[0]
        .multipart()
        .expect("multipart")
        .expect("parses");
    let bodies: Vec<&[u8]> = nested.parts().iter().map(|p| &p.body()[..]).collect();
    assert_eq!(bodies, [format!("{noise}one").as_bytes(), b"two"]);
    check(body.into_bytes(), "multipart/related; boundary=o");
}

#[test]
fn a_nested_boundary_that_starts_with_the_outer_one() {
    let body = "--o\r\nContent-Type: multipart/mixed; boundary=o2\r\n\r\n\
                --o2\r\n\r\none\r\n--o2\r\n\r\ntwo\r\n--o2--\r\n--o--\r\n";
    let outer =
        Multipart::parse(Bytes::from(body), "multipart/related; boundary=o").expect("parses");
    assert_eq!(outer.parts().len(), 1);
    let nested = outer.parts()[0]
        .multipart()
        .expect("multipart")
        .expect("parses");
    let bodies: Vec<&[u8]> = nested.parts().iter().map(|p| &p.body()[..]).collect();
    assert_eq!(bodies, [&b"one"[..], b"two"]);
    check(body.as_bytes().to_vec(), "multipart/related; boundary=o");
}
