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
use super::{Cx, Failure, Node};

/// A response of `genericResponseType`, built by `build`.
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

decode_body! {
    /// `SubmitRsp`: a generic response with an optional `MessageID`.
    fn submit_rsp -> SubmitRsp {
        "Status" => req status: |cx, n| cx.status(n, Operation::SubmitRsp),
        "MessageID" => opt message_id: Cx::token,
    }
}

decode_body! {
    /// `DeliverRsp`: a generic response with an optional `ServiceCode`.
    fn deliver_rsp -> DeliverRsp {
        "Status" => req status: |cx, n| cx.status(n, Operation::DeliverRsp),
        "ServiceCode" => opt service_code: Cx::token,
    }
}

/// `extendedCancelRsp`: its `Status` has a `StatusCode` only.
pub(super) fn extended_cancel_rsp(
    cx: &mut Cx<'_, '_>,
    root: Node<'_, '_>,
) -> Result<ExtendedCancelRsp, Failure> {
    generic(
        cx,
        root,
        Operation::ExtendedCancelRsp,
        ExtendedCancelRsp::new,
    )
}

decode_body! {
    /// `extendedReplaceRsp`: `MM7Version`, `MessageID`, `Status` (a `StatusCode` only).
    fn extended_replace_rsp -> ExtendedReplaceRsp {
        "MessageID" => id message_id: Cx::token,
        "Status" => req status: |cx, n| cx.status(n, Operation::ExtendedReplaceRsp),
    }
}
