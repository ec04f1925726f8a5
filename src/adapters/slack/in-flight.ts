/**
 * The work that runs after an ack (dispatching a command, recording a message). Slack already
 * has its answer by then, so nothing else waits for this work: shutdown has to, or a SIGTERM
 * mid-declare would drop the channel creation, and tests need to know when it is done.
 *
 * Work on one channel can also be put in line (`serial`). Acks are instant, so a busy incident
 * channel can have hundreds of messages in flight at once; recorded all together they would
 * race on the incident's compare-and-set until some gave up. In line, each channel's messages
 * are appended one after another, in the order they arrived, while channels run in parallel.
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private readonly lines = new Map<string, Promise<void>>();

  /** Runs `work` and keeps track of it until it settles; its failure is the caller's to handle. */
  run(work: () => Promise<void>): Promise<void> {
    const p = work();
    const tracked = p.catch(() => undefined);
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    return p;
  }

  /** Runs `work` after the earlier work queued under the same key has settled (tracked, too). */
  serial(key: string, work: () => Promise<void>): Promise<void> {
    const before = this.lines.get(key) ?? Promise.resolve();
    const mine = before.then(work);
    const settled = mine.catch(() => undefined);
    this.lines.set(key, settled);
    void settled.finally(() => {
      if (this.lines.get(key) === settled) this.lines.delete(key);
    });
    return this.run(() => mine);
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves true once nothing runs (work started meanwhile included), false after `timeoutMs`. */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, left)));
      await Promise.race([Promise.all([...this.running]), timeout]);
      clearTimeout(timer);
    }
    return true;
  }
}
