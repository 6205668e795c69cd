import { describe, expect, it } from 'vitest';
import { filtersJson, formatClusterEvent } from './cluster-events.js';

const event = {
  Type: 'service',
  Action: 'create',
  Actor: { ID: 'abc123', Attributes: { name: 'web' } },
  scope: 'swarm',
  time: 1796637600,
  timeNano: 1796637600123000000,
};

describe('cluster events in the CLI', () => {
  it('sends Docker’s filter JSON, several values of a key as alternatives', () => {
    expect(filtersJson(['type=service', 'type=node', 'event=create'])).toBe(
      '{"type":["service","node"],"event":["create"]}',
    );
    expect(filtersJson([])).toBeUndefined();
    expect(() => filtersJson(['type'])).toThrow('invalid value "type" for flag --filter');
  });

  it('prints events as docker events does, or as JSON or a template', () => {
    expect(formatClusterEvent(event)).toMatch(
      /^2026-12-07T10:00:00\.\d{9}Z service create abc123 \(name=web\)$/,
    );
    expect(JSON.parse(formatClusterEvent(event, 'json'))).toEqual(event);
    expect(formatClusterEvent(event, '{{.Type}} {{.Actor.Attributes.name}}')).toBe('service web');
    expect(JSON.parse(formatClusterEvent(event, '{{json .}}'))).toEqual(event);
  });
});
