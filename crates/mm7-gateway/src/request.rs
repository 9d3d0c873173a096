//! The JSON a `POST /v1/messages` carries: checked when it arrives (so that what is queued can
//! be sent), and turned into a `SubmitReq` with its content when it is sent.

use base64::Engine as _;
use mm7_model::builder::{Presentation, assemble_content, insert_text};
use mm7_model::smil::SmilOptions;
use mm7_model::{Address, ContentRef, Part, SenderIdentification, SubmitReq};
use serde_json::Value;

use crate::config::Account;

/// The largest attachment, decoded.
pub(crate) const MAX_ATTACHMENT: usize = 2 * 1024 * 1024;

/// The fields a submission may have.
const FIELDS: &[&str] = &[
    "account",
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "text",
    "attachments",
    "smil",
    "delivery_report",
    "read_report",
    "expiry",
    "reference",
];

/// An address as an application writes it: `+15551234567` or more than 8 digits is a
/// number, fewer digits a short code, anything with `@` an e-mail address.
pub(crate) fn address(text: &str) -> Result<Address, String> {
    let text = text.trim();
    if text.contains('@') {
        if text.len() > 254 || text.contains(['<', '>', '"', ' ']) {
            return Err(format!("{text:?} is not an e-mail address"));
        }
        return Ok(Address::rfc2822(text));
    }
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{text:?} is not a phone number, a short code or an e-mail address"
        ));
    }
    Ok(if text.starts_with('+') || digits.len() > 8 {
        Address::number(text)
    } else {
        Address::short_code(digits)
    })
}

fn addresses(request: &Value, field: &str) -> Result<Vec<Address>, String> {
    match &request[field] {
        Value::Null => Ok(Vec::new()),
        Value::String(one) => Ok(vec![address(one).map_err(|e| format!("`{field}`: {e}"))?]),
        Value::Array(many) => many
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| format!("`{field}` must hold strings"))
                    .and_then(|s| address(s).map_err(|e| format!("`{field}`: {e}")))
            })
            .collect(),
        _ => Err(format!("`{field}` must be a string or an array of strings")),
    }
}

fn text_field<'a>(request: &'a Value, field: &str) -> Result<Option<&'a str>, String> {
    match &request[field] {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        _ => Err(format!("`{field}` must be a string")),
    }
}

fn bool_field(request: &Value, field: &str) -> Result<Option<bool>, String> {
    match &request[field] {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        _ => Err(format!("`{field}` must be true or false")),
    }
}

/// The attachments, decoded.
fn attachments(request: &Value) -> Result<Vec<Part>, String> {
    let list = match &request["attachments"] {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        _ => return Err("`attachments` must be an array".into()),
    };
    let mut parts = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let n = i + 1;
        let content_type = item["content_type"]
            .as_str()
            .ok_or_else(|| format!("attachment {n}: `content_type` is required"))?;
        if !mm7_model::media::is_media_type(content_type) {
            return Err(format!(
                "attachment {n}: `content_type` is not a media type: {content_type:?}"
            ));
        }
        let data = item["data"]
            .as_str()
            .ok_or_else(|| format!("attachment {n}: `data` (base64) is required"))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| format!("attachment {n}: `data` is not base64: {e}"))?;
        if bytes.is_empty() || bytes.len() > MAX_ATTACHMENT {
            return Err(format!(
                "attachment {n}: {} bytes (1 to {MAX_ATTACHMENT} accepted)",
                bytes.len()
            ));
        }
        let name = mm7_model::media::safe_file_name(
            item["filename"]
                .as_str()
                .or(item["file_name"].as_str())
                .unwrap_or_default(),
        )
        .unwrap_or_else(|| format!("attachment-{n}"));
        parts.push(
            Part::new(content_type, bytes)
                .with_content_id(name.clone())
                .with_content_location(name),
        );
    }
    Ok(parts)
}

