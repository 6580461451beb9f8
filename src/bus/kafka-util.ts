import {
  CompressionAlgorithms,
  type CompressionAlgorithmValue,
  compressionsAlgorithms,
  findErrorBy,
} from '@platformatic/kafka';
import { LandfallError, reasonOf } from '../errors.js';

/**
 * zstd gives the best ratio for our small protobuf payloads at low CPU. @platformatic/kafka
 * implements it with node:zlib's zstdCompressSync (Node.js >= 22.15 / 23.8, so present on our
 * Node.js 24) and says so in `available`; where it is missing we fall back to lz4, which the
 * client always has (WebAssembly) and which is the cheapest codec to decompress.
 */
export function pickCompression(): CompressionAlgorithmValue {
  return compressionsAlgorithms.zstd.available
    ? CompressionAlgorithms.ZSTD
    : CompressionAlgorithms.LZ4;
}

function libraryError(err: unknown, property: string, value: unknown): boolean {
  return err instanceof Error && findErrorBy(err, property, value) !== null;
}

/** CreateTopics answered TOPIC_ALREADY_EXISTS: someone (maybe us, racing) made it first. */
export function isTopicExists(err: unknown): boolean {
  return libraryError(err, 'apiId', 'TOPIC_ALREADY_EXISTS');
}

/** The client could not reach a broker (refused, timed out, dropped), as opposed to a broker saying no. */
export function isNetworkError(err: unknown): boolean {
  return libraryError(err, 'code', 'PLT_KFK_NETWORK');
}

/** LF_BUS_CONNECT naming the brokers, so the fix (start Kafka, fix bus.kafka.brokers) is obvious. */
export function connectError(
  brokers: readonly string[],
  what: string,
  cause: unknown,
): LandfallError {
  return new LandfallError(
    'LF_BUS_CONNECT',
    `cannot ${what}: Kafka brokers ${brokers.join(', ')} did not answer (${reasonOf(cause)}); check bus.kafka.brokers and that Kafka is running`,
    { cause },
  );
}

/** Parses KAFKA_BROKERS-style lists: "host:port,host:port". */
export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/** Rejects with `onTimeout()` if `promise` has not settled in `ms`; the timer never holds the process open. */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A promise that can be opened from outside: tasks wait on it while a rebalance or close runs. */
export class Gate {
  #wait: Promise<void> | undefined;
  #open: (() => void) | undefined;

  /** Undefined while open. */
  get closed(): Promise<void> | undefined {
    return this.#wait;
  }

  close(): void {
    this.#wait ??= new Promise<void>((resolve) => {
      this.#open = resolve;
    });
  }

  open(): void {
    const open = this.#open;
    this.#wait = undefined;
    this.#open = undefined;
    open?.();
  }
}
