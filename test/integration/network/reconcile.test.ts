// An agent crash: in-memory state is lost and a namespace is deleted by hand; reconcile at the
// next start must leave no stale rule, address, namespace or veth, and keep the live container.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkComponent } from '../../../agent/network/index.js';
import { parsePublish } from '../../../agent/network/index.js';
import { readJson } from '../../../agent/network/json-file.js';
import {
  createRemote,
  echo,
  leftovers,
  newManager,
  randomId,
  removeRemote,
  rm,
  sh,
  startEcho,
  stopServers,
  tempDir,
  testNames,
} from './helpers.js';

const n = testNames();
let dir: string;
let net: NetworkComponent;
let remote: { hostAddr: string };
const live = randomId();
const dead = randomId();
const leaked = randomId();
const ns = (id: string) => `${n.prefix}-${id.slice(0, 12)}`;
const port = 25000 + Math.floor(Math.random() * 5000);

beforeAll(async () => {
  dir = await tempDir();
  net = await newManager(n, dir);
  remote = await createRemote(n);
});

afterAll(async () => {
  stopServers();
  await net?.teardown();
  await removeRemote(n);
  await rm(dir, { recursive: true, force: true });
  expect(await leftovers(n, [live, dead, leaked])).toEqual([]);
});

describe('reconcile after a crash', () => {
  it('drops what dead containers left and keeps live ones working', async () => {
    const req = (id: string, name: string, p: number) => ({
      containerId: id,
      mode: 'bridge',
      aliases: [],
      name,
      hostname: name,
      ports: parsePublish(`${p}:7000`),
    });
    await net.attachments.attach(req(live, 'live', port));
    const d = await net.attachments.attach(req(dead, 'dead', port + 1));
    await startEcho(ns(live), 7000);
    // A namespace and veth with our prefix that no state file mentions (crash mid-attach).
    await sh('ip', ['netns', 'add', ns(leaked)]);
    await sh('ip', [
      'link',
      'add',
      `${n.prefix}${leaked.slice(0, 10)}0`,
      'type',
      'veth',
      'peer',
      'name',
      'x',
      'netns',
      ns(leaked),
    ]);

    // Crash: the process state goes away (held ports released), and someone deletes a namespace.
    await net.stop();
    await sh('ip', ['netns', 'del', ns(dead)]);
    expect(await sh('iptables-save', [])).toContain(`flotilla:${dead.slice(0, 12)}`);

    net = await newManager(n, dir);
    await net.attachments.reconcile(new Set([live]));

    const save = await sh('iptables-save', []);
    expect(save).not.toContain(dead.slice(0, 12));
    expect(save).toContain(`flotilla:${live.slice(0, 12)}`);
    const links = await sh('ip', ['-o', 'link', 'show']);
    expect(links).not.toContain(`${n.prefix}${dead.slice(0, 10)}`);
    expect(links).not.toContain(`${n.prefix}${leaked.slice(0, 10)}`);
    expect(await sh('ip', ['netns', 'list'])).not.toContain(ns(leaked));
    const ipam = await readJson<Record<string, { owners: Record<string, string> }>>(
      `${dir}/network/ipam.json`,
      {},
    );
    expect(Object.values(ipam.bridge.owners)).toEqual([live]);
    expect(ipam.bridge.owners[d.ipv4!]).toBeUndefined();
    expect(net.attachments.attachmentFor(dead)).toBeUndefined();

    // The live container still answers, and its port is held again: a second claim is refused.
    expect(await echo(n.remoteNs, 'tcp', remote.hostAddr, port, 'alive')).toBe('alive');
    await expect(net.attachments.attach(req(randomId(), 'thief', port))).rejects.toMatchObject({
      code: 'PORT_IN_USE',
      message: expect.stringContaining('container live'),
    });
    // The dead container's port is free again.
    const again = randomId();
    await net.attachments.attach(req(again, 'again', port + 1));
    await net.attachments.detach(again);
  });
});
