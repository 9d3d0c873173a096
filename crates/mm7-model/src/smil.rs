//! SMIL presentations for MMS content: which part shows on which slide, and the SMIL 2.0
//! document (the OMA MMS conformance subset) that says so.
//!
//! An MMS with several media parts needs a presentation to be shown as slides; without one,
//! handsets show the parts in an order of their own choosing, or as attachments. The
//! presentation generated here follows the way people compose messages: each picture or
//! video opens a slide, and the text that follows it is its caption.
//!
//! The rules, applied to the leaf parts in order ([`plan`]):
//!
//! * an image or a video opens a new slide (or fills the first slide while it is empty);
//! * a text joins the current slide when that slide has no text yet, else opens a slide;
//! * an audio part joins the current slide when it has neither audio nor video (a video
//!   carries its own sound), else opens a slide;
//! * anything else (vCard, iCalendar) is listed with `ref` on the current slide.
//!
//! Every part is referenced by `cid:`, so each needs a Content-ID. The layout has an `Image`
//! region above a `Text` region when the message has both, and one full-size region when it
//! has only one of them.
//!
//! ```
//! use mm7_model::{Part, smil};
//!
//! let parts = [
//!     Part::new("image/jpeg", &b"\xFF\xD8"[..]).with_content_id("beach.jpg"),
//!     Part::text("Greetings from the beach").with_content_id("text-1"),
//!     Part::new("image/png", &b"\x89PNG"[..]).with_content_id("map.png"),
//! ];
//! let slides = smil::plan(&parts)?;
//! assert_eq!(slides.len(), 2);
//! assert_eq!((slides[0].visual, slides[0].text), (Some(0), Some(1)));
//!
//! let document = smil::presentation(&parts, &smil::SmilOptions::default())?;
//! assert!(document.contains(r#"<img src="cid:beach.jpg" region="Image"/>"#));
//! assert!(document.contains(r#"<text src="cid:text-1" region="Text"/>"#));
//!
//! // The SMIL part itself, with a Content-ID no other part uses.
//! let smil_part = smil::presentation_part(&parts, &smil::SmilOptions::default())?;
//! assert_eq!(smil_part.media_type(), "application/smil");
//! assert_eq!(smil_part.content_id.as_deref(), Some("presentation.smil"));
//! # Ok::<(), smil::SmilError>(())
//! ```

use std::fmt::Write as _;

use bytes::Bytes;

use crate::content::Part;
use crate::media::Category;

/// Why no presentation can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmilError {
    /// A part has no Content-ID, so a `cid:` URL cannot name it.
    #[error("part {index} ({media_type}) has no Content-ID to reference")]
    MissingContentId {
        /// The index of the leaf part (in document order).
        index: usize,
        /// Its media type.
        media_type: String,
    },
    /// A part already is a SMIL presentation.
    #[error("part {index} is already a SMIL presentation")]
    AlreadyPresentation {
        /// The index of the leaf part (in document order).
        index: usize,
    },
    /// There is nothing to present.
    #[error("no parts to present")]
    Empty,
}

/// The size of the presentation and how long each slide shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SmilOptions {
    /// `root-layout` width in pixels.
    pub width: u32,
    /// `root-layout` height in pixels.
    pub height: u32,
    /// How long each slide shows, in milliseconds (handsets advance by themselves).
    pub slide_duration_ms: u32,
}

impl Default for SmilOptions {
    /// 320 × 480, five seconds a slide (the OMA MMS conformance document's default).
    fn default() -> Self {
        SmilOptions {
            width: 320,
            height: 480,
            slide_duration_ms: 5000,
        }
    }
}

impl SmilOptions {
    /// These options with another slide duration.
    #[must_use]
    pub fn with_slide_duration_ms(mut self, ms: u32) -> Self {
        self.slide_duration_ms = ms;
        self
    }

    /// These options with another root-layout size.
    #[must_use]
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }
}

/// One slide (a SMIL `par`): indices of the leaf parts it shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Slide {
    /// The image or video.
    pub visual: Option<usize>,
    /// The text.
    pub text: Option<usize>,
    /// The audio.
    pub audio: Option<usize>,
    /// Other parts, referenced with `ref`.
    pub other: Vec<usize>,
}

