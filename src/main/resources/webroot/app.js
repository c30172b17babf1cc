// Parley's web chat, on parley-client.js. Plain ES modules, no build step. Everything users write is put
// in the page as text (textContent), never as markup.
import { ParleyClient } from '/client/parley-client.js';
import { VirtualList } from '/virtual-list.js';
import { el } from '/dom.js';

const client = new ParleyClient();
const root = document.getElementById('app');
window.parley = client; // for the browser console and the browser tests

// ---- small DOM helpers

function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

function time(iso) {
  const d = new Date(iso);
  const today = new Date();
  const hm = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === today.toDateString() ? hm : d.toLocaleDateString() + ' ' + hm;
}

function say(node, error) {
  node.textContent = error ? (error.message || String(error)) : '';
}

// ---- names of users (messages carry only senderId)

const names = new Map();
const asked = new Set();

async function loadNames(ids) {
  const missing = [...new Set(ids)].filter((id) => id && !names.has(id) && !asked.has(id));
  for (let i = 0; i < missing.length; i += 100) {
    const part = missing.slice(i, i + 100);
    part.forEach((id) => asked.add(id));
    try {
      const r = await client.api('GET', '/users?ids=' + part.join(','));
      for (const u of r.users) names.set(u.id, u);
    } catch {
      part.forEach((id) => asked.delete(id));
    }
  }
}

function nameOf(id) {
  if (id === client.user?.id) return client.user.displayName || client.user.handle;
  const u = names.get(id);
  return u ? u.displayName || u.handle : 'user ' + id;
}

// ---- sign-in

function showAuth(note) {
  const error = el('p', { class: 'error', role: 'alert' }, note || '');
  const handle = el('input', { name: 'handle', autocomplete: 'username', placeholder: 'Handle', required: true, 'aria-label': 'Handle' });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', placeholder: 'Password', required: true, 'aria-label': 'Password' });
  const displayName = el('input', { name: 'guestName', placeholder: 'Your name (optional)', 'aria-label': 'Guest name', maxlength: 64 });
  const run = (f) => async (e) => {
    e.preventDefault();
    say(error);
    try {
      await f();
      showChat();
    } catch (err) {
      say(error, err);
    }
  };
  const signIn = run(() => client.signIn({ handle: handle.value.trim(), password: password.value }));
  const signUp = run(() => client.signUp({ handle: handle.value.trim(), password: password.value }));
  clear(root).append(el('section', { class: 'auth' },
    el('h1', {}, 'Parley'),
    el('p', { class: 'muted' }, 'Chat in channels and language rooms, live.'),
    el('form', { id: 'signin', onsubmit: signIn },
      handle, password,
      el('div', { class: 'row' },
        el('button', { class: 'primary', type: 'submit', id: 'signin-button' }, 'Sign in'),
        el('button', { type: 'button', id: 'signup-button', onclick: signUp }, 'Sign up'))),
    el('div', { class: 'sep' }),
    el('form', { id: 'guest', onsubmit: run(() => client.guest(displayName.value.trim() || undefined)) },
      displayName,
      el('button', { type: 'submit', id: 'guest-button' }, 'Enter as a guest')),
    error));
  handle.focus();
}

client.on('ended', (code) => {
  showAuth(code === 'guest_expired' ? 'Your guest visit has ended. Enter again, or sign up to stay.'
    : 'Your session ended. Sign in again.');
});

// ---- the chat

const state = {
  me: null,
  channels: [],
  lounges: [],
  current: null, // the open channel's view, below
};

let ui = null;

