// `npm run web`: DriverLab in a browser. Serves the built renderer and the IPC contract on
// 127.0.0.1 and prints the address (with its token) to open.
import * as path from 'node:path';
import { DriverLabCore } from '../app/core.js';
import { packageRoot } from '../host/node-host.js';
import { folderLabProvider } from '../labs/catalog.js';
import { workerLabFramework } from '../app/worker-framework.js';
import { dataHome } from '../progress/paths.js';
import { startWebServer } from './web-server.js';

const USAGE = `Usage: npm run web -- [--port N]

Serves DriverLab on http://127.0.0.1 (loopback only) for a browser; prints the address to open.
Progress and workspaces live in $DRIVERLAB_HOME (default ~/.local/share/driverlab).
`;

async function main(argv: string[]): Promise<number> {
  let port = Number(process.env.DRIVERLAB_PORT ?? 0);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--port') port = Number(argv[++i]);
    else if (a === '--help' || a === '-h') { process.stdout.write(USAGE); return 0; }
    else { process.stderr.write(`driverlab web: unknown option '${a}'\n\n${USAGE}`); return 2; }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('driverlab web: --port needs a port number (0 picks a free one)\n');
    return 2;
  }
  const root = packageRoot();
  const labsDir = path.join(root, 'labs');
  // Check runs take seconds of CPU: they run in a worker thread, started now to be warm.
  const framework = workerLabFramework(labsDir);
  framework.checks.start();
  const core = new DriverLabCore({ home: dataHome(), labs: folderLabProvider(labsDir), framework, labsDir });
  const server = await startWebServer({ core, rendererDir: path.join(root, 'renderer', 'dist'), port });
  process.stdout.write(`DriverLab is running in browser mode. Open:\n\n  ${server.url}\n\nCtrl-C stops it (and the virtual machines).\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await core.close();
  return 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`driverlab web: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