impl Slide {
    fn is_empty(&self) -> bool {
        self.visual.is_none()
            && self.text.is_none()
            && self.audio.is_none()
            && self.other.is_empty()
    }
}

/// The leaf parts of `parts` in document order (multiparts flattened), with their category.
fn leaves(parts: &[Part]) -> impl Iterator<Item = (usize, &Part, Category)> {
    parts
        .iter()
        .flat_map(Part::leaves)
        .enumerate()
        .map(|(i, p)| (i, p, Category::of(p.media_type())))
}

/// Distributes the leaf parts of `parts` over slides (see the module documentation).
///
/// # Errors
/// [`SmilError::Empty`] without parts, [`SmilError::AlreadyPresentation`] when one of them is
/// SMIL, [`SmilError::MissingContentId`] when one has no Content-ID.
pub fn plan(parts: &[Part]) -> Result<Vec<Slide>, SmilError> {
    let mut slides: Vec<Slide> = Vec::new();
    let mut current = Slide::default();
    let mut any = false;
    let mut visual_is_video = false;
    for (index, part, category) in leaves(parts) {
        any = true;
        if category == Category::Presentation {
            return Err(SmilError::AlreadyPresentation { index });
        }
        if part.content_id.as_deref().is_none_or(str::is_empty) {
            return Err(SmilError::MissingContentId {
                index,
                media_type: part.media_type().to_owned(),
            });
        }
        let fits = match category {
            Category::Image | Category::Video => current.is_empty(),
            Category::Text => current.text.is_none(),
            Category::Audio => current.audio.is_none() && !visual_is_video,
            _ => true,
        };
        if !fits {
            slides.push(std::mem::take(&mut current));
            visual_is_video = false;
        }
        match category {
            Category::Image | Category::Video => {
                current.visual = Some(index);
                visual_is_video = category == Category::Video;
            }
            Category::Text => current.text = Some(index),
            Category::Audio => current.audio = Some(index),
            _ => current.other.push(index),
        }
    }
    if !any {
        return Err(SmilError::Empty);
    }
    slides.push(current);
    Ok(slides)
}

/// The SMIL document presenting the leaf parts of `parts`, as UTF-8 text.
///
/// # Errors
/// As [`plan`].
pub fn presentation(parts: &[Part], options: &SmilOptions) -> Result<String, SmilError> {
    let slides = plan(parts)?;
    let leaves: Vec<(&Part, Category)> = leaves(parts).map(|(_, p, c)| (p, c)).collect();
    let has_visual = slides.iter().any(|s| s.visual.is_some());
    let has_text = slides.iter().any(|s| s.text.is_some());

    let mut out = String::with_capacity(256 + 96 * leaves.len());
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<smil>\n  <head>\n    <layout>\n");
    let _ = writeln!(
        out,
        "      <root-layout width=\"{}\" height=\"{}\"/>",
        options.width, options.height
    );
    match (has_visual, has_text) {
        (true, true) => {
            out.push_str(
                "      <region id=\"Image\" top=\"0\" left=\"0\" width=\"100%\" height=\"70%\" fit=\"meet\"/>\n",
            );
            out.push_str(
                "      <region id=\"Text\" top=\"70%\" left=\"0\" width=\"100%\" height=\"30%\" fit=\"scroll\"/>\n",
            );
        }
        (true, false) => out.push_str(
            "      <region id=\"Image\" top=\"0\" left=\"0\" width=\"100%\" height=\"100%\" fit=\"meet\"/>\n",
        ),
        (false, true) => out.push_str(
            "      <region id=\"Text\" top=\"0\" left=\"0\" width=\"100%\" height=\"100%\" fit=\"scroll\"/>\n",
        ),
        (false, false) => {}
    }
    out.push_str("    </layout>\n  </head>\n  <body>\n");
    for slide in &slides {
        let _ = writeln!(out, "    <par dur=\"{}ms\">", options.slide_duration_ms);
        let element = |out: &mut String, index: usize, name: &str, region: Option<&str>| {
            let Some((part, _)) = leaves.get(index) else {
                return;
            };
            let id = part.content_id.as_deref().unwrap_or_default();
            let _ = write!(out, "      <{name} src=\"cid:{}\"", xml_attr(&cid_url(id)));
            if let Some(region) = region {
                let _ = write!(out, " region=\"{region}\"");
            }
            out.push_str("/>\n");
        };
        if let Some(v) = slide.visual {
            let name = match leaves.get(v) {
                Some((_, Category::Video)) => "video",
                _ => "img",
            };
            element(&mut out, v, name, Some("Image"));
        }
        if let Some(t) = slide.text {
            element(&mut out, t, "text", Some("Text"));
        }
        if let Some(a) = slide.audio {
            element(&mut out, a, "audio", None);
        }
        for &o in &slide.other {
            element(&mut out, o, "ref", None);
        }
        out.push_str("    </par>\n");
    }
    out.push_str("  </body>\n</smil>\n");
    Ok(out)
}

