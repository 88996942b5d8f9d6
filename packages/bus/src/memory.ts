/**
 * The in-process bus: the embedded default, for one process running every
 * service. Messages go through a FIFO queue drained on a later turn of the
 * event loop, so a publisher never runs subscriber code on its own stack and
 * per-subject order is the publish order.
 */
import { topics, type Bus, type BusHandler, type PublishOptions, type Subscription } from './bus.js';
import { BusError } from './errors.js';
import { encodePayload, invokeHandler, logHandlerError, once, type HandlerErrorListener } from './internal.js';
import { assertPublishSubject, assertSubscribeSubject, subjectMatcher } from './subject.js';

export interface MemoryBusOptions {
  /**
   * When set, every subject must start with `<prefix>.`, as on the other
   * adapters.
   * @default undefined (any subject)
   */
  prefix?: string;
  /**
   * Name of a process-wide hub to join. Buses created with the same name
   * deliver to each other, which is how the router and the conversations
   * service meet in one embedded process (`createBus` passes the prefix).
   * Without it the bus gets a private hub.
   * @default undefined (private hub)
   */
  shared?: string;
  /**
   * Told when a handler throws or rejects.
   * @default logs to console.error
   */
  onHandlerError?: HandlerErrorListener;
}

interface Entry {
  readonly matches: (subject: string) => boolean;
  readonly handler: BusHandler;
  readonly onError: HandlerErrorListener;
  active: boolean;
}

interface Delivery {
  readonly subject: string;
  readonly json: string;
  readonly targets: Entry[];
}

/** Routing table and delivery queue; shared by every bus joined to it. */
class Hub {
  private readonly entries = new Set<Entry>();
  private readonly queue: Delivery[] = [];
  private scheduled = false;
  private enqueued = 0;
  private delivered = 0;
  private waiters: Array<{ upTo: number; resolve: () => void }> = [];

  add(entry: Entry): void {
    this.entries.add(entry);
  }

  remove(entry: Entry): void {
    // Flagged as well as removed: deliveries already queued for it are dropped.
    entry.active = false;
    this.entries.delete(entry);
  }

  enqueue(subject: string, json: string): void {
    // Targets are fixed at publish time, as on a real server: a subscription
    // made after the publish does not see it.
    const targets = [...this.entries].filter((e) => e.matches(subject));
    if (targets.length === 0) return;
    this.queue.push({ subject, json, targets });
    this.enqueued++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  /**
   * Resolves once every message queued so far has been handed to its
   * handlers (not later ones: a busy shared hub must not hold a dispose).
   */
  settled(): Promise<void> {
    if (this.delivered >= this.enqueued) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo: this.enqueued, resolve }));
  }

  private drain(): void {
    // Bounded batch so a flood of publishes cannot starve I/O; the rest waits
    // for the next turn.
    for (let n = 0; n < 1000 && this.queue.length > 0; n++) {
      const { subject, json, targets } = this.queue.shift()!;
      for (const entry of targets) {
        // Each handler gets its own copy, as it would from a server.
        if (entry.active) invokeHandler(entry.handler, JSON.parse(json), subject, entry.onError);
      }
      this.delivered++;
    }
    if (this.waiters.length > 0) {
      const done = this.waiters.filter((w) => w.upTo <= this.delivered);
      this.waiters = this.waiters.filter((w) => w.upTo > this.delivered);
      for (const w of done) w.resolve();
    }
    if (this.queue.length > 0) {
      setImmediate(() => this.drain());
    } else {
      this.scheduled = false;
    }
  }
}

const sharedHubs = new Map<string, Hub>();

export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const prefix = options.prefix;
  if (prefix !== undefined) topics(prefix); // validates the prefix
  let hub: Hub;
  if (options.shared === undefined) {
    hub = new Hub();
  } else {
    hub = sharedHubs.get(options.shared) ?? new Hub();
    sharedHubs.set(options.shared, hub);
  }
  const onError = options.onHandlerError ?? logHandlerError;
  const mine = new Set<Entry>();
  let disposed = false;

  const assertOpen = () => {
    if (disposed) throw new BusError('bus is disposed');
  };

  return {
    kind: 'memory',

    async publish(subject: string, payload: unknown, _options?: PublishOptions): Promise<void> {
      assertOpen();
      assertPublishSubject(subject, prefix);
      hub.enqueue(subject, encodePayload(payload));
    },

    async subscribe(subject: string, handler: BusHandler): Promise<Subscription> {
      assertOpen();
      assertSubscribeSubject(subject, prefix);
      const entry: Entry = { matches: subjectMatcher(subject), handler, onError, active: true };
      hub.add(entry);
      mine.add(entry);
      return {
        async unsubscribe() {
          hub.remove(entry);
          mine.delete(entry);
        },
      };
    },

    async ping(): Promise<void> {
      assertOpen();
    },

    onReconnect: () => () => {},

    dispose: once(async () => {
      disposed = true;
      // Messages this bus already published are still delivered to others;
      // its own subscriptions stop at once.
      for (const entry of mine) hub.remove(entry);
      mine.clear();
      await hub.settled();
    }),
  };
}
