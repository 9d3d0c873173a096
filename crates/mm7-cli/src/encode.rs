//! `mm7 encode`: a JSON view (as `mm7 decode` prints it) and attachment files to a whole
//! HTTP message.

use std::path::PathBuf;

use mm7_model::{ContentRef, Envelope, Message, Part, SchemaId};
use mm7_soap::{EncodeOptions, TransferEncodingPolicy};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::attach::{self, CONTENT_ID};
use crate::error::CliError;
use crate::io;
use crate::opts::{self, VersionArgs};

/// Arguments of `mm7 encode`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 decode capture.http --extract parts/ > capture.json
  mm7 encode capture.json --attach parts/* > again.http
  mm7 encode submit.json --attach photo.jpg --mm7-version 6.8.0 --namespace REL-6-MM7-1-4
  mm7 encode submit.json --body-only > body.bin 2> content-type.txt

FILE is the JSON object `mm7 decode` prints (its `attachments` entries give each --attach
file, in order, its media type and Content-ID), or the model's own JSON form
({\"TransactionID\": …, \"Namespace\": …, \"SubmitReq\": {…}, \"Attachments\": [{…}]}).
A request is written as `POST TARGET HTTP/1.1`, a response as `HTTP/1.1 200 OK` (a Fault as
500), with Content-Type, Content-Length and SOAPAction.")]
pub(crate) struct EncodeArgs {
    /// The JSON view; `-` reads standard input.
    #[arg(value_name = "FILE.json")]
    file: PathBuf,
    /// Attachment files, in the order of the JSON's `attachments` (media types from the
    /// extensions when the JSON lists none).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    attach: Vec<PathBuf>,
    #[command(flatten)]
    version: VersionArgs,
    /// The SOAP envelope prefix (`env`, `soapenv`, `SOAP-ENV`, …).
    #[arg(long, value_name = "PREFIX", default_value = "env")]
    envelope_prefix: String,
    /// Leaves out, with a warning, the elements the target schema does not define (instead
    /// of refusing them).
    #[arg(long)]
    drop_undefined: bool,
    /// The Content-Transfer-Encoding of attachment parts: binary (the default), 8bit (text
    /// parts; others base64), base64, or quoted-printable (text parts; others base64).
    #[arg(long, value_name = "ENCODING", default_value = "binary")]
    transfer_encoding: TransferEncodingPolicy,
    /// Uses this TransactionID instead of the JSON's.
    #[arg(long, value_name = "ID")]
    transaction_id: Option<String>,
    /// Prints the body only, and the Content-Type value as the first line of standard error.
    #[arg(long)]
    body_only: bool,
    /// The request target of the request line.
    #[arg(long, value_name = "PATH", default_value = "/mm7")]
    target: String,
    /// The Host header of a request.
    #[arg(long, value_name = "HOST", default_value = "localhost")]
    host: String,
    /// Extra header lines (`Name: value`), repeatable.
    #[arg(long, value_name = "'K: V'", value_parser = opts::parse_header)]
    header: Vec<(String, String)>,
}

/// Runs `mm7 encode`.
pub(crate) fn run(args: &EncodeArgs) -> Result<(), CliError> {
    let text = io::read_input(&args.file)?;
    let json: Value = serde_json::from_slice(&text).map_err(|e| CliError::Json {
        path: args.file.clone(),
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    let (mut envelope, listed) = envelope_from_json(json, &args.version)
        .map_err(|reason| CliError::Input(format!("{}: {reason}", args.file.display())))?;
    if let Some(id) = &args.transaction_id {
        envelope.transaction_id.clone_from(id);
    }
    let mut warnings = Vec::new();
    if !args.attach.is_empty() || !listed.is_empty() {
        let leaves = attachment_parts(&args.attach, &listed, &mut warnings)?;
        place_content(&mut envelope, leaves);
    }
    let mut options = EncodeOptions::default();
    options.prefix_style = args.version.prefix_style.clone().unwrap_or_default();
    options.envelope_prefix = args.envelope_prefix.clone();
    options.drop_undefined = args.drop_undefined;
    options.transfer_encoding = args.transfer_encoding;
    let encoded = mm7_soap::encode(&envelope, &options)
        .map_err(|e| CliError::Input(format!("cannot encode the message: {e}")))?;
    warnings.extend(encoded.warnings.iter().map(ToString::to_string));
    let body = encoded.to_bytes();
    if args.body_only {
        io::stderr_line(&encoded.content_type);
        for w in &warnings {
            io::stderr_line(&format!("warning: {w}"));
        }
        return io::stdout(&body);
    }
    for w in &warnings {
        io::stderr_line(&format!("warning: {w}"));
    }
    let head = http_head(&envelope, &encoded.content_type, body.len(), args);
    let mut out = Vec::with_capacity(head.len() + body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(&body);
    io::stdout(&out)
}

/// The start line and headers, ending in the blank line.
fn http_head(envelope: &Envelope, content_type: &str, length: usize, args: &EncodeArgs) -> String {
    let mut head = if envelope.message.is_request() {
        format!("POST {} HTTP/1.1\r\nHost: {}\r\n", args.target, args.host)
    } else if matches!(envelope.message, Message::Fault(_)) {
        // SOAP 1.1 §6.2: a Fault travels with 500 Internal Server Error.
        "HTTP/1.1 500 Internal Server Error\r\n".to_owned()
    } else {
        "HTTP/1.1 200 OK\r\n".to_owned()
    };
    head.push_str(&format!(
        "Content-Type: {content_type}\r\nContent-Length: {length}\r\n"
    ));
    if envelope.message.is_request() {
        head.push_str("SOAPAction: \"\"\r\n");
    }
    for (name, value) in &args.header {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// One `attachments` entry of a decode report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Listed {
    media_type: Option<String>,
    content_type: Option<String>,
    content_id: Option<String>,
    content_location: Option<String>,
    filename: Option<String>,
    sha256: Option<String>,
}

/// The envelope a JSON view describes, and the attachments a decode report lists.
pub(crate) fn envelope_from_json(
    json: Value,
    version: &VersionArgs,
) -> Result<(Envelope, Vec<Listed>), String> {
    let Value::Object(mut object) = json else {
        return Err("expected a JSON object".to_owned());
    };
    let mut listed = Vec::new();
    let mut model = if object.contains_key("message") && object.contains_key("body") {
        let report = object;
        let operation = report
            .get("message")
            .and_then(Value::as_str)
            .ok_or("`message` is not a string")?
            .to_owned();
        if let Some(Value::Array(entries)) = report.get("attachments") {
            listed = entries.iter().map(listed_entry).collect::<Result<_, _>>()?;
        }
        let mut model = Map::new();
        let tid = report.get("transaction_id").cloned().unwrap_or(Value::Null);
        model.insert(
            "TransactionID".into(),
            if tid.is_null() { Value::from("") } else { tid },
        );
        if let Some(ns) = report.get("namespace").filter(|v| !v.is_null()) {
            model.insert("Namespace".into(), ns.clone());
        }
        model.insert(
            operation,
            report.get("body").cloned().unwrap_or(Value::Null),
        );
        model
    } else {
        object.entry("TransactionID").or_insert(Value::from(""));
        object
    };
    if let Some(v) = &version.mm7_version {
        let body = model.iter_mut().find(|(k, _)| {
            !matches!(
                k.as_str(),
                "TransactionID" | "Namespace" | "Attachments" | "Fault"
            )
        });
        if let Some((_, Value::Object(body))) = body {
            body.insert("MM7Version".into(), Value::from(v.as_str()));
        }
    }
    let namespace = match &version.namespace {
        Some(ns) => Some(ns.clone()),
        None if !model.contains_key("Namespace") => Some(version.namespace_or(SchemaId::NEWEST)),
        None => None,
    };
    if let Some(ns) = namespace {
        model.insert("Namespace".into(), Value::from(ns.uri()));
    }
    let envelope: Envelope =
        serde_json::from_value(Value::Object(model)).map_err(|e| e.to_string())?;
    Ok((envelope, listed))
}

fn listed_entry(entry: &Value) -> Result<Listed, String> {
    let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
    if !entry.is_object() {
        return Err("an `attachments` entry is not an object".to_owned());
    }
    Ok(Listed {
        media_type: text("media_type"),
        content_type: text("content_type"),
        content_id: text("content_id"),
        content_location: text("content_location"),
        filename: text("filename"),
        sha256: text("sha256"),
    })
}

/// The leaf parts: the files, described by the report's entries when it lists them.
fn attachment_parts(
    files: &[PathBuf],
    listed: &[Listed],
    warnings: &mut Vec<String>,
) -> Result<Vec<Part>, CliError> {
    if listed.is_empty() {
        return attach::load_files(files);
    }
    if files.len() != listed.len() {
        return Err(CliError::Input(format!(
            "the JSON lists {} attachment{} but {} --attach file{} given",
            listed.len(),
            if listed.len() == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { " was" } else { "s were" },
        )));
    }
    let mut parts = Vec::with_capacity(files.len());
    for (path, entry) in files.iter().zip(listed) {
        let data = io::read_input(path)?;
        if let Some(want) = &entry.sha256 {
            let got = hex(&Sha256::digest(&data));
            if !want.eq_ignore_ascii_case(&got) {
                warnings.push(format!(
                    "{} differs from the attachment the JSON describes (SHA-256 {got}, listed {want})",
                    path.display()
                ));
            }
        }
        // The whole Content-Type as received (its charset included), when the report has it.
        let content_type = match (&entry.content_type, &entry.media_type) {
            (Some(whole), _) => whole.clone(),
            (None, media_type) => {
                let media_type = match media_type {
                    Some(m) => m.clone(),
                    None => attach::media_type_of(path)?.media_type.to_owned(),
                };
                // An older report keeps the media type alone; UTF-8 text says so again.
                if media_type.starts_with("text/") && std::str::from_utf8(&data).is_ok() {
                    format!("{media_type}; charset=utf-8")
                } else {
                    media_type
                }
            }
        };
        let mut part = Part::new(content_type, data);
        part.content_id.clone_from(&entry.content_id);
        part.content_location.clone_from(&entry.content_location);
        part.filename.clone_from(&entry.filename);
        parts.push(part);
    }
    Ok(parts)
}

/// Puts the leaves in the envelope so that its `Content` href names the content: as they
/// are when a leaf is the content, else under a multipart with the Content-ID the href
/// names (the report flattens that multipart away). A message that can carry content but
/// has no `Content` gets one.
fn place_content(envelope: &mut Envelope, mut leaves: Vec<Part>) {
    if leaves.is_empty() {
        return;
    }
    let href = envelope.content_href().map(str::to_owned);
    match href {
        Some(href) if leaves.iter().any(|p| p.matches_href(&href)) => {
            envelope.attachments = leaves;
        }
        Some(href) => {
            let id = mm7_mime::content_id_reference(&href).into_owned();
            if leaves.len() == 1 && leaves[0].content_id.is_none() {
                leaves[0].content_id = Some(id);
                envelope.attachments = leaves;
            } else {
                envelope.attachments = vec![wrap(leaves).with_content_id(id)];
            }
        }
        None => {
            let root = if leaves.len() == 1 {
                let mut part = leaves.remove(0);
                if part.content_id.is_none() {
                    part.content_id = Some(CONTENT_ID.to_owned());
                }
                part
            } else {
                wrap(leaves).with_content_id(CONTENT_ID)
            };
            let reference = ContentRef::cid(root.content_id.as_deref().unwrap_or(CONTENT_ID));
            match &mut envelope.message {
                Message::SubmitReq(m) => m.content = Some(reference),
                Message::DeliverReq(m) => m.content = Some(reference),
                Message::ReplaceReq(m) => m.content = Some(reference),
                Message::ExtendedReplaceReq(m) => m.content = Some(reference),
                _ => {}
            }
            envelope.attachments = vec![root];
        }
    }
}

/// A multipart around several leaves: `multipart/related` led by its SMIL when the first is
/// one, else `multipart/mixed`.
fn wrap(leaves: Vec<Part>) -> Part {
    let smil = leaves
        .first()
        .filter(|p| p.is_media_type("application/smil"))
        .and_then(|p| p.content_id.clone());
    match smil {
        Some(start) => Part::multipart(
            format!("multipart/related; type=\"application/smil\"; start=\"<{start}>\""),
            leaves,
        ),
        None => Part::multipart("multipart/mixed", leaves),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_overrides() -> VersionArgs {
        VersionArgs {
            mm7_version: None,
            namespace: None,
            prefix_style: None,
        }
    }

    #[test]
    fn the_whole_content_type_of_a_report_is_written_back() {
        let path = std::env::temp_dir().join(format!("mm7-encode-{}.txt", std::process::id()));
        std::fs::write(&path, b"caf\xe9").unwrap();
        let whole = json!({"media_type": "text/plain",
                           "content_type": "text/plain; charset=iso-8859-1", "content_id": "t"});
        let older = json!({"media_type": "text/plain", "content_id": "t"});
        let listed = [listed_entry(&whole).unwrap(), listed_entry(&older).unwrap()];
        let mut warnings = Vec::new();
        let parts = attachment_parts(&[path.clone(), path.clone()], &listed, &mut warnings);
        let _ = std::fs::remove_file(&path);
        let parts = parts.unwrap();
        assert_eq!(parts[0].content_type, "text/plain; charset=iso-8859-1");
        // Not UTF-8, and no charset listed: the media type alone.
        assert_eq!(parts[1].content_type, "text/plain");
    }

    #[test]
    fn a_report_becomes_an_envelope_with_overrides() {
        let report = json!({
            "message": "SubmitReq",
            "transaction_id": "t-1",
            "namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-3",
            "mm7_version": "5.3.0",
            "body": {"MM7Version": "5.3.0", "SenderIdentification": {"VASPID": "v"},
                     "Recipients": {"To": [{"Number": "1555"}]},
                     "Content": {"href": "cid:all"}},
            "attachments": [
                {"media_type": "text/plain", "content_id": null, "content_location": null,
                 "filename": null, "size": 2, "sha256": "00"},
                {"media_type": "image/gif", "content_id": "g.gif", "content_location": null,
                 "filename": null, "size": 3, "sha256": "00"}],
            "warnings": []
        });
        let mut version = no_overrides();
        version.mm7_version = Some("6.8.0".into());
        let (mut envelope, listed) = envelope_from_json(report, &version).unwrap();
        assert_eq!(envelope.transaction_id, "t-1");
        assert_eq!(envelope.mm7_version().map(|v| v.as_str()), Some("6.8.0"));
        assert!(envelope.namespace.uri().ends_with("REL-5-MM7-1-3"));
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[1].content_id.as_deref(), Some("g.gif"));

        place_content(
            &mut envelope,
            vec![
                Part::text("hi").with_content_id("t"),
                Part::new("image/gif", &b"GIF"[..]).with_content_id("g.gif"),
            ],
        );
        assert_eq!(envelope.attachments.len(), 1);
        assert_eq!(envelope.content().map(|c| c.parts().len()), Some(2));
        let encoded = mm7_soap::encode(&envelope, &EncodeOptions::default()).unwrap();
        let decoded = mm7_soap::decode(
            &encoded.content_type,
            encoded.to_bytes(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(decoded.envelope, envelope);
    }

    #[test]
    fn the_model_form_is_accepted_and_gets_content() {
        let model = json!({
            "TransactionID": "t-2",
            "DeliverReq": {"MM7Version": "6.8.0", "Sender": {"Number": "1555"}}
        });
        let (mut envelope, listed) = envelope_from_json(model, &no_overrides()).unwrap();
        assert!(listed.is_empty());
        assert_eq!(envelope.schema(), SchemaId::NEWEST);
        place_content(&mut envelope, vec![Part::text("x")]);
        assert_eq!(envelope.content_href(), Some("cid:mm7-content"));
        assert!(envelope.content().is_some());
    }

    #[test]
    fn bad_json_views_are_refused() {
        assert!(envelope_from_json(json!([1]), &no_overrides()).is_err());
        let unknown = json!({"message": "NoSuchReq", "body": {}, "transaction_id": "t"});
        assert!(envelope_from_json(unknown, &no_overrides()).is_err());
        let bad_entry = json!({"message": "SubmitRsp", "body": {}, "attachments": [1]});
        assert!(envelope_from_json(bad_entry, &no_overrides()).is_err());
    }

    #[test]
    fn a_smil_first_wraps_as_related() {
        let wrapped = wrap(vec![
            Part::new("application/smil", &b"<smil/>"[..]).with_content_id("p.smil"),
            Part::text("x"),
        ]);
        assert!(wrapped.is_media_type("multipart/related"));
        assert_eq!(wrapped.param("start").as_deref(), Some("<p.smil>"));
        assert!(wrap(vec![Part::text("x")]).is_media_type("multipart/mixed"));
    }
}
