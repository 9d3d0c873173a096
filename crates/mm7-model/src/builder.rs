//! A builder for the common `SubmitReq`: a few addresses, a subject, some parts.

use crate::address::{Address, SenderIdentification};
use crate::content::{ContentRef, Part};
use crate::enums::{ChargedParty, MessageClass, Priority};
use crate::envelope::Envelope;
use crate::messages::submit::SubmitReq;
use crate::smil::{self, SmilError, SmilOptions};
use crate::time::RelativeOrAbsolute;
use crate::validate::{self, ValidationError, ValidationErrors};
use crate::version::{Mm7Version, Namespace, SchemaId};

/// The Content-ID the builder gives the content it assembles.
pub const CONTENT_ID: &str = "mm7-content";

/// The SMIL presentation that leads a message's parts, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Presentation {
    /// None: one part goes as it is, several in a `multipart/mixed` (or the type asked for).
    #[default]
    None,
    /// One generated from the parts ([`smil::presentation_part`]): each picture or video
    /// opens a slide and the text after it is its caption.
    Auto(SmilOptions),
    /// This SMIL document, as given.
    Given(bytes::Bytes),
}

/// Puts a message's parts together as its content: the part to attach, whose Content-ID the
/// message's `Content href` names (`None` without parts).
///
/// Without a presentation, one part is the content as it is (given [`CONTENT_ID`] when it
/// has no Content-ID) and several are wrapped in `multipart_type`. With one, the parts
/// without a Content-ID get one (`part-N`, so that the SMIL can name them), and the
/// presentation leads them in a `multipart/related` whose `start` names it, as OMA MMS
/// wants.
///
/// ```
/// use mm7_model::builder::{Presentation, assemble_content};
/// use mm7_model::Part;
///
/// let parts = vec![
///     Part::new("image/gif", &b"GIF89a"[..]).with_content_id("saturn.gif"),
///     Part::text("Saturn tonight"),
/// ];
/// let root = assemble_content(parts, "multipart/mixed", Presentation::Auto(Default::default()))?
///     .expect("parts given");
/// assert_eq!(root.media_type(), "multipart/related");
/// assert_eq!(root.param("start").as_deref(), Some("<presentation.smil>"));
/// assert_eq!(root.root().map(Part::media_type), Some("application/smil"));
/// # Ok::<(), mm7_model::smil::SmilError>(())
/// ```
///
/// # Errors
/// [`SmilError::Empty`] when a presentation is asked for without parts; the errors of
/// [`smil::plan`] for `Auto`.
pub fn assemble_content(
    mut parts: Vec<Part>,
    multipart_type: &str,
    presentation: Presentation,
) -> Result<Option<Part>, SmilError> {
    if parts.is_empty() {
        return match presentation {
            Presentation::None => Ok(None),
            _ => Err(SmilError::Empty),
        };
    }
    let smil_part = match presentation {
        Presentation::None => None,
        Presentation::Auto(options) => {
            name_parts(&mut parts);
            Some(smil::presentation_part(&parts, &options)?)
        }
        Presentation::Given(document) => {
            name_parts(&mut parts);
            let id = smil::unused_content_id(&parts, "presentation", ".smil");
            Some(Part::new("application/smil; charset=utf-8", document).with_content_id(id))
        }
    };
    let root = match smil_part {
        Some(smil_part) => {
            let start = smil_part.content_id.clone().unwrap_or_default();
            parts.insert(0, smil_part);
            Part::multipart(
                format!("multipart/related; type=\"application/smil\"; start=\"<{start}>\""),
                parts,
            )
            .with_content_id(CONTENT_ID)
        }
        None if parts.len() == 1 => {
            let mut part = parts.remove(0);
            if part.content_id.is_none() {
                part.content_id = Some(CONTENT_ID.to_owned());
            }
            part
        }
        None => Part::multipart(multipart_type, parts).with_content_id(CONTENT_ID),
    };
    Ok(Some(root))
}

/// Adds a `text/plain; charset=utf-8` part where a reader expects it: after the first
/// picture or video (as its caption), first when there is none. Its Content-ID and
/// Content-Location are `text.txt` (`text-N.txt` when taken).
///
/// ```
/// use mm7_model::builder::insert_text;
/// use mm7_model::Part;
///
/// let mut parts = vec![
///     Part::new("audio/amr", &b"#!AMR"[..]),
///     Part::new("image/gif", &b"GIF89a"[..]),
/// ];
/// insert_text(&mut parts, "Saturn tonight");
/// assert_eq!(parts[2].content_id.as_deref(), Some("text.txt"));
/// ```
pub fn insert_text(parts: &mut Vec<Part>, text: &str) {
    let id = smil::unused_content_id(parts, "text", ".txt");
    let part = Part::text(text)
        .with_content_id(id.clone())
        .with_content_location(id);
    let at = parts
        .iter()
        .position(|p| {
            matches!(
                crate::media::Category::of(p.media_type()),
                crate::media::Category::Image | crate::media::Category::Video
            )
        })
        .map_or(0, |i| i + 1);
    parts.insert(at, part);
}

