import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalSecretSealer } from '../../lib/tokens/secret-sealer.js';

const KEY_FILE = 'local-secret.key';

/**
 * The AES key that seals recoverable client secrets in local mode (base64url). With a data folder
 * the key is kept beside the data, so sealed secrets still open after a restart.
 */
export async function localSecretKey(dataDir?: string): Promise<string> {
  if (!dataDir) return LocalSecretSealer.generateKey().toString('base64url');
  const path = join(dataDir, KEY_FILE);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = LocalSecretSealer.generateKey().toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
