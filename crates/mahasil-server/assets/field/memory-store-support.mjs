// Test support (not served): the FieldStore interface of store.js kept in memory, for the
// sync tests under Node, which has no IndexedDB. It follows store.js call for call (each
// method is all-or-nothing, as a transaction is); the browser test runs the real one.

import { ChainMoved } from './store.js';

const copy = (value) => (value === undefined ? undefined : structuredCloneKeepingKeys(value));

/** Deep copy, as IndexedDB stores one; CryptoKeys are kept as they are. */
function structuredCloneKeepingKeys(value) {
  if (value === null || typeof value !== 'object' || value instanceof CryptoKey) return value;
  if (ArrayBuffer.isView(value)) return value.slice();
  if (Array.isArray(value)) return value.map(structuredCloneKeepingKeys);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCloneKeepingKeys(v)]));
}

export class MemoryStore {
  constructor() {
    this.meta = new Map();
    this.challans = new Map();
    this.outbox = new Map();
    this.rejected = new Map();
  }

  async snapshot() {
    const keys = ['device', 'chain', 'sync', 'officer', 'reference', 'trust', 'revocations'];
    return Object.fromEntries(keys.map((k) => [k, copy(this.meta.get(k)) ?? null]));
  }

  async getMeta(key) {
    return copy(this.meta.get(key));
  }

  async setMeta(key, value) {
    this.meta.set(key, copy(value));
  }

  async deleteMeta(key) {
    this.meta.delete(key);
  }

  async updateSync(fields) {
    this.meta.set('sync', { ...(this.meta.get('sync') ?? {}), ...copy(fields) });
  }

  setServerOffset(offsetS) {
    return this.updateSync({ server_offset_s: offsetS });
  }

  setDeviceStatus(status) {
    return this.updateSync({ device_status: status });
  }

  markSynced(nowMs) {
    return this.updateSync({ last_sync_ms: nowMs });
  }

  async saveEnrolment(device, trust) {
    this.meta.set('device', copy(device));
    this.meta.set('trust', copy(trust));
    this.meta.delete('pending-key');
    if (!this.meta.has('chain')) this.meta.set('chain', { counter: 0, head_hash: null, last_issued_s: 0 });
    this.meta.set('sync', { ...(this.meta.get('sync') ?? {}), cursor: null, device_status: 'active' });
  }

  async applyPull(changes, nowMs) {
    if (changes.reference) this.meta.set('reference', copy(changes.reference));
    if (changes.trust) this.meta.set('trust', copy(changes.trust));
    if (changes.revocations) this.meta.set('revocations', copy(changes.revocations));
    if (changes.officer) this.meta.set('officer', copy(changes.officer));
    this.meta.set('sync', { ...(this.meta.get('sync') ?? {}), ...copy(changes.sync), pulled_at_ms: nowMs });
  }

  async storeIssued({ challan, op, chainBefore, chainAfter }) {
    const chain = this.meta.get('chain') ?? { counter: 0, head_hash: null, last_issued_s: 0 };
    if (chain.counter !== chainBefore.counter || chain.head_hash !== chainBefore.head_hash) throw new ChainMoved();
    if (this.challans.has(challan.id) || [...this.challans.values()].some((c) => c.challan_no === challan.challan_no)) throw new Error('ConstraintError');
    if (this.outbox.has(challan.counter)) throw new Error('ConstraintError');
    this.challans.set(challan.id, copy(challan));
    this.outbox.set(challan.counter, { seq: challan.counter, op_id: op.op_id, challan_id: challan.id, challan_no: challan.challan_no, op: copy(op) });
    this.meta.set('chain', copy(chainAfter));
  }

  async outboxCount() {
    return this.outbox.size;
  }

  async outboxBatch(limit) {
    return [...this.outbox.keys()].sort((a, b) => a - b).slice(0, limit).map((k) => copy(this.outbox.get(k)));
  }

  async applyPush(plan, { last_counter_received, gaps, now_ms }) {
    for (const seq of plan.drop) this.outbox.delete(seq);
    const mark = (id, fields) => {
      if (this.challans.has(id)) this.challans.set(id, { ...this.challans.get(id), ...fields });
    };
    for (const s of plan.synced) mark(s.challan_id, { sync: 'synced' });
    for (const r of plan.rejected) {
      mark(r.challan_id, { sync: 'rejected', reject_reason: r.reason });
      this.rejected.set(r.op_id, { ...r, rejected_at_ms: now_ms });
    }
    const update = { ...(this.meta.get('sync') ?? {}), last_push_ms: now_ms };
    if (Number.isSafeInteger(last_counter_received)) update.last_counter_received = last_counter_received;
    if (Array.isArray(gaps)) update.gaps = gaps;
    this.meta.set('sync', update);
  }

  async rejectedOps() {
    return [...this.rejected.values()].map(copy);
  }

  async challan(id) {
    return copy(this.challans.get(id));
  }
}
