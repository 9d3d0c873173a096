//! A compact read-only tree of one element and its descendants.
//!
//! An MM7 operation element is small (tens of elements), and its children may come in any
//! order: real MMSCs do not all follow the schema's sequence. Reading it into a flat arena
//! (two vectors, whatever the element count) and then looking children up by name keeps the
//! per-operation decoders short and order-independent, while every name and most values stay
//! borrowed from the document.

use std::borrow::Cow;

use super::error::{XmlError, XmlErrorKind};
use super::reader::{Element, Event, XmlReader};
use super::same;

const NONE: u32 = u32::MAX;

/// An element's own text: a slice of the document (the usual case), or decoded text kept in
/// [`Tree::owned`] (entities, CDATA joined to text, line ends normalised).
#[derive(Debug, Clone, Copy)]
enum NodeText<'a> {
    None,
    Document(&'a str),
    Owned(u32),
}

#[derive(Debug, Clone, Copy)]
struct NodeData<'a> {
    element: Element<'a>,
    text: NodeText<'a>,
    // The content as written, as byte offsets of the document.
    inner: (u32, u32),
    attrs: (u32, u32),
    parent: u32,
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

/// An attribute in a [`Tree`], its value decoded.
#[derive(Debug, Clone)]
pub struct TreeAttribute<'a> {
    /// The local name.
    pub local: &'a str,
    /// The decoded value.
    pub value: Cow<'a, str>,
}

/// An element and its descendants, read from an [`XmlReader`].
#[derive(Debug)]
pub struct Tree<'a> {
    document: &'a str,
    nodes: Vec<NodeData<'a>>,
    attrs: Vec<TreeAttribute<'a>>,
    owned: Vec<String>,
    // Namespace bindings: those in scope at the root (node `NONE`), then those declared on the
    // descendants, each with the node that declares it. Only QName values (a Fault's
    // `faultcode`) need them.
    bindings: Vec<(u32, &'a str, &'a str)>,
    /// Whether `bindings` is kept ([`Tree::read_in_scope`]).
    resolves: bool,
}

/// Bytes of document per element assumed when sizing the node table up front: MM7 elements
/// with their tags and indentation take 30 to 60 bytes, so the table is rarely grown and never
/// much larger than needed.
const BYTES_PER_ELEMENT: usize = 32;

/// The most nodes reserved up front (a large document grows the table as it is read, so that
/// a big text value does not reserve room for elements it does not have).
const MAX_RESERVED: usize = 256;