/// Checks a submission: what the API refuses with 400, naming the field.
pub(crate) fn check(request: &Value) -> Result<(), String> {
    let Value::Object(map) = request else {
        return Err("the body must be a JSON object".into());
    };
    if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(format!(
            "unknown field `{unknown}` (known: {})",
            FIELDS.join(", ")
        ));
    }
    let recipients = ["to", "cc", "bcc"]
        .iter()
        .map(|f| addresses(request, f).map(|a| a.len()))
        .sum::<Result<usize, String>>()?;
    if recipients == 0 {
        return Err("`to` is required: at least one recipient".into());
    }
    if let Some(from) = text_field(request, "from")? {
        address(from).map_err(|e| format!("`from`: {e}"))?;
    }
    text_field(request, "reference")?;
    text_field(request, "account")?;
    let subject = text_field(request, "subject")?;
    let text = text_field(request, "text")?;
    let parts = attachments(request)?;
    if text.is_none() && parts.is_empty() && subject.is_none() {
        return Err("nothing to send: give `text`, `attachments` or `subject`".into());
    }
    match &request["smil"] {
        Value::Null => {}
        Value::String(s) if s == "auto" || s.trim_start().starts_with('<') => {}
        _ => return Err("`smil` must be \"auto\" or a SMIL document".into()),
    }
    bool_field(request, "delivery_report")?;
    bool_field(request, "read_report")?;
    match &request["expiry"] {
        Value::Null => {}
        Value::Number(n) if n.as_u64().is_some_and(|s| s > 0) => {}
        _ => return Err("`expiry` must be a number of seconds".into()),
    }
    Ok(())
}

/// The fields a replacement (`POST /v1/messages/{id}/replace`) may have: the content.
const REPLACE_FIELDS: &[&str] = &["text", "attachments", "smil"];

/// Checks a replacement's content: what the API refuses with 400, naming the field.
pub(crate) fn check_replacement(content: &Value) -> Result<(), String> {
    let Value::Object(map) = content else {
        return Err("the body must be a JSON object".into());
    };
    if let Some(unknown) = map.keys().find(|k| !REPLACE_FIELDS.contains(&k.as_str())) {
        return Err(format!(
            "unknown field `{unknown}` (known: {})",
            REPLACE_FIELDS.join(", ")
        ));
    }
    let text = text_field(content, "text")?;
    if text.is_none() && attachments(content)?.is_empty() {
        return Err("nothing to replace with: give `text` or `attachments`".into());
    }
    match &content["smil"] {
        Value::Null => Ok(()),
        Value::String(s) if s == "auto" || s.trim_start().starts_with('<') => Ok(()),
        _ => Err("`smil` must be \"auto\" or a SMIL document".into()),
    }
}

/// A stored submission (JSON text) with its content replaced by `content`'s.
pub(crate) fn merge(stored: &str, content: &Value) -> Value {
    let mut request: Value =
        serde_json::from_str(stored).unwrap_or_else(|_| Value::Object(serde_json::Map::new()));
    if let Value::Object(map) = &mut request {
        for field in REPLACE_FIELDS {
            map.remove(*field);
            if let Some(value) = content.get(*field) {
                map.insert((*field).to_owned(), value.clone());
            }
        }
    }
    request
}

/// The `ReplaceReq` of a sent message and its new content.
pub(crate) fn build_replace(
    content: &Value,
    account: &Account,
    message_id: &str,
) -> Result<(mm7_model::ReplaceReq, Vec<Part>), String> {
    let (reference, parts) = content_parts(content)?;
    let mut req = mm7_model::ReplaceReq::default();
    req.message_id = message_id.to_owned();
    req.sender_identification = Some(identification(account));
    req.content = reference;
    Ok((req, parts))
}

/// The cancel of a sent message.
pub(crate) fn build_cancel(account: &Account, message_id: &str) -> mm7_model::CancelReq {
    let mut req = mm7_model::CancelReq::default();
    req.message_id = message_id.to_owned();
    req.sender_identification = Some(identification(account));
    req
}

/// The account's `VASPID` and `VASID`.
fn identification(account: &Account) -> SenderIdentification {
    let mut identification = SenderIdentification::default();
    identification.vasp_id.clone_from(&account.vasp_id);
    identification.vas_id.clone_from(&account.vas_id);
    identification
}

/// The first recipient of a checked submission (`to`, else `cc`, else `bcc`), as written.
pub(crate) fn first_recipient(request: &Value) -> Option<String> {
    ["to", "cc", "bcc"]
        .iter()
        .find_map(|field| match &request[*field] {
            Value::String(one) => Some(one.clone()),
            Value::Array(many) => many.first().and_then(Value::as_str).map(str::to_owned),
            _ => None,
        })
}

/// The expiry a submission asks for, in seconds.
pub(crate) fn expiry_seconds(request: &Value) -> Option<u64> {
    request["expiry"].as_u64()
}

