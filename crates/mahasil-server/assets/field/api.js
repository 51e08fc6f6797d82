// Talking to the server: sign-in and enrolment with the officer's bearer token, and the
// device-signed sync requests of docs/SYNC.md ("Signed requests"), stamped with the
// server's clock as this device estimates it from the `Date` header of every answer.
//
// Every answer (or its absence) is reported through `onOutcome`, so the status bar can
// say "offline" when the network is down even where `navigator.onLine` says otherwise.

import { signedRequestHeaders } from './device-keys.js';

/** A request that takes longer than this counts as failed: roadside networks hang. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** A 401 whose `Date` moves the clock estimate by this much is retried once, newly stamped. */
const CLOCK_RETRY_S = 60;
/** Answers that mean "a proxy could not reach the server", as good as no network. */
const UNREACHABLE = new Set([502, 503, 504]);

/** The server's clock as this device estimates it: local time plus an offset in seconds. */
export class ServerClock {
  constructor(offsetS = 0, localNowMs = () => Date.now()) {
    this.offsetS = offsetS;
    this.localNowMs = localNowMs;
  }

  /**
   * Learns from an answer's `Date` header (`server_offset_s = Date − local time when the
   * answer arrived`). `Date` has whole seconds, so half a second is added to its midpoint.
   * Returns the new offset, or null when the header is missing or unreadable.
   */
  observe(dateHeader, receivedAtMs = this.localNowMs()) {
    const serverMs = Date.parse(dateHeader ?? '');
    if (!Number.isFinite(serverMs)) return null;
    this.offsetS = Math.round((serverMs + 500 - receivedAtMs) / 1000);
    return this.offsetS;
  }

  nowMs() {
    return this.localNowMs() + this.offsetS * 1000;
  }

  nowS() {
    return Math.floor(this.nowMs() / 1000);
  }
}

/** A request the server refused or never answered. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when there was no answer
   * @param {string} code the `code` of the error body (`unauthorized`, `device_revoked`,
   *   ...), or `network` when there was no answer
   */
  constructor(status, code, message, body = null) {
    super(`${status} ${code}: ${message}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }

  /** Whether trying again later may succeed: no answer, or a server-side failure. */
  get retryable() {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}

export class FieldApi {
  /**
   * @param {object} options
   * @param {typeof fetch} [options.fetch]
   * @param {ServerClock} [options.clock]
   * @param {string} [options.origin] prefix of every path ('' in the browser: same origin)
   * @param {(reachable: boolean) => void} [options.onOutcome]
   * @param {(offsetS: number) => void} [options.onClock] called when the offset is learnt
   */
  constructor({ fetch: fetchImpl = (...a) => fetch(...a), clock = new ServerClock(), origin = '', onOutcome = () => {}, onClock = () => {} } = {}) {
    this.fetch = fetchImpl;
    this.clock = clock;
    this.origin = origin;
    this.onOutcome = onOutcome;
    this.onClock = onClock;
  }

  /** `POST /api/v1/auth/login` → `{token, username, ...}`. */
  login(username, password) {
    return this.request('POST', '/api/v1/auth/login', { body: JSON.stringify({ username, password }) });
  }

  /** `POST /api/v1/devices` with the officer's token → the enrolment answer (201). */
  enrol(token, { publicKeyHex, label, proof }) {
    const body = JSON.stringify({ public_key: publicKeyHex, label, proof });
    return this.request('POST', '/api/v1/devices', { body, headers: { Authorization: `Bearer ${token}` } });
  }

  /** `GET /api/v1/sync/pull?since=CURSOR`, signed; no cursor asks for everything. */
  pull(device, cursor) {
    const path = cursor === null || cursor === undefined ? '/api/v1/sync/pull' : `/api/v1/sync/pull?since=${encodeURIComponent(cursor)}`;
    return this.signed(device, 'GET', path, '');
  }

  /** `POST /api/v1/sync/push` `{issuer_no, ops}`, signed. */
  push(device, issuerNo, ops) {
    return this.signed(device, 'POST', '/api/v1/sync/push', JSON.stringify({ issuer_no: issuerNo, ops }));
  }

  /**
   * A request signed by the device key (`device.device_id`, `device.keyPair`). A 401
   * that taught the clock something new is retried once with a fresh stamp and nonce: a
   * phone whose clock is far off is refused once, then learns the server's time.
   */
  async signed(device, method, pathAndQuery, body) {
    for (let attempt = 0; ; attempt++) {
      const before = this.clock.offsetS;
      const headers = await signedRequestHeaders({
        deviceId: device.device_id,
        privateKey: device.keyPair.privateKey,
        method,
        pathAndQuery,
        body,
        timestampS: this.clock.nowS(),
      });
      try {
        return await this.request(method, pathAndQuery, { body: method === 'GET' ? undefined : body, headers });
      } catch (e) {
        const clockMoved = Math.abs(this.clock.offsetS - before) >= CLOCK_RETRY_S;
        if (attempt === 0 && e instanceof ApiError && e.status === 401 && clockMoved) continue;
        throw e;
      }
    }
  }

  /** One request; the parsed JSON of a 2xx answer, or an ApiError. */
  async request(method, path, { body, headers = {} } = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await this.fetch(this.origin + path, {
        method,
        body,
        headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
        signal: controller.signal,
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (e) {
      this.onOutcome(false);
      throw new ApiError(0, 'network', e?.name === 'AbortError' ? 'the server did not answer in time' : 'no network');
    } finally {
      clearTimeout(timer);
    }
    const offset = this.clock.observe(response.headers.get('Date'));
    if (offset !== null) this.onClock(offset);
    let text;
    try {
      text = await response.text();
    } catch {
      this.onOutcome(false);
      throw new ApiError(0, 'network', 'the answer was cut off');
    }
    const json = parseJson(text);
    if (!response.ok) {
      this.onOutcome(!UNREACHABLE.has(response.status));
      throw new ApiError(response.status, json?.code ?? `http_${response.status}`, json?.message ?? response.statusText ?? '', json);
    }
    // A 2xx that is not our JSON (a captive portal's page, say) is no answer from us.
    if (json === null || typeof json !== 'object') {
      this.onOutcome(false);
      throw new ApiError(0, 'network', 'the answer is not the server\'s');
    }
    this.onOutcome(true);
    return json;
  }
}

function parseJson(text) {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
}