impl<'a> Tree<'a> {
    /// Reads the element whose `Start` event `reader` just returned, up to and including its
    /// `End`. At most `max_elements` elements are kept; more is an error, so a hostile document
    /// cannot make the tree grow past a known size.
    ///
    /// [`TreeNode::namespace_of`] resolves nothing in such a tree; read it with
    /// [`Tree::read_in_scope`] for that.
    pub fn read(
        reader: &mut XmlReader<'a>,
        start: Element<'a>,
        max_elements: usize,
    ) -> Result<Tree<'a>, XmlError> {
        Tree::read_with(reader, start, max_elements, None)
    }

    /// As [`Tree::read`], also keeping the namespace bindings in scope where the tree starts
    /// and those declared inside it, so that [`TreeNode::namespace_of`] resolves every prefix
    /// (for QName values such as a Fault's `faultcode`, whose prefix is usually bound on the
    /// Envelope).
    pub fn read_in_scope(
        reader: &mut XmlReader<'a>,
        start: Element<'a>,
        max_elements: usize,
    ) -> Result<Tree<'a>, XmlError> {
        let outer = reader
            .bindings_in_scope()
            .map(|(prefix, uri)| (NONE, prefix, uri))
            .collect();
        Tree::read_with(reader, start, max_elements, Some(outer))
    }

    /// Reads the tree; `bindings`, when given, are those in scope at its start, and the
    /// declarations inside it are kept too.
    fn read_with(
        reader: &mut XmlReader<'a>,
        start: Element<'a>,
        max_elements: usize,
        bindings: Option<Vec<(u32, &'a str, &'a str)>>,
    ) -> Result<Tree<'a>, XmlError> {
        let document = reader.document();
        let expected = document.len().saturating_sub(start.offset) / BYTES_PER_ELEMENT + 1;
        let mut tree = Tree {
            document,
            nodes: Vec::with_capacity(expected.min(max_elements.max(1)).min(MAX_RESERVED)),
            attrs: Vec::new(),
            owned: Vec::new(),
            resolves: bindings.is_some(),
            bindings: bindings.unwrap_or_default(),
        };
        tree.push(reader, start, NONE)?;
        // The element being read; its `End` makes its parent current again.
        let mut current = 0u32;
        while current != NONE {
            match reader.next_event_inline()? {
                Event::Start(element) => {
                    if tree.nodes.len() >= max_elements {
                        return Err(
                            reader.error(XmlErrorKind::ElementLimit(max_elements), element.offset)
                        );
                    }
                    current = tree.push(reader, element, current)?;
                }
                Event::End(_) => {
                    let (from, to) = reader.last_inner_span();
                    let Some(node) = tree.nodes.get_mut(current as usize) else {
                        break;
                    };
                    node.inner = (offset_u32(from), offset_u32(to));
                    current = node.parent;
                }
                Event::Text(text) => {
                    if !text.cdata && text.is_whitespace() {
                        continue;
                    }
                    let value = reader.text_value(&text)?;
                    tree.add_text(current, value);
                }
                Event::Eof => break,
            }
        }
        Ok(tree)
    }

    fn add_text(&mut self, index: u32, value: Cow<'a, str>) {
        let Some(node) = self.nodes.get_mut(index as usize) else {
            return;
        };
        node.text = match (node.text, value) {
            (NodeText::None, Cow::Borrowed(text)) => NodeText::Document(text),
            (NodeText::None, Cow::Owned(text)) => {
                self.owned.push(text);
                NodeText::Owned(offset_u32(self.owned.len() - 1))
            }
            (NodeText::Document(first), value) => {
                let mut joined = String::with_capacity(first.len() + value.len());
                joined.push_str(first);
                joined.push_str(&value);
                self.owned.push(joined);
                NodeText::Owned(offset_u32(self.owned.len() - 1))
            }
            (NodeText::Owned(i), value) => {
                if let Some(joined) = self.owned.get_mut(i as usize) {
                    joined.push_str(&value);
                }
                NodeText::Owned(i)
            }
        };
    }

    fn push(
        &mut self,
        reader: &XmlReader<'a>,
        element: Element<'a>,
        parent: u32,
    ) -> Result<u32, XmlError> {
        let index = offset_u32(self.nodes.len());
        let first_attr = offset_u32(self.attrs.len());
        for attr in reader.attributes() {
            if attr.prefix == "xmlns" || (attr.prefix.is_empty() && attr.local == "xmlns") {
                // The root's own bindings are in the snapshot taken before it.
                if self.resolves && parent != NONE {
                    let bound = if attr.prefix.is_empty() {
                        ""
                    } else {
                        attr.local
                    };
                    self.bindings.push((index, bound, attr.raw_value.trim()));
                }
                continue;
            }
            self.attrs.push(TreeAttribute {
                local: attr.local,
                value: reader.attribute_value(attr)?,
            });
        }
        let end_attr = offset_u32(self.attrs.len());
        self.nodes.push(NodeData {
            element,
            text: NodeText::None,
            inner: (0, 0),
            attrs: (first_attr, end_attr),
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
        });
        let Some(previous_last) = self.nodes.get(parent as usize).map(|p| p.last_child) else {
            return Ok(index);
        };
        match self.nodes.get_mut(previous_last as usize) {
            Some(previous) => previous.next_sibling = index,
            None => {
                if let Some(p) = self.nodes.get_mut(parent as usize) {
                    p.first_child = index;
                }
            }
        }
        if let Some(p) = self.nodes.get_mut(parent as usize) {
            p.last_child = index;
        }
        Ok(index)
    }

    /// The element the tree was read from.
    pub fn root(&self) -> TreeNode<'_, 'a> {
        TreeNode {
            tree: self,
            index: 0,
        }
    }
}

/// Offsets and counts fit 32 bits: documents are bounded far below 4 GiB by the HTTP body
/// limit; a larger one saturates, which at worst misplaces an error position.
fn offset_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(NONE - 1)
}
/// A reference to one element of a [`Tree`].
#[derive(Debug, Clone, Copy)]
pub struct TreeNode<'t, 'a> {
    tree: &'t Tree<'a>,
    index: u32,
}

impl<'t, 'a> TreeNode<'t, 'a> {
    fn node(&self) -> &'t NodeData<'a> {
        &self.tree.nodes[self.index as usize]
    }

