// Events between processes over PostgreSQL LISTEN/NOTIFY: two bridges on one database stand for two processes,
// each with buses of its own. Their connections are killed (pg_terminate_backend) or silenced (a TCP proxy that
// stops forwarding) to see them come back.
import net from 'node:net';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { EventBridge } from '../../../src/db/event-bridge.js';
import { EVENTS_CHANNEL, startEventBridge } from '../../../src/db/event-bridge.js';
import { EventBus } from '../../../src/event-bus.js';
import { bridgeProcessEvents } from '../../../src/cli/process-events.js';
import { createLogger } from '../../../src/logger.js';
import { capturingLogger, type LogLine } from '../../support/cache-sites.js';
import { USING_POSTGRES } from '../../support/database.js';
import { unique } from '../../support/factories.js';
import { testConfig, testDatabase } from '../../support/hooks.js';

interface TestEvents {
  changed: [id: number | null];
  marker: [id: number];
}

/** One stand-in process: its own bus, what its listeners heard, its bridge and its log. */
interface Side {
  bus: EventBus<TestEvents>;
  heard: { event: string; id: number | null }[];
  bridge: EventBridge;
  lines: LogLine[];
  reconnects: number;
}

/** Polls until the check holds (at most 10 s: what it waits for comes in milliseconds when it works). */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Ends the bridge's LISTEN connection from the server side, as an administrator or a restart would. */
async function terminate(bridge: EventBridge): Promise<void> {
  const rows = await testDatabase().query<{ ended: boolean }>(
    'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = :name',
    { replacements: { name: `mailer events ${bridge.origin}` }, type: QueryTypes.SELECT },
  );
  expect(rows.map((row) => row.ended)).to.deep.equal([true]);
}

