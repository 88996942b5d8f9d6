// `npm run bench -- media [--mb 128] [--repeat 3]`: file upload and download
// through the router (POST /media, GET of Media.url) next to the same
// transfers straight to the media subgraph, in one run, and the memory the
// whole process (driver, router and media service together, so any of them
// holding a file would show) grows by while a file of --mb MiB goes through:
// the router and the media service stream, so the growth stays far below the
// file's size. The file is application/octet-stream (no content check) of
// random bytes, made on the fly by the driver, which never holds it whole.
//
// Then `--photos N` (default 20) uploads of one 12-megapixel photo-like JPEG
// through the router, each next to the same bytes sent as
// application/octet-stream: the JPEG's upload also reads its size and makes
// its thumbnail, the octet-stream one does neither, so the difference in
// wall time and in CPU time (of the one process: driver, router, media
// service and libvips' threads) is what an image's thumbnail costs.
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { IDENTITY_HEADER, identityKey, signIdentity } from '@storm/common';
import { startTestStack } from '../tests/testkit/stack.js';
import { registerUser } from '../tests/testkit/users.js';
import { flag, summarize, writeReport } from './stats.js';

const CHUNK = 64 * 1024;

/** A body of `bytes` random bytes, produced chunk by chunk as it is read. */
function body(bytes: number): ReadableStream<Uint8Array> {
  const pool = randomBytes(1024 * 1024);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const n = Math.min(CHUNK, bytes - sent);
      const at = sent % (pool.length - CHUNK);
      controller.enqueue(pool.subarray(at, at + n));
      sent += n;
    },
  });
}