async function showChat() {
  const conn = el('span', { class: 'conn', id: 'conn', role: 'status' }, 'connecting');
  const search = el('input', { type: 'search', placeholder: 'Search messages', 'aria-label': 'Search messages', id: 'search' });
  ui = {
    conn,
    search,
    channels: el('ul', { id: 'channels', 'aria-label': 'Your channels' }),
    lounges: el('ul', { id: 'lounges', 'aria-label': 'Lounges and rooms' }),
    main: el('section', { class: 'main', id: 'main', 'aria-label': 'Conversation' }),
  };
  const newChannel = el('div', { class: 'newchannel hidden', id: 'new-channel' });
  clear(root).append(el('div', { class: 'chat' },
    el('header', { class: 'topbar' },
      el('span', { class: 'brand' }, 'Parley'),
      el('span', { class: 'me', id: 'me' }, client.user.displayName || client.user.handle),
      conn,
      el('form', { role: 'search', onsubmit: (e) => { e.preventDefault(); runSearch(search.value.trim()); } }, search),
      el('button', { type: 'button', id: 'signout', onclick: () => client.signOut().then(() => showAuth()) }, 'Sign out')),
    el('nav', { class: 'sidebar', 'aria-label': 'Channels and rooms' },
      el('h2', {}, 'Channels', el('button', { type: 'button', title: 'New channel', 'aria-label': 'New channel', id: 'new-channel-button',
        onclick: () => toggleNewChannel(newChannel) }, '+')),
      newChannel,
      ui.channels,
      el('h2', {}, 'Lounges'),
      ui.lounges),
    ui.main));
  ui.main.append(el('p', { class: 'empty' }, 'Pick a channel, or a room of a lounge to read it.'));
  showState(client.state);
  client.connect();
  try {
    state.me = await client.me();
  } catch {
    state.me = client.user;
  }
  await Promise.all([refreshChannels(), refreshLounges()]);
  const ids = state.channels.map((c) => c.id).slice(0, 100);
  if (ids.length) client.follow(ids).catch(() => {});
}

function showState(s) {
  if (!ui) return;
  const label = { online: 'online', connecting: 'connecting…', offline: 'offline: reconnecting', ended: 'signed out', 'signed-out': 'signed out' }[s] || s;
  ui.conn.textContent = label;
  ui.conn.className = 'conn ' + s;
}
client.on('state', showState);
window.addEventListener('online', () => client.reconnectNow());

function toggleNewChannel(box) {
  if (!box.classList.contains('hidden')) {
    box.classList.add('hidden');
    return;
  }
  const name = el('input', { placeholder: 'Channel name', 'aria-label': 'Channel name', maxlength: 80, id: 'new-channel-name' });
  const kind = el('select', { 'aria-label': 'Who can join' }, el('option', { value: 'public' }, 'Public'), el('option', { value: 'private' }, 'Private'));
  const dm = el('input', { placeholder: 'or a handle for a direct chat', 'aria-label': 'Handle for a direct chat', id: 'direct-handle' });
  const error = el('p', { class: 'error', role: 'alert' });
  clear(box).append(
    el('form', { onsubmit: async (e) => {
      e.preventDefault();
      try {
        let id;
        if (dm.value.trim()) {
          const found = (await client.api('GET', '/users?handle=' + encodeURIComponent(dm.value.trim()))).users[0];
          if (!found) throw new Error('Nobody has the handle ' + dm.value.trim() + '.');
          id = (await client.direct(found.id)).id;
        } else {
          id = (await client.createChannel({ kind: kind.value, name: name.value.trim() })).id;
        }
        box.classList.add('hidden');
        await refreshChannels();
        openChannel(id);
      } catch (err) {
        say(error, err);
      }
    } }, name, kind, dm, el('button', { class: 'primary', type: 'submit' }, 'Create')),
    error);
  box.classList.remove('hidden');
  name.focus();
}

async function refreshChannels() {
  try {
    state.channels = await client.myChannels();
  } catch {
    return;
  }
  const peers = state.channels.filter((c) => c.kind === 'direct' && c.peer).map((c) => c.peer.id);
  for (const c of state.channels) if (c.peer) names.set(c.peer.id, c.peer);
  renderChannels();
  if (peers.length) {
    client.presence(peers.slice(0, 100)).then((r) => {
      for (const p of r.users || r.presence || []) presence.set(p.userId, p.online);
      renderChannels();
    }).catch(() => {});
  }
}

const presence = new Map();

function channelName(c) {
  return c.kind === 'direct' && c.peer ? c.peer.displayName || c.peer.handle : c.name;
}