/// The `SubmitReq` and its content for a checked submission.
pub(crate) fn build(request: &Value, account: &Account) -> Result<(SubmitReq, Vec<Part>), String> {
    let mut req = SubmitReq::default();
    let mut identification = SenderIdentification::default();
    identification.vasp_id.clone_from(&account.vasp_id);
    identification.vas_id.clone_from(&account.vas_id);
    if let Some(from) = text_field(request, "from")? {
        identification.sender_address = Some(address(from)?);
    }
    req.sender_identification = Some(identification);
    req.recipients.to = addresses(request, "to")?;
    req.recipients.cc = addresses(request, "cc")?;
    req.recipients.bcc = addresses(request, "bcc")?;
    req.subject = text_field(request, "subject")?.map(str::to_owned);
    req.delivery_report = bool_field(request, "delivery_report")?;
    req.read_reply = bool_field(request, "read_report")?;
    let (reference, content) = content_parts(request)?;
    req.content = reference;
    Ok((req, content))
}

/// The content of a submission or replacement: its `Content` reference and its one root part
/// (none when there is nothing to send).
fn content_parts(request: &Value) -> Result<(Option<ContentRef>, Vec<Part>), String> {
    let mut parts = attachments(request)?;
    if let Some(text) = text_field(request, "text")? {
        insert_text(&mut parts, text);
    }
    let presentation = match &request["smil"] {
        Value::String(auto) if auto == "auto" => Presentation::Auto(SmilOptions::default()),
        Value::String(document) => Presentation::Given(document.clone().into_bytes().into()),
        _ => Presentation::None,
    };
    let Some(root) = assemble_content(parts, "multipart/mixed", presentation)
        .map_err(|e| format!("`smil`: {e}"))?
    else {
        return Ok((None, Vec::new()));
    };
    let id = root.content_id.clone().unwrap_or_default();
    Ok((Some(ContentRef::cid(&id)), vec![root]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn addresses_by_their_form() {
        assert_eq!(
            address("+15551234567").unwrap().kind,
            mm7_model::AddressKind::Number
        );
        assert_eq!(
            address("15551234567").unwrap().kind,
            mm7_model::AddressKind::Number
        );
        assert_eq!(
            address("63901").unwrap().kind,
            mm7_model::AddressKind::ShortCode
        );
        assert_eq!(
            address("a@b.example").unwrap().kind,
            mm7_model::AddressKind::Rfc2822
        );
        assert!(address("12ab").is_err());
        assert!(address("").is_err());
    }

    #[test]
    fn refusals_name_the_field() {
        let cases = [
            (json!({"text": "hi"}), "`to`"),
            (json!({"to": "1555x", "text": "hi"}), "`to`"),
            (json!({"to": "15551234567"}), "nothing to send"),
            (json!({"to": "15551234567", "text": 5}), "`text`"),
            (
                json!({"to": "15551234567", "txt": "hi"}),
                "unknown field `txt`",
            ),
            (
                json!({"to": "15551234567", "attachments": [{"content_type": "image/png", "data": "!!"}]}),
                "not base64",
            ),
            (
                json!({"to": "15551234567", "attachments": [{"content_type": "png", "data": "AA=="}]}),
                "media type",
            ),
            (
                json!({"to": "15551234567", "text": "x", "smil": 1}),
                "`smil`",
            ),
            (
                json!({"to": "15551234567", "text": "x", "expiry": -1}),
                "`expiry`",
            ),
        ];
        for (request, needle) in cases {
            let error = check(&request).expect_err(&request.to_string());
            assert!(error.contains(needle), "{request}: {error}");
        }
    }

    #[test]
    fn a_picture_with_text_and_smil_is_one_related_content() {
        let png = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\nrest");
        let request = json!({
            "from": "63901", "to": ["15551234567"], "subject": "Hi", "text": "caption",
            "attachments": [{"content_type": "image/png", "filename": "../a b.png", "data": png}],
            "smil": "auto", "delivery_report": true,
        });
        check(&request).unwrap();
        let (req, content) = build(&request, &Account::new("http://127.0.0.1:1/mm7")).unwrap();
        assert_eq!(req.recipients.to[0].value, "15551234567");
        assert_eq!(req.delivery_report, Some(true));
        assert_eq!(content.len(), 1);
        let leaves: Vec<&str> = content[0]
            .leaves()
            .map(|p| p.content_type.as_str())
            .collect();
        assert!(leaves[0].starts_with("application/smil"), "{leaves:?}");
        assert_eq!(leaves[1], "image/png");
        assert!(leaves[2].starts_with("text/plain"), "{leaves:?}");
        let names: Vec<Option<&str>> = content[0]
            .leaves()
            .map(|p| p.content_id.as_deref())
            .collect();
        assert_eq!(names[1], Some("a_b.png"));
    }
}
