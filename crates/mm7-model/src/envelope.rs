//! [`Envelope`]: a whole MM7 message as it travels, header to attachments.

use crate::content::Part;
use crate::messages::Message;
use crate::version::{Mm7Version, Namespace, SchemaId};

/// One MM7 message: the `TransactionID` header entry, the namespace of the body element,
/// the body, and the MIME attachments that followed the SOAP part.
///
/// A decoder produces this and an encoder consumes it. `namespace` is kept as received and
/// independent of the `MM7Version` inside the message; set each as the peer expects.
///
/// In the JSON view, the body appears under its element name:
///
/// ```json
/// {"TransactionID": "tx-1",
///  "Namespace": "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4",
///  "SubmitReq": {"MM7Version": "6.8.0", "…": "…"},
///  "Attachments": [{"ContentType": "text/plain", "ContentID": "t1", "Text": "Hello"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Envelope {
    /// The `TransactionID` SOAP header entry (`env:mustUnderstand="1"`).
    #[cfg_attr(feature = "serde", serde(rename = "TransactionID"))]
    pub transaction_id: String,
    /// The namespace the body element was (or is to be) qualified with.
    #[cfg_attr(feature = "serde", serde(rename = "Namespace"))]
    pub namespace: Namespace,
    /// The body.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub message: Message,
    /// The MIME parts after the SOAP part, in order; the body's `Content` refers to one.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "Attachments", default, skip_serializing_if = "Vec::is_empty")
    )]
    pub attachments: Vec<Part>,
}

impl Envelope {
    /// An envelope without attachments.
    pub fn new(
        transaction_id: impl Into<String>,
        namespace: impl Into<Namespace>,
        message: impl Into<Message>,
    ) -> Envelope {
        Envelope {
            transaction_id: transaction_id.into(),
            namespace: namespace.into(),
            message: message.into(),
            attachments: Vec::new(),
        }
    }

    /// The schema the namespace names.
    pub fn schema(&self) -> SchemaId {
        self.namespace.schema()
    }

    /// The message's `MM7Version`.
    pub fn mm7_version(&self) -> Option<&Mm7Version> {
        self.message.mm7_version()
    }

    /// An envelope for the answer to this one: same `TransactionID` and namespace, as
    /// TS 23.140 §9.1 asks responses to echo the request's transaction.
    pub fn reply(&self, message: impl Into<Message>) -> Envelope {
        Envelope {
            transaction_id: self.transaction_id.clone(),
            namespace: self.namespace.clone(),
            message: message.into(),
            attachments: Vec::new(),
        }
    }

    /// The `href` of the body's `Content` element, if it has one.
    pub fn content_href(&self) -> Option<&str> {
        let content = match &self.message {
            Message::SubmitReq(m) => m.content.as_ref(),
            Message::DeliverReq(m) => m.content.as_ref(),
            Message::ReplaceReq(m) => m.content.as_ref(),
            Message::ExtendedReplaceReq(m) => m.content.as_ref(),
            _ => None,
        };
        content.map(|c| c.href.as_str())
    }

    /// The attachment (or part of one) that the body's `Content` refers to.
    pub fn content(&self) -> Option<&Part> {
        let href = self.content_href()?;
        self.attachments.iter().find_map(|p| p.find(href))
    }
}