function renderChannels() {
  clear(ui.channels);
  for (const c of state.channels) {
    const open = () => openChannel(c.id);
    ui.channels.append(el('li', {
      tabindex: 0, 'data-channel': c.id, class: state.current?.id === c.id ? 'active' : '',
      onclick: open, onkeydown: (e) => { if (e.key === 'Enter') open(); },
    },
    c.kind === 'direct' ? el('span', { class: 'dot' + (presence.get(c.peer?.id) ? ' online' : ''), title: presence.get(c.peer?.id) ? 'online' : 'offline' }) : null,
    el('span', { class: 'name' }, (c.kind === 'direct' ? '' : c.kind === 'private' ? '🔒 ' : '# ') + channelName(c)),
    c.mentions > 0 ? el('span', { class: 'badge mention', title: 'mentions' }, '@' + c.mentions) : null,
    c.unread > 0 ? el('span', { class: 'badge', title: 'unread' }, c.unread > 999 ? '999+' : c.unread) : null));
  }
  if (!state.channels.length) ui.channels.append(el('li', { class: 'muted' }, 'No channels yet: open a room below.'));
}

async function refreshLounges() {
  try {
    state.lounges = await client.lounges();
  } catch {
    return;
  }
  clear(ui.lounges);
  for (const l of state.lounges) {
    ui.lounges.append(el('li', { class: 'lounge' }, l.name));
    for (const r of l.rooms) {
      const open = () => openChannel(r.id);
      ui.lounges.append(el('li', { class: 'room', tabindex: 0, 'data-room': r.id, onclick: open, onkeydown: (e) => { if (e.key === 'Enter') open(); } },
        el('span', { class: 'name' }, r.name), el('span', { class: 'lang' }, r.language),
        r.online ? el('span', { class: 'muted', title: 'online' }, String(r.online)) : null));
    }
  }
}

// ---- one open channel

async function openChannel(id) {
  const previous = state.current;
  if (previous && !previous.member) client.unfollow(previous.id);
  const view = {
    id, channel: null, member: false, moderates: false, items: [], bySeq: new Map(), hasMore: false, oldest: null,
    loading: false, typing: new Map(), peerRead: 0, editing: null, list: null, panel: null,
  };
  state.current = view;
  renderChannels();
  let channel;
  try {
    channel = await client.channel(id);
  } catch (err) {
    clear(ui.main).append(el('p', { class: 'empty', role: 'alert' }, err.message));
    return;
  }
  if (state.current !== view) return;
  view.channel = channel;
  view.member = channel.member;
  const lounge = state.lounges.find((l) => l.id === channel.loungeId);
  view.moderates = state.me?.role === 'admin' || channel.role === 'owner' || channel.role === 'moderator'
    || Boolean(lounge && lounge.moderators.includes(client.user.id));
  renderChannelView(view);
  const acks = await client.follow(id).catch(() => []);
  const ack = acks.find((a) => a.id === id);
  const lastSeq = ack ? ack.lastSeq : channel.lastSeq;
  try {
    const page = await client.history(id, lastSeq > 0 ? { before: lastSeq + 1 } : {});
    if (state.current !== view) return;
    const known = client.channels.get(id);
    if (known && known.lastSeq == null) known.lastSeq = lastSeq;
    addPage(view, page, true);
  } catch (err) {
    view.list.setNote(err.message);
  }
  if (view.member) markRead(view);
}

/** Adds a page of history (newest first) to the view; older pages go on top without moving what is shown. */
async function addPage(view, page, newest) {
  const shown = page.messages.filter((m) => !m.held);
  await loadNames(shown.map((m) => m.senderId));
  for (const m of page.messages) view.oldest = view.oldest == null ? m.seq : Math.min(view.oldest, m.seq);
  view.hasMore = page.hasMore;
  for (const m of shown) view.bySeq.set(m.seq, m);
  view.items = [...view.bySeq.values()].sort((a, b) => a.seq - b.seq);
  view.list.setItems(view.items, newest ? 'bottom' : 'keep');
  view.list.setNote(view.hasMore ? null : view.items.length ? 'This is the start of the conversation.' : 'No messages yet. Say hello!');
}

async function loadOlder(view) {
  if (view.loading || !view.hasMore || view.oldest == null || view.oldest <= 1) return;
  view.loading = true;
  try {
    const page = await client.history(view.id, { before: view.oldest });
    if (state.current === view) await addPage(view, page, false);
  } catch (err) {
    view.list.setNote(err.message);
  } finally {
    view.loading = false;
  }
}

