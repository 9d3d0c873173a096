//! The mock MMSC's answers: what it checks, stores and reports of each request.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use mm7_model::{
    Address, CancelReq, CancelRsp, Part, ReplaceReq, ReplaceRsp, StatusCode, SubmitReq, SubmitRsp,
};
use mm7_transport::profile::Violation;
use mm7_transport::server::{Handler, HandlerError, HandlerResult, Inbound};
use serde_json::json;

use super::Settings;
use super::report;
use crate::client;
use crate::events::Events;
use crate::serve::Keeper;

/// What the handler and the delivery reports it schedules share.
pub(super) struct State {
    keeper: Keeper,
    pub(super) events: Events,
    pub(super) settings: Settings,
    run_id: String,
    next_id: AtomicU64,
    /// MessageID → whether it was cancelled.
    messages: Mutex<HashMap<String, bool>>,
}

/// The mock MMSC's handler.
#[derive(Clone)]
pub(super) struct Mmsc(Arc<State>);

impl Mmsc {
    /// A handler keeping requests with `keeper`, its MessageIDs unique to this run.
    pub(super) fn new(keeper: Keeper, events: Events, settings: Settings) -> Mmsc {
        let run_id = client::now()
            .map(|t| format!("{:x}", t.to_unix()))
            .unwrap_or_default();
        Mmsc(Arc::new(State {
            keeper,
            events,
            settings,
            run_id,
            next_id: AtomicU64::new(1),
            messages: Mutex::new(HashMap::new()),
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

    /// Stores, next to a submission without SMIL, the presentation its provider's MMSC
    /// would generate for it (optus, ezitxt).
    fn store_generated_smil(&self, inbound: &Inbound<SubmitReq>, dir: &Path) -> HandlerResult<()> {
        let profile = self.settings.profile;
        let tx = &inbound.transaction_id;
        // The presentation references the media parts, not the multipart that holds them.
        let leaves: Vec<Part> = inbound
            .attachments
            .iter()
            .flat_map(Part::leaves)
            .cloned()
            .collect();
        let (human, value) = match profile.generated_smil(&leaves) {
            Ok(None) => return Ok(()),
            Ok(Some(smil)) => {
                let path = dir.join("generated.smil");
                let data = smil.data().map(|d| d.as_ref()).unwrap_or_default();
                crate::io::write_file(&path, data).map_err(|e| {
                    HandlerError::server_error(format!("cannot store the message: {e}"))
                })?;
                (
                    format!("generated a SMIL presentation: {}", path.display()),
                    json!({"event": "GeneratedSmil", "profile": profile.name(),
                           "transaction_id": tx, "generated_smil": path}),
                )
            }
            // The provider's MMSC would deliver the message without a presentation.
            Err(e) => (
                format!("no SMIL presentation generated: {e}"),
                json!({"event": "GeneratedSmil", "profile": profile.name(),
                       "transaction_id": tx, "error": e.to_string()}),
            ),
        };
        self.events.emit(
            &format!("SubmitReq {tx} under the {profile} profile: {human}"),
            value,
        );
        Ok(())
    }

    /// Whether the message was cancelled since it was submitted.
    pub(super) fn cancelled(&self, message_id: &str) -> bool {
        self.messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(message_id)
            .copied()
            .unwrap_or(false)
    }

    /// A new MessageID, recorded as not cancelled.
    fn new_message(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let message_id = format!("{}-{n:04}", self.run_id);
        self.messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(message_id.clone(), false);
        message_id
    }

    /// Stores a request (`operation`) about the submission `message_id`, applies it with
    /// `apply` (which says whether the MessageID is known), reports it (`done` when known),
    /// and refuses it when the MessageID is unknown.
    fn on_submission<T: Clone + Into<mm7_model::Message>>(
        &self,
        operation: &str,
        inbound: &Inbound<T>,
        message_id: &str,
        apply: impl FnOnce(&mut HashMap<String, bool>) -> bool,
        done: &str,
    ) -> HandlerResult<()> {
        let stored = self.keeper.keep(inbound)?;
        let known = apply(&mut self.messages.lock().unwrap_or_else(PoisonError::into_inner));
        self.events.emit(
            &format!(
                "{operation} {} for {message_id}: {}",
                inbound.transaction_id,
                if known {
                    done
                } else {
                    "unknown MessageID (2005)"
                }
            ),
            json!({
                "event": operation,
                "transaction_id": inbound.transaction_id,
                "message_id": message_id,
                "known": known,
                "store": stored.dir,
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
        let stored = state.keeper.keep(&inbound)?;
        for note in &notes {
            state.note(&inbound.transaction_id, note);
        }
        state.store_generated_smil(&inbound, &stored.dir)?;
        let message_id = state.new_message();
        let recipients: Vec<Address> = inbound.request.recipients.iter().cloned().collect();
        let names: Vec<&str> = recipients.iter().map(|a| a.value.as_str()).collect();
        let parts = stored.report["attachments"].as_array().map_or(0, Vec::len);
        state.events.emit(
            &format!(
                "SubmitReq {} to {} ({parts} part{}) → MessageID {message_id}, stored in {}",
                inbound.transaction_id,
                names.join(", "),
                if parts == 1 { "" } else { "s" },
                stored.dir.display()
            ),
            json!({
                "event": "SubmitReq",
                "transaction_id": inbound.transaction_id,
                "message_id": message_id,
                "recipients": names,
                "attachments": parts,
                "store": stored.dir,
            }),
        );
        report::schedule(&self.0, &inbound, &message_id, recipients);
        Ok(SubmitRsp::success(inbound.mm7_version.clone(), message_id))
    }

    async fn cancel(&self, inbound: Inbound<CancelReq>) -> HandlerResult<CancelRsp> {
        let message_id = &inbound.request.message_id;
        let cancel = |messages: &mut HashMap<String, bool>| {
            messages
                .get_mut(message_id)
                .map(|cancelled| *cancelled = true)
                .is_some()
        };
        self.0
            .on_submission("CancelReq", &inbound, message_id, cancel, "cancelled")?;
        Ok(CancelRsp::success(inbound.mm7_version.clone()))
    }

    async fn replace(&self, inbound: Inbound<ReplaceReq>) -> HandlerResult<ReplaceRsp> {
        let message_id = &inbound.request.message_id;
        let known = |messages: &mut HashMap<String, bool>| messages.contains_key(message_id);
        self.0.on_submission(
            "ReplaceReq",
            &inbound,
            message_id,
            known,
            "content replaced",
        )?;
        Ok(ReplaceRsp::success(inbound.mm7_version.clone()))
    }
}
