//! `mm7 decode`: a captured MM7 HTTP message (or a bare body) to its JSON report.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use mm7::mime::HttpMessage;
use mm7::soap::{DecodeError, DecodeOptions, Decoded};
use mm7_model::{Part, PartBody};

use crate::error::CliError;
use crate::io;

/// Arguments of `mm7 decode`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  mm7 decode tests/vectors/ezitxt_submit_req.http
  mm7 decode --content-type 'text/xml' body.xml
  curl -s ... | mm7 decode -
  mm7 decode capture.http --extract parts/ > capture.json

The JSON object printed:
  {\"message\": \"SubmitReq\", \"transaction_id\": \"…\", \"namespace\": \"<as received>\",
   \"mm7_version\": \"5.3.0\", \"body\": {MM7 element names as keys},
   \"attachments\": [{\"media_type\", \"content_id\", \"content_location\", \"filename\",
                    \"size\", \"sha256\"}], \"warnings\": [\"…\"]}

A capture of several HTTP messages on one connection (keep-alive, each but the last with
its Content-Length): the first is decoded, with a warning that more follow; --all decodes
every one and prints a JSON array. An HTTP answer that holds no MM7 message (a 401 with a
text body, an HTML error page) is printed as {\"message\": null, \"http_status\": 401,
\"reason\", \"content_type\", \"summary\", \"body_excerpt\"}, with a warning.

On a message that does not decode: exit status 2, nothing on standard output, and on
standard error `error: <status code> <status name>: <what> at <line:column or byte offset>`.")]
pub(crate) struct DecodeArgs {
    /// The captured HTTP message (request or status line, headers, blank line, body); `-`
    /// reads standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// FILE is a bare HTTP body with this Content-Type (e.g. `text/xml`, or a
    /// `multipart/related; boundary=…` value).
    #[arg(long, value_name = "VALUE")]
    content_type: Option<String>,
    /// Also writes each attachment, decoded, into DIR as `NN-NAME` (in order, so that
    /// `mm7 encode --attach DIR/*` puts them back).
    #[arg(long, value_name = "DIR")]
    extract: Option<PathBuf>,
    /// Prints the JSON on one line.
    #[arg(long)]
    compact: bool,
    /// Decodes every HTTP message of the capture (keep-alive), printed as a JSON array.
    #[arg(long, conflicts_with_all = ["extract", "content_type"])]
    all: bool,
}

/// Runs `mm7 decode`.
pub(crate) fn run(args: &DecodeArgs) -> Result<(), CliError> {
    let input = io::read_input(&args.file)?;
    if args.content_type.is_some() {
        let decoded = decode_input(input, args.content_type.as_deref())?;
        return print_decoded(args, &decoded);
    }
    let messages = split_capture(&input);
    if args.all {
        let mut reports = Vec::with_capacity(messages.len());
        for (index, (offset, message)) in messages.iter().enumerate() {
            let report = report_message(message.clone())
                .map_err(|e| in_message(e, index, *offset, messages.len()))?;
            reports.push(report);
        }
        return print_json(args, &serde_json::Value::Array(reports));
    }
    let Some((_, first)) = messages.first() else {
        return Err(CliError::Input("the capture is empty".to_owned()));
    };
    if messages.len() > 1 {
        let offsets: Vec<String> = messages
            .iter()
            .skip(1)
            .map(|(o, _)| o.to_string())
            .collect();
        io::stderr_line(&format!(
            "warning: the capture holds {} HTTP messages (the others start at byte{} {}); only \
             the first is decoded: --all decodes every one",
            messages.len(),
            if offsets.len() == 1 { "" } else { "s" },
            offsets.join(", ")
        ));
    }
    match decode_or_http(first.clone())? {
        Decoding::Mm7(decoded) => print_decoded(args, &decoded),
        Decoding::Http(report) => print_json(args, &report),
    }
}

/// Prints the report of a decoded message, after extracting its attachments if asked.
fn print_decoded(args: &DecodeArgs, decoded: &Decoded) -> Result<(), CliError> {
    if let Some(dir) = &args.extract {
        let written = extract(decoded, dir)?;
        io::stderr_line(&format!(
            "wrote {} attachment{} to {}",
            written.len(),
            if written.len() == 1 { "" } else { "s" },
            dir.display()
        ));
    }
    let report = mm7::json::report(decoded);
    print_json(args, &report)
}

fn print_json(args: &DecodeArgs, value: &serde_json::Value) -> Result<(), CliError> {
    let text = if args.compact {
        serde_json::to_string(value)
    } else {
        serde_json::to_string_pretty(value)
    }
    .map_err(|e| CliError::Local(format!("cannot write the JSON report: {e}")))?;
    io::stdout_line(&text)
}

/// What one captured HTTP message holds.
enum Decoding {
    /// An MM7 message.
    Mm7(Box<Decoded>),
    /// An HTTP answer with no MM7 message: its status, type and text, as JSON.
    Http(serde_json::Value),
}

/// The JSON report of one captured HTTP message.
fn report_message(message: Bytes) -> Result<serde_json::Value, CliError> {
    Ok(match decode_or_http(message)? {
        Decoding::Mm7(decoded) => mm7::json::report(&decoded),
        Decoding::Http(report) => report,
    })
}

/// Decodes a captured HTTP message; an HTTP answer other than 2xx whose body holds no MM7
/// message is told by its status, not as a corrupt MM7 message.
fn decode_or_http(message: Bytes) -> Result<Decoding, CliError> {
    match decode_input(message.clone(), None) {
        Ok(decoded) => Ok(Decoding::Mm7(Box::new(decoded))),
        Err(error) => match http_answer(&message) {
            Some(report) => {
                let summary = report["summary"].as_str().unwrap_or_default();
                io::stderr_line(&format!("warning: not an MM7 message: {summary}"));
                Ok(Decoding::Http(report))
            }
            None => Err(error),
        },
    }
}

/// The report of an HTTP response whose status is not a success, or `None`.
fn http_answer(message: &Bytes) -> Option<serde_json::Value> {
    let http = HttpMessage::parse(message.clone()).ok()?;
    let code = http.status()?;
    let status = http::StatusCode::from_u16(code).ok()?;
    if status.is_success() {
        return None;
    }
    let content_type = http
        .content_type()
        .map(|v| v.into_owned())
        .unwrap_or_default();
    let limit = mm7_transport::client::EXCERPT_LIMIT;
    let body = http.body();
    let excerpt = String::from_utf8_lossy(body.get(..limit).unwrap_or(body)).into_owned();
    let summary = mm7_transport::client::ClientError::Http {
        status,
        content_type: content_type.clone(),
        excerpt: excerpt.clone(),
        retry_after: None,
    }
    .to_string();
    Some(serde_json::json!({
        "message": null,
        "http_status": code,
        "reason": http.reason(),
        "content_type": content_type,
        "summary": summary,
        "body_excerpt": excerpt,
    }))
}

/// Splits a capture into its HTTP messages, each with its offset in the capture. A message
/// ends where its Content-Length says when what follows starts another HTTP message (a
/// keep-alive connection); otherwise the body runs to the end, as captures with placeholder
/// lengths (`Content-Length: nnnn`) need.
fn split_capture(input: &Bytes) -> Vec<(usize, Bytes)> {
    let mut messages = Vec::new();
    let mut start = 0;
    while start < input.len() {
        let rest = input.slice(start..);
        let end = HttpMessage::parse(rest.clone()).ok().and_then(|http| {
            let length: usize = http.header("content-length")?.trim().parse().ok()?;
            let end = http.body_offset().checked_add(length)?;
            let next = rest.get(end..)?;
            let skipped = next.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let following = next.get(skipped..)?;
            starts_http_message(following).then_some((end, end + skipped))
        });
        match end {
            Some((end, next)) => {
                messages.push((start, rest.slice(..end)));
                start += next;
            }
            None => {
                messages.push((start, rest));
                break;
            }
        }
    }
    messages
}

/// Whether `bytes` start with an HTTP status line (`HTTP/1.1 200`) or request line
/// (`POST /mm7 HTTP/1.1`).
fn starts_http_message(bytes: &[u8]) -> bool {
    let line_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let line = String::from_utf8_lossy(bytes.get(..line_end).unwrap_or_default());
    let line = line.trim_end();
    if line.starts_with("HTTP/") {
        return true;
    }
    let mut words = line.split(' ');
    let method = words.next().unwrap_or_default();
    words.next().is_some()
        && words.next().is_some_and(|v| v.starts_with("HTTP/"))
        && !method.is_empty()
        && method.bytes().all(|b| b.is_ascii_uppercase())
}

/// An error in message `index` of a capture of `count`, said where it starts.
fn in_message(error: CliError, index: usize, offset: usize, count: usize) -> CliError {
    if count == 1 {
        return error;
    }
    let at = format!(
        "in HTTP message {} of {count}, at byte {offset} of the capture",
        index + 1
    );
    match error {
        CliError::Decode { error, hint } => CliError::Decode {
            error,
            hint: Some(match hint {
                Some(hint) => format!("{at}; {hint}"),
                None => at,
            }),
        },
        other => other,
    }
}

/// Decodes a whole captured HTTP message, or a bare body with `content_type`.
pub(crate) fn decode_input(input: Bytes, content_type: Option<&str>) -> Result<Decoded, CliError> {
    let options = DecodeOptions::default();
    if let Some(content_type) = content_type {
        return mm7::soap::decode(content_type, input, &options).map_err(|error| {
            let hint = soap_part_hint(&error, 0);
            CliError::Decode { error, hint }
        });
    }
    let http = HttpMessage::parse(input).map_err(|e| CliError::Decode {
        error: DecodeError::from(e),
        hint: Some(
            "FILE is read as a whole HTTP message; give --content-type for a bare body".to_owned(),
        ),
    })?;
    let content_type = http
        .content_type()
        .map(|v| v.into_owned())
        .unwrap_or_default();
    let body_offset = http.body_offset();
    mm7::soap::decode(&content_type, http.body().clone(), &options).map_err(|error| {
        let hint = soap_part_hint(&error, body_offset).or_else(|| {
            (error.position.is_some() || error.mime_offset.is_some()).then(|| {
                format!(
                    "positions count from the start of the body, at byte {body_offset} of the file"
                )
            })
        });
        CliError::Decode { error, hint }
    })
}

/// When an XML position is inside the SOAP part of a multipart body, where that part is.
fn soap_part_hint(error: &DecodeError, body_offset: usize) -> Option<String> {
    match (error.position, error.mime_offset) {
        (Some(_), Some(part)) => Some(format!(
            "the line and column count from the start of the SOAP part, at byte {} of the input",
            body_offset.saturating_add(part)
        )),
        _ => None,
    }
}

/// Writes every leaf attachment into `dir`, returning the files written.
pub(crate) fn extract(decoded: &Decoded, dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    io::create_dir(dir)?;
    let leaves: Vec<&Part> = decoded
        .envelope
        .attachments
        .iter()
        .flat_map(Part::leaves)
        .collect();
    let mut written = Vec::with_capacity(leaves.len());
    for (index, leaf) in leaves.iter().enumerate() {
        let PartBody::Data(data) = &leaf.body else {
            continue;
        };
        let path = dir.join(attachment_file_name(index, leaf));
        io::write_file(&path, data)?;
        written.push(path);
    }
    Ok(written)
}

/// `NN-NAME`: the index keeps the order under a shell glob; the name is the part's file name,
/// Content-Location or Content-ID, with the extension of its media type when it has none.
pub(crate) fn attachment_file_name(index: usize, part: &Part) -> String {
    let name = part
        .filename
        .as_deref()
        .or(part.content_location.as_deref())
        .or(part.content_id.as_deref())
        .unwrap_or("part");
    let mut name = io::safe_file_name(name);
    let known = mm7_model::media::by_media_type(part.media_type());
    if mm7_model::media::by_path(&name).is_none()
        && let Some(known) = known
    {
        name.push('.');
        name.push_str(known.extension());
    }
    format!("{:02}-{name}", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_order_and_extension() {
        let gif = Part::new("image/gif", &b"GIF89a"[..]).with_content_id("saturn");
        assert_eq!(attachment_file_name(0, &gif), "01-saturn.gif");
        let named = Part::new("image/gif", &b""[..]).with_filename("pic.gif");
        assert_eq!(attachment_file_name(9, &named), "10-pic.gif");
        let text = Part::text("x");
        assert_eq!(attachment_file_name(1, &text), "02-part.txt");
        let odd = Part::new("application/x-unknown", &b""[..]).with_content_location("../x");
        assert_eq!(attachment_file_name(2, &odd), "03-x");
    }

    #[test]
    fn a_bare_body_decodes_with_its_content_type() {
        let xml = br#"<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>
<DeliveryReportRsp xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">
<MM7Version>6.8.0</MM7Version><Status><StatusCode>1000</StatusCode></Status></DeliveryReportRsp>
</env:Body></env:Envelope>"#;
        let decoded = decode_input(Bytes::from_static(xml), Some("text/xml")).unwrap();
        assert_eq!(
            decoded.envelope.message.operation_name(),
            "DeliveryReportRsp"
        );
        let err = decode_input(Bytes::from_static(b"<a>\n</b>"), Some("text/xml")).unwrap_err();
        assert!(
            err.to_string().starts_with("2007 Message format corrupt: "),
            "{err}"
        );
        let (_, position) = err
            .to_string()
            .rsplit_once(" at ")
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .unwrap();
        assert!(
            position.starts_with("2:") || position.starts_with("1:"),
            "{err}"
        );
        // In a bare body the position needs no explanation.
        assert!(err.hint().is_none());
    }

    #[test]
    fn keep_alive_captures_split_on_content_length() {
        let one =
            b"HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nno";
        let two = b"POST /mm7 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
        let capture = Bytes::from([&one[..], b"\r\n", &two[..]].concat());
        let messages = split_capture(&capture);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].1, Bytes::from_static(one));
        assert_eq!(messages[1].0, one.len() + 2);
        assert_eq!(messages[1].1, Bytes::from_static(two));
        // A placeholder length, or a body that runs on with no message after it: one message.
        let placeholder =
            Bytes::from_static(b"POST / HTTP/1.1\r\nContent-Length: nnnn\r\n\r\nbody");
        assert_eq!(split_capture(&placeholder).len(), 1);
        let short = Bytes::from_static(b"POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nbody");
        assert_eq!(split_capture(&short).len(), 1);
        let huge = Bytes::from_static(
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\nb",
        );
        assert_eq!(split_capture(&huge).len(), 1);
        assert!(starts_http_message(b"HTTP/1.0 200 OK\r\n"));
        assert!(starts_http_message(b"POST /mm7 HTTP/1.1"));
        assert!(!starts_http_message(b"--boundary\r\n"));
        assert!(!starts_http_message(b"post /mm7 HTTP/1.1"));
    }

    #[test]
    fn an_http_error_answer_is_reported_by_its_status() {
        let answer = Bytes::from_static(
            b"HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\n\r\nbad credentials\n",
        );
        let Decoding::Http(report) = decode_or_http(answer).unwrap_or_else(|e| panic!("{e}"))
        else {
            panic!("not reported as HTTP");
        };
        assert_eq!(report["http_status"], 401);
        assert_eq!(report["reason"], "Unauthorized");
        assert_eq!(report["content_type"], "text/plain");
        assert_eq!(
            report["summary"],
            "HTTP 401 Unauthorized (text/plain): bad credentials"
        );
        // A 200 that is not MM7 stays a corrupt message.
        let ok = Bytes::from_static(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhi");
        assert!(matches!(decode_or_http(ok), Err(CliError::Decode { .. })));
    }

    #[test]
    fn a_broken_capture_is_a_2007_with_a_byte_offset() {
        let err = decode_input(Bytes::from_static(b"\r\nnot http\r\n"), None).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("2007 Message format corrupt: "), "{text}");
        assert!(text.ends_with("at byte 2"), "{text}");
        assert!(err.hint().is_some());
    }
}
