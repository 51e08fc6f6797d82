// The device as an issuer: takes the officer's form and the stored device, chain and
// reference data, makes the challan (issue.js), checks its own seal with the verifier
// against the trust list it holds, and stores challan, outbox entry and new chain head in
// one transaction (store.js). Only then may the QR code be shown (docs/SYNC.md step 4).
//
// Issuing is one at a time across tabs (a Web Lock), and the store refuses a challan made
// from a chain that moved meanwhile, so two tabs can never give out the same number.

import { loadTrustList, verifySeal } from '../verify/seal.js';
import { fromB64u } from './encoding.js';
import { issueOffline } from './issue.js';
import { ChainMoved } from './store.js';

/** The Web Lock held while a challan is made and stored. */
export const ISSUE_LOCK = 'mahasil-issue';
const ATTEMPTS = 3;

/** Why this phone cannot issue at all just now (not a mistake in the form). */
export class CannotIssue extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'CannotIssue';
    this.code = code;
  }
}

/** The trust list last loaded, by its signed document: verifying one costs a signature check. */
let loadedTrust = { document: null, list: null };

async function trustListOf(trust) {
  if (loadedTrust.document !== trust.bundle.document) {
    loadedTrust = { document: trust.bundle.document, list: await loadTrustList(trust.bundle, { rootKid: trust.root_kid }) };
  }
  return loadedTrust.list;
}

/**
 * Issues one challan from `form` and stores it; returns the stored challan.
 * @param {object} deps `{store, locks, nowMs: () => number (server-clock estimate), baseUrl}`
 */
export async function issueAndStore(form, { store, locks, nowMs, baseUrl, random }) {
  return locks.request(ISSUE_LOCK, {}, async () => {
    for (let attempt = 1; ; attempt++) {
      const held = await store.snapshot();
      if (!held.device) throw new CannotIssue('not_enrolled', 'this phone is not registered');
      if (held.sync?.device_status === 'revoked') throw new CannotIssue('device_revoked', "this phone's registration is revoked");
      if (!held.reference || !held.officer) throw new CannotIssue('no_reference', 'no reference data yet');
      const chain = held.chain ?? { counter: 0, head_hash: null, last_issued_s: 0 };
      const issued = await issueOffline(form, {
        reference: held.reference,
        scope: held.officer.scope ?? [],
        officer: held.officer.username ?? held.device.officer,
        device: held.device,
        chain,
        serverCounter: held.sync?.last_counter_received ?? 0,
        nowMs: nowMs(),
        privateKey: held.device.keyPair.privateKey,
        baseUrl,
        random,
      });
      // The phone checks its own seal as any verifier will: a key that is not (or no
      // longer) trusted, or a clock before the key's validity, is caught here, not later.
      const check = await verifySeal(fromB64u(issued.challan.seal), await trustListOf(held.trust), null);
      if (check.outcome !== 'valid') throw new CannotIssue(`seal_${check.outcome}`, `the seal would not verify: ${check.outcome} (${check.reason})`);
      try {
        await store.storeIssued({ challan: issued.challan, op: issued.op, chainBefore: chain, chainAfter: issued.chain });
        return issued.challan;
      } catch (e) {
        if (!(e instanceof ChainMoved) || attempt >= ATTEMPTS) throw e;
      }
    }
  });
}
