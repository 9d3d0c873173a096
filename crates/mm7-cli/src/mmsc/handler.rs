//! The mock MMSC's answers: what it checks, stores and reports of each request.

use std::sync::Arc;

use mm7_model::{
    Address, CancelReq, CancelRsp, Part, ReplaceReq, ReplaceRsp, StatusCode, SubmitReq, SubmitRsp,
};
use mm7_store::NewPart;
use mm7_transport::profile::Violation;
use mm7_transport::server::{Handler, HandlerError, HandlerResult, Inbound};
use serde_json::json;

use super::Settings;
use super::report;
use crate::client;
use crate::events::Events;
use crate::serve::Keeper;

/// What the handler shares with the outbox sender.
pub(super) struct State {
    pub(super) keeper: Keeper,
    pub(super) events: Events,
    pub(super) settings: Settings,
}

/// The mock MMSC's handler.
#[derive(Clone)]
pub(super) struct Mmsc(pub(super) Arc<State>);

impl Mmsc {
    /// A handler keeping requests with `keeper`.
    pub(super) fn new(keeper: Keeper, events: Events, settings: Settings) -> Mmsc {
        Mmsc(Arc::new(State {
            keeper,
            events,
            settings,
        }))
    }
}

impl State {
    /// The profile's judgement of a submission: the rules it lets through, or the provider's
    /// refusal (also printed as an event).
    fn screen(&self, inbound: &Inbound<SubmitReq>) -> HandlerResult<Vec<Violation>> {
        let profile = self.settings.profile;
        profile.screen_submit(inbound).inspect_err(|refusal| {
            let status = refusal.status();
            self.events.emit(
                &format!(
                    "SubmitReq {} refused under the {profile} profile: {}",
                    inbound.transaction_id,
                    client::status_line(status)
                ),
                json!({
                    "event": "SubmitRefused",
                    "profile": profile.name(),
                    "transaction_id": inbound.transaction_id,
                    "status_code": status.code.get(),
                    "status_text": status.text,
                }),
            );
        })
    }

    /// Prints a rule of the profile that a submission breaks without being refused.
    fn note(&self, transaction_id: &str, violation: &Violation) {
        let profile = self.settings.profile;
        self.events.emit(
            &format!("SubmitReq {transaction_id} under the {profile} profile: {violation}"),
            json!({
                "event": "ProfileNote",
                "profile": profile.name(),
                "transaction_id": transaction_id,
                "violation": client::violation_json(violation),
            }),
        );
    }

    /// The presentation the provider's MMSC would generate for a submission without SMIL
    /// (optus, ezitxt), to store with it as `generated.smil`.
    fn generated_smil(&self, inbound: &Inbound<SubmitReq>) -> Option<NewPart> {
        let profile = self.settings.profile;
        let tx = &inbound.transaction_id;
        // The presentation references the media parts, not the multipart that holds them.
        let leaves: Vec<Part> = inbound
            .attachments
            .iter()
            .flat_map(Part::leaves)
            .cloned()
            .collect();
        let (part, human, value) = match profile.generated_smil(&leaves) {
            Ok(None) => return None,
            Ok(Some(smil)) => {
                let data = smil.data().cloned().unwrap_or_default();
                (
                    Some(NewPart::new("generated.smil", "application/smil", data)),
                    "generated a SMIL presentation (generated.smil)".to_owned(),
                    json!({"event": "GeneratedSmil", "profile": profile.name(),
                           "transaction_id": tx, "generated_smil": "generated.smil"}),
                )
            }
            // The provider's MMSC would deliver the message without a presentation.
            Err(e) => (
                None,
                format!("no SMIL presentation generated: {e}"),
                json!({"event": "GeneratedSmil", "profile": profile.name(),
                       "transaction_id": tx, "error": e.to_string()}),
            ),
        };
        self.events.emit(
            &format!("SubmitReq {tx} under the {profile} profile: {human}"),
            value,
        );
        part
    }

