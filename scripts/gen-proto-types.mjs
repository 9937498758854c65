#!/usr/bin/env node
// Generates TypeScript types for the gRPC contracts in proto/ into
// packages/wire/src/gen (not committed; run by `npm run build`).
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const outDir = join(root, 'packages/wire/src/gen');
const files = readdirSync(join(protoDir, 'shoal/v1')).filter((f) => f.endsWith('.proto')).map((f) => `shoal/v1/${f}`);
rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [
  join(root, 'node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js'),
  '--grpcLib=@grpc/grpc-js', '--longs=Number', '--enums=String', '--defaults', '--oneofs', '--keepCase',
  '--includeDirs', protoDir, '--outDir', outDir, ...files,
], { stdio: 'inherit' });
