//! Requests signed by a device key (no session: a device offline for a week still syncs).
//! Checked in an order that lets nothing unauthenticated write: headers → the device →
//! the timestamp window → the signature → the nonce, claimed only for a good signature.

use axum::http::{HeaderMap, StatusCode};
use jiff::Timestamp;
use mahasil_seal::PublicKey;
use mahasil_store::DeviceRecord;
use mahasil_sync::signing::{HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, REQUEST_WINDOW_S, SignedHeaders};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A device whose request verified, with its key.
pub struct SignedDevice {
    pub device: DeviceRecord,
    pub key: PublicKey,
}

fn refused(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

/// Authenticates a request of `method` to `path_and_query` with `body`.
pub async fn authenticate(state: &AppState, method: &str, path_and_query: &str, headers: &HeaderMap, body: &[u8], now: Timestamp) -> ApiResult<SignedDevice> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = SignedHeaders::parse(header(HEADER_DEVICE), header(HEADER_TIMESTAMP), header(HEADER_NONCE), header(HEADER_SIGNATURE))
        .map_err(|e| refused(format!("not a signed device request: {e}")))?;
    let device = state.store.device(signed.device).await?.ok_or_else(|| refused(format!("no device {} is enrolled", signed.device)))?;
    let skew = signed.timestamp_s - now.as_second();
    if skew.abs() > REQUEST_WINDOW_S {
        return Err(refused(format!(
            "the request's timestamp is {skew} s from the server's clock (at most {REQUEST_WINDOW_S} s): estimate the server's clock from the Date header"
        )));
    }
    let key = PublicKey::from_sec1(&device.public_key).map_err(|_| ApiError::internal())?;
    if !signed.verifies(&key, method, path_and_query, body) {
        return Err(refused("the request's signature does not verify with the device's key"));
    }
    if !state.store.claim_sync_nonce(device.id, &signed.nonce, now).await? {
        return Err(refused("this nonce was already used: a replayed request is refused"));
    }
    Ok(SignedDevice { device, key })
}
