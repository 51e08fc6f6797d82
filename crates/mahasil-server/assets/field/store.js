// The phone's own database (IndexedDB `mahasil-field`): the device key and identity, the
// cached reference data, the issued challans, the outbox and the rejected ops. Each
// change that must be whole is one transaction: an issued challan with its outbox entry
// and the new counter and chain head; a pull's answer with its cursor; a push's answers.
//
// Schema (version 1):
//   meta       key → value:  device (with the CryptoKeyPair), pending-key, chain
//              {counter, head_hash, last_issued_s}, sync {cursor, pulled_at_ms,
//              last_sync_ms, max_age_hours, server_offset_s, device_status,
//              last_counter_received, gaps}, officer, reference {districts, heads},
//              trust {bundle, version, root_kid}, revocations {version, entries}
//   challans   keyPath id; indexes challan_no (unique), counter
//   outbox     keyPath seq (the challan's counter: ops leave in chain order); index op_id (unique)
//   rejected   keyPath op_id

export const DB_NAME = 'mahasil-field';
const DB_VERSION = 1;
const META_KEYS = ['device', 'chain', 'sync', 'officer', 'reference', 'trust', 'revocations'];

/** Another tab issued a challan between reading the chain and storing this one. */
export class ChainMoved extends Error {
  constructor() {
    super('the counter moved while this challan was being made');
    this.name = 'ChainMoved';
  }
}

const done = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

const finished = (tx) =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });

export class FieldStore {
  /** Opens (and on first use creates) the database. */
  static async open(name = DB_NAME, factory = indexedDB) {
    const request = factory.open(name, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('meta');
      const challans = db.createObjectStore('challans', { keyPath: 'id' });
      challans.createIndex('challan_no', 'challan_no', { unique: true });
      challans.createIndex('counter', 'counter');
      const outbox = db.createObjectStore('outbox', { keyPath: 'seq' });
      outbox.createIndex('op_id', 'op_id', { unique: true });
      db.createObjectStore('rejected', { keyPath: 'op_id' });
    };
    const db = await done(request);
    // A newer release in another tab wants to upgrade: let it.
    db.onversionchange = () => db.close();
    return new FieldStore(db);
  }

  constructor(db) {
    this.db = db;
  }

