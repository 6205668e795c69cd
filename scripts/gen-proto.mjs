// Generates TypeScript types for proto/flotilla/v1/*.proto into proto/gen with
// @grpc/proto-loader's proto-loader-gen-types. Output is deterministic, so CI can check that
// regenerating changes nothing. The loader options here must match proto/loader.ts.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const protoDir = `${root}proto`;
const outDir = `${protoDir}/gen`;
const files = readdirSync(`${protoDir}/flotilla/v1`)
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => `flotilla/v1/${f}`);

rmSync(outDir, { recursive: true, force: true });
execFileSync(
  `${root}node_modules/.bin/proto-loader-gen-types`,
  [
    '--grpcLib=@grpc/grpc-js',
    '--outDir=proto/gen',
    '--includeDirs=proto',
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--keepCase=false',
    '--importFileExtension=.js',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
console.log(`proto/gen written from ${files.join(', ')}`);
