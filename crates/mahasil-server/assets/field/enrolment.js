// Enrolment (docs/SYNC.md "Enrolment"): once, online, with the officer signed in. The phone
// makes a non-extractable P-256 key, proves it holds it, and the server answers with the
// device's id, issuer number and certificate: an authority-signed trust list naming the
// key. The certificate is checked here before anything is kept, and its authority key is
// pinned: every later trust list must be signed by it.

import { loadTrustList } from '../verify/seal.js';
import { describePublicKey, enrolProof, generateDeviceKey } from './device-keys.js';
import { issuerDigits } from './numbering.js';

/** The enrolment answer does not vouch for this phone's key. */
export class CertificateError extends Error {
  constructor(reason) {
    super(`the enrolment certificate ${reason}`);
    this.name = 'CertificateError';
  }
}

/**
 * Enrols this phone and stores the result. The key pair is kept as `pending-key` before
 * the request, so a request whose answer is lost is retried with the same key; a key the
 * server already knows (409) is replaced by a fresh one, once.
 * @returns {Promise<object>} the stored device record
 */
export async function enrolDevice({ api, store, token, username, label, generate = generateDeviceKey }) {
  for (let attempt = 0; ; attempt++) {
    let keyPair = await store.getMeta('pending-key');
    if (!keyPair) {
      keyPair = await generate();
      await store.setMeta('pending-key', keyPair);
    }
    const { publicKeyHex, kidHex } = await describePublicKey(keyPair.publicKey);
    const proof = await enrolProof(keyPair.privateKey, username, publicKeyHex);
    let answer;
    try {
      answer = await api.enrol(token, { publicKeyHex, label, proof });
    } catch (e) {
      if (e?.status === 409 && attempt === 0) {
        await store.deleteMeta('pending-key');
        continue;
      }
      throw e;
    }
    const trust = await checkCertificate(answer, publicKeyHex, kidHex);
    const device = {
      device_id: answer.device_id,
      issuer_no: answer.issuer_no,
      kid: kidHex,
      officer: answer.officer ?? username,
      enrolled_at: answer.enrolled_at,
      label,
      public_key: publicKeyHex,
      keyPair,
    };
    await store.saveEnrolment(device, { bundle: answer.certificate.trust_list, version: trust.version, root_kid: trust.rootKid });
    return device;
  }
}

/** The certificate's trust list, if it names this key, active, for challans, under the answer's issuer number. */
export async function checkCertificate(answer, publicKeyHex, kidHex) {
  if (typeof answer?.device_id !== 'string' || answer.device_id === '') throw new CertificateError('has no device id');
  if (answer.kid !== kidHex) throw new CertificateError("names another key's kid");
  const trust = await loadTrustList(answer.certificate?.trust_list);
  const key = trust.key(kidHex);
  if (key === undefined) throw new CertificateError('does not list this key');
  const listedHex = Array.from(key.publicKey, (b) => b.toString(16).padStart(2, '0')).join('');
  if (listedHex !== publicKeyHex) throw new CertificateError('lists another public key');
  if (key.issuer !== issuerDigits(answer.issuer_no)) throw new CertificateError('lists another issuer number');
  if (key.usage !== 'challan' || key.status !== 'active') throw new CertificateError('does not let this key seal challans');
  return trust;
}
