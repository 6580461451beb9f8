import autocannon from 'autocannon';

/**
 * The API benchmark's load generator, run as its own process so the server under test does not
 * share an event loop with its client. Usage:
 * `node http-load.js <url> <method> <seconds> <connections> [<json body>]`, with the bearer
 * token in LANDFALL_BENCH_TOKEN (not on the command line, where `ps` shows it). Prints one JSON
 * line: requests per second (mean), latency p50/p99 in ms, and the counts of non-2xx and errors.
 */
const [url, method, seconds, connections, body] = process.argv.slice(2);
const token = process.env.LANDFALL_BENCH_TOKEN;
if (!url || !method || !seconds || !connections || !token) {
  process.stderr.write('usage: http-load <url> <method> <seconds> <connections> [json body]\n');
  process.exit(2);
}

const result = await autocannon({
  url,
  method: method as 'GET' | 'POST',
  duration: Number(seconds),
  connections: Number(connections),
  headers: {
    authorization: `Bearer ${token}`,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  },
  ...(body === undefined ? {} : { body }),
});

process.stdout.write(
  `${JSON.stringify({
    reqPerS: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