function markRead(view) {
  const last = view.items.length ? view.items[view.items.length - 1].seq : 0;
  if (!view.member || !last || document.hidden) return;
  const c = state.channels.find((x) => x.id === view.id);
  if (c && (c.unread || c.mentions)) {
    c.unread = 0;
    c.mentions = 0;
    renderChannels();
  }
  if (last > (view.readSent || 0)) {
    view.readSent = last;
    client.markRead(view.id, last);
  }
}

function renderChannelView(view) {
  const c = view.channel;
  const head = el('div', { class: 'chanhead' },
    el('h2', { id: 'channel-title' }, (c.kind === 'direct' ? '' : c.kind === 'private' ? '🔒 ' : '# ') + (channelName(state.channels.find((x) => x.id === c.id) || c))),
    c.language ? el('span', { class: 'lang' }, c.language) : null,
    el('span', { class: 'topic' }, c.topic || ''),
    !view.member && c.kind !== 'private' && c.kind !== 'direct'
      ? el('button', { class: 'primary', type: 'button', id: 'join', onclick: () => join(view) }, 'Join') : null,
    // rooms are joined by their readers, never by invitation; a direct channel has its two members
    view.member && (c.kind === 'public' || c.kind === 'private')
      ? el('button', { type: 'button', id: 'invite', onclick: () => showInvite(view) }, 'Invite') : null,
    view.member && c.role !== 'owner' ? el('button', { type: 'button', id: 'leave', onclick: () => leave(view) }, 'Leave') : null,
    view.moderates && c.kind !== 'direct' ? el('button', { type: 'button', id: 'moderation', onclick: () => showModeration(view) }, 'Moderation') : null);
  const scroller = el('div', { class: 'messages', id: 'messages', role: 'log', 'aria-label': 'Messages', tabindex: 0 });
  view.list = new VirtualList(scroller, (m) => renderMessage(view, m), () => loadOlder(view), () => markRead(view));
  view.outbox = el('div', { class: 'outbox', id: 'outbox', 'aria-label': 'Sending' });
  view.typingLine = el('div', { class: 'typing', id: 'typing', 'aria-live': 'polite' });
  view.panel = el('div', { class: 'panel hidden', id: 'panel' });
  clear(ui.main).append(head, scroller, view.outbox, view.typingLine, composer(view), view.panel);
  renderOutbox();
}

function composer(view) {
  if (!view.member) {
    return el('div', { class: 'composer' }, el('span', { class: 'note', id: 'join-note' },
      view.channel.kind === 'room' ? 'You are reading this room. Join it to write.' : 'Join this channel to write.'));
  }
  const box = el('textarea', { id: 'composer', placeholder: 'Write a message', 'aria-label': 'Message', maxlength: 4000 });
  const send = el('button', { class: 'primary', type: 'submit', id: 'send' }, 'Send');
  const submit = async (e) => {
    e?.preventDefault();
    const body = box.value;
    if (!body.trim()) return;
    box.value = '';
    if (view.editing) {
      const seq = view.editing;
      view.editing = null;
      send.textContent = 'Send';
      try {
        updateItem(view, await client.edit(view.id, seq, body));
      } catch (err) {
        alertLine(view, err.message);
      }
      return;
    }
    client.send(view.id, body).catch((err) => alertLine(view, 'Not sent: ' + err.message));
  };
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) submit(e);
    else if (e.key === 'Escape' && view.editing) {
      view.editing = null;
      box.value = '';
      send.textContent = 'Send';
    } else if (view.member) client.typing(view.id); // readers who have not joined type to nobody
  });
  view.box = box;
  view.sendButton = send;
  return el('form', { class: 'composer', onsubmit: submit }, box, send);
}

function alertLine(view, text) {
  view.typingLine.textContent = text;
}

function renderMessage(view, m) {
  const mine = m.senderId === client.user?.id; // no user while signing out: rows drawn then are nobody's
  const node = el('div', { class: 'msg' + (m.deleted ? ' deleted' : ''), 'data-seq': m.seq },
    (mine && !m.deleted && !m.status) || (view.moderates && !m.deleted)
      ? el('span', { class: 'actions' },
        mine && !m.status ? el('button', { type: 'button', 'aria-label': 'Edit message', onclick: () => startEdit(view, m) }, 'Edit') : null,
        el('button', { type: 'button', 'aria-label': 'Delete message', onclick: () => removeMessage(view, m) }, 'Delete'))
      : null,
    el('span', { class: 'who' }, nameOf(m.senderId)),
    el('span', { class: 'when' }, time(m.createdAt)),
    m.editedAt && !m.deleted ? el('span', { class: 'when' }, ' (edited)') : null,
    m.status === 'pending' ? el('span', { class: 'tag' }, mine ? 'waiting for a moderator' : 'pending approval') : null,
    m.status === 'rejected' ? el('span', { class: 'tag' }, 'not published by a moderator') : null,
    mine && view.channel.kind === 'direct' && view.peerRead >= m.seq ? el('span', { class: 'tag seen' }, 'seen') : null,
    el('div', { class: 'body' }, m.deleted ? 'This message was deleted.' : m.body));
  return node;
}

