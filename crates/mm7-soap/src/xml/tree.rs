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

const NONE: u32 = u32::MAX;

#[derive(Debug)]
struct NodeData<'a> {
    element: Element<'a>,
    text: Option<Cow<'a, str>>,
    inner_xml: &'a str,
    attrs: (u32, u32),
    first_child: u32,
    last_child: u32,
    next_sibling: u32,
}

/// An attribute in a [`Tree`], its value decoded.
#[derive(Debug, Clone)]
pub struct TreeAttribute<'a> {
    /// The prefix as written.
    pub prefix: &'a str,
    /// The local name.
    pub local: &'a str,
    /// The decoded value.
    pub value: Cow<'a, str>,
}

/// An element and its descendants, read from an [`XmlReader`].
#[derive(Debug)]
pub struct Tree<'a> {
    nodes: Vec<NodeData<'a>>,
    attrs: Vec<TreeAttribute<'a>>,
}

impl<'a> Tree<'a> {
    /// Reads the element whose `Start` event `reader` just returned, up to and including its
    /// `End`. At most `max_elements` elements are kept; more is an error, so a hostile document
    /// cannot make the tree grow past a known size.
    pub fn read(
        reader: &mut XmlReader<'a>,
        start: Element<'a>,
        max_elements: usize,
    ) -> Result<Tree<'a>, XmlError> {
        let mut tree = Tree {
            nodes: Vec::with_capacity(32),
            attrs: Vec::with_capacity(8),
        };
        tree.push(reader, start, NONE)?;
        // The path from the root to the element being read.
        let mut path: Vec<u32> = Vec::with_capacity(8);
        path.push(0);
        while let Some(&current) = path.last() {
            match reader.next_event()? {
                Event::Start(element) => {
                    if tree.nodes.len() >= max_elements {
                        return Err(
                            reader.error(XmlErrorKind::ElementLimit(max_elements), element.offset)
                        );
                    }
                    let index = tree.push(reader, element, current)?;
                    path.push(index);
                }
                Event::End(_) => {
                    tree.nodes[current as usize].inner_xml = reader.last_inner_xml();
                    path.pop();
                }
                Event::Text(text) => {
                    if text.is_whitespace() && !text.cdata {
                        continue;
                    }
                    let value = reader.text_value(&text)?;
                    let node = &mut tree.nodes[current as usize];
                    node.text = Some(match node.text.take() {
                        None => value,
                        Some(mut joined) => {
                            joined.to_mut().push_str(&value);
                            joined
                        }
                    });
                }
                Event::Eof => break,
            }
        }
        Ok(tree)
    }

    fn push(
        &mut self,
        reader: &XmlReader<'a>,
        element: Element<'a>,
        parent: u32,
    ) -> Result<u32, XmlError> {
        let index = u32::try_from(self.nodes.len()).unwrap_or(NONE - 1);
        let first_attr = u32::try_from(self.attrs.len()).unwrap_or(NONE);
        for attr in reader.attributes() {
            if attr.prefix == "xmlns" || (attr.prefix.is_empty() && attr.local == "xmlns") {
                continue;
            }
            self.attrs.push(TreeAttribute {
                prefix: attr.prefix,
                local: attr.local,
                value: reader.attribute_value(attr)?,
            });
        }
        let end_attr = u32::try_from(self.attrs.len()).unwrap_or(NONE);
        self.nodes.push(NodeData {
            element,
            text: None,
            inner_xml: "",
            attrs: (first_attr, end_attr),
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
        });
        if parent != NONE {
            let previous_last = self.nodes[parent as usize].last_child;
            if previous_last == NONE {
                self.nodes[parent as usize].first_child = index;
            } else {
                self.nodes[previous_last as usize].next_sibling = index;
            }
            self.nodes[parent as usize].last_child = index;
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

    /// How many elements the tree holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Always false: a tree holds at least its root.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
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
        self.node().text.as_deref().unwrap_or("")
    }

    /// The element's content exactly as written, markup included (for `anyType` elements).
    pub fn inner_xml(&self) -> &'a str {
        self.node().inner_xml
    }

    /// True when the element has character data of its own (not only white space).
    pub fn has_text(&self) -> bool {
        self.node().text.is_some()
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
            .find(|a| a.local == local)
            .map(|a| a.value.as_ref())
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
        self.children().find(|c| c.local() == local)
    }

    /// True when the element has child elements.
    pub fn has_children(&self) -> bool {
        self.node().first_child != NONE
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
        Tree::read(&mut reader, start, 100)
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
        assert_eq!(t.len(), 5);
    }

    #[test]
    fn element_limit_is_enforced() {
        let doc = format!("<R>{}</R>", "<a/>".repeat(200));
        let err = tree(&doc).unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::ElementLimit(100));
    }

    #[test]
    fn xmlns_attributes_are_not_listed() {
        let t = tree(r#"<R xmlns="urn:x" xmlns:p="urn:p" p:a="1" b="2"/>"#).unwrap();
        let names: Vec<_> = t.root().attributes().iter().map(|a| a.local).collect();
        assert_eq!(names, ["a", "b"]);
    }
}
