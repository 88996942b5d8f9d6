// The send benchmark's HTTP client against Node's own HTTP server: what it
// reads must be what the server wrote, whatever the framing.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawHttpConnection, ResponseParser } from './raw-http.js';

describe('RawHttpConnection', () => {
  let server: http.Server;
  let url: string;
  const connections = new Set<string>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      connections.add(`${req.socket.remotePort}`);
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const { mode, text } = JSON.parse(body) as { mode: string; text: string };
        const answer = JSON.stringify({ echo: text, authorization: req.headers.authorization, type: req.headers['content-type'] });
        if (mode === 'chunked') {
          // Written in pieces: Node frames each write as a chunk.
          res.writeHead(200, { 'content-type': 'application/json' });
          for (let i = 0; i < answer.length; i += 7) res.write(answer.slice(i, i + 7));
          res.end();
        } else {
          res.writeHead(mode === 'refused' ? 429 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer), ...(mode === 'close' ? { connection: 'close' } : {}) });
          res.end(answer);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads content-length and chunked answers on one kept-alive connection, with the headers it was given', async () => {
    const connection = new RawHttpConnection(url);
    const before = connections.size;
    for (const [mode, text] of [['length', 'é ü 🚀'], ['chunked', 'x'.repeat(5000)], ['length', 'third']] as const) {
      const res = await connection.post(JSON.stringify({ mode, text }), { authorization: 'Bearer t' });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ echo: text, authorization: 'Bearer t', type: 'application/json' });
    }
    expect(connections.size - before).toBe(1);
    connection.close();
  });

  it('gives non-200 answers to the caller and reconnects after connection: close', async () => {
    const connection = new RawHttpConnection(url);
    const before = connections.size;
    expect((await connection.post(JSON.stringify({ mode: 'refused', text: 'a' }), {})).status).toBe(429);
    expect(JSON.parse((await connection.post(JSON.stringify({ mode: 'close', text: 'b' }), {})).body).echo).toBe('b');
    expect(JSON.parse((await connection.post(JSON.stringify({ mode: 'length', text: 'c' }), {})).body).echo).toBe('c');
    expect(connections.size - before).toBe(2); // the one the server closed, and its successor
    connection.close();
  });

  it('rejects when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(new RawHttpConnection(`http://127.0.0.1:${port}/`).post('{}', {})).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('ResponseParser', () => {
  const response = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n';

  it('completes a response split at every byte', () => {
    for (let cut = 1; cut < response.length; cut++) {
      const parser = new ResponseParser();
      expect(parser.push(Buffer.from(response.slice(0, cut)))).toBeUndefined();
      expect(parser.push(Buffer.from(response.slice(cut)))).toEqual({ status: 200, body: '{"a":1}', close: false });
    }
  });

  it('refuses what it does not speak', () => {
    expect(() => new ResponseParser().push(Buffer.from('SSH-2.0-x\r\n\r\n'))).toThrow(/status line/);
    expect(() => new ResponseParser().push(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))).toThrow(/content-length or chunked/);
    expect(() => new ResponseParser().push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))).toThrow(/chunk size/);
  });
});
