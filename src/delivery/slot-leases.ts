// The places of destination groups' concurrency one worker leases (destination-slots.ts), and how many of each its
// lanes use. A lane takes a place without a statement; places are asked for per claimed batch (or when a group runs
// short), renewed all at once every third of the lease, and those unused for a tick are given back, so another
// process may have them. A place is used only while a third of its lease is left: a worker whose renewals fail
// stops using it before another process could take it. Every statement runs one after another, so a renewal
// never sees a place that a give-back is removing.
import type { Sequelize } from 'sequelize';
import { giveBackSlots, renewSlots, takeSlots, type HeldSlot, type SlotRequest } from './destination-slots.js';

/** How soon a group that got fewer places than it asked for asks again, at first and at most. */
const ASK_AGAIN_MIN_MS = 20;
const ASK_AGAIN_MAX_MS = 500;

interface GroupPlaces {
  /** Slot number → until when (`performance.now()`) this process may count on it. */
  slots: Map<number, number>;
  inUse: number;
  /** The most used at once since the last tick: what is beyond it is given back. */
  peak: number;
  asking: boolean;
  nextAskAt: number;
  askDelay: number;
  grantedAt: number;
}

export class SlotLeases {
  private readonly groups = new Map<string, GroupPlaces>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly tickMs: number;
  private renewedAt = performance.now();
  private stopped = false;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly holder: string,
    private readonly leaseMs: number,
  ) {
    this.tickMs = Math.max(20, Math.min(250, Math.floor(leaseMs / 4)));
    this.timer = setInterval(() => void this.serial(() => this.tick()), this.tickMs);
    this.timer.unref();
  }

  /** True when one of the group's places this process holds is free; else asks for more if it may. */
  hasFree(group: string, concurrency: number, want: number): boolean {
    const places = this.placesOf(group);
    const now = performance.now();
    let usable = 0;
    for (const until of places.slots.values()) if (until - now > this.leaseMs / 3) usable += 1;
    if (places.inUse < usable) return true;
    this.ask([{ group, concurrency, want: Math.max(want, places.inUse + 1) }]);
    return false;
  }

  /** A lane took one of the group's free places. */
  use(group: string): void {
    const places = this.placesOf(group);
    places.inUse += 1;
    places.peak = Math.max(places.peak, places.inUse);
  }

  /** A lane is done with one of the group's places (it stays this process's until a tick finds it unused). */
  done(group: string): void {
    const places = this.groups.get(group);
    if (places) places.inUse = Math.max(0, places.inUse - 1);
  }

  /** Asks, in one statement, for the places that would bring each group up to `want` (not past its concurrency). */
  ask(requests: SlotRequest[]): void {
    if (this.stopped) return;
    const now = performance.now();
    const asked: SlotRequest[] = [];
    for (const request of requests) {
      const places = this.placesOf(request.group);
      const want = Math.min(request.want, request.concurrency) - places.slots.size;
      if (want <= 0 || places.asking || now < places.nextAskAt) continue;
      places.asking = true;
      asked.push({ ...request, want });
    }
    if (asked.length > 0) void this.serial(() => this.take(asked));
  }

  /** Gives every place back (the worker is done; no lane holds one). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.serial(async () => {
      const all: HeldSlot[] = [];
      for (const [group, places] of this.groups) for (const slot of places.slots.keys()) all.push({ group, slot });
      this.groups.clear();
      await giveBackSlots(this.sequelize, this.holder, all);
    });
  }

  private placesOf(group: string): GroupPlaces {
    let places = this.groups.get(group);
    if (!places) {
      places = { slots: new Map(), inUse: 0, peak: 0, asking: false, nextAskAt: 0, askDelay: 0, grantedAt: 0 };
      this.groups.set(group, places);
    }
    return places;
  }

  /** Runs the statements one after another; a failed one leaves the places as they were. */
  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work).catch(() => undefined);
    this.chain = next;
    return next;
  }

  private async take(asked: SlotRequest[]): Promise<void> {
    const startedAt = performance.now();
    let got: HeldSlot[] = [];
    try {
      got = await takeSlots(this.sequelize, this.holder, asked, this.leaseMs);
    } finally {
      const now = performance.now();
      for (const { group, slot } of got) this.placesOf(group).slots.set(slot, startedAt + this.leaseMs);
      for (const { group, want } of asked) {
        const places = this.placesOf(group);
        places.asking = false;
        places.grantedAt = now;
        const short = got.filter((held) => held.group === group).length < want;
        places.askDelay = short ? Math.min(ASK_AGAIN_MAX_MS, Math.max(ASK_AGAIN_MIN_MS, places.askDelay * 2)) : 0;
        places.nextAskAt = now + places.askDelay;
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    await giveBackSlots(this.sequelize, this.holder, this.unused());
    if (performance.now() - this.renewedAt < this.leaseMs / 3 - this.tickMs) return;
    const startedAt = performance.now();
    const held = await renewSlots(this.sequelize, this.holder, this.leaseMs);
    this.renewedAt = startedAt;
    const kept = new Set(held.map(({ group, slot }) => `${slot}:${group}`));
    for (const [group, places] of this.groups)
      for (const slot of places.slots.keys()) if (!kept.has(`${slot}:${group}`)) places.slots.delete(slot);
    // A place the database says is ours counts again (or is adopted: a statement whose answer was lost took it).
    for (const { group, slot } of held) this.placesOf(group).slots.set(slot, startedAt + this.leaseMs);
  }

  /** The places beyond the most each group used since the last tick, taken out of this process's hold. */
  private unused(): HeldSlot[] {
    const now = performance.now();
    const unused: HeldSlot[] = [];
    for (const [group, places] of this.groups) {
      const keep = Math.max(places.peak, places.inUse);
      places.peak = places.inUse;
      if (places.asking || now - places.grantedAt < 2 * this.tickMs) continue;
      const spare = [...places.slots].sort((a, b) => a[1] - b[1]).slice(0, Math.max(0, places.slots.size - keep));
      for (const [slot] of spare) {
        places.slots.delete(slot);
        unused.push({ group, slot });
      }
      if (places.slots.size === 0 && places.inUse === 0 && places.askDelay === 0) this.groups.delete(group);
    }
    return unused;
  }
}
