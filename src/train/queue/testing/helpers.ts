import { randomUUID } from 'node:crypto';

/** A queue name no other test uses, so tests never see each other's jobs. */
export function uniqueQueueName(label: string): string {
  return `q-${label}-${randomUUID().slice(0, 8)}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A latch a handler waits on until the test opens it. */
export class Gate {
  readonly #opened: Promise<void>;
  #open: () => void = () => {};

  constructor() {
    this.#opened = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  open(): void {
    this.#open();
  }

  wait(): Promise<void> {
    return this.#opened;
  }
}

/** Closes what a test opened, in reverse, after opening every gate so no handler stays blocked. */
export class Cleanup {
  readonly #gates: Gate[] = [];
  readonly #closables: Array<{ close(): Promise<void> }> = [];

  gate(): Gate {
    const gate = new Gate();
    this.#gates.push(gate);
    return gate;
  }

  track<C extends { close(): Promise<void> }>(closable: C): C {
    this.#closables.push(closable);
    return closable;
  }

  async run(): Promise<void> {
    for (const gate of this.#gates.splice(0)) gate.open();
    for (const closable of this.#closables.splice(0).reverse()) await closable.close();
  }
}
