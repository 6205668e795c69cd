import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyDecisions } from './key-decisions.js';
import { sectionSchema } from './key-rules.js';
import { renderKeyTable, schemaKeys, staleDecisions } from './key-table.js';
import type { Schema } from './schema.js';

describe('key decisions', () => {
  it('decide every key of the schema: honoured, warned or refused', () => {
    const undecided = schemaKeys()
      .filter((r) => !r.decision)
      .map((r) => r.key);
    expect(undecided).toEqual([]);
  });

  it('cover the service keys, deploy.* and the top-level sections', () => {
    const keys = new Set(schemaKeys().map((r) => r.key));
    for (const k of [
      'services.isolation',
      'services.credential_spec',
      'services.healthcheck.start_interval',
      'services.volumes.bind.propagation',
      'services.volumes.volume.nocopy',
      'services.deploy.resources.limits.pids',
      'services.deploy.placement.preferences.spread',
      'services.networks.ipv4_address',
      'networks.ipam.config.subnet',
      'volumes.driver',
      'secrets.template_driver',
      'configs.file',
    ])
      expect(keys).toContain(k);
    expect(keys.size).toBeGreaterThan(150);
  });

  it('fail for a key added to the schema without a decision', () => {
    const withNewKey = (section: Parameters<typeof sectionSchema>[0]): Schema => {
      const s = sectionSchema(section);
      if (section !== 'services' || 'oneOf' in s) return s;
      const deploy = s.props!.deploy as Exclude<Schema, { oneOf: unknown }>;
      return {
        ...s,
        props: {
          ...s.props,
          new_key: { type: 'string' },
          deploy: { ...deploy, props: { ...deploy.props, new_deploy_key: { type: 'string' } } },
        },
      };
    };
    const undecided = schemaKeys(withNewKey)
      .filter((r) => !r.decision)
      .map((r) => r.key);
    expect(undecided).toEqual(['services.deploy.new_deploy_key', 'services.new_key']);
  });

  it('name no key the schema lacks unless declared as outside it', () => {
    expect(staleDecisions()).toEqual([]);
  });

  it('warn by name about isolation and credential_spec, and refuse what changes behaviour', () => {
    expect(keyDecisions['services.isolation'].status).toBe('warned');
    expect(keyDecisions['services.credential_spec'].status).toBe('warned');
    expect(keyDecisions['services.deploy.resources.reservations.generic_resources'].status).toBe(
      'refused',
    );
    expect(keyDecisions['volumes.driver']).toMatchObject({
      status: 'honoured',
      only: { values: ['local'], otherwise: 'warned' },
    });
  });

  it('are the table of docs/design/stack.md (regenerate it with the snippet there)', () => {
    const doc = readFileSync(new URL('../../docs/design/stack.md', import.meta.url), 'utf8');
    const start = doc.indexOf('<!-- key-table:start -->\n');
    const end = doc.indexOf('<!-- key-table:end -->');
    expect(start).toBeGreaterThan(-1);
    expect(doc.slice(start + '<!-- key-table:start -->\n'.length, end)).toBe(renderKeyTable());
  });
});