  /**
   * Runs `work(stores)` in one transaction over `names` and resolves when it commits.
   * `work` may await IndexedDB requests only (any other await would let it commit early).
   */
  async transact(names, mode, work) {
    // Strict durability: a challan whose QR code was shown must survive a power cut.
    const tx = this.db.transaction(names, mode, { durability: 'strict' });
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    const committed = finished(tx);
    let result;
    try {
      result = await work(stores, tx);
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // already finished
      }
      await committed.catch(() => {});
      throw e;
    }
    await committed;
    return result;
  }

  /** Every meta value at once, as one consistent read. */
  snapshot() {
    return this.transact(['meta'], 'readonly', async ({ meta }) => {
      const values = await Promise.all(META_KEYS.map((k) => done(meta.get(k))));
      return Object.fromEntries(META_KEYS.map((k, i) => [k, values[i] ?? null]));
    });
  }

  getMeta(key) {
    return this.transact(['meta'], 'readonly', ({ meta }) => done(meta.get(key)));
  }

  setMeta(key, value) {
    return this.transact(['meta'], 'readwrite', ({ meta }) => done(meta.put(value, key)));
  }

  deleteMeta(key) {
    return this.transact(['meta'], 'readwrite', ({ meta }) => done(meta.delete(key)));
  }

  /** Merges `fields` into the `sync` record. */
  updateSync(fields) {
    return this.transact(['meta'], 'readwrite', async ({ meta }) => {
      const sync = (await done(meta.get('sync'))) ?? {};
      await done(meta.put({ ...sync, ...fields }, 'sync'));
    });
  }

  setServerOffset(offsetS) {
    return this.updateSync({ server_offset_s: offsetS });
  }

  async setDeviceStatus(status) {
    return this.updateSync({ device_status: status });
  }

  markSynced(nowMs) {
    return this.updateSync({ last_sync_ms: nowMs });
  }

  /**
   * Stores an enrolment: the device (with its key pair) and its certificate's trust list;
   * the chain starts empty and the sync cursor at nothing.
   */
  saveEnrolment(device, trust) {
    return this.transact(['meta'], 'readwrite', async ({ meta }) => {
      await done(meta.put(device, 'device'));
      await done(meta.put(trust, 'trust'));
      await done(meta.delete('pending-key'));
      if ((await done(meta.get('chain'))) === undefined) await done(meta.put({ counter: 0, head_hash: null, last_issued_s: 0 }, 'chain'));
      const sync = (await done(meta.get('sync'))) ?? {};
      await done(meta.put({ ...sync, cursor: null, device_status: 'active' }, 'sync'));
    });
  }

  /** A pull's verified changes (sync.js `preparePull`) and its cursor, in one transaction. */
  applyPull(changes, nowMs) {
    return this.transact(['meta'], 'readwrite', async ({ meta }) => {
      if (changes.reference) await done(meta.put(changes.reference, 'reference'));
      if (changes.trust) await done(meta.put(changes.trust, 'trust'));
      if (changes.revocations) await done(meta.put(changes.revocations, 'revocations'));
      if (changes.officer) await done(meta.put(changes.officer, 'officer'));
      const sync = (await done(meta.get('sync'))) ?? {};
      await done(meta.put({ ...sync, ...changes.sync, pulled_at_ms: nowMs }, 'sync'));
    });
  }

  /**
   * Stores an issued challan, its outbox entry and the new chain head in one transaction,
   * if the chain is still where it was when the challan was made (else ChainMoved and
   * nothing is stored).
   */
  storeIssued({ challan, op, chainBefore, chainAfter }) {
    return this.transact(['meta', 'challans', 'outbox'], 'readwrite', async ({ meta, challans, outbox }) => {
      const chain = (await done(meta.get('chain'))) ?? { counter: 0, head_hash: null, last_issued_s: 0 };
      if (chain.counter !== chainBefore.counter || chain.head_hash !== chainBefore.head_hash) throw new ChainMoved();
      await done(challans.add(challan));
      await done(outbox.add({ seq: challan.counter, op_id: op.op_id, challan_id: challan.id, challan_no: challan.challan_no, op }));
      await done(meta.put(chainAfter, 'chain'));
    });
  }

  outboxCount() {
    return this.transact(['outbox'], 'readonly', ({ outbox }) => done(outbox.count()));
  }

  /** The oldest `limit` outbox entries, in chain order. */
  outboxBatch(limit) {
    return this.transact(['outbox'], 'readonly', ({ outbox }) => done(outbox.getAll(null, limit)));
  }

  /** A push's answers (sync.js `planPush`) and the server's counters, in one transaction. */
  applyPush(plan, { last_counter_received, gaps, now_ms }) {
    return this.transact(['meta', 'challans', 'outbox', 'rejected'], 'readwrite', async ({ meta, challans, outbox, rejected }) => {
      for (const seq of plan.drop) await done(outbox.delete(seq));
      const mark = async (id, fields) => {
        const challan = await done(challans.get(id));
        if (challan) await done(challans.put({ ...challan, ...fields }));
      };
      for (const s of plan.synced) await mark(s.challan_id, { sync: 'synced' });
      for (const r of plan.rejected) {
        await mark(r.challan_id, { sync: 'rejected', reject_reason: r.reason });
        await done(rejected.put({ ...r, rejected_at_ms: now_ms }));
      }
      const sync = (await done(meta.get('sync'))) ?? {};
      const update = { ...sync, last_push_ms: now_ms };
      if (Number.isSafeInteger(last_counter_received)) update.last_counter_received = last_counter_received;
      if (Array.isArray(gaps)) update.gaps = gaps;
      await done(meta.put(update, 'sync'));
    });
  }

  rejectedOps() {
    return this.transact(['rejected'], 'readonly', ({ rejected }) => done(rejected.getAll()));
  }

  challan(id) {
    return this.transact(['challans'], 'readonly', ({ challans }) => done(challans.get(id)));
  }
}
