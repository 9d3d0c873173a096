//! A small XML writer: well-formed by construction, escaping every text and attribute value.

use super::escape::{escape_attr_into, escape_text_into};
use super::stack::InlineVec;

/// Writes an XML document into a `String`.
///
/// Start tags stay open for attributes until content or an end is written; an element with no
/// content is closed as `<name/>`. Names are written as given (the caller chooses prefixes);
/// values are always escaped.
#[derive(Debug)]
pub struct XmlWriter {
    out: String,
    // Where each open element's name is in `out` (just after its `<`) and its length: an
    // end tag copies it from there, so that the names cost no buffer of their own (an MM7
    // envelope nests six or seven deep; deeper documents move the list to the heap).
    open: InlineVec<(usize, usize), 16>,
    tag_open: bool,
}

impl Default for XmlWriter {
    fn default() -> XmlWriter {
        XmlWriter {
            out: String::new(),
            open: InlineVec::new((0, 0)),
            tag_open: false,
        }
    }
}

impl XmlWriter {
    /// An empty writer (no XML declaration).
    pub fn new() -> XmlWriter {
        XmlWriter::default()
    }

    /// A writer that starts with `<?xml version="1.0" encoding="UTF-8"?>` and a newline.
    pub fn with_declaration() -> XmlWriter {
        let mut w = XmlWriter::new();
        // A response envelope (what a server writes for every request) is under a kilobyte,
        // a request's one to three: under a kilobyte the allocator serves the buffer from its
        // per-thread cache, where a larger one took its slower path every time; a request
        // grows it once or twice.
        w.out.reserve(1000);
        w.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        w
    }

    fn close_tag(&mut self) {
        if self.tag_open {
            self.out.push('>');
            self.tag_open = false;
        }
    }

    /// Opens an element.
    pub fn start(&mut self, name: &str) {
        self.close_tag();
        self.out.push('<');
        let at = self.out.len();
        self.out.push_str(name);
        self.open.push_with(|| (at, name.len()));
        self.tag_open = true;
    }

    /// Adds an attribute to the element just opened. Ignored (and a debug assertion fails)
    /// when content has already been written, since the result would not be well-formed.
    pub fn attr(&mut self, name: &str, value: &str) {
        if let Some(out) = self.attribute_start(name) {
            escape_attr_into(out, value);
            out.push('"');
        }
    }

    /// Writes ` name="` on the element just opened and gives the output for the value (then
    /// the closing quote); `None` (and a failed debug assertion) after content.
    fn attribute_start(&mut self, name: &str) -> Option<&mut String> {
        debug_assert!(self.tag_open, "attribute after content");
        if !self.tag_open {
            return None;
        }
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        Some(&mut self.out)
    }

    /// Adds an attribute whose value needs no escaping, as it is: a namespace URI that
    /// [`declarable`](crate::encode::declarable) accepted, a constant. Faster than
    /// [`attr`](Self::attr) by the scan for what to escape; a debug assertion checks the claim.
    pub fn attr_verbatim(&mut self, name: &str, value: &str) {
        debug_assert!(
            {
                let mut escaped = String::new();
                escape_attr_into(&mut escaped, value);
                escaped == value
            },
            "attribute value {value:?} needs escaping"
        );
        if let Some(out) = self.attribute_start(name) {
            out.push_str(value);
            out.push('"');
        }
    }

    /// Writes escaped character data.
    pub fn text(&mut self, text: &str) {
        self.close_tag();
        escape_text_into(&mut self.out, text);
    }

    /// Writes `xml` unchanged as content of the open element: for markup kept verbatim
    /// (`Status/Details`, a Fault's `detail`). The caller must have checked that `xml` is
    /// well-formed content on its own, or the document will not be.
    pub fn raw(&mut self, xml: &str) {
        self.close_tag();
        self.out.push_str(xml);
    }

    /// Closes the innermost open element. Does nothing when none is open.
    pub fn end(&mut self) {
        let Some((at, len)) = self.open.pop() else {
            return;
        };
        if self.tag_open {
            self.out.push_str("/>");
            self.tag_open = false;
        } else {
            self.out.push_str("</");
            self.out.extend_from_within(at..at + len);
            self.out.push('>');
        }
    }

    /// Writes `<name>text</name>`.
    pub fn text_element(&mut self, name: &str, text: &str) {
        self.start(name);
        self.text(text);
        self.end();
    }

    /// Closes every open element and returns the document.
    pub fn finish(mut self) -> String {
        while !self.open.as_slice().is_empty() {
            self.end();
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_elements_self_close_and_attributes_escape() {
        let mut w = XmlWriter::new();
        w.start("a");
        w.attr("href", "cid:x\"y\"&z");
        w.start("b");
        w.end();
        w.text_element("c", "");
        let doc = w.finish();
        assert_eq!(doc, "<a href=\"cid:x&quot;y&quot;&amp;z\"><b/><c></c></a>");
    }

    #[test]
    fn end_tags_repeat_their_names_at_any_depth() {
        // Past the sixteen names kept inline, and with content between the tags.
        let mut w = XmlWriter::new();
        let names: Vec<String> = (0..40).map(|i| format!("p{i}:élément{i}")).collect();
        for (i, name) in names.iter().enumerate() {
            w.start(name);
            if i % 3 == 0 {
                w.attr("n", &i.to_string());
                w.text("t");
            }
        }
        w.text_element("leaf", "x");
        for _ in 0..5 {
            w.end();
        }
        w.text("after");
        let doc = w.finish();
        let mut expected = String::new();
        for (i, name) in names.iter().enumerate() {
            expected.push_str(&format!("<{name}"));
            if i % 3 == 0 {
                expected.push_str(&format!(" n=\"{i}\">t"));
            } else {
                expected.push('>');
            }
        }
        expected.push_str("<leaf>x</leaf>");
        for (i, name) in names.iter().enumerate().rev() {
            expected.push_str(&format!("</{name}>"));
            if i == 35 {
                expected.push_str("after");
            }
        }
        assert_eq!(doc, expected);
    }

    #[test]
    fn text_is_escaped_after_the_declaration() {
        let mut w = XmlWriter::with_declaration();
        w.start("mm7:Subject");
        w.text("Fish & chips <today>");
        w.end();
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<mm7:Subject>Fish &amp; chips &lt;today&gt;</mm7:Subject>"
        );
    }
}
