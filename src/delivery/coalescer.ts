// Joins many small writes that arrive while one is in flight into a single statement.

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Each caller submits one item and gets its own result; items submitted while a flush is running go into
 * the next flush together. With many lanes and one database connection this turns N round trips into a few.
 */
export class Coalescer<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  /** Flushes started and not yet done (a lingering one included). */
  private inFlight = 0;
  /** Ends a linger early: set while a flush waits for more items. */
  private wake: (() => void) | null = null;
  /**
   * Somebody waits for an item of the next flush: it goes without a linger. Kept until that flush starts, since
   * a hurry made while a flush is in flight has no linger to end yet (and the waiting caller submits nothing more).
   */
  private urgent = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly maxPerFlush = 200,
    /** How long a flush may wait for more items when it has fewer than maxPerFlush (0: only this tick). */
    private readonly lingerMs = 0,
    /** A linger ends as soon as this many items wait (the writers that usually travel together are all in). */
    private readonly enoughItems = maxPerFlush,
    /**
     * How many flushes may run at once: with two, items that arrive while one waits on the database (a disk
     * flush) go in the next at once instead of after it. The caller's flushes must then not conflict.
     */
    private readonly maxInFlight = 1,
  ) {}

  /** Queues an item; resolves with its result once the flush that carries it is done. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.wake && this.waiting.length >= Math.min(this.enoughItems, this.maxPerFlush)) this.wake();
      this.pump();
    });
  }

  /**
   * Somebody is waiting for the result of `item`: the flush that carries it goes now. An item already in flight
   * changes nothing; one still waiting ends the linger, or spares the next flush its linger.
   */
  hurry(item: T): void {
    if (!this.waiting.some((w) => w.item === item)) return;
    this.urgent = true;
    this.wake?.();
  }

  /** Starts a flush when items wait, none is lingering for more, and a flush slot is free. */
  private pump(): void {
    if (this.wake || this.inFlight >= this.maxInFlight || this.waiting.length === 0) return;
    this.inFlight += 1;
    void this.flushOnce().finally(() => {
      this.inFlight -= 1;
      this.pump();
    });
  }

  private async flushOnce(): Promise<void> {
    // Let the submissions of this same tick (or of a short linger, until a flush is full) join the flush.
    if (!this.urgent && this.lingerMs > 0 && this.waiting.length < Math.min(this.enoughItems, this.maxPerFlush))
      await this.linger();
    else await Promise.resolve();
    this.urgent = false;
    const group = this.waiting.splice(0, this.maxPerFlush);
    if (group.length === 0) return;
    try {
      const results = await this.flush(group.map((w) => w.item));
      group.forEach((w, i) => w.resolve(results[i] as R));
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  }

  private linger(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), this.lingerMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}
