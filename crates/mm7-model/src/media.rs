//! Media types of MMS content: from a file name to the `Content-Type` to send, and how well
//! handsets are known to render each type.
//!
//! The table covers the formats MMS providers list as supported for MM7 submission (images,
//! audio, video, text, vCard, iCalendar) plus SMIL. Its compatibility column follows the
//! "Known Supported File Formats" list that providers publish: most types are rendered by
//! every handset ([`Compatibility::Full`]); a few depend on the receiving device
//! ([`Compatibility::Partial`], with the provider's note), which is worth a warning before
//! sending.
//!
//! Where a provider's list names a type wrongly, the table uses the registered type and keeps
//! the provider's spelling among the [`MediaType::aliases`], so that [`by_media_type`] still
//! recognises it in received content:
//!
//! * MPEG and MP4 video are listed as `image/mp4` and `image/mpeg` (swapped, and under
//!   `image/`): the table says `video/mpeg` (RFC 2046) and `video/mp4` (RFC 4337).
//! * 3GP and QuickTime are listed as `image/3gpp` and `image/quicktime`: `video/3gpp`
//!   (RFC 3839) and `video/quicktime`.
//! * MP3 is listed as `audio/mpeg3`, which no registry knows: `audio/mpeg` (RFC 3003).
//! * AVI has no registered type; `video/x-msvideo` is what senders use, and the provider's
//!   `video/msvideo`, `video/avi` and `application/x-troff-msvideo` are aliases.
//!
//! ```
//! use mm7_model::media::{self, Compatibility};
//!
//! let jpeg = media::by_path("holiday/Beach.JPG").expect("a known extension");
//! assert_eq!(jpeg.media_type, "image/jpeg");
//! assert_eq!(jpeg.compatibility, Compatibility::Full);
//!
//! let heic = media::by_extension("heic").expect("known");
//! assert_eq!(
//!     heic.compatibility,
//!     Compatibility::Partial("Compatibility depends upon receiving device")
//! );
//!
//! // The provider's misspelt video type is still recognised.
//! assert_eq!(media::by_media_type("image/mp4").map(|m| m.media_type), Some("video/mp4"));
//! assert!(media::by_path("notes.docx").is_none());
//! ```

use std::fmt;

/// The broad kind of a media type, which decides where it goes in a SMIL presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// A still picture: shown in the image region (SMIL `img`).
    Image,
    /// Sound: played alongside a slide (SMIL `audio`).
    Audio,
    /// Moving pictures: shown in the image region (SMIL `video`).
    Video,
    /// Plain text: shown in the text region (SMIL `text`).
    Text,
    /// A SMIL presentation.
    Presentation,
    /// Anything else carried as an attachment (vCard, iCalendar): SMIL `ref`.
    Other,
}

impl Category {
    /// The category of a media type by its top-level type (`image/…`, `audio/…`, `video/…`,
    /// `text/plain`), for types the table does not list.
    ///
    /// ```
    /// use mm7_model::media::Category;
    /// assert_eq!(Category::of("image/webp"), Category::Image);
    /// assert_eq!(Category::of("Text/Plain; charset=utf-8"), Category::Text);
    /// assert_eq!(Category::of("text/x-vcard"), Category::Other);
    /// ```
    pub fn of(media_type: &str) -> Category {
        if let Some(known) = by_media_type(media_type) {
            return known.category;
        }
        let essence = essence(media_type);
        let top = essence.split('/').next().unwrap_or_default();
        if top.eq_ignore_ascii_case("image") {
            Category::Image
        } else if top.eq_ignore_ascii_case("audio") {
            Category::Audio
        } else if top.eq_ignore_ascii_case("video") {
            Category::Video
        } else if essence.eq_ignore_ascii_case("text/plain") {
            Category::Text
        } else {
            Category::Other
        }
    }
}

