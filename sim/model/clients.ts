import { grown } from "./grown.js";

/**
 * Every user the simulation knows, as a struct of arrays indexed by slot. Slots of users who
 * will not come back are reused through a free list; arrays double when full.
 * See DESIGN.md "Events are numbers".
 * NOTE: a column per field, each of the narrowest type that holds it (flags in bytes, counts and
 * indices in 32 bits, times in doubles): about 140 bytes a slot, where an object per client
 * cost about 1.7× the memory and ran 1.6–1.9× slower (DESIGN.md). The price: a request touches
 * one cache line per column it reads, so more columns on the request path cost speed.
 */
export class ClientTable {
  capacity = 0;
  /** Unique user number, never reused: the key of the user's counter-based random draws. */
  uid = new Int32Array(0);
  /** Bumped when a slot's pending event is cancelled or the slot is reused; events carry its low 8 bits. */
  gen = new Uint8Array(0);
  /** The user's own public address: its NAT's, or its own. */
  address = new Uint32Array(0);
  /** The address of the forward proxy or CDN the user reaches the balancer through, -1 when it reaches it directly. */
  proxyAddress = new Float64Array(0);
  mobile = new Uint8Array(0);
  /** The user's device class (an index into clients.classes), drawn at its first arrival; 0 in a scenario without classes. */
  deviceClass = new Uint8Array(0);
  cookiesDisabled = new Uint8Array(0);
  nextAddressChange = new Float64Array(0);
  addressChanges = new Int32Array(0);
  /** Set when the address changed since the last served request, for cause attribution. */
  addressChanged = new Uint8Array(0);
  visit = new Int32Array(0);
  /** The current visit: 0 started before measuring, 1 measured and not disrupted, 2 measured and a session was lost in it. */
  visitState = new Uint8Array(0);
  requestsLeft = new Int32Array(0);
  /** Requests sent over the user's lifetime: the index of their counter-based draws. */
  sent = new Int32Array(0);
  /**
   * The balancer's affinity cookie as its strategy set it (a server index, or for ingress-nginx's
   * balanced mode the 32-bit hash of the ring key it holds), -1 when the jar holds none.
   */
  lbCookie = new Float64Array(0);
  /** When the browser drops that cookie (Infinity: a browser-session cookie). */
  lbCookieExpires = new Float64Array(0);
  /** Current application session id, -1 when none. */
  session = new Int32Array(0);
  /** The id reserved for the user's next session (routing.nextSessionKey), -1 when none yet. */
  reservedSession = new Int32Array(0);
  sessionLastSeen = new Float64Array(0);
  /** When the current session was started (or started over). */
  sessionStartedAt = new Float64Array(0);
  /** Server that served the session's previous request. */
  sessionServer = new Int32Array(0);
  /** The topology event whose effect on this session is still to be judged (-1: none), and the server it used before that event. */
  judgeEvent = new Int32Array(0);
  judgeFrom = new Int32Array(0);
  /** One more than the topology event this user's session was last charged a loss for (0: none). */
  lostFor = new Int32Array(0);
  /** The server whose count of sessions in use includes this one, -1 when none. */
  countedOn = new Int32Array(0);
  /** 1 while the request in service will fail: the store did not answer and the application answers an error. */
  storeFailed = new Uint8Array(0);
  /** The balancer replica that routed the request in flight (with `balancer.replicas`). */
  replica = new Uint8Array(0);
  /**
   * The user's kept-alive HTTP connection (`clients.keepAlive`): open until `keptUntil` (0: none),
   * to `keptServer` in its `keptEpoch` (the connection died with the process that had it), through
   * the replica in `replica`.
   */
  keptUntil = new Float64Array(0);
  keptServer = new Int32Array(0);
  keptEpoch = new Int32Array(0);
  /** The request in flight: when the user sent it, which server has it, which worker (-1 queued). */
  sentAt = new Float64Array(0);
  server = new Int32Array(0);
  worker = new Int32Array(0);

  #free: number[] = [];
  #used = 0;

  /** Slots handed out so far (live or free): the range to scan for all users. */
  get used(): number {
    return this.#used;
  }

  /** A slot for a new user, with its per-user state reset. */
  allocate(uid: number): number {
    const slot = this.#free.length > 0 ? (this.#free.pop() as number) : this.#used++;
    if (slot >= this.capacity) this.#grow(Math.max(1024, this.capacity * 2));
    this.uid[slot] = uid;
    this.gen[slot]++;
    this.visit[slot] = 0;
    this.sent[slot] = 0;
    this.addressChanges[slot] = 0;
    this.addressChanged[slot] = 0;
    this.lbCookie[slot] = -1;
    this.lbCookieExpires[slot] = Infinity;
    this.session[slot] = -1;
    this.reservedSession[slot] = -1;
    this.sessionServer[slot] = -1;
    this.judgeEvent[slot] = -1;
    this.lostFor[slot] = 0;
    this.countedOn[slot] = -1;
    this.server[slot] = -1;
    this.keptUntil[slot] = 0;
    return slot;
  }

  release(slot: number): void {
    this.gen[slot]++;
    this.session[slot] = -1;
    this.#free.push(slot);
  }

  /** Event subject for a slot: the slot and its generation, so stale events can be told apart. */
  subject(slot: number): number {
    return slot * 256 + this.gen[slot];
  }

  #grow(capacity: number): void {
    for (const key of Object.keys(this) as (keyof this)[]) {
      const old = this[key];
      if (ArrayBuffer.isView(old)) this[key] = grown(old as unknown as Float64Array, capacity) as this[keyof this];
    }
    this.capacity = capacity;
  }
}

/** Splits an event subject back into slot and generation. */
export const slotOf = (subject: number): number => subject >>> 8;
export const genOf = (subject: number): number => subject & 255;
