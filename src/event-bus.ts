// A process-wide typed event emitter whose shared events can also travel to other processes: every emit of one is
// handed to a relay (the PostgreSQL bridge, src/db/event-bridge.ts) before the local listeners run, and what the
// relay brings back from another process is emitted here alone (`deliver`), so it never travels again.
import { EventEmitter } from 'node:events';

/** What an event that crosses processes may carry: ids (or nothing), small enough for a NOTIFY payload. */
export type SharedArgs = (number | null)[];

/** One event as it travels between processes. */
export interface RelayedEvent {
  bus: string;
  event: string;
  args: SharedArgs;
}

export type Relay = (event: RelayedEvent) => void;

/** A typed emitter with a name and the list of its events that other processes hear too. */
export class EventBus<T extends Record<keyof T, SharedArgs>> {
  private readonly local = new EventEmitter();
  private relay: Relay | null = null;

  constructor(
    readonly name: string,
    private readonly shared: readonly (keyof T & string)[],
  ) {}

  /** Listens to an event, whichever process it was emitted in. */
  on<K extends keyof T & string>(event: K, listener: (...args: T[K]) => void): this {
    this.local.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Stops listening. */
  off<K extends keyof T & string>(event: K, listener: (...args: T[K]) => void): this {
    this.local.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Raises the limit above which Node warns of a listener leak. */
  setMaxListeners(count: number): this {
    this.local.setMaxListeners(count);
    return this;
  }

  /** Starts (or, with null, stops) handing the shared events emitted here to another process's bridge. */
  relayTo(relay: Relay | null): void {
    this.relay = relay;
  }

  /** Emits locally; a shared event is also handed to the relay, when one is attached. */
  emit<K extends keyof T & string>(event: K, ...args: T[K]): boolean {
    if (this.relay && this.shared.includes(event)) this.relay({ bus: this.name, event, args });
    return this.local.emit(event, ...args);
  }

  /** An event heard from another process: emitted to this process's listeners only; unknown names are ignored. */
  deliver(event: string, args: SharedArgs): boolean {
    if (!this.shared.some((name) => name === event)) return false;
    return this.local.emit(event, ...args);
  }
}
