// In-memory storage adapter for oidc-provider (dev/test only).
//
// oidc-provider ships a memory adapter too, but it is an LRU capped at 1000
// entries (a long e2e run can evict live sessions) and it cannot be enumerated,
// which the test hooks need ("all grants / sessions of account X").

const stores = new Map(); // model name -> Map(id -> { payload, expiresAt })
const grantMembers = new Map(); // grantId -> Set of "model\0id"

const now = () => Date.now();
const epoch = () => Math.floor(Date.now() / 1000);

function storeFor(model) {
  let store = stores.get(model);
  if (!store) {
    store = new Map();
    stores.set(model, store);
  }
  return store;
}

function isLive(entry) {
  return entry && (entry.expiresAt === undefined || entry.expiresAt > now());
}

function unindex(model, id, payload) {
  if (payload?.grantId) {
    const members = grantMembers.get(payload.grantId);
    members?.delete(`${model}\0${id}`);
    if (members?.size === 0) grantMembers.delete(payload.grantId);
  }
}

function remove(model, id) {
  const store = storeFor(model);
  const entry = store.get(id);
  if (entry) {
    store.delete(id);
    unindex(model, id, entry.payload);
  }
}

// Payloads are cloned on the way in and out so the provider never mutates
// what is stored behind our back.
const clone = (value) => structuredClone(value);

export class MemoryAdapter {
  constructor(model) {
    this.model = model;
    this.store = storeFor(model);
  }

  async upsert(id, payload, expiresIn) {
    const previous = this.store.get(id);
    if (previous) unindex(this.model, id, previous.payload);

    this.store.set(id, {
      payload: clone(payload),
      expiresAt: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : undefined,
    });

    if (payload.grantId) {
      if (!grantMembers.has(payload.grantId)) grantMembers.set(payload.grantId, new Set());
      grantMembers.get(payload.grantId).add(`${this.model}\0${id}`);
    }
  }

  async find(id) {
    const entry = this.store.get(id);
    if (!entry) return undefined;
    if (!isLive(entry)) {
      remove(this.model, id);
      return undefined;
    }
    return clone(entry.payload);
  }

  async findByUid(uid) {
    for (const [id, entry] of this.store) {
      if (entry.payload.uid === uid) return this.find(id);
    }
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const [id, entry] of this.store) {
      if (entry.payload.userCode === userCode) return this.find(id);
    }
    return undefined;
  }

  async consume(id) {
    const entry = this.store.get(id);
    if (entry) entry.payload.consumed = epoch();
  }

  async destroy(id) {
    remove(this.model, id);
  }

  async revokeByGrantId(grantId) {
    const members = grantMembers.get(grantId);
    if (!members) return;
    for (const key of [...members]) {
      const [model, id] = key.split('\0');
      if (model === this.model) remove(model, id);
    }
  }
}

// Live [id, payload] pairs of one model, for the test hooks.
export function entriesOf(model) {
  const result = [];
  for (const [id, entry] of storeFor(model)) {
    if (isLive(entry)) result.push([id, clone(entry.payload)]);
  }
  return result;
}

// Drop expired entries now and then so a long-running dev IdP does not grow.
export function startSweeper(intervalMs = 60_000) {
  const timer = setInterval(() => {
    for (const [model, store] of stores) {
      for (const [id, entry] of store) {
        if (!isLive(entry)) remove(model, id);
      }
    }
  }, intervalMs);
  timer.unref();
  return timer;
}

// Everything stored, as plain JSON, so a development provider can be stopped and started again
// without signing everyone out (IDP_STATE_FILE). Expiry times are absolute, so they survive as they are.
export function exportState() {
  const models = {};
  for (const [model, store] of stores) {
    models[model] = [...store].filter(([, entry]) => isLive(entry));
  }
  return models;
}

export function importState(models) {
  for (const [model, entries] of Object.entries(models ?? {})) {
    const adapter = new MemoryAdapter(model);
    for (const [id, entry] of entries) {
      const expiresIn = entry.expiresAt === undefined ? undefined : Math.max(1, Math.ceil((entry.expiresAt - now()) / 1000));
      adapter.upsert(id, entry.payload, expiresIn);
    }
  }
}
