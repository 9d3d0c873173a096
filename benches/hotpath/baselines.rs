//! What the project's decoders are measured against: the floors (what any decoder must at
//! least do: find the boundaries, tokenize the XML, copy or base64-decode the bytes) and the
//! peers (other crates doing the same job).

use std::convert::Infallible;

use bytes::Bytes;
use memchr::memmem::Finder;

use crate::inputs::{INNER, Input, OUTER};

// Our own XML reader, for reference.

/// Every event of our XML reader (no decoding): what the decoders' time is compared with.
pub(crate) fn reader_events(xml: &str) -> usize {
    use mm7_soap::xml::{Event, XmlLimits, XmlReader};
    let mut reader = XmlReader::new(xml, XmlLimits::default());
    let mut events = 0;
    loop {
        match reader.next_event() {
            Ok(Event::Eof) | Err(_) => return events,
            Ok(_) => events += 1,
        }
    }
}

// Floors.

/// One `xmlparser` pass over every token of `xml`.
pub(crate) fn xmlparser_tokens(xml: &str) -> usize {
    xmlparser::Tokenizer::from(xml)
        .filter(Result::is_ok)
        .count()
}

/// The same pass, each token's kind and spans read (what any consumer of the tokens does at
/// least): shows what the count-only pass saves by ignoring its tokens.
pub(crate) fn xmlparser_tokens_read(xml: &str) -> usize {
    use xmlparser::Token;
    let mut sum = 0;
    for token in xmlparser::Tokenizer::from(xml) {
        sum += match token {
            Ok(Token::ElementStart { local, .. }) => local.start() + local.len(),
            Ok(Token::Attribute { local, value, .. }) => local.len() + value.start(),
            Ok(Token::ElementEnd { span, .. }) => span.start(),
            Ok(Token::Text { text }) => text.start() + text.len(),
            Ok(_) => 1,
            Err(_) => return sum,
        };
    }
    sum
}

/// The floor for finding the parts: a `memmem` scan for the outer boundary over the whole
/// body, plus one for the inner boundary over the nested part.
pub(crate) fn memmem_boundaries(input: &Input) -> usize {
    let (start, end) = input.nested;
    let outer = Finder::new(OUTER.as_bytes()).find_iter(&input.body).count();
    let inner = Finder::new(INNER.as_bytes())
        .find_iter(&input.body[start..end])
        .count();
    outer + inner
}

/// A plain splitter: the delimiter lines found with `memmem`, each part's header block ended
/// at the first blank line. Returns the part bodies (no header is interpreted).
pub(crate) fn memchr_split<'b>(body: &'b [u8], boundary: &str, out: &mut Vec<&'b [u8]>) {
    let mut delimiter = Vec::with_capacity(boundary.len() + 4);
    delimiter.extend_from_slice(b"\r\n--");
    delimiter.extend_from_slice(boundary.as_bytes());
    let finder = Finder::new(&delimiter);
    let blank = Finder::new(b"\r\n\r\n");
    // The first delimiter starts the body, without the line break before it.
    let Some(mut from) = Finder::new(&delimiter[2..]).find(body) else {
        return;
    };
    from += delimiter.len() - 2;
    while let Some(found) = finder.find(&body[from..]) {
        let content = &body[from..from + found];
        let content = content.strip_prefix(b"\r\n").unwrap_or(content);
        if let Some(headers_end) = blank.find(content) {
            out.push(&content[headers_end + 4..]);
        }
        from += found + delimiter.len();
        if body[from..].starts_with(b"--") {
            break;
        }
    }
}

/// The floor of `submit_small`: the plain splitter over the outer and the nested multipart,
/// and the `xmlparser` pass over the SOAP part.
pub(crate) fn memchr_split_xmlparser(input: &Input) -> usize {
    let mut outer = Vec::with_capacity(4);
    memchr_split(&input.body, OUTER, &mut outer);
    let mut inner = Vec::with_capacity(4);
    if let Some(nested) = outer.get(1) {
        memchr_split(nested, INNER, &mut inner);
    }
    let tokens = outer
        .first()
        .and_then(|soap| std::str::from_utf8(soap).ok())
        .map_or(0, xmlparser_tokens);
    tokens + inner.len()
}

/// Base64 lines with their line breaks removed, found with `memchr`.
pub(crate) fn strip_crlf(wire: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(wire.len());
    let mut from = 0;
    for eol in memchr::memchr2_iter(b'\r', b'\n', wire) {
        out.extend_from_slice(&wire[from..eol]);
        from = eol + 1;
    }
    out.extend_from_slice(&wire[from..]);
}

/// The floor of `submit_300k_base64`: the boundary scans, the line breaks stripped with
/// `memchr`, and `base64-simd` decoding the result (one allocation for each).
pub(crate) fn memmem_strip_base64_simd(input: &Input) -> usize {
    let mut stripped = Vec::new();
    strip_crlf(&input.image_wire, &mut stripped);
    let decoded = base64_simd::STANDARD
        .decode_to_vec(&stripped)
        .map_or(0, |d| d.len());
    memmem_boundaries(input) + decoded
}

