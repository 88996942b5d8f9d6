// Where uploaded bytes live: a folder (MEDIA_STORAGE_DIR). A file becomes
// visible under its final name only once it is whole and on disk (written
// to `.tmp/`, fsynced, then renamed, and the rename fsynced), so a reader never
// sees half a file and a crash leaves at most a `.tmp/` file, which the next
// start removes; a file left without its row (a crash between the rename
// and the insert) is removed by sweep() once it is old enough.
import { randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContentCheck } from './content-types.js';

/** The upload went past the size limit: nothing was kept. */
export class UploadTooLarge extends Error {
  override name = 'UploadTooLarge';
  constructor(readonly maxBytes: number) {
    super(`An upload holds at most ${maxBytes} bytes`);
  }
}

/** The upload had no bytes: nothing was kept. */
export class UploadEmpty extends Error {
  override name = 'UploadEmpty';
  constructor() {
    super('The upload is empty: send the file as the request body');
  }
}

export interface StoredFile {
  /** The file's name inside the storage (the Media row's storageKey). */
  key: string;
  size: number;
}

const TMP = '.tmp';
const SHARD = /^[0-9a-f]{2}$/;
const KEY = /^[0-9a-f]{2}\/[0-9a-f-]{36}$/;
/** A media's thumbnail lives beside its file, under its key and this suffix. */
const THUMBNAIL_SUFFIX = '.thumb';
const THUMBNAIL_KEY = /^[0-9a-f]{2}\/[0-9a-f-]{36}\.thumb$/;

/** The folders files are spread over, in the order the sweep visits them. */
export const STORAGE_SHARDS: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Media bytes in a folder, one file per media: `<root>/<first two hex digits of the id>/<id>`. */
export class FileStorage {
  constructor(readonly root: string) {}

  /** Creates the folder and removes what an interrupted upload left in `.tmp/`. */
  async init(): Promise<void> {
    await rm(join(this.root, TMP), { recursive: true, force: true });
    await mkdir(join(this.root, TMP), { recursive: true });
  }

  /**
   * Writes `source` as the file of media `id`: counted against `maxBytes`
   * (UploadTooLarge as soon as it is passed), every chunk fed to `check`
   * (its ContentMismatch refuses the file). Resolves once the file is whole,
   * durable and under its final name; on any failure (the client going away
   * included) nothing is left behind and the error is rethrown.
   */
  async write(id: string, source: AsyncIterable<Buffer> | Iterable<Buffer>, options: { maxBytes: number; check: ContentCheck }): Promise<StoredFile> {
    const key = `${id.slice(0, 2)}/${id}`;
    return this.writeAs(key, source, options);
  }

  /** Writes the thumbnail of the file stored under `key`, as durably as write() (removed with it by remove()). */
  async writeThumbnail(key: string, bytes: Buffer): Promise<void> {
    this.path(key);
    await this.writeAs(`${key}${THUMBNAIL_SUFFIX}`, [bytes], { maxBytes: Infinity });
  }

  /** Where the file stored under `key` is, for a library that reads files itself (thumbnails.ts). */
  location(key: string): string {
    return this.path(key);
  }

  private async writeAs(key: string, source: AsyncIterable<Buffer> | Iterable<Buffer>, options: { maxBytes: number; check?: ContentCheck }): Promise<StoredFile> {
    const id = key.slice(3);
    const temp = join(this.root, TMP, `${id}.${randomUUID()}`);
    const handle = await open(temp, 'wx', 0o600);
    let closed = false;
    try {
      let size = 0;
      for await (const chunk of source) {
        size += chunk.length;
        if (size > options.maxBytes) throw new UploadTooLarge(options.maxBytes);
        options.check?.feed(chunk);
        await handle.write(chunk);
      }
      if (size === 0) throw new UploadEmpty();
      options.check?.end();
      await handle.sync();
      await handle.close();
      closed = true;
      const dir = join(this.root, key.slice(0, 2));
      await mkdir(dir, { recursive: true });
      await rename(temp, join(this.root, key));
      await syncDir(dir);
      return { key, size };
    } catch (err) {
      if (!closed) await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw err;
    }
  }

