//! Unit tests of the operation decoders over bare operation elements (the envelope is tested
//! through the public API in `tests/decode.rs`).

mod errors;
mod operations;

use mm7_model::{Message, Operation};

use super::read_operation;
use crate::error::{DecodeError, Warning};
use crate::xml::{Event, Tree, XmlLimits, XmlReader};

/// Reads `doc`'s root element into a tree and hands it to `f`.
pub(super) fn with_tree<R>(doc: &str, f: impl FnOnce(&Tree<'_>) -> R) -> R {
    let mut reader = XmlReader::new(doc, XmlLimits::default());
    let start = loop {
        match reader.next_event() {
            Ok(Event::Start(start)) => break start,
            Ok(_) => {}
            Err(e) => panic!("test document: {e}"),
        }
    };
    let tree = Tree::read_in_scope(&mut reader, start, 10_000).expect("test document");
    f(&tree)
}

/// Decodes `doc`'s root element, which names `op`, as the envelope reader decodes the Body's.
pub(super) fn decode(op: Operation, doc: &str) -> (Result<Message, DecodeError>, Vec<Warning>) {
    let mut reader = XmlReader::new(doc, XmlLimits::default());
    let start = loop {
        match reader.next_event() {
            Ok(Event::Start(start)) => break start,
            Ok(_) => {}
            Err(e) => panic!("test document: {e}"),
        }
    };
    let mut message = None;
    let streamed = read_operation(&mut reader, start, 10_000, &mut message).expect("test document");
    let decoded = streamed.decoded.expect("an operation element");
    assert_eq!(decoded.operation, op, "the document's operation");
    let result = decoded
        .message
        .map(|()| message.expect("a message read is kept"));
    (result, decoded.warnings)
}

pub(super) fn ok(op: Operation, doc: &str) -> Message {
    let (result, warnings) = decode(op, doc);
    let message = result.unwrap_or_else(|e| panic!("{e}"));
    assert!(warnings.is_empty(), "{warnings:?}");
    message
}