/** A TCP proxy in front of PostgreSQL whose open connections can be frozen (nothing more passes either way). */
async function freezableProxy(): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const target = new URL(testConfig().database.url);
  const open = new Set<net.Socket>();
  const frozen = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => open.delete(socket));
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.href);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.href,
    freeze: () => {
      for (const socket of open) frozen.add(socket.unpipe().pause());
      open.clear();
    },
    close: () => {
      for (const socket of [...open, ...frozen]) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('events between processes (PostgreSQL LISTEN/NOTIFY)', function () {
  this.timeout(30_000);
  let busName: string;
  const sides: Side[] = [];

  before(function () {
    // SQLite has one process that writes: its events stay in process and there is no bridge to test.
    if (!USING_POSTGRES) this.skip();
  });
  beforeEach(() => {
    busName = unique('test-bus-');
  });
  afterEach(async () => {
    await Promise.all(sides.splice(0).map((side) => side.bridge.close()));
  });

  async function side(options: { url?: string; ping?: { everyMs: number; timeoutMs: number } } = {}): Promise<Side> {
    const bus = new EventBus<TestEvents>(busName, ['changed', 'marker']);
    const heard: Side['heard'] = [];
    bus.on('changed', (id) => heard.push({ event: 'changed', id }));
    bus.on('marker', (id) => heard.push({ event: 'marker', id }));
    const { logger, lines } = capturingLogger();
    const made: Partial<Side> = { bus, heard, lines, reconnects: 0 };
    made.bridge = await startEventBridge({
      url: options.url ?? testConfig().database.url,
      logger,
      sequelize: testDatabase(),
      buses: [bus],
      retry: { firstMs: 20, maxMs: 200 },
      ping: options.ping,
      onReconnect: () => (made.reconnects = (made.reconnects ?? 0) + 1),
    });
    sides.push(made as Side);
    return made as Side;
  }

  /** How often the side heard the event with the id. */
  function count(at: Side, event: string, id: number | null): number {
    return at.heard.filter((h) => h.event === event && h.id === id).length;
  }

  /** Sends a marker from one side and waits until the other hears it: everything sent before has arrived. */
  async function settle(from: Side, to: Side): Promise<void> {
    const id = Math.floor(Math.random() * 1e9);
    from.bus.emit('marker', id);
    await until(() => count(to, 'marker', id) === 1, `marker ${id} arrived`);
  }

  it('when each of two bridges emits, then the other hears it once and neither hears its own twice', async () => {
    const a = await side();
    const b = await side();
    a.bus.emit('changed', 7);
    expect(count(a, 'changed', 7), 'the local listener runs at once').to.equal(1);
    await until(() => count(b, 'changed', 7) === 1, 'b heard 7');
    b.bus.emit('changed', null);
    await until(() => count(a, 'changed', null) === 1, 'a heard null');
    // Each has now heard a NOTIFY sent after its own: had it taken its own back, it would show by now.
    await settle(a, b);
    await settle(b, a);
    expect(count(a, 'changed', 7)).to.equal(1);
    expect(count(b, 'changed', null)).to.equal(1);
    expect(count(b, 'changed', 7)).to.equal(1);
  });

  it('when one event is emitted three times at once, then the other process hears it once', async () => {
    const a = await side();
    const b = await side();
    for (let i = 0; i < 3; i += 1) a.bus.emit('changed', 5);
    await settle(a, b);
    expect(count(a, 'changed', 5)).to.equal(3);
    expect(count(b, 'changed', 5)).to.equal(1);
  });

  it('when a NOTIFY is not ours, names an event the bus does not share, or is malformed, then nothing is emitted', async () => {
    const a = await side();
    const b = await side();
    const payloads = [
      'not json',
      JSON.stringify({ o: 'elsewhere', b: busName, e: 'error', a: [] }),
      JSON.stringify({ o: 'elsewhere', b: busName, e: 'changed', a: ['a string'] }),
      JSON.stringify({ o: 'elsewhere', b: 'another-bus', e: 'changed', a: [9] }),
    ];
    for (const payload of payloads) {
      await testDatabase().query('SELECT pg_notify(:channel, :payload)', {
        replacements: { channel: EVENTS_CHANNEL, payload },
      });
    }
    await settle(a, b);
    expect(b.heard.filter((h) => h.event === 'changed')).to.deep.equal([]);
  });

  it('when the listening connection is killed, then the loss and the reconnect are logged and events flow both ways again', async () => {
    const a = await side();
    const b = await side();
    await terminate(b.bridge);
    await until(() => b.lines.some((line) => /lost its PostgreSQL connection/.test(line.msg)), 'b logged the loss');
    await b.bridge.whenListening();
    expect(b.lines.some((line) => /reconnected/.test(line.msg))).to.equal(true);
    expect(b.reconnects, 'after a reconnect the caches start afresh').to.equal(1);
    a.bus.emit('changed', 11);
    await until(() => count(b, 'changed', 11) === 1, 'b heard 11 after its reconnect');
    b.bus.emit('changed', 12);
    await until(() => count(a, 'changed', 12) === 1, 'a heard 12 from the reconnected b');
  });

  it('when a bridge is down, then what it emits still reaches the others (through the pool)', async () => {
    const a = await side();
    const b = await side();
    await terminate(a.bridge);
    await until(() => !a.bridge.listening, 'a noticed');
    a.bus.emit('changed', 21);
    await until(() => count(b, 'changed', 21) === 1, 'b heard what a sent while down');
    await a.bridge.whenListening();
  });

  it('when the connection stops answering without an error, then the ping drops it and the bridge reconnects', async () => {
    const proxy = await freezableProxy();
    try {
      const a = await side({ url: proxy.url, ping: { everyMs: 100, timeoutMs: 300 } });
      const b = await side();
      proxy.freeze();
      await until(() => a.lines.some((line) => /no answer to a ping/.test(JSON.stringify(line))), 'a pinged in vain');
      await a.bridge.whenListening();
      b.bus.emit('changed', 31);
      await until(() => count(a, 'changed', 31) === 1, 'a heard 31 on its new connection');
    } finally {
      await Promise.all(sides.splice(0).map((s) => s.bridge.close()));
      await proxy.close();
    }
  });

  it('when a bridge closes, then what it had queued is sent first, its connection ends, and it relays no more', async () => {
    const a = await side();
    const b = await side();
    a.bus.emit('changed', 41);
    await a.bridge.close();
    await until(() => count(b, 'changed', 41) === 1, 'b heard what a queued before closing');
    const rows = await testDatabase().query('SELECT 1 FROM pg_stat_activity WHERE application_name = :name', {
      replacements: { name: `mailer events ${a.bridge.origin}` },
      type: QueryTypes.SELECT,
    });
    expect(rows).to.have.length(0);
    a.bus.emit('changed', 42);
    const c = await side();
    await settle(c, b);
    expect(count(b, 'changed', 42)).to.equal(0);
  });
});

describe('the process wiring of events', () => {
  it('when the database is PostgreSQL, then a process gets a listening bridge; on SQLite none', async () => {
    const bridge = await bridgeProcessEvents({
      config: testConfig(),
      logger: createLogger('silent'),
      sequelize: testDatabase(),
    });
    try {
      if (USING_POSTGRES) expect(bridge?.listening).to.equal(true);
      else expect(bridge).to.equal(null);
    } finally {
      await bridge?.close();
    }
  });
});
