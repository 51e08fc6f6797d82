//! `GET /api/v1/sync/pull?since=CURSOR`: what changed for a device since its cursor —
//! the reference data of its officer's scope, the trust list and the revocation list —
//! with the new cursor. The cursor names what the device holds:
//! `r<reference hash>.t<trust list version>.v<revocation list version>`.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use jiff::Timestamp;
use mahasil_domain::authz::Action;
use mahasil_domain::jurisdiction::Level;
use mahasil_sync::challan::{DistrictRef, HeadRef, Reference};
use mahasil_sync::wire::{DeviceState, MAX_REFERENCE_AGE_HOURS, OfficerState, PullAnswer, ScopePair};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::signed::{self, SignedDevice};
use crate::api::ApiQuery;
use crate::auth::session::principal_of;
use crate::error::{ApiError, ApiResult};
use crate::seals::revocations;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PullQuery {
    /// The cursor of the last pull applied; absent for everything.
    pub since: Option<String>,
}

/// What a device holds, as its cursor says.
#[derive(Debug, Default, PartialEq, Eq)]
struct Cursor {
    reference: String,
    trust: u64,
    revocations: u64,
}

impl Cursor {
    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let reference = parts.next()?.strip_prefix('r')?.to_string();
        let trust = parts.next()?.strip_prefix('t')?.parse().ok()?;
        let revocations = parts.next()?.strip_prefix('v')?.parse().ok()?;
        (parts.next().is_none() && reference.len() == 16 && reference.bytes().all(|b| b.is_ascii_hexdigit())).then_some(Self { reference, trust, revocations })
    }

    fn text(&self) -> String {
        format!("r{}.t{}.v{}", self.reference, self.trust, self.revocations)
    }
}

#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "devices", params(PullQuery),
    description = "Signed by the device key (see docs/SYNC.md). Parts unchanged since the cursor are null.",
    responses((status = 200, body = PullAnswer), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn pull(State(state): State<AppState>, uri: Uri, headers: HeaderMap, ApiQuery(q): ApiQuery<PullQuery>) -> ApiResult<Json<PullAnswer>> {
    let now = Timestamp::now();
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let SignedDevice { device, .. } = signed::authenticate(&state, "GET", path, &headers, b"", now).await?;
    let held = match q.since.as_deref() {
        None | Some("") => Cursor::default(),
        Some(text) => Cursor::parse(text).ok_or_else(|| ApiError::bad_request(format!("since={text:?} is not a cursor this server gave")))?,
    };
    let officer = state.store.user(device.officer_id).await?.ok_or_else(ApiError::internal)?;
    let principal = principal_of(&officer);
    let scope = principal.scope(Action::IssueChallan);

    let districts: Vec<_> = state.store.jurisdictions().await?.into_iter().filter(|j| j.level == Level::District).collect();
    let mut heads = Vec::new();
    for head in state.store.heads().await?.into_iter().filter(|h| h.active) {
        if districts.iter().any(|d| scope.contains(&d.slug, &head.department))
            && let Some(found) = state.head(&head.code).await?
        {
            heads.push(HeadRef { head: found.head, schedules: found.schedules });
        }
    }
    let mut pairs = BTreeSet::new();
    for d in &districts {
        for h in &heads {
            if scope.contains(&d.slug, &h.head.department) {
                pairs.insert((d.slug.to_string(), h.head.department.to_string()));
            }
        }
    }
    let reference = Reference {
        districts: districts
            .iter()
            .filter(|d| pairs.iter().any(|(slug, _)| slug == d.slug.as_str()))
            .map(|d| DistrictRef { slug: d.slug.to_string(), name_en: d.name_en.clone(), name_ur: d.name_ur.clone() })
            .collect(),
        heads,
    };
    let reference_json = serde_json::to_vec(&reference).map_err(|_| ApiError::internal())?;
    let reference_hash = hex::encode(&Sha256::digest(&reference_json)[..8]);

    let trust = state.seals.bundle();
    let signed = revocations::signed(&state.seals, &state.store, held.revocations, now)
        .await
        .map_err(|e| ApiError::unavailable(format!("cannot sign the revocation list: {e}")))?;
    let cursor = Cursor { reference: reference_hash.clone(), trust: trust.version, revocations: signed.version };
    state.store.record_device_sync(device.id, now).await?;
    Ok(Json(PullAnswer {
        cursor: cursor.text(),
        server_time: now,
        max_age_hours: MAX_REFERENCE_AGE_HOURS,
        device: DeviceState { status: device.status.as_str().into(), issuer_no: device.issuer_no.get(), last_counter_received: device.last_counter_received },
        officer: OfficerState {
            user_id: officer.id,
            username: officer.username.clone(),
            display_name: officer.display_name.clone(),
            scope: pairs.into_iter().map(|(district, department)| ScopePair { district, department }).collect(),
        },
        reference: (held.reference != reference_hash).then_some(reference),
        trust_list: (held.trust != trust.version).then_some(trust),
        revocations: signed.document.is_some().then_some(signed),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor { reference: "0123456789abcdef".into(), trust: 4, revocations: 9 };
        assert_eq!(Cursor::parse(&c.text()), Some(c));
        for bad in ["", "r0123.t1.v1", "r0123456789abcdef.t1", "r0123456789abcdef.t1.v1.x", "x0123456789abcdef.t1.v1", "r0123456789abcdeg.t1.v1"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
