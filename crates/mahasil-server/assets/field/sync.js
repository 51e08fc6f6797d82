// The sync engine (docs/SYNC.md "Pull" and "Push"): a sync is a pull of reference data
// then a push of the outbox, one at a time across every tab of the app (Web Locks), on
// start, when the network returns, on a timer and when the officer asks. Failures keep
// everything and are retried with exponential backoff and jitter.
//
// The rules that decide what happens to local data are pure functions here
// (`preparePull`, `planPush`, `backoffDelayMs`); the store (store.js, IndexedDB) only
// carries each decision out in one transaction.

import { RevocationSet, VersionError, applyRevocations, loadTrustList } from '../verify/seal.js';
import { ApiError } from './api.js';

/** Ops per push request (the server takes at most 2,000 and 8 MiB). */
export const PUSH_BATCH_OPS = 200;
/** Push requests per sync at most; more waits for the next sync. */
export const MAX_BATCHES_PER_SYNC = 50;
/** Time between syncs while all is well. */
export const SYNC_INTERVAL_MS = 60_000;
/** Backoff after a failed sync: doubling from the base, capped. */
export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 300_000;
/** The Web Lock that makes syncs one at a time across tabs. */
export const SYNC_LOCK = 'mahasil-sync';
/** The reference data is called stale past this age until the server says otherwise. */
export const DEFAULT_MAX_AGE_HOURS = 72;

const ANSWERED = new Set(['accepted', 'duplicate', 'rejected']);

/**
 * The wait before retrying after `failures` failed syncs in a row: exponential
 * (2 s, 4 s, 8 s, ... up to 5 min) with "equal jitter" (between half and all of it), so
 * many phones that lost the network together do not return together.
 */
