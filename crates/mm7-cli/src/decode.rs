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
}

/// Runs `mm7 decode`.
pub(crate) fn run(args: &DecodeArgs) -> Result<(), CliError> {
    let input = io::read_input(&args.file)?;
    let decoded = decode_input(input, args.content_type.as_deref())?;
    if let Some(dir) = &args.extract {
        let written = extract(&decoded, dir)?;
        io::stderr_line(&format!(
            "wrote {} attachment{} to {}",
            written.len(),
            if written.len() == 1 { "" } else { "s" },
            dir.display()
        ));
    }
    let report = mm7::json::report(&decoded);
    let text = if args.compact {
        serde_json::to_string(&report)
    } else {
        serde_json::to_string_pretty(&report)
    }
    .map_err(|e| CliError::Local(format!("cannot write the JSON report: {e}")))?;
    io::stdout_line(&text)
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
        assert_eq!(attachment_file_name(2, &odd), "03-_x");
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
    fn a_broken_capture_is_a_2007_with_a_byte_offset() {
        let err = decode_input(Bytes::from_static(b"\r\nnot http\r\n"), None).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("2007 Message format corrupt: "), "{text}");
        assert!(text.ends_with("at byte 2"), "{text}");
        assert!(err.hint().is_some());
    }
}
