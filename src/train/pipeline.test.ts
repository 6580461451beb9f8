import { pipelineSuite } from './testing/pipeline-suite.js';

pipelineSuite({
  name: 'in-process',
  async start() {
    return { queue: { kind: 'memory' }, async stop() {} };
  },
});
