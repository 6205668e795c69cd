// The hostile stack corpus: the files of test/fixtures/hostile-stacks/ plus those generated here
// (too large to commit, or bytes that are not text), each with the one error line it must give.
// Used by the loader's unit test and by the integration test that deploys them to a manager.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const hostileDir = fileURLToPath(new URL('../fixtures/hostile-stacks/', import.meta.url));

export interface HostileStack {
  name: string;
  path: string;
  /** The single `Error:` line the CLI prints, as a pattern (the file name is as given). */
  error: RegExp;
}

const svc = 'services:\n  web:\n    image: nginx:1\n';

/** The generated files (hostileStacks writes them into its directory). */
function generated(): Record<string, Buffer | string> {
  const manyServices = Array.from({ length: 12_000 }, (_, i) => `  s${i}:\n    image: nginx:1\n`);
  return {
    // 4 MiB: refused from its size alone, before a byte is read.
    'huge.yml': `${svc}${'#'.repeat(99)}\n`.repeat(40_000),
    // Just under the cap and valid but for its last service: all of it is read and checked.
    'many-services-one-bad.yml': `services:\n${manyServices.join('')}  last:\n    command: ["true"]\n`,
    'long-scalar.yml': `${svc}    labels:\n      big: "${'x'.repeat(1024 * 1024)}"\n`,
    'deep-block-nesting.yml': `${svc}    labels:\n${Array.from({ length: 100 }, (_, i) => `${'  '.repeat(i + 3)}k${i}:\n`).join('')}`,
    'nul-byte.yml': Buffer.concat([
      Buffer.from(`${svc}    user: "ro`),
      Buffer.from([0]),
      Buffer.from('ot"\n'),
    ]),
    'invalid-utf8.yml': Buffer.concat([
      Buffer.from(`${svc}    hostname: caf`),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]),
    'overlong-utf8.yml': Buffer.concat([
      Buffer.from(`${svc}    user: `),
      Buffer.from([0xc0, 0xaf]),
      Buffer.from('\n'),
    ]),
    'utf16.yml': Buffer.from(`\ufeff${svc}`, 'utf16le'),
  };
}