// Peers.

/// The header block that the mail parsers need before a multipart body.
pub(crate) fn with_content_type(input: &Input) -> Vec<u8> {
    let mut message = Vec::with_capacity(input.body.len() + input.content_type.len() + 32);
    message.extend_from_slice(b"Content-Type: ");
    message.extend_from_slice(input.content_type.as_bytes());
    message.extend_from_slice(b"\r\nMIME-Version: 1.0\r\n\r\n");
    message.extend_from_slice(&input.body);
    message
}

/// `mailparse::parse_mail`, the leaves' bodies decoded when `decode` is set.
pub(crate) fn mailparse(message: &[u8], decode: bool) -> usize {
    let Ok(mail) = mailparse::parse_mail(message) else {
        return 0;
    };
    let mut stack = vec![&mail];
    let mut total = 0;
    while let Some(part) = stack.pop() {
        if part.subparts.is_empty() {
            total += if decode {
                part.get_body_raw().map_or(0, |b| b.len())
            } else {
                part.raw_bytes.len()
            };
        }
        stack.extend(part.subparts.iter());
    }
    total
}

/// `mail-parser` (bodies decoded as it always does).
pub(crate) fn mail_parser(parser: &mail_parser::MessageParser, message: &[u8]) -> usize {
    parser
        .parse(message)
        .map_or(0, |m| m.parts.iter().map(|p| p.contents().len()).sum())
}

/// `mail-parser`, then `roxmltree` over the SOAP part it found.
pub(crate) fn mail_parser_roxmltree(parser: &mail_parser::MessageParser, message: &[u8]) -> usize {
    let Some(parsed) = parser.parse(message) else {
        return 0;
    };
    let soap = parsed
        .parts
        .iter()
        .find(|p| p.contents().starts_with(b"<?xml"))
        .and_then(|p| std::str::from_utf8(p.contents()).ok());
    soap.and_then(|xml| roxmltree::Document::parse(xml).ok())
        .map_or(0, |doc| doc.descendants().count())
}

/// `multer`: the outer body split, then the nested multipart split in a second pass.
pub(crate) fn multer_nested(runtime: &tokio::runtime::Runtime, body: &Bytes) -> usize {
    runtime.block_on(async {
        let mut total = 0;
        let mut nested = None;
        let stream = futures_util::stream::iter([Ok::<_, Infallible>(body.clone())]);
        let mut outer = multer::Multipart::new(stream, OUTER);
        while let Ok(Some(field)) = outer.next_field().await {
            let is_nested = field
                .content_type()
                .is_some_and(|m| m.type_() == "multipart");
            let Ok(bytes) = field.bytes().await else {
                return 0;
            };
            total += bytes.len();
            if is_nested {
                nested = Some(bytes);
            }
        }
        if let Some(nested) = nested {
            let stream = futures_util::stream::iter([Ok::<_, Infallible>(nested)]);
            let mut inner = multer::Multipart::new(stream, INNER);
            while let Ok(Some(field)) = inner.next_field().await {
                total += field.bytes().await.map_or(0, |b| b.len());
            }
        }
        total
    })
}

/// `quick-xml`'s `NsReader`, every event read with its namespace resolved.
pub(crate) fn quick_xml_nsreader(xml: &str) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::NsReader::from_str(xml);
    let mut events = 0;
    loop {
        match reader.read_resolved_event() {
            Ok((_, Event::Eof)) | Err(_) => return events,
            Ok(_) => events += 1,
        }
    }
}

/// `roxmltree`'s document.
pub(crate) fn roxmltree(xml: &str) -> usize {
    roxmltree::Document::parse(xml).map_or(0, |doc| doc.descendants().count())
}

/// The values [`minimal_dlr`] copies out of a DeliveryReportReq.
#[derive(Debug, Default)]
pub(crate) struct MinimalDlr {
    pub(crate) transaction_id: String,
    pub(crate) mm7_version: String,
    pub(crate) relay_server_id: String,
    pub(crate) message_id: String,
    pub(crate) recipient: String,
    pub(crate) sender: String,
    pub(crate) date: String,
    pub(crate) mm_status: String,
    pub(crate) status_text: String,
}

