/** A FIFO async mutex: the embedded database has one session, so one user at a time. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();
  /** Callers holding or waiting for the lock (metrics: the session in use and the queue behind it). */
  #queued = 0;

  get queued(): number {
    return this.#queued;
  }

  /** Resolves with a release function once every earlier holder has released. */
  lock(): Promise<() => void> {
    let release!: () => void;
    this.#queued++;
    let released = false;
    const held = new Promise<void>(
      (resolve) =>
        (release = () => {
          if (!released) this.#queued--;
          released = true;
          resolve();
        }),
    );
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return acquired;
  }
}
