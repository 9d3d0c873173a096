//! The JSON report of a decoded message: what `mm7 decode` prints and what the golden files
//! `tests/vectors/NAME.json` hold.
//!
//! ```text
//! {"message": "SubmitReq",
//!  "transaction_id": "vas00001-sub",
//!  "namespace": "<the namespace URI exactly as received>",
//!  "mm7_version": "5.3.0",
//!  "body": { the model's JSON view: MM7 element names as keys; beside each "Number" as
//!            received, "normalized": the number without separators or "/TYPE=PLMN" },
//!  "attachments": [{"media_type": "image/gif", "content_type": "image/gif; name=saturn.gif",
//!                   "content_id": "saturn.gif", "content_location": null,
//!                   "filename": null, "size": 1234, "sha256": "<hex of the decoded bytes>"}],
//!  "warnings": ["..."]}
//! ```
//!
//! `attachments` lists the leaf parts of the content in order (nested multiparts flattened; the
//! SOAP part is not listed), after the transfer encoding was undone. `media_type` is the media
//! type alone, lowercased; `content_type` the whole Content-Type as received (its `charset`
//! and other parameters), which `mm7 encode` writes back.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::model::{Envelope, PartBody};
use crate::soap::Decoded;

/// The JSON report of a decoded message.
///
/// ```
/// let xml = std::fs::read("tests/vectors/ezitxt_submit_rsp.http")?;
/// let http = mm7::mime::HttpMessage::parse(xml.into())?;
/// let decoded = mm7::soap::decode(
///     http.header("Content-Type").as_deref().unwrap_or(""),
///     http.body().clone(),
///     &Default::default(),
/// )?;
/// let report = mm7::json::report(&decoded);
/// assert_eq!(report["message"], "SubmitRsp");
/// assert_eq!(report["body"]["Status"]["StatusCode"], 1000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn report(decoded: &Decoded) -> Value {
    let envelope = &decoded.envelope;
    json!({
        "message": envelope.message.operation_name(),
        "transaction_id": envelope.transaction_id,
        "namespace": envelope.namespace.uri(),
        "mm7_version": envelope.mm7_version().map(|v| v.as_str()),
        "body": body_view(envelope),
        "attachments": attachments(envelope),
        "warnings": decoded.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

/// The model's JSON view of the message alone (the operation's element, without its name),
/// each `Number` with its `normalized` form beside it.
///
/// ```
/// use mm7::model::{Address, DeliverReq, Envelope, SchemaId};
/// let req = DeliverReq::new("6.8.0", Address::number("+1 (555) 123-4567/TYPE=PLMN"));
/// let view = mm7::json::body_view(&Envelope::new("t", SchemaId::NEWEST, req));
/// assert_eq!(view["Sender"]["Number"], "+1 (555) 123-4567/TYPE=PLMN");
/// assert_eq!(view["Sender"]["normalized"], "+15551234567");
/// ```
pub fn body_view(envelope: &Envelope) -> Value {
    let mut view = match serde_json::to_value(&envelope.message) {
        // The message serialises as {"SubmitReq": {...}}: the body is the one value inside.
        Ok(Value::Object(map)) if map.len() == 1 => {
            map.into_iter().next().map_or(Value::Null, |(_, v)| v)
        }
        Ok(other) => other,
        Err(e) => json!({ "error": e.to_string() }),
    };
    add_normalized_numbers(&mut view);
    view
}

/// Puts `normalized` beside every address `Number` that reads as a phone number (the value
/// itself is kept as received, `/TYPE=PLMN` and separators included): `+` or `00` numbers
/// as `+` and digits, others as their prefix and digits (see [`crate::model::number`]).
fn add_normalized_numbers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let normalized = map
                .get("Number")
                .and_then(Value::as_str)
                .and_then(|number| crate::model::number::Msisdn::parse(number).ok())
                .map(|n| {
                    n.international()
                        .unwrap_or_else(|| format!("{}{}", n.prefix().as_str(), n.digits()))
                });
            if let Some(normalized) = normalized {
                map.insert("normalized".into(), normalized.into());
            }
            map.values_mut().for_each(add_normalized_numbers);
        }
        Value::Array(items) => items.iter_mut().for_each(add_normalized_numbers),
        _ => {}
    }
}

/// The leaf parts of the envelope's attachments, in order, as the report lists them.
pub fn attachments(envelope: &Envelope) -> Vec<Value> {
    envelope
        .attachments
        .iter()
        .flat_map(|part| part.leaves())
        .filter_map(|leaf| {
            let PartBody::Data(data) = &leaf.body else {
                return None;
            };
            let mut entry = Map::new();
            entry.insert(
                "media_type".into(),
                leaf.media_type().to_ascii_lowercase().into(),
            );
            entry.insert("content_type".into(), leaf.content_type.clone().into());
            entry.insert("content_id".into(), leaf.content_id.clone().into());
            entry.insert(
                "content_location".into(),
                leaf.content_location.clone().into(),
            );
            entry.insert("filename".into(), leaf.filename.clone().into());
            entry.insert("size".into(), data.len().into());
            entry.insert("sha256".into(), hex(&Sha256::digest(data)).into());
            Some(Value::Object(entry))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}