/// The least a decoder of `dlr_small` does and still reads it correctly: the UTF-8 check, the
/// token pass, end tags paired with start tags, prefixes resolved, and the nine values copied
/// out, trimmed. Nothing else: fixed stacks instead of limits, no entity decoding (a `&` or a
/// CR is refused), no positions, warnings or leniency, the date and status kept as text, the
/// schema not identified. A floor for `dlr_small` decoded to the model, below what
/// `mm7_soap::decode_xml` does; `None` for anything it does not handle.
pub(crate) fn minimal_dlr(body: &[u8]) -> Option<MinimalDlr> {
    use xmlparser::{ElementEnd, Token};
    const DEPTH: usize = 16;
    const BINDINGS: usize = 8;
    let text = std::str::from_utf8(body).ok()?;
    let mut tokens = xmlparser::Tokenizer::from(text);
    // Open elements as (prefix, local); namespace bindings as (prefix, uri, depth bound at).
    let mut open = [("", ""); DEPTH];
    let mut depth = 0;
    let mut bindings = [("", "", 0); BINDINGS];
    let mut bound = 0;
    let mut operation_namespace = None;
    let mut out = MinimalDlr::default();
    while let Some(token) = tokens.next() {
        match token.ok()? {
            Token::ElementStart { prefix, local, .. } => {
                let (prefix, local) = (prefix.as_str(), local.as_str());
                let empty = loop {
                    match tokens.next()?.ok()? {
                        Token::Attribute {
                            prefix: a_prefix,
                            local: a_local,
                            value,
                            ..
                        } => {
                            let declared = match (a_prefix.as_str(), a_local.as_str()) {
                                ("xmlns", name) => name,
                                ("", "xmlns") => "",
                                _ => continue,
                            };
                            *bindings.get_mut(bound)? = (declared, value.as_str(), depth + 1);
                            bound += 1;
                        }
                        Token::ElementEnd {
                            end: ElementEnd::Open,
                            ..
                        } => break false,
                        Token::ElementEnd {
                            end: ElementEnd::Empty,
                            ..
                        } => break true,
                        _ => return None,
                    }
                };
                let namespace = bindings[..bound]
                    .iter()
                    .rev()
                    .find(|b| eq(b.0, prefix))
                    .map(|b| b.1);
                if !prefix.is_empty() && namespace.is_none() {
                    return None;
                }
                if eq(local, "DeliveryReportReq") {
                    operation_namespace = namespace;
                }
                if empty {
                    bound = in_scope(&bindings[..bound], depth);
                } else {
                    *open.get_mut(depth)? = (prefix, local);
                    depth += 1;
                }
            }
            Token::ElementEnd {
                end: ElementEnd::Close(prefix, local),
                ..
            } => {
                let (open_prefix, open_local) = open[depth.checked_sub(1)?];
                if !eq(open_local, local.as_str()) || !eq(open_prefix, prefix.as_str()) {
                    return None;
                }
                depth -= 1;
                bound = in_scope(&bindings[..bound], depth);
            }
            Token::Text { text } if depth > 0 => {
                let value = text.as_str().trim();
                if value.is_empty() {
                    continue;
                }
                if memchr::memchr2(b'&', b'\r', value.as_bytes()).is_some() {
                    return None;
                }
                let element = open[depth - 1].1;
                let parent = if depth >= 2 { open[depth - 2].1 } else { "" };
                let address = ["Number", "ShortCode", "RFC2822Address"]
                    .iter()
                    .any(|name| eq(element, name));
                let slot = if address && eq(parent, "Recipient") {
                    &mut out.recipient
                } else if address && eq(parent, "Sender") {
                    &mut out.sender
                } else {
                    match [
                        "TransactionID",
                        "MM7Version",
                        "MMSRelayServerID",
                        "MessageID",
                        "Date",
                        "MMStatus",
                        "StatusText",
                    ]
                    .iter()
                    .position(|name| eq(element, name))
                    {
                        Some(0) => &mut out.transaction_id,
                        Some(1) => &mut out.mm7_version,
                        Some(2) => &mut out.relay_server_id,
                        Some(3) => &mut out.message_id,
                        Some(4) => &mut out.date,
                        Some(5) => &mut out.mm_status,
                        Some(6) => &mut out.status_text,
                        _ => continue,
                    }
                };
                *slot = value.to_owned();
            }
            _ => {}
        }
    }
    (depth == 0 && operation_namespace.is_some()).then_some(out)
}

/// How many of `bindings` (innermost last) are still in scope once the open elements are
/// `depth` deep: those bound by elements that have closed go.
fn in_scope(bindings: &[(&str, &str, usize)], depth: usize) -> usize {
    bindings
        .iter()
        .rposition(|binding| binding.2 <= depth)
        .map_or(0, |last| last + 1)
}

/// Whether two XML names are equal, compared inline a word at a time as `mm7-soap`'s reader
/// compares them (`==` on `str` calls the C library's `memcmp`, whose set-up costs more than
/// a short name), so that the minimal decoder does not pay for what the reader avoids.
#[inline]
fn eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut wide_a, mut wide_b) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8]));
    (&mut wide_a)
        .zip(&mut wide_b)
        .all(|(x, y)| word(x) == word(y))
        && wide_a
            .remainder()
            .iter()
            .zip(wide_b.remainder())
            .all(|(x, y)| x == y)
}
