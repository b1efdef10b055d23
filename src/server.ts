import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { DemoTenant } from './tenancy/demo.ts';
import { loadGazetteer } from './geo/gazetteer.ts';

function printDemoTenant(demo: DemoTenant, publicUrl: string): void {
  const lines = [
    '',
    'Demo tenant created (shown once; set JOBSPACE_DEMO_* to choose the credentials):',
    `  organisation   ${demo.organisation} (sites ${demo.siteIds.join(', ')})`,
    `  client_id      ${demo.clientId}`,
    `  client_secret  ${demo.clientSecret}`,
    `  username       ${demo.username}`,
    `  password       ${demo.password}`,
    '',
    `  curl -s ${publicUrl}/oauth/token -F grant_type=password -F client_id=${demo.clientId} \\`,
    `    -F client_secret=${demo.clientSecret} -F username=${demo.username} -F password=${demo.password}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  // Building the gazetteer index blocks for about a second: do it before
  // listening rather than during the first geocoded post.
  loadGazetteer();
  const app = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  if (app.demoTenant) printDemoTenant(app.demoTenant, config.publicUrl);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `Configuration error: ${error.message}` : `Start-up failed: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
