// A pass's queue of claimed deliveries, taken by destination group: the first one whose group may go now (its
// concurrency and rate), past those of groups that must wait; a group waiting after a deferral is moved out.
import type { ClaimedDelivery } from './claims.js';
import type { DestinationPacer } from './destination-pacer.js';

/** A claimed delivery with its destination group. */
export type Paced = ClaimedDelivery & { group: string };

export class PacedQueue {
  private readonly items: Paced[] = [];
  /** Queued deliveries by group, to see which limited groups have enough claimed. */
  private readonly byGroup = new Map<string, number>();
  /** When the last `take` found nothing that may go: how soon the first group may. */
  readyInMs = 0;

  constructor(
    private readonly pacer: DestinationPacer,
    private readonly batchSize: number,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Queues claimed deliveries, each with its group, and asks for the places of their groups at once. */
  push(claimed: ClaimedDelivery[]): void {
    const counts = new Map<string, number>();
    for (const delivery of claimed) {
      const group = this.pacer.groupOf(delivery.email);
      this.items.push({ ...delivery, group });
      this.byGroup.set(group, (this.byGroup.get(group) ?? 0) + 1);
      counts.set(group, (counts.get(group) ?? 0) + 1);
    }
    if (counts.size > 0) this.pacer.prepare(counts);
  }

  /**
   * The first queued delivery whose group may go now: the pacer has given it a place (give it back with
   * `pacer.release`). Those of a group waiting after a deferral go to `onWaiting`, to be given back.
   */
  take(onWaiting: (delivery: Paced) => void): Paced | null {
    const now = Date.now();
    const notYet = new Set<string>();
    let readyIn = Infinity;
    for (let i = 0; i < this.items.length;) {
      const delivery = this.items[i] as Paced;
      const { group } = delivery;
      if (this.pacer.isWaiting(group, now)) {
        this.remove(i);
        onWaiting(delivery);
        continue;
      }
      if (!notYet.has(group)) {
        const wait = this.pacer.tryTake(group);
        if (wait === 0) {
          this.remove(i);
          return delivery;
        }
        notYet.add(group);
        readyIn = Math.min(readyIn, wait);
      }
      i += 1;
    }
    this.readyInMs = readyIn;
    return null;
  }

  /** A limited group with enough deliveries claimed: claims leave it out, and it does not count as ready. */
  isFull(group: string): boolean {
    return this.pacer.isLimited(group) && (this.byGroup.get(group) ?? 0) >= this.pacer.queueCap(group, this.batchSize);
  }

  /** The groups that are full now. */
  fullGroups(): string[] {
    return [...this.byGroup.keys()].filter((group) => this.isFull(group));
  }

  /** A full group that has sent half its queue: a claim may bring more of it again. */
  hasRoom(group: string): boolean {
    return (this.byGroup.get(group) ?? 0) * 2 < this.pacer.queueCap(group, this.batchSize);
  }

  /** Queued deliveries of groups that are not limited: what the lanes can count on at once. */
  readyCount(): number {
    let count = this.items.length;
    for (const [group, queued] of this.byGroup) if (this.pacer.isLimited(group)) count -= queued;
    return count;
  }

  /** Empties the queue, returning what it held. */
  drain(): Paced[] {
    this.byGroup.clear();
    return this.items.splice(0);
  }

  private remove(index: number): void {
    const [delivery] = this.items.splice(index, 1);
    if (!delivery) return;
    const left = (this.byGroup.get(delivery.group) ?? 1) - 1;
    if (left > 0) this.byGroup.set(delivery.group, left);
    else this.byGroup.delete(delivery.group);
  }
}
