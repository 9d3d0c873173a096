//! Passing a limit is a typed error, never a panic, a stack overflow or an
//! unbounded allocation.

use bytes::Bytes;
use mm7_mime::{ErrorKind, Limits, Multipart, ParseOptions};

/// `levels` multiparts, each holding the next as its only part.
fn nested(levels: usize) -> (Bytes, String) {
    let mut body = String::new();
    for level in 0..levels {
        body.push_str(&format!("--b{level}\r\n"));
        if level + 1 < levels {
            body.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=b{}\r\n\r\n",
                level + 1
            ));
        } else {
            body.push_str("\r\nleaf");
        }
    }
    for level in (0..levels).rev() {
        body.push_str(&format!("\r\n--b{level}--"));
    }
    (Bytes::from(body), "multipart/mixed; boundary=b0".to_owned())
}

#[test]
fn too_many_parts() {
    let mut body = String::new();
    for _ in 0..11 {
        body.push_str("--b\r\n\r\nx\r\n");
    }
    body.push_str("--b--");
    let options = ParseOptions::default().with_limits(Limits::default().with_max_parts(10));
    let err = Multipart::parse_with(
        Bytes::from(body.clone()),
        "multipart/mixed; boundary=b",
        &options,
    )
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::TooManyParts { limit: 10 });
    assert_eq!(err.offset(), 10 * 10 + 5);

    let options = ParseOptions::default().with_limits(Limits::default().with_max_parts(11));
    let m =
        Multipart::parse_with(Bytes::from(body), "multipart/mixed; boundary=b", &options).unwrap();
    assert_eq!(m.parts().len(), 11);
}

#[test]
fn default_part_limit_is_1000() {
    let body = "--b\r\n\r\n".repeat(1001) + "--b--";
    let err = Multipart::parse(Bytes::from(body), "multipart/mixed; boundary=b").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::TooManyParts { limit: 1000 });
}

#[test]
fn nesting_deeper_than_the_limit() {
    let (body, content_type) = nested(9);
    let m = Multipart::parse(body.clone(), &content_type).unwrap();
    let results: Vec<_> = m.leaves().collect();
    assert_eq!(results.len(), 1);
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::TooDeep { limit: 8 });

    let (body, content_type) = nested(8);
    let m = Multipart::parse(body, &content_type).unwrap();
    let leaves: Vec<_> = m.leaves().collect::<Result<_, _>>().unwrap();
    assert_eq!(leaves[0].body(), &b"leaf"[..]);
}

#[test]
fn depth_zero_rejects_even_the_outermost_multipart() {
    let options = ParseOptions::default().with_limits(Limits::default().with_max_depth(0));
    let err = Multipart::parse_with(
        Bytes::from_static(b"--b--"),
        "multipart/mixed; boundary=b",
        &options,
    )
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::TooDeep { limit: 0 });
}

#[test]
fn very_deep_nesting_walks_without_recursion() {
    let levels = 1500;
    let (body, content_type) = nested(levels);
    let options = ParseOptions::default().with_limits(Limits::default().with_max_depth(levels));
    let m = Multipart::parse_with(body, &content_type, &options).unwrap();
    let leaves: Vec<_> = m.leaves().collect::<Result<_, _>>().unwrap();
    assert_eq!(leaves.len(), 1);
    assert_eq!(leaves[0].body(), &b"leaf"[..]);
}

#[test]
fn header_block_too_large() {
    let header = format!("X-Big: {}\r\n", "a".repeat(20_000));
    let body = format!("--b\r\n{header}\r\nbody\r\n--b--\r\n");
    let err = Multipart::parse(Bytes::from(body), "multipart/mixed; boundary=b").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::HeaderBlockTooLarge { limit: 16 * 1024 }
    );
    assert_eq!(err.offset(), 5);
}

#[test]
fn many_small_headers_hit_the_block_limit() {
    let headers = "A: b\r\n".repeat(3000);
    let body = format!("--b\r\n{headers}\r\nbody\r\n--b--\r\n");
    let err = Multipart::parse(Bytes::from(body), "multipart/mixed; boundary=b").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::HeaderBlockTooLarge { limit: 16 * 1024 }
    );
}

#[test]
fn large_binary_body_without_blank_line_is_not_a_header_overflow() {
    let mut body = b"--b\r\nContent-Type: image/gif\r\nGIF89a\x00".to_vec();
    body.extend(std::iter::repeat_n(0xAB, 100_000));
    body.extend_from_slice(b"\r\n--b--\r\n");
    let m = Multipart::parse(Bytes::from(body), "multipart/mixed; boundary=b").unwrap();
    assert_eq!(m.parts()[0].body().len(), 7 + 100_000);
}

#[test]
fn overlong_boundary_parameter() {
    let content_type = format!("multipart/mixed; boundary={}", "x".repeat(201));
    let err = Multipart::parse(Bytes::new(), &content_type).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidBoundary(_)));
    let err = Multipart::parse(Bytes::new(), "multipart/mixed; boundary=\"\"").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidBoundary(_)));
}
