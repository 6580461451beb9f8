/**
 * The signatures of the last `capacity` transactions seen, to skip one the stream sends again (a
 * replay after a reconnect repeats the slot it resumes from). Insertion-ordered: the oldest is
 * forgotten first, which is safe because a replay only reaches back to the last slot seen.
 */
export class RecentSignatures {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(signature: string): boolean {
    return this.seen.has(signature);
  }

  /** Records `signature`; false when it was already there. */
  add(signature: string): boolean {
    if (this.seen.has(signature)) return false;
    this.seen.add(signature);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value as string;
      this.seen.delete(oldest);
    }
    return true;
  }
}
