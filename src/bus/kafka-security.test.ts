import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { describeKafkaSecurity, kafkaClientBase, kafkaSecurityFrom } from './kafka-security.js';

// No Kafka broker runs here (the Kafka contract suite skips itself and says why): this checks
// that bus.kafka's SASL and TLS settings become @platformatic/kafka's `sasl` and `tls` options.
const kafkaOf = (kafka: object) => configSchema.parse({ bus: { kind: 'kafka', kafka } }).bus.kafka;
const files = (p: string) => `PEM of ${p}`;

describe('bus.kafka SASL and TLS → @platformatic/kafka options', () => {
  it('maps SCRAM-SHA-512 with the password from the named variable, and TLS from PEM files', () => {
    const kafka = kafkaOf({
      brokers: ['k1:9093'],
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'landfall-agent', passwordEnv: 'KPW' },
      tls: {
        caFile: '/ca.pem',
        certFile: '/c.pem',
        keyFile: '/k.pem',
        servername: 'kafka.internal',
      },
    });
    const security = kafkaSecurityFrom(kafka, { KPW: 's3cret' }, files);
    expect(kafkaClientBase('landfall', kafka.brokers, security)).toEqual({
      clientId: 'landfall',
      bootstrapBrokers: ['k1:9093'],
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'landfall-agent', password: 's3cret' },
      tls: {
        ca: 'PEM of /ca.pem',
        cert: 'PEM of /c.pem',
        key: 'PEM of /k.pem',
        servername: 'kafka.internal',
      },
    });
    expect(describeKafkaSecurity(security)).toBe('SASL SCRAM-SHA-512 as landfall-agent, TLS');
  });

  it('PLAIN and SCRAM-SHA-256 pass through; nothing configured adds nothing', () => {
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256'] as const) {
      const kafka = kafkaOf({ sasl: { mechanism, username: 'u', passwordEnv: 'P' } });
      expect(kafkaSecurityFrom(kafka, { P: 'p' }).sasl?.mechanism).toBe(mechanism);
    }
    expect(kafkaClientBase('c', ['b:1'], kafkaSecurityFrom(kafkaOf({}), {}))).toEqual({
      clientId: 'c',
      bootstrapBrokers: ['b:1'],
    });
    expect(kafkaSecurityFrom(kafkaOf({ tls: {} }), {}).tls).toEqual({});
  });

  it('refuses a missing password by naming the variable, and an unknown mechanism', () => {
    const kafka = kafkaOf({ sasl: { mechanism: 'PLAIN', username: 'u', passwordEnv: 'NOPE' } });
    expect(() => kafkaSecurityFrom(kafka, {})).toThrow(/NOPE \(bus\.kafka\.sasl\.passwordEnv\)/);
    expect(() =>
      kafkaOf({ sasl: { mechanism: 'GSSAPI', username: 'u', passwordEnv: 'P' } }),
    ).toThrow();
  });
});