    /// The element's name and namespace as read.
    pub fn element(&self) -> Element<'a> {
        self.node().element
    }

    /// The local name.
    pub fn local(&self) -> &'a str {
        self.node().element.local
    }

    /// Byte offset of the element's start tag in the document.
    pub fn offset(&self) -> usize {
        self.node().element.offset
    }

    /// The element's own text (all its text runs joined, white-space-only runs skipped), as
    /// written apart from entity decoding; `""` when there is none.
    pub fn text(&self) -> &'t str {
        match self.node().text {
            NodeText::None => "",
            NodeText::Document(text) => text,
            NodeText::Owned(i) => self.tree.owned.get(i as usize).map_or("", String::as_str),
        }
    }

    /// The element's content exactly as written, markup included (for `anyType` elements).
    pub fn inner_xml(&self) -> &'a str {
        let (from, to) = self.node().inner;
        self.tree
            .document
            .get(from as usize..to as usize)
            .unwrap_or("")
    }

    /// True when the element has character data of its own (not only white space).
    pub fn has_text(&self) -> bool {
        !matches!(self.node().text, NodeText::None)
    }

    /// The attributes.
    pub fn attributes(&self) -> &'t [TreeAttribute<'a>] {
        let (start, end) = self.node().attrs;
        self.tree
            .attrs
            .get(start as usize..end as usize)
            .unwrap_or(&[])
    }

    /// The value of the first attribute with this local name, whatever its prefix.
    pub fn attr(&self, local: &str) -> Option<&'t str> {
        self.attributes()
            .iter()
            .find(|a| same(a.local, local))
            .map(|a| a.value.as_ref())
    }

    /// The namespace URI bound to `prefix` where this element is (`""` for the default
    /// namespace), for values that are QNames (SOAP 1.1 `faultcode`); `None` when the prefix
    /// is not bound, and always in a tree not read with [`Tree::read_in_scope`] (keeping the
    /// bindings would cost every other decode an allocation).
    pub fn namespace_of(&self, prefix: &str) -> Option<&'a str> {
        if prefix == "xml" {
            return Some("http://www.w3.org/XML/1998/namespace");
        }
        let bound_on = |node: u32| {
            self.tree
                .bindings
                .iter()
                .rev()
                .find(|(on, p, _)| *on == node && same(p, prefix))
                .map(|(_, _, uri)| *uri)
        };
        let mut index = self.index;
        let found = loop {
            if let Some(uri) = bound_on(index) {
                break Some(uri);
            }
            if index == NONE {
                break None;
            }
            index = self
                .tree
                .nodes
                .get(index as usize)
                .map_or(NONE, |n| n.parent);
        };
        found.filter(|uri| !uri.is_empty())
    }

    /// The child elements in document order.
    pub fn children(&self) -> Children<'t, 'a> {
        Children {
            tree: self.tree,
            next: self.node().first_child,
        }
    }

    /// The first child element with this local name (namespace not compared: MM7 children
    /// share their parent's namespace, and lenient reading accepts any).
    pub fn child(&self, local: &str) -> Option<TreeNode<'t, 'a>> {
        self.children().find(|c| same(c.local(), local))
    }
}

/// Iterator over the child elements of a [`TreeNode`].
#[derive(Debug, Clone)]
pub struct Children<'t, 'a> {
    tree: &'t Tree<'a>,
    next: u32,
}

impl<'t, 'a> Iterator for Children<'t, 'a> {
    type Item = TreeNode<'t, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == NONE {
            return None;
        }
        let node = TreeNode {
            tree: self.tree,
            index: self.next,
        };
        self.next = self.tree.nodes[self.next as usize].next_sibling;
        Some(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::XmlLimits;

    fn tree(doc: &str) -> Result<Tree<'_>, XmlError> {
        let mut reader = XmlReader::new(doc, XmlLimits::default());
        let Event::Start(start) = reader.next_event()? else {
            panic!("no start");
        };
        Tree::read_in_scope(&mut reader, start, 100)
    }

    #[test]
    fn children_in_order_with_text_and_attributes() {
        let doc =
            r#"<R xmlns="urn:x"><A>1</A><B k="v &amp; w">two &lt;2&gt;</B><A> 3 </A><C/></R>"#;
        let t = tree(doc).unwrap();
        let root = t.root();
        let names: Vec<_> = root.children().map(|c| c.local()).collect();
        assert_eq!(names, ["A", "B", "A", "C"]);
        assert_eq!(root.child("A").unwrap().text(), "1");
        let b = root.child("B").unwrap();
        assert_eq!(b.text(), "two <2>");
        assert_eq!(b.attr("k"), Some("v & w"));
        assert_eq!(b.element().namespace, Some("urn:x"));
        assert_eq!(root.children().nth(2).unwrap().text(), " 3 ");
        assert!(!root.child("C").unwrap().has_text());
        assert!(root.child("D").is_none());
        assert_eq!(t.nodes.len(), 5);
    }

    #[test]
    fn element_limit_is_enforced() {
        let doc = format!("<R>{}</R>", "<a/>".repeat(200));
        let err = tree(&doc).unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::ElementLimit(100));
    }

    #[test]
    fn prefixes_resolve_where_the_element_is() {
        let doc =
            r#"<R xmlns:a="urn:a" xmlns="urn:d"><B xmlns:a="urn:b"><C/></B><D xmlns=""/></R>"#;
        let t = tree(doc).unwrap();
        let root = t.root();
        let b = root.child("B").unwrap();
        let c = b.child("C").unwrap();
        assert_eq!(root.namespace_of("a"), Some("urn:a"));
        assert_eq!(c.namespace_of("a"), Some("urn:b"));
        assert_eq!(c.namespace_of(""), Some("urn:d"));
        assert_eq!(root.child("D").unwrap().namespace_of(""), None);
        assert_eq!(c.namespace_of("zz"), None);
    }

    #[test]
    fn xmlns_attributes_are_not_listed() {
        let t = tree(r#"<R xmlns="urn:x" xmlns:p="urn:p" p:a="1" b="2"/>"#).unwrap();
        let names: Vec<_> = t.root().attributes().iter().map(|a| a.local).collect();
        assert_eq!(names, ["a", "b"]);
    }
}
