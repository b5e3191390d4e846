// A real hush-server for a test: a free loopback port, a throw-away data dir, the release app.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const binary = required('HUSH_SERVER_BIN');
const dist = required('HUSH_DIST');
// Every browser here is on loopback, one client address: the per-address limits on
// registrations and bundle fetches would count them all as one.
const loopbackLimits = ['--registrations-per-minute', '1000000', '--fetches-per-account-per-address', '1000000'];

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through \`cargo xtask test\``);
  return value;
}

/**
 * Starts the server; `restart()` brings it back on the same port and data after `kill()`.
 * `options.dist` serves another copy of the app (an update test changes it); `options.args`
 * are more command-line flags.
 */
export async function startServer(options = {}) {
  const app = options.dist ?? dist;
  const data = mkdtempSync(join(tmpdir(), 'hush-e2e-'));
  const server = { data, child: null, url: null };

  async function launch(addr) {
    const args = ['--addr', addr, '--data', data, '--static-dir', app, ...loopbackLimits, ...(options.args ?? [])];
    const child = spawn(binary, args, {
      env: { ...process.env, HUSH_LOG: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    server.child = child;
    const lines = createInterface({ input: child.stdout });
    const url = await new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`hush-server exited early (${code})`)));
      lines.once('line', (line) => {
        const match = line.match(/http:\/\/\S+/);
        match ? resolve(match[0]) : reject(new Error(`unexpected server output: ${line}`));
      });
    });
    server.url = url;
    return url;
  }

  server.kill = async (signal = 'SIGKILL') => {
    const child = server.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  server.restart = () => launch(new URL(server.url).host);
  server.stop = async () => {
    await server.kill('SIGTERM');
    rmSync(data, { recursive: true, force: true });
  };

  await launch('127.0.0.1:0');
  return server;
}
