// The embedded etcd's own small PKI: a local CA kept in a 0700 directory beside etcd's data, a
// server certificate for etcd's client and peer listeners and a client certificate for the manager.
// etcd runs with client-cert-auth, so only a holder of a certificate from this CA (root, through
// the 0600 key files) can read or write the store. It is separate from the cluster CA, which lives
// in etcd and so cannot exist before etcd does.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/fs/atomic.js';
import {
  createCsr,
  createRootCertificate,
  generateKeyPair,
  importPrivateKey,
  signLeaf,
} from '../ca/index.js';

/** PEM files under the PKI directory; what etcd's flags and etcdctl's --cacert/--cert/--key take. */
export interface EtcdPkiFiles {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

/** What a client (the manager's etcd3 connection) presents and trusts. */
export interface EtcdClientTls {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

const validDays = 3650;

export function etcdPkiFiles(dir: string): EtcdPkiFiles {
  return {
    caFile: join(dir, 'ca.pem'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server-key.pem'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client-key.pem'),
  };
}

/**
 * Creates the CA once (kept across restarts, and shared with every member of the cluster:
 * ./membership.ts) and issues fresh server and client certificates at every start. Tightens the
 * directory to 0700 and every key to 0600 even when they already exist.
 */
export async function ensureEtcdPki(
  dir: string,
  /** Addresses other members and managers reach this etcd at (its server certificate's SANs). */
  advertiseIps: string[] = [],
): Promise<EtcdClientTls & EtcdPkiFiles> {
  const files = etcdPkiFiles(dir);
  const caKeyFile = join(dir, 'ca-key.pem');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  let caCertPem: string;
  let caKeyPem: string;
  if (existsSync(files.caFile) && existsSync(caKeyFile)) {
    caCertPem = await readFile(files.caFile, 'utf8');
    caKeyPem = await readFile(caKeyFile, 'utf8');
    await chmod(caKeyFile, 0o600);
  } else {
    const ca = await generateKeyPair();
    caCertPem = await createRootCertificate('flotilla-etcd-ca', 'flotilla-etcd', ca.keys);
    caKeyPem = ca.keyPem;
    await writeMode(caKeyFile, caKeyPem, 0o600);
    await writeMode(files.caFile, caCertPem, 0o644);
  }
  const caKey = await importPrivateKey(caKeyPem);
  const issue = async (cn: string, ou: string, altNames?: { ips: string[]; dns: string[] }) => {
    const { keys, keyPem } = await generateKeyPair();
    const certPem = await signLeaf({
      csrPem: await createCsr(`CN=${cn}`, keys),
      subject: `CN=${cn}, OU=${ou}, O=flotilla-etcd`,
      caCertPem,
      caKey,
      validDays,
      altNames,
    });
    return { certPem, keyPem };
  };
  // Peers check the certificate's IP SANs against the address a peer connects from, so the
  // advertise address is in them as well as loopback.
  const ips = [...new Set(['127.0.0.1', '::1', ...advertiseIps])];
  const server = await issue('etcd', 'server', { ips, dns: ['localhost'] });
  const client = await issue('flotilla-manager', 'client');
  await writeMode(files.serverKeyFile, server.keyPem, 0o600);
  await writeMode(files.serverCertFile, server.certPem, 0o644);
  await writeMode(files.clientKeyFile, client.keyPem, 0o600);
  await writeMode(files.clientCertFile, client.certPem, 0o644);
  return { ...files, caCertPem, certPem: client.certPem, keyPem: client.keyPem };
}

/** The CA every member of one etcd cluster shares (sealed to a joining manager, ./membership.ts). */
export interface EtcdCa {
  caCertPem: string;
  caKeyPem: string;
}

export async function readEtcdCa(dir: string): Promise<EtcdCa> {
  return {
    caCertPem: await readFile(etcdPkiFiles(dir).caFile, 'utf8'),
    caKeyPem: await readFile(join(dir, 'ca-key.pem'), 'utf8'),
  };
}

/** Installs the cluster's etcd CA for a joining member, before ensureEtcdPki issues its leaves. */
export async function installEtcdCa(dir: string, ca: EtcdCa): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await writeMode(join(dir, 'ca-key.pem'), ca.caKeyPem, 0o600);
  await writeMode(etcdPkiFiles(dir).caFile, ca.caCertPem, 0o644);
}

/** Writes a file atomically with exactly this mode (a crash never leaves half a key). */
function writeMode(path: string, data: string, mode: number): Promise<void> {
  return writeFileAtomic(path, data, { mode });
}
