//! The message content: the `Content` element (a reference) and the MIME parts it refers to.
//!
//! A SOAP-with-attachments MM7 message is a `multipart/related` whose first part is the SOAP
//! envelope; the other parts are its attachments. `<Content href="cid:…"/>` names the one
//! holding the multimedia message, usually itself a `multipart/mixed` or `multipart/related`
//! of text, images and SMIL. [`Part`] is that tree; leaf bodies are [`Bytes`], so a decoder
//! can hand out slices of the received body without copying.

use bytes::Bytes;

/// The `Content` element: where the multimedia content is and whether it may be adapted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ContentRef {
    /// The `href` attribute, usually `cid:<Content-ID>`.
    pub href: String,
    /// The `allowAdaptations` attribute (schema default `true`; `None` when absent).
    #[cfg_attr(
        feature = "serde",
        serde(
            rename = "allowAdaptations",
            default,
            skip_serializing_if = "Option::is_none"
        )
    )]
    pub allow_adaptations: Option<bool>,
}

impl ContentRef {
    /// A reference to the part whose Content-ID is `content_id` (`cid:` is prepended).
    pub fn cid(content_id: &str) -> ContentRef {
        ContentRef {
            href: format!(
                "cid:{}",
                content_id.trim_start_matches('<').trim_end_matches('>')
            ),
            allow_adaptations: None,
        }
    }
}

/// What a [`Part`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PartBody {
    /// The decoded bytes of a leaf part (after any Content-Transfer-Encoding).
    Data(Bytes),
    /// The parts of a `multipart/*`, in order.
    Multipart(Vec<Part>),
}

/// One MIME part of the content tree.
///
/// ```
/// use mm7_model::Part;
/// let tree = Part::multipart("multipart/mixed", vec![
///     Part::text("Hello"),
///     Part::new("image/gif", &b"GIF89a"[..]).with_content_id("pic.gif"),
/// ]);
/// assert_eq!(tree.find("cid:pic.gif").map(Part::media_type), Some("image/gif"));
/// assert_eq!(tree.leaves().count(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Part {
    /// The `Content-Type` header value as received, parameters included
    /// (`image/gif; name=sample.gif`). A multipart part may omit `boundary`; a writer
    /// chooses one.
    pub content_type: String,
    /// `Content-ID`, without the angle brackets.
    pub content_id: Option<String>,
    /// `Content-Location`.
    pub content_location: Option<String>,
    /// The file name, from `Content-Disposition: …; filename=` (or the `name` parameter of
    /// `Content-Type` when a decoder falls back to it).
    pub filename: Option<String>,
    /// The body.
    pub body: PartBody,
}

impl Part {
    /// A leaf part.
    pub fn new(content_type: impl Into<String>, data: impl Into<Bytes>) -> Part {
        Part {
            content_type: content_type.into(),
            content_id: None,
            content_location: None,
            filename: None,
            body: PartBody::Data(data.into()),
        }
    }

    /// A `text/plain; charset=utf-8` part.
    pub fn text(text: &str) -> Part {
        Part::new(
            "text/plain; charset=utf-8",
            Bytes::copy_from_slice(text.as_bytes()),
        )
    }

    /// A multipart part (`multipart/mixed`, `multipart/related`, …).
    pub fn multipart(content_type: impl Into<String>, parts: Vec<Part>) -> Part {
        Part {
            content_type: content_type.into(),
            content_id: None,
            content_location: None,
            filename: None,
            body: PartBody::Multipart(parts),
        }
    }

    /// Sets the Content-ID (angle brackets, if given, are removed).
    pub fn with_content_id(mut self, id: impl Into<String>) -> Part {
        let id: String = id.into();
        let trimmed = id.trim().trim_start_matches('<').trim_end_matches('>');
        self.content_id = Some(if trimmed.len() == id.len() {
            id
        } else {
            trimmed.to_owned()
        });
        self
    }

    /// Sets the Content-Location.
    pub fn with_content_location(mut self, location: impl Into<String>) -> Part {
        self.content_location = Some(location.into());
        self
    }