/// How reliably receiving handsets render a media type, as the provider tested it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compatibility {
    /// Rendered by the handsets and carriers tested.
    Full,
    /// Rendered by some; the provider's note says which.
    Partial(&'static str),
    /// Not in the provider's list (SMIL, which is the presentation rather than content).
    Unlisted,
}

impl Compatibility {
    /// Whether a sender should be warned before using the type.
    pub fn is_partial(self) -> bool {
        matches!(self, Compatibility::Partial(_))
    }
}

impl fmt::Display for Compatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Compatibility::Full => f.write_str("full"),
            Compatibility::Partial(note) => write!(f, "partial ({note})"),
            Compatibility::Unlisted => f.write_str("not in the provider's list"),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MediaType {
    /// The type to send, lower case, without parameters.
    pub media_type: &'static str,
    /// File extensions, lower case, without the dot; the first is the one to write.
    pub extensions: &'static [&'static str],
    /// Other spellings seen for the same content (including a provider's misspellings).
    pub aliases: &'static [&'static str],
    /// Where the type goes in a presentation.
    pub category: Category,
    /// How reliably it is rendered.
    pub compatibility: Compatibility,
}

impl MediaType {
    /// The extension to give a file of this type (`jpg`, `txt`, `smil`).
    pub fn extension(&self) -> &'static str {
        self.extensions.first().copied().unwrap_or("bin")
    }

    /// The `Content-Type` to send: the media type, with `charset=utf-8` for the text types,
    /// whose bodies MMS clients otherwise read as US-ASCII (RFC 2046 §4.1.2).
    pub fn content_type(&self) -> String {
        if self.media_type.starts_with("text/") {
            format!("{}; charset=utf-8", self.media_type)
        } else {
            self.media_type.to_owned()
        }
    }

    /// Whether `media_type` (parameters ignored, any case) names this row, by its type or
    /// an alias.
    pub fn matches(&self, media_type: &str) -> bool {
        let essence = essence(media_type);
        self.media_type.eq_ignore_ascii_case(essence)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(essence))
    }
}

const DEVICE: &str = "Compatibility depends upon receiving device";

macro_rules! row {
    ($media:literal, [$($ext:literal),+], [$($alias:literal),*], $cat:ident, $compat:ident) => {
        MediaType {
            media_type: $media,
            extensions: &[$($ext),+],
            aliases: &[$($alias),*],
            category: Category::$cat,
            compatibility: compatibility!($compat),
        }
    };
}

macro_rules! compatibility {
    (Partial) => {
        Compatibility::Partial(DEVICE)
    };
    ($other:ident) => {
        Compatibility::$other
    };
}

/// Every known type, images first, then audio, video, text and the rest.
#[rustfmt::skip]
pub const TABLE: &[MediaType] = &[
    row!("image/jpeg", ["jpg", "jpeg", "jpe"], ["image/jpg", "image/pjpeg"], Image, Full),
    row!("image/bmp", ["bmp"], ["image/x-bmp", "image/x-ms-bmp"], Image, Full),
    row!("image/gif", ["gif"], [], Image, Full),
    row!("image/png", ["png"], ["image/x-png"], Image, Full),
    row!("image/tiff", ["tif", "tiff"], [], Image, Full),
    row!("image/heic", ["heic"], [], Image, Partial),
    row!("audio/amr", ["amr"], [], Audio, Full),
    row!("audio/mpeg", ["mp3"], ["audio/mpeg3", "audio/mp3", "audio/x-mpeg-3"], Audio, Full),
    row!("audio/midi", ["mid", "midi"], ["audio/mid", "audio/x-midi"], Audio, Full),
    row!("audio/wav", ["wav"], ["audio/x-wav", "audio/wave", "audio/vnd.wave"], Audio, Full),
    row!("audio/basic", ["au", "snd"], [], Audio, Full),
    row!("video/mpeg", ["mpg", "mpeg"], ["image/mpeg"], Video, Full),
    row!("video/mp4", ["mp4", "m4v"], ["image/mp4"], Video, Full),
    row!("video/3gpp", ["3gp", "3gpp"], ["image/3gpp"], Video, Full),
    row!(
        "video/x-msvideo", ["avi"],
        ["video/msvideo", "video/avi", "application/x-troff-msvideo"], Video, Full
    ),
    row!("video/quicktime", ["mov", "qt"], ["image/quicktime"], Video, Full),
    row!("text/plain", ["txt", "text"], [], Text, Full),
    row!("text/calendar", ["ics", "ical", "icalendar"], [], Other, Partial),
    row!("text/vcard", ["vcf", "vcard"], ["text/x-vcard", "text/directory"], Other, Partial),
    // OMA MMS uses `application/smil` (RFC 4536 later registered `application/smil+xml`).
    row!("application/smil", ["smil", "smi"], ["application/smil+xml"], Presentation, Unlisted),
];

