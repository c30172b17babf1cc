// parley-client.js: the Parley client for web apps. One dependency-free ES module; docs/client.md shows
// how to use it. It keeps one WebSocket per client, resumes every subscribed channel with `since` after
// a reconnect, and keeps unacknowledged sends in an outbox (in localStorage) that is resent with the same
// clientMsgId, so a message is never lost or doubled. In a page, the 30-day refresh token is never where
// script can read it: the node keeps it in an HttpOnly cookie (docs/decisions.md). docs/protocol.md is the
// contract it follows.

/** A failed call: `status` (HTTP, or 0 on the socket), `code` (docs/openapi.yaml's codes) and a sentence. */
export class ParleyError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || code || 'request failed');
    this.name = 'ParleyError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter || 0;
  }
}

/** A small typed emitter: on(type, fn) returns the function that removes the listener. */
export class Emitter {
  #listeners = new Map();

  on(type, fn) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
    return () => this.off(type, fn);
  }

  off(type, fn) {
    const set = this.#listeners.get(type);
    if (set) set.delete(fn);
  }

  emit(type, detail) {
    for (const fn of [...(this.#listeners.get(type) || [])]) {
      try {
        fn(detail);
      } catch (e) {
        console.error('parley listener failed', type, e); // a broken listener must not stop the others
      }
    }
    for (const fn of [...(this.#listeners.get('*') || [])]) {
      try {
        fn({ type, detail });
      } catch (e) {
        console.error('parley listener failed', '*', e);
      }
    }
  }
}

/** Close codes of docs/protocol.md that mean: do not reconnect with these tokens. */
const SESSION_ENDED = 4001;
const GUEST_ENDED = 4002;
/** Frame types that take a place in a channel's seq order. */
const SEQ_FRAMES = new Set(['message', 'held']);
/** How long a frame waits for its ack before the socket is taken as dead. */
const ACK_TIMEOUT_MS = 15000;
/** The outbox's bound: a client that cannot send does not grow without end. */
const MAX_OUTBOX = 200;
/** Asks the node to keep the refresh token in its HttpOnly cookie (docs/openapi.yaml, "The session cookie"). */
const COOKIE_MODE = { 'x-parley-refresh': 'cookie' };
/** Where the refresh token can be kept; see the constructor. */
const REFRESH_MODES = new Set(['cookie', 'memory', 'storage']);

function newId(prefix) {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The client. Connection states (event `state`): `signed-out`, `connecting`, `online`, `offline` (waiting
 * to reconnect), `ended` (the session ended: sign in again).
 */
export class ParleyClient extends Emitter {
  /**
   * @param {object} [options]
   * @param {string} [options.baseUrl] the node's origin (default: the page's)
   * @param {Storage} [options.storage] where the session and the outbox are kept (default: localStorage)
   * @param {string} [options.storageKey] the key prefix in storage (default: "parley")
   * @param {string} [options.refreshToken] where the refresh token is kept: `cookie` (the default in a page
   *   of a secure context, https or loopback: an HttpOnly cookie of the node, never readable by script),
   *   `memory` (the default elsewhere: the session lasts as long as the page) or `storage` (with the
   *   session in `storage`, readable by any script of the origin: only for clients that are not web pages)
   */
  constructor(options = {}) {
    super();
    this.baseUrl = (options.baseUrl || globalThis.location?.origin || '').replace(/\/$/, '');
    this.storage = options.storage === undefined ? globalThis.localStorage : options.storage;
    this.key = options.storageKey || 'parley';
    this.refreshMode = options.refreshToken
      || (globalThis.isSecureContext === true && globalThis.document ? 'cookie' : 'memory');
    if (!REFRESH_MODES.has(this.refreshMode)) throw new TypeError('refreshToken must be cookie, memory or storage');
    this.session = this.refreshMode === 'memory' ? null : this.#load('session');
    // in memory, nothing of a session stays in storage (one an older version kept there included)
    if (this.refreshMode === 'memory') this.#save('session', null);
    // sends of a session this page no longer has (a page that kept it in memory was reloaded) are not
    // someone else's to send
    this.outbox = this.session ? this.#load('outbox') || [] : [];
    if (!this.session) this.#save('outbox', null);
    this.state = this.session ? 'offline' : 'signed-out';
    /** channelId → { lastSeq } for every channel the app follows; resumed after each reconnect. */
    this.channels = new Map();
    this.ws = null;
    this.attempt = 0;
    this.pending = new Map();
    this.refs = 0;
    this.reconnectTimer = null;
    this.refreshTimer = null;
    this.refreshing = null;
    this.typingSent = new Map();
    this.wanted = false;
    if (this.session?.refreshToken && this.refreshMode === 'cookie') {
      // a session kept by an older version, with its refresh token in storage: out of storage now, and
      // into the cookie with the first refresh (the token is sent once more, in the body)
      this.#save('session', this.session);
      this.refresh().catch(() => {});
    } else {
      this.#scheduleRefresh();
    }
  }

  // ---- storage

  #load(name) {
    try {
      const raw = this.storage?.getItem(this.key + '.' + name);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  }

  #save(name, value) {
    if (name === 'session' && value != null) {
      if (this.refreshMode === 'memory') return;
      // the refresh token goes to storage only when the app chose that
      if (this.refreshMode !== 'storage') value = { ...value, refreshToken: undefined };
    }
    try {
      if (value == null) this.storage?.removeItem(this.key + '.' + name);
      else this.storage?.setItem(this.key + '.' + name, JSON.stringify(value));
    } catch {
      // storage full or disabled: the session lives in memory only
    }
  }

  get user() {
    return this.session?.user || null;
  }

  #setState(state) {
    if (this.state !== state) {
      this.state = state;
      this.emit('state', state);
    }
  }

  // ---- HTTP

  /**
   * One API call; refreshes the access token once on 401 token_expired. Answers the JSON body (or null).
   * `path` is after /api/v1, or from the root with `root: true` (GET /admin/perf).
   */
  async api(method, path, body, { auth = true, retried = false, root = false, headers: extra = {} } = {}) {
    if (auth && this.session && this.#expiresSoon(5000)) {
      await this.refresh().catch(() => {});
    }
    const headers = { accept: 'application/json', ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && this.session) headers.authorization = 'Bearer ' + this.session.accessToken;
    let res;
    try {
      res = await fetch(this.baseUrl + (root ? '' : '/api/v1') + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ParleyError(0, 'network', 'The server cannot be reached; check your connection.');
    }
    if (res.status === 204) return null;
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (res.ok) return json;
    const code = json?.code || 'http_' + res.status;
    if (res.status === 401 && auth && !retried && code === 'token_expired' && this.session) {
      await this.refresh();
      return this.api(method, path, body, { auth, retried: true, root, headers: extra });
    }
    if (res.status === 401 && auth && (code === 'session_revoked' || code === 'guest_expired')) {
      this.#ended(code);
    }
    throw new ParleyError(res.status, code, json?.detail || json?.title || res.statusText,
      Number(res.headers.get('retry-after')) || 0);
  }

  // ---- auth

  #expiresSoon(marginMs) {
    return this.session && Date.now() > this.session.expiresAt - marginMs;
  }

  #signedIn(tokens) {
    this.session = {
      user: tokens.user,
      accessToken: tokens.accessToken,
      // absent in the cookie mode: the node keeps it in the cookie
      refreshToken: tokens.refreshToken,
      expiresAt: Date.now() + tokens.expiresIn * 1000,
    };
    this.#save('session', this.session);
    this.#scheduleRefresh();
    this.emit('session', this.session.user);
    if (this.state === 'signed-out' || this.state === 'ended') this.#setState('offline');
    return this.session.user;
  }

  /** Refreshes 60 s before the access token expires (or at half its life if shorter). */
  #scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    if (!this.session) return;
    const left = this.session.expiresAt - Date.now();
    const wait = Math.max(1000, Math.min(left - 60000, left / 2));
    this.refreshTimer = setTimeout(() => this.refresh().catch(() => {}), wait);
  }

  /** The headers of the sign-in calls: the cookie mode's, when the refresh token is kept in the cookie. */
  #authHeaders() {
    return this.refreshMode === 'cookie' ? COOKIE_MODE : {};
  }

  signUp({ handle, password, displayName }) {
    return this.api('POST', '/auth/signup', { handle, password, displayName: displayName || undefined },
      { auth: false, headers: this.#authHeaders() }).then((t) => this.#signedIn(t));
  }

  signIn({ handle, password }) {
    return this.api('POST', '/auth/signin', { handle, password }, { auth: false, headers: this.#authHeaders() })
      .then((t) => this.#signedIn(t));
  }

  guest(displayName) {
    return this.api('POST', '/auth/guest', displayName ? { displayName } : {}, { auth: false, headers: this.#authHeaders() })
      .then((t) => this.#signedIn(t));
  }

  /** Rotates the refresh token; concurrent callers share one rotation. */
  refresh() {
    if (!this.session) return Promise.reject(new ParleyError(401, 'unauthorized', 'Not signed in.'));
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.#rotate(false)
      .then((t) => this.#signedIn(t))
      .catch((e) => {
        if (e.status === 401) this.#ended(e.code);
        throw e;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /**
   * One rotation. In the cookie mode the browser sends the cookie (the body carries only a token an older
   * version kept in storage); a page in another tab may have rotated the same cookie a moment before
   * (401 `refresh_token_reused` within the grace): then the browser has the new cookie, and one more try
   * with it succeeds.
   */
  async #rotate(again) {
    if (this.refreshMode !== 'cookie') {
      return this.api('POST', '/auth/refresh', { refreshToken: this.session.refreshToken }, { auth: false });
    }
    const legacy = this.session.refreshToken;
    try {
      return await this.api('POST', '/auth/refresh', legacy ? { refreshToken: legacy } : undefined,
        { auth: false, headers: COOKIE_MODE });
    } catch (e) {
      if (again || e.status !== 401 || e.code !== 'refresh_token_reused' || legacy) throw e;
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 400));
      return this.#rotate(true);
    }
  }

  async signOut() {
    if (this.session) {
      await this.api('POST', '/auth/signout', undefined, { headers: this.#authHeaders() }).catch(() => {});
    }
    this.#clearSession('signed-out');
  }

  #ended(code) {
    this.emit('ended', code);
    this.#clearSession('ended');
  }

  #clearSession(state) {
    this.wanted = false;
    clearTimeout(this.refreshTimer);
    clearTimeout(this.reconnectTimer);
    this.session = null;
    this.#save('session', null);
    this.outbox = [];
    this.#save('outbox', null);
    this.emit('outbox', this.outbox);
    this.channels.clear();
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000, 'signed out');
    }
    this.#failPending(new ParleyError(401, 'unauthorized', 'Signed out.'));
    this.#setState(state);
  }

  // ---- the socket

  /** Opens the socket (and keeps it open, reconnecting with backoff) until disconnect() or sign-out. */
  connect() {
    if (!this.session) throw new ParleyError(401, 'unauthorized', 'Sign in first.');
    this.wanted = true;
    if (!this.ws) this.#open();
  }

  disconnect() {
    this.wanted = false;
    clearTimeout(this.reconnectTimer);
    if (this.ws) this.ws.close(1000, 'bye');
  }

  async #open() {
    clearTimeout(this.reconnectTimer);
    if (!this.wanted || !this.session) return;
    this.#setState('connecting');
    if (this.#expiresSoon(30000)) {
      try {
        await this.refresh();
      } catch (e) {
        if (!this.session) return;
        this.#retry();
        return;
      }
    }
    const url = this.baseUrl.replace(/^http/, 'ws') + '/ws';
    let ws;
    try {
      ws = new WebSocket(url, ['parley', 'token.' + this.session.accessToken]);
    } catch (e) {
      this.#retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.#opened(ws);
    ws.onmessage = (e) => this.#frame(ws, e.data);
    ws.onclose = (e) => this.#closed(ws, e.code, e.reason);
  }

  async #opened(ws) {
    if (this.ws !== ws) return;
    this.attempt = 0;
    this.#setState('online');
    try {
      if (this.channels.size > 0) await this.#subscribe([...this.channels.keys()]);
    } catch (e) {
      this.emit('error', e);
    }
    this.#flushOutbox();
  }

  #closed(ws, code, reason) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.#failPending(new ParleyError(0, 'disconnected', 'The connection closed.'));
    this.emit('closed', { code, reason });
    if (code === SESSION_ENDED) {
      this.#ended('session_revoked');
      return;
    }
    if (code === GUEST_ENDED) {
      this.#ended('guest_expired');
      return;
    }
    if (!this.wanted) {
      this.#setState('offline');
      return;
    }
    // 1012: the node is stopping, another one is up: come back at once (with a little jitter)
    this.#retry(code === 1012 ? 100 + Math.random() * 400 : undefined);
  }

  /** Reconnects after an exponential backoff with full jitter: random(0, min(30 s, 0.5 s × 2^attempt)). */
  #retry(delay) {
    this.#setState('offline');
    if (!this.wanted) return;
    const ceiling = Math.min(30000, 500 * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16);
    const wait = delay ?? Math.random() * ceiling;
    this.emit('reconnecting', { inMillis: Math.round(wait), attempt: this.attempt });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.#open(), wait);
  }

  /** Reconnects now (for a "retry now" button, or when the browser comes back online). */
  reconnectNow() {
    if (this.wanted && !this.ws) {
      this.attempt = 0;
      this.#open();
    }
  }

  #failPending(error) {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }

  /** Sends a frame with a ref and answers its ack (or rejects with its error). */
  #request(frame) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ParleyError(0, 'disconnected', 'Not connected.'));
    }
    const ref = String(++this.refs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new ParleyError(0, 'timeout', 'No answer from the server.'));
        ws.close(4000, 'no answer'); // a socket that answers nothing is dead: reconnect and resume
      }, ACK_TIMEOUT_MS);
      this.pending.set(ref, { resolve, reject, timer });
      ws.send(JSON.stringify({ ...frame, ref }));
    });
  }

  #frame(ws, data) {
    if (this.ws !== ws) return;
    let f;
    try {
      f = JSON.parse(data);
    } catch {
      return;
    }
    if (f.ref !== undefined && this.pending.has(String(f.ref))) {
      const p = this.pending.get(String(f.ref));
      this.pending.delete(String(f.ref));
      clearTimeout(p.timer);
      if (f.type === 'error') p.reject(new ParleyError(0, f.code, f.message, f.retryAfter));
      else p.resolve(f);
      return;
    }
    if (f.type === 'error') {
      this.emit('error', new ParleyError(0, f.code, f.message));
      return;
    }
    const ch = f.channelId !== undefined ? this.channels.get(f.channelId) : null;
    if (SEQ_FRAMES.has(f.type) && ch) {
      if (f.seq <= ch.lastSeq) return; // given already (a resubscribe replays on purpose)
      ch.lastSeq = f.seq;
    }
    if (f.type === 'removed' && f.userId === this.user?.id) this.channels.delete(f.channelId);
    this.emit(f.type, f);
  }

  // ---- channels

  /**
   * Follows channels on this socket (and after every reconnect). `since`: the last seq you have, to get
   * what came after it; without it delivery starts now (load history over HTTP). Answers the ack's channels.
   */
  async follow(channelIds, since) {
    const ids = [].concat(channelIds);
    for (const id of ids) {
      const known = this.channels.get(id);
      if (!known) this.channels.set(id, { lastSeq: since ?? null });
      else if (since !== undefined && (known.lastSeq == null || since < known.lastSeq)) known.lastSeq = since;
    }
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return [];
    return this.#subscribe(ids);
  }

  async #subscribe(ids) {
    const out = [];
    for (let i = 0; i < ids.length; i += 100) {
      const items = ids.slice(i, i + 100).map((id) => {
        const s = this.channels.get(id)?.lastSeq;
        return s == null ? { id } : { id, since: s };
      });
      const ack = await this.#request({ type: 'subscribe', channels: items });
      for (const c of ack.channels || []) {
        const ch = this.channels.get(c.id);
        if (ch && (ch.lastSeq == null || c.lastSeq > ch.lastSeq)) ch.lastSeq = c.lastSeq;
        out.push(c);
      }
      for (const f of ack.failed || []) {
        this.channels.delete(f.id);
        this.emit('error', new ParleyError(0, f.code, f.message));
      }
    }
    return out;
  }

  unfollow(channelId) {
    this.channels.delete(channelId);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ type: 'unsubscribe', channels: [channelId] }));
    }
  }

  // ---- sending

  /**
   * Sends a message: it goes to the outbox first (kept across reconnects and reloads) and leaves it only
   * when the server acknowledged it or refused it for good. Answers the ack ({seq, createdAt, status?}).
   */
  send(channelId, body) {
    if (this.outbox.length >= MAX_OUTBOX) {
      return Promise.reject(new ParleyError(0, 'outbox_full', 'Too many messages are waiting to be sent.'));
    }
    const item = { channelId, body, clientMsgId: newId('w-'), at: Date.now() };
    this.outbox.push(item);
    this.#save('outbox', this.outbox);
    this.emit('outbox', this.outbox);
    return new Promise((resolve, reject) => {
      item.resolve = resolve;
      item.reject = reject;
      this.#sendItem(item);
    });
  }

  #flushOutbox() {
    for (const item of this.outbox) {
      if (!item.sending) this.#sendItem(item);
    }
  }

  #sendItem(item) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || item.sending) return;
    item.sending = true;
    this.#request({ type: 'send', channelId: item.channelId, clientMsgId: item.clientMsgId, body: item.body })
      .then((ack) => {
        this.#dropFromOutbox(item);
        this.emit('sent', { ...ack, body: item.body });
        item.resolve?.(ack);
      })
      .catch((e) => {
        item.sending = false;
        const retryable = ['disconnected', 'timeout', 'unavailable', 'internal', 'conflict', 'rate_limited'].includes(e.code);
        if (retryable) {
          // kept: resent with the same clientMsgId on the next connection, or after the wait asked
          if (e.code === 'rate_limited' || e.code === 'conflict' || e.code === 'internal') {
            setTimeout(() => this.#sendItem(item), Math.max(1000, e.retryAfter * 1000));
          }
          return;
        }
        this.#dropFromOutbox(item);
        this.emit('send-failed', { ...item, error: e });
        item.reject?.(e);
      });
  }

  #dropFromOutbox(item) {
    this.outbox = this.outbox.filter((i) => i !== item);
    this.#save('outbox', this.outbox.map(({ channelId, body, clientMsgId, at }) => ({ channelId, body, clientMsgId, at })));
    this.emit('outbox', this.outbox);
  }

  /** Says the user is typing; sent at most once every 2 s per channel. */
  typing(channelId) {
    const now = Date.now();
    if (now - (this.typingSent.get(channelId) || 0) < 2000 || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    if (!this.channels.has(channelId)) return;
    this.typingSent.set(channelId, now);
    this.ws.send(JSON.stringify({ type: 'typing', channelId }));
  }

  /** Moves the read marker (never backwards); over the socket when open, else over HTTP. */
  markRead(channelId, seq) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      return this.#request({ type: 'read', channelId, seq }).catch(() => null);
    }
    return this.api('POST', `/channels/${channelId}/read`, { seq }).catch(() => null);
  }

  // ---- reads and the rest of the API

  /** A page of history, newest first: `before` (exclusive) pages back; answers {messages, hasMore}. */
  history(channelId, { before, after, limit = 50 } = {}) {
    const q = new URLSearchParams();
    if (before != null) q.set('before', before);
    if (after != null) q.set('after', after);
    q.set('limit', limit);
    return this.api('GET', `/channels/${channelId}/messages?${q}`);
  }

  edit(channelId, seq, body) {
    return this.api('PATCH', `/channels/${channelId}/messages/${seq}`, { body });
  }

  remove(channelId, seq) {
    return this.api('DELETE', `/channels/${channelId}/messages/${seq}`);
  }

  search(q, { channelId, language, before, limit = 20 } = {}) {
    const p = new URLSearchParams({ q, limit });
    if (channelId) p.set('channelId', channelId);
    if (language) p.set('language', language);
    if (before) p.set('before', before);
    return this.api('GET', `/search?${p}`);
  }

  me() { return this.api('GET', '/me'); }
  myChannels() { return this.api('GET', '/channels').then((r) => r.channels); }
  channel(id) { return this.api('GET', `/channels/${id}`); }
  createChannel({ kind = 'public', name, topic, memberIds = [] }) {
    return this.api('POST', '/channels', { kind, name, topic: topic || undefined, memberIds });
  }
  join(channelId) { return this.api('POST', `/channels/${channelId}/members`); }
  invite(channelId, userId) { return this.api('POST', `/channels/${channelId}/members`, { userId }); }
  leave(channelId) { return this.api('DELETE', `/channels/${channelId}/members/${this.user.id}`); }
  direct(userId) { return this.api('POST', `/direct/${userId}`); }
  presence(userIds) { return this.api('GET', `/presence?userIds=${userIds.join(',')}`); }
  lounges() { return this.api('GET', '/lounges').then((r) => r.lounges); }
  lounge(slug) { return this.api('GET', `/lounges/${encodeURIComponent(slug)}`); }

  // moderation (owners, moderators, lounge moderators, admins)
  moderationQueue(channelId, after = 0) { return this.api('GET', `/channels/${channelId}/moderation?after=${after}`); }
  approve(channelId, seq, reason) { return this.api('POST', `/channels/${channelId}/messages/${seq}/approve`, reason ? { reason } : undefined); }
  reject(channelId, seq, reason) { return this.api('POST', `/channels/${channelId}/messages/${seq}/reject`, reason ? { reason } : undefined); }
  changeMember(channelId, userId, change) { return this.api('PATCH', `/channels/${channelId}/members/${userId}`, change); }
  setPremoderation(channelId, mode) { return this.api('PATCH', `/channels/${channelId}`, { premoderation: mode }); }
  moderationLog(channelId) { return this.api('GET', `/channels/${channelId}/moderation/log`); }
}
