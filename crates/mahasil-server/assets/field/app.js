// The field app's page (/field): which screen shows, the status bar, and the wiring of
// forms and buttons to enrolment (enrolment.js), issuing (offline-issuer.js) and the sync
// engine (sync.js). State lives in IndexedDB (store.js); this module keeps only what the
// page shows, and re-reads the store whenever another tab or a sync may have changed it.

import { FieldApi, ServerClock } from './api.js';
import { enrolDevice } from './enrolment.js';
import { FieldErrors } from './field-error.js';
import { applyLanguage, initialLanguage, rememberLanguage, translate } from './i18n.js';
import { clearFieldErrors, pakistanTime, readIssueForm, renderChoices, renderIssued, renderIssuedSync, renderRejected, showFieldErrors } from './issue-view.js';
import { CannotIssue, issueAndStore } from './offline-issuer.js';
import { FieldStore } from './store.js';
import { DEFAULT_MAX_AGE_HOURS, LocalLocks, SyncEngine } from './sync.js';

const VIEWS = ['view-loading', 'view-signin', 'view-enrol', 'view-issue', 'issued'];
/** How often the ages in the status bar are brought up to date. */
const STATUS_REFRESH_MS = 30_000;
const HOUR_MS = 3_600_000;
const COORDINATE_DECIMALS = 6;
const GEOLOCATION = { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 };

const $ = (id) => document.getElementById(id);

const app = {
  lang: initialLanguage(),
  store: null,
  api: null,
  clock: null,
  engine: null,
  locks: navigator.locks ?? new LocalLocks(),
  held: null,
  session: null, // {token, username}: in memory only, needed for enrolment alone
  reachable: null, // outcome of the last request; null before any
  current: null, // the challan on the issued screen
  choicesKey: null, // what the district and head choices were last drawn from
  channel: 'BroadcastChannel' in globalThis ? new BroadcastChannel('mahasil-field') : null,
};

const t = (key, params) => translate(app.lang, key, params);

boot().catch((e) => {
  console.error(e);
  $('view-loading').textContent = e?.message ?? String(e);
});

async function boot() {
  // The worker's scope is /field/: a page opened as /field is moved inside it, so that a
  // reload with no network is answered by the worker.
  if (location.pathname === '/field') history.replaceState(null, '', `/field/${location.search}${location.hash}`);
  setLanguage(app.lang);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' }).catch((e) => console.warn('service worker', e));
  app.store = await FieldStore.open();
  app.held = await app.store.snapshot();
  app.clock = new ServerClock(app.held.sync?.server_offset_s ?? 0);
  app.api = new FieldApi({
    clock: app.clock,
    onOutcome: (reachable) => {
      app.reachable = reachable;
      renderStatus();
    },
    onClock: (offsetS) => {
      if (offsetS !== app.held?.sync?.server_offset_s) app.store.setServerOffset(offsetS).catch(() => {});
    },
  });
  app.engine = new SyncEngine({ store: app.store, api: app.api, locks: app.locks, onChange: () => refresh() });
  wire();
  await refresh();
  if (app.held.device) app.engine.start();
  setInterval(() => renderStatus(), STATUS_REFRESH_MS);
}

function wire() {
  $('lang-toggle').addEventListener('click', toggleLanguage);
  $('sync-now').addEventListener('click', () => app.engine.syncAndSchedule());
  $('signin-form').addEventListener('submit', signIn);
  $('enrol-form').addEventListener('submit', enrol);
  $('issue-form').addEventListener('submit', issue);
  $('f-district').addEventListener('change', () => renderChoices(document, app.held, app.lang, t, app.clock.nowMs()));
  $('f-head').addEventListener('change', () => renderChoices(document, app.held, app.lang, t, app.clock.nowMs()));
  $('locate').addEventListener('click', locate);
  $('print-notice').addEventListener('click', () => window.print());
  $('issue-another').addEventListener('click', issueAnother);
  addEventListener('online', () => {
    renderStatus();
    if (app.held?.device) app.engine.syncAndSchedule();
  });
  addEventListener('offline', () => renderStatus());
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && refresh());
  app.channel?.addEventListener('message', () => refresh());
}