    /// Sets the file name.
    pub fn with_filename(mut self, filename: impl Into<String>) -> Part {
        self.filename = Some(filename.into());
        self
    }

    /// The media type without parameters (`image/gif`), as written (not lowercased).
    pub fn media_type(&self) -> &str {
        self.content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
    }

    /// Whether the media type is `media_type`, ASCII case-insensitively.
    pub fn is_media_type(&self, media_type: &str) -> bool {
        self.media_type().eq_ignore_ascii_case(media_type)
    }

    /// A `Content-Type` parameter (`charset`, `name`, `boundary`, …), name matched
    /// case-insensitively, read as `mm7-mime` reads it (quotes removed, escapes undone, RFC
    /// 2231 continuations joined); `None` also when the Content-Type does not parse.
    pub fn param(&self, name: &str) -> Option<String> {
        mm7_mime::ContentType::parse(&self.content_type)
            .ok()?
            .param(name)
            .map(str::to_owned)
    }

    /// Whether this is a multipart part.
    pub fn is_multipart(&self) -> bool {
        matches!(self.body, PartBody::Multipart(_))
    }

    /// The bytes of a leaf part.
    pub fn data(&self) -> Option<&Bytes> {
        match &self.body {
            PartBody::Data(b) => Some(b),
            PartBody::Multipart(_) => None,
        }
    }

    /// The children of a multipart part (empty for a leaf).
    pub fn parts(&self) -> &[Part] {
        match &self.body {
            PartBody::Multipart(p) => p,
            PartBody::Data(_) => &[],
        }
    }

    /// The root of a multipart part: the child that the `start` parameter names (by
    /// Content-ID), else the first child whose media type is the `type` parameter, else the
    /// first child (RFC 2387 §3.2). The children stay in the order they came; the root is
    /// marked by `start`, not moved. `None` for a leaf or an empty multipart.
    ///
    /// ```
    /// use mm7_model::Part;
    /// let related = Part::multipart(
    ///     r#"multipart/related; type="application/smil"; start="<pres>""#,
    ///     vec![
    ///         Part::new("image/gif", &b"GIF89a"[..]).with_content_id("img"),
    ///         Part::new("application/smil", &b"<smil/>"[..]).with_content_id("pres"),
    ///     ],
    /// );
    /// assert_eq!(related.root().and_then(|p| p.content_id.as_deref()), Some("pres"));
    /// ```
    pub fn root(&self) -> Option<&Part> {
        let children = self.parts();
        // One parse of the Content-Type for both parameters.
        let content_type = mm7_mime::ContentType::parse(&self.content_type).ok();
        let param = |name: &str| content_type.as_ref().and_then(|t| t.param(name));
        if let Some(start) = param("start") {
            let start = mm7_mime::content_id_reference(start);
            if let Some(root) = children.iter().find(|c| {
                c.content_id
                    .as_deref()
                    .is_some_and(|id| mm7_mime::normalize_content_id(id) == start)
            }) {
                return Some(root);
            }
        }
        if let Some(media_type) = param("type")
            && let Some(root) = children.iter().find(|c| c.is_media_type(media_type))
        {
            return Some(root);
        }
        children.first()
    }

    /// Whether `href` (`cid:…`, or a Content-Location) names this part.
    ///
    /// `cid:` URLs are compared per RFC 2392: `%hh` escapes decoded, the scheme
    /// case-insensitive. Some MMSCs put the Content-ID without `cid:`, or with angle
    /// brackets; both are accepted.
    pub fn matches_href(&self, href: &str) -> bool {
        let href = href.trim();
        let is_cid = href
            .get(..4)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("cid:"));
        if let Some(id) = &self.content_id
            && mm7_mime::content_id_reference(href) == mm7_mime::normalize_content_id(id)
        {
            return true;
        }
        !is_cid && self.content_location.as_deref() == Some(href)
    }

    /// This part or the first descendant (depth first) that `href` names.
    pub fn find(&self, href: &str) -> Option<&Part> {
        if self.matches_href(href) {
            return Some(self);
        }
        self.parts().iter().find_map(|p| p.find(href))
    }

    /// The leaf parts in document order.
    pub fn leaves(&self) -> Leaves<'_> {
        Leaves { stack: vec![self] }
    }

    /// The total size of the leaf bodies.
    pub fn data_len(&self) -> usize {
        self.leaves().filter_map(Part::data).map(Bytes::len).sum()
    }
}