const expected: Record<string, RegExp> = {
  'empty.yml': /^empty\.yml:1:1: the file is empty: it defines no services$/,
  'only-comments.yml': /^only-comments\.yml:1:1: the file is empty/,
  'null-document.yml': /^null-document\.yml:1:1: the file is empty/,
  'top-level-list.yml': /^top-level-list\.yml:1:1: top-level object must be a mapping$/,
  'duplicate-key.yml': /^duplicate-key\.yml:4:5: services\.web\.image: duplicate key "image"$/,
  'duplicate-services.yml': /^duplicate-services\.yml:4:1: services: duplicate key "services"$/,
  'no-image.yml': /^no-image\.yml:\d+:\d+: services\.web: no image/,
  'build-without-image.yml':
    /^build-without-image\.yml:\d+:\d+: services\.web: no image: stack deploy does not build/,
  'undeclared-network.yml':
    /^undeclared-network\.yml:4:\d+: services\.web\.networks\.backend: undeclared network "backend"/,
  'undeclared-secret.yml':
    /^undeclared-secret\.yml:4:\d+: services\.web\.secrets\[0\]: undeclared secret "db_password"/,
  'undeclared-config.yml':
    /^undeclared-config\.yml:5:\d+: services\.web\.configs\[0\]: undeclared config "app_conf"/,
  'undeclared-volume.yml':
    /^undeclared-volume\.yml:5:\d+: services\.web\.volumes\[0\]: undeclared volume "data"/,
  'global-with-replicas.yml':
    /^global-with-replicas\.yml:6:\d+: services\.web\.deploy\.replicas: replicas cannot be used with mode: global/,
  'cpus-zero.yml':
    /^cpus-zero\.yml:7:\d+: services\.web\.deploy\.resources\.limits\.cpus: cpus must be a positive number/,
  'cpus-negative.yml':
    /^cpus-negative\.yml:7:\d+: services\.web\.deploy\.resources\.limits\.cpus: invalid CPU count "-1"/,
  'cpus-absurd.yml':
    /^cpus-absurd\.yml:7:\d+: services\.web\.deploy\.resources\.reservations\.cpus: cpus must be a positive number of CPUs up to/,
  'replicas-unsafe-integer.yml':
    /^replicas-unsafe-integer\.yml:5:\d+: services\.web\.deploy\.replicas: number out of range/,
  'replicas-over-limit.yml':
    /^replicas-over-limit\.yml:5:\d+: services\.web\.deploy\.replicas: 5000000 replicas is more than the limit of 100000/,
  'replicas-infinite.yml':
    /^replicas-infinite\.yml:5:\d+: services\.web\.deploy\.replicas: number out of range: Infinity/,
  'memory-absurd.yml':
    /^memory-absurd\.yml:7:\d+: services\.web\.deploy\.resources\.limits\.memory: size out of range/,
  'duration-absurd.yml':
    /^duration-absurd\.yml:4:\d+: services\.web\.stop_grace_period: duration out of range/,
  'replicas-wrong-type.yml':
    /^replicas-wrong-type\.yml:5:\d+: services\.web\.deploy\.replicas: expected an integer, got "three"/,
  'ports-wrong-type.yml':
    /^ports-wrong-type\.yml:5:\d+: services\.web\.ports: expected a list, got a mapping/,
  'port-out-of-range.yml':
    /^port-out-of-range\.yml:5:\d+: services\.web\.ports\[0\]: invalid port "80:99999"/,
  'mode-unknown.yml':
    /^mode-unknown\.yml:5:\d+: services\.web\.deploy\.mode: expected "replicated" or "global"/,
  'negative-max-per-node.yml':
    /^negative-max-per-node\.yml:6:\d+: services\.web\.deploy\.placement\.max_replicas_per_node: must not be negative/,
  'unknown-key.yml': /^unknown-key\.yml:4:\d+: services\.web\.imagee: unknown key/,
  'forbidden-extends.yml':
    /^forbidden-extends\.yml:4:\d+: services\.web\.extends: forbidden property/,
  'refused-ipv4-address.yml':
    /^refused-ipv4-address\.yml:6:\d+: services\.web\.networks\.front\.ipv4_address: not supported: static task addresses/,
  'version-2.yml': /^version-2\.yml:1:\d+: version: unsupported Compose file version: 2\.4/,
  'bad-indentation.yml': /^bad-indentation\.yml:4:\d+: /,
  'required-variable.yml':
    /^required-variable\.yml:5:\d+: services\.web\.environment\.TOKEN: .*TOKEN must be set/,
  'env-file-device.yml':
    /^env-file-device\.yml:4:\d+: services\.web\.env_file: cannot read env file \/dev\/zero: more than 1048576 bytes$/,
  'alias-bomb.yml':
    /^alias-bomb\.yml: YAML aliases expand too much \(more than 1000 alias expansions\)$/,
  'merge-key-bomb.yml': /^merge-key-bomb\.yml: YAML aliases expand too much/,
  'deep-flow-nesting.yml':
    /^deep-flow-nesting\.yml:4:\d+: YAML nesting deeper than the limit of 64 levels$/,
  'huge.yml': /^stack file huge\.yml is too large: \d+ bytes, the limit is 1048576$/,
  'many-services-one-bad.yml': /^many-services-one-bad\.yml:\d+:\d+: services\.last: no image/,
  'long-scalar.yml': /^stack file long-scalar\.yml is too large/,
  'deep-block-nesting.yml':
    /^deep-block-nesting\.yml:\d+:\d+: YAML nesting deeper than the limit of 64 levels$/,
  'nul-byte.yml': /^nul-byte\.yml:4:14: NUL byte \(a stack file is text\)$/,
  'invalid-utf8.yml':
    /^invalid-utf8\.yml:4:18: invalid UTF-8 \(byte 0xe9\); save the file as UTF-8$/,
  'overlong-utf8.yml': /^overlong-utf8\.yml:4:11: invalid UTF-8 \(byte 0xc0\)/,
  'utf16.yml': /^utf16\.yml:1:\d+: (NUL byte|invalid UTF-8)/,
};

/** Every hostile file: the committed ones and the generated ones (written into `dir`). */
export function hostileStacks(dir: string): HostileStack[] {
  const out: HostileStack[] = [];
  for (const name of readdirSync(hostileDir)
    .filter((f) => f.endsWith('.yml'))
    .sort())
    out.push({ name, path: join(hostileDir, name), error: expected[name] });
  for (const [name, data] of Object.entries(generated())) {
    writeFileSync(join(dir, name), data);
    out.push({ name, path: join(dir, name), error: expected[name] });
  }
  return out;
}