export function backoffDelayMs(failures, random = Math.random) {
  if (failures <= 0) return 0;
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * What a push answer means for the ops sent. An op leaves the outbox only when its
 * `op_id` is answered `accepted`, `duplicate` or `rejected`; anything else (missing,
 * unknown status, an op_id not sent) keeps it for the next sync.
 * @param {{seq: number, op_id: string, challan_id: string, challan_no: string}[]} batch
 * @param {{op_id: string, status: string, challan_no?: string, reason?: string}[]} results
 * @returns {{drop: number[], synced: object[], rejected: object[]}}
 */
export function planPush(batch, results) {
  const sent = new Map(batch.map((entry) => [entry.op_id, entry]));
  const plan = { drop: [], synced: [], rejected: [] };
  const seen = new Set();
  for (const result of Array.isArray(results) ? results : []) {
    const entry = sent.get(result?.op_id);
    if (entry === undefined || seen.has(result.op_id) || !ANSWERED.has(result.status)) continue;
    seen.add(result.op_id);
    plan.drop.push(entry.seq);
    if (result.status === 'rejected') {
      plan.rejected.push({
        op_id: entry.op_id,
        challan_id: entry.challan_id,
        challan_no: entry.challan_no,
        reason: typeof result.reason === 'string' && result.reason !== '' ? result.reason : 'rejected',
      });
    } else {
      plan.synced.push({ challan_id: entry.challan_id, status: result.status });
    }
  }
  return plan;
}

/** The pull had to be started again from nothing (a lost cursor, a revocation gap). */
export class RestartPull extends Error {}

/**
 * Checks a pull answer against what is held and returns the changes to store: every
 * signed list verified first (the trust list against the pinned root key, never older
 * than the one held; revocations against the trust list), so a bad answer changes nothing.
 * @param {object} answer the pull answer
 * @param {object} held `{trust: {bundle, version, root_kid}, revocations: {version, entries}, reference}`
 */
export async function preparePull(answer, held) {
  if (answer === null || typeof answer !== 'object' || typeof answer.cursor !== 'string') throw new Error('the pull answer has no cursor');
  if (answer.reference === null && !held.reference) throw new RestartPull('no reference data is held');
  let trustList = null;
  const changes = {};
  if (answer.trust_list !== null && answer.trust_list !== undefined) {
    trustList = await loadTrustList(answer.trust_list, { held: { version: held.trust?.version ?? 0 }, rootKid: held.trust?.root_kid });
    changes.trust = { bundle: answer.trust_list, version: trustList.version, root_kid: trustList.rootKid };
  }
  // A revocation answer without a document says the list held is the newest.
  if (answer.revocations?.document) {
    trustList ??= await loadTrustList(held.trust.bundle, { rootKid: held.trust.root_kid });
    const set = new RevocationSet(trustList);
    if (held.revocations) {
      set.version = held.revocations.version;
      set.entries = held.revocations.entries;
    }
    try {
      if (await applyRevocations(set, answer.revocations)) changes.revocations = { version: set.version, entries: set.entries };
    } catch (e) {
      // A delta that does not follow on from the list held: everything again, from nothing.
      if (e instanceof VersionError) throw new RestartPull(e.message);
      throw e;
    }
  }
  if (answer.reference !== null && answer.reference !== undefined) changes.reference = answer.reference;
  changes.officer = answer.officer ?? null;
  changes.sync = {
    cursor: answer.cursor,
    max_age_hours: Number.isFinite(answer.max_age_hours) ? answer.max_age_hours : DEFAULT_MAX_AGE_HOURS,
    device_status: answer.device?.status ?? 'active',
    last_counter_received: answer.device?.last_counter_received ?? 0,
  };
  return changes;
}

/**
 * Locks with the `navigator.locks.request` calling convention, within one page, for where
 * Web Locks are missing (tests, old browsers): one holder per name; with `ifAvailable`
 * the callback gets null instead of waiting.
 */
export class LocalLocks {
  constructor() {
    this.tails = new Map();
  }

  async request(name, options, callback) {
    if (options?.ifAvailable && this.tails.has(name)) return callback(null);
    const before = this.tails.get(name) ?? Promise.resolve();
    let release;
    const mine = new Promise((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.tails.set(name, tail);
    await before;
    try {
      return await callback({ name });
    } finally {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}

/**
 * Runs syncs. `onChange(status)` is called whenever something the status bar shows may
 * have changed. Status: `{running, failures, lastError, nextAt, revoked}`.
 */
export class SyncEngine {
  /**
   * @param {object} deps
   * @param {object} deps.store the FieldStore (store.js) or any object with its methods
   * @param {import('./api.js').FieldApi} deps.api
   * @param {{request: Function}} [deps.locks] navigator.locks
   * @param {() => number} [deps.now] local clock, ms
   * @param {() => number} [deps.random]
   * @param {(status: object) => void} [deps.onChange]
   */
  constructor({ store, api, locks = new LocalLocks(), now = () => Date.now(), random = Math.random, onChange = () => {}, timers = globalThis }) {
    this.store = store;
    this.api = api;
    this.locks = locks;
    this.now = now;
    this.random = random;
    this.onChange = onChange;
    this.timers = timers;
    this.status = { running: false, failures: 0, lastError: null, nextAt: null, revoked: false };
    this.timer = null;
    this.stopped = true;
  }

  /** Syncs now and then on the timer, with backoff after failures. */
  start() {
    this.stopped = false;
    return this.syncAndSchedule();
  }

  stop() {
    this.stopped = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** A sync now (the `online` event, the sync button), then the timer starts over. */
  syncAndSchedule() {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    return this.sync().finally(() => this.schedule());
  }

  schedule() {
    if (this.stopped || this.status.revoked) return;
    const delay = this.status.failures > 0 ? backoffDelayMs(this.status.failures, this.random) : SYNC_INTERVAL_MS;
    this.status.nextAt = this.now() + delay;
    this.timer = this.timers.setTimeout(() => this.syncAndSchedule(), delay);
    this.onChange(this.status);
  }

  /**
   * One sync (pull, then push) unless another tab is syncing. Never throws: the outcome
   * is `{ok, skipped?, error?, pushed?, rejected?}` and is kept in `status`.
   */
  async sync() {
    if (this.status.running) return { ok: false, skipped: true };
    const outcome = await this.locks.request(SYNC_LOCK, { ifAvailable: true }, async (lock) => {
      if (lock === null) return { ok: false, skipped: true };
      this.status.running = true;
      this.onChange(this.status);
      try {
        await this.pull();
        const pushed = await this.push();
        await this.store.markSynced(this.now());
        return { ok: true, ...pushed };
      } catch (e) {
        return { ok: false, error: e };
      } finally {
        this.status.running = false;
      }
    });
    if (!outcome.skipped) this.record(outcome);
    this.onChange(this.status);
    return outcome;
  }

  record(outcome) {
    if (outcome.ok) {
      this.status.failures = 0;
      this.status.lastError = null;
      return;
    }
    const e = outcome.error;
    this.status.failures += 1;
    this.status.lastError = e instanceof ApiError ? e.code : (e?.message ?? String(e));
    if (e instanceof ApiError && e.status === 403 && e.code === 'device_revoked') {
      this.status.revoked = true;
      this.store.setDeviceStatus('revoked').catch(() => {});
    }
  }

  /** Pull: fetch, verify, then store the answer and the cursor in one transaction. */
  async pull() {
    const held = await this.store.snapshot();
    if (!held.device) throw new Error('this device is not enrolled');
    let cursor = held.sync?.cursor ?? null;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.api.pull(held.device, cursor);
      try {
        const changes = await preparePull(answer, cursor === null ? { ...held, revocations: null, reference: null } : held);
        await this.store.applyPull(changes, this.now());
        if (changes.sync.device_status === 'revoked') this.status.revoked = true;
        return;
      } catch (e) {
        if (!(e instanceof RestartPull) || attempt > 0) throw e;
        cursor = null;
      }
    }
  }

  /** Push the outbox in batches; returns how many ops were answered and rejected. */
  async push() {
    const held = await this.store.snapshot();
    let answered = 0;
    let rejected = 0;
    for (let batchNo = 0; batchNo < MAX_BATCHES_PER_SYNC; batchNo++) {
      const batch = await this.store.outboxBatch(PUSH_BATCH_OPS);
      if (batch.length === 0) break;
      const answer = await this.api.push(held.device, held.device.issuer_no, batch.map((entry) => entry.op));
      const plan = planPush(batch, answer.results);
      await this.store.applyPush(plan, { last_counter_received: answer.last_counter_received, gaps: answer.gaps, now_ms: this.now() });
      answered += plan.drop.length;
      rejected += plan.rejected.length;
      this.onChange(this.status);
      // An answer that settles none of the ops sent would repeat forever: wait for the next sync.
      if (plan.drop.length === 0) throw new ApiError(0, 'push_unanswered', 'the server answered none of the ops sent');
      if (plan.drop.length < batch.length) break; // the rest are retried next time
    }
    return { pushed: answered, rejected };
  }
}
