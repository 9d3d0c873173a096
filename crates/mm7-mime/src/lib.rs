//! # mm7-mime
//!
//! Zero-copy `multipart/*` parsing (RFC 2046, RFC 2387 multipart/related) and
//! writing over [`bytes::Bytes`]. It knows nothing of MM7; the SOAP codec uses
//! it to split and build SOAP-with-attachments bodies.
//!
//! - [`Multipart::parse`] splits a body given its Content-Type header value.
//!   Each [`Part`]'s header block and body are slices of the input; the cost
//!   is one `memchr::memmem` pass for the start of a delimiter line (`\n--`),
//!   which also finds the delimiters of nested multiparts, plus the small
//!   header blocks (parsed with `nom`). [`Part::decoded`] undoes base64 and
//!   quoted-printable with one allocation, and returns the same bytes for
//!   7bit/8bit/binary.
//! - [`Multipart::root`] finds the multipart/related root; [`Part::multipart`]
//!   parses a nested multipart on demand; [`Multipart::leaves`] walks all
//!   leaf parts.
//! - [`MultipartBuilder`] writes a body as a list of `Bytes` chunks with
//!   unguessable generated boundaries (leaf content is not read again to
//!   check them; a boundary the caller gives is checked).
//! - [`parse_headers`] and [`HttpMessage`] read generic header blocks and
//!   captured HTTP messages.
//!
//! Parsing never panics, whatever the input; [`Limits`] bound the number of
//! parts, the nesting depth and header block sizes. Lenient by default (what
//! real MMSCs send, with [`Warning`]s), strict on request ([`ParseOptions`]).
//!
//! ```
//! use bytes::Bytes;
//! use mm7_mime::{Multipart, TransferEncoding};
//!
//! // LF line ends, a quoted boundary with spaces, `Content-ID:` without a
//! // space, a nested multipart/mixed and a base64 image.
//! let body = Bytes::from_static(b"\
//! --NextPart_000_0028\n\
//! Content-Type: text/xml; charset=\"utf-8\"\n\
//! Content-ID: </tnn-200102/mm7-submit>\n\
//! \n\
//! <env:Envelope/>\n\
//! --NextPart_000_0028\n\
//! Content-Type: multipart/mixed; boundary=\"StoryParts 74526 8432 2002-77645\"\n\
//! Content-ID:<SaturnPics-01020930@news.tnn.com>\n\
//! \n\
//! --StoryParts 74526 8432 2002-77645\n\
//! Content-Type: text/plain; charset=\"us-ascii\"\n\
//! \n\
//! Science news, new Saturn pictures...\n\
//! --StoryParts 74526 8432 2002-77645\n\
//! Content-Type: image/gif\n\
//! Content-Transfer-Encoding: base64\n\
//! \n\
//! R0lGODdhZAAwAOMAAAAAAIGJjGltcDE0OOfWo6Ochbi1n1pmcbGojpKbnP/lpW54fBMTE1RYXEFO\n\
//! ...\n\
//! --StoryParts 74526 8432 2002-77645--\n\
//! --NextPart_000_0028--\n");
//! let content_type = r#"multipart/related; boundary="NextPart_000_0028"; type=text/xml; start="</tnn-200102/mm7-submit>""#;
//!
//! let message = Multipart::parse(body, content_type)?;
//! let root = message.root().unwrap();
//! assert_eq!(root.content_type().mime_type(), "text/xml");
//! assert_eq!(root.body(), &b"<env:Envelope/>"[..]);
//!
//! let content = message.part_by_content_id("cid:SaturnPics-01020930@news.tnn.com").unwrap();
//! let nested = content.multipart().unwrap()?;
//! let gif = &nested.parts()[1];
//! assert_eq!(gif.transfer_encoding(), TransferEncoding::Base64);
//! let image = gif.decoded()?; // the `...` line is not base64 and is ignored
//! assert_eq!(image.len(), 57);
//! assert!(image.starts_with(b"GIF87a"));
//! # Ok::<(), mm7_mime::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod content_type;
pub mod encoding;
mod error;
mod header;
mod http;
mod multipart;
mod options;
mod params;
mod part;
mod write;

pub use content_type::{
    ContentDisposition, ContentType, content_id_reference, normalize_content_id,
};
pub use encoding::TransferEncoding;
pub use error::{Error, ErrorKind, Warning, WarningKind};
pub use header::{BlockEnd, HeaderBlock, HeaderField, Headers, parse_headers};
pub use http::HttpMessage;
pub use multipart::Multipart;
pub use options::{Limits, ParseOptions};
pub use params::Params;
pub use part::{Leaves, Part};
pub use write::{EncodedMultipart, MultipartBuilder, PartBuilder};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
