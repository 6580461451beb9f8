import { reasonOf } from '../errors.js';
import {
  type BusMessage,
  type Delivery,
  DlqHeaders,
  dlqTopic,
  type Handler,
  type PublishOptions,
} from './types.js';

export interface DeliveryOptions {
  group: string;
  maxAttempts: number;
  /** Publishes the dead letter; the adapter's own publish. */
  publish: (topic: string, value: Uint8Array, options: PublishOptions) => Promise<void>;
  /** Lets the next message of the key start (see `Delivery`); a no-op by default. */
  release?: () => void;
  /** The Delivery handed to the handler, instead of one made around `release`. */
  delivery?: Delivery;
  /** The adapter made the first attempt itself, and it failed: start from the second. */
  failedOnce?: { error: unknown };
  /** Called while a retry waits, so an adapter can extend its ack deadline. */
  onRetry?: (attempt: number, error: unknown) => void;
}

const MAX_BACKOFF_MS = 1_000;

/**
 * Runs a handler with in-place retries and dead-letters the message when they run out.
 * Resolves when the message may be acknowledged; rejects only when the dead letter could not
 * be published, in which case the adapter must not acknowledge (the message comes back).
 */
export async function deliver(message: BusMessage, handler: Handler, options: DeliveryOptions) {
  let lastError: unknown;
  const delivery: Delivery = options.delivery ?? { release: options.release ?? (() => {}) };
  let first = 1;
  if (options.failedOnce) {
    lastError = options.failedOnce.error;
    first = 2;
    if (options.maxAttempts > 1) {
      options.onRetry?.(1, lastError);
      await sleep(backoffMs(1));
    }
  }
  for (let attempt = first; attempt <= options.maxAttempts; attempt++) {
    try {
      await handler(attempt === 1 ? message : { ...message, attempt }, delivery);
      return;
    } catch (err) {
      lastError = err;
      if (attempt < options.maxAttempts) {
        options.onRetry?.(attempt, err);
        await sleep(backoffMs(attempt));
      }
    }
  }
  await deadLetter(
    message,
    reasonOf(lastError),
    options.group,
    options.maxAttempts,
    options.publish,
  );
}

function backoffMs(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 5 * 2 ** attempt);
}

/** Sends a message to `<topic>.dlq` with the reason and where it came from. */
export async function deadLetter(
  message: BusMessage,
  reason: string,
  group: string,
  attempts: number,
  publish: DeliveryOptions['publish'],
): Promise<void> {
  await publish(dlqTopic(message.topic), message.value, {
    key: message.key,
    headers: {
      ...message.headers,
      [DlqHeaders.reason]: reason.slice(0, 1024),
      [DlqHeaders.topic]: message.topic,
      [DlqHeaders.offset]: message.offset,
      [DlqHeaders.group]: group,
      [DlqHeaders.attempts]: String(attempts),
      [DlqHeaders.key]: message.key,
    },
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
