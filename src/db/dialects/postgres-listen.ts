import pg from 'pg';
import type { ChangeStamp } from '../change-stamp.ts';

interface Listener {
  /** A notification arrived. */
  readonly onNotify: () => void;
  /** Listening began (again), or stopped: notifications sent meanwhile are lost. */
  readonly onListening: (listening: boolean) => void;
}

const RELISTEN_DELAY_MS = 1_000;

/*
 * PostgreSQL has no `data_version`; its triggers NOTIFY on every change to
 * jobs or their sites (migration 0004), and a connection of this process
 * LISTENs: each notification moves the stamp. While that connection is down
 * (notifications may be lost), the stamp moves at every read, so that
 * nothing is trusted from a cache.
 */
export function stampFromNotifications(connection: pg.ClientConfig, channel: string, onError?: (error: Error) => void): ChangeStamp {
  let version = 0;
  let listening = false;
  const listener = listenOn(connection, channel, {
    onNotify: () => {
      version += 1;
    },
    onListening: (now) => {
      listening = now;
      version += 1;
    },
  }, onError);
  return {
    read: async () => (listening ? version : ++version),
    stop: () => listener.stop(),
  };
}

/** LISTEN on a client of its own, made again a second after it fails, until stopped. */
function listenOn(
  connection: pg.ClientConfig,
  channel: string,
  handlers: Listener,
  onError?: (error: Error) => void,
): { stop(): Promise<void> } {
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const lost = (error?: Error) => {
    if (error) onError?.(error);
    handlers.onListening(false);
    client?.removeAllListeners();
    client?.end().catch(() => undefined);
    client = null;
    if (!stopped) retry = setTimeout(start, RELISTEN_DELAY_MS);
  };
  async function start(): Promise<void> {
    const own = new pg.Client(connection);
    client = own;
    own.on('notification', () => handlers.onNotify());
    own.on('error', lost);
    own.on('end', () => {
      if (client === own) lost();
    });
    try {
      await own.connect();
      await own.query(`listen "${channel.replace(/"/g, '""')}"`);
      if (stopped) await own.end();
      else handlers.onListening(true);
    } catch (error) {
      if (client === own) lost(error as Error);
    }
  }
  void start();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const last = client;
      client = null;
      last?.removeAllListeners();
      await last?.end().catch(() => undefined);
    },
  };
}
