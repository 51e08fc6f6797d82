// Service worker of the field app, served at /field/sw.js with scope /field/.
//
// The app must open with no network at all, so everything it needs is stored at install
// and answered from the store first: the page, its modules, the verifier modules they
// import, the stylesheet, the icons and the Urdu font. A release is picked up when this
// file changes (the browser compares it byte for byte on every visit): raise
// CACHE_VERSION whenever any file of PRECACHE changes, and the new worker stores the new
// set whole before it takes over, then deletes the old one. `/api/` always goes to the
// network: the app's data lives in IndexedDB, never in this cache.

const CACHE_VERSION = 2; // raise whenever a file of PRECACHE changes
const CACHE_PREFIX = 'mahasil-field-';
const CACHE_NAME = `${CACHE_PREFIX}v${CACHE_VERSION}`;

const SHELL = '/field/';
const PRECACHE = [
  '/field/',
  '/field/manifest.webmanifest',
  '/assets/field/app.js',
  '/assets/field/api.js',
  '/assets/field/device-keys.js',
  '/assets/field/encoding.js',
  '/assets/field/enrolment.js',
  '/assets/field/fees.js',
  '/assets/field/field-error.js',
  '/assets/field/i18n.js',
  '/assets/field/identity.js',
  '/assets/field/issue.js',
  '/assets/field/issue-view.js',
  '/assets/field/numbering.js',
  '/assets/field/offline-issuer.js',
  '/assets/field/qr.js',
  '/assets/field/seal-sign.js',
  '/assets/field/store.js',
  '/assets/field/sync.js',
  '/assets/field/vendor/qrcode-generator.mjs',
  '/assets/field/field.css',
  '/assets/field/icons/icon-192.png',
  '/assets/field/icons/icon-512.png',
  '/assets/verify/cbor.js',
  '/assets/verify/cose.js',
  '/assets/verify/claims.js',
  '/assets/verify/lists.js',
  '/assets/verify/seal.js',
  '/assets/fonts/NotoNastaliqUrdu-Regular.ttf',
];
const PRECACHED = new Set(PRECACHE);

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

async function precache() {
  const cache = await caches.open(CACHE_NAME);
  // 'reload' skips the HTTP cache, so the copies stored are the current release's; addAll
  // stores all of them or none, so a half-fetched release never replaces a whole one.
  await cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload' })));
}

async function dropOldCaches() {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== CACHE_NAME).map((n) => caches.delete(n)));
}

/** The answer for `request`, or null to leave it to the browser (the API among others). */
function route(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return null;
  if (request.mode === 'navigate' && (url.pathname === '/field' || url.pathname === SHELL)) return cacheFirst(request, SHELL);
  if (PRECACHED.has(url.pathname)) return cacheFirst(request, url.pathname);
  return null;
}

/** The stored copy under `key`; the network (its answer stored) only when there is none. */
async function cacheFirst(request, key) {
  const cache = await caches.open(CACHE_NAME);
  const stored = await cache.match(key);
  if (stored) return stored;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
  return response;
}