/** Re-reads the store and redraws everything that depends on it. */
async function refresh() {
  app.held = await app.store.snapshot();
  if (app.current) {
    // "Issue another" may clear the challan shown while this read is under way: only the
    // same challan is refreshed, never brought back.
    const id = app.current.id;
    const stored = await app.store.challan(id);
    if (stored && app.current?.id === id) app.current = stored;
  }
  showView();
  // The choices are rebuilt only when the data or language changed: rebuilding a <select>
  // under the officer's thumb would close it.
  const choicesKey = JSON.stringify([app.lang, app.held.sync?.cursor ?? null, Boolean(app.held.reference)]);
  if (choicesKey !== app.choicesKey) {
    app.choicesKey = choicesKey;
    renderChoices(document, app.held, app.lang, t, app.clock.nowMs());
  }
  renderRejected(document, await app.store.rejectedOps());
  if (app.current) renderIssuedSync(document, app.current, t);
  await renderStatus();
}

function showView() {
  let view = 'view-issue';
  if (!app.held.device) view = app.session ? 'view-enrol' : 'view-signin';
  else if (app.current) view = 'issued';
  for (const id of VIEWS) $(id).hidden = id !== view;
  const revoked = app.held.sync?.device_status === 'revoked' || app.engine?.status.revoked === true;
  $('revoked-notice').hidden = !revoked;
  $('no-reference').hidden = !app.held.device || Boolean(app.held.reference);
  $('issue-submit').disabled = revoked;
  if (app.held.device) {
    $('device-line').textContent = t('enrolled_as', { issuer: app.held.device.issuer_no, officer: app.held.officer?.username ?? app.held.device.officer });
  }
}

// ---------------------------------------------------------------------------------------
// Status bar

async function renderStatus() {
  if (!app.store) return;
  const online = navigator.onLine && app.reachable !== false;
  const net = $('net-status');
  net.dataset.state = online ? 'online' : 'offline';
  $('net-text').textContent = t(online ? 'online' : 'offline');

  const pending = app.held?.device ? await app.store.outboxCount() : 0;
  const count = $('pending-count');
  count.textContent = String(pending);
  count.dataset.count = String(pending);

  const sync = app.held?.sync ?? {};
  const lastSync = $('last-sync');
  lastSync.textContent = sync.last_sync_ms ? pakistanTime(sync.last_sync_ms) : t('never');
  lastSync.dataset.at = sync.last_sync_ms ? new Date(sync.last_sync_ms).toISOString() : '';

  const ageMs = sync.pulled_at_ms ? Math.max(0, Date.now() - sync.pulled_at_ms) : null;
  const dataAge = $('data-age');
  dataAge.textContent = ageMs === null ? t('no_data') : describeAge(ageMs);
  dataAge.dataset.ageS = ageMs === null ? '' : String(Math.floor(ageMs / 1000));
  const maxAgeHours = sync.max_age_hours ?? DEFAULT_MAX_AGE_HOURS;
  const stale = Boolean(app.held?.device) && (ageMs === null || ageMs > maxAgeHours * HOUR_MS);
  const warning = $('stale-warning');
  warning.hidden = !stale;
  warning.textContent = stale ? t('stale_warning', { hours: maxAgeHours }) : '';

  const status = app.engine?.status ?? {};
  const button = $('sync-now');
  button.disabled = !app.held?.device || status.running === true;
  button.textContent = t(status.running ? 'syncing' : 'sync_now');
  const error = $('sync-error');
  error.hidden = !status.lastError;
  error.textContent = status.lastError ? t('sync_failed', { reason: status.lastError }) : '';
}