/// Iterator over the leaves of a [`Part`], from [`Part::leaves`].
#[derive(Debug, Clone)]
pub struct Leaves<'a> {
    stack: Vec<&'a Part>,
}

impl<'a> Iterator for Leaves<'a> {
    type Item = &'a Part;
    fn next(&mut self) -> Option<&'a Part> {
        while let Some(p) = self.stack.pop() {
            match &p.body {
                PartBody::Data(_) => return Some(p),
                PartBody::Multipart(children) => self.stack.extend(children.iter().rev()),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Part {
        Part::multipart(
            "multipart/mixed; boundary=\"StoryParts 74526\"",
            vec![
                Part::text("Science news"),
                Part::new("image/gif; name=saturn.gif", &b"GIF87a"[..])
                    .with_content_id("<saturn.gif>")
                    .with_filename("saturn.gif"),
                Part::multipart(
                    "multipart/alternative",
                    vec![
                        Part::new("text/html", &b"<p>x</p>"[..]).with_content_location("a b.html"),
                    ],
                ),
            ],
        )
        .with_content_id("SaturnPics-01020930@news.tnn.com")
    }

    #[test]
    fn finds_by_cid_and_location() {
        let t = tree();
        assert!(t.matches_href("cid:SaturnPics-01020930@news.tnn.com"));
        assert!(t.matches_href("CID:<SaturnPics-01020930@news.tnn.com>"));
        assert!(t.matches_href("SaturnPics-01020930@news.tnn.com"));
        assert!(t.matches_href("cid:SaturnPics-01020930%40news.tnn.com"));
        assert!(!t.matches_href("cid:SaturnPics"));
        assert_eq!(
            t.find("cid:saturn.gif").and_then(|p| p.filename.as_deref()),
            Some("saturn.gif")
        );
        assert_eq!(t.find("a b.html").map(Part::media_type), Some("text/html"));
        assert!(t.find("cid:a b.html").is_none());
        assert!(t.find("cid:nothing").is_none());
    }

    #[test]
    fn params_and_media_types() {
        let t = tree();
        assert_eq!(t.param("BOUNDARY").as_deref(), Some("StoryParts 74526"));
        assert_eq!(t.media_type(), "multipart/mixed");
        let g = &t.parts()[1];
        assert_eq!(g.param("name").as_deref(), Some("saturn.gif"));
        assert!(g.is_media_type("IMAGE/GIF"));
        let p = Part::new(
            "text/plain;charset=\"a\\\"b\" ; format=flowed",
            Bytes::new(),
        );
        assert_eq!(p.param("charset").as_deref(), Some("a\"b"));
        assert_eq!(p.param("format").as_deref(), Some("flowed"));
        assert_eq!(p.param("missing"), None);
        assert_eq!(Part::new("text/plain", Bytes::new()).param("charset"), None);
        assert_eq!(Part::new("x; a=\"open", Bytes::new()).param("a"), None);
    }

    #[test]
    fn leaves_in_order() {
        let t = tree();
        let types: Vec<_> = t.leaves().map(Part::media_type).collect();
        assert_eq!(types, ["text/plain", "image/gif", "text/html"]);
        assert_eq!(t.data_len(), 12 + 6 + 8);
        assert_eq!(Part::text("x").leaves().count(), 1);
    }

    #[test]
    fn cid_references_as_mime_reads_them() {
        let gif = Part::new("image/gif", Bytes::new()).with_content_id("<a%b@x>");
        assert!(gif.matches_href("cid:a%25b@x"));
        assert!(gif.matches_href("<a%b@x>"));
        assert!(gif.matches_href(" a%b@x "));
        assert!(!gif.matches_href("cid:a%b@y"));
        assert_eq!(ContentRef::cid("<x@y>").href, "cid:x@y");
    }
}
