//! Attachments: files to MIME parts (media type by extension), and the content tree a
//! message carries (one part, or several under a multipart with an optional SMIL
//! presentation).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use mm7_model::builder::{self, Presentation};
use mm7_model::media;
use mm7_model::smil::SmilOptions;
use mm7_model::{ContentRef, Part};

use crate::error::CliError;
use crate::io;

/// The Content-ID of the multipart that holds several parts.
pub(crate) use mm7_model::builder::CONTENT_ID;

/// What `--smil` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SmilChoice {
    /// Generate a presentation from the parts.
    Auto,
    /// Use this file.
    File(PathBuf),
}

impl std::str::FromStr for SmilChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(SmilChoice::Auto),
            "" => Err("give `auto` or a .smil file".to_owned()),
            path => Ok(SmilChoice::File(PathBuf::from(path))),
        }
    }
}

/// The media type a file is sent as, from its extension.
pub(crate) fn media_type_of(path: &Path) -> Result<&'static media::MediaType, CliError> {
    let name = path.to_string_lossy();
    media::by_path(&name).ok_or_else(|| CliError::UnknownExtension {
        path: path.to_owned(),
        extension: path.extension().map(|e| e.to_string_lossy().into_owned()),
        known: known_extensions(),
    })
}

fn known_extensions() -> String {
    media::TABLE
        .iter()
        .flat_map(|m| m.extensions.iter().copied())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads files as parts: the media type from the extension, the file name as Content-ID and
/// Content-Location (made unique with `-2`, `-3`… when two files share a name).
pub(crate) fn load_files(paths: &[PathBuf]) -> Result<Vec<Part>, CliError> {
    let mut taken = HashSet::new();
    let mut parts = Vec::with_capacity(paths.len());
    for path in paths {
        let known = media_type_of(path)?;
        let data = io::read_input(path)?;
        let name = path
            .file_name()
            .map(|n| io::safe_file_name(&n.to_string_lossy()))
            .unwrap_or_else(|| "part".to_owned());
        let id = unique(&name, &mut taken);
        parts.push(
            Part::new(known.content_type(), data)
                .with_content_id(id.clone())
                .with_content_location(id),
        );
    }
    Ok(parts)
}

/// `name`, or `name-2`, `name-3`… (before the extension), whichever is not taken yet.
pub(crate) fn unique(name: &str, taken: &mut HashSet<String>) -> String {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, Some(ext)),
        _ => (name, None),
    };
    let mut candidate = name.to_owned();
    let mut n = 1u32;
    while taken.contains(&candidate) {
        n = n.saturating_add(1);
        candidate = match ext {
            Some(ext) => format!("{stem}-{n}.{ext}"),
            None => format!("{stem}-{n}"),
        };
    }
    taken.insert(candidate.clone());
    candidate
}

/// Warnings for parts whose media type handsets may not render.
pub(crate) fn compatibility_warnings(parts: &[Part]) -> Vec<String> {
    parts
        .iter()
        .flat_map(Part::leaves)
        .filter_map(|p| {
            let known = media::by_media_type(p.media_type())?;
            let media::Compatibility::Partial(note) = known.compatibility else {
                return None;
            };
            Some(format!(
                "{} is {}: {note}",
                p.content_id.as_deref().unwrap_or(p.media_type()),
                known.media_type
            ))
        })
        .collect()
}

/// The text part of `--text`, placed after the first picture or video (as its caption) or
/// first when there is none.
pub(crate) use mm7_model::builder::insert_text;