function describeAge(ms) {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return t('age_minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? t('age_hours', { n: hours }) : t('age_days', { n: Math.floor(hours / 24) });
}

/** The page in `lang`; the toggle names the other language, in that language. */
function setLanguage(lang) {
  app.lang = lang;
  applyLanguage(document, lang);
  $('lang-toggle').lang = lang === 'ur' ? 'en' : 'ur';
}

function toggleLanguage() {
  setLanguage(app.lang === 'ur' ? 'en' : 'ur');
  rememberLanguage(app.lang);
  if (app.current) renderIssued(document, app.current, app.lang, t);
  refresh();
}

// ---------------------------------------------------------------------------------------
// Sign-in and enrolment

function showError(id, text) {
  const el = $(id);
  el.textContent = text;
  el.hidden = !text;
}

async function signIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  showError('signin-error', '');
  $('signin-submit').disabled = true;
  try {
    const answer = await app.api.login(form.elements.username.value.trim(), form.elements.password.value);
    app.session = { token: answer.token, username: answer.username ?? form.elements.username.value.trim() };
    form.reset();
    $('enrol-label').value = t('device_label_default', { name: app.session.username });
    await refresh();
  } catch (e) {
    showError('signin-error', e?.status === 0 ? t('needs_network') : t('signin_failed'));
  } finally {
    $('signin-submit').disabled = false;
  }
}

async function enrol(event) {
  event.preventDefault();
  showError('enrol-error', '');
  $('enrol-submit').disabled = true;
  try {
    const label = $('enrol-label').value.trim() || t('device_label_default', { name: app.session.username });
    await enrolDevice({ api: app.api, store: app.store, token: app.session.token, username: app.session.username, label });
    app.session = null; // the token is not needed again: syncs are signed by the device key
    // Ask the browser not to evict this phone's challans and key under storage pressure.
    await Promise.resolve(navigator.storage?.persist?.()).catch(() => false);
    await refresh();
    app.engine.start();
    app.channel?.postMessage('changed');
  } catch (e) {
    showError('enrol-error', e?.status === 0 ? t('needs_network') : t('enrol_failed', { reason: e?.message ?? String(e) }));
  } finally {
    $('enrol-submit').disabled = false;
  }
}

// ---------------------------------------------------------------------------------------
// Issuing

async function issue(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const submit = $('issue-submit');
  clearFieldErrors(document, form);
  showError('issue-error', '');
  submit.disabled = true;
  submit.textContent = t('issuing');
  try {
    const challan = await issueAndStore(readIssueForm(form), {
      store: app.store,
      locks: app.locks,
      nowMs: () => app.clock.nowMs(),
      baseUrl: location.origin,
    });
    app.current = challan;
    renderIssued(document, challan, app.lang, t);
    clearOffender(form);
    app.channel?.postMessage('changed');
    await refresh();
    scrollTo(0, 0);
    if (navigator.onLine) app.engine.syncAndSchedule();
  } catch (e) {
    if (e instanceof FieldErrors) {
      showFieldErrors(document, form, e.errors, t);
      showError('issue-error', t('form_has_errors'));
    } else if (e instanceof CannotIssue && (e.code === 'device_revoked' || e.code === 'no_reference')) {
      showError('issue-error', t(e.code));
    } else {
      console.error(e);
      showError('issue-error', t('cannot_issue', { reason: e?.message ?? String(e) }));
    }
  } finally {
    submit.textContent = t('issue_submit');
    submit.disabled = $('revoked-notice').hidden === false;
  }
}

/** Clears the offender's fields; district, head and place stay for the next challan. */
function clearOffender(form) {
  for (const name of ['amount', 'offender.name', 'offender.cnic', 'offender.mobile', 'offender.email', 'offender.vehicle_no', 'offender.business_name', 'offender.address', 'offender.language']) {
    const input = form.elements.namedItem(name);
    if (input) input.value = '';
  }
}

function issueAnother() {
  app.current = null;
  showView();
  scrollTo(0, 0);
  $('f-name').focus();
}

function locate() {
  const status = $('locate-status');
  if (!('geolocation' in navigator)) {
    status.textContent = t('locate_failed');
    return;
  }
  status.textContent = t('locating');
  navigator.geolocation.getCurrentPosition(
    (position) => {
      const round = (x) => Number(x.toFixed(COORDINATE_DECIMALS));
      $('f-lat').value = String(round(position.coords.latitude));
      $('f-lon').value = String(round(position.coords.longitude));
      status.textContent = t('located', { metres: Math.round(position.coords.accuracy) });
    },
    () => {
      status.textContent = t('locate_failed');
    },
    GEOLOCATION,
  );
}
