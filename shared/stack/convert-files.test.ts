import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStack } from './index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function stackOf(text: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'stack-files-'));
  dirs.push(cwd);
  writeFileSync(join(cwd, 'stack.yml'), text);
  return { cwd, ...loadStack('shop', ['stack.yml'], { cwd, env: {} }) };
}

const file = `
services:
  web:
    image: busybox
    secrets:
      - db_password
      - source: api_key
        target: keys/api
        uid: "1000"
        gid: "1000"
        mode: 0400
    configs:
      - app_conf
      - source: nginx_conf
        target: /etc/nginx.conf
secrets:
  db_password:
    file: ./pw.txt
  api_key:
    external: true
configs:
  app_conf:
    environment: APP_CONF
  nginx_conf:
    name: shared_nginx
    file: /abs/nginx.conf
`;

describe('stack secrets and configs', () => {
  it('names objects <stack>_<key>, keeps external and given names, resolves files', () => {
    const { cwd, secrets, configs } = stackOf(file);
    expect(secrets).toEqual([
      {
        key: 'api_key',
        name: 'api_key',
        external: true,
        labels: { 'com.docker.stack.namespace': 'shop' },
      },
      {
        key: 'db_password',
        name: 'shop_db_password',
        external: false,
        file: join(cwd, 'pw.txt'),
        labels: { 'com.docker.stack.namespace': 'shop' },
      },
    ]);
    expect(configs.map((c) => [c.name, c.environment, c.file])).toEqual([
      ['shop_app_conf', 'APP_CONF', undefined],
      ['shared_nginx', undefined, '/abs/nginx.conf'],
    ]);
  });

  it('turns short and long references into Swarm references with Docker defaults', () => {
    const c = stackOf(file).services[0].taskTemplate.containerSpec;
    expect(c.secrets).toEqual([
      { id: '', name: 'shop_db_password', target: 'db_password', uid: '0', gid: '0', mode: 0o444 },
      { id: '', name: 'api_key', target: 'keys/api', uid: '1000', gid: '1000', mode: 0o400 },
    ]);
    expect(c.configs?.map((r) => [r.name, r.target, r.mode])).toEqual([
      ['shop_app_conf', '/app_conf', 0o444],
      ['shared_nginx', '/etc/nginx.conf', 0o444],
    ]);
  });

  it('refuses a secret driver or a config template driver, whose content it cannot make', () => {
    expect(() =>
      stackOf('services:\n  a:\n    image: x\nsecrets:\n  s:\n    driver: vault\n'),
    ).toThrow(/secrets\.s\.driver: not supported/);
    expect(() =>
      stackOf(
        'services:\n  a:\n    image: x\nconfigs:\n  c:\n    file: ./c\n    template_driver: golang\n',
      ),
    ).toThrow(/configs\.c\.template_driver: not supported/);
  });
});