/// The row for a file extension (without the dot, any case).
pub fn by_extension(extension: &str) -> Option<&'static MediaType> {
    TABLE.iter().find(|row| {
        row.extensions
            .iter()
            .any(|e| e.eq_ignore_ascii_case(extension))
    })
}

/// The row for a file name or path, by its extension (`a/b/Photo.JPG` → `image/jpeg`).
/// Both `/` and `\` separate directories.
pub fn by_path(path: &str) -> Option<&'static MediaType> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let (stem, extension) = name.rsplit_once('.')?;
    if stem.is_empty() {
        // `.txt` is a hidden file with no extension, not a text file.
        return None;
    }
    by_extension(extension)
}

/// The row for a media type or one of its aliases (parameters ignored, any case).
pub fn by_media_type(media_type: &str) -> Option<&'static MediaType> {
    TABLE.iter().find(|row| row.matches(media_type))
}

/// The media type without parameters or surrounding space.
fn essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or_default().trim()
}

/// A name from a peer made safe as a file name and inside a quoted header parameter: its last
/// path component, ASCII letters, digits, `.`, `-` and `_` kept and anything else replaced by
/// `_`, no leading dot, at most 80 characters; `None` when nothing meaningful is left.
///
/// ```
/// use mm7_model::media::safe_file_name;
///
/// assert_eq!(safe_file_name("saturn.gif").as_deref(), Some("saturn.gif"));
/// assert_eq!(safe_file_name("../../etc/pass wd").as_deref(), Some("pass_wd"));
/// assert_eq!(safe_file_name(".hidden").as_deref(), Some("hidden"));
/// assert_eq!(safe_file_name("C:\\x\\<a>.png").as_deref(), Some("_a_.png"));
/// assert_eq!(safe_file_name("///"), None);
/// ```
pub fn safe_file_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mapped: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name: String = mapped.trim_start_matches('.').chars().take(80).collect();
    (!name.chars().all(|c| matches!(c, '_' | '.'))).then_some(name)
}