/** Peak growth of heap + array buffers and of RSS, sampled every 10 ms while `work` runs. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; heapAndBuffersMiB: number; rssMiB: number }> {
  global.gc?.();
  const base = process.memoryUsage();
  let heap = 0;
  let rss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
    rss = Math.max(rss, m.rss - base.rss);
  };
  const timer = setInterval(sample, 10);
  try {
    const result = await work();
    sample();
    return { result, heapAndBuffersMiB: heap / 2 ** 20, rssMiB: rss / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

export async function media(args: string[]): Promise<void> {
  const mb = Number(flag(args, 'mb', '128'));
  const repeat = Number(flag(args, 'repeat', '3'));
  const photos = Number(flag(args, 'photos', '20'));
  const bytes = mb * 2 ** 20;
  const stack = await startTestStack({ bus: 'memory', media: { maxUploadBytes: bytes, uploadLimit: false, quotaBytes: false } });
  try {
    const user = await registerUser(stack.httpUrl, 'bench');
    const router = new URL(stack.httpUrl).origin;
    const direct = new URL(stack.media.url).origin;
    const key = identityKey(stack.secrets.identitySecret);
    const headersFor = async (path: 'router' | 'direct'): Promise<Record<string, string>> =>
      path === 'router' ? { authorization: `Bearer ${user.accessToken}` } : { [IDENTITY_HEADER]: await signIdentity({ userId: user.id }, key) };

    const upload = async (path: 'router' | 'direct') => {
      const started = performance.now();
      const res = await fetch(`${path === 'router' ? router : direct}/media`, {
        method: 'POST',
        body: body(bytes),
        headers: { 'content-type': 'application/octet-stream', ...(await headersFor(path)) },
        duplex: 'half',
      } as RequestInit);
      const answer = (await res.json()) as { url?: string; size?: number };
      if (res.status !== 201 || answer.size !== bytes) throw new Error(`upload via ${path}: ${res.status} ${JSON.stringify(answer)}`);
      return { ms: performance.now() - started, url: answer.url! };
    };
    const download = async (path: 'router' | 'direct', url: string) => {
      const started = performance.now();
      const res = await fetch(`${path === 'router' ? router : direct}${url}`);
      let received = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) received += chunk.length;
      if (res.status !== 200 || received !== bytes) throw new Error(`download via ${path}: ${res.status}, ${received} of ${bytes} bytes`);
      return performance.now() - started;
    };

    const mibPerSecond = (ms: number) => mb / (ms / 1000);
    const runs: Array<Record<string, number>> = [];
    // Warm both paths once, unrecorded.
    await download('direct', (await upload('direct')).url);
    await download('router', (await upload('router')).url);
    for (let run = 1; run <= repeat; run++) {
      // Alternate which path goes first, as the machine's state drifts.
      const order: Array<'router' | 'direct'> = run % 2 ? ['router', 'direct'] : ['direct', 'router'];
      const figures: Record<string, number> = { run };
      for (const path of order) {
        const up = await peakGrowth(() => upload(path));
        const down = await peakGrowth(() => download(path, up.result.url));
        Object.assign(figures, {
          [`${path}UploadMiBps`]: mibPerSecond(up.result.ms),
          [`${path}DownloadMiBps`]: mibPerSecond(down.result),
          [`${path}UploadPeakHeapMiB`]: up.heapAndBuffersMiB,
          [`${path}UploadPeakRssMiB`]: up.rssMiB,
          [`${path}DownloadPeakHeapMiB`]: down.heapAndBuffersMiB,
        });
      }
      figures.uploadRatio = figures.directUploadMiBps! / figures.routerUploadMiBps!;
      figures.downloadRatio = figures.directDownloadMiBps! / figures.routerDownloadMiBps!;
      runs.push(figures);
      const f = (v: number | undefined) => v!.toFixed(1);
      console.log(
        `run ${run}  ${mb} MiB  upload router ${f(figures.routerUploadMiBps)} MiB/s, direct ${f(figures.directUploadMiBps)} (direct ÷ router ${figures.uploadRatio.toFixed(2)}×)` +
          `  download router ${f(figures.routerDownloadMiBps)}, direct ${f(figures.directDownloadMiBps)} (${figures.downloadRatio.toFixed(2)}×)` +
          `  peak growth during the router upload: heap+buffers ${f(figures.routerUploadPeakHeapMiB)} MiB, RSS ${f(figures.routerUploadPeakRssMiB)} MiB`,
      );
    }

    // A photo-like picture: smooth noise (a 1008 × 756 noise image enlarged), 4032 × 3024, JPEG at quality 85, EXIF orientation 6.
    const noise = await sharp({ create: { width: 1008, height: 756, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
    const photo = await sharp(noise).resize(4032, 3024).jpeg({ quality: 85 }).withMetadata({ orientation: 6 }).toBuffer();
    const send = async (type: string) => {
      const cpu = process.cpuUsage();
      const started = performance.now();
      const res = await fetch(`${router}/media`, { method: 'POST', body: photo, headers: { 'content-type': type, ...(await headersFor('router')) } });
      const answer = (await res.json()) as { thumbnailUrl?: string | null; width?: number };
      if (res.status !== 201 || (type === 'image/jpeg') !== Boolean(answer.thumbnailUrl)) throw new Error(`photo upload as ${type}: ${res.status} ${JSON.stringify(answer)}`);
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
    };
    await send('image/jpeg');
    const image = { ms: [] as number[], cpuMs: [] as number[] };
    const octets = { ms: [] as number[], cpuMs: [] as number[] };
    for (let i = 0; i < photos; i++) {
      for (const type of i % 2 ? ['application/octet-stream', 'image/jpeg'] : ['image/jpeg', 'application/octet-stream']) {
        const { ms, cpuMs } = await send(type);
        const into = type === 'image/jpeg' ? image : octets;
        into.ms.push(ms);
        into.cpuMs.push(cpuMs);
      }
    }
    const thumbnails = {
      photoBytes: photo.length,
      photos,
      asImage: { ms: summarize(image.ms), cpuMs: summarize(image.cpuMs) },
      asOctetStream: { ms: summarize(octets.ms), cpuMs: summarize(octets.cpuMs) },
    };
    const median = (s: { p50: number }) => s.p50.toFixed(1);
    console.log(
      `photos  ${photos} × ${(photo.length / 2 ** 20).toFixed(2)} MiB 4032 × 3024 JPEG through the router, median per upload:` +
        ` as image/jpeg (size + thumbnail) ${median(thumbnails.asImage.ms)} ms, ${median(thumbnails.asImage.cpuMs)} ms CPU;` +
        ` as application/octet-stream ${median(thumbnails.asOctetStream.ms)} ms, ${median(thumbnails.asOctetStream.cpuMs)} ms CPU`,
    );
    const file = await writeReport('media', { command: `npm run bench -- media --mb ${mb} --repeat ${repeat} --photos ${photos}`, fileMiB: mb, runs, thumbnails });
    console.log(`report: ${file}`);
  } finally {
    await stack.dispose();
  }
}