function startEdit(view, m) {
  if (!view.box) return;
  view.editing = m.seq;
  view.box.value = m.body;
  view.sendButton.textContent = 'Save';
  view.box.focus();
}

async function removeMessage(view, m) {
  if (!confirm('Delete this message?')) return;
  try {
    updateItem(view, await client.remove(view.id, m.seq));
  } catch (err) {
    alertLine(view, err.message);
  }
}

function updateItem(view, m) {
  const old = view.bySeq.get(m.seq);
  if (!old) return;
  const merged = { ...old, ...m };
  if (!('status' in m) && (m.type === 'approved' || m.body !== undefined && m.type === undefined)) delete merged.status;
  view.bySeq.set(m.seq, merged);
  view.items = view.items.map((x) => (x.seq === m.seq ? merged : x));
  view.list.update(merged);
}

async function addLive(view, m) {
  await loadNames([m.senderId]);
  if (state.current !== view || view.bySeq.has(m.seq)) {
    if (view.bySeq.has(m.seq)) updateItem(view, m);
    return;
  }
  view.bySeq.set(m.seq, m);
  if (!view.items.length || view.items[view.items.length - 1].seq < m.seq) view.items.push(m);
  else view.items = [...view.bySeq.values()].sort((a, b) => a.seq - b.seq);
  view.list.setItems(view.items, 'follow');
  view.list.setNote(view.hasMore ? null : 'This is the start of the conversation.');
}

async function join(view) {
  try {
    await client.join(view.id);
    await refreshChannels();
    openChannel(view.id);
  } catch (err) {
    alertLine(view, err.message);
  }
}

async function leave(view) {
  try {
    await client.leave(view.id);
    client.unfollow(view.id);
    state.current = null;
    await refreshChannels();
    clear(ui.main).append(el('p', { class: 'empty' }, 'You left the channel.'));
  } catch (err) {
    alertLine(view, err.message);
  }
}

function showPanel(view, title, ...content) {
  clear(view.panel).append(el('h3', {}, title, el('button', { type: 'button', 'aria-label': 'Close', onclick: () => view.panel.classList.add('hidden') }, '×')), ...content);
  view.panel.classList.remove('hidden');
}

function showInvite(view) {
  const handle = el('input', { placeholder: 'Their handle', 'aria-label': 'Handle to invite', id: 'invite-handle' });
  const error = el('p', { class: 'error', role: 'alert' });
  showPanel(view, 'Invite someone', el('form', { onsubmit: async (e) => {
    e.preventDefault();
    try {
      const found = (await client.api('GET', '/users?handle=' + encodeURIComponent(handle.value.trim()))).users[0];
      if (!found) throw new Error('Nobody has the handle ' + handle.value.trim() + '.');
      await client.invite(view.id, found.id);
      error.textContent = (found.displayName || found.handle) + ' is in.';
    } catch (err) {
      say(error, err);
    }
  } }, handle, el('button', { class: 'primary', type: 'submit' }, 'Invite')), error);
  handle.focus();
}

