//! The responses: `SubmitRsp`, `DeliverRsp`, `extendedReplaceRsp`, and those of
//! `genericResponseType` (`MM7Version`, `Status`), the error responses included.
//!
//! A response is refused only when it lacks its `Status`, which is what it is for (see the
//! module documentation of [`super`]).

use mm7_model::schema::MessageElements;
use mm7_model::{
    DeliverRsp, ExtendedCancelRsp, ExtendedReplaceRsp, Mm7Version, Operation, Status, SubmitRsp,
};

use super::body::decode_body;
use super::stream::{Stop, Walker};
use super::{Cx, Failure, Node};
use crate::xml::Element;

/// A response of `genericResponseType` from a tree (the error response in a Fault's
/// `detail`), built by `build`.
pub(super) fn generic<M: MessageElements>(
    cx: &mut Cx<'_, '_>,
    root: Node<'_, '_>,
    op: Operation,
    build: impl FnOnce(Mm7Version, Status) -> M,
) -> Result<M, Failure> {
    let mut version = Mm7Version::default();
    let mut status = None;
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut version, c),
            "Status" => cx.once(&mut status, c, |cx, n| cx.status(n, op))?,
            _ => cx.unknown(c, root),
        }
    }
    let status = status.ok_or_else(|| Failure::missing("Status", root))?;
    let m = build(version, status);
    cx.check_required(&m, root)?;
    Ok(m)
}

/// A response of `genericResponseType` read from the reader's events, built by `build`.
pub(super) fn generic_stream<'a, M: MessageElements>(
    w: &mut Walker<'_, 'a>,
    cx: &mut Cx<'_, '_>,
    root: Element<'a>,
    op: Operation,
    build: impl FnOnce(Mm7Version, Status) -> M,
) -> Result<M, Stop> {
    let mut version = Mm7Version::default();
    let mut status = None;
    let mut own = None;
    while let Some(c) = w.next_child(&mut own)? {
        match c.local {
            "MM7Version" => w.version(cx, &mut version, c)?,
            "Status" if status.is_some() => {
                cx.lenient(c, format_args!("repeated <{}> ignored", c.local));
                w.skip()?;
            }
            "Status" => status = Some(w.status(cx, c, op)?),
            _ => {
                cx.unknown(c, root);
                w.skip()?;
            }
        }
    }
    let status = status.ok_or_else(|| Failure::missing("Status", root))?;
    let m = build(version, status);
    cx.check_required(&m, root)?;
    Ok(m)
}

decode_body! {
    /// `SubmitRsp`: a generic response with an optional `MessageID`.
    fn submit_rsp -> SubmitRsp {
        "Status" => req status: status Operation::SubmitRsp,
        "MessageID" => opt message_id: text Cx::token,
    }
}

decode_body! {
    /// `DeliverRsp`: a generic response with an optional `ServiceCode`.
    fn deliver_rsp -> DeliverRsp {
        "Status" => req status: status Operation::DeliverRsp,
        "ServiceCode" => opt service_code: text Cx::token,
    }
}

/// `extendedCancelRsp`: its `Status` has a `StatusCode` only.
pub(super) fn extended_cancel_rsp<'a>(
    w: &mut Walker<'_, 'a>,
    cx: &mut Cx<'_, '_>,
    root: Element<'a>,
) -> Result<ExtendedCancelRsp, Stop> {
    generic_stream(
        w,
        cx,
        root,
        Operation::ExtendedCancelRsp,
        ExtendedCancelRsp::new,
    )
}

decode_body! {
    /// `extendedReplaceRsp`: `MM7Version`, `MessageID`, `Status` (a `StatusCode` only).
    fn extended_replace_rsp -> ExtendedReplaceRsp {
        "MessageID" => id message_id: text Cx::token,
        "Status" => req status: status Operation::ExtendedReplaceRsp,
    }
}
