// `flotilla manager` flags that reach an embedded etcd (TLS with the manager's client certificate,
// manager/etcd/pki.ts), for tests that start a second manager or point one at a test etcd.
import type { EtcdPkiFiles } from '../../manager/etcd/index.js';

export function etcdTlsFlags(endpoint: string, files: EtcdPkiFiles): string[] {
  return [
    '--etcd',
    endpoint,
    '--etcd-cacert',
    files.caFile,
    '--etcd-cert',
    files.clientCertFile,
    '--etcd-key',
    files.clientKeyFile,
  ];
}
