// Servers for tests live in src/testing so benchmarks (compiled from src) can start them too.
export * from '../src/testing/servers.js';