/// Whether `content_type` is a well-formed `type/subtype` (RFC 2045 tokens), parameters
/// aside, with no line break that could end a header.
///
/// ```
/// use mm7_model::media::is_media_type;
///
/// assert!(is_media_type("image/png"));
/// assert!(is_media_type("text/plain; charset=utf-8"));
/// assert!(!is_media_type("png"));
/// assert!(!is_media_type("image/png\r\nX-Injected: 1"));
/// ```
pub fn is_media_type(content_type: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media
        .split_once('/')
        .is_some_and(|(kind, sub)| token(kind) && token(sub))
        && !content_type.contains(['\r', '\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_extension_the_providers_list_is_known() {
        for (ext, want) in [
            ("jpeg", "image/jpeg"),
            ("jpg", "image/jpeg"),
            ("gif", "image/gif"),
            ("png", "image/png"),
            ("bmp", "image/bmp"),
            ("tiff", "image/tiff"),
            ("heic", "image/heic"),
            ("amr", "audio/amr"),
            ("mp3", "audio/mpeg"),
            ("midi", "audio/midi"),
            ("mid", "audio/midi"),
            ("wav", "audio/wav"),
            ("au", "audio/basic"),
            ("mp4", "video/mp4"),
            ("mpg", "video/mpeg"),
            ("3gp", "video/3gpp"),
            ("avi", "video/x-msvideo"),
            ("mov", "video/quicktime"),
            ("txt", "text/plain"),
            ("vcf", "text/vcard"),
            ("ics", "text/calendar"),
            ("smil", "application/smil"),
        ] {
            assert_eq!(by_extension(ext).map(|m| m.media_type), Some(want), "{ext}");
            let upper = ext.to_ascii_uppercase();
            assert_eq!(
                by_extension(&upper).map(|m| m.media_type),
                Some(want),
                "{upper}"
            );
        }
    }

    #[test]
    fn partial_types_carry_the_providers_note() {
        let partial: Vec<_> = TABLE
            .iter()
            .filter(|m| m.compatibility.is_partial())
            .map(|m| m.media_type)
            .collect();
        assert_eq!(partial, ["image/heic", "text/calendar", "text/vcard"]);
        assert_eq!(
            by_extension("vcf").map(|m| m.compatibility.to_string()),
            Some("partial (Compatibility depends upon receiving device)".to_owned())
        );
        assert!(!Compatibility::Full.is_partial());
        assert!(!Compatibility::Unlisted.is_partial());
    }

    #[test]
    fn provider_misspellings_are_aliases_of_the_registered_types() {
        for (alias, want) in [
            ("image/mp4", "video/mp4"),
            ("image/mpeg", "video/mpeg"),
            ("image/3gpp", "video/3gpp"),
            ("image/quicktime", "video/quicktime"),
            ("audio/mpeg3", "audio/mpeg"),
            ("video/avi", "video/x-msvideo"),
            ("application/x-troff-msvideo", "video/x-msvideo"),
            ("TEXT/X-VCARD; charset=utf-8", "text/vcard"),
        ] {
            assert_eq!(
                by_media_type(alias).map(|m| m.media_type),
                Some(want),
                "{alias}"
            );
        }
        assert!(by_media_type("application/pdf").is_none());
    }

    #[test]
    fn paths() {
        assert_eq!(
            by_path("dir.d/x.Png").map(|m| m.media_type),
            Some("image/png")
        );
        assert_eq!(
            by_path(r"C:\pics\a.gif").map(|m| m.media_type),
            Some("image/gif")
        );
        assert!(by_path(".txt").is_none());
        assert!(by_path("README").is_none());
        assert!(by_path("archive.tar.gz").is_none());
        assert!(by_path("").is_none());
    }

    #[test]
    fn content_types_and_extensions() {
        let text = by_extension("txt").unwrap();
        assert_eq!(text.content_type(), "text/plain; charset=utf-8");
        assert_eq!(by_extension("jpeg").unwrap().extension(), "jpg");
        assert_eq!(by_extension("gif").unwrap().content_type(), "image/gif");
    }

    #[test]
    fn the_table_is_consistent() {
        for (i, row) in TABLE.iter().enumerate() {
            assert_eq!(row.media_type, row.media_type.to_ascii_lowercase());
            assert!(!row.extensions.is_empty());
            for ext in row.extensions {
                assert_eq!(
                    by_extension(ext),
                    Some(row),
                    "extension {ext} is taken twice"
                );
            }
            for other in TABLE.iter().skip(i + 1) {
                assert!(!other.matches(row.media_type), "{} twice", row.media_type);
                for alias in row.aliases {
                    assert!(!other.matches(alias), "alias {alias} twice");
                }
            }
        }
    }

    #[test]
    fn categories() {
        assert_eq!(Category::of("video/webm"), Category::Video);
        assert_eq!(Category::of("audio/ogg"), Category::Audio);
        assert_eq!(Category::of("application/pdf"), Category::Other);
        assert_eq!(Category::of("application/smil"), Category::Presentation);
        assert_eq!(Category::of("text/vcard"), Category::Other);
        assert_eq!(Category::of(""), Category::Other);
    }
}