async function showModeration(view) {
  const error = el('p', { class: 'error', role: 'alert' });
  const mode = el('select', { 'aria-label': 'Pre-moderation', id: 'premoderation', onchange: async () => {
    try {
      view.channel = await client.setPremoderation(view.id, mode.value);
      error.textContent = 'Saved.';
    } catch (err) {
      say(error, err);
    }
  } }, ['off', 'guests', 'all'].map((v) => el('option', { value: v, selected: view.channel.premoderation === v }, {
    off: 'Publish every message', guests: "Hold guests' messages for approval", all: 'Hold every message for approval' }[v])));
  const queue = el('ul', { id: 'queue' });
  const who = el('input', { placeholder: 'Handle', 'aria-label': 'Member handle' });
  const act = (change) => async () => {
    try {
      const found = (await client.api('GET', '/users?handle=' + encodeURIComponent(who.value.trim()))).users[0];
      if (!found) throw new Error('Nobody has the handle ' + who.value.trim() + '.');
      await client.changeMember(view.id, found.id, change());
      error.textContent = 'Done.';
    } catch (err) {
      say(error, err);
    }
  };
  showPanel(view, 'Moderation', el('label', {}, 'Pre-moderation: ', mode), el('h3', {}, 'Awaiting approval'), queue,
    el('form', { onsubmit: (e) => e.preventDefault() }, who,
      el('button', { type: 'button', onclick: act(() => ({ mutedUntil: new Date(Date.now() + 3600e3).toISOString() })) }, 'Mute 1 h'),
      el('button', { type: 'button', onclick: act(() => ({ mutedUntil: null })) }, 'Unmute'),
      el('button', { type: 'button', onclick: act(() => ({ banned: true })) }, 'Ban'),
      el('button', { type: 'button', onclick: act(() => ({ banned: false })) }, 'Unban')),
    error);
  view.queue = queue;
  try {
    const q = await client.moderationQueue(view.id);
    await loadNames(q.messages.map((m) => m.senderId));
    q.messages.forEach((m) => addToQueue(view, m));
    if (!q.messages.length) queue.append(el('li', { class: 'muted', 'data-empty': 1 }, 'Nothing is waiting.'));
  } catch (err) {
    say(error, err);
  }
}

function addToQueue(view, m) {
  if (!view.queue || view.queue.querySelector(`[data-seq="${m.seq}"]`)) return;
  view.queue.querySelector('[data-empty]')?.remove();
  const item = el('li', { 'data-seq': m.seq },
    el('strong', {}, nameOf(m.senderId)), ' ', el('span', { class: 'muted' }, time(m.createdAt)),
    el('div', { class: 'body' }, m.body), ' ',
    el('button', { type: 'button', class: 'primary', onclick: () => decide(true) }, 'Approve'), ' ',
    el('button', { type: 'button', onclick: () => decide(false) }, 'Reject'));
  async function decide(approve) {
    try {
      await (approve ? client.approve(view.id, m.seq) : client.reject(view.id, m.seq));
      item.remove();
    } catch (err) {
      item.append(el('span', { class: 'error' }, ' ' + err.message));
    }
  }
  view.queue.append(item);
}

async function runSearch(q) {
  if (!q) return;
  const view = state.current;
  const list = el('ul', { id: 'results' });
  const target = view?.panel;
  const show = (...c) => {
    if (target) showPanel(view, 'Search: ' + q, ...c);
    else clear(ui.main).append(el('div', { class: 'panel' }, el('h3', {}, 'Search: ' + q), ...c));
  };
  // a page may be short, even empty, when the server stopped reading (truncated): "More" goes on from there
  const more = el('button', { type: 'button', hidden: true }, 'More results');
  let found = 0;
  let next = null;
  const page = async () => {
    more.hidden = true;
    const r = await client.search(q, next ? { before: next } : {});
    await loadNames(r.results.map((m) => m.senderId));
    for (const m of r.results) {
      list.append(el('li', { class: 'result', tabindex: 0, onclick: () => openChannel(m.channelId) },
        el('strong', {}, '#' + m.channelName + ' · ' + nameOf(m.senderId)), ' ', el('span', { class: 'muted' }, time(m.createdAt)),
        el('div', { class: 'body' }, m.body)));
    }
    found += r.results.length;
    next = r.nextCursor;
    more.hidden = !next;
    if (!next && !found) list.append(el('li', { class: 'muted' }, r.truncated ? 'Nothing found among the newest messages.' : 'Nothing found.'));
  };
  more.onclick = () => page().catch((err) => list.append(el('li', { class: 'error' }, err.message)));
  try {
    await page();
    show(list, more);
  } catch (err) {
    show(el('p', { class: 'error' }, err.message));
  }
}

