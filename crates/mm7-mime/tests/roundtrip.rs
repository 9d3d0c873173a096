//! Property tests: write → parse is the identity, and parsing never panics.

use bytes::Bytes;
use mm7_mime::{
    ErrorKind, Limits, Multipart, MultipartBuilder, ParseOptions, Part, PartBuilder,
    TransferEncoding, parse_headers,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Node {
    Leaf {
        media_type: String,
        content: Vec<u8>,
        encoding: TransferEncoding,
        content_id: Option<String>,
    },
    Nested {
        subtype: String,
        children: Vec<Node>,
    },
}

/// Bytes that look like framing: delimiters of the generated boundaries,
/// line breaks, header lines.
fn fragment(boundary: String) -> impl Strategy<Value = Vec<u8>> {
    let cut = boundary.len().saturating_sub(1);
    let almost = boundary.get(..cut).unwrap_or_default().to_owned();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        (0..=cut).prop_map(
            move |k| format!("\r\n--{}", boundary.get(..k).unwrap_or_default()).into_bytes()
        ),
        Just(format!("\r\n--{almost}\r\n").into_bytes()),
        Just(format!("--{almost}--").into_bytes()),
        Just(b"\r\n--=_mm7_".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        Just(b"\n--".to_vec()),
        Just(b"Content-Type: multipart/mixed; boundary=x\r\n".to_vec()),
        Just(b"= \t\r\n".to_vec()),
    ]
}

fn content(boundary: &str) -> impl Strategy<Value = Vec<u8>> + use<> {
    proptest::collection::vec(fragment(boundary.to_owned()), 0..6)
        .prop_map(|pieces| pieces.concat())
}

fn leaf(boundary: &str) -> impl Strategy<Value = Node> + use<> {
    let media_type = prop_oneof![
        Just("text/xml"),
        Just("application/smil"),
        Just("image/gif"),
        Just("text/plain"),
        Just("application/octet-stream"),
    ];
    let encoding = prop_oneof![
        Just(TransferEncoding::Binary),
        Just(TransferEncoding::EightBit),
        Just(TransferEncoding::Base64),
        Just(TransferEncoding::QuotedPrintable),
    ];
    let content_id = proptest::option::of("[a-z0-9.]{1,12}@[a-z]{1,8}");
    (media_type, content(boundary), encoding, content_id).prop_map(
        |(media_type, content, encoding, content_id)| Node::Leaf {
            media_type: media_type.to_owned(),
            content,
            encoding,
            content_id,
        },
    )
}

fn tree(boundary: &str) -> impl Strategy<Value = Vec<Node>> + use<> {
    let node = leaf(boundary).prop_recursive(2, 12, 4, |inner| {
        (
            prop_oneof![Just("mixed"), Just("related"), Just("alternative")],
            proptest::collection::vec(inner, 1..4),
        )
            .prop_map(|(subtype, children)| Node::Nested {
                subtype: subtype.to_owned(),
                children,
            })
    });
    proptest::collection::vec(node, 1..5)
}

fn builder(subtype: &str, nodes: &[Node]) -> MultipartBuilder {
    let mut multipart = MultipartBuilder::new(subtype);
    for node in nodes {
        multipart.push_part(match node {
            Node::Leaf {
                media_type,
                content,
                encoding,
                content_id,
            } => {
                let part = PartBuilder::new(media_type.clone(), content.clone())
                    .transfer_encoding(encoding.clone());
                match content_id {
                    Some(id) => part.content_id(id.clone()),
                    None => part,
                }
            }
            Node::Nested { subtype, children } => {
                PartBuilder::multipart(builder(subtype, children))
            }
        });
    }
    multipart
}

fn assert_same(nodes: &[Node], multipart: &Multipart) -> Result<(), TestCaseError> {
    prop_assert!(
        multipart.warnings().is_empty(),
        "{:?}",
        multipart.warnings()
    );
    prop_assert_eq!(multipart.parts().len(), nodes.len());
    for (node, part) in nodes.iter().zip(multipart.parts()) {
        assert_node(node, part)?;
    }
    Ok(())
}

fn assert_node(node: &Node, part: &Part) -> Result<(), TestCaseError> {
    prop_assert!(part.content_id().is_some());
    match node {
        Node::Leaf {
            media_type,
            content,
            encoding,
            content_id,
        } => {
            prop_assert_eq!(part.content_type().mime_type(), media_type.as_str());
            prop_assert_eq!(&part.transfer_encoding(), encoding);
            if let Some(id) = content_id {
                prop_assert_eq!(part.content_id(), Some(id.as_str()));
            }
            prop_assert_eq!(&part.decoded().unwrap()[..], &content[..]);
        }
        Node::Nested { subtype, children } => {
            prop_assert_eq!(part.content_type().subtype(), subtype.as_str());
            let nested = part.multipart().unwrap().unwrap();
            assert_same(children, &nested)?;
        }
    }
    Ok(())
}

fn leaf_count(nodes: &[Node]) -> usize {
    nodes
        .iter()
        .map(|node| match node {
            Node::Leaf { .. } => 1,
            Node::Nested { children, .. } => leaf_count(children),
        })
        .sum()
}

/// Content-IDs given in the tree must be unique for the comparison to hold.
fn unique_ids(nodes: &[Node], seen: &mut Vec<String>) -> bool {
    nodes.iter().all(|node| match node {
        Node::Leaf {
            content_id: Some(id),
            ..
        } => {
            let fresh = !seen.contains(id);
            seen.push(id.clone());
            fresh
        }
        Node::Leaf { .. } => true,
        Node::Nested { children, .. } => unique_ids(children, seen),
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn write_then_parse_is_identity(nodes in tree("=_mm7_0123456789abcdef")) {
        prop_assume!(unique_ids(&nodes, &mut Vec::new()));
        let built = builder("related", &nodes).build().unwrap();
        let parsed = Multipart::parse(built.to_bytes(), built.content_type()).unwrap();
        assert_same(&nodes, &parsed)?;
        prop_assert_eq!(parsed.root_index(), Some(0));
        prop_assert_eq!(parsed.leaves().count(), leaf_count(&nodes));
        // Strict mode agrees: the writer's output is well formed.
        let strict = Multipart::parse_with(built.to_bytes(), built.content_type(), &ParseOptions::strict()).unwrap();
        prop_assert_eq!(strict.parts().len(), nodes.len());
    }

    #[test]
    fn bodies_with_boundary_prefixes_round_trip(
        (boundary, nodes) in "[A-Za-z0-9'()+_,./:=?-]{7,40}[A-Za-z0-9]".prop_flat_map(|b| (Just(b.clone()), tree(&b)))
    ) {
        prop_assume!(unique_ids(&nodes, &mut Vec::new()));
        match builder("mixed", &nodes).boundary(boundary.clone()).build() {
            Ok(built) => {
                let parsed = Multipart::parse(built.to_bytes(), built.content_type()).unwrap();
                prop_assert_eq!(parsed.boundary(), boundary.as_str());
                assert_same(&nodes, &parsed)?;
            }
            Err(e) => {
                // Only when random bytes happened to contain the boundary.
                prop_assert_eq!(e.kind(), &ErrorKind::BoundaryInContent);
                let all = builder("mixed", &nodes).build().unwrap().to_bytes();
                prop_assert!(memchr::memmem::find(&all, boundary.as_bytes()).is_some());
            }
        }
    }

    #[test]
    fn parse_never_panics(
        content_type in prop_oneof![
            any::<String>(),
            "multipart/(related|mixed|digest); ?(boundary|BOUNDARY)=\"?(b|b b|=_x)\"?(; start=<[a-z]>)?(; type=text/xml)?",
        ],
        pieces in proptest::collection::vec(prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..40),
            Just(b"--b".to_vec()), Just(b"--b--".to_vec()), Just(b"--b b".to_vec()), Just(b"--=_x".to_vec()),
            Just(b"\r\n".to_vec()), Just(b"\n".to_vec()), Just(b" \t".to_vec()), Just(b"\r".to_vec()),
            Just(b"Content-Type: multipart/mixed; boundary=b\r\n".to_vec()),
            Just(b"Content-Type: multipart/related; boundary=\"b b\"\n".to_vec()),
            Just(b"Content-Transfer-Encoding: base64\r\n".to_vec()),
            Just(b"Content-Transfer-Encoding: quoted-printable\r\n".to_vec()),
            Just(b"Content-ID: <a>\r\nContent-Disposition: attachment; filename*0*=utf-8''%E2;\r\n".to_vec()),
            Just(b"=".to_vec()), Just(b"=4".to_vec()), Just(b"QUJD".to_vec()),
        ], 0..40),
        strict in any::<bool>(),
        tiny in any::<bool>(),
    ) {
        let body = Bytes::from(pieces.concat());
        let mut options = if strict { ParseOptions::strict() } else { ParseOptions::lenient() };
        if tiny {
            options = options.with_limits(Limits::default().with_max_parts(3).with_max_depth(2).with_max_header_block(40));
        }
        let _ = parse_headers(&body, &options);
        if let Ok(multipart) = Multipart::parse_with(body.clone(), &content_type, &options) {
            exercise(&multipart);
            for leaf in multipart.leaves().flatten() {
                let _ = leaf.decoded();
            }
        }
    }
}

/// Touches every accessor, recursing through nested multiparts.
fn exercise(multipart: &Multipart) {
    let _ = (
        multipart.root(),
        multipart.preamble(),
        multipart.epilogue(),
        multipart.warnings(),
    );
    for warning in multipart.warnings() {
        let _ = warning.to_string();
    }
    for part in multipart.parts() {
        let _ = (
            part.content_id(),
            part.content_location(),
            part.filename(),
            part.transfer_encoding(),
        );
        let _ = part.decoded();
        for field in part.headers().iter() {
            let _ = (field.name(), field.value(), field.value_bytes());
        }
        if let Some(Ok(nested)) = part.multipart() {
            exercise(&nested);
        }
    }
}