/// Gives every leaf without a Content-ID one, unused elsewhere, so that a SMIL `cid:` can
/// name it.
fn name_parts(parts: &mut [Part]) {
    for index in 0..parts.len() {
        if parts[index].content_id.is_none() {
            let id = smil::unused_content_id(parts, &format!("part-{}", index + 1), "");
            parts[index].content_id = Some(id);
        }
    }
}

/// Builds an [`Envelope`] holding a [`SubmitReq`] and its content.
///
/// Parts added with [`text`](Self::text) and [`part`](Self::part) become the message
/// content: a single part is referenced directly; several are wrapped in a
/// `multipart/mixed` (or [`multipart_type`](Self::multipart_type)). The `Content href`
/// points at the Content-ID of what is attached. [`build`](Self::build) validates the
/// result for the chosen schema.
///
/// ```
/// use mm7_model::{Address, Part, SchemaId, SubmitReq};
///
/// let gif = bytes::Bytes::from_static(b"GIF89a...");
/// let envelope = SubmitReq::builder(SchemaId::Rel6Mm7_1_4)
///     .vasp_id("TNN")
///     .sender(Address::short_code("63901"))
///     .to(Address::number("15551234567"))
///     .subject("Saturn")
///     .text("New pictures of Saturn")
///     .part(Part::new("image/gif", gif).with_content_id("saturn.gif"))
///     .build("tx-0001")?;
///
/// assert_eq!(envelope.mm7_version().map(|v| v.as_str()), Some("6.8.0"));
/// assert_eq!(envelope.content_href(), Some("cid:mm7-content"));
/// assert_eq!(envelope.content().map(|c| c.parts().len()), Some(2));
/// # Ok::<(), mm7_model::ValidationErrors>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct SubmitReqBuilder {
    namespace: Namespace,
    req: SubmitReq,
    parts: Vec<Part>,
    multipart_type: String,
    presentation: Presentation,
    allow_adaptations: Option<bool>,
}

impl SubmitReq {
    /// A builder for `schema`, with that schema's default `MM7Version`.
    pub fn builder(schema: SchemaId) -> SubmitReqBuilder {
        SubmitReqBuilder::new(schema)
    }
}

impl SubmitReqBuilder {
    /// A builder for `schema`, with that schema's default `MM7Version` and an empty
    /// `SenderIdentification` (which the schema requires).
    pub fn new(schema: SchemaId) -> SubmitReqBuilder {
        SubmitReqBuilder {
            namespace: Namespace::canonical(schema),
            req: SubmitReq {
                mm7_version: Mm7Version::for_schema(schema),
                sender_identification: Some(SenderIdentification::default()),
                ..SubmitReq::default()
            },
            parts: Vec::new(),
            multipart_type: "multipart/mixed".to_owned(),
            presentation: Presentation::None,
            allow_adaptations: None,
        }
    }

    /// Uses this namespace (e.g. the `https` spelling a peer insists on); the schema it names
    /// is the one validated against.
    pub fn namespace(mut self, namespace: Namespace) -> Self {
        self.namespace = namespace;
        self
    }

    /// Sends this `MM7Version` instead of the schema's default (many MMSCs want `5.3.0`).
    pub fn mm7_version(mut self, version: impl Into<Mm7Version>) -> Self {
        self.req.mm7_version = version.into();
        self
    }

    fn sender_identification(&mut self) -> &mut SenderIdentification {
        self.req
            .sender_identification
            .get_or_insert_with(SenderIdentification::default)
    }

    /// `VASPID`.
    pub fn vasp_id(mut self, id: impl Into<String>) -> Self {
        self.sender_identification().vasp_id = Some(id.into());
        self
    }

    /// `VASID`.
    pub fn vas_id(mut self, id: impl Into<String>) -> Self {
        self.sender_identification().vas_id = Some(id.into());
        self
    }

    /// `SenderAddress`.
    pub fn sender(mut self, address: Address) -> Self {
        self.sender_identification().sender_address = Some(address);
        self
    }

