import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeConfig } from './merge.js';
import { hostLsm, lsmSpec, type LsmHost } from './lsm.js';
import { buildSpec } from './spec.js';

const none: LsmHost = {
  apparmorEnabled: () => false,
  apparmorProfiles: () => [],
  selinuxEnabled: () => false,
};
const both: LsmHost = {
  apparmorEnabled: () => true,
  apparmorProfiles: () => ['docker-default', 'my profile'],
  selinuxEnabled: () => true,
};

describe('lsmSpec on a host without AppArmor or SELinux', () => {
  it('accepts apparmor=unconfined and label=disable, and applies nothing', () => {
    expect(lsmSpec({ apparmor: 'unconfined', labels: ['disable'] }, none)).toEqual({});
  });
  it('refuses a profile and a label, naming the option', () => {
    expect(() => lsmSpec({ apparmor: 'docker-default', labels: [] }, none)).toThrow(
      /--security-opt apparmor=docker-default cannot be applied on this host: AppArmor is not enabled/,
    );
    expect(() => lsmSpec({ labels: ['type:svirt_t'] }, none)).toThrow(
      /--security-opt label=type:svirt_t cannot be applied on this host: SELinux is not enabled/,
    );
  });
  it('refuses malformed values as invalid', () => {
    for (const labels of [['bogus:x'], ['type:'], ['disable:x'], ['disable', 'type:t']])
      expect(() => lsmSpec({ labels }, none)).toThrow(/invalid --security-opt/);
    expect(() => lsmSpec({ apparmor: '', labels: [] }, none)).toThrow(/invalid --security-opt/);
  });
});

describe('lsmSpec where the host has them', () => {
  it('sets a loaded AppArmor profile and refuses one that is not loaded', () => {
    expect(lsmSpec({ apparmor: 'my profile', labels: [] }, both)).toEqual({
      apparmorProfile: 'my profile',
    });
    expect(() => lsmSpec({ apparmor: 'nope', labels: [] }, both)).toThrow(/not loaded/);
  });
  it("replaces parts of Docker's default process and mount labels", () => {
    expect(lsmSpec({ labels: ['type:svirt_lxc_net_t', 'level:s0:c1,c2', 'user:u'] }, both)).toEqual(
      {
        selinuxLabel: 'u:system_r:svirt_lxc_net_t:s0:c1,c2',
        mountLabel: 'u:object_r:container_file_t:s0:c1,c2',
      },
    );
  });
  it('writes them into the OCI spec', () => {
    const opts = {
      image: 'img',
      cmd: ['sh'],
      securityOpt: ['apparmor=docker-default', 'label:role:r'],
    };
    const s = buildSpec({
      id: 'x',
      config: mergeConfig('img', {}, opts, 'x'),
      opts,
      user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
      rootfs: '/r',
      files: { hosts: '/h', hostname: '/hn', resolvConf: '/rc' },
      binds: [],
      lsm: both,
    }) as { process: Record<string, unknown>; linux: Record<string, unknown> };
    expect(s.process.apparmorProfile).toBe('docker-default');
    expect(s.process.selinuxLabel).toBe('system_u:r:container_t:s0');
    expect(s.linux.mountLabel).toBe('system_u:object_r:container_file_t:s0');
  });
});

describe('hostLsm', () => {
  const sys = mkdtempSync(join(tmpdir(), 'flotilla-sys-'));
  afterAll(() => rmSync(sys, { recursive: true, force: true }));
  it('reads the AppArmor switch, the loaded profiles and selinuxfs from /sys', () => {
    expect(hostLsm(sys).apparmorEnabled()).toBe(false);
    mkdirSync(join(sys, 'module/apparmor/parameters'), { recursive: true });
    writeFileSync(join(sys, 'module/apparmor/parameters/enabled'), 'Y\n');
    mkdirSync(join(sys, 'kernel/security/apparmor'), { recursive: true });
    writeFileSync(
      join(sys, 'kernel/security/apparmor/profiles'),
      'docker-default (enforce)\nmy profile (complain)\n',
    );
    mkdirSync(join(sys, 'fs/selinux'), { recursive: true });
    writeFileSync(join(sys, 'fs/selinux/enforce'), '1');
    const h = hostLsm(sys);
    expect(h.apparmorEnabled()).toBe(true);
    expect(h.apparmorProfiles()).toEqual(['docker-default', 'my profile']);
    expect(h.selinuxEnabled()).toBe(true);
  });
});