/// The presentation as a part: `application/smil`, Content-ID `presentation.smil` (or
/// `presentation-N.smil` when a part already has that one).
///
/// # Errors
/// As [`plan`].
pub fn presentation_part(parts: &[Part], options: &SmilOptions) -> Result<Part, SmilError> {
    let document = presentation(parts, options)?;
    let id = unused_content_id(parts, "presentation", ".smil");
    Ok(Part::new("application/smil; charset=utf-8", Bytes::from(document)).with_content_id(id))
}

/// `{stem}{suffix}`, or `{stem}-N{suffix}` with the first N from 2 that no part of `parts`
/// (nested ones included) has as its Content-ID.
pub(crate) fn unused_content_id(parts: &[Part], stem: &str, suffix: &str) -> String {
    let taken = |id: &str| {
        parts
            .iter()
            .flat_map(|p| std::iter::once(p).chain(p.leaves()))
            .any(|p| p.content_id.as_deref() == Some(id))
    };
    let mut id = format!("{stem}{suffix}");
    let mut n = 1u32;
    while taken(&id) {
        n = n.saturating_add(1);
        id = format!("{stem}-{n}{suffix}");
    }
    id
}

/// A Content-ID as the path of a `cid:` URL: RFC 2392 asks for `%hh` escapes of what a URL
/// cannot hold (and of `%` itself, so that the reader's unescaping gives the ID back).
fn cid_url(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Escapes text for a double-quoted XML attribute.
fn xml_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(media: &str, id: &str) -> Part {
        Part::new(media, Bytes::from_static(b"x")).with_content_id(id)
    }

    #[test]
    fn a_slide_per_picture_with_the_text_that_follows() {
        let parts = [
            part("text/plain", "intro"),
            part("image/gif", "a.gif"),
            part("text/plain", "a-caption"),
            part("video/mp4", "b.mp4"),
            part("image/png", "c.png"),
            part("text/plain", "c-caption"),
            part("text/plain", "more"),
        ];
        let slides = plan(&parts).unwrap();
        let summary: Vec<_> = slides.iter().map(|s| (s.visual, s.text)).collect();
        assert_eq!(
            summary,
            [
                (None, Some(0)),
                (Some(1), Some(2)),
                (Some(3), None),
                (Some(4), Some(5)),
                (None, Some(6)),
            ]
        );
    }

    #[test]
    fn audio_joins_a_picture_but_not_a_video() {
        let parts = [
            part("image/jpeg", "a.jpg"),
            part("audio/amr", "a.amr"),
            part("audio/mpeg", "b.mp3"),
            part("video/3gpp", "c.3gp"),
            part("audio/wav", "c.wav"),
            part("text/vcard", "me.vcf"),
        ];
        let slides = plan(&parts).unwrap();
        assert_eq!(slides.len(), 4);
        assert_eq!((slides[0].visual, slides[0].audio), (Some(0), Some(1)));
        assert_eq!((slides[1].visual, slides[1].audio), (None, Some(2)));
        assert_eq!((slides[2].visual, slides[2].audio), (Some(3), None));
        assert_eq!(slides[3].audio, Some(4));
        assert_eq!(slides[3].other, [5]);
    }

    #[test]
    fn every_part_is_referenced_once_and_the_layout_fits() {
        let parts = [
            part("image/jpeg", "a.jpg"),
            part("text/plain", "t1"),
            part("video/mp4", "v.mp4"),
            part("audio/amr", "s.amr"),
            part("text/calendar", "cal.ics"),
        ];
        let doc = presentation(&parts, &SmilOptions::default()).unwrap();
        for p in &parts {
            let needle = format!("src=\"cid:{}\"", p.content_id.as_deref().unwrap());
            assert_eq!(doc.matches(&needle).count(), 1, "{needle} in {doc}");
        }
        assert!(doc.contains("<video src=\"cid:v.mp4\" region=\"Image\"/>"));
        assert!(doc.contains("<audio src=\"cid:s.amr\"/>"));
        assert!(doc.contains("<ref src=\"cid:cal.ics\"/>"));
        assert!(doc.contains("<region id=\"Image\""));
        assert!(doc.contains("<region id=\"Text\""));
        assert_eq!(doc.matches("<par dur=\"5000ms\">").count(), 3);
        assert_eq!(doc.matches("</par>").count(), 3);
        assert!(doc.starts_with("<?xml"));
        assert!(doc.trim_end().ends_with("</smil>"));
    }

    #[test]
    fn layouts_for_one_kind_of_content() {
        let options = SmilOptions::default()
            .with_size(176, 208)
            .with_slide_duration_ms(3000);
        let images = presentation(&[part("image/gif", "a")], &options).unwrap();
        assert!(images.contains("<root-layout width=\"176\" height=\"208\"/>"));
        assert!(
            images.contains("id=\"Image\" top=\"0\" left=\"0\" width=\"100%\" height=\"100%\"")
        );
        assert!(!images.contains("id=\"Text\""));
        assert!(images.contains("<par dur=\"3000ms\">"));
        let text = presentation(&[part("text/plain", "t")], &options).unwrap();
        assert!(text.contains("id=\"Text\" top=\"0\""));
        assert!(!text.contains("id=\"Image\""));
        let sound = presentation(&[part("audio/amr", "s")], &options).unwrap();
        assert!(!sound.contains("<region"));
    }

    #[test]
    fn ids_are_escaped_for_url_and_xml() {
        let parts = [part("image/gif", "a b\"&<%.gif")];
        let doc = presentation(&parts, &SmilOptions::default()).unwrap();
        assert!(doc.contains("src=\"cid:a%20b%22&amp;%3C%25.gif\""), "{doc}");
        // The reader's matching undoes both escapes.
        assert!(parts[0].matches_href("cid:a%20b%22&%3C%25.gif"));
    }

    #[test]
    fn nested_multiparts_are_flattened() {
        let parts = [Part::multipart(
            "multipart/mixed",
            vec![part("image/gif", "a"), part("text/plain", "b")],
        )];
        let slides = plan(&parts).unwrap();
        assert_eq!(slides.len(), 1);
        assert_eq!((slides[0].visual, slides[0].text), (Some(0), Some(1)));
    }

    #[test]
    fn errors() {
        assert_eq!(plan(&[]), Err(SmilError::Empty));
        assert_eq!(
            plan(&[Part::multipart("multipart/mixed", vec![])]),
            Err(SmilError::Empty)
        );
        assert_eq!(
            plan(&[part("image/gif", "a"), Part::text("no id")]),
            Err(SmilError::MissingContentId {
                index: 1,
                media_type: "text/plain".to_owned()
            })
        );
        assert_eq!(
            plan(&[part("application/smil", "p")]),
            Err(SmilError::AlreadyPresentation { index: 0 })
        );
    }

    #[test]
    fn the_part_gets_a_free_content_id() {
        let parts = [part("image/gif", "presentation.smil")];
        let p = presentation_part(&parts, &SmilOptions::default()).unwrap();
        assert_eq!(p.content_id.as_deref(), Some("presentation-2.smil"));
        assert_eq!(p.param("charset").as_deref(), Some("utf-8"));
    }
}