function renderOutbox() {
  const view = state.current;
  if (!view?.outbox) return;
  clear(view.outbox);
  for (const item of client.outbox.filter((i) => i.channelId === view.id)) {
    view.outbox.append(el('div', { class: 'msg' }, el('span', { class: 'who' }, nameOf(client.user.id)),
      el('span', { class: 'tag' }, client.state === 'online' ? 'sending…' : 'will be sent when back online'),
      el('div', { class: 'body' }, item.body)));
  }
}

// ---- live events

client.on('outbox', renderOutbox);
client.on('state', renderOutbox);

client.on('message', (m) => {
  const view = state.current;
  if (view && view.id === m.channelId) {
    addLive(view, m);
    view.typing.delete(m.senderId);
    renderTyping(view);
    if (m.status === 'pending' && view.moderates && m.senderId !== client.user.id) addToQueue(view, m);
    return;
  }
  const c = state.channels.find((x) => x.id === m.channelId);
  if (c && m.senderId !== client.user?.id && !m.status) {
    c.unread = (c.unread || 0) + 1;
    renderChannels();
  }
});

client.on('approved', (m) => {
  const view = state.current;
  if (view && view.id === m.channelId) {
    if (view.bySeq.has(m.seq)) updateItem(view, { ...m, status: undefined });
    else addLive(view, { ...m, type: 'message' });
    view.queue?.querySelector(`[data-seq="${m.seq}"]`)?.remove();
  }
});

client.on('rejected', (m) => {
  const view = state.current;
  if (view && view.id === m.channelId && view.bySeq.has(m.seq)) updateItem(view, { seq: m.seq, status: 'rejected' });
  view?.queue?.querySelector(`[data-seq="${m.seq}"]`)?.remove();
});

client.on('edited', (e) => {
  const view = state.current;
  if (view && view.id === e.channelId) updateItem(view, { seq: e.seq, body: e.body, editedAt: e.editedAt });
});

client.on('deleted', (e) => {
  const view = state.current;
  if (view && view.id === e.channelId) updateItem(view, { seq: e.seq, deleted: true, body: '' });
});

client.on('typing', (t) => {
  const view = state.current;
  if (!view || view.id !== t.channelId) return;
  clearTimeout(view.typing.get(t.userId));
  view.typing.set(t.userId, setTimeout(() => {
    view.typing.delete(t.userId);
    renderTyping(view);
  }, 6000));
  loadNames([t.userId]).then(() => renderTyping(view));
});

function renderTyping(view) {
  if (state.current !== view) return;
  const who = [...view.typing.keys()].map(nameOf);
  view.typingLine.textContent = !who.length ? '' : who.length === 1 ? who[0] + ' is typing…' : who.join(', ') + ' are typing…';
}

client.on('read', (r) => {
  const view = state.current;
  if (!view || view.id !== r.channelId || r.userId === client.user.id) return;
  view.peerRead = Math.max(view.peerRead, r.lastReadSeq);
  for (const m of view.items) if (m.senderId === client.user.id && m.seq <= view.peerRead) view.list.update(m);
});

client.on('presence', (p) => {
  presence.set(p.userId, p.online);
  renderChannels();
});

client.on('mention', (m) => {
  if (state.current?.id === m.channelId) return;
  const c = state.channels.find((x) => x.id === m.channelId);
  if (c) {
    c.mentions = (c.mentions || 0) + 1;
    renderChannels();
  }
});

// someone else added this user to a channel (an invitation, a new channel or direct chat): list and follow it
client.on('added', async (e) => {
  await refreshChannels();
  client.follow([e.channelId]).catch(() => {});
});

client.on('removed', (r) => {
  if (r.userId !== client.user.id) return;
  if (state.current?.id === r.channelId) {
    state.current = null;
    clear(ui.main).append(el('p', { class: 'empty', role: 'alert' }, 'You were removed from this channel.'));
  }
  refreshChannels();
});

client.on('sent', () => renderOutbox());
document.addEventListener('visibilitychange', () => state.current && markRead(state.current));

// What the open channel holds, for the browser console and the browser tests (read only).
window.parleyView = {
  channelId: () => state.current?.id ?? null,
  seqs: () => (state.current ? state.current.items.map((m) => m.seq) : []),
  bodies: () => (state.current ? state.current.items.map((m) => m.body) : []),
  rendered: () => document.querySelectorAll('#messages .msg').length,
};

// ---- start

if (client.session) showChat();
else showAuth();