/// The content of a message: one part as it is, several under a `multipart/mixed` (or a
/// `multipart/related` led by a SMIL presentation, with `smil`), as the library's builder
/// assembles it. The result is the part to attach and the `Content` reference to put in the
/// message.
pub(crate) fn content(
    parts: Vec<Part>,
    smil: Option<&SmilChoice>,
) -> Result<Option<(Part, ContentRef)>, CliError> {
    if parts.is_empty() && smil.is_some() {
        return Err(CliError::Input(
            "--smil needs content to present: give --attach or --text".to_owned(),
        ));
    }
    let presentation = match smil {
        None => Presentation::None,
        Some(SmilChoice::Auto) => Presentation::Auto(SmilOptions::default()),
        Some(SmilChoice::File(path)) => Presentation::Given(io::read_input(path)?),
    };
    let root = builder::assemble_content(parts, "multipart/mixed", presentation)
        .map_err(|e| CliError::Input(format!("--smil auto: {e}")))?;
    Ok(root.map(|root| {
        let id = root.content_id.clone().unwrap_or_default();
        (root, ContentRef::cid(&id))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names() {
        let mut taken = HashSet::new();
        assert_eq!(unique("a.gif", &mut taken), "a.gif");
        assert_eq!(unique("a.gif", &mut taken), "a-2.gif");
        assert_eq!(unique("a.gif", &mut taken), "a-3.gif");
        assert_eq!(unique("README", &mut taken), "README");
        assert_eq!(unique("README", &mut taken), "README-2");
    }

    #[test]
    fn unknown_extension_names_the_file() {
        let err = media_type_of(Path::new("x/report.docx")).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("x/report.docx: unknown file extension .docx; known: jpg"),
            "{text}"
        );
        let err = media_type_of(Path::new("Makefile")).unwrap_err();
        assert!(err.to_string().contains("has none"), "{err}");
    }

    #[test]
    fn text_goes_after_the_first_picture() {
        let mut parts = vec![
            Part::new("audio/amr", &b""[..]).with_content_id("a.amr"),
            Part::new("image/gif", &b""[..]).with_content_id("b.gif"),
            Part::new("image/gif", &b""[..]).with_content_id("c.gif"),
        ];
        insert_text(&mut parts, "hi");
        let ids: Vec<_> = parts
            .iter()
            .filter_map(|p| p.content_id.as_deref())
            .collect();
        assert_eq!(ids, ["a.amr", "b.gif", "text.txt", "c.gif"]);
        let mut none = vec![];
        insert_text(&mut none, "only");
        assert_eq!(none.len(), 1);
    }

    #[test]
    fn content_shapes() {
        let gif = Part::new("image/gif", &b"GIF89a"[..]).with_content_id("p.gif");
        let (one, href) = content(vec![gif.clone()], None).unwrap().unwrap();
        assert_eq!(one, gif);
        assert_eq!(href.href, "cid:p.gif");

        let text = Part::text("caption").with_content_id("t.txt");
        let (root, href) = content(vec![gif.clone(), text.clone()], Some(&SmilChoice::Auto))
            .unwrap()
            .unwrap();
        assert_eq!(href.href, "cid:mm7-content");
        assert!(root.is_media_type("multipart/related"));
        assert_eq!(root.param("type").as_deref(), Some("application/smil"));
        assert_eq!(root.param("start").as_deref(), Some("<presentation.smil>"));
        assert_eq!(root.parts().len(), 3);
        let smil = std::str::from_utf8(root.parts()[0].data().unwrap()).unwrap();
        assert!(
            smil.contains("cid:p.gif") && smil.contains("cid:t.txt"),
            "{smil}"
        );

        let (mixed, _) = content(vec![gif, text], None).unwrap().unwrap();
        assert!(mixed.is_media_type("multipart/mixed"));
        assert!(content(vec![], None).unwrap().is_none());
        assert!(content(vec![], Some(&SmilChoice::Auto)).is_err());
    }

    #[test]
    fn partial_types_warn() {
        let parts = [
            Part::new("image/heic", &b""[..]).with_content_id("p.heic"),
            Part::new("image/gif", &b""[..]),
        ];
        let warnings = compatibility_warnings(&parts);
        assert_eq!(
            warnings,
            ["p.heic is image/heic: Compatibility depends upon receiving device"]
        );
    }
}