    /// Stores a request (`operation`) about the submission `message_id`, applies it with
    /// `apply` (which says whether the MessageID is known), reports it (`done` when known),
    /// and refuses it when the MessageID is unknown.
    async fn on_submission<T: Clone + Into<mm7_model::Message>>(
        &self,
        operation: &str,
        inbound: &Inbound<T>,
        message_id: &str,
        cancel: bool,
        done: &str,
    ) -> HandlerResult<()> {
        let kept = self
            .keeper
            .keep(inbound, None, Vec::new(), Vec::new())
            .await?;
        let store = &self.keeper.store;
        let known = if cancel {
            store.cancel_outbox(message_id).await.map(|n| n.is_some())
        } else {
            store.knows(message_id).await
        }
        .map_err(|error| {
            tracing::error!(%error, "cannot read the store");
            HandlerError::server_error("the store could not be read")
        })?;
        self.events.emit(
            &format!(
                "{operation} {} for {message_id}: {} (store id {})",
                inbound.transaction_id,
                if known {
                    done
                } else {
                    "unknown MessageID (2005)"
                },
                kept.accepted.id
            ),
            json!({
                "event": operation,
                "transaction_id": inbound.transaction_id,
                "message_id": message_id,
                "known": known,
                "id": kept.accepted.id,
            }),
        );
        if !known {
            return Err(HandlerError::from_code(StatusCode::MESSAGE_ID_NOT_FOUND));
        }
        Ok(())
    }
}

impl Handler for Mmsc {
    async fn submit(&self, inbound: Inbound<SubmitReq>) -> HandlerResult<SubmitRsp> {
        let state = &self.0;
        let notes = state.screen(&inbound)?;
        let message_id = mm7_store::new_message_id().map_err(|error| {
            tracing::error!(%error, "no MessageID");
            HandlerError::server_error("no MessageID could be made")
        })?;
        let recipients: Vec<Address> = inbound.request.recipients.iter().cloned().collect();
        let outbox = report::rows(state, &inbound, &message_id, &recipients);
        let extra: Vec<NewPart> = state.generated_smil(&inbound).into_iter().collect();
        let kept = state
            .keeper
            .keep(&inbound, Some(message_id), outbox, extra)
            .await?;
        let message_id = kept.accepted.message_id.clone().unwrap_or_default();
        if kept.accepted.duplicate {
            state.events.emit(
                &format!(
                    "SubmitReq {} repeated (a retry): answered again with MessageID {message_id}, nothing new stored",
                    inbound.transaction_id
                ),
                json!({"event": "SubmitRetry", "transaction_id": inbound.transaction_id,
                       "message_id": message_id, "id": kept.accepted.id}),
            );
            return Ok(SubmitRsp::success(inbound.mm7_version.clone(), message_id));
        }
        for note in &notes {
            state.note(&inbound.transaction_id, note);
        }
        let names: Vec<&str> = recipients.iter().map(|a| a.value.as_str()).collect();
        let parts = kept.report["attachments"].as_array().map_or(0, Vec::len);
        state.events.emit(
            &format!(
                "SubmitReq {} to {} ({parts} part{}) → MessageID {message_id}, store id {}",
                inbound.transaction_id,
                names.join(", "),
                if parts == 1 { "" } else { "s" },
                kept.accepted.id
            ),
            json!({
                "event": "SubmitReq",
                "transaction_id": inbound.transaction_id,
                "message_id": message_id,
                "recipients": names,
                "attachments": parts,
                "id": kept.accepted.id,
            }),
        );
        report::say_without_callback(state, &inbound, &message_id);
        Ok(SubmitRsp::success(inbound.mm7_version.clone(), message_id))
    }

    async fn cancel(&self, inbound: Inbound<CancelReq>) -> HandlerResult<CancelRsp> {
        let message_id = inbound.request.message_id.clone();
        self.0
            .on_submission("CancelReq", &inbound, &message_id, true, "cancelled")
            .await?;
        Ok(CancelRsp::success(inbound.mm7_version.clone()))
    }

    async fn replace(&self, inbound: Inbound<ReplaceReq>) -> HandlerResult<ReplaceRsp> {
        let message_id = inbound.request.message_id.clone();
        self.0
            .on_submission(
                "ReplaceReq",
                &inbound,
                &message_id,
                false,
                "content replaced",
            )
            .await?;
        Ok(ReplaceRsp::success(inbound.mm7_version.clone()))
    }
}