  /** Removes a stored file and its thumbnail (its row could not be written, or is deleted). */
  async remove(key: string): Promise<void> {
    const path = this.path(key);
    await rm(`${path}${THUMBNAIL_SUFFIX}`, { force: true });
    await rm(path, { force: true });
  }

  /** The stored file's (or its thumbnail's) size and a stream of its bytes (or of `range`); undefined when it is not there. */
  async read(key: string, variant: 'file' | 'thumbnail' = 'file'): Promise<{ size: number; stream: (range?: { start: number; end: number }) => ReadStream } | undefined> {
    const path = variant === 'thumbnail' ? `${this.path(key)}${THUMBNAIL_SUFFIX}` : this.path(key);
    try {
      const { size } = await stat(path);
      // `end` is inclusive, as in HTTP's Content-Range.
      return { size, stream: (range) => createReadStream(path, range) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * Removes the files of folder `shard` (`00` … `ff`) older than `graceMs`
   * whose key `known` does not return: files whose row was never written.
   * The grace covers an upload between its rename and its insert. Returns the
   * keys removed.
   */
  async sweep(shard: string, known: (keys: string[]) => Promise<Set<string>>, graceMs: number, nowMs = Date.now()): Promise<string[]> {
    if (!SHARD.test(shard)) throw new Error(`not a storage folder: ${shard}`);
    let names: string[];
    try {
      names = await readdir(join(this.root, shard));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const old: string[] = [];
    for (const name of names) {
      const key = `${shard}/${name}`;
      if (!KEY.test(key) && !THUMBNAIL_KEY.test(key)) continue;
      const { mtimeMs } = await stat(join(this.root, key)).catch(() => ({ mtimeMs: nowMs }));
      if (nowMs - mtimeMs > graceMs) old.push(key);
    }
    if (old.length === 0) return [];
    // A thumbnail belongs to its file's row.
    const fileOf = (key: string) => (key.endsWith(THUMBNAIL_SUFFIX) ? key.slice(0, -THUMBNAIL_SUFFIX.length) : key);
    const rows = await known([...new Set(old.map(fileOf))]);
    const orphans = old.filter((key) => !rows.has(fileOf(key)));
    for (const key of orphans) await rm(join(this.root, key), { force: true });
    return orphans;
  }

  /** Names of the files under their final names (tests: nothing half-written or orphaned). */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for (const dir of await readdir(this.root)) {
      if (dir === TMP) continue;
      for (const name of await readdir(join(this.root, dir))) keys.push(`${dir}/${name}`);
    }
    return keys.sort();
  }

  /** Files in `.tmp/` (tests: an aborted upload leaves none). */
  async pending(): Promise<string[]> {
    return readdir(join(this.root, TMP));
  }

  private path(key: string): string {
    // Keys are written by write() only (`xx/<uuid>`); refuse anything else rather than join it.
    if (!KEY.test(key)) throw new Error(`not a storage key: ${key}`);
    return join(this.root, key);
  }
}

/** Makes a rename in `dir` durable (the directory entry, not only the file). */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** How long a file without a row is left alone: an upload between its rename and its insert. */
export const ORPHAN_GRACE_MS = 60 * 60_000;

/**
 * Sweeps one folder every `intervalMs` (by default 15 s: all 256 in about an
 * hour), round-robin, removing files older than ORPHAN_GRACE_MS that have no
 * row. Cheap per tick (one folder listing, one query for its old files);
 * unref'd, so it never keeps a process alive. Returns the stop function.
 */
export function startOrphanSweep(options: {
  storage: FileStorage;
  known: (keys: string[]) => Promise<Set<string>>;
  intervalMs?: number;
  log?: (message: string, err?: unknown) => void;
}): () => void {
  const { storage, known, intervalMs = 15_000, log = (message, err) => console.warn(`[media] ${message}`, err ?? '') } = options;
  let next = 0;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const shard = STORAGE_SHARDS[next]!;
    next = (next + 1) % STORAGE_SHARDS.length;
    storage
      .sweep(shard, known, ORPHAN_GRACE_MS)
      .then((removed) => {
        if (removed.length > 0) log(`removed ${removed.length} file(s) without a row from ${shard}/`);
      })
      .catch((err) => log(`sweeping ${shard}/ failed`, err))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