    /// Adds a `To` recipient.
    pub fn to(mut self, address: Address) -> Self {
        self.req.recipients.to.push(address);
        self
    }

    /// Adds a `Cc` recipient.
    pub fn cc(mut self, address: Address) -> Self {
        self.req.recipients.cc.push(address);
        self
    }

    /// Adds a `Bcc` recipient.
    pub fn bcc(mut self, address: Address) -> Self {
        self.req.recipients.bcc.push(address);
        self
    }

    /// `Subject`.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.req.subject = Some(subject.into());
        self
    }

    /// `ServiceCode`.
    pub fn service_code(mut self, code: impl Into<String>) -> Self {
        self.req.service_code = Some(code.into());
        self
    }

    /// `LinkedID`.
    pub fn linked_id(mut self, id: impl Into<String>) -> Self {
        self.req.linked_id = Some(id.into());
        self
    }

    /// `MessageClass`.
    pub fn message_class(mut self, class: MessageClass) -> Self {
        self.req.message_class = Some(class);
        self
    }

    /// `Priority`.
    pub fn priority(mut self, priority: Priority) -> Self {
        self.req.priority = Some(priority);
        self
    }

    /// `ChargedParty`.
    pub fn charged_party(mut self, party: ChargedParty) -> Self {
        self.req.charged_party = Some(party);
        self
    }

    /// `DeliveryReport`.
    pub fn delivery_report(mut self, wanted: bool) -> Self {
        self.req.delivery_report = Some(wanted);
        self
    }

    /// `ReadReply`.
    pub fn read_reply(mut self, wanted: bool) -> Self {
        self.req.read_reply = Some(wanted);
        self
    }

    /// `DistributionIndicator`.
    pub fn distribution_indicator(mut self, forwardable: bool) -> Self {
        self.req.distribution_indicator = Some(forwardable);
        self
    }

    /// `ExpiryDate`: an absolute [`DateTime`](crate::DateTime) or a
    /// [`Duration`](crate::Duration) such as `Duration::days(1)`.
    pub fn expiry(mut self, when: impl Into<RelativeOrAbsolute>) -> Self {
        self.req.expiry_date = Some(when.into());
        self
    }

    /// `EarliestDeliveryTime`.
    pub fn earliest_delivery(mut self, when: impl Into<RelativeOrAbsolute>) -> Self {
        self.req.earliest_delivery_time = Some(when.into());
        self
    }

    /// `ApplicID` (REL-6).
    pub fn applic_id(mut self, id: impl Into<String>) -> Self {
        self.req.applic_id = Some(id.into());
        self
    }

    /// `ReplyApplicID` (REL-6).
    pub fn reply_applic_id(mut self, id: impl Into<String>) -> Self {
        self.req.reply_applic_id = Some(id.into());
        self
    }

    /// The `allowAdaptations` attribute of `Content`.
    pub fn allow_adaptations(mut self, allow: bool) -> Self {
        self.allow_adaptations = Some(allow);
        self
    }

    /// Adds a `text/plain; charset=utf-8` part.
    pub fn text(mut self, text: &str) -> Self {
        self.parts.push(Part::text(text));
        self
    }

    /// Adds a part.
    pub fn part(mut self, part: Part) -> Self {
        self.parts.push(part);
        self
    }

    /// The media type of the wrapper for several parts (default `multipart/mixed`; some
    /// MMSCs want `multipart/related` with a SMIL part first).
    pub fn multipart_type(mut self, media_type: impl Into<String>) -> Self {
        self.multipart_type = media_type.into();
        self
    }

    /// Leads the parts with a SMIL presentation ([`Presentation::Auto`] generates one), in
    /// a `multipart/related` (see [`assemble_content`]).
    pub fn smil(mut self, presentation: Presentation) -> Self {
        self.presentation = presentation;
        self
    }

    /// Sets anything else directly on the request.
    pub fn with(mut self, f: impl FnOnce(&mut SubmitReq)) -> Self {
        f(&mut self.req);
        self
    }

    /// Assembles and validates the envelope. `mm7-transport`'s `Client::submit_envelope`
    /// sends it as built (this TransactionID, this namespace) and answers with the typed
    /// `SubmitRsp`.
    ///
    /// # Errors
    /// [`ValidationErrors`] when the request lacks what the schema requires (a recipient,
    /// `MM7Version`) or uses elements it does not define.
    pub fn build(self, transaction_id: impl Into<String>) -> Result<Envelope, ValidationErrors> {
        let SubmitReqBuilder {
            namespace,
            mut req,
            parts,
            multipart_type,
            presentation,
            allow_adaptations,
        } = self;
        let content = assemble_content(parts, &multipart_type, presentation)
            .map_err(|e| ValidationErrors(vec![ValidationError::from(e)]))?;
        let mut attachments = Vec::new();
        if let Some(content) = content {
            let id = content.content_id.clone().unwrap_or_default();
            req.content = Some(ContentRef {
                allow_adaptations,
                ..ContentRef::cid(&id)
            });
            attachments.push(content);
        } else if let (Some(allow), Some(content)) = (allow_adaptations, req.content.as_mut()) {
            content.allow_adaptations = Some(allow);
        }
        let envelope = Envelope {
            transaction_id: transaction_id.into(),
            namespace,
            message: req.into(),
            attachments,
        };
        validate::envelope(&envelope)?;
        Ok(envelope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::ValidationError;

    #[test]
    fn single_part_is_referenced_directly() {
        let env = SubmitReq::builder(SchemaId::Rel5Mm7_1_3)
            .to(Address::number("1"))
            .part(Part::new("image/png", &b"png"[..]).with_content_id("<p1>"))
            .allow_adaptations(false)
            .build("t")
            .unwrap();
        assert_eq!(env.content_href(), Some("cid:p1"));
        assert_eq!(env.content().map(Part::media_type), Some("image/png"));
        let crate::Message::SubmitReq(req) = &env.message else {
            panic!("not a SubmitReq")
        };
        assert_eq!(
            req.content.as_ref().and_then(|c| c.allow_adaptations),
            Some(false)
        );
        assert_eq!(req.mm7_version.as_str(), "5.6.0");
    }

    #[test]
    fn a_generated_presentation_leads_the_parts() {
        let env = SubmitReq::builder(SchemaId::Rel6Mm7_1_4)
            .to(Address::number("1"))
            .part(Part::new("image/gif", &b"GIF89a"[..]).with_content_id("saturn.gif"))
            .text("Saturn tonight")
            .smil(Presentation::Auto(SmilOptions::default()))
            .build("t")
            .unwrap();
        assert_eq!(env.content_href(), Some("cid:mm7-content"));
        let root = env.content().unwrap();
        assert_eq!(root.media_type(), "multipart/related");
        let ids: Vec<_> = root
            .parts()
            .iter()
            .map(|p| p.content_id.as_deref().unwrap())
            .collect();
        assert_eq!(ids, ["presentation.smil", "saturn.gif", "part-2"]);
        let smil = std::str::from_utf8(root.parts()[0].data().unwrap()).unwrap();
        assert!(
            smil.contains("cid:saturn.gif") && smil.contains("cid:part-2"),
            "{smil}"
        );
        assert_eq!(
            root.root().and_then(|p| p.content_id.as_deref()),
            Some("presentation.smil")
        );
    }

    #[test]
    fn a_given_presentation_is_kept_and_none_without_parts_is_refused() {
        let given = bytes::Bytes::from_static(b"<smil/>");
        let root = assemble_content(
            vec![Part::text("hi").with_content_id("presentation.smil")],
            "multipart/mixed",
            Presentation::Given(given.clone()),
        )
        .unwrap()
        .unwrap();
        assert_eq!(root.parts()[0].data(), Some(&given));
        assert_eq!(
            root.param("start").as_deref(),
            Some("<presentation-2.smil>")
        );
        let err = SubmitReq::builder(SchemaId::Rel6Mm7_1_4)
            .to(Address::number("1"))
            .smil(Presentation::Auto(SmilOptions::default()))
            .build("t")
            .unwrap_err();
        assert!(matches!(
            err.errors(),
            [ValidationError::Presentation(SmilError::Empty)]
        ));
    }

    #[test]
    fn missing_recipients_refused() {
        let err = SubmitReq::builder(SchemaId::Rel6Mm7_1_4)
            .text("hi")
            .build("t")
            .unwrap_err();
        assert!(err.errors().iter().any(|e| matches!(
            e,
            ValidationError::Missing {
                element: "Recipients",
                ..
            }
        )));
    }

    #[test]
    fn rel6_element_refused_for_rel5() {
        let b = SubmitReq::builder(SchemaId::Rel5Mm7_1_2)
            .to(Address::number("1"))
            .applic_id("app");
        assert!(b.clone().build("t").is_err());
        let ok = b
            .namespace(Namespace::canonical(SchemaId::Rel6Mm7_1_4))
            .build("t");
        assert!(ok.is_ok());
    }
}
