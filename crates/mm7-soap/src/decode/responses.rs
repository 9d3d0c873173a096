//! The responses: `SubmitRsp`, `DeliverRsp`, `extendedReplaceRsp`, and those of
//! `genericResponseType` (`MM7Version`, `Status`), the error responses included.

use mm7_model::schema::MessageElements;
use mm7_model::{
    DeliverRsp, ExtendedCancelRsp, ExtendedReplaceRsp, Mm7Version, Operation, Status, SubmitRsp,
};

use super::{Cx, Failure, Node};

/// Reads `MM7Version` and `Status` of a response, handing every other child to `extra`,
/// which says whether it took it.
fn response<'t, 'a>(
    cx: &mut Cx<'_, '_>,
    root: Node<'t, 'a>,
    op: Operation,
    mut extra: impl FnMut(&mut Cx<'_, '_>, Node<'t, 'a>) -> Result<bool, Failure>,
) -> Result<(Mm7Version, Status), Failure> {
    let mut version = Mm7Version::default();
    let mut status = None;
    for c in root.children() {
        match c.local() {
            "MM7Version" => cx.version(&mut version, c),
            "Status" => cx.once(&mut status, c, |cx, n| cx.status(n, op))?,
            _ => {
                if !extra(cx, c)? {
                    cx.unknown(c, root);
                }
            }
        }
    }
    let status = status.ok_or_else(|| Failure::missing("Status", root))?;
    Ok((version, status))
}

/// A response of `genericResponseType`, built by `build`.
pub(super) fn generic<M: MessageElements>(
    cx: &mut Cx<'_, '_>,
    root: Node<'_, '_>,
    op: Operation,
    build: impl FnOnce(Mm7Version, Status) -> M,
) -> Result<M, Failure> {
    let (version, status) = response(cx, root, op, |_, _| Ok(false))?;
    let m = build(version, status);
    cx.check_required(&m, root)?;
    Ok(m)
}

/// `SubmitRsp`: a generic response with an optional `MessageID`.
pub(super) fn submit_rsp(cx: &mut Cx<'_, '_>, root: Node<'_, '_>) -> Result<SubmitRsp, Failure> {
    let mut message_id = None;
    let (version, status) = response(cx, root, Operation::SubmitRsp, |cx, c| match c.local() {
        "MessageID" => cx.once(&mut message_id, c, Cx::token).map(|()| true),
        _ => Ok(false),
    })?;
    let m = SubmitRsp {
        mm7_version: version,
        status,
        message_id,
    };
    cx.check_required(&m, root)?;
    Ok(m)
}

/// `DeliverRsp`: a generic response with an optional `ServiceCode`.
pub(super) fn deliver_rsp(cx: &mut Cx<'_, '_>, root: Node<'_, '_>) -> Result<DeliverRsp, Failure> {
    let mut service_code = None;
    let (version, status) = response(cx, root, Operation::DeliverRsp, |cx, c| match c.local() {
        "ServiceCode" => cx.once(&mut service_code, c, Cx::token).map(|()| true),
        _ => Ok(false),
    })?;
    let m = DeliverRsp {
        mm7_version: version,
        status,
        service_code,
    };
    cx.check_required(&m, root)?;
    Ok(m)
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

/// `extendedReplaceRsp`: `MM7Version`, `MessageID`, `Status` (a `StatusCode` only).
pub(super) fn extended_replace_rsp(
    cx: &mut Cx<'_, '_>,
    root: Node<'_, '_>,
) -> Result<ExtendedReplaceRsp, Failure> {
    let mut message_id = None;
    let (version, status) = response(cx, root, Operation::ExtendedReplaceRsp, |cx, c| {
        match c.local() {
            "MessageID" => cx.once(&mut message_id, c, Cx::token).map(|()| true),
            _ => Ok(false),
        }
    })?;
    let m = ExtendedReplaceRsp {
        mm7_version: version,
        message_id: message_id.unwrap_or_default(),
        status,
    };
    cx.check_required(&m, root)?;
    Ok(m)
}
