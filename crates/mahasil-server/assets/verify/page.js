// Loaded by the server-rendered online verify page (GET /V/<TOKEN>). It leaves the page as
// rendered and only prepares the next check to work offline: it installs the verify
// service worker and has it store the trust list and the full revocation list. When both
// are stored it sets `data-offline-ready="yes"` on <html>, so a browser test can wait.

const WORKER_URL = '/V/sw.js';
const WORKER_SCOPE = '/V/';
const OFFLINE_DATA = ['/api/v1/trust-list', '/api/v1/revocations?since=0'];
/** How long to wait for the new worker to take over this page before asking it directly. */
const CONTROL_WAIT_MS = 5_000;
/** How long to wait for the worker's answer to a message. */
const REPLY_WAIT_MS = 30_000;

async function prepareOffline() {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.register(WORKER_URL, { scope: WORKER_SCOPE });
  await navigator.serviceWorker.ready;
  let ready;
  if (await controlled(CONTROL_WAIT_MS)) {
    // Fetched through the worker, which stores each answer before handing it over. A
    // failed fetch leaves the copy stored on an earlier visit, so it does not stop here.
    await Promise.all(OFFLINE_DATA.map((url) => fetch(url, { cache: 'no-store' }).then((r) => r.arrayBuffer()).catch(() => null)));
    ready = await ask(registration.active, 'offline-data-status');
  } else {
    // Not controlled (e.g. after a forced reload): the worker fetches and stores itself.
    ready = await ask(registration.active, 'cache-offline-data');
  }
  if (ready) document.documentElement.dataset.offlineReady = 'yes';
}

/** Whether a worker controls this page, waiting up to `ms` for one to take over. */
function controlled(ms) {
  if (navigator.serviceWorker.controller) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    navigator.serviceWorker.addEventListener(
      'controllerchange',
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}

/** The worker's `ready` answer to a message of `type`; false if it does not answer. */
function ask(worker, type) {
  if (!worker) return Promise.resolve(false);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(false), REPLY_WAIT_MS);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(event.data?.ready === true);
    };
    worker.postMessage({ type }, [channel.port2]);
  });
}

// Offline use is a bonus: the online page is complete without it, so failures stay quiet.
prepareOffline().catch(() => {});
