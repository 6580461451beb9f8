/**
 * The last `capacity` ids seen, oldest forgotten first: enough to recognise a control command
 * delivered twice (a bus redelivery or a replayed capture) during an agent's life.
 */
export class RecentIds {
  readonly #ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** Records `id`; false when it was already among the recent ones. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) {
      const oldest = this.#ids.values().next().value as string;
      this.#ids.delete(oldest);
    }
    return true;
  }
}
