import { queueSchema } from '../../config/schema.js';
import { queueContract } from './contract.js';

queueContract({
  name: 'memory',
  config: (settings) => ({ ...queueSchema.parse({ kind: 'memory' }), ...settings }),
});
