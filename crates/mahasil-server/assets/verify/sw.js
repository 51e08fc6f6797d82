// Service worker of the public verify pages, served at /V/sw.js with scope /V/.
//
// It keeps what checking a seal offline needs: the offline page and its scripts (stored
// at install), and the last trust list and revocation list fetched (stored on every
// successful fetch). Online, everything comes from the network first, so a new release or
// a newer list is used at once; the cache answers only when the network fails.

const CACHE_VERSION = 1; // raise when PRECACHE changes
const CACHE_PREFIX = 'mahasil-verify-';
const CACHE_NAME = `${CACHE_PREFIX}v${CACHE_VERSION}`;

const OFFLINE_PAGE = '/V/offline';
const PRECACHE = [
  OFFLINE_PAGE,
  '/assets/verify/cbor.js',
  '/assets/verify/cose.js',
  '/assets/verify/claims.js',
  '/assets/verify/lists.js',
  '/assets/verify/seal.js',
  '/assets/verify/offline.js',
  '/assets/verify/page.js',
  '/assets/mahasil.css',
];
/**
 * Stored when a page under the worker fetches it, not at install: the Urdu font is large,
 * and phones often have a Nastaliq face of their own.
 */
const RUNTIME_CACHED = ['/assets/fonts/NotoNastaliqUrdu-Regular.ttf'];
/** Paths of the signed lists; the revocation list is stored with its `?since=` query. */
const TRUST_LIST_PATH = '/api/v1/trust-list';
const REVOCATIONS_PATH = '/api/v1/revocations';
/** What the online page asks the worker to store when it cannot fetch through it. */
const OFFLINE_DATA = [TRUST_LIST_PATH, `${REVOCATIONS_PATH}?since=0`];
/** A network slower than this counts as down: a phone at a roadside should not wait on it. */
const NETWORK_TIMEOUT_MS = 10_000;

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(dropOldCaches().then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const answer = route(event.request);
  if (answer !== null) event.respondWith(answer);
});

self.addEventListener('message', (event) => {
  const port = event.ports[0];
  if (!port || !event.data) return;
  if (event.data.type === 'cache-offline-data') event.waitUntil(storeOfflineData().then((ready) => port.postMessage({ ready })));
  if (event.data.type === 'offline-data-status') event.waitUntil(offlineDataReady().then((ready) => port.postMessage({ ready })));
});

async function precache() {
  const cache = await caches.open(CACHE_NAME);
  // 'reload' skips the HTTP cache, so the copies stored are the current release's.
  await cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload' })));
}

async function dropOldCaches() {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE_NAME).map((n) => caches.delete(n)));
}

/** The answer for `request`, or null to leave it to the browser. */
function route(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  if (request.mode === 'navigate') return url.pathname.startsWith('/V/') ? navigation(request) : null;
  if (url.pathname === TRUST_LIST_PATH || url.pathname === REVOCATIONS_PATH) return networkFirst(request, url.pathname + url.search);
  // Pages link assets with a `?v=` release query; one stored copy per path is enough.
  if (PRECACHE.includes(url.pathname) || RUNTIME_CACHED.includes(url.pathname)) return networkFirst(request, url.pathname);
  return null;
}

/** A verify page from the network; the offline page when the network is down. */
async function navigation(request) {
  let response = null;
  try {
    response = await beforeTimeout(fetch(request));
  } catch {
    response = null;
  }
  // A 5xx from a proxy in front of a stopped server is as good as no network.
  if (response !== null && response.status < 500) return response;
  const offline = await lookup(OFFLINE_PAGE);
  return offline ?? response ?? Response.error();
}

/** The network's answer, stored under `key`; the stored copy when the network fails. */
async function networkFirst(request, key) {
  const network = fetch(request);
  let response = null;
  try {
    response = await beforeTimeout(network);
  } catch {
    response = null;
  }
  if (response !== null && response.ok) {
    // Stored before answering, so a page that sees the answer can rely on the copy.
    await store(key, response.clone());
    return response;
  }
  const copy = await lookup(key);
  if (copy) return copy;
  return response ?? network; // a slow network may still answer; a failed one fails
}

function beforeTimeout(promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('network timeout')), NETWORK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function store(key, response) {
  if (response.type !== 'basic' && response.type !== 'default') return;
  const cache = await caches.open(CACHE_NAME);
  await cache.put(key, response);
}

async function lookup(key) {
  const cache = await caches.open(CACHE_NAME);
  return cache.match(key);
}

/** Fetches and stores the signed lists; whether both are stored afterwards. */
async function storeOfflineData() {
  await Promise.all(
    OFFLINE_DATA.map(async (path) => {
      try {
        const response = await beforeTimeout(fetch(path, { cache: 'no-store' }));
        if (response.ok) await store(path, response);
      } catch {
        // Offline now: whatever was stored before stays.
      }
    }),
  );
  return offlineDataReady();
}

async function offlineDataReady() {
  const copies = await Promise.all(OFFLINE_DATA.map(lookup));
  return copies.every((copy) => copy !== undefined);
}
